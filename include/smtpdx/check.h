/* check.h - the DNS causes of 5.7.x refusals, for one mail domain
 * In:  the domain; the IP addresses it sends from; DKIM selectors to look
 *      at (and, unless told not to, common provider selectors); whether to
 *      ask blocklists; a resolver.
 * Out: findings, each pass, warn or fail, with the evidence (the record or
 *      answer) and the refusal it leads to at receivers (from their
 *      documented texts): MX (null MX, CNAME or IP literal targets, hosts
 *      without an address, private addresses, DANE TLSA), reverse DNS and
 *      forward confirmation of each sending IP, SPF (the record's syntax and
 *      check_host() for each IP), DKIM keys, DMARC (RFC 9989 and RFC 7489,
 *      the organizational domain by the public suffix list, external report
 *      addresses' authorization per RFC 9990), TLS-RPT, MTA-STS (record and policy),
 *      and blocklist listings of each IP.
 *      The MTA-STS policy is fetched over HTTPS (libcurl, mtasts.h) and
 *      each MX host matched against it.
 *      DMARC's record is found both ways receivers find it: the public
 *      suffix list (RFC 7489) and RFC 9989's DNS tree walk; where they
 *      disagree, a warning says which record each kind applies. */
#ifndef SMTPDX_CHECK_H
#define SMTPDX_CHECK_H

#include <stddef.h>
#include "error.h"
#include "resolver.h"

#define SDX_CHECK_IPS_MAX       16
#define SDX_CHECK_SELECTORS_MAX 16

enum sdx_check_level { SDX_CHECK_PASS, SDX_CHECK_INFO, SDX_CHECK_WARN, SDX_CHECK_FAIL };

struct sdx_finding {
    enum sdx_check_level level;
    char area[12];          /* "mx" "ptr" "spf" "dkim" "dmarc" "tls-rpt" "mta-sts" "dane" "dnsbl" */
    char subject[256];      /* the host, IP, selector or record name it is about */
    char what[300];         /* what was found, in words */
    char evidence[600];     /* the record or answer */
    char refusal[300];      /* what receivers reply because of it, "" */
    char dnssec[10];        /* the evidence's DNSSEC status: "secure", "insecure", "bogus"; "" none */
};

struct sdx_check_opts {
    const char *domain;
    const char *ips[SDX_CHECK_IPS_MAX];
    size_t      nips;
    const char *selectors[SDX_CHECK_SELECTORS_MAX];
    size_t      nselectors;
    int         no_common_selectors;    /* only the selectors given */
    int         no_dnsbl;               /* no blocklist questions */
    const char *ca_file;                /* trust these CAs for the MTA-STS policy (tests); NULL: the system's */
    int         connect;                /* try a TCP connection to port 25 of each MX address (5 s) */
};

struct sdx_check_report {
    struct sdx_finding *f;
    size_t              n, cap;
    size_t              count[4];       /* per level */
};

/* sdx_check_domain - every check for o through rs into rep (release it
 * with sdx_check_report_release); 0, SDX_EINVAL (no domain, too many IPs
 * or selectors, an IP that is not one), SDX_ENOMEM */
SDX_API SDX_NODISCARD int sdx_check_domain(struct sdx_resolver *rs, const struct sdx_check_opts *o,
                                           struct sdx_check_report *rep);
SDX_API void sdx_check_report_release(struct sdx_check_report *rep);
SDX_API const char *sdx_check_level_name(enum sdx_check_level l);

#endif
