/* alert.c - alert rules of smtpdx watch (alert.h), and the webhook POST
 * A rate rule "N per W" keeps the times of its last N matching events in a
 * ring: when the oldest of them is within W of the newest, N events fell in
 * the window and the rule fires. Memory is N times 8 bytes per rule, so N
 * is bounded (SDX_ALERT_THRESHOLD_MAX). A rule that fired stays quiet for
 * the repeat interval. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "smtpdx/alert.h"
#include "core/curl_int.h"

enum match { M_ALL, M_REASON, M_CLASS, M_DIRECTION, M_DOMAIN };

#define FP_SLOTS (2 * SDX_ALERT_FINGERPRINTS_MAX)   /* half full at most */

#define PER_DOMAIN_MAX 64          /* domains a "per domain" rule follows at once */

struct ring {
    int64_t *times;                 /* the last threshold event times */
    size_t   head, n;
    int64_t  fired_at, used;
    char     domain[96];            /* per-domain rules: whose ring */
};

struct rule {
    char                name[96];
    enum sdx_alert_kind kind;
    enum match          match;
    char                value[96];
    unsigned long       threshold, window;
    int                 per_domain; /* "N per W per domain": one ring per recipient domain */
    struct ring         one;        /* the ring of a rule that is not per domain */
    struct ring        *dom;        /* PER_DOMAIN_MAX rings, per domain */
    int64_t             fired_at;
};

struct sdx_alerts {
    struct rule  r[SDX_ALERT_RULES_MAX];
    size_t       n;
    unsigned long repeat;
    char       (*fp)[64];           /* fingerprints seen: an open-addressing set */
    size_t       nfp;
};

int sdx_alerts_new(struct sdx_alerts **out)
{
    struct sdx_alerts *a = calloc(1, sizeof(*a));

    *out = NULL;
    if (!a)
        return SDX_ENOMEM;
    a->repeat = 3600;
    *out = a;
    return 0;
}

void sdx_alerts_free(struct sdx_alerts *a)
{
    size_t i;

    if (!a)
        return;
    for (i = 0; i < a->n; i++) {
        size_t k;

        free(a->r[i].one.times);
        for (k = 0; a->r[i].dom && k < PER_DOMAIN_MAX; k++)
            free(a->r[i].dom[k].times);
        free(a->r[i].dom);
    }
    free(a->fp);
    free(a);
}

size_t sdx_alerts_count(const struct sdx_alerts *a)
{
    return a->n;
}

int sdx_duration_parse(const char *s, unsigned long *secs)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);

    if (end == s || v > 100000000ul)
        return SDX_EPARSE;
    switch (*end) {
    case '\0': case 's': break;
    case 'm': v *= 60; break;
    case 'h': v *= 3600; break;
    case 'd': v *= 86400; break;
    default: return SDX_EPARSE;
    }
    if (*end && end[1])
        return SDX_EPARSE;
    *secs = v;
    return 0;
}

