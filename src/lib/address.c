/* address.c - check one e-mail address as RFC 5321 Mailbox, RFC 5322 addr-spec
 *             and RFC 6531 SMTPUTF8 mailbox in a single bounded pass
 * In:  p[0..n), not NUL-terminated, any bytes; optionally the RFC 5321 Path
 *      form "<[@route,...:]mailbox>" (SDX_ADDR_O_ANGLE).
 * Out: struct sdx_address: one SDX_ADDR_F() bit per finding, a verdict, the
 *      most severe finding and the reply a strict server would likely give.
 * How: first the broad RFC 5322 grammar (with RFC 6532 UTF-8) is parsed, with
 *      comments, folding white space and the obsolete forms of §4.4; the parts
 *      it finds are then held to RFC 5321 §4.1.2/§4.1.3 (Dot-string or
 *      Quoted-string local part, LDH or U-label domain, address literals) and
 *      to the §4.5.3.1 length limits. A fatal error stops the parse; every
 *      other finding is collected. Non-ASCII domains and "xn--" labels go
 *      through libidn2 (IDNA2008, TR46 non-transitional) to get the A-label.
 * Limits: SDX_ADDR_INPUT_MAX (address.h); no recursion (comment nesting is a
 *      counter), no allocation except libidn2's for IDN domains, never a read
 *      at or past p + n. Not here: DNS (no MX/A lookups), mailbox existence,
 *      local-part semantics (sub-addressing, case).
 * RFC 5321 §4.1.2, §4.1.3, §4.1.4, §4.2.2-4.2.3, §4.5.3.1; RFC 5322 §3.2,
 * §3.4.1, §4.1, §4.4; RFC 6531 §3.3, §3.5; RFC 6532 §3.2; RFC 5890-5892;
 * RFC 3629; RFC 3463; RFC 3696 erratum 1690. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L   /* inet_pton() under -std=c17 */
#endif
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <idn2.h>
#include "smtpdx/address.h"

/* RFC 5321 §4.5.3.1.1-3 and §4.1.2 (via RFC 1035 §2.3.4) */
#define LOCAL_MAX   64
#define LABEL_MAX   63
#define DOMAIN_MAX  255
#define MAILBOX_MAX 254     /* path 256 minus "<" and ">" */
#define PATH_MAX_   256

#define F(id) SDX_ADDR_F(id)

