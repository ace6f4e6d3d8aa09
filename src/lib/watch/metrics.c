/* metrics.c - a bounded metric registry and its Prometheus text (metrics.h)
 * Series are kept in one array, found through an open-addressing hash of
 * their key (name{labels}); the text groups them by metric in declaration
 * order, as the exposition format requires (one HELP and TYPE per name).
 * Histograms are stored as their counter series (_bucket{le}, _count) and
 * a gauge-like _sum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/metrics.h"

struct series {
    char     key[SDX_METRICS_KEY_MAX];
    unsigned name;                  /* index into names */
    int      is_sum;                /* a histogram's _sum (double) */
    int      hidden;                /* cleared: not rendered until set again */
    uint64_t count;
    double   value;
};

struct mname {
    char     name[96];
    enum sdx_metric_type type;
    char     help[256];
    double   bounds[16];
    size_t   nbounds;
};

struct sdx_metrics {
    struct mname   names[SDX_METRICS_NAMES_MAX];
    size_t         nnames;
    struct series *s;
    size_t         n, max;
    uint32_t      *slot;            /* hash slots: series index + 1, 0 empty */
    size_t         nslot;
    uint64_t       dropped;
};

static uint32_t hash(const char *k)
{
    uint32_t h = 2166136261u;

    while (*k)
        h = (h ^ (unsigned char)*k++) * 16777619u;
    return h;
}

int sdx_metrics_new(struct sdx_metrics **out, size_t max)
{
    struct sdx_metrics *m = calloc(1, sizeof(*m));

    *out = NULL;
    if (!m)
        return SDX_ENOMEM;
    m->max = max ? max : 10000;
    for (m->nslot = 64; m->nslot < m->max * 2; m->nslot *= 2)
        ;
    m->s = calloc(m->max, sizeof(*m->s));
    m->slot = calloc(m->nslot, sizeof(*m->slot));
    if (!m->s || !m->slot) {
        sdx_metrics_free(m);
        return SDX_ENOMEM;
    }
    *out = m;
    return 0;
}

void sdx_metrics_free(struct sdx_metrics *m)
{
    if (!m)
        return;
    free(m->s);
    free(m->slot);
    free(m);
}

size_t sdx_metrics_series(const struct sdx_metrics *m)
{
    return m->n;
}

int sdx_metrics_declare(struct sdx_metrics *m, const char *name, enum sdx_metric_type type, const char *help,
                        const double *bounds, size_t nbounds)
{
    struct mname *d;

    if (m->nnames == SDX_METRICS_NAMES_MAX || strlen(name) >= sizeof(d->name) ||
        nbounds > sizeof(d->bounds) / sizeof(d->bounds[0]))
        return SDX_ETOOBIG;
    d = &m->names[m->nnames++];
    snprintf(d->name, sizeof(d->name), "%s", name);
    snprintf(d->help, sizeof(d->help), "%s", help);
    d->type = type;
    if (bounds && nbounds)
        memcpy(d->bounds, bounds, nbounds * sizeof(*bounds));
    d->nbounds = nbounds;
    return 0;
}

