/* input.c - log lines from files, stdin and rotated, compressed sets
 * In:  paths given by the caller ("-" is stdin), read in the order below;
 *      each file plain or compressed (gzip, bzip2, xz, zstd, lz4, compress,
 *      lzip), recognised by its first bytes, never by its name; anything else,
 *      bare .lzma (no magic) and binary garbage included, is read as text.
 * Out: one line per sdx_input_next(), borrowed from an internal buffer, with
 *      the file's name and the 1-based line number; struct sdx_input_stats.
 * Limits: SDX_INPUT_LINE_MAX bytes kept per line; READ_SIZE bytes read at once.
 * Not here: what a line says (syslog.c); printing and exit codes (src/cli).
 *
 * Order (sdx_input_open). Each path is split, on its name alone, into a set
 * key and a rotation:
 *   1. a compression extension (.gz .bz2 .xz .zst .zstd .lz4 .lzma .lz .Z)
 *      is set aside: mail.log.2.gz and mail.log.2 have the same rotation;
 *   2. what is left may end in a separator ('.', '-' or '_') and a run D
 *      of digits, '-' and '_' that starts with a digit:
 *        '.' D, D of 1 to 6 digits only   numbered: mail.log.3, key mail.log
 *        any separator, D of 8+ digits    dated: mail.log-20261101,
 *                                         mail.log-2026-11-01, mail.log.20261101
 *        anything else                    live: the key is the whole name
 *      (a key must remain before the separator: ".1", "dir/-20261101" are live);
 *   3. "-" (stdin) is never part of a set.
 * Paths with the same key (directory included, byte for byte) form a set,
 * read oldest first: numbered rotations by N descending (.3, .2, .1, .0),
 * then dated rotations by their digits ascending (compared as digit strings,
 * so fixed-width dates sort by time), then the live file(s). A set is read
 * where its first member stands on the command line; sets and unrelated
 * files keep their command-line order among themselves; equal rotations
 * (mail.log.1 and mail.log.1.gz, a path given twice) keep theirs too. Mixed
 * numbered and dated names in one set are rare (a changed logrotate
 * "dateext"); numbered ones are taken as older.
 *
 * Reading. Plain files are read with read(2) in READ_SIZE blocks and split
 * with memchr() without copying; a compressed file (magic bytes of a
 * compressor at its start) goes through libarchive (all filters, raw format,
 * archive_read_data_block()), its first bytes replayed to libarchive so that
 * pipes work too. A file named .gz that is not gzip is read as text. When
 * the magic matches, libarchive decides: no filter takes it (\x1f\x8b and
 * then no gzip header) - text; a filter takes it and fails - an error. A line
 * ends at \n; the \n and one \r before it are removed (also a lone \r at the
 * end of a file whose last line has no \n). A last line without \n is
 * returned. Lines longer than SDX_INPUT_LINE_MAX keep their first
 * SDX_INPUT_LINE_MAX bytes; the rest is read and skipped (never held), and
 * the line counted as cut. NUL bytes are passed through; lines holding one
 * are counted (the whole line is checked, skipped part included).
 *
 * Errors are per file: a file that cannot be opened, read or decompressed
 * makes sdx_input_next() return SDX_EIO with d->source = the path, d->line =
 * the lines returned from it and d->msg = "cannot open|read|decompress
 * 'path': reason". The lines before a read error have been returned first
 * (a partial last line too); of a damaged compressed file, what the
 * decompressor had not handed over yet is lost (at most one of its blocks:
 * 64 KiB of text for gzip). The next call goes on with the next file.
 * Nothing is global, nothing is printed. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include "../core/dynlib.h"

/* libarchive, loaded when the first compressed file is met (dynlib.h says
 * why); the calls below go through these pointers under their own names */