static const struct sdx_addr_info infos[] = {
#define X(id, name, cls, code, status, rfc, text) \
    { SDX_ADDR_##id, name, SDX_ADDR_C_##cls, code, status, rfc, text },
    SDX_ADDR_FINDINGS(X)
#undef X
};

_Static_assert(SDX_ADDR_FINDING_COUNT <= 64, "findings must fit in the 64-bit flags");

/* The bits of each class, computed by the compiler from the table. */
#define X(id, name, cls, code, status, rfc, text) \
    | ((uint64_t)(SDX_ADDR_C_##cls == MASK_CLASS) << SDX_ADDR_##id)
#define MASK_CLASS SDX_ADDR_C_OK
static const uint64_t mask_ok = 0 SDX_ADDR_FINDINGS(X);
#undef MASK_CLASS
#define MASK_CLASS SDX_ADDR_C_WARN
static const uint64_t mask_warn = 0 SDX_ADDR_FINDINGS(X);
#undef MASK_CLASS
#define MASK_CLASS SDX_ADDR_C_UTF8
static const uint64_t mask_utf8 = 0 SDX_ADDR_FINDINGS(X);
#undef MASK_CLASS
#define MASK_CLASS SDX_ADDR_C_5322
static const uint64_t mask_5322 = 0 SDX_ADDR_FINDINGS(X);
#undef MASK_CLASS
#define MASK_CLASS SDX_ADDR_C_ERROR
static const uint64_t mask_error = 0 SDX_ADDR_FINDINGS(X);
#undef MASK_CLASS
#undef X

static const char valid_name[] = "valid";
static const char valid_text[] =
    "the address is a plain RFC 5321 Mailbox: a dot-string local part and a host name "
    "domain (RFC 5321 section 4.1.2)";

/* The scanner: a cursor over p[0..end) and what was found so far. */
struct scan {
    const unsigned char *p;
    size_t end;         /* bound of the current part: p[end] is never read */
    size_t i;           /* cursor */
    uint64_t flags;     /* findings */
    size_t err_at;      /* offset of the first fatal error */
    int failed;         /* a fatal error stopped the parse */
};

/* A word of the local part (atom or quoted string) or a domain label. */
struct word {
    size_t start, end;  /* offsets in p, quotes included */
    int utf8;           /* has non-ASCII */
    int plain;          /* quoted, but the content is a valid Dot-string */
    int empty;          /* quoted and empty: "" */
};

struct local {
    size_t start, end;  /* first word start .. last word end */
    int words, quoted;
    int inner_cfws;     /* comment or space around a dot: obs-local-part */
    int utf8;
    struct word q;      /* the last quoted word */
};

struct domain {
    size_t start, end;  /* first label .. last label, or "[" .. "]" */
    int labels;
    int literal;
    int inner_cfws;     /* obs-domain */
    int utf8;           /* a label has non-ASCII: an IDN */
    int alabel;         /* a label starts with "xn--" */
    size_t tld_start;   /* last label */
    int lit_fws, lit_obs, lit_utf8;
};

/* fail - record the first fatal error; returns -1 for "return fail(...)" */
static int fail(struct scan *s, enum sdx_addr_finding f, size_t at)
{
    if (!s->failed) {
        s->flags |= UINT64_C(1) << f;
        s->err_at = at;
        s->failed = 1;
    }
    return -1;
}

static int is_alpha(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned c)
{
    return c >= '0' && c <= '9';
}

static int is_xdigit(unsigned c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* is_atext - RFC 5322 §3.2.3 atext, ASCII part */
static int is_atext(unsigned c)
{
    if (is_alpha(c) || is_digit(c))
        return 1;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '/': case '=': case '?': case '^': case '_': case '`': case '{':
    case '|': case '}': case '~':
        return 1;
    default:
        return 0;
    }
}

static int lower(unsigned c)
{
    return (c >= 'A' && c <= 'Z') ? (int)(c + 32) : (int)c;
}

/* ieq - ASCII case-insensitive comparison of n bytes */
static int ieq(const unsigned char *a, const char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (lower(a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* utf8_seq - length (2-4) of the valid non-ASCII UTF-8 sequence at p[0..n),
 * 0 if invalid: overlong, surrogate, above U+10FFFF, cut (RFC 3629 §3-4).
 * *c1 is set for U+0080..U+009F, the C1 controls (RFC 5198 §2 excludes them). */
static size_t utf8_seq(const unsigned char *p, size_t n, int *c1)
{
    unsigned c = p[0];

    *c1 = 0;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    if (c < 0xE0) {
        if (n < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        *c1 = c == 0xC2 && p[1] < 0xA0;
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))
            return 0;
        return 3;
    }
    if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
        return 0;
    if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
        return 0;
    return 4;
}

/* bad_char - fail() on the byte at s->i with the most specific finding:
 * line break, control character, bad UTF-8, else the generic one */
static int bad_char(struct scan *s, enum sdx_addr_finding generic)
{
    unsigned c = s->p[s->i];
    int c1;

    if (c == '\r' || c == '\n')
        return fail(s, SDX_ADDR_LINE_BREAK, s->i);
    if (c < 0x20 || c == 0x7f)
        return fail(s, SDX_ADDR_CONTROL_CHAR, s->i);
    if (c >= 0x80) {
        if (!utf8_seq(s->p + s->i, s->end - s->i, &c1))
            return fail(s, SDX_ADDR_UTF8_INVALID, s->i);
        if (c1)
            return fail(s, SDX_ADDR_CONTROL_CHAR, s->i);
    }
    return fail(s, generic, s->i);
}

/* fold - the CR at s->i must start CRLF followed by a space or tab (RFC 5322
 * §3.2.2 FWS, §4.2 obs-FWS); consumes the CRLF, the caller the white space */
static int fold(struct scan *s)
{
    size_t i = s->i;

    if (i + 2 < s->end && s->p[i + 1] == '\n' && (s->p[i + 2] == ' ' || s->p[i + 2] == '\t')) {
        s->i = i + 2;
        return 0;
    }
    return fail(s, SDX_ADDR_LINE_BREAK, i);
}

/* scan_comment - RFC 5322 §3.2.2 comment at s->i ("(" seen), nested to any
 * depth with a counter, ctext/quoted-pair/FWS and the obsolete control
 * characters of §4.1 inside; UTF-8 per RFC 6532 §3.2 */
static int scan_comment(struct scan *s)
{
    size_t start = s->i, depth = 0, len;
    int c1;

    while (s->i < s->end) {
        unsigned c = s->p[s->i];

        if (c == '(') {
            depth++;
            s->i++;
        } else if (c == ')') {
            s->i++;
            if (--depth == 0)
                return 0;
        } else if (c == '\\') {
            /* quoted-pair, or obs-qp: any ASCII may follow (RFC 5322 §4.1) */
            if (s->i + 1 >= s->end)
                return fail(s, SDX_ADDR_BACKSLASH_END, s->i);
            if (s->p[s->i + 1] < 0x80) {
                s->i += 2;
            } else {
                if (!(len = utf8_seq(s->p + s->i + 1, s->end - s->i - 1, &c1)))
                    return fail(s, SDX_ADDR_UTF8_INVALID, s->i + 1);
                s->i += 1 + len;
            }
        } else if (c == '\r') {
            if (fold(s))
                return -1;
        } else if (c == '\n') {
            return fail(s, SDX_ADDR_LINE_BREAK, s->i);
        } else if (c == 0) {
            return fail(s, SDX_ADDR_CONTROL_CHAR, s->i);   /* not even obs-ctext */
        } else if (c >= 0x80) {
            if (!(len = utf8_seq(s->p + s->i, s->end - s->i, &c1)))
                return fail(s, SDX_ADDR_UTF8_INVALID, s->i);
            s->i += len;                    /* C1 counts as obs-ctext, like C0 */
        } else {
            s->i++;                         /* ctext, WSP, obs-ctext */
        }
    }
    return fail(s, SDX_ADDR_COMMENT_UNCLOSED, start);
}

/* scan_cfws - skip [CFWS] at s->i (RFC 5322 §3.2.2), flagging COMMENT and
 * WHITESPACE. Returns 1 if something was skipped, 0 if not, -1 on error. */
static int scan_cfws(struct scan *s)
{
    size_t start = s->i;

    while (s->i < s->end) {
        unsigned c = s->p[s->i];

        if (c == ' ' || c == '\t') {
            s->flags |= F(WHITESPACE);
            s->i++;
        } else if (c == '\r') {
            if (fold(s))
                return -1;
            s->flags |= F(WHITESPACE);
        } else if (c == '(') {
            if (scan_comment(s))
                return -1;
            s->flags |= F(COMMENT);
        } else {
            break;
        }
    }
    return s->i > start;
}

/* scan_quoted - quoted string at s->i ('"' seen). RFC 5322 §3.2.4 decides
 * what parses; what RFC 5321 §4.1.2 qtextSMTP / quoted-pairSMTP would refuse
 * is flagged. Also notes whether the unquoted content is a Dot-string. */
static int scan_quoted(struct scan *s, struct word *w)
{
    size_t start = s->i, len;
    int prev_dot = 1, plain = 1, any = 0, c1;

    w->start = s->i++;
    while (s->i < s->end) {
        unsigned c = s->p[s->i];

        if (c == '"') {
            s->i++;
            w->end = s->i;
            w->empty = !any;
            w->plain = any && plain && !prev_dot;
            return 0;
        }
        any = 1;
        if (c == '\\') {
            if (s->i + 1 >= s->end)
                return fail(s, SDX_ADDR_BACKSLASH_END, s->i);
            c = s->p[s->i + 1];
            if (c >= 0x80) {                /* RFC 6532 VCHAR, not quoted-pairSMTP */
                if (!(len = utf8_seq(s->p + s->i + 1, s->end - s->i - 1, &c1)))
                    return fail(s, SDX_ADDR_UTF8_INVALID, s->i + 1);
                s->flags |= F(QUOTED_PAIR_NOT_SMTP);
                w->utf8 = 1;
                plain = 0;
                s->i += 1 + len;
                continue;
            }
            s->i += 2;
            if (c < 0x20 || c == 0x7f) {    /* tab (WSP) or obs-qp: NUL, CR, LF, ... */
                s->flags |= F(QUOTED_PAIR_NOT_SMTP);
                plain = 0;
                continue;
            }
            /* a quoted printable: judge the character itself below */
        } else if (c == ' ') {
            s->i++;
            plain = 0;
            continue;
        } else if (c == '\t') {
            s->flags |= F(QUOTED_FWS);
            s->i++;
            plain = 0;
            continue;
        } else if (c == '\r') {
            if (fold(s))
                return -1;
            s->flags |= F(QUOTED_FWS);
            plain = 0;
            continue;
        } else if (c == '\n') {
            return fail(s, SDX_ADDR_LINE_BREAK, s->i);
        } else if (c == 0) {
            return fail(s, SDX_ADDR_CONTROL_CHAR, s->i);   /* not even obs-qtext */
        } else if (c < 0x20 || c == 0x7f) {
            s->flags |= F(QUOTED_CONTROL);
            s->i++;
            plain = 0;
            continue;
        } else if (c >= 0x80) {
            if (!(len = utf8_seq(s->p + s->i, s->end - s->i, &c1)))
                return fail(s, SDX_ADDR_UTF8_INVALID, s->i);
            if (c1) {
                s->flags |= F(QUOTED_CONTROL);
                plain = 0;
            }
            w->utf8 = 1;
            prev_dot = 0;
            s->i += len;
            continue;
        } else {
            s->i++;
        }
        if (c == '.') {
            if (prev_dot)
                plain = 0;
            prev_dot = 1;
        } else {
            if (!is_atext(c))
                plain = 0;
            prev_dot = 0;
        }
    }
    return fail(s, SDX_ADDR_QUOTE_UNCLOSED, start);
}

/* scan_atom - 1*atext at s->i (RFC 5322 §3.2.3; UTF-8 per RFC 6531 §3.3) */
static int scan_atom(struct scan *s, struct word *w)
{
    size_t len;
    int c1;

    w->start = s->i;
    while (s->i < s->end) {
        unsigned c = s->p[s->i];

        if (c < 0x80) {
            if (!is_atext(c))
                break;
            s->i++;
            continue;
        }
        if (!(len = utf8_seq(s->p + s->i, s->end - s->i, &c1)))
            return fail(s, SDX_ADDR_UTF8_INVALID, s->i);
        if (c1)
            return fail(s, SDX_ADDR_CONTROL_CHAR, s->i);
        w->utf8 = 1;
        s->i += len;
    }
    w->end = s->i;
    return 0;
}

static int word_start(unsigned c)
{
    return c >= 0x80 || is_atext(c);
}

/* scan_local - RFC 5322 local-part = dot-atom / quoted-string /
 * obs-local-part (§3.4.1, §4.4), up to the "@" (left at s->i) */
static int scan_local(struct scan *s, struct local *L)
{
    int r;

    if (scan_cfws(s) < 0)
        return -1;
    for (;;) {
        struct word w = { 0, 0, 0, 0, 0 };
        unsigned c;

        /* a word is expected: at the start or after a dot */
        if (s->i >= s->end)
            return fail(s, SDX_ADDR_NO_AT, s->i);
        c = s->p[s->i];
        if (c == '"') {
            if (scan_quoted(s, &w))
                return -1;
            L->quoted++;
            L->q = w;
        } else if (word_start(c)) {
            if (scan_atom(s, &w))
                return -1;
        } else if (c == '.') {
            return fail(s, L->words ? SDX_ADDR_LOCAL_DOUBLE_DOT : SDX_ADDR_LOCAL_DOT_START, s->i);
        } else if (c == '@') {
            return fail(s, L->words ? SDX_ADDR_LOCAL_DOT_END : SDX_ADDR_NO_LOCAL, s->i);
        } else {
            return bad_char(s, SDX_ADDR_LOCAL_BAD_CHAR);
        }
        if (!L->words)
            L->start = w.start;
        L->end = w.end;
        L->words++;
        L->utf8 |= w.utf8;

        /* after a word: a dot, or the "@" */
        if ((r = scan_cfws(s)) < 0)
            return -1;
        if (s->i >= s->end)
            return fail(s, SDX_ADDR_NO_AT, s->i);
        c = s->p[s->i];
        if (c == '@')
            return 0;
        if (c == '.') {
            s->i++;
            if (r)
                L->inner_cfws = 1;
            if ((r = scan_cfws(s)) < 0)
                return -1;
            if (r)
                L->inner_cfws = 1;
            continue;
        }
        if (c >= 0x80)                      /* bad UTF-8 or C1 is named as such */
            return bad_char(s, SDX_ADDR_MISSING_DOT);
        if (c == '"' || is_atext(c))
            return fail(s, SDX_ADDR_MISSING_DOT, s->i);
        return bad_char(s, SDX_ADDR_LOCAL_BAD_CHAR);
    }
}

/* scan_literal - RFC 5322 domain-literal at s->i ("[" seen): dtext, FWS,
 * obs-dtext (§4.4); UTF-8 per RFC 6532 §3.2. Content is judged later. */
static int scan_literal(struct scan *s, struct domain *D)
{
    size_t start = s->i, len;
    int c1;

    D->literal = 1;
    D->start = s->i++;
    while (s->i < s->end) {
        unsigned c = s->p[s->i];

        if (c == ']') {
            D->end = ++s->i;
            return 0;
        }
        if (c == '[')
            return fail(s, SDX_ADDR_LITERAL_BAD_CHAR, s->i);
        if (c == '\\') {                    /* obs-dtext quoted-pair */
            if (s->i + 1 >= s->end)
                return fail(s, SDX_ADDR_BACKSLASH_END, s->i);
            D->lit_obs = 1;
            if (s->p[s->i + 1] < 0x80) {
                s->i += 2;
            } else {
                if (!(len = utf8_seq(s->p + s->i + 1, s->end - s->i - 1, &c1)))
                    return fail(s, SDX_ADDR_UTF8_INVALID, s->i + 1);
                s->i += 1 + len;
            }
        } else if (c == ' ' || c == '\t') {
            D->lit_fws = 1;
            s->i++;
        } else if (c == '\r') {
            if (fold(s))
                return -1;
            D->lit_fws = 1;
        } else if (c == '\n') {
            return fail(s, SDX_ADDR_LINE_BREAK, s->i);
        } else if (c == 0) {
            return fail(s, SDX_ADDR_CONTROL_CHAR, s->i);
        } else if (c < 0x20 || c == 0x7f) {
            D->lit_obs = 1;                 /* obs-NO-WS-CTL */
            s->i++;
        } else if (c >= 0x80) {
            if (!(len = utf8_seq(s->p + s->i, s->end - s->i, &c1)))
                return fail(s, SDX_ADDR_UTF8_INVALID, s->i);
            if (c1)
                D->lit_obs = 1;
            else
                D->lit_utf8 = 1;
            s->i += len;
        } else {
            s->i++;                         /* dtext */
        }
    }
    return fail(s, SDX_ADDR_LITERAL_UNCLOSED, start);
}

/* check_label - RFC 5321 §4.1.2 sub-domain = Let-dig [Ldh-str], ≤63 octets
 * (RFC 1035 §2.3.4; U-labels are measured as A-labels, by libidn2) */
static void check_label(struct scan *s, struct domain *D, const struct word *w)
{
    const unsigned char *l = s->p + w->start;
    size_t n = w->end - w->start, i;

    if (l[0] == '-' || l[n - 1] == '-')
        s->flags |= F(DOMAIN_HYPHEN);
    for (i = 0; i < n; i++)
        if (l[i] < 0x80 && !is_alpha(l[i]) && !is_digit(l[i]) && l[i] != '-') {
            s->flags |= F(DOMAIN_NOT_LDH);
            break;
        }
    if (w->utf8)
        D->utf8 = 1;
    else if (n > LABEL_MAX)
        s->flags |= F(LABEL_TOO_LONG);
    if (n >= 4 && ieq(l, "xn--", 4))
        D->alabel = 1;
    D->tld_start = w->start;
}

/* scan_domain - RFC 5322 domain = dot-atom / domain-literal / obs-domain
 * (§3.4.1, §4.4) from s->i to the end, with trailing CFWS */
static int scan_domain(struct scan *s, struct domain *D)
{
    int r;
    unsigned c;

    if (scan_cfws(s) < 0)
        return -1;
    if (s->i >= s->end)
        return fail(s, SDX_ADDR_NO_DOMAIN, s->i);
    if (s->p[s->i] == '[') {
        if (scan_literal(s, D) || scan_cfws(s) < 0)
            return -1;
        if (s->i < s->end) {
            c = s->p[s->i];
            if (c == '\n' || c == '\r' || c < 0x20 || c >= 0x7f)
                return bad_char(s, SDX_ADDR_TEXT_AFTER_LITERAL);
            return fail(s, SDX_ADDR_TEXT_AFTER_LITERAL, s->i);
        }
        return 0;
    }
    for (;;) {
        struct word w = { 0, 0, 0, 0, 0 };

        /* a label is expected: at the start or after a dot */
        if (s->i >= s->end)
            return fail(s, D->labels ? SDX_ADDR_DOMAIN_DOT_END : SDX_ADDR_NO_DOMAIN, s->i);
        c = s->p[s->i];
        if (word_start(c)) {
            if (scan_atom(s, &w))
                return -1;
        } else if (c == '.') {
            return fail(s, D->labels ? SDX_ADDR_DOMAIN_DOUBLE_DOT : SDX_ADDR_DOMAIN_DOT_START,
                        s->i);
        } else if (c == '@') {
            return fail(s, SDX_ADDR_MULTIPLE_AT, s->i);
        } else {
            return bad_char(s, SDX_ADDR_DOMAIN_BAD_CHAR);
        }
        check_label(s, D, &w);
        if (!D->labels)
            D->start = w.start;
        D->end = w.end;
        D->labels++;

        /* after a label: a dot, or the end */
        if ((r = scan_cfws(s)) < 0)
            return -1;
        if (s->i >= s->end)
            return 0;
        c = s->p[s->i];
        if (c == '.') {
            s->i++;
            if (r)
                D->inner_cfws = 1;
            if ((r = scan_cfws(s)) < 0)
                return -1;
            if (r)
                D->inner_cfws = 1;
            continue;
        }
        if (c == '@')
            return fail(s, SDX_ADDR_MULTIPLE_AT, s->i);
        if (c >= 0x80)
            return bad_char(s, SDX_ADDR_MISSING_DOT);
        if (is_atext(c))
            return fail(s, SDX_ADDR_MISSING_DOT, s->i);
        return bad_char(s, SDX_ADDR_DOMAIN_BAD_CHAR);
    }
}

/* check_ipv4 - RFC 5321 §4.1.3 IPv4-address-literal = Snum 3("." Snum),
 * Snum 1-3 digits, 0-255. Returns 0 if valid; *lz notes leading zeros. */
static int check_ipv4(const unsigned char *p, size_t n, int *lz)
{
    size_t i = 0;
    int parts = 0;

    for (;;) {
        size_t d = 0;
        unsigned v = 0;

        while (i < n && is_digit(p[i]) && d < 4) {
            v = v * 10 + (p[i] - '0');
            i++;
            d++;
        }
        if (d == 0 || d > 3 || v > 255)
            return -1;
        if (d > 1 && p[i - d] == '0')
            *lz = 1;
        if (++parts == 4)
            return i == n ? 0 : -1;
        if (i >= n || p[i] != '.')
            return -1;
        i++;
    }
}

/* check_ipv6 - RFC 5321 §4.1.3 IPv6-addr: IPv6-full, IPv6-comp, IPv6v4-full,
 * IPv6v4-comp. Returns 0 if valid, 1 if valid for RFC 4291 only ("::" for one
 * group: RFC 5321 allows at most 6, or 4 before IPv4, groups besides "::"),
 * -1 if no IPv6 address. */
static int check_ipv6(const unsigned char *p, size_t n, int *lz)
{
    size_t i = 0;
    int groups = 0, dc = 0, v4 = 0, max;

    if (n == 0)
        return -1;
    if (p[0] == ':') {
        if (n < 2 || p[1] != ':')
            return -1;                      /* single colon at the start */
        dc = 1;
        i = 2;
    }
    while (i < n) {
        size_t j = i;

        while (j < n && j - i < 5 && is_xdigit(p[j]))
            j++;
        if (j < n && p[j] == '.') {         /* the IPv4 tail, which must be last */
            if (check_ipv4(p + i, n - i, lz))
                return -1;
            v4 = 1;
            break;
        }
        if (j == i || j - i > 4)
            return -1;
        groups++;
        i = j;
        if (i == n)
            break;
        if (p[i] != ':')
            return -1;
        i++;
        if (i < n && p[i] == ':') {
            if (dc)
                return -1;                  /* a second "::" */
            dc = 1;
            i++;
        } else if (i == n) {
            return -1;                      /* single colon at the end */
        }
    }
    max = v4 ? 6 : 8;
    if (!dc)
        return groups == max ? 0 : -1;
    if (groups <= max - 2)
        return 0;
    return groups == max - 1 ? 1 : -1;
}

/* pton - inet_pton() on p[0..n) copied to a bounded, terminated buffer */
static int pton(int af, const unsigned char *p, size_t n)
{
    char buf[64];
    unsigned char addr[16];

    if (n >= sizeof(buf))
        return 0;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return inet_pton(af, buf, addr) == 1;
}

/* is_ldh_str - RFC 5321 §4.1.2 Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig */
static int is_ldh_str(const unsigned char *p, size_t n)
{
    size_t i;

    if (n == 0 || p[n - 1] == '-')
        return 0;
    for (i = 0; i < n; i++)
        if (!is_alpha(p[i]) && !is_digit(p[i]) && p[i] != '-')
            return 0;
    return 1;
}

/* check_literal - is the domain literal an RFC 5321 §4.1.3 address literal? */
static void check_literal(struct scan *s, const struct domain *D)
{
    const unsigned char *c = s->p + D->start + 1;
    size_t n = D->end - D->start - 2, i;
    const unsigned char *colon;
    int lz = 0, r;

    if (D->lit_obs) {
        s->flags |= F(LITERAL_OBS);
        return;
    }
    if (D->lit_fws || D->lit_utf8 || n == 0) {
        s->flags |= F(LITERAL_NOT_SMTP);
        return;
    }
    if (n >= 5 && ieq(c, "IPv6:", 5)) {     /* ABNF strings are case-insensitive */
        if ((r = check_ipv6(c + 5, n - 5, &lz)) < 0) {
            s->flags |= F(LITERAL_BAD_IPV6);
            return;
        }
        if (!lz && !pton(AF_INET6, c + 5, n - 5)) {
            s->flags |= F(LITERAL_BAD_IPV6);   /* cannot happen; belt and braces */
            return;
        }
        if (r == 1) {
            s->flags |= F(LITERAL_IPV6_GROUPS);
            return;
        }
    } else {
        for (i = 0; i < n && (is_digit(c[i]) || c[i] == '.'); i++)
            ;
        if (i == n) {
            if (check_ipv4(c, n, &lz) || (!lz && !pton(AF_INET, c, n))) {
                s->flags |= F(LITERAL_BAD_IPV4);
                return;
            }
        } else if ((colon = memchr(c, ':', n)) != NULL) {
            if (pton(AF_INET6, c, n))
                s->flags |= F(LITERAL_IPV6_NO_TAG);
            else if (is_ldh_str(c, (size_t)(colon - c)) && colon + 1 < c + n)
                s->flags |= F(LITERAL_UNKNOWN_TAG);
            else
                s->flags |= F(LITERAL_NOT_SMTP);
            return;
        } else {
            s->flags |= F(LITERAL_NOT_SMTP);
            return;
        }
    }
    if (lz)
        s->flags |= F(LITERAL_LEADING_ZERO);
    s->flags |= F(ADDRESS_LITERAL);
}

/* check_local - hold the parsed local part to RFC 5321 §4.1.2 */
static void check_local(struct scan *s, const struct local *L)
{
    if (L->inner_cfws || (L->quoted && L->words > 1))
        s->flags |= F(LOCAL_OBS);
    else if (L->quoted)
        s->flags |= L->q.empty ? F(LOCAL_QUOTED_EMPTY)
                  : L->q.plain ? F(LOCAL_QUOTED_NEEDLESS) : F(LOCAL_QUOTED);
    if (L->utf8)
        s->flags |= F(LOCAL_UTF8);
    if (L->end - L->start > LOCAL_MAX)
        s->flags |= F(LOCAL_TOO_LONG);
}

/* check_domain - hold the parsed domain to RFC 5321 §4.1.2 and §4.5.3.1.2 */
static void check_domain(struct scan *s, const struct domain *D)
{
    size_t i;

    if (D->literal) {
        check_literal(s, D);
        return;
    }
    if (D->inner_cfws)
        s->flags |= F(DOMAIN_OBS);
    if (D->labels == 1)
        s->flags |= F(DOMAIN_SINGLE_LABEL);
    for (i = D->tld_start; i < D->end && is_digit(s->p[i]); i++)
        ;
    if (i == D->end)
        s->flags |= F(DOMAIN_NUMERIC_TLD);
    if (!D->inner_cfws && D->end - D->start > DOMAIN_MAX)
        s->flags |= F(DOMAIN_TOO_LONG);
}

/* idn - A-label form of a domain with non-ASCII or "xn--" labels (IDNA2008
 * via libidn2, TR46 non-transitional mapping, NFC). Returns 0 or SDX_ENOMEM. */
static int idn(struct scan *s, const struct domain *D, struct sdx_address *out)
{
    char in[SDX_ADDR_INPUT_MAX + 1];
    size_t n = D->end - D->start, i;
    uint8_t *a = NULL;
    char *u = NULL;
    int rc;

    memcpy(in, s->p + D->start, n);
    in[n] = '\0';
    rc = idn2_lookup_u8((const uint8_t *)in, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc == IDN2_MALLOC)
        return SDX_ENOMEM;
    if (rc != IDN2_OK) {
        out->idn_rc = rc;
        if (rc == IDN2_TOO_BIG_LABEL || rc == IDN2_PUNYCODE_BIG_OUTPUT)
            s->flags |= F(LABEL_TOO_LONG);
        else if (rc == IDN2_TOO_BIG_DOMAIN)
            s->flags |= F(DOMAIN_TOO_LONG);
        else if (D->utf8)
            s->flags |= F(IDN_INVALID);
        else
            s->flags |= F(DOMAIN_FAKE_ALABEL);
        idn2_free(a);
        return 0;
    }
    if (!D->utf8) {                         /* ASCII with valid A-labels: keep as is */
        idn2_free(a);
        return 0;
    }
    s->flags |= F(DOMAIN_IDN);
    if ((n = strlen((const char *)a)) > DOMAIN_MAX)
        s->flags |= F(DOMAIN_TOO_LONG);
    else
        memcpy(out->domain_ascii, a, n + 1);
    /* Was mapping needed? Compare the U-label form with the input; ASCII
     * case does not count (DNS compares it case-insensitively). */
    rc = idn2_to_unicode_8z8z((const char *)a, &u, 0);
    idn2_free(a);
    if (rc == IDN2_MALLOC)
        return SDX_ENOMEM;
    if (rc == IDN2_OK) {
        for (i = 0; in[i] && lower((unsigned char)in[i]) == lower((unsigned char)u[i]); i++)
            ;
        if (in[i] != u[i])
            s->flags |= F(DOMAIN_IDN_MAPPED);
    }
    idn2_free(u);
    return 0;
}

/* skip_route - RFC 5321 §4.1.2 A-d-l ":" at p[*b] ("@" seen): At-domain
 * *("," At-domain), At-domain = "@" Domain; on success *b is the mailbox */
static int skip_route(struct scan *s, size_t *b, size_t e)
{
    size_t i = *b, st;

    for (;;) {
        if (i >= e || s->p[i] != '@')
            return fail(s, SDX_ADDR_PATH_SYNTAX, i);
        i++;
        for (;;) {                          /* sub-domain *("." sub-domain) */
            st = i;
            while (i < e && (is_alpha(s->p[i]) || is_digit(s->p[i]) || s->p[i] == '-'))
                i++;
            if (i == st || s->p[st] == '-' || s->p[i - 1] == '-')
                return fail(s, SDX_ADDR_PATH_SYNTAX, st);
            if (i < e && s->p[i] == '.') {
                i++;
                continue;
            }
            break;
        }
        if (i < e && s->p[i] == ',') {
            i++;
            continue;
        }
        if (i < e && s->p[i] == ':') {
            *b = i + 1;
            return 0;
        }
        return fail(s, SDX_ADDR_PATH_SYNTAX, i);
    }
}

static unsigned lowest_bit(uint64_t m)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(m);
#else
    unsigned i = 0;

    while (!(m & 1)) {
        m >>= 1;
        i++;
    }
    return i;
#endif
}

/* finish - verdict, diagnosis and reply from the flags */
static void finish(struct sdx_address *out, const struct scan *s, unsigned opts)
{
    static const uint64_t *const order[] = { &mask_error, &mask_5322, &mask_utf8,
                                             &mask_warn, &mask_ok };
    uint64_t f = s->flags;
    const struct sdx_addr_info *d;
    size_t k;

    if ((f & (F(LOCAL_UTF8) | F(DOMAIN_IDN))) && !(opts & SDX_ADDR_O_SMTPUTF8))
        f |= F(SMTPUTF8_REQUIRED);
    out->flags = f;
    out->verdict = (f & mask_error) ? SDX_ADDR_INVALID
                 : (f & mask_5322)  ? SDX_ADDR_VALID_5322_ONLY
                 : (f & mask_utf8)  ? SDX_ADDR_VALID_SMTPUTF8
                 : SDX_ADDR_VALID_SMTP;
    out->error_at = (f & mask_error) ? s->err_at : 0;
    out->diag = SDX_ADDR_FINDING_COUNT;
    out->diagnosis = valid_name;
    out->explanation = valid_text;
    for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
        if (f & *order[k]) {
            out->diag = (enum sdx_addr_finding)lowest_bit(f & *order[k]);
            break;
        }
    if (out->diag == SDX_ADDR_FINDING_COUNT)
        return;
    d = &infos[out->diag];
    out->diagnosis = d->name;
    out->explanation = d->explanation;
    out->reply_code = d->reply_code;
    memcpy(out->status, d->status, strlen(d->status) + 1);
    if ((opts & SDX_ADDR_O_SENDER) && d->reply_code) {
        /* MAIL FROM: RFC 5321 §4.1.4 wants 501 for an unacceptable
         * argument, RFC 6531 §3.5 550 for non-ASCII, RFC 3463 X.1.7 */
        if (out->diag == SDX_ADDR_SMTPUTF8_REQUIRED)
            out->reply_code = 550;
        else if (d->reply_code == 553)
            out->reply_code = 501;
        if (strcmp(out->status, "5.1.3") == 0)
            out->status[4] = '7';
    }
}

int sdx_address_check(const char *p, size_t n, unsigned opts, struct sdx_address *out)
{
    struct scan s;
    struct local L;
    struct domain D;
    size_t b = 0, e = n, len;
    int angle = 0, err = 0;

    if (out == NULL || (p == NULL && n > 0))
        return SDX_EINVAL;
    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    memset(&L, 0, sizeof(L));
    memset(&D, 0, sizeof(D));
    s.p = (const unsigned char *)p;

    /* Too long to be anything: no parse at all */
    if (n > SDX_ADDR_INPUT_MAX) {
        fail(&s, SDX_ADDR_INPUT_TOO_LONG, SDX_ADDR_INPUT_MAX);
        goto done;
    }

    /* Path form: "<" [ A-d-l ":" ] Mailbox ">", "<>", "<Postmaster>" */
    if (opts & SDX_ADDR_O_ANGLE) {
        int lt = n > 0 && p[0] == '<', gt = n > 1 && p[n - 1] == '>';

        if (lt != gt) {
            fail(&s, SDX_ADDR_PATH_SYNTAX, lt ? n : 0);
            goto done;
        }
        if (!lt) {
            s.flags |= F(PATH_NO_ANGLE);
        } else {
            angle = 1;
            b = 1;
            e = n - 1;
            if (b == e) {
                if (opts & SDX_ADDR_O_SENDER)
                    s.flags |= F(NULL_PATH);
                else
                    fail(&s, SDX_ADDR_NULL_PATH_RECIPIENT, 0);
                goto done;
            }
            if (p[b] == '@') {
                if (skip_route(&s, &b, e))
                    goto done;
                s.flags |= F(SOURCE_ROUTE);
            }
            if (!(opts & SDX_ADDR_O_SENDER) && e - b == 10 &&
                ieq(s.p + b, "postmaster", 10)) {
                s.flags |= F(POSTMASTER);
                out->local = (struct sdx_str){ p + b, 10 };
                goto done;
            }
        }
    }
    if (b == e) {
        fail(&s, SDX_ADDR_EMPTY, b);
        goto done;
    }

    /* RFC 5322 addr-spec: local-part "@" domain, stopping at the first error */
    s.i = b;
    s.end = e;
    if (scan_local(&s, &L))
        goto done;
    out->local = (struct sdx_str){ p + L.start, L.end - L.start };
    s.i++;                                  /* the "@" */
    if (scan_domain(&s, &D))
        goto done;
    out->domain = (struct sdx_str){ p + D.start, D.end - D.start };

    /* RFC 5321 Mailbox: what SMTP takes of it */
    check_local(&s, &L);
    check_domain(&s, &D);
    len = (L.end - L.start) + 1 + (D.end - D.start);
    if (len > MAILBOX_MAX || (angle && n > PATH_MAX_))
        s.flags |= F(ADDRESS_TOO_LONG);

    /* The ASCII form of the domain */
    if (!D.literal && !D.inner_cfws && (D.utf8 || D.alabel))
        err = idn(&s, &D, out);
    if (!D.utf8 && out->domain.len <= DOMAIN_MAX && !D.inner_cfws) {
        memcpy(out->domain_ascii, out->domain.p, out->domain.len);
        out->domain_ascii[out->domain.len] = '\0';
    }

done:
    finish(out, &s, opts);
    return err;
}

const struct sdx_addr_info *sdx_address_info(unsigned id)
{
    return id < SDX_ADDR_FINDING_COUNT ? &infos[id] : NULL;
}

size_t sdx_address_findings(uint64_t flags, const struct sdx_addr_info **out, size_t max)
{
    static const enum sdx_addr_class order[] = { SDX_ADDR_C_ERROR, SDX_ADDR_C_5322,
                                                 SDX_ADDR_C_UTF8, SDX_ADDR_C_WARN,
                                                 SDX_ADDR_C_OK };
    size_t k, i, count = 0;

    for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
        for (i = 0; i < SDX_ADDR_FINDING_COUNT; i++)
            if (infos[i].klass == order[k] && (flags & (UINT64_C(1) << i))) {
                if (count < max)
                    out[count] = &infos[i];
                count++;
            }
    return count;
}

const char *sdx_address_verdict_name(enum sdx_addr_verdict v)
{
    switch (v) {
    case SDX_ADDR_VALID_SMTP:      return "valid-smtp";
    case SDX_ADDR_VALID_SMTPUTF8:  return "valid-smtputf8";
    case SDX_ADDR_VALID_5322_ONLY: return "valid-5322-only";
    case SDX_ADDR_INVALID:         return "invalid";
    }
    return "?";
}

const char *sdx_address_class_name(enum sdx_addr_class c)
{
    switch (c) {
    case SDX_ADDR_C_OK:    return "ok";
    case SDX_ADDR_C_WARN:  return "warn";
    case SDX_ADDR_C_UTF8:  return "utf8";
    case SDX_ADDR_C_5322:  return "5322";
    case SDX_ADDR_C_ERROR: return "error";
    }
    return "?";
}
