/* group.c - fingerprint, group and count events (group.h)
 * In:  events with verdicts, any number. Out: groups ranked by count.
 * Memory: at most SDX_GROUPS_MAX groups of fixed size (allocated as they
 * appear) and a bounded map of deferred recipients (to count the 4xx that
 * later became 5xx). */
#include <stdlib.h>
#include <string.h>
#include "smtpdx/group.h"
#include "core/map_int.h"

#define DEFERRED_MAX 65536

struct sdx_groups {
    struct sdx_group       *g;          /* the groups, in order of appearance */
    size_t                  n, cap;
    struct sdx_map         *index;      /* key hash -> size_t index */
    struct sdx_map         *deferred;   /* queue id + recipient of 4xx events */
    const struct sdx_group **sorted;
    struct sdx_groups_totals t;
};

int sdx_groups_new(struct sdx_groups **out)
{
    struct sdx_groups *g = calloc(1, sizeof(*g));

    if (g == NULL)
        return SDX_ENOMEM;
    if (sdx__map_new(&g->index, sizeof(size_t), SDX_GROUPS_MAX) != 0 ||
        sdx__map_new(&g->deferred, 1, DEFERRED_MAX) != 0) {
        sdx_groups_free(g);
        return SDX_ENOMEM;
    }
    *out = g;
    return 0;
}

void sdx_groups_free(struct sdx_groups *g)
{
    if (g == NULL)
        return;
    sdx__map_free(g->index);
    sdx__map_free(g->deferred);
    free(g->g);
    free(g->sorted);
    free(g);
}

