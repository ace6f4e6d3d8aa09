/* html.c - the logs report as one self-contained HTML page
 * In:  the groups (log/group.c), the totals, a timeline of events counted
 *      while reading, and what the caller read (lines, files, span).
 * Out: one HTML5 document: inline CSS, inline SVG (events over time, events
 *      by reason), the groups ranked by count with their explanation
 *      (sdx_explain_verdict, as the text and JSON reports) and example.
 *      No script, no external asset; a Content-Security-Policy meta
 *      forbids loading anything, in case an escape were ever missed.
 * Limits: the chart has at most SDX_HTML_TIMELINE_MAX bars; story lines
 *      are shown whole (group.c bounds them). Times are UTC.
 * Not here: reading logs, grouping (group.c), writing the file (the CLI).
 * HTML Living Standard §13.1 (syntax), §13.1.2.6 (character references). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/html.h"
#include "smtpdx/esc.h"
#include "smtpdx/explain.h"
#include "smtpdx/syslog.h"

#define MINUTE_US ((int64_t)60 * 1000000)
#define HOUR_US   (60 * MINUTE_US)
#define DAY_US    (24 * HOUR_US)

/* ---- timeline ---------------------------------------------------------- */

/* floor_to - t rounded down to a multiple of unit (t > 0) */
static int64_t floor_to(int64_t t, int64_t unit)
{
    return t - t % unit;
}

/* coarsen - merge the buckets into the next unit (minute -> hour -> day) */
static void coarsen(struct sdx_html_timeline *t)
{
    int64_t nu = t->unit_us == MINUTE_US ? HOUR_US : DAY_US;
    int64_t no = floor_to(t->origin_us, nu);
    size_t i, last = 0;

    /* bucket i moves to (origin + i*unit - no) / nu <= i: in place, forwards */
    for (i = 0; i < t->n; i++) {
        size_t k = (size_t)((t->origin_us - no + (int64_t)i * t->unit_us) / nu);
        unsigned long v = t->count[i];

        t->count[i] = 0;
        t->count[k] += v;
        last = k;
    }
    t->n = last + 1;
    t->origin_us = no;
    t->unit_us = nu;
}

void sdx_html_timeline_add(struct sdx_html_timeline *t, int64_t when_us)
{
    if (when_us <= 0) {
        t->undated++;
        return;
    }
    if (t->unit_us == 0 || t->n == 0) {
        t->unit_us = MINUTE_US;
        t->origin_us = floor_to(when_us, MINUTE_US);
        t->n = 1;
        t->count[0] = 1;
        return;
    }
    for (;;) {
        int64_t at = floor_to(when_us, t->unit_us);
        int64_t end = t->origin_us + (int64_t)t->n * t->unit_us;
        int64_t lo = at < t->origin_us ? at : t->origin_us;
        int64_t hi = at + t->unit_us > end ? at + t->unit_us : end;
        int64_t need = (hi - lo) / t->unit_us;

        if (need <= SDX_HTML_TIMELINE_MAX) {
            if (lo < t->origin_us) {        /* an older file read late: shift right */
                size_t by = (size_t)((t->origin_us - lo) / t->unit_us);

                memmove(t->count + by, t->count, t->n * sizeof(t->count[0]));
                memset(t->count, 0, by * sizeof(t->count[0]));
                t->origin_us = lo;
            }
            t->n = (size_t)need;
            t->count[(at - t->origin_us) / t->unit_us]++;
            return;
        }
        if (t->unit_us == DAY_US) {         /* over five years of days: the ends absorb it */
            t->count[at < t->origin_us ? 0 : t->n - 1]++;
            return;
        }
        coarsen(t);
    }
}

/* ---- escaping ---------------------------------------------------------- */

