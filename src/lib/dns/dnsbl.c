/* dnsbl.c - DNS blocklists asked all at once, answers decoded (dnsbl.h) */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/dnsbl.h"
#include "dnswire.h"
#include "resolver_int.h"

#define RR_A   1
#define RR_TXT 16

/* widely used public lists; the zones are the lists' own documented
 * query zones (RFC 5782 form). Spamhaus's codes are decoded; for the
 * others any 127.0.0.2-127.0.0.255 answer is a listing. */
static const struct sdx_dnsbl_list defaults[] = {
    { "Spamhaus ZEN",       "zen.spamhaus.org",        SDX_DNSBL_IP,     1 },
    { "Spamhaus DBL",       "dbl.spamhaus.org",        SDX_DNSBL_DOMAIN, 1 },
    { "Barracuda",          "b.barracudacentral.org",  SDX_DNSBL_IP,     0 },
    { "SpamCop",            "bl.spamcop.net",          SDX_DNSBL_IP,     0 },
    { "PSBL",               "psbl.surriel.com",        SDX_DNSBL_IP,     0 },
    { "Mailspike",          "bl.mailspike.net",        SDX_DNSBL_IP,     0 },
    { "UCEPROTECT level 1", "dnsbl-1.uceprotect.net",  SDX_DNSBL_IP,     0 },
    { "s5h",                "all.s5h.net",             SDX_DNSBL_IP,     0 },
    { "SURBL multi",        "multi.surbl.org",         SDX_DNSBL_DOMAIN, 0 },
    { "URIBL multi",        "multi.uribl.com",         SDX_DNSBL_DOMAIN, 0 },
};

const struct sdx_dnsbl_list *sdx_dnsbl_defaults(size_t *n)
{
    *n = sizeof(defaults) / sizeof(defaults[0]);
    return defaults;
}

const char *sdx_dnsbl_state_name(enum sdx_dnsbl_state s)
{
    static const char *const n[] = { "not-listed", "listed", "refused-query", "bogus-answer", "error", "skipped" };

    return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "unknown";
}

/* Spamhaus's return codes (Spamhaus's zone documentation, "Spamhaus DNSBL
 * return codes" in ANCHORS.md) */
static const struct {
    unsigned char c2, c3;
    int           listing;
    const char   *meaning;
} spamhaus[] = {
    { 0, 2,     1, "SBL: a verified spam source or operation" },
    { 0, 3,     1, "CSS: an automated listing of a spam-sending IP" },
    { 0, 4,     1, "XBL: an exploited host (malware, proxy, bot)" },
    { 0, 9,     1, "DROP: a hijacked or criminal netblock" },
    { 0, 10,    1, "PBL: an end-user range the ISP says should not send mail directly" },
    { 0, 11,    1, "PBL: an end-user range, by Spamhaus" },
    { 0, 20,    1, "AuthBL: an IP seen abusing SMTP AUTH" },
    { 0, 30,    1, "BCL: a botnet controller" },
    { 1, 2,     1, "DBL: a domain of low reputation (spam)" },
    { 1, 4,     1, "DBL: a phishing domain" },
    { 1, 5,     1, "DBL: a malware domain" },
    { 1, 6,     1, "DBL: a botnet controller domain" },
    { 1, 102,   1, "DBL: an abused legitimate domain (spam)" },
    { 1, 103,   1, "DBL: an abused legitimate redirector" },
    { 1, 104,   1, "DBL: an abused legitimate domain (phishing)" },
    { 1, 105,   1, "DBL: an abused legitimate domain (malware)" },
    { 1, 106,   1, "DBL: an abused legitimate domain (botnet C&C)" },
    { 1, 255,   0, "an IP address was asked of a domain list: no verdict" },
    { 255, 252, 0, "typo in the list's zone name: no verdict" },
    { 255, 254, 0, "queried through a public or open resolver (or one Spamhaus cannot identify): no verdict; "
                   "use your own resolver or Spamhaus's DQS" },
    { 255, 255, 0, "too many queries from this resolver: no verdict" },
};

int sdx_dnsbl_decode(const struct sdx_dnsbl_list *l, const unsigned char c[4], const char **meaning)
{
    size_t i;

    if (c[0] != 127) {
        *meaning = "an answer outside 127.0.0.0/8: no DNSBL answer (a list that has shut down answers every "
                   "query); not a listing";
        return -1;
    }
    if (l->spamhaus) {
        /* 127.0.X.Y for listings, 127.255.255.Y for errors */
        for (i = 0; i < sizeof(spamhaus) / sizeof(spamhaus[0]); i++)
            if (spamhaus[i].c2 == c[2] && spamhaus[i].c3 == c[3] && c[1] == (spamhaus[i].c2 == 255 ? 255 : 0)) {
                *meaning = spamhaus[i].meaning;
                return spamhaus[i].listing;
            }
        if (c[1] == 255 && c[2] == 255) {
            *meaning = "an error code of the list: no verdict";
            return 0;
        }
        *meaning = c[2] == 2 ? "ZRD: a domain first seen in the last 24 hours" : "listed (a code Spamhaus adds)";
        return 1;
    }
    /* RFC 5782 section 2.1: 127.0.0.2 is the test entry, 127.0.0.1 is not
     * a listing (lists answer it for refused queries, e.g. URIBL) */
    if (c[1] == 0 && c[2] == 0 && c[3] == 1) {
        *meaning = "127.0.0.1: the list refused the query (a public resolver, or over its limit): no verdict";
        return 0;
    }
    if (c[1] == 255 && c[2] == 255) {
        *meaning = "an error code of the list: no verdict";
        return 0;
    }
    *meaning = "listed";
    return 1;
}

