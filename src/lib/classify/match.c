/* match.c - find every knowledge-base text pattern present in a reply
 * In:  a reply text in normal form (core/norm.h: lower case, one space).
 * Out: the patterns whose fragments all occur, in order, and the provider
 *      whose marker occurs (first in KB order).
 * How: every distinct fragment of every pattern alternative and every
 *      provider marker is indexed by a hash of its first 4 bytes (kbgen
 *      enforces >= 4). One pass over the text tests each position against a
 *      64 Kibit filter (8 KiB, stays in L1), and only on a filter hit walks
 *      the bucket and compares. Each alternative is anchored at its longest
 *      fragment; an anchor hit triggers the ordered check of the whole
 *      alternative. Cost: one filter probe per text byte plus rare checks,
 *      independent of the number of patterns. An Aho-Corasick automaton
 *      would do the same work with more memory; PCRE2 alternations would
 *      try every pattern at every position (measured far slower). None of
 *      our Debian dependencies offers a multi-literal matcher.
 * Limits: hits per reply bounded by the result array; extra hits dropped. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include "match_int.h"
#include "core/norm.h"
#include "core/limits.h"

#define HBITS   16
#define HSIZE   (1u << HBITS)

struct frag {
    const char *s;
    uint32_t    len;
    uint32_t    next;           /* next fragment in the bucket, +1; 0 ends */
    uint32_t    anchors;        /* first index into anchor_list, */
    uint32_t    nanchors;       /* count */
    int32_t     provider;       /* provider whose marker this is, -1 */
};

struct anchor { uint32_t pattern, alt; };

static struct {
    struct frag   *frags;
    size_t         nfrags;
    struct anchor *anchors;
    uint32_t      *heads;       /* HSIZE bucket heads, fragment index + 1 */
    uint64_t       filter[HSIZE / 64];
    unsigned      *bare;        /* patterns without text alternatives */
    unsigned       nbare;
    int            ok;
} ix;

static once_flag ix_once = ONCE_FLAG_INIT;

static uint32_t hash4(const unsigned char *p)
{
    uint32_t w = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

    return (w * 2654435761u) >> (32 - HBITS);
}

/* frag_find - index of fragment s in the bucket chain, or -1 */
static long frag_find(const char *s, size_t len)
{
    uint32_t i = ix.heads[hash4((const unsigned char *)s)];

    for (; i; i = ix.frags[i - 1].next)
        if (ix.frags[i - 1].len == len && memcmp(ix.frags[i - 1].s, s, len) == 0)
            return (long)i - 1;
    return -1;
}

/* frag_add - intern s; returns its index or -1 when out of memory */
static long frag_add(const char *s, size_t cap)
{
    size_t len = strlen(s);
    long i;
    uint32_t h;

    if (len < 4)
        return -1;              /* kbgen rejects these; never index them */
    if ((i = frag_find(s, len)) >= 0)
        return i;
    if (ix.nfrags == cap)
        return -1;
    h = hash4((const unsigned char *)s);
    ix.frags[ix.nfrags] = (struct frag){ s, (uint32_t)len, ix.heads[h], 0, 0, -1 };
    ix.heads[h] = (uint32_t)ix.nfrags + 1;
    ix.filter[h / 64] |= 1ull << (h % 64);
    return (long)ix.nfrags++;
}

