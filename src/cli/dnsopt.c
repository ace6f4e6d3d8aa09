/* dnsopt.c - the resolver of --resolver and --trust-anchor, and the
 * blocklists of --lists / --dnsbl-lists (dnsopt.h) */
#include <stdio.h>
#include <string.h>
#include "dnsopt.h"
#include "opt.h"
#include "term.h"

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

int cli_dnsbl_lists(const char *cmd, char *buf, struct sdx_dnsbl_list *l, size_t *n)
{
    char *t, *comma, *colon;

    *n = 0;
    for (t = buf; t; t = comma ? comma + 1 : NULL) {
        if ((comma = strchr(t, ',')) != NULL)
            *comma = '\0';
        if (*t == '\0')
            continue;
        if (*n == SDX_DNSBL_LISTS_MAX) {
            fprintf(stderr, "smtpdx %s: at most %d lists\n", cmd, SDX_DNSBL_LISTS_MAX);
            return EXIT_USAGE;
        }
        l[*n].kind = SDX_DNSBL_IP;
        if ((colon = strchr(t, ':')) != NULL) {
            *colon = '\0';
            if (strcmp(colon + 1, "domain") == 0)
                l[*n].kind = SDX_DNSBL_DOMAIN;
            else if (strcmp(colon + 1, "ip") != 0) {
                fprintf(stderr, "smtpdx %s: '", cmd);
                term_put_esc(stderr, t, strlen(t));
                fprintf(stderr, "': a list is ZONE, ZONE:ip or ZONE:domain\n");
                return EXIT_USAGE;
            }
        }
        if (strlen(t) > 200 || strchr(t, '.') == NULL) {
            fprintf(stderr, "smtpdx %s: '", cmd);
            term_put_esc(stderr, t, strlen(t));
            fprintf(stderr, "' is not a list's zone\n");
            return EXIT_USAGE;
        }
        l[*n].zone = t;
        l[*n].name = t;
        l[*n].spamhaus = strstr(t, "spamhaus.") != NULL;
        (*n)++;
    }
    return *n ? 0 : EXIT_USAGE;
}
