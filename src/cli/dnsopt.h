/* dnsopt.h - the resolver of --resolver and --trust-anchor, made the same
 * way by every command that asks DNS (probe, spf, dnsbl, check) */
#ifndef SDX_CLI_DNSOPT_H
#define SDX_CLI_DNSOPT_H

#include "smtpdx/resolver.h"

/* cli_resolver - a resolver for server (NULL: resolv.conf's) and anchor
 * (NULL: the default) into *rs; 0, or the exit status after saying why as
 * "smtpdx CMD: ...": a usage error when the user's server or anchor is the
 * cause, an input error otherwise (out of memory, resolv.conf unreadable) */
int cli_resolver(const char *cmd, const char *server, const char *anchor, struct sdx_resolver **rs);

/* cli_dnsbl_lists - "zone[:ip|:domain],..." in buf (cut in place) into
 * l[0..*n) (names point into buf); 0, or EXIT_USAGE after saying why as
 * "smtpdx CMD: ..." (dnsbl --lists, watch --dnsbl-lists) */
#include "smtpdx/dnsbl.h"
int cli_dnsbl_lists(const char *cmd, char *buf, struct sdx_dnsbl_list *l, size_t *n);

#endif
