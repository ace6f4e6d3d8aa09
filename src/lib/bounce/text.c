/* text.c - recipients and replies in a bounce that has no DSN part
 * In:  the bounce's human-readable text (UTF-8, untrusted), the
 *      X-Failed-Recipients value, addresses that are not recipients (the
 *      bounce's own To and From, the original sender).
 * Out: per recipient, the reply or sentence that explains it, and which
 *      rule found it; whether the words say the message expired or is
 *      only delayed.
 * No table of MTAs: the layouts differ in wording, not in shape. Every
 * MTA puts the recipient first and its reply after it, in the same
 * paragraph (Postfix "<a>: host h[ip] said: 550 ...", Exim's indented
 * "SMTP error from remote mail server after RCPT TO:<a>: 550 ...", qmail's
 * "<a>:\nRemote host said: 550 ...", Sendmail's "(reason: 550 ...)" and
 * "<<< 550" transcript), or names the recipient in one paragraph and gives
 * the reply in a later one (Gmail, Microsoft, Yahoo); so: the text after
 * each recipient up to the next recipient or the paragraph's end, then the
 * recipient's later mentions, then the only reply of the whole text.
 * Bounded: at most 64 recipients, SDX_BOUNCE_TEXT_MAX bytes of text (the
 * caller's cut), diagnostic texts of at most DIAG_MAX bytes. */
#define _GNU_SOURCE 1     /* memmem */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "smtpdx/error.h"
#include "bounce_int.h"

#define DIAG_MAX   2048
#define LINES_MAX  4096

struct line {
    size_t s, e;                    /* span in the text, without the line end */
    unsigned para;                  /* paragraph number */
};

struct text {
    const char   *t;
    const char   *lo;               /* t in ASCII lower case: memmem() for the word lists */
    size_t        n;
    struct line   l[LINES_MAX];
    size_t        nl, cut;          /* lines; the first line of the returned message */
    int           sc[LINES_MAX];    /* the candidate whose address starts the line, -1 */
    unsigned char rp[LINES_MAX];    /* the line holds a reply code */
};

#define SEG_LINES  64               /* lines a recipient's text may run to */
#define MENTIONS   8                /* later mentions of a recipient looked at */

/* the returned original message starts here: the markers MTAs write
 * before it (our own reading of their wording; matched case-insensitively
 * on lines that are rules or headings, so prose does not cut the text) */
/* p is the line in lower case */
static int starts_original(const char *p, size_t n)
{
    static const char *const words[] = {
        "original message", "copy of the message", "copy of your message", "returned message",
        "message headers follow", "headers of the original", "unsent message", "message below",
        "original mail", "undelivered message", "message that caused", "rejected message",
        "message follows", "text of the message", "content of the original"
    };
    /* sentences that announce the returned message wherever they stand */
    static const char *const anywhere[] = {
        "original message follows", "message headers follow", "below this line is a copy",
        "unsent message below", "headers of the original message", "this is a copy of the message",
        "original message:"
    };
    size_t i, lead = 0;

    for (i = 0; i < sizeof(anywhere) / sizeof(anywhere[0]); i++)
        if (n < 120 && memmem(p, n, anywhere[i], strlen(anywhere[i])))
            return 1;
    while (lead < n && (p[lead] == ' ' || p[lead] == '\t'))
        lead++;
    if (n - lead >= 13 && memcmp(p + lead, "content-type:", 13) == 0)
        return memmem(p, n, "message/rfc822", 14) != NULL || memmem(p, n, "rfc822-headers", 14) != NULL;
    if (lead >= n || (p[lead] != '-' && p[lead] != '=' && p[lead] != '*' && p[lead] != '_'))
        return 0;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (memmem(p, n, words[i], strlen(words[i])))
            return 1;
    return 0;
}

static void lines(struct text *x)
{
    size_t i = 0;
    unsigned para = 0;
    int prev_blank = 1;

    x->nl = 0;
    x->cut = (size_t)-1;
    while (i < x->n && x->nl < LINES_MAX) {
        size_t s = i, e, k;
        int blank = 1;

        while (i < x->n && x->t[i] != '\n')
            i++;
        e = i;
        if (i < x->n)
            i++;
        if (e > s && x->t[e - 1] == '\r')
            e--;
        for (k = s; k < e; k++)
            if (x->t[k] != ' ' && x->t[k] != '\t' && x->t[k] != '>')
                blank = 0;
        if (blank) {
            if (!prev_blank)
                para++;
            prev_blank = 1;
        } else
            prev_blank = 0;
        x->l[x->nl] = (struct line){ s, e, para };
        if (x->cut == (size_t)-1 && starts_original(x->lo + s, e - s))
            x->cut = x->nl;
        x->nl++;
    }
    if (x->cut == (size_t)-1)
        x->cut = x->nl;
}

