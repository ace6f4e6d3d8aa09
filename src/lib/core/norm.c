/* norm.c - normalise text for pattern matching (see norm.h) */
#define _GNU_SOURCE 1      /* memmem(3) */
#include <string.h>
#include "norm.h"

size_t sdx__norm(char *dst, size_t cap, const char *src, size_t n)
{
    size_t i, o = 0;
    int space = 0;

    if (cap == 0)
        return 0;
    for (i = 0; i < n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)src[i];

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' || c == 0) {
            space = 1;
            continue;
        }
        if (space && o > 0) {
            dst[o++] = ' ';
            if (o + 1 >= cap)
                break;
        }
        space = 0;
        dst[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    dst[o] = '\0';
    return o;
}

size_t sdx__find_seq(const char *hay, size_t n, const char *const *frags, unsigned nfrags)
{
    size_t at = 0, got = 0;
    unsigned i;

    for (i = 0; i < nfrags; i++) {
        size_t fl = strlen(frags[i]);
        const char *p = at <= n ? memmem(hay + at, n - at, frags[i], fl) : NULL;

        if (p == NULL)
            return 0;
        at = (size_t)(p - hay) + fl;
        got += fl;
    }
    return got;
}
