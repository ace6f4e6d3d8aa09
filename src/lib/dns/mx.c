/* mx.c - MX records of a domain, read as RFC 5321 section 5.1 and RFC 7505
 * say (mx.h); libunbound asks, this file reads the answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unbound.h>
#include "smtpdx/mx.h"
#include "dnswire.h"
#include "resolver_int.h"

#define RR_MX   15

const char *sdx_mx_kind_name(enum sdx_mx_kind k)
{
    static const char *const n[] = { "mx", "implicit-mx", "null-mx", "nxdomain", "no-mail-host", "error" };

    return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "unknown";
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
        if (dns_name(p + 2, (size_t)len[i] - 2, m->host, sizeof(m->host), 1) == 0)
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

int sdx_mx_resolve(struct sdx_resolver *rs, const char *domain, struct sdx_mx_result *r)
{
    struct ub_result *res = NULL;
    char addr[64];
    enum sdx_dnssec sec;
    size_t dl;
    int rc;

    memset(r, 0, sizeof(*r));
    if (domain == NULL || (dl = strlen(domain)) == 0 || dl > 253)
        return SDX_EINVAL;
    if (sdx_resolver_ask(rs, domain, RR_MX, &res, r->error, sizeof(r->error)) != 0) {
        r->kind = SDX_MX_ERROR;
        return 0;
    }
    r->secure = res->secure;
    if (res->bogus) {
        snprintf(r->error, sizeof(r->error), "MX %.80s: DNSSEC validation failed (bogus): %.120s", domain,
                 res->why_bogus ? res->why_bogus : "no reason given");
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
        rc = sdx_resolver_address(rs, domain, addr, sizeof(addr), &sec, r->error, sizeof(r->error));
        if (rc < 0) {
            r->kind = SDX_MX_ERROR;
        } else if (rc == 1) {
            r->kind = SDX_MX_IMPLICIT;
            snprintf(r->mx[0].host, sizeof(r->mx[0].host), "%s", domain);
            r->n = 1;
        }
    }
    return 0;
}

int sdx_mx_lookup(const char *domain, const char *resolv_conf, struct sdx_mx_result *r)
{
    struct sdx_resolver_conf c = { NULL, resolv_conf, NULL };
    struct sdx_resolver *rs;
    int rc;

    memset(r, 0, sizeof(*r));
    if (domain == NULL || domain[0] == '\0' || strlen(domain) > 253)
        return SDX_EINVAL;
    if ((rc = sdx_resolver_new(&c, &rs, r->error, sizeof(r->error))) != 0) {
        if (rc == SDX_ENOMEM)
            return rc;
        r->kind = SDX_MX_ERROR;
        return 0;
    }
    rc = sdx_mx_resolve(rs, domain, r);
    sdx_resolver_free(rs);
    return rc;
}
