/* resolver.h - the DNS resolver every lookup of smtpdx goes through
 * In:  where to ask (the servers of resolv.conf, or one given as
 *      ADDR[@PORT]), and the DNSSEC trust anchor (Debian's dns-root-data
 *      root key by default, a file given, or none).
 * Out: a validating libunbound context: each answer is secure, insecure or
 *      bogus (RFC 4035 section 4.3), and a timeout or SERVFAIL is an error,
 *      never "no record".
 * Why one object: --mx, DANE's TLSA and the host's own address must come
 *      from the same server with the same anchor, or a test's answers (and a
 *      user's --resolver) would apply to some questions and not others.
 * Names under "test." (RFC 6761) are answered by the server asked, not by
 *      libunbound's built-in NXDOMAIN, and are insecure unless an anchor
 *      below test. is given (the project's own test zones). */
#ifndef SMTPDX_RESOLVER_H
#define SMTPDX_RESOLVER_H

#include <stddef.h>
#include "error.h"

/* Debian's dns-root-data: the root zone's key, the default trust anchor */
#define SDX_ROOT_KEY "/usr/share/dns/root.key"

struct sdx_resolver_conf {
    const char *server;         /* "ADDR[@PORT]": ask only this server (recursion desired); NULL: resolv.conf's */
    const char *resolv_conf;    /* NULL: /etc/resolv.conf */
    const char *trust_anchor;   /* a file of DS or DNSKEY records; NULL: SDX_ROOT_KEY when it exists;
                                 * "none": no validation, every answer insecure */
};

struct sdx_resolver;

/* the security of one answer */
enum sdx_dnssec { SDX_DNSSEC_INSECURE = 0, SDX_DNSSEC_SECURE, SDX_DNSSEC_BOGUS };

/* sdx_resolver_new - a resolver as c says (NULL: the defaults) into *out; 0,
 * SDX_ENOMEM, or SDX_EINVAL with why in err (an unreadable anchor or
 * resolv.conf, a server that is not an address) */
SDX_API SDX_NODISCARD int sdx_resolver_new(const struct sdx_resolver_conf *c, struct sdx_resolver **out,
                                           char *err, size_t cap);
SDX_API void sdx_resolver_free(struct sdx_resolver *res);
/* sdx_resolver_anchor - the trust anchor file in use, or NULL: no validation */
SDX_API const char *sdx_resolver_anchor(const struct sdx_resolver *res);
/* sdx_resolver_address - the first address of host (A, else AAAA) as text
 * into out; 1 found, 0 none (NXDOMAIN or no address), or SDX_EDNS with why
 * in err. *sec: the answer's security. */
SDX_API SDX_NODISCARD int sdx_resolver_address(struct sdx_resolver *res, const char *host, char *out, size_t cap,
                                               enum sdx_dnssec *sec, char *err, size_t errcap);
SDX_API const char *sdx_dnssec_name(enum sdx_dnssec s);

#endif
