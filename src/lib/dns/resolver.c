/* resolver.c - one libunbound context, validating when it has an anchor
 * (resolver.h). Questions go to the context's worker thread (libunbound's
 * asynchronous API), one at a time or many at once; a server that does
 * not answer is given up in about 5 s by capping libunbound's round-trip
 * estimate, since a person is waiting. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "resolver_int.h"

#define RR_A    1
#define RR_AAAA 28

/* answers kept by this object (see cache_get): a question asked again
 * within its TTL costs a copy, not a round trip to libunbound's thread */
#define CACHE_SLOTS 4096                /* a power of two */

struct cached {
    char              name[256];        /* lower case, no trailing dot */
    int               type;
    long long         until;            /* monotonic seconds */
    struct ub_result *r;
};

struct sdx_resolver {
    struct ub_ctx *ctx;
    char           anchor[512];         /* the file in use, "" for none */
    struct cached *cache;               /* CACHE_SLOTS, or NULL: no cache */
};

const char *sdx_dnssec_name(enum sdx_dnssec s)
{
    return s == SDX_DNSSEC_SECURE ? "secure" : s == SDX_DNSSEC_BOGUS ? "bogus" : "insecure";
}

/* server_ok - "ADDR" or "ADDR@PORT", ADDR an IPv4 or IPv6 literal */
static int server_ok(const char *s)
{
    char a[INET6_ADDRSTRLEN + 1];
    const char *at = strchr(s, '@');
    size_t n = at ? (size_t)(at - s) : strlen(s);
    unsigned char bin[16];
    unsigned long port = 0;

    if (n == 0 || n >= sizeof(a))
        return 0;
    memcpy(a, s, n);
    a[n] = '\0';
    if (inet_pton(AF_INET, a, bin) != 1 && inet_pton(AF_INET6, a, bin) != 1)
        return 0;
    if (at) {
        const char *p;

        for (p = at + 1; *p >= '0' && *p <= '9' && port <= 65535; p++)
            port = port * 10 + (unsigned long)(*p - '0');
        if (p == at + 1 || *p || port == 0 || port > 65535)
            return 0;
    }
    return 1;
}

