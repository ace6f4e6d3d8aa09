/* dkim.h - DKIM key records (RFC 6376 section 3.6.1; RFC 8463 for
 * ed25519; RFC 8301 for key sizes)
 * In:  the text of a TXT record at SELECTOR._domainkey.DOMAIN.
 * Out: the key type, its size in bits (the public key decoded with
 *      OpenSSL), whether it is revoked (an empty p=), in testing (t=y),
 *      strict (t=s), for email (s=), and what is wrong: errors (receivers
 *      cannot verify with it) and warnings. */
#ifndef SMTPDX_DKIM_H
#define SMTPDX_DKIM_H

#include <stddef.h>
#include "error.h"

struct sdx_dkim_key {
    char   k[16];           /* "rsa" (the default) or "ed25519" */
    int    bits;            /* of the public key; 0 revoked or unreadable */
    int    revoked;         /* p= empty (RFC 6376 section 3.6.1) */
    int    testing;         /* t=y */
    int    strict;          /* t=s */
    int    email;           /* s= allows email (or is absent) */
    char   error[200];
    char   warn[4][200];
    size_t nwarn;
};

/* sdx_dkim_key_parse - read txt (len bytes) into k; 0 (warnings may be
 * set), or SDX_EPARSE with k->error */
SDX_API SDX_NODISCARD int sdx_dkim_key_parse(const char *txt, size_t len, struct sdx_dkim_key *k);

/* sdx_dkim_log_selector - from one log line of OpenDKIM's signer,
 * "DKIM-Signature field added (s=SEL, d=DOMAIN)", the selector into sel
 * when DOMAIN is domain (any case): 1, else 0 */
SDX_API int sdx_dkim_log_selector(const char *line, size_t len, const char *domain, char *sel, size_t cap);

#endif
