/* check.c - the findings of `smtpdx check` for MX, reverse DNS, DANE and
 * blocklists, and the report they go into (check.h); SPF, DKIM, DMARC,
 * TLS-RPT and MTA-STS are in check_auth.c */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "smtpdx/check.h"
#include "smtpdx/dane.h"
#include "smtpdx/dnsbl.h"
#include "smtpdx/mx.h"
#include "check_int.h"
#include "../dns/dnswire.h"

/* receivers' documented replies (ANCHORS.md: Gmail's and Microsoft's
 * published texts) */
#define REF_PTR "Gmail: 550 5.7.25 (the sending IP has no PTR record, or its name does not point back); " \
                "Outlook.com: 550 5.7.25 for IPv6 without reverse DNS"
#define REF_DNSBL "554 5.7.1 Service unavailable; Client host blocked using the list (Postfix's " \
                  "reject_rbl_client); Yahoo [BL21]/[BL23] for Spamhaus SBL/XBL"

const char *sdx_check_level_name(enum sdx_check_level l)
{
    static const char *const n[] = { "pass", "info", "warn", "fail" };

    return (unsigned)l < 4 ? n[l] : "unknown";
}

int check_add(struct sdx_check_report *rep, enum sdx_check_level l, const char *area, const char *subject,
              const char *refusal, const char *fmt, ...)
{
    struct sdx_finding *f;
    va_list ap;

    if (rep->n == rep->cap) {
        size_t cap = rep->cap ? rep->cap * 2 : 32;
        struct sdx_finding *nf = realloc(rep->f, cap * sizeof(*nf));

        if (nf == NULL)
            return SDX_ENOMEM;
        rep->f = nf, rep->cap = cap;
    }
    f = &rep->f[rep->n++];
    memset(f, 0, sizeof(*f));
    f->level = l;
    rep->count[l]++;
    snprintf(f->area, sizeof(f->area), "%s", area);
    snprintf(f->subject, sizeof(f->subject), "%s", subject ? subject : "");
    snprintf(f->refusal, sizeof(f->refusal), "%s", refusal && l >= SDX_CHECK_WARN ? refusal : "");
    va_start(ap, fmt);
    vsnprintf(f->what, sizeof(f->what), fmt, ap);
    va_end(ap);
    return 0;
}

void check_evidence(struct sdx_check_report *rep, const char *text)
{
    if (rep->n)
        snprintf(rep->f[rep->n - 1].evidence, sizeof(rep->f[0].evidence), "%s", text);
}

void sdx_check_report_release(struct sdx_check_report *rep)
{
    free(rep->f);
    memset(rep, 0, sizeof(*rep));
}

void check_record(struct sdx_check_report *rep, const char *text, enum sdx_dnssec sec)
{
    check_evidence(rep, text);
    if (rep->n)
        snprintf(rep->f[rep->n - 1].dnssec, sizeof(rep->f[0].dnssec), "%s", sdx_dnssec_name(sec));
}

int check_txt(struct sdx_resolver *rs, const char *name, const char *prefix, check_txtrec *out, int max,
              char *err, size_t errcap, enum sdx_dnssec *sec)
{
    struct ub_result *r;
    size_t i, pl = strlen(prefix);
    int n = 0;

    if (sec)
        *sec = SDX_DNSSEC_INSECURE;
    if (sdx_resolver_ask(rs, name, RR_TXT, &r, err, errcap) != 0)
        return -1;
    if (sec)
        *sec = sdx_resolver_security(r);
    if (r->bogus) {
        snprintf(err, errcap, "%s: DNSSEC validation failed (bogus)", name);
        ub_resolve_free(r);
        return -1;
    }
    for (i = 0; r->havedata && r->data[i]; i++) {
        char buf[CHECK_TXT_MAX];
        size_t o = dns_txt((const unsigned char *)r->data[i], (size_t)r->len[i], buf, sizeof(buf));

        if (strncasecmp(buf, prefix, pl) != 0)
            continue;
        if (n < max)
            memcpy(out[n], buf, o + 1);
        n++;
    }
    ub_resolve_free(r);
    return n;
}

/* addr_kind - "loopback", "private", "link-local", "documentation" or
 * NULL for a public address */