static struct {
    struct archive *(*read_new)(void);
    int (*read_support_filter_all)(struct archive *);
    int (*read_support_format_raw)(struct archive *);
    int (*read_support_format_empty)(struct archive *);
    int (*read_open)(struct archive *, void *, archive_open_callback *, archive_read_callback *,
                     archive_close_callback *);
    int (*read_next_header)(struct archive *, struct archive_entry **);
    la_ssize_t (*read_data)(struct archive *, void *, size_t);
    int (*read_data_block)(struct archive *, const void **, size_t *, la_int64_t *);
    int (*read_free)(struct archive *);
    const char *(*error_string)(struct archive *);
    void (*set_error)(struct archive *, int, const char *, ...);
} A;
static const char *const archive_names[] = {
    "archive_read_new", "archive_read_support_filter_all", "archive_read_support_format_raw",
    "archive_read_support_format_empty", "archive_read_open", "archive_read_next_header", "archive_read_data",
    "archive_read_data_block", "archive_read_free", "archive_error_string", "archive_set_error",
};
static struct sdx_dynlib libarchive = { "libarchive.so.13", archive_names, sizeof(archive_names) / sizeof(char *),
                                        (void **)&A, 0, "" };
#define archive_read_new                  A.read_new
#define archive_read_support_filter_all   A.read_support_filter_all
#define archive_read_support_format_raw   A.read_support_format_raw
#define archive_read_support_format_empty A.read_support_format_empty
#define archive_read_open                 A.read_open
#define archive_read_next_header          A.read_next_header
#define archive_read_data                 A.read_data
#define archive_read_data_block           A.read_data_block
#define archive_read_free                 A.read_free
#define archive_error_string              A.error_string
#define archive_set_error                 A.set_error
#include "smtpdx/input.h"

/* one read(2) or copy of decompressed bytes: large enough that syscalls and
 * memchr() start-up cost nothing; READ_SIZE - (SDX_INPUT_LINE_MAX + 1) stays
 * free for each read even when a partial line is carried over */
#define READ_SIZE     (512 * 1024)
#define BUF_SIZE      (READ_SIZE + SDX_INPUT_LINE_MAX + 1)
/* bytes looked at to recognise a compressor (xz's magic is the longest) */
#define MAGIC_LEN     6
/* what the libarchive read callback reads from the file at once */
#define ARCHIVE_READ  (128 * 1024)
/* digits of a numbered rotation (mail.log.123456); longer runs are not one */
#define ROT_DIGITS_MAX 6
/* digits of a dated rotation: at least a date (YYYYMMDD) */
#define DATE_DIGITS_MIN 8

enum rot_kind { ROT_NUMBERED = 0, ROT_DATED = 1, ROT_LIVE = 2 };

/* one path and where it goes */
struct plan {
    size_t        index;        /* position on the command line */
    size_t        keylen;       /* the set key is path[0 .. keylen) */
    size_t        first;        /* index of the set's first member on the command line */
    int           is_stdin;     /* "-": never in a set */
    enum rot_kind kind;
    unsigned long num;          /* ROT_NUMBERED: N */
    const char   *date;         /* ROT_DATED: the digit run (digits, '-', '_') */
    size_t        datelen;
    const char   *path;
};

struct sdx_input {
    char          **paths;      /* copies, in command-line order */
    size_t          n;
    size_t         *order;      /* paths[order[i]] is read i-th */
    size_t          next;       /* next position in order[] to open */

    /* the file being read */
    int             open;       /* a file is being read */
    const char     *source;     /* its path */
    int             fd;         /* -1 when none; 0 (not closed) for stdin */
    int             is_stdin;
    struct archive *ar;         /* NULL for plain files */
    unsigned long   lineno;     /* lines returned from it */
    int             eof;        /* no more bytes from it */
    struct sdx_diag pending;    /* a read error held back until its partial line is out */

    /* the line buffer: buf[pos .. end) is unread; scan is where the search
     * for \n goes on; when cutting, buf[0 .. SDX_INPUT_LINE_MAX + 1) holds the
     * start of an over-long line and later bytes are only searched */
    char           *buf;
    size_t          pos, scan, end;
    int             cutting;    /* in an over-long line, its tail being skipped */
    int             tailnul;    /* a NUL was seen in the skipped tail */

