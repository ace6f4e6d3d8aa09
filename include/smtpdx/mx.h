/* mx.h - where mail for a domain goes: MX records as RFC 5321 section 5.1
 * and RFC 7505 read them
 * In:  a domain (ASCII or A-label form), the resolver to ask (libunbound
 *      with the system's resolv.conf, or one given).
 * Out: the mail hosts in the order to try them (lowest preference first;
 *      equal preferences keep the order the answer gave), or the domain
 *      itself when it has no MX record but has an address (the implicit MX
 *      of RFC 5321 section 5.1), or "null MX" when its only MX is "." with
 *      preference 0 (RFC 7505: the domain accepts no mail), or why none:
 *      no such domain, no MX and no address, a resolver error. Whether the
 *      answer validated (DNSSEC) is kept for DANE.
 * Limits: SDX_MX_MAX hosts; names from the wire are bounded and checked. */
#ifndef SMTPDX_MX_H
#define SMTPDX_MX_H

#include <stddef.h>
#include "error.h"
#include "resolver.h"

#define SDX_MX_MAX 32

struct sdx_mx {
    char     host[256];             /* without the trailing dot */
    unsigned pref;
};

enum sdx_mx_kind {
    SDX_MX_FOUND = 0,               /* mx[] holds MX hosts */
    SDX_MX_IMPLICIT,                /* no MX; the domain has an address: mx[0] is the domain */
    SDX_MX_NULL,                    /* RFC 7505: the domain accepts no mail */
    SDX_MX_NXDOMAIN,                /* the domain does not exist */
    SDX_MX_NONE,                    /* neither MX nor address */
    SDX_MX_ERROR                    /* the resolver failed (error[] says how) */
};

struct sdx_mx_result {
    enum sdx_mx_kind kind;
    struct sdx_mx    mx[SDX_MX_MAX];
    size_t           n;
    int              secure;        /* the MX answer validated (DNSSEC) */
    char             error[256];
};

/* sdx_mx_lookup - look domain up; resolv_conf: NULL for /etc/resolv.conf.
 * Returns 0 (r->kind says what was found), SDX_EINVAL, SDX_ENOMEM */
SDX_API SDX_NODISCARD int sdx_mx_lookup(const char *domain, const char *resolv_conf, struct sdx_mx_result *r);
/* sdx_mx_resolve - the same through resolver rs (its server, its anchor):
 * a bogus answer is an error that says why */
SDX_API SDX_NODISCARD int sdx_mx_resolve(struct sdx_resolver *rs, const char *domain, struct sdx_mx_result *r);
/* sdx_mx_from_rdata - the MX records of an answer (rdata in wire format,
 * uncompressed, as libunbound gives them) into r, sorted; names that do not
 * parse are skipped. Kind is SDX_MX_FOUND or SDX_MX_NULL (or SDX_MX_NONE
 * when no record parsed). */
SDX_API void sdx_mx_from_rdata(char *const *data, const int *len, size_t count, struct sdx_mx_result *r);
SDX_API const char *sdx_mx_kind_name(enum sdx_mx_kind k);

#endif