/* utf8_cp - the code point of the valid sequence p[0..l) */
static unsigned long utf8_cp(const unsigned char *p, size_t l)
{
    unsigned long cp = l == 1 ? p[0] : l == 2 ? p[0] & 0x1fu : l == 3 ? p[0] & 0x0fu : p[0] & 0x07u;
    size_t i;

    for (i = 1; i < l; i++)
        cp = (cp << 6) | (p[i] & 0x3fu);
    return cp;
}

int sdx_html_esc(struct sdx_buf *out, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, start = 0;
    int err;

    while (i < n) {
        unsigned char c = s[i];
        const char *rep = NULL;
        char tmp[16];
        size_t adv = 1;

        if (c < 0x80) {
            switch (c) {
            case '&':  rep = "&amp;"; break;
            case '<':  rep = "&lt;"; break;
            case '>':  rep = "&gt;"; break;
            case '"':  rep = "&quot;"; break;
            case '\'': rep = "&#39;"; break;
            default:
                /* C0 and DEL as Unicode control pictures (U+2400 + c, U+2421):
                 * visible, one character, never markup */
                if (c < 0x20 || c == 0x7f) {
                    unsigned long cp = c == 0x7f ? 0x2421u : 0x2400u + c;

                    tmp[0] = (char)(0xe0 | (cp >> 12));
                    tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                    tmp[2] = (char)(0x80 | (cp & 0x3f));
                    tmp[3] = '\0';
                    rep = tmp;
                }
            }
        } else {
            size_t l = sdx_utf8_len(s + i, n - i);

            if (l == 0)
                rep = "\xef\xbf\xbd";       /* U+FFFD per invalid byte */
            else {
                unsigned long cp = utf8_cp(s + i, l);

                adv = l;
                /* C1 controls and the bidirectional embeddings, overrides and
                 * isolates (which could make a reply read backwards) shown as
                 * \uXXXX; every other valid character as it is */
                if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
                    (cp >= 0x2066 && cp <= 0x2069)) {
                    snprintf(tmp, sizeof(tmp), "\\u%04lx", cp);
                    rep = tmp;
                }
            }
        }
        if (rep == NULL) {
            i += adv;
            continue;
        }
        if (i > start && (err = sdx_buf_add(out, p + start, i - start)) != 0)
            return err;
        if ((err = sdx_buf_adds(out, rep)) != 0)
            return err;
        i += adv;
        start = i;
    }
    return i > start ? sdx_buf_add(out, p + start, i - start) : 0;
}

/* ---- writer ------------------------------------------------------------ */

struct w {
    struct sdx_buf *out;
    int             err;        /* sticky: the first error wins */
};

static void put(struct w *w, const char *s)
{
    if (w->err == 0)
        w->err = sdx_buf_adds(w->out, s);
}

static void putf(struct w *w, const char *fmt, ...) SDX_PRINTF(2, 3);
static void putf(struct w *w, const char *fmt, ...)
{
    va_list ap;

    if (w->err)
        return;
    va_start(ap, fmt);
    w->err = sdx_buf_vaddf(w->out, fmt, ap);
    va_end(ap);
}

/* esc - untrusted (or any) text, escaped */
static void escn(struct w *w, const char *s, size_t n)
{
    if (w->err == 0)
        w->err = sdx_html_esc(w->out, s, n);
}

static void esc(struct w *w, const char *s)
{
    if (s)
        escn(w, s, strlen(s));
}

/* civil - UTC date and time of t (Hinnant's civil_from_days: no gmtime, no TZ) */
static void civil(int64_t t_us, int *y, int *mo, int *d, int *h, int *mi)
{
    int64_t s = t_us / 1000000, days = s / 86400, sod = s % 86400;
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;

    if (sod < 0)
        sod += 86400;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*mo <= 2));
    *h = (int)(sod / 3600);
    *mi = (int)(sod % 3600 / 60);
}