static void build(void)
{
    const struct sdx_kb *kb = sdx_kb();
    size_t p, a, cap = 0, nanch = 0, k;
    uint32_t *count;

    for (p = 0; p < kb->npatterns; p++)
        for (a = 0; a < kb->patterns[p].nalts; a++)
            cap += kb->patterns[p].alts[a].nfrags, nanch++;
    for (p = 0; p < kb->nproviders; p++)
        for (k = 0; kb->providers[p].markers[k]; k++)
            cap++;
    ix.frags = calloc(cap + 1, sizeof(*ix.frags));
    ix.heads = calloc(HSIZE, sizeof(*ix.heads));
    ix.anchors = calloc(nanch + 1, sizeof(*ix.anchors));
    ix.bare = calloc(kb->npatterns + 1, sizeof(*ix.bare));
    count = calloc(cap + 1, sizeof(*count));
    if (!ix.frags || !ix.heads || !ix.anchors || !ix.bare || !count) {
        free(count);
        return;                 /* ix.ok stays 0: classification falls back to codes */
    }
    /* intern anchors and count alternatives per anchor */
    for (p = 0; p < kb->npatterns; p++) {
        const struct sdx_kb_pattern *pt = &kb->patterns[p];

        if (pt->nalts == 0)
            ix.bare[ix.nbare++] = (unsigned)p;
        for (a = 0; a < pt->nalts; a++) {
            long f = frag_add(pt->alts[a].frags[pt->alts[a].anchor], cap);

            if (f >= 0)
                count[f]++;
        }
    }
    /* provider markers */
    for (p = 0; p < kb->nproviders; p++)
        for (k = 0; kb->providers[p].markers[k]; k++) {
            long f = frag_add(kb->providers[p].markers[k], cap);

            if (f >= 0 && ix.frags[f].provider < 0)
                ix.frags[f].provider = (int32_t)p;
        }
    /* lay out anchor lists */
    for (k = 0, a = 0; k < ix.nfrags; k++) {
        ix.frags[k].anchors = (uint32_t)a;
        a += count[k];
    }
    for (p = 0; p < kb->npatterns; p++)
        for (a = 0; a < kb->patterns[p].nalts; a++) {
            const struct sdx_kb_alt *al = &kb->patterns[p].alts[a];
            long f = frag_find(al->frags[al->anchor], strlen(al->frags[al->anchor]));

            if (f >= 0) {
                struct frag *fr = &ix.frags[f];

                ix.anchors[fr->anchors + fr->nanchors++] = (struct anchor){ (uint32_t)p, (uint32_t)a };
            }
        }
    free(count);
    ix.ok = 1;
}

const unsigned *sdx__match_bare(unsigned *n)
{
    call_once(&ix_once, build);
    *n = ix.ok ? ix.nbare : 0;
    return ix.bare;
}

/* add_hit - remember pattern p (best matched length per pattern), bounded */
static void add_hit(struct sdx__match_res *res, unsigned p, size_t matched)
{
    unsigned i;

    for (i = 0; i < res->nhits; i++)
        if (res->hits[i].pattern == p) {
            if (matched > res->hits[i].matched)
                res->hits[i].matched = matched;
            return;
        }
    if (res->nhits < sizeof(res->hits) / sizeof(res->hits[0]))
        res->hits[res->nhits++] = (struct sdx__match_hit){ p, matched };
}

void sdx__match(const char *t, size_t n, struct sdx__match_res *res)
{
    const struct sdx_kb *kb = sdx_kb();
    const unsigned char *u = (const unsigned char *)t;
    uint32_t seen[SDX_CLASSIFY_HITS_MAX];
    unsigned nseen = 0, j;
    size_t i;

    call_once(&ix_once, build);
    res->nhits = 0;
    res->provider = -1;
    if (!ix.ok || n < 4)
        return;
    for (i = 0; i + 4 <= n; i++) {
        uint32_t h = hash4(u + i), f;

        if (!(ix.filter[h / 64] & (1ull << (h % 64))))
            continue;
        for (f = ix.heads[h]; f; f = ix.frags[f - 1].next) {
            const struct frag *fr = &ix.frags[f - 1];

            if (fr->len > n - i || memcmp(t + i, fr->s, fr->len) != 0)
                continue;
            /* each fragment is handled once per text */
            for (j = 0; j < nseen && seen[j] != f; j++)
                ;
            if (j < nseen)
                continue;
            if (nseen == SDX_CLASSIFY_HITS_MAX)
                return;
            seen[nseen++] = f;
            if (fr->provider >= 0 && res->provider < 0)
                res->provider = fr->provider;
            for (j = 0; j < fr->nanchors; j++) {
                const struct anchor *an = &ix.anchors[fr->anchors + j];
                const struct sdx_kb_alt *al = &kb->patterns[an->pattern].alts[an->alt];
                size_t m = al->nfrags == 1 ? fr->len : sdx__find_seq(t, n, al->frags, al->nfrags);

                if (m)
                    add_hit(res, an->pattern, m);
            }
        }
    }
}