static int name_index(const struct sdx_metrics *m, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < m->nnames; i++)
        if (strlen(m->names[i].name) == len && memcmp(m->names[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

/* find - the series of key, created when create is set (and room is left) */
static struct series *find(struct sdx_metrics *m, const char *key, unsigned name, int is_sum, int create)
{
    uint32_t h = hash(key);
    size_t i = h & (m->nslot - 1);

    while (m->slot[i]) {
        struct series *s = &m->s[m->slot[i] - 1];

        if (strcmp(s->key, key) == 0) {
            if (create)
                s->hidden = 0;
            return s;
        }
        i = (i + 1) & (m->nslot - 1);
    }
    if (!create)
        return NULL;
    if (m->n == m->max) {
        m->dropped++;
        return NULL;
    }
    m->s[m->n].name = name;
    m->s[m->n].is_sum = is_sum;
    snprintf(m->s[m->n].key, sizeof(m->s[m->n].key), "%s", key);
    m->slot[i] = (uint32_t)(++m->n);
    return &m->s[m->n - 1];
}

/* key - "name[suffix]{labels[,extra]}" into out; 0 or -1 when too long */
static int key(char *out, const char *name, const char *suffix, const char *labels, const char *extra)
{
    int n;

    if ((labels && *labels) || (extra && *extra))
        n = snprintf(out, SDX_METRICS_KEY_MAX, "%s%s{%s%s%s}", name, suffix, labels ? labels : "",
                     labels && *labels && extra && *extra ? "," : "", extra ? extra : "");
    else
        n = snprintf(out, SDX_METRICS_KEY_MAX, "%s%s", name, suffix);
    return n > 0 && n < SDX_METRICS_KEY_MAX ? 0 : -1;
}

/* series - the series name[suffix]{labels[,extra]}, created if missing;
 * NULL (counted as dropped) for an undeclared name, labels too long or no
 * room left */
static struct series *series(struct sdx_metrics *m, const char *name, const char *suffix, const char *labels,
                             const char *extra, int is_sum)
{
    char k[SDX_METRICS_KEY_MAX];
    int ni = name_index(m, name, strlen(name));

    if (ni < 0 || key(k, name, suffix, labels, extra) != 0) {
        m->dropped++;
        return NULL;
    }
    return find(m, k, (unsigned)ni, is_sum, 1);
}

void sdx_metrics_add(struct sdx_metrics *m, const char *name, const char *labels, uint64_t n)
{
    struct series *s = series(m, name, "", labels, NULL, 0);

    if (s)
        s->count += n;
}

uint64_t *sdx_metrics_counter(struct sdx_metrics *m, const char *name, const char *labels)
{
    struct series *s = series(m, name, "", labels, NULL, 0);

    return s ? &s->count : NULL;
}

uint64_t sdx_metrics_get(struct sdx_metrics *m, const char *name, const char *labels)
{
    char k[SDX_METRICS_KEY_MAX];
    struct series *s;

    if (key(k, name, "", labels, NULL) != 0 || (s = find(m, k, 0, 0, 0)) == NULL)
        return 0;
    return s->count;
}

void sdx_metrics_set(struct sdx_metrics *m, const char *name, const char *labels, double v)
{
    struct series *s = series(m, name, "", labels, NULL, 0);

    if (s)
        s->value = v;
}

void sdx_metrics_observe(struct sdx_metrics *m, const char *name, const char *labels, double v)
{
    char le[48];
    int ni = name_index(m, name, strlen(name));
    const struct mname *d;
    struct series *s;
    size_t i;

    if (ni < 0) {
        m->dropped++;
        return;
    }
    d = &m->names[ni];
    for (i = 0; i <= d->nbounds; i++) {
        if (i < d->nbounds && v > d->bounds[i])
            continue;
        if (i < d->nbounds)
            snprintf(le, sizeof(le), "le=\"%g\"", d->bounds[i]);
        else
            snprintf(le, sizeof(le), "le=\"+Inf\"");
        if ((s = series(m, name, "_bucket", labels, le, 0)) != NULL)
            s->count++;
    }
    if ((s = series(m, name, "_count", labels, NULL, 0)) != NULL)
        s->count++;
    if ((s = series(m, name, "_sum", labels, NULL, 1)) != NULL)
        s->value += v;
}

int sdx_metrics_render(struct sdx_metrics *m, struct sdx_buf *out)
{
    size_t i, k;
    int err = 0;

    for (i = 0; i < m->nnames && !err; i++) {
        const struct mname *d = &m->names[i];

        err |= sdx_buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", d->name, d->help, d->name,
                            d->type == SDX_METRIC_COUNTER ? "counter" :
                            d->type == SDX_METRIC_GAUGE ? "gauge" : "histogram");
        for (k = 0; k < m->n && !err; k++) {
            const struct series *s = &m->s[k];

            if (s->name != i || s->hidden)
                continue;
            if (d->type == SDX_METRIC_GAUGE || s->is_sum)
                err |= sdx_buf_addf(out, "%s %.17g\n", s->key, s->value);
            else
                err |= sdx_buf_addf(out, "%s %llu\n", s->key, (unsigned long long)s->count);
        }
    }
    if (!err)
        err |= sdx_buf_addf(out, "# HELP smtpdx_metrics_series_dropped_total Series not created because the "
                                 "series limit (%zu) was reached or the labels were too long.\n"
                                 "# TYPE smtpdx_metrics_series_dropped_total counter\n"
                                 "smtpdx_metrics_series_dropped_total %llu\n",
                            m->max, (unsigned long long)m->dropped);
    return err ? SDX_ENOMEM : 0;
}

void sdx_metrics_clear(struct sdx_metrics *m, const char *name)
{
    int ni = name_index(m, name, strlen(name));
    size_t k;

    for (k = 0; ni >= 0 && k < m->n; k++)
        if (m->s[k].name == (unsigned)ni) {
            m->s[k].hidden = 1;
            m->s[k].value = 0;
            m->s[k].count = 0;
        }
}

void sdx_metrics_each(struct sdx_metrics *m, void (*fn)(void *arg, const char *key, uint64_t v), void *arg)
{
    size_t k;

    for (k = 0; k < m->n; k++) {
        const struct series *s = &m->s[k];

        if (m->names[s->name].type == SDX_METRIC_GAUGE)
            continue;
        if (s->is_sum)
            fn(arg, s->key, (uint64_t)(s->value * 1000.0));    /* milli-units: sums are seconds */
        else
            fn(arg, s->key, s->count);
    }
}

void sdx_metrics_restore(struct sdx_metrics *m, const char *k, uint64_t v)
{
    const char *brace = strchr(k, '{');
    size_t nl = brace ? (size_t)(brace - k) : strlen(k);
    int ni, is_sum = 0;
    struct series *s;

    if ((ni = name_index(m, k, nl)) < 0) {
        /* histogram parts: name_bucket, name_count, name_sum */
        static const char *const suf[] = { "_bucket", "_count", "_sum" };
        size_t i;

        for (i = 0; i < 3 && ni < 0; i++) {
            size_t sl = strlen(suf[i]);

            if (nl > sl && memcmp(k + nl - sl, suf[i], sl) == 0 && (ni = name_index(m, k, nl - sl)) >= 0)
                is_sum = i == 2;
        }
    }
    if (ni < 0 || m->names[ni].type == SDX_METRIC_GAUGE || strlen(k) >= SDX_METRICS_KEY_MAX)
        return;
    if ((s = find(m, k, (unsigned)ni, is_sum, 1)) == NULL)
        return;
    if (is_sum)
        s->value = (double)v / 1000.0;
    else
        s->count = v;
}

int sdx_metrics_label(char *out, size_t cap, const char *name, const char *value, size_t vlen)
{
    size_t o = strlen(out), i;
    char tmp[300];
    size_t t = 0;

    if (vlen > 128)
        vlen = 128;
    for (i = 0; i < vlen; i++) {
        unsigned char c = (unsigned char)value[i];

        if (c == '\\' || c == '"') {
            tmp[t++] = '\\';
            tmp[t++] = (char)c;
        } else if (c == '\n') {
            tmp[t++] = '\\';
            tmp[t++] = 'n';
        } else if (c >= 0x20 && c != 0x7f)
            tmp[t++] = (char)c;
    }
    tmp[t] = '\0';
    if (o + (o ? 1 : 0) + strlen(name) + t + 4 > cap)
        return SDX_ETOOBIG;
    snprintf(out + o, cap - o, "%s%s=\"%s\"", o ? "," : "", name, tmp);
    return 0;
}
