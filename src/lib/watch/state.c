/* state.c - positions and counters of smtpdx watch in SQLite (state.h)
 * Two tables: position (one row per followed path) and counter (one row
 * per metric series). A checkpoint replaces both in one transaction;
 * prepared statements are kept for the daemon's life. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "smtpdx/state.h"

struct sdx_state {
    sqlite3      *db;
    sqlite3_stmt *get_pos, *put_pos, *put_counter, *put_text;
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS position(path TEXT PRIMARY KEY, dev INTEGER, ino INTEGER,"
    " off INTEGER, tail BLOB, saved INTEGER);"
    "CREATE TABLE IF NOT EXISTS counter(key TEXT PRIMARY KEY, value INTEGER);"
    "CREATE TABLE IF NOT EXISTS text(key TEXT PRIMARY KEY, value TEXT);";

int sdx_state_open(struct sdx_state **out, const char *path, char *errmsg, size_t cap)
{
    struct sdx_state *st = calloc(1, sizeof(*st));
    char *err = NULL;

    *out = NULL;
    if (cap)
        errmsg[0] = '\0';
    if (!st)
        return SDX_ENOMEM;
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_busy_timeout(st->db, 5000) != SQLITE_OK ||
        sqlite3_exec(st->db, schema, NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "SELECT dev, ino, off, tail FROM position WHERE path = ?1", -1, &st->get_pos,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO position VALUES (?1, ?2, ?3, ?4, ?5, strftime('%s','now'))",
                           -1, &st->put_pos, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO counter VALUES (?1, ?2)", -1, &st->put_counter,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO text VALUES (?1, ?2)", -1, &st->put_text,
                           NULL) != SQLITE_OK) {
        if (cap)
            snprintf(errmsg, cap, "%s", err ? err : st->db ? sqlite3_errmsg(st->db) : "cannot open");
        sqlite3_free(err);
        sdx_state_close(st);
        return SDX_EIO;
    }
    *out = st;
    return 0;
}

void sdx_state_close(struct sdx_state *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->get_pos);
    sqlite3_finalize(st->put_pos);
    sqlite3_finalize(st->put_counter);
    sqlite3_finalize(st->put_text);
    sqlite3_close(st->db);
    free(st);
}

int sdx_state_position(struct sdx_state *st, const char *file, struct sdx_follow_pos *pos)
{
    int rc;

    memset(pos, 0, sizeof(*pos));
    sqlite3_reset(st->get_pos);
    sqlite3_bind_text(st->get_pos, 1, file, -1, SQLITE_STATIC);
    rc = sqlite3_step(st->get_pos);
    if (rc == SQLITE_ROW) {
        const void *tail = sqlite3_column_blob(st->get_pos, 3);
        int tl = sqlite3_column_bytes(st->get_pos, 3);

        pos->dev = (uint64_t)sqlite3_column_int64(st->get_pos, 0);
        pos->ino = (uint64_t)sqlite3_column_int64(st->get_pos, 1);
        pos->off = (uint64_t)sqlite3_column_int64(st->get_pos, 2);
        if (tail && tl > 0 && (size_t)tl <= sizeof(pos->tail)) {
            memcpy(pos->tail, tail, (size_t)tl);
            pos->tail_len = (size_t)tl;
        }
    }
    sqlite3_reset(st->get_pos);
    return rc == SQLITE_ROW ? 0 : SDX_ENOTFOUND;
}

int sdx_state_counters(struct sdx_state *st, sdx_state_counter_fn fn, void *arg)
{
    sqlite3_stmt *q;

    if (sqlite3_prepare_v2(st->db, "SELECT key, value FROM counter", -1, &q, NULL) != SQLITE_OK)
        return SDX_EIO;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const unsigned char *k = sqlite3_column_text(q, 0);

        if (k)
            fn(arg, (const char *)k, (uint64_t)sqlite3_column_int64(q, 1));
    }
    sqlite3_finalize(q);
    return 0;
}

int sdx_state_begin(struct sdx_state *st)
{
    return sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : SDX_EIO;
}

int sdx_state_put_position(struct sdx_state *st, const char *file, const struct sdx_follow_pos *pos)
{
    int rc;

    sqlite3_reset(st->put_pos);
    sqlite3_bind_text(st->put_pos, 1, file, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st->put_pos, 2, (sqlite3_int64)pos->dev);
    sqlite3_bind_int64(st->put_pos, 3, (sqlite3_int64)pos->ino);
    sqlite3_bind_int64(st->put_pos, 4, (sqlite3_int64)pos->off);
    sqlite3_bind_blob(st->put_pos, 5, pos->tail, (int)pos->tail_len, SQLITE_STATIC);
    rc = sqlite3_step(st->put_pos);
    sqlite3_reset(st->put_pos);
    return rc == SQLITE_DONE ? 0 : SDX_EIO;
}

int sdx_state_put_counter(struct sdx_state *st, const char *key, uint64_t value)
{
    int rc;

    sqlite3_reset(st->put_counter);
    sqlite3_bind_text(st->put_counter, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st->put_counter, 2, (sqlite3_int64)value);
    rc = sqlite3_step(st->put_counter);
    sqlite3_reset(st->put_counter);
    return rc == SQLITE_DONE ? 0 : SDX_EIO;
}

int sdx_state_put_text(struct sdx_state *st, const char *key, const char *value)
{
    int rc;

    sqlite3_reset(st->put_text);
    sqlite3_bind_text(st->put_text, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st->put_text, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st->put_text);
    sqlite3_reset(st->put_text);
    return rc == SQLITE_DONE ? 0 : SDX_EIO;
}

int sdx_state_text(struct sdx_state *st, const char *key, char *out, size_t cap)
{
    sqlite3_stmt *q;
    int found = 0;

    if (cap)
        out[0] = '\0';
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM text WHERE key = ?1", -1, &q, NULL) != SQLITE_OK)
        return SDX_EIO;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(q, 0));
        found = 1;
    }
    sqlite3_finalize(q);
    return found ? 0 : SDX_ENOTFOUND;
}

int sdx_state_commit(struct sdx_state *st)
{
    return sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : SDX_EIO;
}

void sdx_state_rollback(struct sdx_state *st)
{
    (void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}
