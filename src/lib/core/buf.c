/* buf.c - struct sdx_buf, the owning buffer, and struct sdx_str helpers
 * Growth doubles up to the ceiling given at init; data is always
 * NUL-terminated; on SDX_ETOOBIG what fits is kept (see buf.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/buf.h"

static char empty[1];   /* data of a buffer that never grew; never written */

void sdx_buf_init(struct sdx_buf *b, size_t max)
{
    b->data = empty;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void sdx_buf_release(struct sdx_buf *b)
{
    if (b->cap)
        free(b->data);
    b->data = empty;
    b->len = b->cap = 0;
}

void sdx_buf_reset(struct sdx_buf *b)
{
    b->len = 0;
    if (b->cap)
        b->data[0] = '\0';
}

/* grow - make room for len + n + 1 bytes; 0 or SDX_ENOMEM */
static int grow(struct sdx_buf *b, size_t n)
{
    size_t need = b->len + n + 1, cap = b->cap ? b->cap : 64;
    char *p;

    if (need <= b->cap)
        return 0;
    while (cap < need)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    p = b->cap ? realloc(b->data, cap) : malloc(cap);
    if (p == NULL)
        return SDX_ENOMEM;
    if (!b->cap)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return 0;
}

int sdx_buf_add(struct sdx_buf *b, const void *p, size_t n)
{
    int err = 0;

    if (n > b->max - b->len) {
        n = b->max - b->len;
        err = SDX_ETOOBIG;
    }
    if (n == 0)
        return err;
    if (grow(b, n))
        return SDX_ENOMEM;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return err;
}

int sdx_buf_adds(struct sdx_buf *b, const char *s)
{
    return sdx_buf_add(b, s, strlen(s));
}

int sdx_buf_addc(struct sdx_buf *b, int c)
{
    char ch = (char)c;

    return sdx_buf_add(b, &ch, 1);
}

int sdx_buf_vaddf(struct sdx_buf *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list aq;
    int n;

    va_copy(aq, ap);
    n = vsnprintf(small, sizeof(small), fmt, aq);
    va_end(aq);
    if (n < 0)
        return SDX_EINVAL;
    if ((size_t)n < sizeof(small))
        return sdx_buf_add(b, small, (size_t)n);
    {
        char *big = malloc((size_t)n + 1);
        int err;

        if (big == NULL)
            return SDX_ENOMEM;
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        err = sdx_buf_add(b, big, (size_t)n);
        free(big);
        return err;
    }
}

int sdx_buf_addf(struct sdx_buf *b, const char *fmt, ...)
{
    va_list ap;
    int err;

    va_start(ap, fmt);
    err = sdx_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return err;
}

char *sdx_buf_detach(struct sdx_buf *b, size_t *len)
{
    char *p;

    if (len)
        *len = b->len;
    if (b->cap == 0) {
        p = malloc(1);
        if (p)
            p[0] = '\0';
        return p;
    }
    p = b->data;
    b->data = empty;
    b->len = b->cap = 0;
    return p;
}

struct sdx_str sdx_str_from(const char *s)
{
    struct sdx_str r = { s, s ? strlen(s) : 0 };

    return r;
}

int sdx_str_eq(struct sdx_str a, const char *s)
{
    size_t n = strlen(s);

    return a.len == n && (n == 0 || memcmp(a.p, s, n) == 0);
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

int sdx_str_ieq(struct sdx_str a, const char *s)
{
    size_t i, n = strlen(s);

    if (a.len != n)
        return 0;
    for (i = 0; i < n; i++)
        if (lower((unsigned char)a.p[i]) != lower((unsigned char)s[i]))
            return 0;
    return 1;
}

struct sdx_str sdx_str_trim(struct sdx_str s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' || s.p[0] == '\n'))
        s.p++, s.len--;
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' ||
                     s.p[s.len - 1] == '\r' || s.p[s.len - 1] == '\n'))
        s.len--;
    return s;
}

const char *sdx_str_ifind(struct sdx_str hay, const char *needle, size_t nlen)
{
    size_t i, j;

    if (nlen == 0)
        return hay.p;
    if (hay.len < nlen)
        return NULL;
    for (i = 0; i + nlen <= hay.len; i++) {
        for (j = 0; j < nlen; j++)
            if (lower((unsigned char)hay.p[i + j]) != lower((unsigned char)needle[j]))
                break;
        if (j == nlen)
            return hay.p + i;
    }
    return NULL;
}
