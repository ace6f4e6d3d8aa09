/* fuzz_syslog.c - libFuzzer target for sdx_syslog_parse() and sdx_time_format()
 * In:  any bytes: parsed whole, then split at '\n' and parsed line by line
 *      through one context (so the RFC 3164 year moves as in a real file).
 *      The context's year, reference month and zone come from the input size.
 * Out: nothing; aborts when an invariant breaks: an unexpected return, a
 *      field outside the input, the scratch buffer or the "exim" literal, a
 *      NULL field, when_us outside 1970..9999, a pid beyond 32 bits, a
 *      framing out of range, a failed line not handed back whole, counters
 *      off, the year out of range, or a formatted time that is not RFC 3339.
 * Seeds: fuzz/corpus/syslog/. The input is copied to a block of exactly its
 * size, so ASan sees any read past n. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/syslog.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

/* 10000-01-01T00:00:00Z in microseconds */
#define WHEN_END (INT64_C(253402300800) * 1000000)

/* inside - f lies in [p, p + n) (empty fields anywhere, but not NULL) */
static int inside(struct sdx_str f, const char *p, size_t n)
{
    return f.p >= p && f.len <= n && (size_t)(f.p - p) <= n - f.len;
}

static void check_str(struct sdx_str f, const struct sdx_syslog *s, const char *p, size_t n)
{
    if (f.p == NULL)
        abort();
    if (f.len && !inside(f, p, n) && !inside(f, s->scratch.data, s->scratch.len))
        abort();
}

static void verify(const struct sdx_syslog *s, const char *p, size_t n, int err,
                   const struct sdx_logline *o)
{
    char t[32];
    size_t k;

    if (err != 0 && err != SDX_EPARSE && err != SDX_ENOMEM)
        abort();
    if ((unsigned)o->framing > SDX_FRAME_EXIM || (err != 0) != (o->framing == SDX_FRAME_UNKNOWN))
        abort();
    if (err == SDX_EPARSE && (o->msg.p != p || o->msg.len != n) && n != 0)
        abort();
    check_str(o->host, s, p, n);
    check_str(o->msg, s, p, n);
    if (o->framing == SDX_FRAME_EXIM) {
        if (!sdx_str_eq(o->program, "exim"))
            abort();
    } else {
        check_str(o->program, s, p, n);
    }
    /* JSON fields come from the scratch or the line; the others from the line */
    if (o->framing != SDX_FRAME_JOURNAL_JSON && o->framing != SDX_FRAME_EXIM &&
        ((o->host.len && !inside(o->host, p, n)) || (o->program.len && !inside(o->program, p, n))))
        abort();
    if (o->when_us < 0 || o->when_us >= WHEN_END || o->pid > 4294967295UL ||
        (o->tz_known != 0 && o->tz_known != 1))
        abort();
    if (s->year < 1970 || s->year > 9999 || s->last_month < 0 || s->last_month > 12 ||
        s->unparsed > s->lines || s->scratch.data[s->scratch.len] != '\0')
        abort();
    sdx_time_format(o->when_us, t, sizeof(t));
    k = strlen(t);
    if (o->when_us == 0 ? k != 0 : ((k != 20 && k != 27) || t[k - 1] != 'Z' || t[10] != 'T'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    struct sdx_syslog s;
    struct sdx_logline o;
    unsigned long lines = 0;
    char *p = malloc(n ? n : 1);
    size_t i, start;
    int err;

    if (p == NULL)
        return 0;
    if (n)
        memcpy(p, d, n);
    sdx_syslog_init(&s, 2026, ((long)(n % 7) - 3) * 3600);
    s.ref_month = (int)(n % 13);

    /* the whole input as one line */
    err = sdx_syslog_parse(&s, p, n, &o);
    verify(&s, p, n, err, &o);
    lines++;

    /* line by line, one context, as a log file is read */
    for (start = 0, i = 0; i <= n; i++) {
        if (i < n && p[i] != '\n')
            continue;
        err = sdx_syslog_parse(&s, p + start, i - start, &o);
        verify(&s, p + start, i - start, err, &o);
        lines++;
        start = i + 1;
    }
    if (s.lines != lines)
        abort();
    sdx_syslog_release(&s);
    free(p);
    return 0;
}