/* reply_at - the offset of the first reply code in p[0..n): three digits
 * 2xx/4xx/5xx after a separator and before a space, '-' or the end, or an
 * enhanced status x.y.z alone; (size_t)-1 if none */
size_t bounce_reply_at(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i + 3 <= n; i++) {
        char c = p[i];
        int before = i == 0 || strchr(" \t\r\n:'\"(<[=#;", p[i - 1]) != NULL;

        if (!before || (c != '4' && c != '5' && c != '2'))
            continue;
        if (p[i + 1] >= '0' && p[i + 1] <= '9' && p[i + 2] >= '0' && p[i + 2] <= '9' &&
            (i + 3 == n || p[i + 3] == ' ' || p[i + 3] == '-') &&
            (i + 4 >= n || !(p[i + 4] >= '0' && p[i + 4] <= '9') || p[i + 3] == ' ') &&
            p[i + 1] <= '5')
            return i;
        if (p[i + 1] == '.' && i + 5 <= n && p[i + 2] >= '0' && p[i + 2] <= '9') {
            size_t k = i + 2;

            while (k < n && p[k] >= '0' && p[k] <= '9' && k - i < 5)
                k++;
            if (k < n && p[k] == '.' && k + 1 < n && p[k + 1] >= '0' && p[k + 1] <= '9' && c != '2')
                return i;
        }
    }
    return (size_t)-1;
}

static int excluded(const struct tscan *ts, const char *a, size_t n)
{
    size_t i, at;

    for (at = 0; at < n && a[at] != '@'; at++)
        ;
    /* the bounce's own sender is excluded by name (ts->exclude); a
     * postmaster address elsewhere in the text can be the recipient */
    if (at == 13 && (strncasecmp(a, "mailer-daemon", 13) == 0 || strncasecmp(a, "mailer_daemon", 13) == 0))
        return 1;
    for (i = 0; i < ts->nexclude; i++)
        if (strlen(ts->exclude[i]) == n && strncasecmp(a, ts->exclude[i], n) == 0)
            return 1;
    return 0;
}

/* header-like lines name senders and message ids, not recipients */
static int header_line(const char *p, size_t n, int to_too)
{
    static const char *const h[] = { "from:", "reply-to:", "return-path:", "message-id:", "sender:",
                                     "received:", "in-reply-to:", "references:", "x-", "subject:",
                                     "envelope-from", "dkim-", "list-" };
    size_t i;

    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
        if (n >= strlen(h[i]) && strncasecmp(p, h[i], strlen(h[i])) == 0)
            return 1;
    /* "To:" and "Cc:" in a summary of the original message (Exchange's
     * "Your message To: ... did not reach"): not recipients unless nothing
     * else in the text is (the caller's second pass) */
    return to_too && n >= 3 && (strncasecmp(p, "to:", 3) == 0 || strncasecmp(p, "cc:", 3) == 0);
}

/* join - lines [from, to) of the text, from offset start in the first,
 * into one line of at most DIAG_MAX bytes; returns its length */
static size_t join(const struct text *x, size_t from, size_t start, size_t to, char *out)
{
    size_t k, o = 0;

    for (k = from; k < to && o < DIAG_MAX - 1; k++) {
        size_t s = k == from ? start : x->l[k].s, e = x->l[k].e;

        while (s < e && (x->t[s] == ' ' || x->t[s] == '\t' || x->t[s] == '>'))
            s++;
        if (s >= e)
            continue;
        if (o && o < DIAG_MAX - 1)
            out[o++] = '\n';      /* kept: multi-line replies stay lines */
        while (s < e && o < DIAG_MAX - 1)
            out[o++] = x->t[s++] == '\t' ? ' ' : x->t[s - 1];
    }
    out[o] = '\0';
    return o;
}

struct cand {
    const char *a;                  /* the address (in the text or the hint) */
    size_t   s, len;                /* its span in the text (s meaningless if line is -1) */
    size_t   line;                  /* first line it is on, (size_t)-1 if not in the text */
};

