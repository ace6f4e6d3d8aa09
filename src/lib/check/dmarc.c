/* dmarc.c - a DMARC record read tag by tag (dmarc.h). Where RFC 9989 and
 * RFC 7489 differ, the record is judged by RFC 9989 and the difference is
 * a warning naming what RFC 7489 receivers do. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "smtpdx/dmarc.h"
#include "taglist.h"

const char *sdx_dmarc_policy_name(enum sdx_dmarc_policy p)
{
    return p == SDX_DMARC_NONE ? "none" : p == SDX_DMARC_QUARANTINE ? "quarantine" :
           p == SDX_DMARC_REJECT ? "reject" : "unset";
}

SDX_PRINTF(2, 3)
static void warn(struct sdx_dmarc_record *r, const char *fmt, ...)
{
    va_list ap;

    if (r->nwarn == SDX_DMARC_NOTES_MAX) {
        r->warns_lost++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(r->warn[r->nwarn++], sizeof(r->warn[0]), fmt, ap);
    va_end(ap);
}

SDX_PRINTF(2, 3)
static int fail(struct sdx_dmarc_record *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->error, sizeof(r->error), fmt, ap);
    va_end(ap);
    return SDX_EPARSE;
}

static int word(const char *v, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(v, w, n) == 0;
}

static enum sdx_dmarc_policy policy(const char *v, size_t n)
{
    return word(v, n, "none") ? SDX_DMARC_NONE : word(v, n, "quarantine") ? SDX_DMARC_QUARANTINE :
           word(v, n, "reject") ? SDX_DMARC_REJECT : SDX_DMARC_UNSET;
}

/* uris - "uri[!size],..." into list; 0 or -1 for a malformed one */
static int uris(struct sdx_dmarc_record *r, const char *v, size_t n, char (*list)[256], size_t *count)
{
    size_t i = 0;

    while (i < n) {
        size_t s, e;

        while (i < n && (v[i] == ' ' || v[i] == '\t'))
            i++;
        for (s = i; i < n && v[i] != ','; i++)
            ;
        e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (i < n)
            i++;
        if (e == s)
            continue;
        if (!((e - s > 7 && strncasecmp(v + s, "mailto:", 7) == 0) ||
              (e - s > 8 && strncasecmp(v + s, "https://", 8) == 0) ||
              (e - s > 7 && strncasecmp(v + s, "http://", 7) == 0)))
            return -1;
        if (e - s > 7 && strncasecmp(v + s, "mailto:", 7) == 0 && !memchr(v + s, '@', e - s))
            return -1;
        if (*count == SDX_DMARC_URIS_MAX) {
            warn(r, "more than %s report addresses: the rest are not checked", "8");
            continue;
        }
        snprintf(list[(*count)++], 256, "%.*s", (int)(e - s > 255 ? 255 : e - s), v + s);
    }
    return 0;
}

void sdx_dmarc_uri_domain(const char *uri, char *out, size_t cap)
{
    const char *at, *end;

    out[0] = '\0';
    if (strncasecmp(uri, "mailto:", 7) != 0 || (at = strrchr(uri, '@')) == NULL)
        return;
    for (end = at + 1; *end && *end != '!' && *end != '?' && *end != '>'; end++)
        ;
    snprintf(out, cap, "%.*s", (int)(end - at - 1), at + 1);
}

