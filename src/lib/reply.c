/* reply.c - split one SMTP reply into code, enhanced status and text
 * In:  the lines of one reply, CRLF or LF, from a session, a log or a DSN;
 *      or one of the renderings MTAs write around a reply: Postfix
 *      "host H[A] said: ... (in reply to X command)" and "reject: X from
 *      H[A]: ...; from=<...>", Exim "SMTP error from remote mail server
 *      after X: ..." (with its literal \n line breaks), "Diagnostic-Code:
 *      smtp; ..." (RFC 3464 §2.3.6), OpenSMTPD result="...".
 * Out: struct sdx_reply; each tolerated defect sets an SDX_REPLY_F_* flag.
 * Limits: SDX_REPLY_INPUT_MAX, SDX_REPLY_LINE_MAX, SDX_REPLY_LINES_MAX,
 *      SDX_REPLY_TEXT_MAX (core/limits.h). Not here: meaning (classify.c).
 * RFC 5321 §4.2, §4.2.1, §4.5.3.1.5; RFC 3463 §2; RFC 2034 §3; RFC 3464. */
#define _GNU_SOURCE 1      /* memmem(3) */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "smtpdx/reply.h"
#include "smtpdx/esc.h"
#include "core/limits.h"

static const struct { unsigned bit; const char *word, *desc; } flag_names[] = {
#define X(name, bit, word, desc) { bit, word, desc },
    SDX_REPLY_FLAGS(X)
#undef X
};

const char *sdx_reply_flag_name(unsigned bit)
{
    size_t i;

    for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
        if (flag_names[i].bit == bit)
            return flag_names[i].word;
    return "?";
}

const char *sdx_reply_flag_desc(unsigned bit)
{
    size_t i;

    for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
        if (flag_names[i].bit == bit)
            return flag_names[i].desc;
    return "?";
}

void sdx_reply_init(struct sdx_reply *r)
{
    memset(r, 0, sizeof(*r));
    sdx_buf_init(&r->text, SDX_REPLY_TEXT_MAX);
}

void sdx_reply_release(struct sdx_reply *r)
{
    sdx_buf_release(&r->text);
}