/* other_rcpt_on - does line k start with a recipient other than self?
 * (x->sc, filled once: constant time) */
static int other_rcpt_on(const struct text *x, const struct cand *c, size_t nc, size_t self, size_t k)
{
    (void)c, (void)nc;
    return x->sc[k] >= 0 && (size_t)x->sc[k] != self;
}

/* index_lines - x->sc and x->rp for the candidates c[0..nc) */
static void index_lines(struct text *x, const struct cand *c, size_t nc)
{
    size_t i, k;

    for (k = 0; k < x->cut; k++) {
        x->sc[k] = -1;
        x->rp[k] = bounce_reply_at(x->t + x->l[k].s, x->l[k].e - x->l[k].s) != (size_t)-1;
    }
    for (i = 0; i < nc; i++) {
        size_t s;

        if (c[i].line == (size_t)-1)
            continue;
        s = x->l[c[i].line].s;
        while (s < c[i].s && strchr(" \t<\"'", x->t[s]))
            s++;
        /* Sendmail's "554 <a>... reason": a reply code before it */
        if (c[i].s - s > 4 && x->t[s] >= '2' && x->t[s] <= '5' && x->t[s + 1] >= '0' && x->t[s + 1] <= '9' &&
            x->t[s + 2] >= '0' && x->t[s + 2] <= '9' && (x->t[s + 3] == ' ' || x->t[s + 3] == '-')) {
            s += 4;
            while (s < c[i].s && strchr(" \t<\"'", x->t[s]))
                s++;
        }
        if (s == c[i].s && x->sc[c[i].line] < 0)
            x->sc[c[i].line] = (int)i;
    }
}

/* segment - the text after an address at (line k, offset off): to the end
 * of the paragraph or the next line that starts with another recipient */
static size_t segment(const struct text *x, const struct cand *c, size_t nc, size_t self,
                      size_t k, size_t off, char *out)
{
    size_t end = k + 1;

    while (end < x->cut && end - k < SEG_LINES && x->l[end].para == x->l[k].para &&
           !other_rcpt_on(x, c, nc, self, end))
        end++;
    /* the rest of the address line: skip "...", ">", ":" and the like */
    while (off < x->l[k].e && strchr(">:;,.)]\"' \t", x->t[off]))
        off++;
    return join(x, k, off, end, out);
}

static int same_addr(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && strncasecmp(a, b, an) == 0;
}

static int add_found(struct bmem *m, struct tscan *ts, const char *a, size_t an, const char *d,
                     size_t dn, const char *how)
{
    int err = 0;
    struct tfound *f;

    if (ts->nfound == sizeof(ts->found) / sizeof(ts->found[0]))
        return 0;
    f = &ts->found[ts->nfound++];
    f->rcpt = bmem_str(m, a, an, &err);
    f->diag = bmem_str(m, d, dn, &err);
    f->how = how;
    return err ? SDX_ENOMEM : 0;
}

static void words(const struct text *x, struct tscan *ts)
{
    static const char *const expired[] = {
        "retry timeout exceeded", "cannot send message for", "could not be delivered for",
        "delivery time expired", "message expired", "expired after", "too long in the queue",
        "have been unable to deliver", "delivery attempts will stop", "maximum time",
        "retry time not reached for any host after a long failure period"
    };
    static const char *const delayed[] = {
        "will be retried", "will retry", "still trying", "delivery is delayed", "has been delayed",
        "not yet been delivered", "no action is required", "warning: message"
    };
    size_t i, n = x->cut < x->nl ? x->l[x->cut].s : x->n;

    for (i = 0; i < sizeof(expired) / sizeof(expired[0]); i++)
        if (memmem(x->lo, n, expired[i], strlen(expired[i])))
            ts->expired = 1;
    for (i = 0; i < sizeof(delayed) / sizeof(delayed[0]); i++)
        if (memmem(x->lo, n, delayed[i], strlen(delayed[i])))
            ts->delayed = 1;
}

