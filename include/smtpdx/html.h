/* html.h - the logs report as one self-contained HTML page
 * One file, no external assets: inline CSS, inline SVG charts, no script,
 * and a Content-Security-Policy that forbids loading anything, so a page
 * made from hostile logs can neither run code nor call home. Every text
 * that came from a log goes through sdx_html_esc(). */
#ifndef SMTPDX_HTML_H
#define SMTPDX_HTML_H

#include <stdint.h>
#include "buf.h"
#include "group.h"

#define SDX_HTML_TIMELINE_MAX 2048   /* stored buckets; then the unit grows */

/* struct sdx_html_timeline - events counted over time, filled while reading
 * (the groups keep only first and last times). Buckets start as minutes;
 * when the span outgrows SDX_HTML_TIMELINE_MAX buckets they merge into
 * hours, then days (UTC); beyond that many days the ends absorb the rest.
 * Zero it (memset or = { 0 }) before the first add. */
struct sdx_html_timeline {
    int64_t       origin_us;        /* start of bucket 0, a multiple of unit_us */
    int64_t       unit_us;          /* bucket width; 0 while empty */
    size_t        n;                /* buckets in use */
    unsigned long undated;          /* events without a time */
    unsigned long count[SDX_HTML_TIMELINE_MAX];
};

/* struct sdx_html_info - what the page says besides the groups */
struct sdx_html_info {
    const char   *title;            /* page title (escaped); NULL: "smtpdx logs" */
    unsigned long lines;            /* lines read */
    unsigned long mta_lines;        /* of them from an MTA */
    unsigned long files;            /* files read */
    unsigned long delivered;        /* deliveries that succeeded */
    int64_t       first_us, last_us;    /* time span of the events, 0 unknown */
    unsigned long limit;            /* groups shown, 0: all */
    const struct sdx_html_timeline *timeline;   /* NULL: no time chart */
};

/* sdx_html_timeline_add - count one event at when_us (<= 0: undated) */
SDX_API void sdx_html_timeline_add(struct sdx_html_timeline *t, int64_t when_us);

/* sdx_html_esc - append p[0..n) as HTML text or attribute value: & < > " '
 * as entities; control bytes, DEL, C1 controls and bidirectional
 * overrides as visible escapes (\n, \x01, \u202e); valid UTF-8 kept,
 * each invalid byte becomes U+FFFD. Returns 0, SDX_ENOMEM or SDX_ETOOBIG. */
SDX_API SDX_NODISCARD int sdx_html_esc(struct sdx_buf *out, const char *p, size_t n);

/* sdx_html_report - append the whole page for the groups g to out.
 * Returns 0, SDX_ENOMEM or SDX_ETOOBIG (out then holds a cut page). */
SDX_API SDX_NODISCARD int sdx_html_report(struct sdx_buf *out, struct sdx_groups *g, const struct sdx_html_info *info);

#endif