static const char *addr_kind(int v6, const unsigned char *a)
{
    if (!v6) {
        if (a[0] == 127)
            return "loopback";
        if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
            (a[0] == 100 && (a[1] & 0xc0) == 64))
            return "private";
        if (a[0] == 169 && a[1] == 254)
            return "link-local";
        if (a[0] == 0)
            return "unspecified";
        return NULL;
    }
    {
        static const unsigned char lo[16] = { [15] = 1 };

        if (memcmp(a, lo, 16) == 0)
            return "loopback";
        if ((a[0] & 0xfe) == 0xfc)
            return "private";
        if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
            return "link-local";
    }
    return NULL;
}

/* fcrdns - the PTR names of ip and whether one of them points back (forward
 * confirmed, RFC 8601's iprev); a finding in area "ptr" */
static void fcrdns(struct sdx_resolver *rs, const char *ip, const char *what, struct sdx_check_report *rep)
{
    unsigned char b[16];
    char q[80], err[300], name[256], names[600] = "";
    struct ub_result *r;
    int v6 = inet_pton(AF_INET6, ip, b) == 1, i, confirmed = 0, nnames = 0, fwd_failed = 0;

    if ((!v6 && inet_pton(AF_INET, ip, b) != 1) || dns_reverse(b, v6, v6 ? "ip6.arpa" : "in-addr.arpa", q, sizeof(q)))
        return;
    if (sdx_resolver_ask(rs, q, RR_PTR, &r, err, sizeof(err)) != 0 || r->bogus) {
        if (r) {
            snprintf(err, sizeof(err), "%s: DNSSEC validation failed (bogus)", q);
            ub_resolve_free(r);
        }
        check_add(rep, SDX_CHECK_WARN, "ptr", ip, NULL, "%s %s: the PTR lookup failed (%s): reverse DNS unknown",
                  what, ip, err);
        return;
    }
    for (i = 0; r->havedata && r->data[i] && nnames < 10; i++) {
        if (!dns_name((const unsigned char *)r->data[i], (size_t)r->len[i], name, sizeof(name), 0))
            continue;
        nnames++;
        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", nnames > 1 ? ", " : "", name);
        /* the name's addresses must include ip (A for IPv4, AAAA for IPv6) */
        {
            struct ub_result *f;
            size_t k;

            if (sdx_resolver_ask(rs, name, v6 ? RR_AAAA : RR_A, &f, err, sizeof(err)) == 0) {
                if (f->bogus)
                    fwd_failed = 1;
                for (k = 0; f->havedata && f->data[k]; k++)
                    if ((size_t)f->len[k] == (v6 ? 16u : 4u) && memcmp(f->data[k], b, v6 ? 16 : 4) == 0)
                        confirmed = 1;
                ub_resolve_free(f);
            } else {
                fwd_failed = 1;         /* a DNS failure is not a mismatch */
            }
        }
    }
    ub_resolve_free(r);
    if (nnames == 0) {
        check_add(rep, SDX_CHECK_FAIL, "ptr", ip, REF_PTR, "%s %s has no PTR record (no reverse DNS)", what, ip);
        check_evidence(rep, q);
    } else if (!confirmed && fwd_failed) {
        check_add(rep, SDX_CHECK_WARN, "ptr", ip, NULL,
                  "%s %s: the forward lookup of its PTR name failed: forward confirmation unknown", what, ip);
        check_evidence(rep, names);
    } else if (!confirmed) {
        check_add(rep, SDX_CHECK_FAIL, "ptr", ip, REF_PTR,
                  "%s %s: its PTR name does not resolve back to it (not forward-confirmed)", what, ip);
        check_evidence(rep, names);
    } else {
        check_add(rep, SDX_CHECK_PASS, "ptr", ip, NULL, "%s %s: reverse DNS %s, forward-confirmed", what, ip, names);
    }
}

/* reach - a TCP connection to addr port 25 within 5 s: 0, or the errno
 * (ETIMEDOUT when nothing answered) */
static int reach(const char *addr)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd, e = 0;

    memset(&ss, 0, sizeof(ss));
    if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
        ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
        ((struct sockaddr_in *)&ss)->sin_port = htons(25);
        sl = sizeof(struct sockaddr_in);
    } else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
        ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons(25);
        sl = sizeof(struct sockaddr_in6);
    } else {
        return EINVAL;
    }
    if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
        return errno;
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
        if (errno != EINPROGRESS) {
            e = errno;
        } else {
            struct pollfd pf = { fd, POLLOUT, 0 };
            socklen_t el = sizeof(e);

            if (poll(&pf, 1, 5000) <= 0)
                e = ETIMEDOUT;
            else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
                e = errno;
        }
    }
    close(fd);
    return e;
}