int bounce_text(struct bmem *m, const char *t, size_t n, struct sdx_str hint, struct tscan *ts)
{
    struct text *x;
    struct cand c[64];
    size_t nc = 0, k, i, limit;
    char *diag, *weak, *lo;
    int rc = 0;

    ts->nfound = 0;
    ts->expired = ts->delayed = 0;
    x = malloc(sizeof(*x));
    diag = malloc(DIAG_MAX);
    weak = malloc(DIAG_MAX);
    if (!x || !diag || !weak) {
        free(x), free(diag), free(weak);
        return SDX_ENOMEM;
    }
    lo = malloc(n ? n : 1);
    if (!lo) {
        free(x), free(diag), free(weak);
        return SDX_ENOMEM;
    }
    for (k = 0; k < n; k++)
        lo[k] = (char)(t[k] >= 'A' && t[k] <= 'Z' ? t[k] + 32 : t[k]);
    x->t = t;
    x->lo = lo;
    x->n = n;
    lines(x);
    ts->cut = x->cut < x->nl ? x->l[x->cut].s : n;
    words(x, ts);
    limit = ts->cut;

    /* candidates: X-Failed-Recipients first (Exim writes it), else every
     * address of the text before the returned message */
    if (hint.len) {
        size_t off = 0, as, al;

        while (nc < 64 && bounce_find_addr(hint.p, hint.len, &off, &as, &al)) {
            /* locate it in the text for the segment; else keep line -1 */
            size_t j;

            c[nc] = (struct cand){ hint.p + as, (size_t)-1, al, (size_t)-1 };
            for (j = 0; j + al <= limit; j++)
                if (strncasecmp(t + j, hint.p + as, al) == 0)
                    break;
            if (j + al <= limit) {
                c[nc].s = j;
                for (k = 0; k < x->cut && !(x->l[k].s <= j && j < x->l[k].e); k++)
                    ;
                c[nc].line = k < x->cut ? k : (size_t)-1;
            }
            nc++;
        }
    } else {
        int pass;

        for (pass = 1; pass >= 0 && nc == 0; pass--) {
            for (k = 0; k < x->cut && nc < 64; k++) {
                size_t off = x->l[k].s, as, al;

                if (header_line(t + x->l[k].s, x->l[k].e - x->l[k].s, pass))
                    continue;
                while (nc < 64 && bounce_find_addr(t, x->l[k].e, &off, &as, &al)) {
                    if (excluded(ts, t + as, al))
                        continue;
                    for (i = 0; i < nc; i++)
                        if (same_addr(c[i].a, c[i].len, t + as, al))
                            break;
                    if (i < nc)
                        continue;
                    c[nc++] = (struct cand){ t + as, as, al, k };
                }
            }
        }
    }

    index_lines(x, c, nc);
    /* per candidate: its own segment, its later mentions, the only reply */
    for (i = 0; i < nc && rc == 0; i++) {
        size_t dn, wn = 0, j, at, seen = 0;
        const char *how = NULL;
        int alone;
        char needle[320];

        if (c[i].line == (size_t)-1)
            dn = 0;                                 /* named only by the header */
        else if (x->sc[c[i].line] == (int)i && bounce_reply_at(t + x->l[c[i].line].s,
                                                              c[i].s - x->l[c[i].line].s) != (size_t)-1) {
            /* "554 <a>... Remote protocol error": the line is the reply */
            dn = join(x, c[i].line, x->l[c[i].line].s, c[i].line + 1, diag);
            how = "text:recipient-line";
        } else
            dn = segment(x, c, nc, i, c[i].line, c[i].s + c[i].len, diag);
        alone = dn == 0;
        if (dn == 0 && c[i].line != (size_t)-1) {
            /* the address alone in its paragraph (Gmail, Microsoft): what
             * follows, up to the next recipient or the returned message */
            size_t e = c[i].line + 1;

            while (e < x->cut && e - c[i].line < SEG_LINES && x->l[e].para == x->l[c[i].line].para)
                e++;
            k = e;
            while (e < x->cut && e - k < SEG_LINES && !other_rcpt_on(x, c, nc, i, e))
                e++;
            if (k < e)
                dn = join(x, k, x->l[k].s, e, diag);
        }
        if (how)
            ;
        else if (dn && (at = bounce_reply_at(diag, dn)) != (size_t)-1)
            how = "text:after-recipient";
        else {
            /* no reply: the recipient's whole lines are the sentence, the
             * words before the address too ("pipe to |cmd a@b ...") */
            size_t w0 = c[i].line != (size_t)-1 ? x->l[c[i].line].s : 0;

            while (c[i].line != (size_t)-1 && w0 < c[i].s && strchr(" \t<>(\"'", t[w0]))
                w0++;
            if (dn && c[i].line != (size_t)-1 && w0 < c[i].s && !alone) {
                size_t e = c[i].line + 1;

                while (e < x->cut && e - c[i].line < SEG_LINES && x->l[e].para == x->l[c[i].line].para &&
                       !other_rcpt_on(x, c, nc, i, e))
                    e++;
                wn = join(x, c[i].line, x->l[c[i].line].s, e, weak);
            } else {
                memcpy(weak, diag, dn + 1);
                wn = dn;
            }
            /* later mentions: a transcript's "RCPT TO:<a>" then "<<< 550";
             * a few, found with memmem() in the lower-case text */
            for (j = 0; j < c[i].len && j < sizeof(needle); j++)
                needle[j] = (char)(c[i].a[j] >= 'A' && c[i].a[j] <= 'Z' ? c[i].a[j] + 32 : c[i].a[j]);
            k = c[i].line;
            for (j = c[i].s + c[i].len; c[i].line != (size_t)-1 && c[i].len <= sizeof(needle) &&
                                        j < limit && !how && seen < MENTIONS; seen++) {
                const char *hit = memmem(x->lo + j, limit - j, needle, c[i].len);

                if (!hit)
                    break;
                j = (size_t)(hit - x->lo);
                while (k < x->cut && !(x->l[k].s <= j && j <= x->l[k].e))
                    k++;
                if (k >= x->cut)
                    break;
                dn = segment(x, c, nc, i, k, j + c[i].len, diag);
                if (dn && bounce_reply_at(diag, dn) != (size_t)-1)
                    how = "text:later-mention";
                j = x->l[k].e + 1;
            }
        }
        if (!how) {
            /* the first paragraph with a reply that names no other recipient */
            for (k = 0; k < x->cut && !how; k++) {
                size_t e = k + 1;

                if (!x->rp[k] || other_rcpt_on(x, c, nc, i, k))
                    continue;
                while (e < x->cut && e - k < SEG_LINES && x->l[e].para == x->l[k].para &&
                       !other_rcpt_on(x, c, nc, i, e))
                    e++;
                dn = join(x, k, x->l[k].s, e, diag);
                if (dn)
                    how = "text:reply-in-text";
            }
        }
        if (!how && !wn && c[i].line != (size_t)-1) {
            /* "Unknown user: a@b": the words before the address */
            size_t ls = x->l[c[i].line].s, e = c[i].s;

            while (ls < e && (t[ls] == ' ' || t[ls] == '\t' || t[ls] == '>'))
                ls++;
            while (e > ls && strchr(" \t<(\"'", t[e - 1]))
                e--;
            if (e > ls) {
                wn = e - ls < DIAG_MAX - 1 ? e - ls : DIAG_MAX - 1;
                memcpy(weak, t + ls, wn);
                weak[wn] = '\0';
            }
        }
        if (!how && !wn && c[i].line != (size_t)-1) {
            /* Lotus Notes: the reason in the lines above the address */
            size_t b0 = c[i].line;

            while (b0 > 0 && c[i].line - b0 < SEG_LINES && x->l[b0 - 1].para == x->l[c[i].line].para &&
                   !other_rcpt_on(x, c, nc, i, b0 - 1))
                b0--;
            if (b0 < c[i].line)
                wn = join(x, b0, x->l[b0].s, c[i].line, weak);
        }
        if (!how && wn) {
            memcpy(diag, weak, wn + 1);
            dn = wn;
            how = "text:sentence";
        }
        if (!how && x->cut > 0) {
            /* nothing near the address: the report's own words, all of
             * them before the returned message (a localized Google Groups
             * refusal, a gateway's one-line notice) */
            size_t e = x->cut < SEG_LINES ? x->cut : SEG_LINES;

            dn = join(x, 0, x->l[0].s, e, diag);
            if (dn)
                how = "text:whole-report";
        }
        if (!how) {
            dn = 0;
            how = "text:recipient-only";
        }
        rc = add_found(m, ts, c[i].a, c[i].len, diag, dn, how);
    }
    /* no recipient at all, but a reply: keep it, the reason is still known */
    if (rc == 0 && nc == 0) {
        for (k = 0; k < x->cut; k++) {
            size_t e = k + 1, dn;

            if (!x->rp[k])
                continue;
            while (e < x->cut && e - k < SEG_LINES && x->l[e].para == x->l[k].para)
                e++;
            dn = join(x, k, x->l[k].s, e, diag);
            rc = add_found(m, ts, "", 0, diag, dn, "text:reply-no-recipient");
            break;
        }
    }
    free(x), free(diag), free(weak), free(lo);
    return rc;
}
