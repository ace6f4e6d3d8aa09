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

#endif
