/* watch_conf.h - smtpdx watch's configuration file (key = value) */
#ifndef SDX_CLI_WATCH_CONF_H
#define SDX_CLI_WATCH_CONF_H

#include "smtpdx/alert.h"
#include "opt.h"

struct watch_conf {
    char              *logs[64];
    size_t             nlogs;
    char              *strs[64];        /* option values (owned) */
    size_t             nstrs;
    char              *alert_command, *alert_url;
    struct sdx_alerts *alerts;
};

/* watch_conf_read - read path into c, the options into args (those whose
 * set[i] is 0: the command line did not give them; i indexes opts).
 * 0, or -1 after saying why as "smtpdx watch: FILE:LINE: ..." */
int watch_conf_read(const char *path, const struct opt *opts, void *args, const unsigned char *set,
                    struct watch_conf *c);
void watch_conf_free(struct watch_conf *c);

#endif