/* stamp - a bucket's label at the precision of its unit */
static void stamp(int64_t t_us, int64_t unit, char *out, size_t cap)
{
    int y, mo, d, h, mi;

    civil(t_us, &y, &mo, &d, &h, &mi);
    if (unit >= DAY_US)
        snprintf(out, cap, "%04d-%02d-%02d", y, mo, d);
    else
        snprintf(out, cap, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
}

/* when - "2026-11-27 18:48:11Z" (sdx_time_format without the fraction), "-" */
static void when(int64_t us, char *out, size_t cap)
{
    char *dot;

    sdx_time_format(us, out, cap);
    if (out[0] == '\0') {
        snprintf(out, cap, "-");
        return;
    }
    if ((dot = strchr(out, '.')) != NULL && cap > (size_t)(dot - out) + 1)
        dot[0] = 'Z', dot[1] = '\0';
    if ((dot = strchr(out, 'T')) != NULL)
        *dot = ' ';
}

static const char css[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d2433}"
    "main{max-width:1100px;margin:0 auto;padding:24px}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:28px 0 10px;border-bottom:2px solid #d5d9e0;padding-bottom:4px}"
    "h3{font-size:17px;margin:0 0 6px}.sub{color:#5b6478;margin:0 0 16px}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px}.card{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:10px 14px;min-width:110px}"
    ".card b{display:block;font-size:24px}.card span{color:#5b6478;font-size:13px}"
    ".rej b{color:#b3261e}.bnc b{color:#a3460a}.dfr b{color:#8a6d00}.exp b{color:#6b4fa3}.ok b{color:#1e7b34}"
    "table{border-collapse:collapse;background:#fff;margin:8px 0}td,th{border:1px solid #d5d9e0;padding:4px 10px;text-align:left}"
    "th{background:#eef0f4;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".chart{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:8px}svg{display:block;width:100%;height:auto}"
    "svg text{font:12px system-ui,sans-serif;fill:#3b4252}"
    ".group{background:#fff;border:1px solid #d5d9e0;border-left:6px solid #8a94a8;border-radius:8px;padding:14px 16px;margin:14px 0}"
    ".group.permanent{border-left-color:#b3261e}.group.transient{border-left-color:#c99a00}"
    ".badge{display:inline-block;background:#eef0f4;border-radius:10px;padding:1px 9px;margin:0 4px 4px 0;font-size:13px}"
    ".badge.permanent{background:#fbe4e2}.badge.transient{background:#fdf3d2}"
    "code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
    ".fp{display:block;background:#f3f4f7;padding:6px 8px;border-radius:4px;overflow-wrap:anywhere;margin:6px 0}"
    "dl{display:grid;grid-template-columns:110px 1fr;gap:3px 12px;margin:8px 0}dt{color:#5b6478}dd{margin:0;overflow-wrap:anywhere}"
    "ol{margin:4px 0 4px 20px;padding:0}"
    "pre{background:#1d2433;color:#e6e9ef;padding:8px 10px;border-radius:4px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}"
    "footer{color:#5b6478;font-size:13px;margin:30px 0 10px}";

/* ---- sections ---------------------------------------------------------- */

static void card(struct w *w, const char *cls, unsigned long v, const char *label)
{
    putf(w, "<div class=\"card %s\"><b>%lu</b><span>%s</span></div>", cls, v, label);
}

static void summary(struct w *w, const struct sdx_groups_totals *t, const struct sdx_html_info *info)
{
    size_t i;

    put(w, "<h2>Summary</h2>\n<div class=\"cards\">");
    card(w, "", t->events, "refusals and failures");
    card(w, "rej", t->by_outcome[SDX_OUT_REJECTED], "rejected (inbound)");
    card(w, "bnc", t->by_outcome[SDX_OUT_BOUNCED], "bounced");
    card(w, "dfr", t->by_outcome[SDX_OUT_DEFERRED], "deferred");
    card(w, "exp", t->by_outcome[SDX_OUT_EXPIRED], "expired");
    card(w, "ok", info->delivered, "delivered");
    put(w, "</div>\n");
    put(w, "<table><tr><th>direction</th><th>events</th><th>reply class</th><th>events</th></tr>");
    putf(w, "<tr><td>inbound</td><td class=\"n\">%lu</td><td>5xx permanent</td><td class=\"n\">%lu</td></tr>",
         t->by_direction[SDX_DIR_INBOUND], t->by_class[5]);
    putf(w, "<tr><td>outbound</td><td class=\"n\">%lu</td><td>4xx transient</td><td class=\"n\">%lu</td></tr>",
         t->by_direction[SDX_DIR_OUTBOUND], t->by_class[4]);
    putf(w, "<tr><td>local</td><td class=\"n\">%lu</td><td>no code</td><td class=\"n\">%lu</td></tr></table>\n",
         t->by_direction[SDX_DIR_LOCAL], t->by_class[0]);
    if (t->softened)
        putf(w, "<p>%lu recipient%s deferred (4xx) and later bounced (5xx).</p>\n", t->softened,
             t->softened == 1 ? " was" : "s were");
    if (t->other)
        putf(w, "<p>%lu events of further kinds were counted but not grouped (over %d groups).</p>\n",
             t->other, SDX_GROUPS_MAX);
    put(w, "<table><tr><th>reason</th><th>events</th><th>what it is</th></tr>");
    for (i = 0; i < SDX_REASON_COUNT; i++)
        if (t->by_reason[i]) {
            put(w, "<tr><td>");
            esc(w, sdx_reason_name((enum sdx_reason)i));
            putf(w, "</td><td class=\"n\">%lu</td><td>", t->by_reason[i]);
            esc(w, sdx_reason_desc((enum sdx_reason)i));
            put(w, "</td></tr>");
        }
    put(w, "</table>\n");
}

/* timeline_chart - bars of events per minute, hour or day, by the span */
static void timeline_chart(struct w *w, const struct sdx_html_timeline *tl)
{
    unsigned long cnt[SDX_HTML_TIMELINE_MAX], max = 0;
    int64_t span, du, dorig, end;
    size_t nb, i, ticks;
    const char *uname;
    const double W = 1000, H = 240, L = 48, R = 10, T = 12, B = 40;
    double bw;
    char lab[40], first[40] = "";

    if (tl == NULL || tl->n == 0 || tl->unit_us == 0)
        return;
    span = (int64_t)tl->n * tl->unit_us;
    if (tl->unit_us == MINUTE_US && span <= 6 * HOUR_US)
        du = MINUTE_US, uname = "minute";
    else if (tl->unit_us <= HOUR_US && span <= 14 * DAY_US)
        du = HOUR_US, uname = "hour";
    else
        du = DAY_US, uname = "day";
    dorig = floor_to(tl->origin_us, du);
    end = tl->origin_us + span;
    nb = (size_t)((end - dorig + du - 1) / du);
    if (nb > SDX_HTML_TIMELINE_MAX)
        nb = SDX_HTML_TIMELINE_MAX;
    if (nb < 30) {          /* a short span: quiet buckets around it, not one wall-wide bar */
        dorig -= (int64_t)((30 - nb) / 2) * du;
        nb = 30;
    }
    memset(cnt, 0, nb * sizeof(cnt[0]));
    for (i = 0; i < tl->n; i++) {
        size_t k = (size_t)((tl->origin_us + (int64_t)i * tl->unit_us - dorig) / du);

        cnt[k < nb ? k : nb - 1] += tl->count[i];
    }
    for (i = 0; i < nb; i++)
        if (cnt[i] > max)
            max = cnt[i];
    putf(w, "<h2>Refusals and failures per %s (UTC)</h2>\n<div class=\"chart\">", uname);
    putf(w, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"events per %s\">", W, H, uname);
    /* axes and a half-way grid line */
    putf(w, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#8a94a8\"/>", L, H - B, W - R, H - B);
    putf(w, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#e3e6ec\"/>", L, T, W - R, T);
    putf(w, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#e3e6ec\"/>", L, T + (H - B - T) / 2,
         W - R, T + (H - B - T) / 2);
    putf(w, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%lu</text>", L - 6, T + 4, max);
    putf(w, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">0</text>", L - 6, H - B + 4);
    bw = (W - L - R) / (double)nb;
    for (i = 0; i < nb; i++) {
        double h = max ? (H - B - T) * (double)cnt[i] / (double)max : 0;

        if (cnt[i] == 0)
            continue;
        if (h < 1)
            h = 1;
        stamp(dorig + (int64_t)i * du, du, lab, sizeof(lab));
        putf(w, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#c0392b\"><title>%s: %lu</title></rect>",
             L + bw * (double)i + (bw > 3 ? 0.5 : 0), H - B - h, bw > 3 ? bw - 1 : bw, h, lab, cnt[i]);
    }
    /* at most 6 labels on the time axis, first and last included */
    ticks = nb < 6 ? nb : 6;
    for (i = 0; i < ticks; i++) {
        size_t k = ticks == 1 ? 0 : i * (nb - 1) / (ticks - 1);
        double x = L + bw * ((double)k + 0.5);

        stamp(dorig + (int64_t)k * du, du, lab, sizeof(lab));
        if (i > 0 && du < DAY_US && strncmp(lab, first, 10) == 0)
            memmove(lab, lab + 11, strlen(lab + 11) + 1);  /* same day: the time alone */
        else if (i == 0)
            snprintf(first, sizeof(first), "%s", lab);
        putf(w, "<line x1=\"%.2f\" y1=\"%.0f\" x2=\"%.2f\" y2=\"%.0f\" stroke=\"#8a94a8\"/>", x, H - B, x, H - B + 5);
        putf(w, "<text x=\"%.2f\" y=\"%.0f\" text-anchor=\"%s\">%s</text>", x, H - B + 20,
             ticks == 1 ? "middle" : i == 0 ? "start" : i + 1 == ticks ? "end" : "middle", lab);
    }
    put(w, "</svg>");
    if (tl->undated)
        putf(w, "<p>%lu events without a time are not in the chart.</p>", tl->undated);
    put(w, "</div>\n");
}

/* reason_chart - one horizontal bar per reason, most events first */
static void reason_chart(struct w *w, const struct sdx_groups_totals *t)
{
    size_t order[SDX_REASON_COUNT], n = 0, i, j;
    unsigned long max = 0;
    const double W = 1000, L = 170, R = 70, RH = 24;

    for (i = 0; i < SDX_REASON_COUNT; i++)
        if (t->by_reason[i]) {
            for (j = n; j > 0 && t->by_reason[order[j - 1]] < t->by_reason[i]; j--)
                order[j] = order[j - 1];
            order[j] = i;
            n++;
            if (t->by_reason[i] > max)
                max = t->by_reason[i];
        }
    if (n == 0)
        return;
    put(w, "<h2>By reason</h2>\n<div class=\"chart\">");
    putf(w, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"events by reason\">", W, RH * (double)n + 8);
    for (i = 0; i < n; i++) {
        unsigned long v = t->by_reason[order[i]];
        double y = 4 + RH * (double)i, bw = (W - L - R) * (double)v / (double)max;

        put(w, "<text x=\"");
        putf(w, "%.0f\" y=\"%.1f\" text-anchor=\"end\">", L - 8, y + RH * 0.65);
        esc(w, sdx_reason_name((enum sdx_reason)order[i]));
        putf(w, "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"#3f6fb5\"/>", L, y + 3,
             bw < 1 ? 1 : bw, RH - 6);
        putf(w, "<text x=\"%.2f\" y=\"%.1f\">%lu</text>", L + (bw < 1 ? 1 : bw) + 6, y + RH * 0.65, v);
    }
    put(w, "</svg></div>\n");
}

static void top_row(struct w *w, const char *label, const struct sdx_group_top *track)
{
    struct sdx_group_top top[SDX_GROUP_TOP];
    size_t i, n = sdx_group_top(track, top);

    if (n == 0)
        return;
    putf(w, "<dt>%s</dt><dd>", label);
    for (i = 0; i < n; i++) {
        put(w, i ? ", <code>" : "<code>");
        esc(w, top[i].name);
        putf(w, "</code> (%lu)", top[i].count);
    }
    put(w, "</dd>");
}

/* list - a NULL-terminated list of KB texts as <ol> or <ul> */
static void list(struct w *w, const char *label, const char *const *items, const char *tag)
{
    size_t k;

    if (items == NULL || items[0] == NULL)
        return;
    putf(w, "<dt>%s</dt><dd><%s>", label, tag);
    for (k = 0; items[k]; k++) {
        put(w, "<li>");
        esc(w, items[k]);
        put(w, "</li>");
    }
    putf(w, "</%s></dd>", tag);
}

static void group(struct w *w, size_t rank, const struct sdx_group *gr)
{
    struct sdx_verdict v;
    struct sdx_explanation x;
    const char *perm = sdx_perm_name(gr->perm);
    char a[40], b[40];
    size_t k;

    memset(&v, 0, sizeof(v));
    v.reason = gr->reason, v.perm = gr->perm, v.actor = gr->actor;
    v.pattern = gr->pattern, v.status = gr->status_kb, v.code = gr->code_kb, v.reason_kb = gr->reason_kb;
    snprintf(v.rule, sizeof(v.rule), "%s", gr->ex_rule);
    sdx_explain_verdict(&v, &x);
    put(w, "<section class=\"group ");
    esc(w, perm);
    putf(w, "\" id=\"g%zu\">\n<h3>%zu. %lu&times; ", rank, rank, gr->count);
    esc(w, sdx_reason_name(gr->reason));
    put(w, "</h3>\n<div><span class=\"badge ");
    esc(w, perm);
    put(w, "\">");
    esc(w, perm);
    put(w, "</span><span class=\"badge\">");
    esc(w, sdx_direction_name(gr->dir));
    put(w, "</span><span class=\"badge\">");
    esc(w, sdx_outcome_name(gr->outcome));
    put(w, "</span>");
    if (gr->code || gr->status[0]) {
        put(w, "<span class=\"badge\">");
        if (gr->code)
            putf(w, "%d", gr->code);
        if (gr->status[0]) {
            put(w, gr->code ? " " : "");
            esc(w, gr->status);
        }
        put(w, "</span>");
    }
    put(w, "</div>\n<code class=\"fp\">");
    esc(w, gr->fingerprint);
    put(w, "</code>\n<dl>");
    when(gr->first_us, a, sizeof(a));
    when(gr->last_us, b, sizeof(b));
    putf(w, "<dt>when</dt><dd>%s to %s</dd>", a, b);
    top_row(w, gr->dir == SDX_DIR_INBOUND ? "senders" : "domains", gr->domains);
    top_row(w, "clients", gr->clients);
    top_row(w, "servers", gr->hosts);
    put(w, "<dt>means</dt><dd><b>");
    esc(w, x.summary);
    put(w, "</b> (");
    esc(w, sdx_actor_name(gr->actor));
    put(w, ": ");
    esc(w, sdx_actor_desc(gr->actor));
    put(w, ")");
    if (x.meaning) {
        put(w, "<br>");
        esc(w, x.meaning);
    }
    put(w, "</dd>");
    list(w, "causes", x.causes, "ul");
    list(w, "steps", x.steps, "ol");
    if (x.refs[0] || x.url) {
        put(w, "<dt>references</dt><dd>");
        for (k = 0; x.refs[k]; k++) {
            put(w, k ? ", " : "");
            esc(w, x.refs[k]);
        }
        if (x.url) {
            put(w, x.refs[0] ? ", " : "");
            esc(w, x.url);      /* text, not a link: the page links nowhere */
        }
        put(w, "</dd>");
    }
    put(w, "<dt>example</dt><dd><code>");
    esc(w, gr->ex_source);
    putf(w, ":%lu</code>", gr->ex_line);
    if (gr->ex_queue_id[0]) {
        put(w, " queue id <code>");
        esc(w, gr->ex_queue_id);
        put(w, "</code>");
    }
    if (gr->ex_sender[0]) {
        put(w, " from <code>");
        esc(w, gr->ex_sender);
        put(w, "</code>");
    }
    if (gr->ex_recipient[0]) {
        put(w, " to <code>");
        esc(w, gr->ex_recipient);
        put(w, "</code>");
    }
    if (gr->ex_reply_from == SDX_REPLY_RECONSTRUCTED)
        put(w, "<br><small>The reply is not in the log: the MTA logged the condition below, and the reply "
               "shown is the one it sends for it.</small>");
    else if (gr->ex_reply_from == SDX_REPLY_INFERRED)
        put(w, "<br><small>The reply is not in the log: the MTA only counted a failed command in its "
               "disconnect line below; the reply shown is the likely one for that command in that "
               "session.</small>");
    put(w, "</dd></dl>\n");
    if (gr->ex_nstory) {
        put(w, "<pre>");
        for (k = 0; k < gr->ex_nstory && k < 8; k++) {
            esc(w, gr->ex_story[k]);
            put(w, "\n");
        }
        put(w, "</pre>\n");
    } else if (gr->ex_text[0]) {
        put(w, "<pre>");
        esc(w, gr->ex_text);
        put(w, "</pre>\n");
    }
    put(w, "</section>\n");
}

int sdx_html_report(struct sdx_buf *out, struct sdx_groups *g, const struct sdx_html_info *info)
{
    static const struct sdx_html_info none = { 0 };
    const struct sdx_group *const *gs;
    struct sdx_groups_totals t;
    struct w w = { out, 0 };
    size_t n, i, limit;
    const char *title;
    char a[40], b[40];

    if (info == NULL)
        info = &none;
    title = info->title ? info->title : "smtpdx logs";
    n = sdx_groups_sorted(g, &gs);
    limit = info->limit && info->limit < n ? info->limit : n;
    sdx_groups_totals(g, &t);

    /* head: the policy forbids every load, the page needs none */
    put(&w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"generator\" content=\"smtpdx\">\n<title>");
    esc(&w, title);
    put(&w, "</title>\n<style>");
    put(&w, css);
    put(&w, "</style>\n</head>\n<body>\n<main>\n<h1>");
    esc(&w, title);
    put(&w, "</h1>\n");
    when(info->first_us, a, sizeof(a));
    when(info->last_us, b, sizeof(b));
    putf(&w, "<p class=\"sub\">%lu lines in %lu file%s, %lu from a mail server; events from %s to %s; "
             "%zu group%s</p>\n", info->lines, info->files, info->files == 1 ? "" : "s", info->mta_lines,
         a, b, n, n == 1 ? "" : "s");

    summary(&w, &t, info);
    timeline_chart(&w, info->timeline);
    reason_chart(&w, &t);

    put(&w, "<h2>Groups, most events first</h2>\n");
    if (n == 0)
        put(&w, "<p>No refusal, bounce, deferral or expiry found.</p>\n");
    for (i = 0; i < limit; i++)
        group(&w, i + 1, gs[i]);
    if (n > limit)
        putf(&w, "<p>%zu more group%s not shown (--limit 0 shows all).</p>\n", n - limit, n - limit == 1 ? "" : "s");
    put(&w, "<footer>Made by smtpdx. Times are UTC. Texts from the logs are shown as they were, "
            "control characters as symbols.</footer>\n</main>\n</body>\n</html>\n");
    return w.err;
}