static int all_digits_label(const char *host)
{
    const char *last = strrchr(host, '.');

    last = last ? last + 1 : host;
    return *last && strspn(last, "0123456789") == strlen(last);
}

static void check_mx(struct sdx_resolver *rs, const struct sdx_check_opts *o, struct sdx_check_report *rep)
{
    struct sdx_mx_result *mx = malloc(sizeof(*mx));
    struct sdx_tlsa_result *tlsa = malloc(sizeof(*tlsa));
    size_t k;

    if (mx == NULL || tlsa == NULL || sdx_mx_resolve(rs, o->domain, mx) != 0) {
        free(mx);
        free(tlsa);
        return;
    }
    switch (mx->kind) {
    case SDX_MX_ERROR:
        check_add(rep, SDX_CHECK_FAIL, "mx", o->domain, "senders defer: 451 4.4.3 (DNS lookup failed)",
                  "the MX lookup failed: %s", mx->error);
        break;
    case SDX_MX_NXDOMAIN:
        check_add(rep, SDX_CHECK_FAIL, "mx", o->domain, "senders bounce: 550 5.1.2 (bad destination system)",
                  "the domain does not exist (NXDOMAIN)");
        break;
    case SDX_MX_NONE:
        check_add(rep, SDX_CHECK_FAIL, "mx", o->domain, "senders bounce: 550 5.1.2 (no mail host)",
                  "no MX record and no address: no mail can be delivered to it");
        break;
    case SDX_MX_NULL:
        check_add(rep, SDX_CHECK_WARN, "mx", o->domain, "senders bounce at once: 556 5.1.10 (RFC 7505)",
                  "null MX (\"MX 0 .\"): the domain says it accepts no mail; mail from it is refused by "
                  "receivers that check (RFC 7505 section 4: 550 5.7.27)");
        break;
    case SDX_MX_IMPLICIT:
        check_add(rep, SDX_CHECK_WARN, "mx", o->domain, NULL,
                  "no MX record: mail goes to the domain's own address (RFC 5321 section 5.1)");
        break;
    case SDX_MX_FOUND:
        check_add(rep, SDX_CHECK_PASS, "mx", o->domain, NULL, "%zu MX host%s%s", mx->n, mx->n == 1 ? "" : "s",
                  mx->secure ? " (DNSSEC-validated)" : "");
        check_record(rep, "", mx->secure ? SDX_DNSSEC_SECURE : SDX_DNSSEC_INSECURE);
        break;
    }
    for (k = 0; mx->kind == SDX_MX_FOUND && k < mx->n && k < 10; k++) {
        const char *h = mx->mx[k].host;
        struct ub_result *r;
        char err[300], addr[64];
        enum sdx_dnssec sec;
        unsigned char b[16];
        int rc;

        if (all_digits_label(h)) {
            check_add(rep, SDX_CHECK_FAIL, "mx", h, "senders bounce or defer: 5.4.4 (unable to route)",
                      "the MX names an IP address, not a host (RFC 5321 section 5.1: MX is a domain name)");
            continue;
        }
        if (sdx_resolver_ask(rs, h, RR_CNAME, &r, err, sizeof(err)) == 0) {
            if (r->havedata)
                check_add(rep, SDX_CHECK_WARN, "mx", h, NULL,
                          "the MX host is an alias (CNAME): RFC 2181 section 10.3 forbids it; some senders refuse");
            ub_resolve_free(r);
        }
        rc = sdx_resolver_address(rs, h, addr, sizeof(addr), &sec, err, sizeof(err));
        if (rc <= 0) {
            check_add(rep, SDX_CHECK_FAIL, "mx", h, "senders defer, then bounce: 4.4.1/5.4.4",
                      "the MX host has no address%s%s", rc < 0 ? ": " : "", rc < 0 ? err : "");
            continue;
        }
        {
            int v6 = inet_pton(AF_INET6, addr, b) == 1;
            const char *kind;

            if (!v6)
                (void)inet_pton(AF_INET, addr, b);
            if ((kind = addr_kind(v6, b)) != NULL)
                check_add(rep, SDX_CHECK_WARN, "mx", h, "senders on the Internet cannot reach it",
                          "the MX host's address %s is %s", addr, kind);
            else
                check_add(rep, SDX_CHECK_PASS, "mx", h, NULL, "MX %u %s has address %s", mx->mx[k].pref, h, addr);
        }
        fcrdns(rs, addr, "MX host address", rep);
        if (o->connect) {
            int e = reach(addr);

            if (e)
                check_add(rep, SDX_CHECK_FAIL, "mx", h, "senders defer (4.4.1 no answer from host), then bounce "
                          "(5.4.7) after their retry time", "MX %s (%s) does not accept connections on port 25: %s", h,
                          addr, strerror(e));
            else
                check_add(rep, SDX_CHECK_PASS, "mx", h, NULL, "MX %s (%s) accepts connections on port 25", h, addr);
        }
        /* DANE (RFC 7672) per MX host */
        if (sdx_tlsa_lookup(rs, h, 25, tlsa) == 0) {
            enum sdx_check_level l = tlsa->state == SDX_DANE_USABLE ? SDX_CHECK_PASS :
                                     tlsa->state == SDX_DANE_BOGUS || tlsa->state == SDX_DANE_ERROR ? SDX_CHECK_FAIL :
                                     tlsa->state == SDX_DANE_UNUSABLE ? SDX_CHECK_WARN : SDX_CHECK_INFO;

            check_add(rep, l, "dane", tlsa->qname, l == SDX_CHECK_FAIL ?
                      "DANE senders (Postfix dane, Exim) defer all mail to this host" : NULL,
                      "%s%s%s", sdx_dane_state_text(tlsa->state), tlsa->error[0] ? ": " : "", tlsa->error);
        }
    }
    free(mx);
    free(tlsa);
}