int sdx_resolver_new(const struct sdx_resolver_conf *c, struct sdx_resolver **out, char *err, size_t cap)
{
    static const struct sdx_resolver_conf defaults;
    static const char *const passed[] = {
        "test.", "2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.",
        "8.b.d.0.1.0.0.2.ip6.arpa.",
    };
    struct sdx_resolver *res;
    size_t i;
    const char *ta;
    int e;

    *out = NULL;
    err[0] = '\0';
    if (c == NULL)
        c = &defaults;
    if (c->server && !server_ok(c->server)) {
        snprintf(err, cap, "not a resolver address: '%.64s' (ADDR or ADDR@PORT, an IP address)", c->server);
        return SDX_EINVAL;
    }
    if ((res = calloc(1, sizeof(*res))) == NULL || (res->ctx = ub_ctx_create()) == NULL) {
        free(res);
        return SDX_ENOMEM;
    }
    res->cache = calloc(CACHE_SLOTS, sizeof(*res->cache));     /* none when out of memory: slower, not wrong */
    /* the resolver asked may listen on loopback (systemd-resolved's
     * 127.0.0.53, a local unbound, the tests' servers): libunbound refuses
     * to send there unless told */
    (void)ub_ctx_set_option(res->ctx, "do-not-query-localhost:", "no");
    /* a server that does not answer: libunbound's own back-off lets one
     * question wait 17 s; capping the round-trip estimate at 2 s ends it
     * in about 5 s with SERVFAIL (measured against a silent loopback
     * listener) */
    (void)ub_ctx_set_option(res->ctx, "infra-cache-max-rtt:", "2000");
    /* the parallel questions (sdx_resolver_ask_all) in a thread, not a
     * forked process */
    (void)ub_ctx_async(res->ctx, 1);
    /* libunbound keeps 16 questions outstanding by default (its
     * outgoing-range) and holds the rest until answers come: 20 blocklists
     * would take two round trips (measured with 200 ms answers). The
     * sockets are the worker thread's, set up once. */
    (void)ub_ctx_set_option(res->ctx, "num-queries-per-thread:", "1024");
    (void)ub_ctx_set_option(res->ctx, "outgoing-range:", "1024");
    if (c->server)
        e = ub_ctx_set_fwd(res->ctx, c->server);
    else
        e = ub_ctx_resolvconf(res->ctx, c->resolv_conf);
    if (e != 0) {
        snprintf(err, cap, "%s: %s", c->server ? c->server : c->resolv_conf ? c->resolv_conf : "/etc/resolv.conf",
                 ub_strerror(e));
        goto fail;
    }
    ta = c->trust_anchor;
    if (ta == NULL && access(SDX_ROOT_KEY, R_OK) == 0)
        ta = SDX_ROOT_KEY;
    if (ta && strcmp(ta, "none") != 0) {
        if (access(ta, R_OK) != 0) {
            snprintf(err, cap, "trust anchor %.200s: %s", ta, strerror(errno));
            goto fail;
        }
        if ((e = ub_ctx_add_ta_file(res->ctx, ta)) != 0) {
            snprintf(err, cap, "trust anchor %.200s: %s", ta, ub_strerror(e));
            goto fail;
        }
        snprintf(res->anchor, sizeof(res->anchor), "%s", ta);
        /* the root proves test. absent; the resolver asked may serve it
         * (test networks, this project's tests): its answers are then
         * insecure, not bogus. An anchor given for a zone below test.
         * (the tests' dane.test) is closer and still applies. */
        if (c->trust_anchor == NULL)
            (void)ub_ctx_set_option(res->ctx, "domain-insecure:", "test.");
    }
    /* libunbound answers the reverse zones of private addresses (RFC 1918,
     * RFC 6303) NXDOMAIN itself; a site's resolver often serves them, and
     * a relay's PTR is exactly what a mail administrator asks about: let
     * the question through to the server asked */
    (void)ub_ctx_set_option(res->ctx, "unblock-lan-zones:", "yes");
    (void)ub_ctx_set_option(res->ctx, "insecure-lan-zones:", "yes");
    /* the same for names under "test." (RFC 6761) and the documentation
     * ranges' reverse zones (RFC 5737, RFC 3849), which test networks
     * serve, this project's tests included. Last: ub_ctx_zone_add
     * finalizes the context, after which the options above are refused. */
    for (i = 0; i < sizeof(passed) / sizeof(passed[0]); i++)
        (void)ub_ctx_zone_add(res->ctx, passed[i], "transparent");
    *out = res;
    return 0;
fail:
    ub_ctx_delete(res->ctx);
    free(res->cache);
    free(res);
    return SDX_EINVAL;
}

void sdx_resolver_free(struct sdx_resolver *res)
{
    size_t i;

    if (res) {
        for (i = 0; res->cache && i < CACHE_SLOTS; i++)
            if (res->cache[i].r)
                ub_resolve_free(res->cache[i].r);
        free(res->cache);
        ub_ctx_delete(res->ctx);
        free(res);
    }
}

const char *sdx_resolver_anchor(const struct sdx_resolver *res)
{
    return res->anchor[0] ? res->anchor : NULL;
}

struct ub_ctx *sdx_resolver_ctx(struct sdx_resolver *res)
{
    return res->ctx;
}

enum sdx_dnssec sdx_resolver_security(const struct ub_result *r)
{
    return r->secure ? SDX_DNSSEC_SECURE : r->bogus ? SDX_DNSSEC_BOGUS : SDX_DNSSEC_INSECURE;
}

static const char *type_name(int type)
{
    switch (type) {
    case 1:  return "A";
    case 12: return "PTR";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 52: return "TLSA";
    default: return "RR";
    }
}

/* copy_result - a deep copy of r that ub_resolve_free() frees (each part
 * malloc'd, as libunbound's own are), or NULL */
