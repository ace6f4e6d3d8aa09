/* queue.c - `postqueue -j` and `exim -bp` listings summarised (queue.h)
 * Postfix: one JSON object per line; the members read are queue_name,
 * arrival_time and, per recipient, address and delay_reason (postqueue(1),
 * "JSON OBJECT FORMAT"). Exim: a message line "AGE SIZE ID <SENDER>"
 * (AGE like 25m, 3h, 2d), then its recipients indented, "D " before the
 * ones already delivered, a blank line after (exim(8), -bp). */
#include <stdio.h>
#include <string.h>
#include "smtpdx/group.h"
#include "smtpdx/queue.h"
#include "core/jsonscan.h"

void sdx_queue_init(struct sdx_queue *q, enum sdx_queue_format f, int64_t now)
{
    memset(q, 0, sizeof(*q));
    q->format = f;
    q->now = now;
}

static struct sdx_queue_name *qname(struct sdx_queue *q, const char *name, size_t n)
{
    size_t i;

    if (n >= sizeof(q->q[0].name))
        n = sizeof(q->q[0].name) - 1;
    for (i = 0; i < q->nq; i++)
        if (strlen(q->q[i].name) == n && memcmp(q->q[i].name, name, n) == 0)
            return &q->q[i];
    if (q->nq == SDX_QUEUE_NAMES_MAX)
        return NULL;
    memcpy(q->q[q->nq].name, name, n);
    q->q[q->nq].name[n] = '\0';
    return &q->q[q->nq++];
}

/* unescape - JSON's \" \\ \/ undone, other escapes and control bytes kept
 * out; into out (NUL-terminated, at most cap-1 bytes) */
static void unescape(const char *p, size_t n, char *out, size_t cap)
{
    size_t i, o = 0;

    for (i = 0; i < n && o + 1 < cap; i++) {
        char c = p[i];

        if (c == '\\' && i + 1 < n) {
            c = p[++i];
            if (c == 'n' || c == 't')
                c = ' ';
            else if (c == 'u') {
                i += 4;                 /* \uXXXX: not decoded */
                c = '?';
            }
        }
        if ((unsigned char)c >= 0x20 && c != 0x7f)
            out[o++] = c;
    }
    out[o] = '\0';
}

/* recipient - one recipient waiting: its domain and its reason counted */
static void recipient(struct sdx_queue *q, const char *addr, size_t an, const char *why, size_t wn)
{
    const char *at = memchr(addr, '@', an);
    char dom[96], reason[200], fp[160];
    size_t dl, i;

    q->recipients++;
    if (wn)
        unescape(why, wn, reason, sizeof(reason));
    else
        reason[0] = '\0';
    if (at) {
        dl = an - (size_t)(at + 1 - addr);
        if (dl >= sizeof(dom))
            dl = sizeof(dom) - 1;
        for (i = 0; i < dl; i++)
            dom[i] = (char)(at[1 + i] >= 'A' && at[1 + i] <= 'Z' ? at[1 + i] + 32 : at[1 + i]);
        dom[dl] = '\0';
    } else
        snprintf(dom, sizeof(dom), "(none)");
    for (i = 0; i < q->ndest && strcmp(q->dest[i].domain, dom) != 0; i++)
        ;
    if (i == q->ndest) {
        if (q->ndest == SDX_QUEUE_TRACK_MAX) {
            q->untracked++;
            i = (size_t)-1;
        } else {
            snprintf(q->dest[q->ndest].domain, sizeof(q->dest[0].domain), "%s", dom);
            q->ndest++;
        }
    }
    if (i != (size_t)-1) {
        q->dest[i].recipients++;
        if (reason[0])
            snprintf(q->dest[i].last_reason, sizeof(q->dest[i].last_reason), "%s", reason);
    }
    if (!reason[0])
        return;
    sdx_fingerprint(reason, strlen(reason), fp, sizeof(fp));
    for (i = 0; i < q->nreason && strcmp(q->reason[i].fingerprint, fp) != 0; i++)
        ;
    if (i == q->nreason) {
        if (q->nreason == SDX_QUEUE_TRACK_MAX) {
            q->untracked++;
            return;
        }
        snprintf(q->reason[i].fingerprint, sizeof(q->reason[i].fingerprint), "%s", fp);
        snprintf(q->reason[i].example, sizeof(q->reason[i].example), "%s", reason);
        q->nreason++;
    }
    q->reason[i].recipients++;
}

