/* scan.h - what the log readers (postfix.c, exim.c, opensmtpd.c) use to pick
 * fields out of one line: bounded, never past [p, end), NULL-safe.
 * Internal; the macros take string literals, whose length is known at
 * compile time (these run for every line of a large log). */
#ifndef SDX_LOG_SCAN_H
#define SDX_LOG_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "smtpdx/buf.h"

#define starts(s, lit) starts_n((s), (lit), sizeof(lit) - 1)
#define find(p, end, lit) find_n((p), (end), (lit), sizeof(lit) - 1)
#define value(p, end, key, c) value_n((p), (end), (key), sizeof(key) - 1, (c))
/* is - a string equal to a literal */
#define is(s, lit) ((s).len == sizeof(lit) - 1 && memcmp((s).p, (lit), sizeof(lit) - 1) == 0)
#define S(s) sdx_str_from(s)

static inline int starts_n(struct sdx_str s, const char *lit, size_t n)
{
    return s.len >= n && memcmp(s.p, lit, n) == 0;
}

/* find_n - lit[0..n) in [p, end). Log lines are short and the needles are
 * literals: memchr on the first byte and a memcmp beat memmem's set-up,
 * which showed as 12% of a whole run in perf (docs/BENCHMARKS.md). */
static inline const char *find_n(const char *p, const char *end, const char *lit, size_t n)
{
    const char *last;

    if (p == NULL || n == 0 || end - p < (ptrdiff_t)n)
        return NULL;
    last = end - n;
    while (p <= last) {
        const char *q = memchr(p, lit[0], (size_t)(last - p) + 1);

        if (q == NULL)
            return NULL;
        if (memcmp(q + 1, lit + 1, n - 1) == 0)
            return q;
        p = q + 1;
    }
    return NULL;
}

/* value_n - what follows key in [p, end), up to c or the end; {NULL, 0} if no key */
static inline struct sdx_str value_n(const char *p, const char *end, const char *key, size_t kl, char c)
{
    const char *k = find_n(p, end, key, kl), *e;
    struct sdx_str v = { NULL, 0 };

    if (k == NULL)
        return v;
    k += kl;
    if ((e = memchr(k, c, (size_t)(end - k))) == NULL)
        e = end;
    v.p = k, v.len = (size_t)(e - k);
    return v;
}

/* copy - bounded, NUL-terminated copy of [p, end) ("" for none) */
static inline void copy(char *dst, size_t cap, const char *p, const char *end)
{
    size_t n = p && end > p ? (size_t)(end - p) : 0;

    if (n > cap - 1)
        n = cap - 1;
    if (n)
        memcpy(dst, p, n);
    dst[n] = '\0';
}

static inline void copy_str(char *dst, size_t cap, struct sdx_str v)
{
    copy(dst, cap, v.p, v.p ? v.p + v.len : NULL);
}

/* id_prefix - the ID of "ID: ..." at the start of m, the ID a run of min
 * to max ASCII letters and digits (a Postfix or Sendmail queue id), or an
 * empty str. This runs for every Postfix line. */
static inline struct sdx_str id_prefix(struct sdx_str m, size_t min, size_t max)
{
    struct sdx_str q = { m.p, 0 };

    while (q.len < m.len && q.len < max &&
           ((m.p[q.len] >= '0' && m.p[q.len] <= '9') || (m.p[q.len] >= 'A' && m.p[q.len] <= 'Z') ||
            (m.p[q.len] >= 'a' && m.p[q.len] <= 'z')))
        q.len++;
    if (q.len < min || q.len + 2 > m.len || m.p[q.len] != ':' || m.p[q.len + 1] != ' ')
        q.len = 0;
    return q;
}

/* seconds_ms - "12", "0.04", "1.5" (Postfix's delay=) in milliseconds; -1 if
 * not a number */
static inline int64_t seconds_ms(struct sdx_str v)
{
    int64_t ms = 0, scale = 1000;
    size_t i = 0;
    int digits = 0;

    while (i < v.len && v.p[i] >= '0' && v.p[i] <= '9' && digits < 12)
        ms = ms * 10 + (v.p[i++] - '0'), digits++;
    if (digits == 0)
        return -1;
    ms *= 1000;
    if (i < v.len && v.p[i] == '.')
        for (i++; i < v.len && v.p[i] >= '0' && v.p[i] <= '9'; i++)
            if ((scale /= 10) > 0)
                ms += (v.p[i] - '0') * scale;
    return i == v.len ? ms : -1;
}

/* clock_ms - "[D+]HH:MM:SS" (Sendmail's delay=) in milliseconds; -1 if not */
static inline int64_t clock_ms(struct sdx_str v)
{
    int64_t f[4] = { 0, 0, 0, 0 }, days = 0;
    size_t i = 0, k = 0;
    int digits = 0;

    for (; i < v.len && k < 3; i++) {
        char c = v.p[i];

        if (c >= '0' && c <= '9' && digits < 9) {
            f[k] = f[k] * 10 + (c - '0'), digits++;
        } else if (c == '+' && k == 0 && days == 0 && digits) {
            days = f[0], f[0] = 0, digits = 0;
        } else if (c == ':' && digits) {
            k++, digits = 0;
        } else {
            return -1;
        }
    }
    if (k != 2 || digits == 0 || i != v.len)
        return -1;
    return (((days * 24 + f[0]) * 60 + f[1]) * 60 + f[2]) * 1000;
}

#endif