    /* libarchive read callback state */
    char           *abuf;       /* max(ARCHIVE_READ, READ_SIZE): the sniffed first read fits */
    size_t          aprefix;    /* sniffed bytes in abuf still to hand over */
    int             aerrno;     /* errno of a failed read(2) in the callback */
    const char     *blk;        /* rest of the last decompressed block (libarchive's) */
    size_t          blen;

    struct sdx_input_stats st;
};

/* ---- order ---------------------------------------------------------- */

/* comp_ext_len - length of a compression extension ending name[0 .. len), or 0 */
static size_t comp_ext_len(const char *name, size_t len)
{
    static const char *const ext[] = { ".gz", ".bz2", ".xz", ".zst", ".zstd", ".lz4",
                                       ".lzma", ".lz", ".Z" };
    size_t i, e;

    for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        e = strlen(ext[i]);
        /* something must stay before it, and not a bare directory ("dir/.gz") */
        if (len > e && memcmp(name + len - e, ext[i], e) == 0 && name[len - e - 1] != '/')
            return e;
    }
    return 0;
}

/* classify - key and rotation of one path (the rule in the file comment) */
static void classify(struct plan *p)
{
    const char *s = p->path;
    size_t len = strlen(s), run, digits = 0, i;
    const char *d;
    size_t dlen;

    p->kind = ROT_LIVE;
    p->keylen = len;
    if ((p->is_stdin = strcmp(s, "-") == 0) != 0)
        return;
    len -= comp_ext_len(s, len);
    p->keylen = len;            /* mail.log.gz: live, in the set of mail.log */

    /* the run of digits, '-' and '_' at the end */
    for (run = 0; run < len; run++) {
        char c = s[len - 1 - run];

        if (c >= '0' && c <= '9')
            digits++;
        else if (c != '-' && c != '_')
            break;
    }
    if (digits == 0)
        return;
    /* D: the run without leading separators; SEP: the byte before D */
    d = s + len - run;
    dlen = run;
    while (dlen > 0 && (*d == '-' || *d == '_'))
        d++, dlen--;
    if (d == s)
        return;                 /* nothing before the digits: no key */
    if (d[-1] != '.' && d[-1] != '-' && d[-1] != '_')
        return;                 /* "mail2", "logs/20261101": live */
    if (d - 1 == s || d[-2] == '/')
        return;                 /* ".1", "dir/-20261101": no key left */

    if (d[-1] == '.' && dlen <= ROT_DIGITS_MAX && digits == dlen) {
        p->kind = ROT_NUMBERED;
        p->num = 0;
        for (i = 0; i < dlen; i++)
            p->num = p->num * 10 + (unsigned long)(d[i] - '0');
        p->keylen = (size_t)(d - 1 - s);
    } else if (digits >= DATE_DIGITS_MIN) {
        p->kind = ROT_DATED;
        p->date = d;
        p->datelen = dlen;
        p->keylen = (size_t)(d - 1 - s);
    }
}

