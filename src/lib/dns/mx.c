/* mx.c - MX records of a domain, read as RFC 5321 section 5.1 and RFC 7505
 * say (mx.h); libunbound asks, this file reads the answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unbound.h>
#include "smtpdx/mx.h"

#define RR_A    1
#define RR_MX   15
#define RR_AAAA 28

const char *sdx_mx_kind_name(enum sdx_mx_kind k)
{
    static const char *const n[] = { "mx", "implicit-mx", "null-mx", "nxdomain", "no-mail-host", "error" };

    return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "unknown";
}

/* wire_name - a domain name in wire format (no compression) at p[0..n) into
 * out, dotted, without the root's dot ("" for the root); bytes used, or 0
 * when it does not parse */
static size_t wire_name(const unsigned char *p, size_t n, char *out, size_t cap)
{
    size_t i = 0, o = 0;

    out[0] = '\0';
    while (i < n) {
        size_t l = p[i++], k;

        if (l == 0)
            return i;
        if (l > 63 || i + l > n || o + l + 2 > cap)
            return 0;
        if (o)
            out[o++] = '.';
        for (k = 0; k < l; k++) {
            unsigned char c = p[i + k];

            /* a host name: letters, digits, hyphen, underscore; anything else is refused */
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_'))
                return 0;
            out[o++] = (char)c;
        }
        out[o] = '\0';
        i += l;
    }
    return 0;                           /* no root label: cut */
}

static int by_pref(const void *a, const void *b)
{
    const struct sdx_mx *x = a, *y = b;

    return x->pref < y->pref ? -1 : x->pref > y->pref;
}

void sdx_mx_from_rdata(char *const *data, const int *len, size_t count, struct sdx_mx_result *r)
{
    size_t i, k;

    r->n = 0;
    for (i = 0; i < count && r->n < SDX_MX_MAX; i++) {
        const unsigned char *p = (const unsigned char *)data[i];
        struct sdx_mx *m = &r->mx[r->n];

        if (len[i] < 3)
            continue;
        m->pref = (unsigned)p[0] << 8 | p[1];
        if (wire_name(p + 2, (size_t)len[i] - 2, m->host, sizeof(m->host)) == 0)
            continue;
        r->n++;
    }
    /* a stable sort: equal preferences keep the answer's order */
    for (i = 1; i < r->n; i++)
        for (k = i; k > 0 && by_pref(&r->mx[k - 1], &r->mx[k]) > 0; k--) {
            struct sdx_mx t = r->mx[k - 1];

            r->mx[k - 1] = r->mx[k];
            r->mx[k] = t;
        }
    /* RFC 7505 section 3: a single MX with an empty name and preference 0 */
    if (r->n == 1 && r->mx[0].host[0] == '\0' && r->mx[0].pref == 0)
        r->kind = SDX_MX_NULL;
    else
        r->kind = r->n ? SDX_MX_FOUND : SDX_MX_NONE;
}

int sdx_mx_lookup(const char *domain, const char *resolv_conf, struct sdx_mx_result *r)
{
    struct ub_ctx *ctx;
    struct ub_result *res = NULL;
    int err, has_addr = 0, t;
    size_t dl;

    memset(r, 0, sizeof(*r));
    if (domain == NULL || (dl = strlen(domain)) == 0 || dl > 253)
        return SDX_EINVAL;
    if ((ctx = ub_ctx_create()) == NULL)
        return SDX_ENOMEM;
    /* the system's resolver answers, wherever it listens: libunbound would
     * refuse 127.0.0.1 and 127.0.0.53 (systemd-resolved) by default */
    (void)ub_ctx_set_option(ctx, "do-not-query-localhost:", "no");
    if ((err = ub_ctx_resolvconf(ctx, resolv_conf)) != 0) {
        snprintf(r->error, sizeof(r->error), "reading %s: %s", resolv_conf ? resolv_conf : "/etc/resolv.conf",
                 ub_strerror(err));
        r->kind = SDX_MX_ERROR;
        ub_ctx_delete(ctx);
        return 0;
    }
    /* libunbound answers names under "test." (RFC 6761) NXDOMAIN itself;
     * the resolver asked may serve them (test networks, this project's own
     * tests): let the question through (after resolvconf, which must come
     * before the context is finalized) */
    (void)ub_ctx_zone_add(ctx, "test.", "transparent");
    if ((err = ub_resolve(ctx, domain, RR_MX, 1, &res)) != 0) {
        snprintf(r->error, sizeof(r->error), "MX %s: %s", domain, ub_strerror(err));
        r->kind = SDX_MX_ERROR;
        ub_ctx_delete(ctx);
        return 0;
    }
    r->secure = res->secure;
    if (res->rcode != 0 && !res->nxdomain) {
        snprintf(r->error, sizeof(r->error), "MX %s: the server answered rcode %d", domain, res->rcode);
        r->kind = SDX_MX_ERROR;
    } else if (res->nxdomain) {
        r->kind = SDX_MX_NXDOMAIN;
    } else if (res->havedata) {
        size_t count = 0;

        while (res->data[count])
            count++;
        sdx_mx_from_rdata(res->data, res->len, count, r);
    } else {
        r->kind = SDX_MX_NONE;          /* no MX: look for the implicit one */
    }
    ub_resolve_free(res);
    if (r->kind == SDX_MX_NONE) {
        for (t = 0; t < 2 && !has_addr; t++) {
            res = NULL;
            if (ub_resolve(ctx, domain, t ? RR_AAAA : RR_A, 1, &res) == 0 && res->havedata)
                has_addr = 1;
            if (res)
                ub_resolve_free(res);
        }
        if (has_addr) {
            r->kind = SDX_MX_IMPLICIT;
            snprintf(r->mx[0].host, sizeof(r->mx[0].host), "%s", domain);
            r->n = 1;
        }
    }
    ub_ctx_delete(ctx);
    return 0;
}
