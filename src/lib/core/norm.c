/* norm.c - normalise text for pattern matching (see norm.h) */
#define _GNU_SOURCE 1      /* memmem(3) */
#include <stdint.h>
#include <string.h>
#include "norm.h"

/* fold[c]: the lower-case byte, or 0 for the bytes that count as space.
 * Built by the compiler: no lazy initialisation, so no race between the
 * first callers on different threads. */
#define FOLD(c) ((unsigned char)((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n' || \
                 (c) == '\v' || (c) == '\f' || (c) == 0 ? 0 : ((c) >= 'A' && (c) <= 'Z') ? (c) + 32 : (c)))
#define F4(c)   FOLD(c), FOLD((c) + 1), FOLD((c) + 2), FOLD((c) + 3)
#define F16(c)  F4(c), F4((c) + 4), F4((c) + 8), F4((c) + 12)
#define F64(c)  F16(c), F16((c) + 16), F16((c) + 32), F16((c) + 48)
static const unsigned char fold[256] = { F64(0), F64(64), F64(128), F64(192) };

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* lower8 - ASCII upper case to lower case in all 8 bytes at once (SWAR):
 * a byte gets 0x20 added when its 7 low bits lie in 'A'..'Z' and its high
 * bit is clear; the additions cannot carry into the next byte */
static uint64_t lower8(uint64_t w)
{
    uint64_t h = w & ~HIGHS;
    uint64_t ge_a = h + ONES * (0x80 - 'A');
    uint64_t gt_z = h + ONES * (0x7f - 'Z');
    uint64_t upper = (ge_a ^ gt_z) & ~w & HIGHS;

    return w | (upper >> 2);
}

/* plain8 - can these 8 bytes be copied lower-cased as they are? No byte
 * below 0x20 (tabs, line ends, NUL), and no two spaces side by side. The
 * tests may say no for a few plain words (then the byte loop does them),
 * never yes for a word that needs the loop. */
static int plain8(uint64_t w)
{
    uint64_t ctl = (w - ONES * 0x20) & ~w & HIGHS;          /* some byte < 0x20 */
    uint64_t sp = w ^ (ONES * 0x20), spz = (sp - ONES) & ~sp & HIGHS;  /* spaces */

    return ctl == 0 && (spz & (spz >> 8)) == 0;
}

size_t sdx__norm(char *dst, size_t cap, const char *src, size_t n)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, o = 0;

    if (cap == 0)
        return 0;
    if (n > cap - 1)
        n = cap - 1;            /* output never exceeds input: bound once */
    while (i < n && fold[s[i]] == 0)
        i++;
    while (i < n) {
        unsigned char c;

        /* fast path: 8 ordinary bytes, not starting a second space */
        if (i + 8 <= n) {
            uint64_t w;

            memcpy(&w, s + i, 8);
            if (plain8(w) && !((w & 0xff) == ' ' && o > 0 && dst[o - 1] == ' ')) {
                w = lower8(w);
                memcpy(dst + o, &w, 8);
                i += 8, o += 8;
                continue;
            }
        }
        c = fold[s[i++]];
        if (c) {
            dst[o++] = (char)c;
            continue;
        }
        while (i < n && fold[s[i]] == 0)
            i++;
        if (i < n && !(o > 0 && dst[o - 1] == ' '))
            dst[o++] = ' ';
    }
    while (o > 0 && dst[o - 1] == ' ')
        o--;                    /* a space copied by the fast path at the very end */
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