static int yes(const char *v)
{
    return strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

int sdx_alerts_rule(struct sdx_alerts *a, const char *key, const char *value, char *err, size_t cap)
{
    static const struct { const char *prefix; enum match m; } by[] = {
        { "alert_reason_", M_REASON }, { "alert_class_", M_CLASS },
        { "alert_direction_", M_DIRECTION }, { "alert_domain_", M_DOMAIN },
    };
    struct rule *r;
    size_t i;

    if (strcmp(key, "alert_repeat") == 0) {
        if (sdx_duration_parse(value, &a->repeat) != 0) {
            snprintf(err, cap, "alert_repeat takes a duration (90s, 5m, 1h)");
            return SDX_EPARSE;
        }
        return 0;
    }
    if (a->n == SDX_ALERT_RULES_MAX) {
        snprintf(err, cap, "more than %d alert rules", SDX_ALERT_RULES_MAX);
        return SDX_ETOOBIG;
    }
    r = &a->r[a->n];
    memset(r, 0, sizeof(*r));
    snprintf(r->name, sizeof(r->name), "%s", key);
    if (strcmp(key, "alert_new_fingerprint") == 0 || strcmp(key, "alert_listed") == 0) {
        if (!yes(value))
            return 0;                   /* "no": no rule */
        r->kind = key[6] == 'n' ? SDX_ALERT_NEW_FINGERPRINT : SDX_ALERT_LISTED;
        a->n++;
        return 0;
    }
    if (strcmp(key, "alert_queue_messages") == 0 || strcmp(key, "alert_queue_age") == 0) {
        int age = key[12] == 'a';
        char *end;

        if (age ? sdx_duration_parse(value, &r->threshold) != 0
                : ((r->threshold = strtoul(value, &end, 10)) == 0 || *end)) {
            snprintf(err, cap, "%s takes %s", key, age ? "a duration (4h, 2d)" : "a number of messages");
            return SDX_EPARSE;
        }
        r->kind = age ? SDX_ALERT_QUEUE_AGE : SDX_ALERT_QUEUE_MESSAGES;
        a->n++;
        return 0;
    }
    r->match = M_ALL;
    if (strcmp(key, "alert_refusals") != 0) {
        for (i = 0; i < sizeof(by) / sizeof(by[0]); i++) {
            size_t pl = strlen(by[i].prefix);

            if (strncmp(key, by[i].prefix, pl) == 0 && key[pl]) {
                r->match = by[i].m;
                snprintf(r->value, sizeof(r->value), "%s", key + pl);
                break;
            }
        }
        if (i == sizeof(by) / sizeof(by[0])) {
            snprintf(err, cap, "unknown alert rule %s (alert_refusals, alert_reason_R, alert_class_C, "
                               "alert_direction_D, alert_domain_D, alert_new_fingerprint, alert_queue_messages, "
                               "alert_queue_age, alert_listed)", key);
            return SDX_EPARSE;
        }
    }
    {
        char w[32], extra[32] = "";
        int got = sscanf(value, "%lu per %31s per %31s", &r->threshold, w, extra);

        if (got < 2 || r->threshold == 0 || r->threshold > SDX_ALERT_THRESHOLD_MAX ||
            sdx_duration_parse(w, &r->window) != 0 || r->window == 0 ||
            (got == 3 && strcmp(extra, "domain") != 0) || (got == 3 && r->match == M_DOMAIN) ||
            (got == 3 && r->threshold > 1000)) {
            snprintf(err, cap, "%s takes N per DURATION [per domain] (such as 50 per 5m; N at most %d, "
                               "1000 per domain)", key, SDX_ALERT_THRESHOLD_MAX);
            return SDX_EPARSE;
        }
        r->per_domain = got == 3;
    }
    if (r->per_domain) {
        size_t k;

        if ((r->dom = calloc(PER_DOMAIN_MAX, sizeof(*r->dom))) == NULL)
            return SDX_ENOMEM;
        for (k = 0; k < PER_DOMAIN_MAX; k++)
            if ((r->dom[k].times = calloc(r->threshold, sizeof(int64_t))) == NULL) {
                while (k--)
                    free(r->dom[k].times);
                free(r->dom);
                r->dom = NULL;
                return SDX_ENOMEM;
            }
    } else if ((r->one.times = calloc(r->threshold, sizeof(*r->one.times))) == NULL)
        return SDX_ENOMEM;
    r->kind = SDX_ALERT_RATE;
    a->n++;
    return 0;
}

/* fire - the rule fires unless it did within the repeat interval */
static size_t fire_at(struct sdx_alerts *a, struct rule *r, int64_t *fired_at, int64_t now,
                      struct sdx_alert_fired *out, size_t cap, size_t k, unsigned long value, const char *summary)
{
    if (k >= cap || (*fired_at && now - *fired_at < (int64_t)a->repeat))
        return k;
    *fired_at = now;
    snprintf(out[k].rule, sizeof(out[k].rule), "%s", r->name);
    snprintf(out[k].summary, sizeof(out[k].summary), "%s", summary);
    out[k].value = value;
    out[k].threshold = r->threshold;
    out[k].window = r->window;
    return k + 1;
}

static size_t fire(struct sdx_alerts *a, struct rule *r, int64_t now, struct sdx_alert_fired *out, size_t cap,
                   size_t k, unsigned long value, const char *summary)
{
    return fire_at(a, r, &r->fired_at, now, out, cap, k, value, summary);
}

/* ring_for - the ring of domain in a per-domain rule: its own, or the one
 * used least recently (forgetting that domain's events) */
static struct ring *ring_for(struct rule *r, const char *domain, int64_t now)
{
    size_t k, lru = 0;

    for (k = 0; k < PER_DOMAIN_MAX; k++) {
        if (r->dom[k].n && strcasecmp(r->dom[k].domain, domain) == 0)
            break;
        if (r->dom[k].used < r->dom[lru].used)
            lru = k;
    }
    if (k == PER_DOMAIN_MAX) {
        k = lru;
        r->dom[k].head = r->dom[k].n = 0;
        r->dom[k].fired_at = 0;
        snprintf(r->dom[k].domain, sizeof(r->dom[k].domain), "%s", domain);
    }
    r->dom[k].used = now;
    return &r->dom[k];
}

static int matches(const struct rule *r, const char *direction, int klass, const char *reason, const char *domain)
{
    switch (r->match) {
    case M_ALL:       return 1;
    case M_REASON:    return reason && strcmp(reason, r->value) == 0;
    case M_CLASS:     return klass == (int)strtol(r->value, NULL, 10);
    case M_DIRECTION: return direction && strcmp(direction, r->value) == 0;
    case M_DOMAIN:    return domain && strcasecmp(domain, r->value) == 0;
    }
    return 0;
}

static const char *what(const struct rule *r)
{
    switch (r->match) {
    case M_REASON:    return "with reason";
    case M_CLASS:     return "of class";
    case M_DIRECTION: return "in direction";
    case M_DOMAIN:    return "for domain";
    default:          return "";
    }
}

size_t sdx_alerts_event(struct sdx_alerts *a, int64_t now, const char *direction, int klass, const char *reason,
                        const char *domain, const char *fingerprint, struct sdx_alert_fired *out, size_t cap)
{
    size_t i, k = 0;
    char sum[400];

    for (i = 0; i < a->n; i++) {
        struct rule *r = &a->r[i];

        if (r->kind == SDX_ALERT_RATE && matches(r, direction, klass, reason, domain) &&
            (!r->per_domain || (domain && *domain))) {
            struct ring *g = r->per_domain ? ring_for(r, domain, now) : &r->one;
            size_t oldest;

            g->times[g->head] = now;
            g->head = (g->head + 1) % r->threshold;
            if (g->n < r->threshold)
                g->n++;
            oldest = g->n < r->threshold ? 0 : g->head;     /* the ring is full: head is the oldest */
            if (g->n == r->threshold && now - g->times[oldest] <= (int64_t)r->window) {
                snprintf(sum, sizeof(sum), "%lu refusals%s%s%s%.96s%s%.96s within %lus (%s = %lu per %lus%s)",
                         r->threshold, r->match == M_ALL ? "" : " ", what(r), r->match == M_ALL ? "" : " ",
                         r->match == M_ALL ? "" : r->value, r->per_domain ? " for domain " : "",
                         r->per_domain ? g->domain : "", (unsigned long)(now - g->times[oldest]), r->name,
                         r->threshold, r->window, r->per_domain ? " per domain" : "");
                k = fire_at(a, r, r->per_domain ? &g->fired_at : &r->fired_at, now, out, cap, k, r->threshold, sum);
            }
        } else if (r->kind == SDX_ALERT_NEW_FINGERPRINT && fingerprint && *fingerprint) {
            char key[64];
            uint32_t h = 2166136261u;
            size_t f;
            const char *q;

            snprintf(key, sizeof(key), "%s", fingerprint);      /* the first 63 bytes name it */
            if (!a->fp && (a->fp = calloc(FP_SLOTS, sizeof(*a->fp))) == NULL)
                continue;
            for (q = key; *q; q++)
                h = (h ^ (unsigned char)*q) * 16777619u;
            for (f = h % FP_SLOTS; a->fp[f][0] && strcmp(a->fp[f], key) != 0; f = (f + 1) % FP_SLOTS)
                ;
            if (a->fp[f][0] || a->nfp == SDX_ALERT_FINGERPRINTS_MAX)
                continue;                               /* seen, or the set is full: quiet */
            memcpy(a->fp[f], key, sizeof(key));
            a->nfp++;
            snprintf(sum, sizeof(sum), "a refusal not seen before: %.300s", fingerprint);
            r->fired_at = 0;            /* each new text is news: no repeat window */
            k = fire(a, r, now, out, cap, k, 1, sum);
        }
    }
    return k;
}

size_t sdx_alerts_queue(struct sdx_alerts *a, int64_t now, unsigned long messages, unsigned long oldest_s,
                        struct sdx_alert_fired *out, size_t cap)
{
    size_t i, k = 0;
    char sum[400];

    for (i = 0; i < a->n; i++) {
        struct rule *r = &a->r[i];

        if (r->kind == SDX_ALERT_QUEUE_MESSAGES && messages > r->threshold) {
            snprintf(sum, sizeof(sum), "%lu messages in the queue (%s = %lu)", messages, r->name, r->threshold);
            k = fire(a, r, now, out, cap, k, messages, sum);
        } else if (r->kind == SDX_ALERT_QUEUE_AGE && oldest_s > r->threshold) {
            snprintf(sum, sizeof(sum), "the oldest message has waited %lus (%s = %lus)", oldest_s, r->name,
                     r->threshold);
            k = fire(a, r, now, out, cap, k, oldest_s, sum);
        }
    }
    return k;
}

size_t sdx_alerts_listed(struct sdx_alerts *a, int64_t now, const char *ip, const char *list,
                         struct sdx_alert_fired *out, size_t cap)
{
    size_t i, k = 0;
    char sum[400];

    for (i = 0; i < a->n; i++) {
        struct rule *r = &a->r[i];

        if (r->kind != SDX_ALERT_LISTED)
            continue;
        snprintf(sum, sizeof(sum), "%.64s is now listed on %.200s", ip, list);
        r->fired_at = 0;                /* each listing is news */
        k = fire(a, r, now, out, cap, k, 1, sum);
    }
    return k;
}

int sdx_webhook_post(const char *url, const char *body, size_t n, long timeout_s, char *err, size_t cap)
{
    CURL *c;
    struct curl_slist *h;
    char ebuf[CURL_ERROR_SIZE] = "";
    long status = 0;
    CURLcode rc;

    if (sdx__curl_load() != 0) {
        snprintf(err, cap, "%s", sdx__libcurl.error);
        return SDX_EIO;
    }
    if ((c = curl_easy_init()) == NULL) {
        snprintf(err, cap, "libcurl could not start");
        return SDX_EIO;
    }
    h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "smtpdx-watch");
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        snprintf(err, cap, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
        return SDX_EIO;
    }
    if (status >= 400) {
        snprintf(err, cap, "HTTP status %ld", status);
        return SDX_EIO;
    }
    return 0;
}