static struct ub_result *copy_result(const struct ub_result *r)
{
    struct ub_result *c = calloc(1, sizeof(*c));
    size_t n = 0, i;

    if (c == NULL)
        return NULL;
    *c = *r;
    c->qname = c->canonname = NULL, c->data = NULL, c->len = NULL, c->answer_packet = NULL, c->why_bogus = NULL;
    c->answer_len = 0;
    while (r->data && r->data[n])
        n++;
    if ((r->qname && (c->qname = strdup(r->qname)) == NULL) ||
        (c->data = calloc(n + 1, sizeof(char *))) == NULL || (c->len = calloc(n + 1, sizeof(int))) == NULL)
        goto fail;
    c->canonname = r->canonname && r->canonname != r->qname ? strdup(r->canonname) : c->qname;
    if (r->canonname && c->canonname == NULL)
        goto fail;
    for (i = 0; i < n; i++) {
        if ((c->data[i] = malloc(r->len[i] > 0 ? (size_t)r->len[i] : 1)) == NULL)
            goto fail;
        memcpy(c->data[i], r->data[i], r->len[i] > 0 ? (size_t)r->len[i] : 0);
        c->len[i] = r->len[i];
    }
    return c;
fail:
    ub_resolve_free(c);
    return NULL;
}

static unsigned cache_slot(const char *name, int type)
{
    unsigned h = 2166136261u ^ (unsigned)type;

    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 16777619u;
    return h & (CACHE_SLOTS - 1);
}

/* cache_key - name in lower case without its trailing dot; 0, or -1 when
 * too long to cache */
static int cache_key(const char *name, char *key)
{
    size_t i, n = strlen(name);

    if (n && name[n - 1] == '.')
        n--;
    if (n >= 256)
        return -1;
    for (i = 0; i < n; i++)
        key[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    key[n] = '\0';
    return 0;
}

static long long mono_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec;
}

/* cache_get - a copy of a live answer to (key, type), or NULL */
static struct ub_result *cache_get(struct sdx_resolver *res, const char *key, int type)
{
    struct cached *e;

    if (res->cache == NULL)
        return NULL;
    e = &res->cache[cache_slot(key, type)];
    if (e->r == NULL || e->type != type || strcmp(e->name, key) != 0 || e->until < mono_s())
        return NULL;
    return copy_result(e->r);
}

/* cache_put - keep a copy of r, an answer or a "no such record", for its
 * TTL; one entry per slot, the newest wins. Bogus answers and errors are
 * not kept. */
static void cache_put(struct sdx_resolver *res, const char *key, int type, const struct ub_result *r)
{
    struct cached *e;
    struct ub_result *c;

    if (res->cache == NULL || r->bogus || (r->rcode != 0 && !r->nxdomain) || r->ttl <= 0 ||
        (c = copy_result(r)) == NULL)
        return;
    e = &res->cache[cache_slot(key, type)];
    if (e->r)
        ub_resolve_free(e->r);
    snprintf(e->name, sizeof(e->name), "%s", key);
    e->type = type;
    e->until = mono_s() + r->ttl;
    e->r = c;
}

