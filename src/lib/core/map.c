/* map.c - bounded string-keyed map with oldest-first eviction (map_int.h)
 * Chained hashing (FNV-1a) over a power-of-two bucket array sized for max;
 * records in chunks of CHUNK, reused through a free list; a doubly linked
 * list in insertion order gives the eviction victim in O(1). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/error.h"
#include "map_int.h"

#define CHUNK 256

struct node {
    struct node *hnext;             /* bucket chain */
    struct node *older, *younger;   /* insertion order */
    uint32_t     hash;
    unsigned char klen;
    char         key[SDX_MAP_KEY_MAX + 1];
    /* value follows, aligned */
};

struct sdx_map {
    struct node **buckets;
    size_t        nbuckets, count, max, value_size, node_size;
    struct node  *oldest, *youngest, *free;
    void        **chunks;
    size_t        nchunks, capchunks, allocated;
};

static void *value_of(struct node *n)
{
    return (char *)n + ((sizeof(struct node) + 15) & ~(size_t)15);
}

/* fnv - hash of a short key, 8 bytes a step (keys are queue ids and
 * process names: this runs for most log lines) */
static uint32_t fnv(const char *k, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037), w;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, k + i, 8);
        h = (h ^ w) * UINT64_C(0x100000001b3);
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * UINT64_C(0x100000001b3);
    h ^= h >> 32;
    return (uint32_t)h;
}

int sdx__map_new(struct sdx_map **out, size_t value_size, size_t max)
{
    struct sdx_map *m = calloc(1, sizeof(*m));
    size_t nb = 16;

    if (m == NULL)
        return SDX_ENOMEM;
    while (nb < max * 2 && nb < ((size_t)1 << 30))
        nb *= 2;
    m->buckets = calloc(nb, sizeof(*m->buckets));
    if (m->buckets == NULL) {
        free(m);
        return SDX_ENOMEM;
    }
    m->nbuckets = nb;
    m->max = max ? max : 1;
    m->value_size = value_size;
    m->node_size = ((sizeof(struct node) + 15) & ~(size_t)15) + ((value_size + 15) & ~(size_t)15);
    *out = m;
    return 0;
}

void sdx__map_free(struct sdx_map *m)
{
    size_t i;

    if (m == NULL)
        return;
    for (i = 0; i < m->nchunks; i++)
        free(m->chunks[i]);
    free(m->chunks);
    free(m->buckets);
    free(m);
}

static struct node **slot(struct sdx_map *m, const char *k, size_t n, uint32_t h)
{
    struct node **pp = &m->buckets[h & (m->nbuckets - 1)];

    for (; *pp; pp = &(*pp)->hnext)
        if ((*pp)->hash == h && (*pp)->klen == n && memcmp((*pp)->key, k, n) == 0)
            break;
    return pp;
}

static void unlink_order(struct sdx_map *m, struct node *x)
{
    if (x->older)
        x->older->younger = x->younger;
    else
        m->oldest = x->younger;
    if (x->younger)
        x->younger->older = x->older;
    else
        m->youngest = x->older;
    x->older = x->younger = NULL;
}

static void link_young(struct sdx_map *m, struct node *x)
{
    x->older = m->youngest;
    x->younger = NULL;
    if (m->youngest)
        m->youngest->younger = x;
    else
        m->oldest = x;
    m->youngest = x;
}

static void remove_node(struct sdx_map *m, struct node *x)
{
    struct node **pp = slot(m, x->key, x->klen, x->hash);

    if (*pp == x)
        *pp = x->hnext;
    unlink_order(m, x);
    x->hnext = m->free;
    m->free = x;
    m->count--;
}

static struct node *new_node(struct sdx_map *m)
{
    struct node *x;
    size_t i;

    if (m->free == NULL) {
        char *chunk;

        if (m->nchunks == m->capchunks) {
            size_t cap = m->capchunks ? m->capchunks * 2 : 8;
            void **c = realloc(m->chunks, cap * sizeof(*c));

            if (c == NULL)
                return NULL;
            m->chunks = c;
            m->capchunks = cap;
        }
        if ((chunk = malloc(CHUNK * m->node_size)) == NULL)
            return NULL;
        m->chunks[m->nchunks++] = chunk;
        for (i = 0; i < CHUNK; i++) {
            x = (struct node *)(chunk + i * m->node_size);
            x->hnext = m->free;
            m->free = x;
        }
    }
    x = m->free;
    m->free = x->hnext;
    return x;
}

void *sdx__map_get(struct sdx_map *m, const char *k, size_t n)
{
    struct node *x;

    if (n > SDX_MAP_KEY_MAX)
        n = SDX_MAP_KEY_MAX;
    x = *slot(m, k, n, fnv(k, n));
    return x ? value_of(x) : NULL;
}

void *sdx__map_put(struct sdx_map *m, const char *k, size_t n, int *evicted)
{
    uint32_t h;
    struct node **pp, *x;

    if (evicted)
        *evicted = 0;
    if (n > SDX_MAP_KEY_MAX)
        n = SDX_MAP_KEY_MAX;
    h = fnv(k, n);
    if ((x = *slot(m, k, n, h)) != NULL)
        return value_of(x);
    if (m->count >= m->max && m->oldest) {
        remove_node(m, m->oldest);
        if (evicted)
            *evicted = 1;
    }
    if ((x = new_node(m)) == NULL)
        return NULL;
    memset(x, 0, m->node_size);
    x->hash = h;
    x->klen = (unsigned char)n;
    memcpy(x->key, k, n);
    x->key[n] = '\0';
    pp = &m->buckets[h & (m->nbuckets - 1)];
    x->hnext = *pp;
    *pp = x;
    link_young(m, x);
    m->count++;
    return value_of(x);
}

void sdx__map_del(struct sdx_map *m, const char *k, size_t n)
{
    struct node *x;

    if (n > SDX_MAP_KEY_MAX)
        n = SDX_MAP_KEY_MAX;
    if ((x = *slot(m, k, n, fnv(k, n))) != NULL)
        remove_node(m, x);
}

void sdx__map_touch(struct sdx_map *m, const char *k, size_t n)
{
    struct node *x;

    if (n > SDX_MAP_KEY_MAX)
        n = SDX_MAP_KEY_MAX;
    if ((x = *slot(m, k, n, fnv(k, n))) != NULL && x != m->youngest) {
        unlink_order(m, x);
        link_young(m, x);
    }
}

size_t sdx__map_count(const struct sdx_map *m)
{
    return m->count;
}

int sdx__map_each(struct sdx_map *m, int (*fn)(void *arg, const char *key, void *value), void *arg)
{
    struct node *x, *next;
    int rc;

    for (x = m->oldest; x; x = next) {
        next = x->younger;
        if ((rc = fn(arg, x->key, value_of(x))) != 0)
            return rc;
    }
    return 0;
}
