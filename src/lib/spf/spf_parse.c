/* spf_parse.c - an SPF record read term by term against RFC 7208 section
 * 12's grammar (spf.h). Every syntax error is found before anything is
 * evaluated: section 4.6 makes one anywhere in the record a permerror. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "smtpdx/spf.h"

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
    return is_alpha(c) || is_digit(c);
}

int sdx_spf_is_record(const char *txt, size_t len)
{
    return len >= 6 && strncasecmp(txt, "v=spf1", 6) == 0 && (len == 6 || txt[6] == ' ');
}

/* section 7.1: macro-letter; c, r and t only in explanations */
static int macro_letter(int c, int exp)
{
    switch (c | 0x20) {
    case 's': case 'l': case 'o': case 'd': case 'i': case 'p': case 'h': case 'v':
        return 1;
    case 'c': case 'r': case 't':
        return exp;
    default:
        return 0;
    }
}

/* macro_expand_len - the length of the macro-expand at s (s[0] == '%'),
 * or 0 when it is not one */
static size_t macro_expand_len(const char *s, size_t len, int exp)
{
    size_t i;

    if (len < 2)
        return 0;
    if (s[1] == '%' || s[1] == '_' || s[1] == '-')
        return 2;
    if (s[1] != '{' || len < 4 || !macro_letter((unsigned char)s[2], exp))
        return 0;
    i = 3;
    while (i < len && is_digit(s[i]))
        i++;
    if (i < len && (s[i] == 'r' || s[i] == 'R'))
        i++;
    while (i < len && strchr(".-+,/_=", s[i]) && s[i] != '\0')
        i++;
    return i < len && s[i] == '}' ? i + 1 : 0;
}

int sdx_spf_macro_check(const char *s, size_t len, int exp)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%') {
            size_t m = macro_expand_len(s + i, len - i, exp);

            if (m == 0)
                return 0;
            i += m;
        } else if ((c >= 0x21 && c <= 0x7e) || (exp && c == ' ')) {
            i++;
        } else {
            return 0;
        }
    }
    return 1;
}

/* toplabel - section 12: letters and digits, not all digits; or with
 * inner hyphens */
static int toplabel(const char *s, size_t n)
{
    size_t i;
    int alpha = 0;

    if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
        return 0;
    for (i = 0; i < n; i++) {
        if (is_alpha(s[i]))
            alpha = 1;
        else if (!is_digit(s[i]) && s[i] != '-')
            return 0;
    }
    return alpha || memchr(s, '-', n) != NULL;
}

/* domain_spec_ok - macro-string domain-end (section 12) */
static int domain_spec_ok(const char *s, size_t n)
{
    size_t end = n, dot;

    if (n == 0 || !sdx_spf_macro_check(s, n, 0))
        return 0;
    /* ends with a macro-expand: "}" closing one, or %%, %_, %- */
    if (s[n - 1] == '}')
        return 1;
    if (n >= 2 && s[n - 2] == '%' && (n < 3 || s[n - 3] != '%'))
        return 1;
    if (s[end - 1] == '.')
        end--;                          /* one trailing dot */
    for (dot = end; dot > 0 && s[dot - 1] != '.'; dot--)
        ;
    if (dot == 0)
        return 0;                       /* "." toplabel: at least one dot */
    return toplabel(s + dot, end - dot);
}