/* cmp_key - stdin first (each alone), then by set key, then command-line position */
static int cmp_key(const void *va, const void *vb)
{
    const struct plan *a = va, *b = vb;
    size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
    int c;

    if (a->is_stdin != b->is_stdin)
        return a->is_stdin ? -1 : 1;
    if (a->is_stdin)
        return a->index < b->index ? -1 : a->index > b->index;
    if ((c = memcmp(a->path, b->path, n)) != 0)
        return c;
    if (a->keylen != b->keylen)
        return a->keylen < b->keylen ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* cmp_dates - two digit runs, separators ignored, as digit strings */
static int cmp_dates(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;

    for (;;) {
        while (i < an && (a[i] == '-' || a[i] == '_'))
            i++;
        while (j < bn && (b[j] == '-' || b[j] == '_'))
            j++;
        if (i == an || j == bn)
            return (i < an) - (j < bn);     /* a prefix sorts first */
        if (a[i] != b[j])
            return a[i] < b[j] ? -1 : 1;
        i++, j++;
    }
}

/* cmp_order - set position, rotation kind, age within the kind, command line */
static int cmp_order(const void *va, const void *vb)
{
    const struct plan *a = va, *b = vb;
    int c;

    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->kind == ROT_NUMBERED && a->num != b->num)
        return a->num > b->num ? -1 : 1;    /* .3 is older than .1 */
    if (a->kind == ROT_DATED && (c = cmp_dates(a->date, a->datelen, b->date, b->datelen)))
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* plan_order - fill in->order (the rule in the file comment) */
static int plan_order(struct sdx_input *in)
{
    struct plan *pl;
    size_t i;

    if (in->n == 0)
        return 0;
    if ((pl = calloc(in->n, sizeof(*pl))) == NULL)
        return SDX_ENOMEM;
    for (i = 0; i < in->n; i++) {
        pl[i].index = i;
        pl[i].path = in->paths[i];
        classify(&pl[i]);
    }
    /* sets: sorted by key then position, a set's first member is its first entry */
    qsort(pl, in->n, sizeof(*pl), cmp_key);
    for (i = 0; i < in->n; i++) {
        int same = i > 0 && !pl[i].is_stdin && !pl[i - 1].is_stdin &&
                   pl[i].keylen == pl[i - 1].keylen &&
                   memcmp(pl[i].path, pl[i - 1].path, pl[i].keylen) == 0;

        pl[i].first = same ? pl[i - 1].first : pl[i].index;
    }
    qsort(pl, in->n, sizeof(*pl), cmp_order);
    for (i = 0; i < in->n; i++)
        in->order[i] = pl[i].index;
    free(pl);
    return 0;
}

/* ---- lifecycle ------------------------------------------------------ */

int sdx_input_open(struct sdx_input **out, const char *const *paths, size_t n, struct sdx_diag *d)
{
    struct sdx_input *in;
    size_t i;
    int err = SDX_ENOMEM;

    *out = NULL;
    if (n > 0 && paths == NULL)
        return sdx_diag_set(d, SDX_EINVAL, "no paths given");
    for (i = 0; i < n; i++)
        if (paths[i] == NULL)
            return sdx_diag_set(d, SDX_EINVAL, "path %zu is NULL", i);
    if ((in = calloc(1, sizeof(*in))) == NULL)
        return sdx_diag_set(d, SDX_ENOMEM, "out of memory");
    in->fd = -1;
    in->n = n;
    /* n + 1: calloc(0) may return NULL, which must not read as a failure */
    if ((in->paths = calloc(n + 1, sizeof(*in->paths))) == NULL ||
        (in->order = calloc(n + 1, sizeof(*in->order))) == NULL)
        goto fail;
    for (i = 0; i < n; i++) {
        size_t len = strlen(paths[i]);

        if ((in->paths[i] = malloc(len + 1)) == NULL)
            goto fail;
        memcpy(in->paths[i], paths[i], len + 1);
    }
    if ((err = plan_order(in)) != 0)
        goto fail;
    *out = in;
    return 0;
fail:
    sdx_input_close(in);
    return sdx_diag_set(d, err, "out of memory");
}

const size_t *sdx_input_order(const struct sdx_input *in)
{
    return in->order;
}

void sdx_input_stats(const struct sdx_input *in, struct sdx_input_stats *st)
{
    *st = in->st;
}

/* file_close - end the current file; buffers are kept for the next one */
static void file_close(struct sdx_input *in)
{
    if (in->ar != NULL)
        archive_read_free(in->ar);
    in->ar = NULL;
    in->blk = NULL;
    in->blen = 0;
    if (in->fd >= 0 && !in->is_stdin)
        close(in->fd);
    in->fd = -1;
    in->open = 0;
}

void sdx_input_close(struct sdx_input *in)
{
    size_t i;

    if (in == NULL)
        return;
    file_close(in);
    if (in->paths != NULL)
        for (i = 0; i < in->n; i++)
            free(in->paths[i]);
    free(in->paths);
    free(in->order);
    free(in->buf);
    free(in->abuf);
    free(in);
}

/* ---- reading -------------------------------------------------------- */

/* errno_text - strerror_r text, lower-cased first letter as git words it
 * (the XSI strerror_r of _POSIX_C_SOURCE=200809L, not GNU's: no _GNU_SOURCE) */
static void errno_text(int e, char *out, size_t size)
{
    if (strerror_r(e, out, size) != 0)
        snprintf(out, size, "error %d", e);
    if (out[0] >= 'A' && out[0] <= 'Z' && out[1] >= 'a' && out[1] <= 'z')
        out[0] = (char)(out[0] - 'A' + 'a');
}

/* file_error - fill d for the current file: SDX_EIO "cannot VERB 'path': why" */
static int file_error(struct sdx_diag *d, const char *path, unsigned long lineno,
                      const char *verb, const char *why)
{
    int err = sdx_diag_set(d, SDX_EIO, "cannot %s '%.300s': %.150s", verb, path, why);

    if (d != NULL) {
        d->source = path;
        d->line = lineno;
    }
    return err;
}

/* read_fd - read(2) retried on EINTR; bytes, 0 at end, -1 with errno */
static ssize_t read_fd(int fd, void *p, size_t n)
{
    ssize_t r;

    do
        r = read(fd, p, n);
    while (r < 0 && errno == EINTR);
    return r;
}

/* archive_cb - libarchive read callback: the sniffed bytes first, then the fd */
static la_ssize_t archive_cb(struct archive *a, void *ctx, const void **block)
{
    struct sdx_input *in = ctx;
    ssize_t r;

    *block = in->abuf;
    if (in->aprefix > 0) {
        r = (ssize_t)in->aprefix;
        in->aprefix = 0;
        return r;
    }
    if ((r = read_fd(in->fd, in->abuf, ARCHIVE_READ)) < 0) {
        in->aerrno = errno;
        archive_set_error(a, errno, "read failed");
        return ARCHIVE_FATAL;
    }
    return r;
}

/* compressed - do the first bytes belong to a compressor libarchive reads */
static int compressed(const unsigned char *p, size_t n)
{
    return (n >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9d)) ||  /* gzip, compress */
           (n >= 3 && memcmp(p, "BZh", 3) == 0) ||                         /* bzip2 */
           (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0) ||               /* xz */
           (n >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0) ||            /* zstd */
           (n >= 4 && memcmp(p, "\x04\x22\x4d\x18", 4) == 0) ||            /* lz4 */
           (n >= 4 && memcmp(p, "LZIP", 4) == 0);                          /* lzip */
}

