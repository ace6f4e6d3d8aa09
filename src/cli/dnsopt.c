/* dnsopt.c - the resolver of --resolver and --trust-anchor (dnsopt.h) */
#include <stdio.h>
#include "dnsopt.h"
#include "opt.h"

int cli_resolver(const char *cmd, const char *server, const char *anchor, struct sdx_resolver **rs)
{
    struct sdx_resolver_conf conf = { server, NULL, anchor };
    char err[300];
    int rc;

    if ((rc = sdx_resolver_new(&conf, rs, err, sizeof(err))) == 0)
        return 0;
    fprintf(stderr, "smtpdx %s: %s\n", cmd, rc == SDX_ENOMEM ? sdx_strerror(rc) : err);
    return rc == SDX_ENOMEM || !(server || anchor) ? EXIT_INPUT : EXIT_USAGE;
}
