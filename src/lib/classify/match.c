/* match.c - find every knowledge-base text pattern present in a reply
 * In:  a reply text in normal form (core/norm.h: lower case, one space).
 * Out: the patterns whose fragments all occur, in order, and the provider
 *      whose marker occurs first in the text.
 * How: every distinct fragment of every pattern alternative and every
 *      provider marker is indexed by a hash of its first 8 bytes (or 4 for
 *      fragments shorter than 8; kbgen enforces >= 4). One pass over the
 *      text tests each position against two 64 Kibit filters (8 KiB each,
 *      they stay in L1), and only on a filter hit walks the bucket and
 *      compares. Each alternative is anchored at its longest
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
#include <stdatomic.h>
#include <threads.h>
#include "match_int.h"
#include "core/norm.h"
#include "core/limits.h"

#define HBITS   16
#define HSIZE   (1u << HBITS)

struct frag {
    const char *s;
    uint64_t    key;            /* first 4 or 8 bytes, as loaded from the text */
    uint32_t    len;
    uint32_t    next;           /* next fragment in the bucket, +1; 0 ends */
    uint32_t    anchors;        /* first index into anchor_list, */
    uint32_t    nanchors;       /* count */
    int32_t     provider;       /* provider whose marker this is, -1 */
};

struct anchor { uint32_t pattern, alt; };

/* Two tables: fragments of 8 bytes or more are keyed by their first 8
 * bytes, shorter ones by their first 4. Keying long fragments on 8 bytes
 * keeps common words ("recipient", "mailbox") from sending every
 * occurrence down a long chain: most probes stop at the filter. */
struct table {
    uint32_t   *heads;          /* HSIZE bucket heads, fragment index + 1 */
    uint64_t    filter[HSIZE / 64];
};

static struct {
    struct frag   *frags;
    size_t         nfrags;
    struct anchor *anchors;
    struct table   t4, t8;
    unsigned char  starts[256]; /* bytes that begin some fragment */
    unsigned      *bare;        /* patterns without text alternatives */
    unsigned       nbare;
    int            ok;
} ix;

static once_flag ix_once = ONCE_FLAG_INIT;
static atomic_int ix_ready;     /* set after build(): the hot path skips call_once */

static void build(void);

/* ensure_index - build the index once, cheaply on every later call */
static void ensure_index(void)
{
    if (!atomic_load_explicit(&ix_ready, memory_order_acquire)) {
        call_once(&ix_once, build);
        atomic_store_explicit(&ix_ready, 1, memory_order_release);
    }
}

static uint32_t hash4(const unsigned char *p)
{
    uint32_t w;

    memcpy(&w, p, 4);
    return (w * 2654435761u) >> (32 - HBITS);
}

static uint32_t hash8(const unsigned char *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
    return (uint32_t)((w * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - HBITS));
}

static uint64_t load_key(const char *s, size_t len)
{
    uint64_t k = 0;

    memcpy(&k, s, len >= 8 ? 8 : 4);
    return k;
}

/* frag_find - index of fragment s in its table, or -1 */
static long frag_find(const char *s, size_t len)
{
    const struct table *t = len >= 8 ? &ix.t8 : &ix.t4;
    uint32_t i = t->heads[len >= 8 ? hash8((const unsigned char *)s) : hash4((const unsigned char *)s)];

    for (; i; i = ix.frags[i - 1].next)
        if (ix.frags[i - 1].len == len && memcmp(ix.frags[i - 1].s, s, len) == 0)
            return (long)i - 1;
    return -1;
}

