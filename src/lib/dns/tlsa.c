/* tlsa.c - TLSA records of a mail host, judged as RFC 7672 says (dane.h).
 * The certificate matching is OpenSSL's (probe.c); this file decides
 * whether DANE applies and which records count. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "smtpdx/dane.h"
#include "resolver_int.h"

#define RR_TLSA 52

const char *sdx_dane_state_name(enum sdx_dane_state s)
{
    static const char *const n[] = {
#define X(e, name, text) name,
        SDX_DANE_STATES(X)
#undef X
    };

    return (unsigned)s < SDX_DANE_STATE_COUNT ? n[s] : "unknown";
}

const char *sdx_dane_state_text(enum sdx_dane_state s)
{
    static const char *const t[] = {
#define X(e, name, text) text,
        SDX_DANE_STATES(X)
#undef X
    };

    return (unsigned)s < SDX_DANE_STATE_COUNT ? t[s] : "";
}

const char *sdx_dane_usage_name(unsigned usage)
{
    static const char *const n[] = { "PKIX-TA", "PKIX-EE", "DANE-TA", "DANE-EE" };

    return usage < 4 ? n[usage] : "unknown";
}

int sdx_tlsa_usable(const struct sdx_tlsa *t)
{
    if (t->usage != 2 && t->usage != 3)
        return 0;
    if (t->selector > 1)
        return 0;
    switch (t->mtype) {
    case 0:  return t->len > 0;
    case 1:  return t->len == 32;
    case 2:  return t->len == 64;
    default: return 0;
    }
}

void sdx_tlsa_from_rdata(char *const *data, const int *len, size_t count, struct sdx_tlsa_result *r)
{
    size_t i;

    for (i = 0; i < count; i++) {
        const unsigned char *p = (const unsigned char *)data[i];
        struct sdx_tlsa *t;

        /* usage, selector, matching type, then at least one byte of data */
        if (len[i] < 4 || (size_t)len[i] - 3 > SDX_TLSA_DATA_MAX || r->n == SDX_TLSA_MAX) {
            r->skipped++;
            continue;
        }
        t = &r->rr[r->n++];
        t->usage = p[0];
        t->selector = p[1];
        t->mtype = p[2];
        t->len = (size_t)len[i] - 3;
        memcpy(t->data, p + 3, t->len);
        if (sdx_tlsa_usable(t))
            r->usable++;
    }
    if (r->n)
        r->state = r->usable ? SDX_DANE_USABLE : SDX_DANE_UNUSABLE;
}

int sdx_tlsa_lookup(struct sdx_resolver *rs, const char *host, unsigned port, struct sdx_tlsa_result *r)
{
    unsigned char bin[16];
    struct ub_result *res;
    enum sdx_dnssec sec;
    size_t hl;
    int rc;

    memset(r, 0, sizeof(*r));
    if (host == NULL || (hl = strlen(host)) == 0 || hl > 253 || port == 0 || port > 65535)
        return SDX_EINVAL;
    if (inet_pton(AF_INET, host, bin) == 1 || inet_pton(AF_INET6, host, bin) == 1) {
        snprintf(r->error, sizeof(r->error), "an address literal has no TLSA records: DANE needs a host name");
        return 0;                       /* OFF */
    }
    snprintf(r->qname, sizeof(r->qname), "_%u._tcp.%s", port, host);
    /* RFC 7672 section 2.2.2: the host's address records must be secure,
     * or its name may be an attacker's and its TLSA records mean nothing */
    rc = sdx_resolver_address(rs, host, r->address, sizeof(r->address), &sec, r->error, sizeof(r->error));
    if (rc < 0) {
        r->state = sec == SDX_DNSSEC_BOGUS ? SDX_DANE_BOGUS : SDX_DANE_ERROR;
        return 0;
    }
    if (rc == 0) {
        r->state = SDX_DANE_ERROR;
        snprintf(r->error, sizeof(r->error), "%.253s has no address", host);
        return 0;
    }
    if (sdx_resolver_anchor(rs) == NULL) {
        r->state = SDX_DANE_INSECURE;
        snprintf(r->error, sizeof(r->error), "no DNSSEC trust anchor (--trust-anchor none, or no %s): nothing "
                 "validates", SDX_ROOT_KEY);
        return 0;
    }
    if (sec != SDX_DNSSEC_SECURE) {
        r->state = SDX_DANE_INSECURE;
        snprintf(r->error, sizeof(r->error), "the address of %.253s is not DNSSEC-validated: no TLSA lookup "
                 "(RFC 7672 section 2.2.2)", host);
        return 0;
    }
    if (sdx_resolver_ask(rs, r->qname, RR_TLSA, &res, r->error, sizeof(r->error)) != 0) {
        r->state = SDX_DANE_ERROR;
        return 0;
    }
    sec = sdx_resolver_security(res);
    if (sec == SDX_DNSSEC_BOGUS) {
        r->state = SDX_DANE_BOGUS;
        snprintf(r->error, sizeof(r->error), "TLSA %.200s: %.200s", r->qname,
                 res->why_bogus ? res->why_bogus : "DNSSEC validation failed");
    } else if (sec == SDX_DNSSEC_INSECURE) {
        r->state = SDX_DANE_INSECURE;
        snprintf(r->error, sizeof(r->error), "the TLSA answer for %.253s is not DNSSEC-validated (the zone is not "
                 "signed, or not below the trust anchor)", r->qname);
    } else if (!res->havedata) {
        r->state = SDX_DANE_NONE;
    } else {
        size_t count = 0;

        while (res->data[count])
            count++;
        sdx_tlsa_from_rdata(res->data, res->len, count, r);
        if (r->n == 0) {
            r->state = SDX_DANE_UNUSABLE;
            snprintf(r->error, sizeof(r->error), "%zu TLSA records, none readable", r->skipped);
        }
    }
    ub_resolve_free(res);
    return 0;
}