static void postfix_line(struct sdx_queue *q, const char *p, size_t n)
{
    size_t off = 0, vs, vn;
    long long arrival = 0;
    struct sdx_queue_name *qn;

    if (!sdx__json_str(p, n, &off, "queue_name", &vs, &vn) || (qn = qname(q, p + vs, vn)) == NULL) {
        q->odd_lines++;
        return;
    }
    q->messages++;
    qn->messages++;
    off = 0;
    if (sdx__json_num(p, n, &off, "arrival_time", &arrival) && arrival > 0 &&
        (qn->oldest == 0 || arrival < qn->oldest))
        qn->oldest = arrival;
    /* recipients: each "address", then its "delay_reason" if it comes
     * before the next address */
    off = 0;
    while (sdx__json_str(p, n, &off, "address", &vs, &vn)) {
        size_t next = off, ns, nl, r = off, rs = 0, rn = 0, lim;

        lim = sdx__json_str(p, n, &next, "address", &ns, &nl) ? ns : n;
        if (!sdx__json_str(p, lim, &r, "delay_reason", &rs, &rn))
            rn = 0;
        recipient(q, p + vs, vn, p + rs, rn);
    }
}

/* exim_age - "25m", "3h", "2d", "1w", "30s" in seconds, -1 if not one */
static long long exim_age(const char *p, size_t n)
{
    long long v = 0;
    size_t i;

    for (i = 0; i < n && p[i] >= '0' && p[i] <= '9' && i < 9; i++)
        v = v * 10 + (p[i] - '0');
    if (i == 0 || i + 1 != n)
        return -1;
    switch (p[i]) {
    case 's': return v;
    case 'm': return v * 60;
    case 'h': return v * 3600;
    case 'd': return v * 86400;
    case 'w': return v * 604800;
    default: return -1;
    }
}

static void exim_line(struct sdx_queue *q, const char *p, size_t n)
{
    size_t i = 0, s;
    long long age;
    struct sdx_queue_name *qn;

    while (i < n && p[i] == ' ')
        i++;
    if (i == n) {
        q->in_exim_msg = 0;             /* the blank line after a message */
        return;
    }
    if (q->in_exim_msg && i >= 4) {     /* a recipient: indented */
        if (n - i >= 2 && p[i] == 'D' && p[i + 1] == ' ')
            return;                     /* delivered */
        if (n - i >= 2 && p[i] == '+' && p[i + 1] == 'D')
            return;                     /* delivered, generated by another */
        s = i;
        while (i < n && p[i] != ' ')
            i++;
        recipient(q, p + s, i - s, NULL, 0);
        return;
    }
    s = i;
    while (i < n && p[i] != ' ')
        i++;
    if ((age = exim_age(p + s, i - s)) < 0 || (qn = qname(q, "queue", 5)) == NULL) {
        q->odd_lines++;
        return;
    }
    q->messages++;
    qn->messages++;
    if (qn->oldest == 0 || q->now - age < qn->oldest)
        qn->oldest = q->now - age;
    q->in_exim_msg = 1;
}

void sdx_queue_line(struct sdx_queue *q, const char *line, size_t len)
{
    if (q->format == SDX_QUEUE_POSTFIX_JSON) {
        if (len)
            postfix_line(q, line, len);
    } else
        exim_line(q, line, len);
}

/* top - the indices of the n largest counts among cnt(0..items), largest
 * first (ties: the first seen first); returns how many */
static size_t top(size_t items, unsigned long (*cnt)(const struct sdx_queue *, size_t), const struct sdx_queue *q,
                  size_t *idx, size_t n)
{
    size_t i, k, got = 0;

    if (n > SDX_QUEUE_TOP_MAX)
        n = SDX_QUEUE_TOP_MAX;
    for (i = 0; i < items; i++) {
        for (k = got; k > 0 && cnt(q, idx[k - 1]) < cnt(q, i); k--)
            if (k < n)
                idx[k] = idx[k - 1];
        if (k < n) {
            idx[k] = i;
            if (got < n)
                got++;
        }
    }
    return got;
}

static unsigned long dest_count(const struct sdx_queue *q, size_t i)
{
    return q->dest[i].recipients;
}

static unsigned long reason_count(const struct sdx_queue *q, size_t i)
{
    return q->reason[i].recipients;
}

size_t sdx_queue_top_dest(const struct sdx_queue *q, const struct sdx_queue_dest **out, size_t n)
{
    size_t idx[SDX_QUEUE_TOP_MAX], got = top(q->ndest, dest_count, q, idx, n), i;

    for (i = 0; i < got; i++)
        out[i] = &q->dest[idx[i]];
    return got;
}

size_t sdx_queue_top_reason(const struct sdx_queue *q, const struct sdx_queue_reason **out, size_t n)
{
    size_t idx[SDX_QUEUE_TOP_MAX], got = top(q->nreason, reason_count, q, idx, n), i;

    for (i = 0; i < got; i++)
        out[i] = &q->reason[idx[i]];
    return got;
}
