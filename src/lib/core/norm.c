/* norm.c - normalise text for pattern matching (see norm.h) */
#define _GNU_SOURCE 1      /* memmem(3) */
#include <string.h>
#include "norm.h"

/* fold[c]: the lower-case byte, or 0 for the bytes that count as space */
static const unsigned char *fold_table(void)
{
    static unsigned char t[256];
    static int ready;           /* benign race: every writer writes the same bytes */
    int c;

    if (!ready) {
        for (c = 0; c < 256; c++)
            t[c] = (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        t[' '] = t['\t'] = t['\r'] = t['\n'] = t['\v'] = t['\f'] = t[0] = 0;
        ready = 1;
    }
    return t;
}

size_t sdx__norm(char *dst, size_t cap, const char *src, size_t n)
{
    const unsigned char *fold = fold_table(), *s = (const unsigned char *)src;
    size_t i = 0, o = 0;

    if (cap == 0)
        return 0;
    if (n > cap - 1)
        n = cap - 1;            /* output never exceeds input: bound once */
    while (i < n && fold[s[i]] == 0)
        i++;
    while (i < n) {
        unsigned char c = fold[s[i++]];

        if (c) {
            dst[o++] = (char)c;
            continue;
        }
        while (i < n && fold[s[i]] == 0)
            i++;
        if (i < n)
            dst[o++] = ' ';
    }
    dst[o] = '\0';
    return o;
}

size_t sdx__find_seq(const char *hay, size_t n, const char *const *frags,
                     const unsigned short *lens, unsigned nfrags)
{
    size_t at = 0, got = 0;
    unsigned i;

    for (i = 0; i < nfrags; i++) {
        size_t fl = lens ? lens[i] : strlen(frags[i]);
        const char *p = at <= n ? memmem(hay + at, n - at, frags[i], fl) : NULL;

        if (p == NULL)
            return 0;
        at = (size_t)(p - hay) + fl;
        got += fl;
    }
    return got;
}