int sdx_reply_class(const struct sdx_reply *r)
{
    if (r->code)
        return r->code / 100;
    return r->status.klass;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* scan_digits - 1..max digits at *p (bounded by end) into *v; advances *p */
static int scan_digits(const char **p, const char *end, int max, unsigned *v)
{
    const char *s = *p;
    unsigned n = 0;
    int k = 0;

    while (s < end && is_digit((unsigned char)*s) && k < max + 1)
        n = n * 10 + (unsigned)(*s++ - '0'), k++;
    if (k == 0 || k > max)
        return -1;
    *p = s, *v = n;
    return 0;
}

/* scan_status - RFC 3463 status at *p: class 2/4/5, subject and detail 1-3
 * digits, then a space, end or a delimiter; advances *p only on success */
static int scan_status(const char **p, const char *end, struct sdx_status *st)
{
    const char *s = *p;
    unsigned c, sub, det;

    if (s >= end || (*s != '2' && *s != '4' && *s != '5'))
        return -1;
    c = (unsigned)(*s++ - '0');
    if (s >= end || *s != '.')
        return -1;
    s++;
    if (scan_digits(&s, end, 3, &sub) || s >= end || *s != '.')
        return -1;
    s++;
    if (scan_digits(&s, end, 3, &det))
        return -1;
    if (s < end && !(*s == ' ' || *s == '\t' || *s == ')' || *s == ']' || *s == ',' ||
                     *s == ';' || *s == '\r' || *s == '\n' || *s == '"'))
        return -1;
    st->klass = (unsigned char)c, st->subject = (unsigned short)sub, st->detail = (unsigned short)det;
    *p = s;
    return 0;
}

int sdx_status_parse(const char *p, size_t n, struct sdx_status *st)
{
    const char *s = p;

    if (scan_status(&s, p + n, st) || s != p + n)
        return SDX_EPARSE;
    return 0;
}

/* looks_like_status - d.d.d shape with any digits (to flag invalid ones) */
static int looks_like_status(const char *s, const char *end)
{
    unsigned v;

    return scan_digits(&s, end, 3, &v) == 0 && s < end && *s == '.' &&
           (s++, scan_digits(&s, end, 4, &v) == 0) && s < end && *s == '.' &&
           (s++, scan_digits(&s, end, 4, &v) == 0);
}

/* scan_code - three-digit reply code at p (RFC 5321 §4.2 defines 2-5, 0-5,
 * 0-9; a second digit above 5 is accepted and explained as undefined)
 * followed by SP, '-' or end; returns the code or 0 */
static int scan_code(const char *p, const char *end, char *sep)
{
    if (end - p < 3 || p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '9' || !is_digit((unsigned char)p[2]))
        return 0;
    if (end - p > 3 && p[3] != ' ' && p[3] != '-' && p[3] != '\t' && p[3] != '\r')
        return 0;
    *sep = end - p > 3 ? p[3] : ' ';
    return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* find - needle in [p, end). Case-sensitive on purpose: the renderings
 * searched for are written by programs (Postfix, Exim, OpenSMTPD), always
 * in the same case, and memmem(3) is many times faster than a folding scan. */
static const char *find(const char *p, const char *end, const char *needle)
{
    return p < end ? memmem(p, (size_t)(end - p), needle, strlen(needle)) : NULL;
}

/* rfind - last occurrence of needle in [p, end) */
static const char *rfind(const char *p, const char *end, const char *needle)
{
    const char *last = NULL, *hit;

    while ((hit = find(p, end, needle)) != NULL) {
        last = hit;
        p = hit + 1;
    }
    return last;
}

/* sdx_stage_of_command - the stage a command word names (reply.h) */
enum sdx_stage sdx_stage_of_command(const char *p, size_t n)
{
    const char *end = p + n;
    static const struct { const char *word; enum sdx_stage st; } words[] = {
        { "RCPT", SDX_STAGE_RCPT }, { "MAIL", SDX_STAGE_MAIL }, { "DATA", SDX_STAGE_DATA },
        { "end of data", SDX_STAGE_EOD }, { "end of message", SDX_STAGE_EOD },
        { "END-OF-MESSAGE", SDX_STAGE_EOD }, { "EHLO", SDX_STAGE_HELO }, { "HELO", SDX_STAGE_HELO },
        { "LHLO", SDX_STAGE_HELO }, { "STARTTLS", SDX_STAGE_STARTTLS }, { "AUTH", SDX_STAGE_AUTH },
        { "BDAT", SDX_STAGE_BDAT }, { "QUIT", SDX_STAGE_QUIT }, { "CONNECT", SDX_STAGE_CONNECT },
        { "initial connection", SDX_STAGE_CONNECT }, { "pipelined RCPT", SDX_STAGE_RCPT },
        { "pipelined MAIL", SDX_STAGE_MAIL }, { "pipelined DATA", SDX_STAGE_DATA },
        { "VRFY", SDX_STAGE_OTHER }, { "ETRN", SDX_STAGE_OTHER }, { "RSET", SDX_STAGE_OTHER },
        { "XCLIENT", SDX_STAGE_OTHER }, { "NOOP", SDX_STAGE_OTHER },
    };
    size_t i;

    if (p == NULL || p >= end)
        return SDX_STAGE_OTHER;
    while (p < end && *p == ' ')
        p++;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t l = strlen(words[i].word);
        struct sdx_str w = { p, (size_t)(end - p) < l ? (size_t)(end - p) : l };

        if ((size_t)(end - p) >= l && sdx_str_ieq(w, words[i].word))
            return words[i].st;
    }
    return SDX_STAGE_OTHER;
}

/* copy_host - "name[addr]" at [p, end) into r->host and r->addr, bounded */
static void copy_host(struct sdx_reply *r, const char *p, const char *end)
{
    const char *lb = memchr(p, '[', (size_t)(end - p)), *rb;
    size_t n;

    if (lb == NULL)
        for (lb = end; lb > p && lb[-1] == ']'; lb--)
            ;                   /* "NAME]" without "[": the name alone */
    while (lb > p && lb[-1] == ' ')
        lb--;
    n = (size_t)(lb - p) < sizeof(r->host) - 1 ? (size_t)(lb - p) : sizeof(r->host) - 1;
    memcpy(r->host, p, n);
    r->host[n] = '\0';
    for (size_t i = 0; i < n; i++)      /* a host name is never binary: keep it printable */
        if ((unsigned char)r->host[i] < 0x21 || (unsigned char)r->host[i] > 0x7e)
            r->host[i] = '?';
    if ((lb = memchr(p, '[', (size_t)(end - p))) == NULL)
        return;
    lb++;
    rb = memchr(lb, ']', (size_t)(end - lb));
    if (rb == NULL)
        return;
    n = (size_t)(rb - lb) < sizeof(r->addr) - 1 ? (size_t)(rb - lb) : sizeof(r->addr) - 1;
    memcpy(r->addr, lb, n);
    r->addr[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)r->addr[i] < 0x21 || (unsigned char)r->addr[i] > 0x7e)
            r->addr[i] = '?';
}