static int is_alnum(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* word_kind - what a white-space separated word is, for masking */
static const char *word_kind(const char *w, size_t n)
{
    size_t i, digits = 0, dots = 0, colons = 0, letters = 0, dotbetween = 0;

    if (n >= 7 && (memcmp(w, "http://", 7) == 0 || (n >= 8 && memcmp(w, "https://", 8) == 0)))
        return "URL";
    /* Postfix's "name[address]": the closing bracket is kept by the caller */
    if (memchr(w, '[', n) != NULL && w[0] != '[')
        return "HOST[IP";
    for (i = 0; i < n; i++) {
        char c = w[i];

        if (c == '@')
            return "ADDR";
        if (c >= '0' && c <= '9')
            digits++;
        else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            letters++;
        else if (c == '.') {
            dots++;
            if (i > 0 && i + 1 < n && is_alnum((unsigned char)w[i - 1]) && is_alnum((unsigned char)w[i + 1]))
                dotbetween++;
        } else if (c == ':')
            colons++;
    }
    if (digits && dots >= 3 && letters == 0)
        return "IP";
    if (colons >= 2 && digits)
        return "IP";
    /* a host name ends with a label of letters (its top-level domain) */
    if (dotbetween && letters && n && ((w[n - 1] >= 'a' && w[n - 1] <= 'z') || (w[n - 1] >= 'A' && w[n - 1] <= 'Z')))
        return "HOST";
    if (digits)
        return "#";
    return NULL;
}

size_t sdx_fingerprint(const char *t, size_t n, char *out, size_t cap)
{
    size_t i = 0, o = 0;

    if (cap < 2)
        return 0;
    while (i < n && o + 1 < cap) {
        size_t s, e, k;
        const char *kind;

        while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
            i++;
        if (i >= n)
            break;
        s = i;
        while (i < n && !(t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
            i++;
        e = i;
        if (o && o + 1 < cap)
            out[o++] = ' ';
        /* keep leading and trailing punctuation, mask the core */
        while (s < e && !is_alnum((unsigned char)t[s]) && o + 1 < cap &&
               (t[s] == '<' || t[s] == '(' || t[s] == '[' || t[s] == '"' || t[s] == '\''))
            out[o++] = t[s++];
        k = e;
        while (k > s && (t[k - 1] == '.' || t[k - 1] == ',' || t[k - 1] == ';' || t[k - 1] == ':' ||
                         t[k - 1] == ')' || t[k - 1] == ']' || t[k - 1] == '>' || t[k - 1] == '"' ||
                         t[k - 1] == '\''))
            k--;
        kind = word_kind(t + s, k - s);
        if (kind) {
            size_t kl = strlen(kind);

            if (o + kl >= cap)
                break;
            memcpy(out + o, kind, kl);
            o += kl;
        } else {
            for (; s < k && o + 1 < cap; s++) {
                unsigned char c = (unsigned char)t[s];

                out[o++] = (char)((c < 0x20 || c == 0x7f) ? '?' : c);   /* never a control byte */
            }
        }
        for (s = k; s < e && o + 1 < cap; s++)
            out[o++] = t[s];
    }
    out[o] = '\0';
    return o;
}

static void top_add(struct sdx_group_top *tr, const char *p, size_t n)
{
    size_t i, min = 0;

    if (n == 0)
        return;
    if (n > sizeof(tr[0].name) - 1)
        n = sizeof(tr[0].name) - 1;
    for (i = 0; i < SDX_GROUP_TRACK; i++) {
        if (tr[i].count && strlen(tr[i].name) == n && memcmp(tr[i].name, p, n) == 0) {
            tr[i].count++;
            return;
        }
        if (tr[i].count < tr[min].count)
            min = i;
    }
    /* space-saving: the least counted gives its place, with its count + 1 */
    memcpy(tr[min].name, p, n);
    tr[min].name[n] = '\0';
    tr[min].count++;
}

static int cmp_top(const void *a, const void *b)
{
    const struct sdx_group_top *x = a, *y = b;

    return (y->count > x->count) - (y->count < x->count);
}

size_t sdx_group_top(const struct sdx_group_top *track, struct sdx_group_top *out)
{
    struct sdx_group_top tmp[SDX_GROUP_TRACK];
    size_t i, n = 0;

    for (i = 0; i < SDX_GROUP_TRACK; i++)
        if (track[i].count)
            tmp[n++] = track[i];
    qsort(tmp, n, sizeof(tmp[0]), cmp_top);
    if (n > SDX_GROUP_TOP)
        n = SDX_GROUP_TOP;
    memcpy(out, tmp, n * sizeof(tmp[0]));
    return n;
}

static uint64_t fnv64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ s[i]) * UINT64_C(1099511628211);
    return h;
}

static void scopy(char *dst, size_t cap, struct sdx_str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;

    if (n)
        memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static struct sdx_str domain_of(struct sdx_str a)
{
    size_t i;

    for (i = a.len; i > 0; i--)
        if (a.p[i - 1] == '@')
            return (struct sdx_str){ a.p + i, a.len - i };
    return (struct sdx_str){ NULL, 0 };
}

int sdx_groups_add(struct sdx_groups *g, const struct sdx_event *e, const struct sdx_verdict *v)
{
    const struct sdx_reply *r = e->reply;
    char fp[SDX_FINGERPRINT_MAX], key[20];
    size_t fl = sdx_fingerprint(r->text.data, r->text.len, fp, sizeof(fp)), *idx, i;
    uint64_t h = UINT64_C(14695981039346656037);
    struct sdx_group *gr;
    int klass = sdx_reply_class(r), dir = e->dir, evicted;
    static const char hex[] = "0123456789abcdef";

    /* totals */
    g->t.events++;
    if ((unsigned)e->outcome < 6)
        g->t.by_outcome[e->outcome]++;
    if ((unsigned)e->dir < 4)
        g->t.by_direction[e->dir]++;
    g->t.by_class[klass >= 2 && klass <= 5 ? klass : 0]++;
    if ((unsigned)v->reason < SDX_REASON_COUNT)
        g->t.by_reason[v->reason]++;
    if (e->dir == SDX_DIR_INBOUND) {
        struct sdx_str d = domain_of(e->sender);

        top_add(g->t.in_domains, d.p, d.len);
        top_add(g->t.clients, e->client.addr.len ? e->client.addr.p : e->client.host.p,
                e->client.addr.len ? e->client.addr.len : e->client.host.len);
    } else if (e->dir == SDX_DIR_OUTBOUND) {
        struct sdx_str d = domain_of(e->recipient);

        top_add(g->t.out_domains, d.p, d.len);
    }
    /* a recipient deferred before and bounced now: a 4xx that became a 5xx */
    if (e->queue_id.len && e->recipient.len && (e->outcome == SDX_OUT_DEFERRED || e->outcome == SDX_OUT_BOUNCED)) {
        char dk[SDX_MAP_KEY_MAX + 1];
        size_t dl = 0;

        scopy(dk, sizeof(dk), e->queue_id);
        dl = strlen(dk);
        if (dl + 1 < sizeof(dk)) {
            dk[dl++] = ':';
            scopy(dk + dl, sizeof(dk) - dl, e->recipient);
            dl = strlen(dk);
        }
        if (e->outcome == SDX_OUT_DEFERRED) {
            if (sdx__map_put(g->deferred, dk, dl, &evicted) == NULL)
                return SDX_ENOMEM;
        } else if (sdx__map_get(g->deferred, dk, dl) != NULL) {
            g->t.softened++;
            sdx__map_del(g->deferred, dk, dl);
        }
    }

    /* the group */
    h = fnv64(h, fp, fl);
    h = fnv64(h, &r->code, sizeof(r->code));
    h = fnv64(h, r->status_str, strlen(r->status_str));
    h = fnv64(h, &v->reason, sizeof(v->reason));
    h = fnv64(h, &dir, sizeof(dir));
    for (i = 0; i < 16; i++)
        key[i] = hex[(h >> (4 * i)) & 15];
    if ((idx = sdx__map_get(g->index, key, 16)) != NULL) {
        gr = &g->g[*idx];
    } else {
        if (g->n == SDX_GROUPS_MAX) {
            g->t.other++;
            return 0;
        }
        if (g->n == g->cap) {
            size_t cap = g->cap ? g->cap * 2 : 64;
            struct sdx_group *ng = realloc(g->g, cap * sizeof(*ng));

            if (ng == NULL)
                return SDX_ENOMEM;
            g->g = ng;
            g->cap = cap;
        }
        if ((idx = sdx__map_put(g->index, key, 16, &evicted)) == NULL)
            return SDX_ENOMEM;
        *idx = g->n;
        gr = &g->g[g->n++];
        memset(gr, 0, sizeof(*gr));
        memcpy(gr->fingerprint, fp, fl + 1);
        gr->code = r->code;
        memcpy(gr->status, r->status_str, sizeof(gr->status));
        gr->reason = v->reason, gr->perm = v->perm, gr->actor = v->actor;
        gr->dir = e->dir, gr->outcome = e->outcome;
        gr->first_us = e->when_us;
        gr->pattern = v->pattern, gr->status_kb = v->status, gr->code_kb = v->code, gr->reason_kb = v->reason_kb;
        scopy(gr->ex_text, sizeof(gr->ex_text), (struct sdx_str){ r->text.data, r->text.len });
        scopy(gr->ex_sender, sizeof(gr->ex_sender), e->sender);
        scopy(gr->ex_recipient, sizeof(gr->ex_recipient), e->recipient);
        scopy(gr->ex_queue_id, sizeof(gr->ex_queue_id), e->queue_id);
        scopy(gr->ex_client, sizeof(gr->ex_client), e->client.addr.len ? e->client.addr : e->client.host);
        scopy(gr->ex_server, sizeof(gr->ex_server), e->server.host.len ? e->server.host : e->server.addr);
        scopy(gr->ex_source, sizeof(gr->ex_source), (struct sdx_str){ e->source, e->source ? strlen(e->source) : 0 });
        scopy(gr->ex_rule, sizeof(gr->ex_rule), (struct sdx_str){ v->rule, strlen(v->rule) });
        gr->ex_line = e->line;
        gr->ex_reply_from = e->reply_from;
        gr->ex_when_us = e->when_us;
        for (i = 0; i < e->nstory && gr->ex_nstory < 8; i++)
            scopy(gr->ex_story[gr->ex_nstory++], sizeof(gr->ex_story[0]), e->story[i]);
    }
    gr->count++;
    if (e->when_us && (gr->first_us == 0 || e->when_us < gr->first_us))
        gr->first_us = e->when_us;
    if (e->when_us > gr->last_us)
        gr->last_us = e->when_us;
    if (e->dir == SDX_DIR_INBOUND) {
        struct sdx_str d = domain_of(e->sender);

        top_add(gr->domains, d.p, d.len);
        top_add(gr->clients, e->client.addr.len ? e->client.addr.p : e->client.host.p,
                e->client.addr.len ? e->client.addr.len : e->client.host.len);
    } else {
        struct sdx_str d = domain_of(e->recipient);

        top_add(gr->domains, d.p, d.len);
        top_add(gr->hosts, e->server.host.len ? e->server.host.p : e->server.addr.p,
                e->server.host.len ? e->server.host.len : e->server.addr.len);
    }
    return 0;
}

static int cmp_group(const void *a, const void *b)
{
    const struct sdx_group *x = *(const struct sdx_group *const *)a, *y = *(const struct sdx_group *const *)b;

    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return (x->first_us > y->first_us) - (x->first_us < y->first_us);
}

size_t sdx_groups_sorted(struct sdx_groups *g, const struct sdx_group *const **out)
{
    size_t i;
    const struct sdx_group **s = realloc(g->sorted, (g->n + 1) * sizeof(*s));

    if (s == NULL) {
        *out = NULL;
        return 0;
    }
    g->sorted = s;
    for (i = 0; i < g->n; i++)
        s[i] = &g->g[i];
    qsort(s, g->n, sizeof(*s), cmp_group);
    *out = (const struct sdx_group *const *)s;
    return g->n;
}

void sdx_groups_totals(const struct sdx_groups *g, struct sdx_groups_totals *t)
{
    *t = g->t;
}