int sdx_resolver_ask(struct sdx_resolver *res, const char *name, int type, struct ub_result **out, char *err,
                     size_t cap)
{
    struct sdx_question q = { name, type, NULL, 0 };
    struct ub_result *r;

    /* asynchronous, answered by the resolver's worker thread: libunbound's
     * synchronous ub_resolve sets up a whole worker (its outgoing sockets
     * included) for every question, cache hits too: 16x slower over the
     * SPF suite (bench/bench_spf.sh, REPEAT=20). The round-trip cap set in
     * sdx_resolver_new ends a silent server in about 5 s; the 20 s here
     * is a backstop. */
    char key[256];
    int cacheable = cache_key(name, key) == 0;

    *out = NULL;
    if (cacheable && (r = cache_get(res, key, type)) != NULL) {
        *out = r;                       /* kept answers are never errors */
        return 0;
    }
    if (sdx_resolver_ask_all(res, &q, 1, 20000) != 0 || q.err != 0 || q.result == NULL) {
        snprintf(err, cap, "%s %.253s: %s", type_name(type), name,
                 q.err == -1 ? "no answer in time" : q.err ? ub_strerror(q.err) : "the resolver failed");
        if (q.result)
            ub_resolve_free(q.result);
        return SDX_EDNS;
    }
    r = q.result;
    if (cacheable)
        cache_put(res, key, type, r);
    /* SERVFAIL and the like are failures, never "no record"; a bogus
     * answer comes back as SERVFAIL with the reason in why_bogus */
    if (r->bogus) {
        *out = r;
        return 0;
    }
    if (r->rcode != 0 && !r->nxdomain) {
        snprintf(err, cap, "%s %.253s: %s", type_name(type), name,
                 r->rcode == 2 ? "SERVFAIL, or no answer in time" :
                 r->rcode == 5 ? "the server answered REFUSED" : "the server answered an error");
        ub_resolve_free(r);
        return SDX_EDNS;
    }
    *out = r;
    return 0;
}

int sdx_resolver_address(struct sdx_resolver *res, const char *host, char *out, size_t cap, enum sdx_dnssec *sec,
                         char *err, size_t errcap)
{
    int t;

    out[0] = '\0';
    *sec = SDX_DNSSEC_INSECURE;
    for (t = 0; t < 2; t++) {
        struct ub_result *r;
        int rc = sdx_resolver_ask(res, host, t ? RR_AAAA : RR_A, &r, err, errcap);

        if (rc != 0)
            return rc;
        *sec = sdx_resolver_security(r);
        if (*sec == SDX_DNSSEC_BOGUS) {
            snprintf(err, errcap, "%s %.253s: DNSSEC validation failed (bogus): %s", t ? "AAAA" : "A", host,
                     r->why_bogus ? r->why_bogus : "no reason given");
            ub_resolve_free(r);
            return SDX_EDNS;
        }
        if (r->havedata && r->data[0] && r->len[0] == (t ? 16 : 4)) {
            inet_ntop(t ? AF_INET6 : AF_INET, r->data[0], out, (socklen_t)cap);
            ub_resolve_free(r);
            return 1;
        }
        ub_resolve_free(r);
    }
    return 0;
}

struct waiting {
    struct sdx_question *q;
    size_t              *left;
    int                  id, done;
};

static void answered(void *arg, int err, struct ub_result *result)
{
    struct waiting *w = arg;

    w->done = 1;
    w->q->err = err;
    w->q->result = result;
    (*w->left)--;
}

static long long mono_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int sdx_resolver_ask_all(struct sdx_resolver *res, struct sdx_question *q, size_t n, int timeout_ms)
{
    struct waiting *w = calloc(n ? n : 1, sizeof(*w));
    long long until = mono_ms() + timeout_ms;
    size_t i, left = 0;
    int rc = 0;

    if (w == NULL)
        return SDX_ENOMEM;
    for (i = 0; i < n; i++) {
        q[i].result = NULL;
        q[i].err = -1;
        w[i].q = &q[i];
        w[i].left = &left;
        if (ub_resolve_async(res->ctx, q[i].name, q[i].type, 1, &w[i], answered, &w[i].id) == 0) {
            left++;
        } else {
            w[i].done = 1;
            q[i].err = UB_SYNTAX;
        }
    }
    while (left > 0) {
        struct pollfd pf = { ub_fd(res->ctx), POLLIN, 0 };
        long long wait = until - mono_ms();

        if (wait <= 0)
            break;
        if (poll(&pf, 1, (int)wait) < 0 && errno != EINTR) {
            rc = SDX_EDNS;
            break;
        }
        if (ub_process(res->ctx) != 0) {
            rc = SDX_EDNS;
            break;
        }
    }
    for (i = 0; i < n; i++)
        if (!w[i].done)
            (void)ub_cancel(res->ctx, w[i].id);
    free(w);
    return rc;
}