/* cidr - "/" ("0" / %x31-39 0*2DIGIT) at most max; the value, or -1 */
static int cidr(const char *s, size_t n, int max)
{
    int v = 0;
    size_t i;

    if (n == 0 || n > 3 || (s[0] == '0' && n > 1))
        return -1;
    for (i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= max ? v : -1;
}

/* dual_cidr - split a trailing [ "/" n ] [ "//" n ] off s[0..*n): 0, or -1 */
static int dual_cidr(const char *s, size_t *n, int *c4, int *c6, int allow6)
{
    size_t e = *n, d;

    *c4 = *c6 = -1;
    for (d = e; d > 0 && is_digit(s[d - 1]); d--)
        ;
    if (allow6 && d >= 2 && d < e && s[d - 1] == '/' && s[d - 2] == '/') {
        if ((*c6 = cidr(s + d, e - d, 128)) < 0)
            return -1;
        e = d - 2;
        for (d = e; d > 0 && is_digit(s[d - 1]); d--)
            ;
    }
    if (d >= 1 && d < e && s[d - 1] == '/') {
        if ((*c4 = cidr(s + d, e - d, allow6 ? 32 : 128)) < 0)
            return -1;
        e = d - 1;
    }
    *n = e;
    /* a '/' left at the end, or "//" without digits: malformed */
    return e > 0 && s[e - 1] == '/' ? -1 : 0;
}

/* ip4_network - a dotted quad whose numbers have no leading zero */
static int ip4_network(const char *s, size_t n, unsigned char *out)
{
    char buf[16];
    size_t i, parts = 0, digits = 0;

    if (n == 0 || n >= sizeof(buf))
        return 0;
    for (i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (digits == 0 || (digits > 1 && s[i - digits] == '0'))
                return 0;
            parts++;
            digits = 0;
        } else if (is_digit(s[i])) {
            digits++;
        } else {
            return 0;
        }
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return parts == 4 && inet_pton(AF_INET, buf, out) == 1;
}

static const struct { const char *name; enum sdx_spf_mech m; } mechs[] = {
    { "all", SDX_SPF_ALL }, { "include", SDX_SPF_INCLUDE }, { "a", SDX_SPF_A }, { "mx", SDX_SPF_MX },
    { "ptr", SDX_SPF_PTR }, { "ip4", SDX_SPF_IP4 }, { "ip6", SDX_SPF_IP6 }, { "exists", SDX_SPF_EXISTS },
};

static int fail(struct sdx_spf_record *r, const char *t, size_t n, const char *why)
{
    snprintf(r->error, sizeof(r->error), "'%.*s': %s", (int)(n > 80 ? 80 : n), t, why);
    return SDX_EPARSE;
}

/* term - one directive or modifier */
static int term(struct sdx_spf_record *r, const char *t, size_t n)
{
    struct sdx_spf_term *x = &r->term[r->n];
    size_t i = 0, nl, k;
    const char *arg;
    size_t alen;

    memset(x, 0, sizeof(*x));
    x->text = t;
    x->text_len = n;
    x->cidr4 = x->cidr6 = -1;
    /* a modifier: name "=" (section 12) */
    if (is_alpha(t[0])) {
        for (nl = 1; nl < n && (is_alnum(t[nl]) || t[nl] == '-' || t[nl] == '_' || t[nl] == '.'); nl++)
            ;
        if (nl < n && t[nl] == '=') {
            x->spec = t + nl + 1;
            x->spec_len = n - nl - 1;
            if (nl == 8 && strncasecmp(t, "redirect", 8) == 0)
                x->mech = SDX_SPF_REDIRECT;
            else if (nl == 3 && strncasecmp(t, "exp", 3) == 0)
                x->mech = SDX_SPF_EXP;
            else
                x->mech = SDX_SPF_UNKNOWN_MOD;
            if (x->mech == SDX_SPF_UNKNOWN_MOD ? !sdx_spf_macro_check(x->spec, x->spec_len, 0) :
                                                 !domain_spec_ok(x->spec, x->spec_len))
                return fail(r, t, n, x->mech == SDX_SPF_UNKNOWN_MOD ? "not a valid macro-string" :
                                                                     "not a valid domain-spec");
            if (x->mech == SDX_SPF_REDIRECT) {
                if (r->redirect >= 0)
                    return fail(r, t, n, "a second redirect= (section 6)");
                r->redirect = (int)r->n;
            } else if (x->mech == SDX_SPF_EXP) {
                if (r->exp >= 0)
                    return fail(r, t, n, "a second exp= (section 6)");
                r->exp = (int)r->n;
            }
            r->n++;
            return 0;
        }
    }
    x->qual = '+';
    if (strchr("+-~?", t[0]) && t[0] != '\0') {
        x->qual = t[0];
        i = 1;
    }
    for (nl = i; nl < n && is_alnum(t[nl]); nl++)
        ;
    for (k = 0; k < sizeof(mechs) / sizeof(mechs[0]); k++)
        if (strlen(mechs[k].name) == nl - i && strncasecmp(t + i, mechs[k].name, nl - i) == 0)
            break;
    if (k == sizeof(mechs) / sizeof(mechs[0]))
        return fail(r, t, n, "unknown mechanism");
    x->mech = mechs[k].m;
    arg = t + nl;
    alen = n - nl;
    switch (x->mech) {
    case SDX_SPF_ALL:
        if (alen)
            return fail(r, t, n, "all takes no argument");
        break;
    case SDX_SPF_INCLUDE:
    case SDX_SPF_EXISTS:
        if (alen < 2 || arg[0] != ':' || !domain_spec_ok(arg + 1, alen - 1))
            return fail(r, t, n, "needs ':' and a valid domain-spec");
        x->spec = arg + 1, x->spec_len = alen - 1;
        break;
    case SDX_SPF_A:
    case SDX_SPF_MX:
        if (dual_cidr(arg, &alen, &x->cidr4, &x->cidr6, 1) != 0)
            return fail(r, t, n, "a malformed CIDR length (ip4 0-32, ip6 0-128, no leading zero)");
        /* fall through */
    case SDX_SPF_PTR:
        if (alen) {
            if (arg[0] != ':' || !domain_spec_ok(arg + 1, alen - 1))
                return fail(r, t, n, "not ':' and a valid domain-spec");
            x->spec = arg + 1, x->spec_len = alen - 1;
        }
        break;
    case SDX_SPF_IP4:
    case SDX_SPF_IP6:
        if (alen < 2 || arg[0] != ':')
            return fail(r, t, n, "needs ':' and a network");
        arg++, alen--;
        {
            int c4, c6;
            size_t net = alen;
            char buf[64];

            if (dual_cidr(arg, &net, &c4, &c6, 0) != 0 || net == 0)
                return fail(r, t, n, "a malformed CIDR length");
            if (x->mech == SDX_SPF_IP4) {
                if (c4 > 32 || !ip4_network(arg, net, x->ip))
                    return fail(r, t, n, c4 > 32 ? "an ip4 CIDR length over 32" : "not an IPv4 network");
                x->cidr4 = c4;
            } else {
                if (net >= sizeof(buf))
                    return fail(r, t, n, "not an IPv6 network");
                memcpy(buf, arg, net);
                buf[net] = '\0';
                if (inet_pton(AF_INET6, buf, x->ip) != 1)
                    return fail(r, t, n, "not an IPv6 network");
                x->cidr6 = c4;
            }
            x->spec = arg, x->spec_len = net;
        }
        break;
    default:
        break;
    }
    r->n++;
    return 0;
}

int sdx_spf_parse(const char *rec, size_t len, struct sdx_spf_record *r)
{
    size_t i, s;

    r->n = 0;
    r->redirect = r->exp = -1;
    r->error[0] = '\0';
    r->len = 0;
    r->text[0] = '\0';
    if (len > SDX_SPF_RECORD_MAX) {
        snprintf(r->error, sizeof(r->error), "the record is over %d bytes", SDX_SPF_RECORD_MAX);
        return SDX_ETOOBIG;
    }
    memcpy(r->text, rec, len);
    r->text[len] = '\0';
    r->len = len;
    if (!sdx_spf_is_record(r->text, len)) {
        snprintf(r->error, sizeof(r->error), "not an SPF record: it does not start with \"v=spf1\"");
        return SDX_EPARSE;
    }
    for (i = 6; i < len;) {
        if (r->text[i] == ' ') {
            i++;
            continue;
        }
        for (s = i; i < len && r->text[i] != ' '; i++)
            ;
        if (r->n == SDX_SPF_TERMS_MAX) {
            snprintf(r->error, sizeof(r->error), "more than %d terms", SDX_SPF_TERMS_MAX);
            return SDX_ETOOBIG;
        }
        if (term(r, r->text + s, i - s) != 0)
            return SDX_EPARSE;
    }
    return 0;
}