/* file_open - open the next file in order; 1 opened, 0 none left, SDX_EIO
 * (the file is skipped), SDX_ENOMEM */
static int file_open(struct sdx_input *in, struct sdx_diag *d)
{
    char why[128];
    struct archive_entry *ent;
    const char *path;
    ssize_t r;
    int rc;

    if (in->next >= in->n)
        return 0;
    if (in->buf == NULL && (in->buf = malloc(BUF_SIZE)) == NULL)
        return sdx_diag_set(d, SDX_ENOMEM, "out of memory");     /* the same file next time */
    path = in->paths[in->order[in->next++]];
    in->source = path;
    in->lineno = 0;
    in->pos = in->scan = in->end = 0;
    in->cutting = in->tailnul = 0;
    in->eof = 0;
    in->pending.code = 0;

    in->is_stdin = strcmp(path, "-") == 0;
    if (in->is_stdin) {
        in->fd = STDIN_FILENO;
    } else if ((in->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        errno_text(errno, why, sizeof(why));
        return file_error(d, path, 0, "open", why);
    }
    in->open = 1;
    in->st.files++;
#ifdef POSIX_FADV_SEQUENTIAL
    if (!in->is_stdin)
        (void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif

    /* the first bytes, enough to know a compressor (short reads of pipes) */
    while (in->end < MAGIC_LEN) {
        if ((r = read_fd(in->fd, in->buf + in->end, READ_SIZE - in->end)) < 0) {
            errno_text(errno, why, sizeof(why));
            file_close(in);
            return file_error(d, path, 0, "read", why);
        }
        if (r == 0) {
            in->eof = 1;
            break;
        }
        in->end += (size_t)r;
    }
    if (!compressed((const unsigned char *)in->buf, in->end)) {
        in->st.bytes += in->end;
        return 1;
    }

    /* compressed: hand the sniffed bytes and the rest of the fd to libarchive */
    if (in->abuf == NULL && (in->abuf = malloc(ARCHIVE_READ > READ_SIZE ? ARCHIVE_READ : READ_SIZE)) == NULL) {
        file_close(in);
        return sdx_diag_set(d, SDX_ENOMEM, "out of memory");
    }
    /* abuf holds at least READ_SIZE bytes, so the whole first read fits */
    memcpy(in->abuf, in->buf, in->end);
    in->aprefix = in->end;
    in->aerrno = 0;
    in->end = 0;
    in->eof = 0;
    if (sdx_dynlib_load(&libarchive) != 0) {
        rc = file_error(d, path, 0, "decompress", libarchive.error);
        file_close(in);
        return rc;
    }
    if ((in->ar = archive_read_new()) == NULL) {
        file_close(in);
        return sdx_diag_set(d, SDX_ENOMEM, "out of memory");
    }
    if (archive_read_support_filter_all(in->ar) < ARCHIVE_WARN ||
        archive_read_support_format_raw(in->ar) != ARCHIVE_OK ||
        archive_read_support_format_empty(in->ar) != ARCHIVE_OK ||
        archive_read_open(in->ar, in, NULL, archive_cb, NULL) != ARCHIVE_OK) {
        rc = file_error(d, path, 0, "decompress", archive_error_string(in->ar)
                                                  ? archive_error_string(in->ar) : "unknown error");
        file_close(in);
        return rc;
    }
    rc = archive_read_next_header(in->ar, &ent);
    if (rc == ARCHIVE_EOF) {
        in->eof = 1;            /* compressed empty file */
    } else if (rc < ARCHIVE_WARN) {
        rc = file_error(d, path, 0, "decompress", archive_error_string(in->ar)
                                                  ? archive_error_string(in->ar) : "unknown error");
        file_close(in);
        return rc;
    }
    return 1;
}

/* fill - read more of the current file into buf[end ..); 0 (in->eof set at
 * the end) or -1 with in->pending filled */
static int fill(struct sdx_input *in)
{
    char why[128];
    size_t room = BUF_SIZE - in->end;
    ssize_t r;

    if (room > READ_SIZE)
        room = READ_SIZE;
    if (in->ar != NULL) {
        /* block by block, not archive_read_data(): that drops what it has
         * copied when an error follows, up to a whole READ_SIZE of lines */
        while (in->blen == 0) {
            const void *blk;
            size_t size;
            la_int64_t off;
            int rc = archive_read_data_block(in->ar, &blk, &size, &off);

            if (rc == ARCHIVE_EOF) {
                in->eof = 1;
                return 0;
            }
            if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
                const char *e = archive_error_string(in->ar);

                if (in->aerrno) {
                    errno_text(in->aerrno, why, sizeof(why));
                    e = why;
                }
                file_error(&in->pending, in->source, in->lineno, "decompress", e ? e : "unknown error");
                return -1;
            }
            in->blk = blk;
            in->blen = size;
        }
        r = (ssize_t)(in->blen < room ? in->blen : room);
        memcpy(in->buf + in->end, in->blk, (size_t)r);
        in->blk += r;
        in->blen -= (size_t)r;
    } else if ((r = read_fd(in->fd, in->buf + in->end, room)) < 0) {
        errno_text(errno, why, sizeof(why));
        file_error(&in->pending, in->source, in->lineno, "read", why);
        return -1;
    }
    if (r == 0)
        in->eof = 1;
    in->end += (size_t)r;
    in->st.bytes += (unsigned long long)r;
    return 0;
}

/* take - hand out the line at buf[start], len bytes before its line end,
 * cut to SDX_INPUT_LINE_MAX; count it */
static void take(struct sdx_input *in, size_t start, size_t len, int cut, int nul,
                 struct sdx_str *line)
{
    if (len > SDX_INPUT_LINE_MAX) {
        len = SDX_INPUT_LINE_MAX;
        cut = 1;
    }
    line->p = in->buf + start;
    line->len = len;
    in->lineno++;
    in->st.lines++;
    in->st.cut += cut != 0;
    in->st.nul += nul != 0;
}

/* next_line - the next line of the current file: 1, 0 at its end (the
 * file's read error, if any, waits in in->pending) */
static int next_line(struct sdx_input *in, struct sdx_str *line)
{
    const size_t keep = SDX_INPUT_LINE_MAX + 1;   /* enough to strip a \r at the limit */
    char *nl;
    size_t len;

    for (;;) {
        /* a complete line in the buffer: the common case, no copy */
        nl = in->scan < in->end ? memchr(in->buf + in->scan, '\n', in->end - in->scan) : NULL;
        if (nl != NULL) {
            size_t e = (size_t)(nl - in->buf), start = in->pos;
            int nul;

            if (in->cutting) {
                nul = in->tailnul || memchr(in->buf, '\0', keep) != NULL ||
                      memchr(in->buf + in->scan, '\0', e - in->scan) != NULL;
                in->cutting = in->tailnul = 0;
                len = SDX_INPUT_LINE_MAX;
                in->pos = in->scan = e + 1;
                take(in, 0, len, 1, nul, line);
                return 1;
            }
            len = e - start;
            if (len > 0 && in->buf[e - 1] == '\r')
                len--;
            nul = memchr(in->buf + start, '\0', len) != NULL;
            in->pos = in->scan = e + 1;
            take(in, start, len, 0, nul, line);
            return 1;
        }

        /* no line end in the buffer: make room, keeping the partial line */
        if (in->cutting) {
            /* over-long line: keep its head, drop what was searched */
            if (!in->tailnul && in->end > in->scan &&
                memchr(in->buf + in->scan, '\0', in->end - in->scan) != NULL)
                in->tailnul = 1;
            in->end = in->scan = keep;
        } else if (in->end - in->pos > keep) {
            /* the partial line outgrew the limit: keep its head only */
            if (memchr(in->buf + in->pos + keep, '\0', in->end - in->pos - keep) != NULL)
                in->tailnul = 1;
            memmove(in->buf, in->buf + in->pos, keep);
            in->pos = 0;
            in->end = in->scan = keep;
            in->cutting = 1;
        } else {
            if (in->pos > 0) {
                memmove(in->buf, in->buf + in->pos, in->end - in->pos);
                in->end -= in->pos;
                in->pos = 0;
            }
            in->scan = in->end;
        }

        /* more bytes, or the end of the file */
        if (!in->eof && fill(in) != 0)
            in->eof = 1;        /* error pending: finish what is in the buffer */
        if (in->scan < in->end)
            continue;
        if (in->cutting) {
            int nul = in->tailnul || memchr(in->buf, '\0', keep) != NULL;

            in->cutting = in->tailnul = 0;
            in->pos = in->scan = in->end = 0;
            take(in, 0, SDX_INPUT_LINE_MAX, 1, nul, line);
            return 1;
        }
        if (in->end > in->pos) {
            /* a last line without \n (a lone \r before the end goes too) */
            size_t start = in->pos;

            len = in->end - start;
            if (in->buf[in->end - 1] == '\r')
                len--;
            in->pos = in->scan = in->end;
            take(in, start, len, 0, memchr(in->buf + start, '\0', len) != NULL, line);
            return 1;
        }
        return 0;
    }
}

int sdx_input_next(struct sdx_input *in, struct sdx_str *line, const char **source,
                   unsigned long *lineno, struct sdx_diag *d)
{
    int rc;

    for (;;) {
        if (!in->open) {
            rc = file_open(in, d);
            if (rc <= 0)
                return rc;      /* 0: no file left; < 0: this file failed */
        }
        if (next_line(in, line)) {
            if (source != NULL)
                *source = in->source;
            if (lineno != NULL)
                *lineno = in->lineno;
            return 1;
        }
        /* end of this file: its error, if any, then the next file */
        rc = in->pending.code;
        file_close(in);
        if (rc != 0) {
            in->pending.line = in->lineno;
            if (d != NULL)
                *d = in->pending;
            in->pending.code = 0;
            return rc;
        }
    }
}
