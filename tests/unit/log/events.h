/* events.h - what the log reader tests share: each event seen, copied into
 * plain strings (struct seen), the wanted fields (struct want), feeding lines
 * through sdx_logs_line (feed) and comparing (check). Included by
 * test_logs.c, test_exim.c and test_opensmtpd.c after cmocka.h; inline so a
 * test that uses only some of them builds without unused warnings. */
#ifndef SDX_TEST_LOG_EVENTS_H
#define SDX_TEST_LOG_EVENTS_H

#include <stdio.h>
#include <string.h>
#include "smtpdx/logs.h"
#include "smtpdx/syslog.h"

struct seen {
    char dir[16], outcome[16], stage[16], code[8], status[16], sender[64], recipient[64], queue_id[32];
    char client[64], server[64], message_id[96], helo[64], mta[16], sasl[32];
    char from[16], dsn[16], text[96];      /* reply source, the MTA's dsn=, the reply text */
    char story_last[96];                   /* the story's last line */
    char delays[32];
    long long delay_ms;
    unsigned long size, nstory, line;
};

struct collect { struct seen ev[32]; size_t n; };

struct want {
    unsigned long line;
    const char *dir, *outcome, *stage, *code, *status, *sender, *recipient, *queue_id, *client, *server;
};

static inline void cp(char *d, size_t cap, struct sdx_str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;

    if (n)
        memcpy(d, s.p, n);
    d[n] = '\0';
}

static inline int on_event(void *arg, const struct sdx_event *e)
{
    struct collect *c = arg;
    struct seen *s;

    if (c->n == sizeof(c->ev) / sizeof(c->ev[0]))
        return 0;
    s = &c->ev[c->n++];
    memset(s, 0, sizeof(*s));
    snprintf(s->mta, sizeof(s->mta), "%s", sdx_mta_name(e->mta));
    snprintf(s->dir, sizeof(s->dir), "%s", sdx_direction_name(e->dir));
    snprintf(s->outcome, sizeof(s->outcome), "%s", sdx_outcome_name(e->outcome));
    snprintf(s->stage, sizeof(s->stage), "%s", sdx_stage_name(e->stage));
    snprintf(s->code, sizeof(s->code), "%d", e->reply->code);
    snprintf(s->status, sizeof(s->status), "%s", e->reply->status_str);
    cp(s->sender, sizeof(s->sender), e->sender);
    cp(s->recipient, sizeof(s->recipient), e->recipient);
    cp(s->queue_id, sizeof(s->queue_id), e->queue_id);
    cp(s->client, sizeof(s->client), e->client.addr);
    cp(s->server, sizeof(s->server), e->server.addr.len ? e->server.addr : e->server.host);
    cp(s->message_id, sizeof(s->message_id), e->message_id);
    cp(s->helo, sizeof(s->helo), e->helo);
    cp(s->sasl, sizeof(s->sasl), e->sasl_user);
    snprintf(s->from, sizeof(s->from), "%s", sdx_reply_source_name(e->reply_from));
    cp(s->dsn, sizeof(s->dsn), e->dsn);
    snprintf(s->text, sizeof(s->text), "%.*s", (int)(e->reply->text.len < 95 ? e->reply->text.len : 95),
             e->reply->text.data ? e->reply->text.data : "");
    s->size = e->size;
    s->nstory = e->nstory;
    s->delay_ms = (long long)e->delay_ms;
    cp(s->delays, sizeof(s->delays), e->delays);
    if (e->nstory)
        cp(s->story_last, sizeof(s->story_last), e->story[e->nstory - 1]);
    s->line = e->line;
    return 0;
}

/* feed - frame and read lines (named source); checks that every line is an
 * MTA's and understood */
static inline void feed(const char *const *lines, size_t n, const char *source, struct collect *c,
                 struct sdx_logs_stats *st)
{
    struct sdx_logs *l;
    struct sdx_syslog sl;
    size_t i;

    assert_int_equal(sdx_logs_new(&l), 0);
    sdx_syslog_init(&sl, 2026, 0);
    for (i = 0; i < n; i++) {
        struct sdx_logline ll;

        if (sdx_syslog_parse(&sl, lines[i], strlen(lines[i]), &ll) != 0)
            fail_msg("line %zu: not framed", i + 1);
        assert_int_equal(sdx_logs_line(l, &ll, source, i + 1, on_event, c), 0);
    }
    assert_int_equal(sdx_logs_end(l, on_event, c), 0);
    sdx_logs_stats(l, st);
    assert_int_equal(st->lines, n);
    assert_int_equal(st->mta_lines, n);
    if (st->unparsed) {
        const char *const *u;

        sdx_logs_unparsed(l, &u);
        fail_msg("%lu unparsed, first: %s", st->unparsed, u[0]);
    }
    sdx_logs_free(l);
    sdx_syslog_release(&sl);
}

/* feed_any - frame and read lines that may be anything: those with no
 * framing are skipped, each framed one must be read without error; st as
 * after sdx_logs_end */
static inline void feed_any(const char *const *lines, size_t n, const char *source, struct collect *c,
                            struct sdx_logs_stats *st)
{
    struct sdx_logs *l;
    struct sdx_syslog sl;
    size_t i;

    assert_int_equal(sdx_logs_new(&l), 0);
    sdx_syslog_init(&sl, 2026, 0);
    for (i = 0; i < n; i++) {
        struct sdx_logline ll;

        if (sdx_syslog_parse(&sl, lines[i], strlen(lines[i]), &ll) == 0)
            assert_int_equal(sdx_logs_line(l, &ll, source, i + 1, on_event, c), 0);
    }
    assert_int_equal(sdx_logs_end(l, on_event, c), 0);
    sdx_logs_stats(l, st);
    sdx_logs_free(l);
    sdx_syslog_release(&sl);
}

/* check - the events against want, field by field, all from mta */
static inline void check(const struct collect *c, const struct want *want, size_t nwant, const char *mta)
{
    size_t i;

    if (c->n != nwant)
        fail_msg("%zu events, want %zu", c->n, nwant);
    for (i = 0; i < c->n; i++) {
        if (c->ev[i].line != want[i].line)
            fail_msg("event %zu: line %lu, want %lu", i + 1, c->ev[i].line, want[i].line);
#define CHECK(f) if (strcmp(c->ev[i].f, want[i].f) != 0) \
        fail_msg("event %zu (line %lu): " #f " '%s', want '%s'", i + 1, want[i].line, c->ev[i].f, want[i].f)
        CHECK(dir); CHECK(outcome); CHECK(stage); CHECK(code); CHECK(status); CHECK(sender);
        CHECK(recipient); CHECK(queue_id); CHECK(client); CHECK(server);
#undef CHECK
        assert_string_equal(c->ev[i].mta, mta);
        if (c->ev[i].nstory == 0)
            fail_msg("event %zu has no story", i + 1);
    }
}

#endif
