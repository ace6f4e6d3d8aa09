/* spf_macro.c - macro expansion, RFC 7208 section 7: %{letter, digits, r,
 * delimiters}, %%, %_, %-, URL escaping for upper-case letters */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "spf_int.h"

struct out {
    char  *p;
    size_t n, cap;
    int    over;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->n + n >= o->cap) {
        o->over = 1;
        return;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = '\0';
}

/* put_escaped - RFC 3986 unreserved characters as they are, others %XX */
static void put_escaped(struct out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            put(o, s + i, 1);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };

            put(o, e, 3);
        }
    }
}

/* value - the letter's value into buf */
static const char *value(const struct spf_macro_env *e, int letter, char *buf, size_t cap)
{
    size_t i;

    switch (letter) {
    case 's': return e->sender;
    case 'l': return e->local;
    case 'o': return e->sdomain;
    case 'd': return e->domain;
    case 'h': return e->helo;
    case 'r': return e->receiver ? e->receiver : "unknown";
    case 'v': return e->v6 ? "ip6" : "in-addr";
    case 't':
        snprintf(buf, cap, "%lld", (long long)time(NULL));
        return buf;
    case 'p':
        return e->ptr ? e->ptr(e->ptr_arg, e->domain) : "unknown";
    case 'c':
        if (inet_ntop(e->v6 ? AF_INET6 : AF_INET, e->ip, buf, (socklen_t)cap) == NULL)
            buf[0] = '\0';
        return buf;
    case 'i':
        if (!e->v6) {
            snprintf(buf, cap, "%u.%u.%u.%u", e->ip[0], e->ip[1], e->ip[2], e->ip[3]);
            return buf;
        }
        /* IPv6: each nibble, dot-separated (section 7.3) */
        for (i = 0; i < 32 && i * 2 + 2 <= cap; i++) {
            unsigned v = i % 2 ? e->ip[i / 2] & 15 : e->ip[i / 2] >> 4;

            /* upper-case nibbles: DNS does not mind, and the OpenSPF
             * suite's explanations (v-macro-ip6) expect them */
            buf[i * 2] = "0123456789ABCDEF"[v];
            buf[i * 2 + 1] = '.';
        }
        buf[63] = '\0';
        return buf;
    default:
        return NULL;
    }
}

/* transform - split v on delims, reverse when asked, keep the rightmost
 * keep parts (0: all), join with '.' */
static void transform(struct out *o, const char *v, const char *delims, size_t keep, int rev, int esc)
{
    const char *part[256];
    size_t plen[256], n = 0, i, from;
    const char *p = v, *s = v;

    for (;; p++) {
        if (*p == '\0' || strchr(delims, *p)) {
            if (n < 256) {
                part[n] = s;
                plen[n++] = (size_t)(p - s);
            }
            if (*p == '\0')
                break;
            s = p + 1;
        }
    }
    if (rev)
        for (i = 0; i < n / 2; i++) {
            const char *t = part[i];
            size_t tl = plen[i];

            part[i] = part[n - 1 - i], plen[i] = plen[n - 1 - i];
            part[n - 1 - i] = t, plen[n - 1 - i] = tl;
        }
    from = keep && keep < n ? n - keep : 0;
    for (i = from; i < n; i++) {
        if (i > from)
            put(o, ".", 1);
        if (esc)
            put_escaped(o, part[i], plen[i]);
        else
            put(o, part[i], plen[i]);
    }
}

int spf_expand(const struct spf_macro_env *e, const char *s, size_t len, int exp, char *out, size_t cap)
{
    struct out o = { out, 0, cap, 0 };
    size_t i = 0;

    if (cap == 0)
        return -1;
    out[0] = '\0';
    while (i < len) {
        char buf[80], delims[8];
        const char *v;
        size_t keep = 0, nd = 0;
        int letter, upper, rev = 0, digits = 0;

        if (s[i] != '%') {
            unsigned char c = (unsigned char)s[i];

            /* macro-literal (section 7.1): visible ASCII; spaces in explanations */
            if (!((c >= 0x21 && c <= 0x7e) || (exp && c == ' ')))
                return -1;
            put(&o, s + i, 1);
            i++;
            continue;
        }
        if (i + 1 >= len)
            return -1;
        switch (s[i + 1]) {
        case '%': put(&o, "%", 1); i += 2; continue;
        case '_': put(&o, " ", 1); i += 2; continue;
        case '-': put(&o, "%20", 3); i += 2; continue;
        case '{': break;
        default: return -1;
        }
        i += 2;
        if (i >= len)
            return -1;
        letter = s[i] | 0x20;
        upper = s[i] >= 'A' && s[i] <= 'Z';
        if (!exp && (letter == 'c' || letter == 'r' || letter == 't'))
            return -1;
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            keep = keep * 10 + (size_t)(s[i] - '0');
            if (keep > 1000)
                keep = 1000;
            digits = 1;
            i++;
        }
        if (digits && keep == 0)
            return -1;                  /* section 7.3: the value MUST be nonzero */
        if (i < len && (s[i] == 'r' || s[i] == 'R'))
            rev = 1, i++;
        while (i < len && s[i] != '}' && s[i] != '\0' && strchr(".-+,/_=", s[i])) {
            if (nd + 1 < sizeof(delims) && !memchr(delims, s[i], nd))
                delims[nd++] = s[i];
            i++;
        }
        if (i >= len || s[i] != '}')
            return -1;
        i++;
        delims[nd] = '\0';
        if (nd == 0)
            delims[nd++] = '.', delims[nd] = '\0';
        if ((v = value(e, letter, buf, sizeof(buf))) == NULL)
            return -1;
        transform(&o, v, delims, keep, rev, upper);
    }
    return o.over ? -1 : (int)o.n;
}

const char *spf_domain_fit(const char *name)
{
    size_t n = strlen(name);

    if (n && name[n - 1] == '.')
        n--;
    while (n > 253) {
        const char *dot = memchr(name, '.', n);

        if (dot == NULL)
            break;
        n -= (size_t)(dot + 1 - name);
        name = dot + 1;
    }
    return name;
}
