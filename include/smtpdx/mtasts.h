/* mtasts.h - MTA-STS policies (RFC 8461)
 * In:  the policy file's text; or a domain, to fetch it from
 *      https://mta-sts.DOMAIN/.well-known/mta-sts.txt (libcurl: no
 *      redirects, section 3.3; certificate verified; at most 64 KB and 10 s).
 * Out: version, mode (enforce, testing, none), mx patterns, max_age, and
 *      what is wrong; whether an MX host matches a pattern (section 4.1: a
 *      "*." wildcard stands for one leftmost label). */
#ifndef SMTPDX_MTASTS_H
#define SMTPDX_MTASTS_H

#include <stddef.h>
#include "error.h"

#define SDX_MTASTS_MX_MAX     64
#define SDX_MTASTS_POLICY_MAX 65536

struct sdx_mtasts_policy {
    char   mode[16];            /* "enforce", "testing", "none" */
    long   max_age;             /* seconds; -1 missing */
    char   mx[SDX_MTASTS_MX_MAX][256];
    size_t nmx;
    size_t mx_lost;             /* mx: lines past SDX_MTASTS_MX_MAX, not kept (matching is then unsure) */
    char   error[200];          /* why senders ignore the policy */
    char   warn[4][200];
    size_t nwarn;
};

/* sdx_mtasts_parse - the policy text (len bytes) into p; 0, or SDX_EPARSE
 * with p->error */
SDX_API SDX_NODISCARD int sdx_mtasts_parse(const char *text, size_t len, struct sdx_mtasts_policy *p);
/* sdx_mtasts_match - host matches one of p's mx patterns (any case) */
SDX_API int sdx_mtasts_match(const struct sdx_mtasts_policy *p, const char *host);
/* sdx_mtasts_fetch - GET the policy of domain into out (NUL-terminated,
 * *len bytes); address: connect there instead of resolving
 * mta-sts.DOMAIN (the caller's resolver found it), or NULL; ca_file:
 * trust these CAs instead of the system's, or NULL. 0, or SDX_EIO with
 * why in err (TLS, HTTP status, redirect, too large, timeout) */
SDX_API SDX_NODISCARD int sdx_mtasts_fetch(const char *domain, const char *address, const char *ca_file, char *out,
                                           size_t cap, size_t *len, char *err, size_t errcap);

#endif