int sdx_dnsbl_query_name(const char *target, const struct sdx_dnsbl_list *l, char *out, size_t cap)
{
    unsigned char b[16];
    int v4 = inet_pton(AF_INET, target, b) == 1, v6 = !v4 && inet_pton(AF_INET6, target, b) == 1;
    size_t tl = strlen(target);

    if ((v4 || v6) != (l->kind == SDX_DNSBL_IP))
        return SDX_EINVAL;
    if (v4 || v6) {
        if (dns_reverse(b, v6, l->zone, out, cap) != 0)
            return SDX_EINVAL;
    } else {
        if (tl && target[tl - 1] == '.')
            tl--;
        if (tl == 0 || tl > 253 || strchr(target, ' ') ||
            (size_t)snprintf(out, cap, "%.*s.%s", (int)tl, target, l->zone) >= cap)
            return SDX_EINVAL;
    }
    return strlen(out) > 253 ? SDX_EINVAL : 0;
}

int sdx_dnsbl_check(struct sdx_resolver *rs, const char *const *targets, size_t ntargets,
                    const struct sdx_dnsbl_list *lists, size_t nlists, int timeout_ms, struct sdx_dnsbl_result *res)
{
    struct sdx_question *q;
    size_t t, l, n = 0, k, i, j;
    int rc;

    if (ntargets > SDX_DNSBL_TARGETS_MAX || nlists > SDX_DNSBL_LISTS_MAX)
        return SDX_EINVAL;
    if ((q = calloc(ntargets * nlists * 2 + 1, sizeof(*q))) == NULL)
        return SDX_ENOMEM;
    /* the A and the TXT question of every target and list, all at once:
     * one round trip for the verdicts and the lists' reasons together (a
     * second round for the reasons of listings would double the time) */
    for (t = 0; t < ntargets; t++)
        for (l = 0; l < nlists; l++) {
            struct sdx_dnsbl_result *r = &res[t * nlists + l];

            memset(r, 0, sizeof(*r));
            r->list = &lists[l];
            if (sdx_dnsbl_query_name(targets[t], &lists[l], r->query, sizeof(r->query)) != 0) {
                r->state = SDX_DNSBL_SKIPPED;
                continue;
            }
            q[n].name = r->query, q[n].type = RR_A;
            q[n + 1].name = r->query, q[n + 1].type = RR_TXT;
            n += 2;
        }
    if ((rc = sdx_resolver_ask_all(rs, q, n, timeout_ms)) != 0) {
        for (k = 0; k < n; k++)
            if (q[k].result)
                ub_resolve_free(q[k].result);
        free(q);
        return rc;
    }
    for (i = 0, k = 0; i < ntargets * nlists; i++) {
        struct sdx_dnsbl_result *r = &res[i];
        struct ub_result *a, *txt;

        if (r->state == SDX_DNSBL_SKIPPED)
            continue;
        a = q[k].result, txt = q[k + 1].result;
        if (q[k].err != 0 || a == NULL) {
            r->state = SDX_DNSBL_ERROR;
            snprintf(r->error, sizeof(r->error), "%s", q[k].err == -1 ? "no answer in time" : ub_strerror(q[k].err));
        } else if (a->rcode != 0 && !a->nxdomain) {
            r->state = SDX_DNSBL_ERROR;
            snprintf(r->error, sizeof(r->error), "the server answered %s", a->rcode == 2 ? "SERVFAIL" :
                     a->rcode == 5 ? "REFUSED" : "an error");
        } else if (!a->havedata) {
            r->state = SDX_DNSBL_NOT_LISTED;
        } else {
            int listing = 0, refused = 0, bogus = 0;

            for (j = 0; a->data[j] && r->nans < SDX_DNSBL_ANSWERS_MAX; j++) {
                struct sdx_dnsbl_answer *x = &r->ans[r->nans];
                int d;

                if (a->len[j] != 4)
                    continue;
                memcpy(x->code, a->data[j], 4);
                d = sdx_dnsbl_decode(r->list, x->code, &x->meaning);
                listing |= d == 1, refused |= d == 0, bogus |= d == -1;
                r->nans++;
            }
            r->state = bogus ? SDX_DNSBL_BOGUS_ANSWER : refused ? SDX_DNSBL_REFUSED_QUERY :
                       listing ? SDX_DNSBL_LISTED : SDX_DNSBL_NOT_LISTED;
        }
        /* the list's reason, kept for a listing only */
        if (r->state == SDX_DNSBL_LISTED && txt && txt->havedata && txt->data[0])
            dns_txt((const unsigned char *)txt->data[0], (size_t)txt->len[0], r->reason, sizeof(r->reason));
        if (a)
            ub_resolve_free(a);
        if (txt)
            ub_resolve_free(txt);
        k += 2;
    }
    free(q);
    return 0;
}