/* frag_add - intern s; returns its index or -1 when out of memory */
static long frag_add(const char *s, size_t cap)
{
    size_t len = strlen(s);
    struct table *t = len >= 8 ? &ix.t8 : &ix.t4;
    long i;
    uint32_t h;

    if (len < 4)
        return -1;              /* kbgen rejects these; never index them */
    if ((i = frag_find(s, len)) >= 0)
        return i;
    if (ix.nfrags == cap)
        return -1;
    h = len >= 8 ? hash8((const unsigned char *)s) : hash4((const unsigned char *)s);
    ix.frags[ix.nfrags] = (struct frag){ s, load_key(s, len), (uint32_t)len, t->heads[h], 0, 0, -1 };
    t->heads[h] = (uint32_t)ix.nfrags + 1;
    ix.starts[(unsigned char)s[0]] = 1;
    t->filter[h / 64] |= UINT64_C(1) << (h % 64);
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
    ix.t4.heads = calloc(HSIZE, sizeof(*ix.t4.heads));
    ix.t8.heads = calloc(HSIZE, sizeof(*ix.t8.heads));
    ix.anchors = calloc(nanch + 1, sizeof(*ix.anchors));
    ix.bare = calloc(kb->npatterns + 1, sizeof(*ix.bare));
    count = calloc(cap + 1, sizeof(*count));
    if (!ix.frags || !ix.t4.heads || !ix.t8.heads || !ix.anchors || !ix.bare || !count) {
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
            long f = frag_find(al->frags[al->anchor], al->lens[al->anchor]);

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
    ensure_index();
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

/* tail_eq - the rest of a fragment after its key; most rests are short */
static int tail_eq(const char *a, const char *b, size_t n)
{
    size_t k;

    if (n > 8)
        return memcmp(a, b, n) == 0;
    for (k = 0; k < n; k++)
        if (a[k] != b[k])
            return 0;
    return 1;
}

/* alnum[c] - c is an ASCII letter or digit (the text is already lower case) */
static const unsigned char alnum[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1,
    ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

/* next_start - the next position after i where a fragment may start:
 * fragments start at a word, never inside a run of letters and digits
 * ("unknown" is not looked for in the middle of "userunknown"), and never
 * at a space (kbgen trims them) */
static size_t next_start(const unsigned char *u, size_t n, size_t i)
{
    if (alnum[u[i]])
        while (++i < n && alnum[u[i]])
            ;
    else
        i++;
    /* and only at a byte that begins some fragment (spaces never do) */
    while (i < n && !ix.starts[u[i]])
        i++;
    return i;
}

/* hit - fragment f occurs at t + i: run its anchored alternatives once */
static int hit(const char *t, size_t n, uint32_t f, uint32_t *seen, unsigned *nseen,
               struct sdx__match_res *res)
{
    const struct sdx_kb *kb = sdx_kb();
    const struct frag *fr = &ix.frags[f - 1];
    unsigned j;

    for (j = 0; j < *nseen && seen[j] != f; j++)
        ;
    if (j < *nseen)
        return 0;               /* each fragment is handled once per text */
    if (*nseen == SDX_CLASSIFY_HITS_MAX)
        return -1;
    seen[(*nseen)++] = f;
    if (fr->provider >= 0 && res->provider < 0)
        res->provider = fr->provider;
    for (j = 0; j < fr->nanchors; j++) {
        const struct anchor *an = &ix.anchors[fr->anchors + j];
        const struct sdx_kb_alt *al = &kb->patterns[an->pattern].alts[an->alt];
        size_t m = al->nfrags == 1 ? fr->len : sdx__find_seq(t, n, al->frags, al->lens, al->nfrags);

        if (m)
            add_hit(res, an->pattern, m);
    }
    return 0;
}

void sdx__match(const char *t, size_t n, struct sdx__match_res *res)
{
    const unsigned char *u = (const unsigned char *)t;
    uint32_t seen[SDX_CLASSIFY_HITS_MAX];
    unsigned nseen = 0;
    size_t i;

    ensure_index();
    res->nhits = 0;
    res->provider = -1;
    if (!ix.ok || n < 4)
        return;
    for (i = ix.starts[u[0]] ? 0 : next_start(u, n, 0); i + 4 <= n; i = next_start(u, n, i)) {
        uint32_t h, f;
        uint64_t w;

        h = hash4(u + i);

        if (ix.t4.filter[h / 64] & (UINT64_C(1) << (h % 64))) {
            w = load_key(t + i, 4);
            for (f = ix.t4.heads[h]; f; f = ix.frags[f - 1].next) {
                const struct frag *fr = &ix.frags[f - 1];

                if (fr->key == w && fr->len <= n - i && tail_eq(t + i + 4, fr->s + 4, fr->len - 4) &&
                    hit(t, n, f, seen, &nseen, res) < 0)
                    return;
            }
        }
        if (i + 8 > n)
            continue;
        h = hash8(u + i);
        if (!(ix.t8.filter[h / 64] & (UINT64_C(1) << (h % 64))))
            continue;
        w = load_key(t + i, 8);
        for (f = ix.t8.heads[h]; f; f = ix.frags[f - 1].next) {
            const struct frag *fr = &ix.frags[f - 1];

            if (fr->key == w && fr->len <= n - i && tail_eq(t + i + 8, fr->s + 8, fr->len - 8) &&
                hit(t, n, f, seen, &nseen, res) < 0)
                return;
        }
    }
}
