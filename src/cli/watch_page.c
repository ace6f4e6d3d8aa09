/* watch_page.c - smtpdx watch's status page (watch_page.h)
 * Rendered on the server as HTML with inline SVG: no script, no external
 * asset, readable in any browser and in a text dump. Two charts of the
 * last six hours, a point a minute: refusals (permanent and temporary),
 * and lines read; then the reasons counted since start. */
#include <stdio.h>
#include <string.h>
#include "smtpdx/error.h"
#include "smtpdx/html.h"
#include "watch_page.h"

#define W_PX 720
#define H_PX 160

void hist_add(struct watch_hist *h, int64_t now, unsigned long perm, unsigned long temp, unsigned long lines)
{
    int64_t m = now / 60;
    size_t i = (size_t)(m % HIST_MINUTES);

    if (h->minute[i] != m) {
        h->minute[i] = m;
        h->perm[i] = h->temp[i] = h->lines[i] = 0;
    }
    h->perm[i] += perm;
    h->temp[i] += temp;
    h->lines[i] += lines;
}

/* value - the bucket of minute m, 0 when stale */
static unsigned long value(const struct watch_hist *h, const unsigned long *a, int64_t m)
{
    size_t i = (size_t)(((m % HIST_MINUTES) + HIST_MINUTES) % HIST_MINUTES);

    return h->minute[i] == m ? a[i] : 0;
}

/* chart - one SVG line chart of series a (and b, if given) */
static int chart(struct sdx_buf *out, const struct watch_hist *h, int64_t now, const char *title,
                 const unsigned long *a, const char *acolor, const char *aname,
                 const unsigned long *b, const char *bcolor, const char *bname)
{
    int64_t last = now / 60, m;
    unsigned long max = 1;
    int err = 0, k;

    for (m = last - HIST_MINUTES + 1; m <= last; m++) {
        if (value(h, a, m) > max)
            max = value(h, a, m);
        if (b && value(h, b, m) > max)
            max = value(h, b, m);
    }
    err |= sdx_buf_addf(out, "<h2>%s</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n"
                             "<rect width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n"
                             "<text x=\"4\" y=\"12\" font-size=\"10\">%lu</text>"
                             "<text x=\"4\" y=\"%d\" font-size=\"10\">0</text>"
                             "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">now</text>"
                             "<text x=\"30\" y=\"%d\" font-size=\"10\">6 h ago</text>\n",
                        title, W_PX, H_PX + 14, W_PX, H_PX + 14, title, W_PX, H_PX, max, H_PX - 2, W_PX - 4,
                        H_PX + 12, H_PX + 12);
    for (k = 0; k < (b ? 2 : 1) && !err; k++) {
        const unsigned long *s = k ? b : a;

        err |= sdx_buf_addf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"",
                            k ? bcolor : acolor);
        for (m = last - HIST_MINUTES + 1; m <= last && !err; m++) {
            double x = (double)(m - (last - HIST_MINUTES + 1)) * (W_PX - 1) / (HIST_MINUTES - 1);
            double y = (double)(H_PX - 4) - (double)value(h, s, m) * (H_PX - 20) / (double)max;

            err |= sdx_buf_addf(out, "%.1f,%.1f ", x, y);
        }
        err |= sdx_buf_addf(out, "\"><title>%s</title></polyline>\n", k ? bname : aname);
    }
    err |= sdx_buf_addf(out, "</svg>\n<p class=\"legend\"><span style=\"color:%s\">&#9632; %s</span>", acolor, aname);
    if (b)
        err |= sdx_buf_addf(out, " <span style=\"color:%s\">&#9632; %s</span>", bcolor, bname);
    err |= sdx_buf_adds(out, " (per minute)</p>\n");
    return err;
}

int watch_page(struct sdx_buf *out, const struct watch_hist *h, int64_t now, const char *const *files,
               size_t nfiles, unsigned long long events, size_t series)
{
    size_t i;
    int err = sdx_buf_adds(out, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                                "<meta http-equiv=\"refresh\" content=\"60\"><title>smtpdx watch</title>"
                                "<style>body{font-family:sans-serif;margin:1em 2em}td{padding:0 1em 0 0}"
                                "</style></head><body><h1>smtpdx watch</h1>\n<p>Following:</p><ul>");

    for (i = 0; i < nfiles && !err; i++) {
        err |= sdx_buf_adds(out, "<li>");
        err |= sdx_html_esc(out, files[i], strlen(files[i]));
        err |= sdx_buf_adds(out, "</li>");
    }
    err |= sdx_buf_addf(out, "</ul>\n<p id=\"totals\">Refusals counted since start: <b>%llu</b>. "
                             "Metric series: %zu.</p>\n", events, series);
    err |= chart(out, h, now, "Refusals, last 6 hours", h->perm, "#c0392b", "permanent (5xx)", h->temp, "#e67e22",
                 "temporary (4xx)");
    err |= chart(out, h, now, "Lines read, last 6 hours", h->lines, "#2c3e50", "lines", NULL, NULL, NULL);
    err |= sdx_buf_adds(out, "<h2>Reasons since start</h2>\n<table id=\"reasons\">");
    for (i = 0; i < SDX_REASON_COUNT && !err; i++)
        if (h->reasons[i])
            err |= sdx_buf_addf(out, "<tr><td>%s</td><td>%lu</td></tr>", sdx_reason_name((enum sdx_reason)i),
                                h->reasons[i]);
    err |= sdx_buf_adds(out, "</table>\n<p><a href=\"/metrics\">/metrics</a> &middot; "
                             "<a href=\"/healthz\">/healthz</a></p></body></html>\n");
    return err ? SDX_ENOMEM : 0;
}