/* marks - the first " said: " or " refused to talk to me: " (Postfix
 * smtp) and the first "reject: " (Postfix smtpd) in [p, end), found by
 * looking behind each colon */
static void marks(const char *p, const char *end, const char **said, const char **reject)
{
    const char *c = p;

    *said = *reject = NULL;
    while ((c = memchr(c, ':', (size_t)(end - c))) != NULL) {
        if (c + 1 < end && c[1] == ' ') {
            if (*said == NULL && c - p >= 5 && memcmp(c - 5, " said", 5) == 0)
                *said = c - 5;
            else if (*said == NULL && c - p >= 22 && memcmp(c - 22, " refused to talk to me", 22) == 0)
                *said = c - 22;
            else if (*reject == NULL && c - p >= 6 && memcmp(c - 6, "reject", 6) == 0)
                *reject = c - 6;
        }
        if (++c >= end)
            break;
    }
}

/* dsn_type - "Diagnostic-Code: TYPE;" (RFC 3464 §2.3.6) at *pp: the type
 * is an atom ("smtp", "X-Postfix", "X-mPOP-Fallback_MX"). Without the field
 * name only "smtp;" and "x-...;" are taken, so "Rejected; see ..." stays text. */
static void dsn_type(struct sdx_reply *r, const char **pp, const char *end)
{
    const char *p = *pp, *q;
    int named = 0;
    size_t i, n;

    if ((size_t)(end - p) > 16 && (*p == 'D' || *p == 'd') &&
        (memcmp(p, "Diagnostic-Code:", 16) == 0 || sdx_str_ieq((struct sdx_str){ p, 16 }, "Diagnostic-Code:")))
        p += 16, named = 1;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    for (q = p; q < end && q - p < 32 && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                                          (*q >= '0' && *q <= '9') || *q == '-' || *q == '_'); q++)
        ;
    n = (size_t)(q - p);
    if (n == 0 || q >= end || *q != ';' || is_digit((unsigned char)*p) ||
        !(named || (n == 4 && sdx_str_ieq((struct sdx_str){ p, 4 }, "smtp")) ||
          (n > 2 && (p[0] == 'x' || p[0] == 'X') && p[1] == '-'))) {
        if (named)
            *pp = p;
        return;
    }
    if (n > sizeof(r->diag_type) - 1)
        n = sizeof(r->diag_type) - 1;
    for (i = 0; i < n; i++)
        r->diag_type[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
    r->diag_type[n] = '\0';
    r->rendering = SDX_RENDER_DSN;
    p = q + 1;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    *pp = p;
}

/* amazon_ses - "5.1.0 - Unknown address error 550-'5.7.1 <a@b>... Access
 * denied' (delivery attempts: 0)": SES's own status and words, then the
 * remote reply in quotes, which is the one to read. Returns 1 if taken. */