static void check_dnsbl(struct sdx_resolver *rs, const struct sdx_check_opts *o, struct sdx_check_report *rep)
{
    size_t nl, i, l;
    const struct sdx_dnsbl_list *lists = sdx_dnsbl_defaults(&nl);
    struct sdx_dnsbl_result *res;

    if (o->nips == 0 || (res = calloc(o->nips * nl, sizeof(*res))) == NULL)
        return;
    if (sdx_dnsbl_check(rs, o->ips, o->nips, lists, nl, 5000, res) == 0)
        for (i = 0; i < o->nips; i++) {
            size_t listed = 0;

            for (l = 0; l < nl; l++) {
                const struct sdx_dnsbl_result *x = &res[i * nl + l];

                if (x->state == SDX_DNSBL_LISTED) {
                    listed++;
                    check_add(rep, SDX_CHECK_FAIL, "dnsbl", o->ips[i], REF_DNSBL, "%s is listed on %s: %s",
                              o->ips[i], x->list->name, x->nans ? x->ans[0].meaning : "listed");
                    check_evidence(rep, x->reason[0] ? x->reason : x->query);
                } else if (x->state == SDX_DNSBL_REFUSED_QUERY || x->state == SDX_DNSBL_BOGUS_ANSWER) {
                    check_add(rep, SDX_CHECK_WARN, "dnsbl", o->ips[i], NULL, "%s: no verdict from %s: %s",
                              o->ips[i], x->list->name, x->nans ? x->ans[0].meaning : "");
                }
            }
            if (listed == 0)
                check_add(rep, SDX_CHECK_PASS, "dnsbl", o->ips[i], NULL, "%s is on none of %zu blocklists",
                          o->ips[i], nl);
        }
    free(res);
}

int sdx_check_domain(struct sdx_resolver *rs, const struct sdx_check_opts *o, struct sdx_check_report *rep)
{
    size_t i;
    unsigned char b[16];

    memset(rep, 0, sizeof(*rep));
    if (o == NULL || o->domain == NULL || o->domain[0] == '\0' || strlen(o->domain) > 253 ||
        o->nips > SDX_CHECK_IPS_MAX || o->nselectors > SDX_CHECK_SELECTORS_MAX)
        return SDX_EINVAL;
    for (i = 0; i < o->nips; i++)
        if (inet_pton(AF_INET, o->ips[i], b) != 1 && inet_pton(AF_INET6, o->ips[i], b) != 1)
            return SDX_EINVAL;
    check_mx(rs, o, rep);
    for (i = 0; i < o->nips; i++)
        fcrdns(rs, o->ips[i], "sending IP", rep);
    check_auth(rs, o, rep);
    if (!o->no_dnsbl)
        check_dnsbl(rs, o, rep);
    return rep->n && rep->f == NULL ? SDX_ENOMEM : 0;
}
