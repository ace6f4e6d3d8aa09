/* dsn.c - RFC 3464 field blocks, mbox separators, addresses in text
 * In:  bytes (untrusted, not NUL-terminated).
 * Out: callbacks per unfolded field (sdx_dsn_fields), message spans
 *      (sdx_mbox_next), address spans (bounce_find_addr).
 * No allocation; every loop advances; fields longer than FIELD_MAX are
 * cut (the rest of the line is skipped, not carried into the next field).
 * RFC 3464 §2: the delivery-status body is one block of per-message fields
 * and one block per recipient, separated by empty lines; fields fold as in
 * RFC 5322 §2.2.3. Real DSNs miss the empty lines, pad them with spaces or
 * use CR LF: all of that is read. */
#include <string.h>
#include "smtpdx/bounce.h"
#include "bounce_int.h"

#define FIELD_MAX (64u << 10)

/* blank - the line p[0..n) holds only white space */
static int blank(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    return 1;
}

size_t sdx_dsn_fields(const char *p, size_t n, sdx_dsn_field_fn *fn, void *arg)
{
    char val[1024];
    const char *name = NULL;
    size_t nlen = 0, vlen = 0, i = 0, count = 0;
    unsigned block = 0;
    int pending = 0, seen = 0;

    /* values longer than val[] are cut: no DSN field needs more than a
     * reply's worth (the reply parser keeps SDX_REPLY_TEXT_MAX) */
    while (i < n) {
        size_t s = i, e, c, len;

        while (i < n && p[i] != '\n')
            i++;
        e = i;
        if (i < n)
            i++;
        len = e - s;
        if (len > FIELD_MAX)
            len = FIELD_MAX;
        if (len && p[s + len - 1] == '\r')
            len--;
        if (blank(p + s, len)) {
            if (pending) {
                fn(arg, block, name, nlen, val, vlen);
                count++;
                pending = 0;
            }
            if (seen)
                block++;
            seen = 0;
            continue;
        }
        if ((p[s] == ' ' || p[s] == '\t') && pending) {       /* folded */
            size_t k = 0;

            while (k < len && (p[s + k] == ' ' || p[s + k] == '\t'))
                k++;
            if (vlen < sizeof(val) - 1)
                val[vlen++] = ' ';
            while (k < len && vlen < sizeof(val) - 1)
                val[vlen++] = p[s + k++];
            continue;
        }
        if (pending) {
            fn(arg, block, name, nlen, val, vlen);
            count++;
            pending = 0;
        }
        for (c = 0; c < len && p[s + c] != ':' && p[s + c] != ' ' && p[s + c] != '\t'; c++)
            ;
        if (c == 0 || c >= len || p[s + c] != ':')
            continue;                               /* not a field: skipped */
        name = p + s;
        nlen = c;
        c++;
        while (c < len && (p[s + c] == ' ' || p[s + c] == '\t'))
            c++;
        vlen = 0;
        while (c < len && vlen < sizeof(val) - 1)
            val[vlen++] = p[s + c++];
        pending = 1;
        seen = 1;
    }
    if (pending) {
        fn(arg, block, name, nlen, val, vlen);
        count++;
    }
    return count;
}

/* envelope - "From SENDER DATE" at p: a separator line, told from a body
 * line that starts with "From " by the time in its date (hh:mm) */
static int envelope(const char *p, size_t n)
{
    size_t i;

    if (n < 5 || memcmp(p, "From ", 5) != 0)
        return 0;
    for (i = 5; i + 2 < n && p[i] != '\n'; i++)
        if (p[i] == ':' && p[i - 1] >= '0' && p[i - 1] <= '9' && p[i + 1] >= '0' && p[i + 1] <= '9')
            return 1;
    return 0;
}

int sdx_mbox_next(const char *p, size_t n, size_t *off, const char **msg, size_t *len)
{
    size_t i = *off, s, k;

    if (i >= n)
        return 0;
    if (n - i >= 5 && memcmp(p + i, "From ", 5) == 0) {        /* the separator line */
        while (i < n && p[i] != '\n')
            i++;
        if (i < n)
            i++;
    }
    s = i;
    for (k = s; k < n; k++) {
        if (p[k] != '\n')
            continue;
        /* "\n\nFrom " or "\n\r\nFrom ": an empty line, then a separator;
         * or a separator with a date right after a line (files glued
         * together without the empty line) */
        if (n - (k + 1) >= 5 && memcmp(p + k + 1, "From ", 5) == 0 && k > s &&
            (p[k - 1] == '\n' || (p[k - 1] == '\r' && k - 1 > s && p[k - 2] == '\n') ||
             envelope(p + k + 1, n - (k + 1)))) {
            *msg = p + s;
            *len = k + 1 - s;
            *off = k + 1;
            return 1;
        }
    }
    *msg = p + s;
    *len = n - s;
    *off = n;
    return *len > 0;
}

int bounce_is_addr_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-' || c == '+' || c == '=' || c == '%' || c == '/' ||
           c == '!' || c == '#' || c == '$' || c == '&' || c == '\'' || c == '*' || c == '?' ||
           c == '^' || c == '`' || c == '{' || c == '|' || c == '}' || c == '~' || c >= 0x80;
}

static int dom_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '[' || c == ']' || c == ':' || c >= 0x80;
}

int bounce_find_addr(const char *p, size_t n, size_t *off, size_t *as, size_t *alen)
{
    size_t i;

    for (i = *off; i < n; i++) {
        size_t s, e, dots = 0, k;

        if (p[i] != '@')
            continue;
        s = i;
        while (s > *off && bounce_is_addr_char((unsigned char)p[s - 1]) && i - s < 64)
            s--;
        while (s < i && (p[s] == '.' || p[s] == '\''))
            s++;
        e = i + 1;
        while (e < n && dom_char((unsigned char)p[e]) && e - i < 255)
            e++;
        while (e > i + 1 && (p[e - 1] == '.' || p[e - 1] == '-' || p[e - 1] == ':' || p[e - 1] == ']'))
            e--;
        for (k = i + 1; k < e; k++)
            dots += p[k] == '.';
        if (s == i || e == i + 1 || (dots == 0 && p[i + 1] != '[')) {
            *off = i + 1;
            continue;
        }
        *as = s;
        *alen = e - s;
        *off = e;
        return 1;
    }
    *off = n;
    return 0;
}
