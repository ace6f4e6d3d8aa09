/* watch_page.h - smtpdx watch's status page: the last hours as SVG charts */
#ifndef SDX_CLI_WATCH_PAGE_H
#define SDX_CLI_WATCH_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include "smtpdx/buf.h"
#include "smtpdx/reason.h"

#define HIST_MINUTES 360            /* six hours, a bucket a minute */

struct watch_hist {
    int64_t       minute[HIST_MINUTES];     /* which minute (epoch/60) the bucket holds */
    unsigned long perm[HIST_MINUTES], temp[HIST_MINUTES], lines[HIST_MINUTES];
    unsigned long reasons[SDX_REASON_COUNT];  /* since start */
};

/* hist_add - count in the bucket of minute now/60 (reset when stale) */
void hist_add(struct watch_hist *h, int64_t now, unsigned long perm, unsigned long temp, unsigned long lines);

/* watch_page - the HTML page (inline SVG, no external assets) into out:
 * the files, the totals, refusals and lines per minute over the last six
 * hours, the reasons since start. 0 or SDX_ENOMEM. */
int watch_page(struct sdx_buf *out, const struct watch_hist *h, int64_t now, const char *const *files,
               size_t nfiles, unsigned long long events, size_t series);

#endif