int sdx_dmarc_parse(const char *txt, size_t len, struct sdx_dmarc_record *r)
{
    static const char *const known[] = { "v", "p", "sp", "np", "adkim", "aspf", "psd", "t", "fo", "rua", "ruf",
                                         "pct", "rf", "ri" };
    struct taglist_item t;
    unsigned seen = 0;
    size_t i = 0, ntag = 0, k;

    memset(r, 0, sizeof(*r));
    r->p = r->sp = r->np = SDX_DMARC_UNSET;
    r->adkim = r->aspf = 'r';
    r->pct = -1;
    if (len == 0)
        return fail(r, "an empty record%s", "");
    while (taglist_next(txt, len, &i, &t)) {
        const char *name = t.name, *v = t.value;

        if (!t.has_eq) {
            if (ntag == 0)
                return fail(r, "not a DMARC record: it must start with v=DMARC1%s", "");
            /* a known tag with no value ("p") is an error; "fo:0" and the
             * like are common, lenient receivers skip them, strict ones
             * (OpenDMARC) reject the whole record */
            for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
                if (word(name, t.nlen, known[k]))
                    return fail(r, "the tag %s has no '=' and no value", known[k]);
            warn(r, "'%.*s' is not tag=value: skipped here and by lenient receivers, strict ones reject the record",
                 (int)(t.nlen > 60 ? 60 : t.nlen), name);
            continue;
        }
        /* RFC 7489 section 6.4: v=DMARC1 first */
        if (ntag++ == 0) {
            /* RFC 7489's ABNF spells the version exactly: "DMARC1" */
            if (!word(name, t.nlen, "v") || t.vlen != 6 || memcmp(v, "DMARC1", 6) != 0)
                return fail(r, "not a DMARC record: it must start with v=DMARC1%s", "");
            seen |= 1;
            continue;
        }
        for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
            if (word(name, t.nlen, known[k]))
                break;
        if (k == sizeof(known) / sizeof(known[0])) {
            char tn[64];

            snprintf(tn, sizeof(tn), "%.*s", (int)(t.nlen > 40 ? 40 : t.nlen), name);
            warn(r, "unknown tag '%s': ignored", tn);
            continue;
        }
        if (seen & (1u << k)) {
            snprintf(r->error, sizeof(r->error), "the tag %s appears twice", known[k]);
            return SDX_EPARSE;
        }
        seen |= 1u << k;
        switch (k) {
        case 0:
            return fail(r, "v= must be the first tag only%s", "");
        case 1: case 2: case 3: {
            enum sdx_dmarc_policy p = policy(v, t.vlen);

            if (p == SDX_DMARC_UNSET) {
                snprintf(r->error, sizeof(r->error), "%s=%.*s: none, quarantine or reject", known[k],
                         (int)(t.vlen > 40 ? 40 : t.vlen), v);
                return SDX_EPARSE;
            }
            *(k == 1 ? &r->p : k == 2 ? &r->sp : &r->np) = p;
            break;
        }
        case 4: case 5:
            if (t.vlen != 1 || ((v[0] | 0x20) != 'r' && (v[0] | 0x20) != 's')) {
                snprintf(r->error, sizeof(r->error), "%s=%.*s: r (relaxed) or s (strict)", known[k],
                         (int)(t.vlen > 40 ? 40 : t.vlen), v);
                return SDX_EPARSE;
            }
            *(k == 4 ? &r->adkim : &r->aspf) = (char)(v[0] | 0x20);
            break;
        case 6:
            if (t.vlen != 1 || !strchr("ynu", v[0] | 0x20))
                return fail(r, "psd=%.*s: y, n or u (RFC 9989)", (int)(t.vlen > 40 ? 40 : t.vlen), v);
            r->psd = (char)(v[0] | 0x20);
            break;
        case 7:
            if (t.vlen != 1 || !strchr("yn", v[0] | 0x20))
                return fail(r, "t=%.*s: y or n (RFC 9989)", (int)(t.vlen > 40 ? 40 : t.vlen), v);
            r->t = (char)(v[0] | 0x20);
            break;
        case 8: {
            size_t j;

            for (j = 0; j < t.vlen; j++)
                if (v[j] == '\0' || !strchr("01ds:", v[j] | (v[j] >= 'A' && v[j] <= 'Z' ? 0x20 : 0)) ||
                    (v[j] != ':' && j + 1 < t.vlen && v[j + 1] != ':'))
                    return fail(r, "fo=%.*s: a colon-separated list of 0, 1, d, s", (int)(t.vlen > 40 ? 40 : t.vlen), v);
            snprintf(r->fo, sizeof(r->fo), "%.*s", (int)(t.vlen > 15 ? 15 : t.vlen), v);
            break;
        }
        case 9: case 10:
            if (uris(r, v, t.vlen, k == 9 ? r->rua : r->ruf, k == 9 ? &r->nrua : &r->nruf) != 0)
                return fail(r, "%s: each address a mailto: URI (or http/https), comma-separated",
                            k == 9 ? "rua" : "ruf");
            break;
        case 11: {
            char *end, buf[16];
            long n;

            /* RFC 9989 removed pct: any value is ignored, so a bad one is a
             * warning; RFC 7489 receivers would reject the record for it */
            snprintf(buf, sizeof(buf), "%.*s", (int)(t.vlen > 15 ? 15 : t.vlen), v);
            n = strtol(buf, &end, 10);
            if (t.vlen == 0 || *end || n < 0 || n > 100) {
                warn(r, "pct=%.*s: not 0 to 100; RFC 9989 ignores pct, RFC 7489 receivers ignore the whole record",
                     (int)(t.vlen > 40 ? 40 : t.vlen), v);
                break;
            }
            r->pct = (int)n;
            warn(r, "%s: RFC 9989 removed it; RFC 7489 receivers still apply it", n < 100 ? "pct below 100" :
                 "pct");
            break;
        }
        default:
            warn(r, "%s: RFC 9989 removed this tag; it is ignored", known[k]);
            break;
        }
    }
    if (ntag == 0)
        return fail(r, "not a DMARC record: it must start with v=DMARC1%s", "");
    if (r->p == SDX_DMARC_UNSET)
        warn(r, "%s", r->nrua ? "no p= tag: RFC 9989 receivers act as p=none; RFC 7489 receivers ignore the record" :
             "no p= tag and no rua=: RFC 7489 receivers ignore the record, RFC 9989 ones act as p=none");
    return 0;
}