static int amazon_ses(struct sdx_reply *r, const char **pp, const char **pe)
{
    const char *p = *pp, *end = *pe, *q, *c, *close;
    char sep;

    if (end - p <= 8 || !is_digit((unsigned char)p[0]) || p[1] != '.' ||
        (q = find(p, (size_t)(end - p) < 64 ? end : p + 64, " - ")) == NULL)
        return 0;
    for (c = q + 3; c + 5 < end; c++)
        if ((c[3] == '-' || c[3] == ' ') && c[4] == '\'' && scan_code(c, c + 4, &sep))
            break;
    if (c + 5 >= end)
        return 0;
    /* the quote that closes it: before SES's own trailer, else the last one */
    if ((close = rfind(c + 5, end, "' (delivery attempts")) == NULL) {
        for (close = end; close > c + 5 && close[-1] != '\''; close--)
            ;
        close = close > c + 5 ? close - 1 : end;
    }
    r->code = (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
    r->rendering = SDX_RENDER_DSN;
    *pp = c + 5;                /* after the quote: status and text */
    *pe = close;
    return 1;
}

/* drop_close - a rendering inside "status=deferred (...)" leaves a ")" that
 * opens nowhere in the reply: drop it */
static const char *drop_close(const char *p, const char *end)
{
    const char *c;
    int depth = 0;

    if (end <= p || end[-1] != ')')
        return end;
    for (c = p; c < end; c++)
        depth += *c == '(' ? 1 : *c == ')' ? -1 : 0;
    return depth < 0 ? end - 1 : end;
}

/* postfix_said - Postfix smtp(8): "host NAME[ADDR] said: REPLY (in reply to
 * CMD command)", "... refused to talk to me: REPLY"; qmail's "Remote host
 * said:". Returns 1 if taken (a host, or "host", stands before the hit). */
static int postfix_said(struct sdx_reply *r, const char *hit, const char **pp, const char **pe)
{
    const char *p = *pp, *end = *pe, *h = rfind(p, hit, "host "), *q;
    int refused = hit[1] == 'r';

    /* qmail and others: "Remote host said: 550 ..." names no host */
    if (h == NULL && hit - p >= 4 && memcmp(hit - 4, "host", 4) == 0)
        h = hit - 4;
    /* Postfix's "host" folded onto the line before: "NAME[ADDR] said:" */
    if (h == NULL && hit > p && hit[-1] == ']') {
        const char *w = hit;

        while (w > p && w[-1] != ' ' && w[-1] != '\n' && w[-1] != '\t')
            w--;
        if (memchr(w, '[', (size_t)(hit - w)) != NULL) {
            copy_host(r, w, hit);
            h = hit;            /* the host is copied: nothing more to take */
        }
    }
    /* "connect to NAME[ADDR]:...: server refused to talk to me: 421 ...":
     * Postfix names the host earlier; the greeting was refused */
    if (h == NULL && refused) {
        const char *c = find(p, hit, "connect to ");

        if (c != NULL && c + 11 < hit) {
            const char *e = memchr(c + 11, ']', (size_t)(hit - c - 11));

            if (e != NULL)
                copy_host(r, c + 11, e + 1);
        }
        h = hit;
    }
    if (h == NULL)
        return 0;
    if (h + 5 <= hit)
        copy_host(r, h + 5, hit);
    r->rendering = SDX_RENDER_POSTFIX;
    if (refused)
        r->stage = SDX_STAGE_CONNECT, p = hit + 24;
    else
        p = hit + 7;
    if ((q = rfind(p, end, "(in reply to ")) != NULL) {
        r->stage = sdx_stage_of_command(q + 13, (size_t)(end - (q + 13)));
        end = q;
    }
    *pp = p, *pe = drop_close(p, end);
    return 1;
}

/* exim - "... SMTP error from remote mail server after RCPT TO:<a@b>: 550 ..." */
static int exim(struct sdx_reply *r, const char *hit, const char **pp, const char **pe)
{
    const char *p = *pp, *end = *pe, *q = find(hit, end, " after "), *s;

    if (q == NULL || q - hit >= 40)
        return 0;
    r->rendering = SDX_RENDER_EXIM;
    r->stage = sdx_stage_of_command(q + 7, (size_t)(end - (q + 7)));
    /* the reply follows the first ':' after which only white space (Exim
     * folds long lines in bounces) stands before a code */
    for (s = q + 7, p = end; s < end; s++) {
        const char *t = s + 1;
        char sp;

        if (*s != ':')
            continue;
        while (t < end && (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n'))
            t++;
        if (t > s + 1 && scan_code(t, end, &sp)) {
            p = t;
            break;
        }
    }
    /* Exim puts H=name [addr] before the message */
    if ((s = find(*pp, hit, " H=")) != NULL) {
        const char *e = find(s + 3, hit, "]");

        if (e != NULL)
            copy_host(r, s + 3, e + 1);
    }
    /* Exim's log field DT=...s is not part of the reply */
    if ((s = rfind(p, end, " DT=")) != NULL && end - s < 24)
        end = s;
    *pp = p, *pe = end;
    return 1;
}

/* postfix_reject - smtpd(8) "reject: RCPT from H[A]: 550 ...; from=<s> ..."
 * and postscreen(8) "reject: RCPT from [A]:PORT: 550 ...; from=<s>, ..." */
static int postfix_reject(struct sdx_reply *r, const char *hit, const char **pp, const char **pe)
{
    const char *end = *pe, *q = find(hit, end, " from "), *rb, *p, *cut;
    static const char *const tails[] = { "; from=<", "; proto=", "; helo=<" };
    size_t k;

    if (q == NULL || q - hit >= 40 || q < hit + 8 || (rb = find(q, end, "]")) == NULL)
        return 0;
    p = rb + 1;
    if (p < end && *p == ':' && p + 1 < end && is_digit((unsigned char)p[1]))
        for (p++; p < end && is_digit((unsigned char)*p); p++)
            ;                   /* postscreen's ":PORT" */
    if (end - p < 2 || p[0] != ':' || p[1] != ' ')
        return 0;
    r->rendering = SDX_RENDER_POSTFIX_REJECT;
    r->stage = sdx_stage_of_command(hit + 8, (size_t)(q - (hit + 8)));
    copy_host(r, q + 6, rb + 1);
    p += 2;
    for (k = 0; k < sizeof(tails) / sizeof(tails[0]); k++)
        if ((cut = find(p, end, tails[k])) != NULL)
            end = cut;
    *pp = p, *pe = end;
    return 1;
}

/* opensmtpd - smtp "failed-command command=\"RCPT TO:<a@b>\" result=\"550 ...\""
 * and mta "relay=\"NAME [ADDR]\" ... result=\"PermFail\" stat=\"550 ...\"" */
static int opensmtpd(struct sdx_reply *r, const char *hit, const char **pp, const char **pe)
{
    const char *p = *pp, *end = *pe, *q, *v = hit + 8;

    if ((q = find(p, hit, "command=\"")) != NULL)
        r->stage = sdx_stage_of_command(q + 9, (size_t)(hit - (q + 9)));
    r->rendering = SDX_RENDER_OPENSMTPD;
    /* a delivery result word: the remote reply is in stat="..." */
    if (!scan_code(v, end, &(char){ 0 }) && (q = find(v, end, "stat=\"")) != NULL) {
        const char *rel = find(p, hit, "relay=\"");

        if (rel != NULL) {
            const char *e = memchr(rel + 7, '"', (size_t)(hit - rel - 7));

            if (e != NULL)
                copy_host(r, rel + 7, e);
        }
        v = q + 6;
    }
    if ((q = memchr(v, '"', (size_t)(end - v))) != NULL)
        end = q;
    *pp = v, *pe = end;
    return 1;
}

/* unwrap - find a rendering around the reply; narrows [*pp, *pe) to the
 * reply. When several markers occur, the outermost (first) one is the
 * rendering: a Postfix reject that quotes "host X said:" is a reject. */
static void unwrap(struct sdx_reply *r, const char **pp, const char **pe)
{
    const char *p = *pp, *end = *pe, *said, *reject, *cand[4];
    int kind[4], nc = 0, i, j;
    char sep;

    dsn_type(r, &p, end);
    if (amazon_ses(r, &p, &end)) {
        *pp = p, *pe = end;
        return;
    }
    /* the reply itself, as on the wire: nothing to unwrap (the hot path) */
    if (scan_code(p, end, &sep)) {
        *pp = p;
        return;
    }
    /* one pass over the colons finds the Postfix markers */
    marks(p, end, &said, &reject);
    if (said)
        cand[nc] = said, kind[nc++] = 0;
    if ((cand[nc] = find(p, end, "SMTP error from remote mail")) != NULL)
        kind[nc++] = 1;
    if (reject)
        cand[nc] = reject, kind[nc++] = 2;
    if ((cand[nc] = find(p, end, "result=\"")) != NULL)
        kind[nc++] = 3;
    for (i = 1; i < nc; i++)            /* by position: at most four */
        for (j = i; j > 0 && cand[j] < cand[j - 1]; j--) {
            const char *tc = cand[j];
            int tk = kind[j];

            cand[j] = cand[j - 1], kind[j] = kind[j - 1];
            cand[j - 1] = tc, kind[j - 1] = tk;
        }
    for (i = 0; i < nc; i++) {
        const char *np = p, *ne = end;
        int ok = kind[i] == 0 ? postfix_said(r, cand[i], &np, &ne) :
                 kind[i] == 1 ? exim(r, cand[i], &np, &ne) :
                 kind[i] == 2 ? postfix_reject(r, cand[i], &np, &ne) : opensmtpd(r, cand[i], &np, &ne);

        if (ok) {
            p = np, end = ne;
            break;
        }
    }
    *pp = p, *pe = end;
}

/* add_text - append a text piece, joining pieces with one space */
static int add_text(struct sdx_reply *r, const char *p, size_t n)
{
    int err;

    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    if (n == 0)
        return 0;
    if (r->text.len && (err = sdx_buf_addc(&r->text, ' ')) != 0)
        return err;
    return sdx_buf_add(&r->text, p, n);
}

/* next_line - the next line of [*p, end): LF, CRLF, or Exim's literal "\n" */
static int next_line(const char **p, const char *end, int literal_nl, const char **ls, const char **le)
{
    const char *s = *p, *e;

    if (s >= end)
        return 0;
    e = memchr(s, '\n', (size_t)(end - s));
    if (e == NULL)
        e = end;
    if (literal_nl) {
        const char *b = s;

        while ((b = memchr(b, '\\', (size_t)(e - b))) != NULL && b + 1 < end && b[1] != 'n')
            b++;
        if (b != NULL && b + 1 < end)
            e = b;
    }
    *ls = s;
    *le = e;
    if (e < end)
        e += *e == '\n' ? 1 : 2;
    *p = e;
    return 1;
}

/* strip_inline - remove codes repeated inside joined text: Postfix logs a
 * multi-line reply as "550-5.7.26 first 550-5.7.26 second 550 5.7.26 last".
 * "550-" is removed wherever it starts a word; "550 " only when the reply's
 * status follows it or a "550-" came before (so "limit is 550 per message"
 * keeps its number). Returns the separator of the last code removed ('-' or
 * ' '), 0 if none: the caller checks the multi-line reply was closed. */
static int strip_inline(struct sdx_reply *r)
{
    char *t = r->text.data, *o = t;
    size_t i = 0, n = r->text.len, sl = strlen(r->status_str);
    char code[4];
    int last = 0;

    if (r->code == 0 || n < 4)
        return 0;
    code[0] = (char)('0' + r->code / 100), code[1] = (char)('0' + r->code / 10 % 10);
    code[2] = (char)('0' + r->code % 10), code[3] = '\0';
    while (i < n) {
        /* jump to the next occurrence of the code's first digit */
        const char *nx = memchr(t + i, code[0], n - i);
        size_t j;

        if (nx == NULL) {
            memmove(o, t + i, n - i);
            o += n - i;
            break;
        }
        if (nx > t + i) {
            size_t skip = (size_t)(nx - (t + i));

            memmove(o, t + i, skip);
            o += skip;
            i += skip;
        }
        j = i + 4;
        if ((i == 0 || t[i - 1] == ' ') && j <= n && memcmp(t + i, code, 3) == 0 &&
            (t[i + 3] == '-' || t[i + 3] == ' ')) {
            int status_follows = sl && j + sl <= n && memcmp(t + j, r->status_str, sl) == 0 &&
                                 (j + sl == n || t[j + sl] == ' ');

            if (t[i + 3] == '-' ? (j == n || !is_digit((unsigned char)t[j]) || status_follows)
                                : (status_follows || last == '-')) {
                last = t[i + 3];
                if (status_follows)
                    j += sl;
                while (j < n && t[j] == ' ')
                    j++;
                i = j;
                continue;
            }
        }
        *o++ = t[i++];
    }
    while (o > t && o[-1] == ' ')
        o--;
    *o = '\0';
    r->text.len = (size_t)(o - t);
    return last;
}

/* status_in_text - qmail "(#5.1.1)", Sendmail/Exchange "#5.1.1", "(5.1.1)" */
static void status_in_text(struct sdx_reply *r)
{
    const char *t = r->text.data, *end = t + r->text.len;
    int want = r->code / 100;

    for (; t < end; t++) {
        struct sdx_status st;
        const char *s = t + 1;

        if (*t != '#' && *t != '(')
            continue;
        if (scan_status(&s, end, &st) == 0 && (want == 0 || st.klass == want) && st.subject <= 7) {
            r->status = st;
            r->flags |= SDX_REPLY_F_STATUS_IN_TEXT;
            return;
        }
    }
}

/* ascii_only - no byte of p[0..n) has the high bit set; 8 bytes a step */
static int ascii_only(const char *p, size_t n)
{
    uint64_t acc = 0, w;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= (unsigned char)p[i];
    return (acc & UINT64_C(0x8080808080808080)) == 0;
}

/* put_uint - decimal digits of v (< 100000) at *o */
static char *put_uint(char *o, unsigned v)
{
    char tmp[8];
    int k = 0;

    do
        tmp[k++] = (char)('0' + v % 10);
    while ((v /= 10) != 0 && k < 5);
    while (k)
        *o++ = tmp[--k];
    return o;
}

/* format_status - "5.7.26" into out (16 bytes hold any unsigned short triple) */
static void format_status(char *out, const struct sdx_status *st)
{
    char *o = put_uint(out, st->klass);

    *o++ = '.';
    o = put_uint(o, st->subject);
    *o++ = '.';
    o = put_uint(o, st->detail);
    *o = '\0';
}

int sdx_reply_parse(struct sdx_reply *r, const char *p, size_t n)
{
    const char *end, *ls, *le;
    char last_sep = ' ';
    int err = 0, literal_nl, bare, inline_sep;
    size_t i;

    /* reset, keeping the text storage */
    sdx_buf_reset(&r->text);
    r->code = 0;
    memset(&r->status, 0, sizeof(r->status));
    r->status_str[0] = r->diag_type[0] = r->host[0] = r->addr[0] = '\0';
    r->stage = SDX_STAGE_UNKNOWN;
    r->rendering = SDX_RENDER_PLAIN;
    r->flags = 0;
    r->lines = 0;
    r->skipped = 0;

    /* bound the input */
    if (n > SDX_REPLY_INPUT_MAX) {
        r->skipped = n - SDX_REPLY_INPUT_MAX;
        n = SDX_REPLY_INPUT_MAX;
        r->flags |= SDX_REPLY_F_TRUNCATED;
    }
    end = p + n;
    if (n == 0 || p == NULL) {
        r->flags |= SDX_REPLY_F_NO_CODE;    /* nothing to read */
        return 0;
    }
    if (memchr(p, 0, n) != NULL)
        r->flags |= SDX_REPLY_F_NUL;
    if (!ascii_only(p, n))
        r->flags |= SDX_REPLY_F_NON_ASCII;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;

    unwrap(r, &p, &end);
    literal_nl = r->rendering == SDX_RENDER_EXIM || r->rendering == SDX_RENDER_POSTFIX ||
                 r->rendering == SDX_RENDER_OPENSMTPD;

    /* the lines: code lines, and text lines (folded DSN lines, wrapped logs) */
    while (next_line(&p, end, literal_nl, &ls, &le)) {
        const char *s = ls;
        char sep;
        int code;

        if (r->lines == SDX_REPLY_LINES_MAX) {
            r->flags |= SDX_REPLY_F_TRUNCATED;
            r->skipped += (size_t)(end - ls);
            break;
        }
        r->lines++;
        if ((size_t)(le - ls) > SDX_REPLY_LINE_MAX) {
            r->flags |= SDX_REPLY_F_TRUNCATED;
            r->skipped += (size_t)(le - ls) - SDX_REPLY_LINE_MAX;
            le = ls + SDX_REPLY_LINE_MAX;
        }
        while (s < le && (*s == ' ' || *s == '\t'))
            s++;
        code = scan_code(s, le, &sep);
        if (code) {
            struct sdx_status st;
            char sep2;

            if (r->code == 0)
                r->code = code;
            else if (code != r->code)
                r->flags |= SDX_REPLY_F_CODE_MISMATCH;
            last_sep = sep;
            s += 3;
            if (s < le)
                s++;
            while (s < le && *s == ' ')
                s++;
            /* the code said twice ("550 550 5.7.1 ...": Gmail quotes the remote
             * reply so in its bounces): the second is no text */
            if (le - s > 4 && scan_code(s, le, &sep2) == code) {
                s += 4;
                while (s < le && *s == ' ')
                    s++;
            }
            /* the first status is the reply's; a repeat of it on a later line
             * is dropped, a different one stays in the text */
            if (r->status.klass == 0) {
                if (scan_status(&s, le, &st) == 0)
                    r->status = st;
                else if (looks_like_status(s, le))
                    r->flags |= SDX_REPLY_F_BAD_STATUS;
            } else {
                const char *t = s;

                if (scan_status(&t, le, &st) == 0 && st.klass == r->status.klass &&
                    st.subject == r->status.subject && st.detail == r->status.detail)
                    s = t;
            }
        } else if (r->status.klass == 0 && r->text.len == 0) {
            struct sdx_status st;

            /* a bare enhanced status, or a text that starts with one */
            if (scan_status(&s, le, &st) == 0)
                r->status = st;
            else if (looks_like_status(s, le))
                r->flags |= SDX_REPLY_F_BAD_STATUS;
        }
        if ((err = add_text(r, s, (size_t)(le - s))) != 0) {
            if (err == SDX_ETOOBIG) {
                r->flags |= SDX_REPLY_F_TRUNCATED;
                err = 0;
                break;
            }
            return err;
        }
    }

    if (r->status.klass == 0 && r->text.len)
        status_in_text(r);
    if (r->status.klass)
        format_status(r->status_str, &r->status);
    if ((inline_sep = strip_inline(r)) != 0)
        last_sep = (char)inline_sep;    /* a one-line rendering ends with its last inline code */

    /* findings */
    if (r->code && last_sep == '-')
        r->flags |= SDX_REPLY_F_BAD_CONTINUATION;
    if (r->code && r->status.klass && r->code / 100 != r->status.klass)
        r->flags |= SDX_REPLY_F_CLASS_MISMATCH;
    if (r->code == 0 && r->status.klass == 0)
        r->flags |= SDX_REPLY_F_NO_CODE;
    for (i = 0; (r->flags & (SDX_REPLY_F_NUL | SDX_REPLY_F_NON_ASCII)) && i < r->text.len; i++) {
        if (r->text.data[i] == '\0') {
            r->text.data[i] = ' ';
        } else if ((unsigned char)r->text.data[i] >= 0x80) {
            size_t l = sdx_utf8_len((const unsigned char *)r->text.data + i, r->text.len - i);

            if (l == 0)
                r->flags |= SDX_REPLY_F_BAD_UTF8;
            else
                i += l - 1;
        }
    }
    bare = r->text.len == 0 && (r->code || r->status.klass);
    if (bare && r->rendering == SDX_RENDER_PLAIN && r->lines <= 1)
        r->flags |= SDX_REPLY_F_BARE_CODE;
    else if (bare)
        r->flags |= SDX_REPLY_F_NO_TEXT;
    return 0;
}
