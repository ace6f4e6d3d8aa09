/* esc.c - escape untrusted bytes for terminals, logs and JSON strings
 * In:  any bytes (replies, log lines, addresses: all untrusted).
 * Out: appended to a struct sdx_buf: printable ASCII plus, unless
 *      SDX_ESC_ASCII, valid UTF-8; everything else as \xNN (text) or
 *      \u00NN / U+FFFD (JSON, RFC 8259 §7). C1 controls (U+0080-U+009F)
 *      and bidi overrides are escaped too: they can rewrite a terminal line.
 * Not here: bounding the excerpt (callers pass a length). */
#include <stdio.h>
#include "smtpdx/esc.h"

size_t sdx_utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len, i;
    unsigned long cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    /* overlong forms, surrogates, beyond U+10FFFF (RFC 3629 §3) */
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return len;
}

/* dangerous_cp - code points that must not reach a terminal raw */
static int dangerous_cp(const unsigned char *p, size_t len)
{
    unsigned long cp;

    if (len == 2) {
        cp = ((p[0] & 0x1fUL) << 6) | (p[1] & 0x3f);
        return (cp >= 0x80 && cp <= 0x9f) ||        /* C1 controls */
               cp == 0x61c;                         /* Arabic letter mark */
    }
    if (len == 3) {
        cp = ((p[0] & 0x0fUL) << 12) | ((p[1] & 0x3fUL) << 6) | (p[2] & 0x3f);
        return (cp >= 0x202a && cp <= 0x202e) ||    /* bidi embeddings/overrides */
               (cp >= 0x2066 && cp <= 0x2069) ||    /* bidi isolates */
               cp == 0x200e || cp == 0x200f ||      /* left/right marks */
               cp == 0x2028 || cp == 0x2029;        /* line/paragraph separators */
    }
    return 0;
}

int sdx_esc_text(struct sdx_buf *out, const char *s, size_t n, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, l;
    int err = 0;
    char hex[5];

    while (i < n && err == 0) {
        unsigned c = p[i];

        if (c >= 0x20 && c < 0x7f) {
            if ((flags & SDX_ESC_QUOTE) && (c == '"' || c == '\\'))
                err = sdx_buf_addc(out, '\\');
            if (err == 0)
                err = sdx_buf_addc(out, (int)c);
            i++;
            continue;
        }
        if (c >= 0x80 && !(flags & SDX_ESC_ASCII) &&
            (l = sdx_utf8_len(p + i, n - i)) > 0 && !dangerous_cp(p + i, l)) {
            err = sdx_buf_add(out, p + i, l);
            i += l;
            continue;
        }
        switch (c) {
        case '\n': err = sdx_buf_add(out, "\\n", 2); break;
        case '\r': err = sdx_buf_add(out, "\\r", 2); break;
        case '\t': err = sdx_buf_add(out, "\\t", 2); break;
        default:
            snprintf(hex, sizeof(hex), "\\x%02x", c);
            err = sdx_buf_add(out, hex, 4);
        }
        i++;
    }
    return err;
}

int sdx_esc_json(struct sdx_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, l;
    int err = 0;
    char u[8];

    while (i < n && err == 0) {
        unsigned c = p[i];

        if (c >= 0x20 && c < 0x7f) {
            if (c == '"' || c == '\\')
                err = sdx_buf_addc(out, '\\');
            if (err == 0)
                err = sdx_buf_addc(out, (int)c);
            i++;
        } else if (c >= 0x80) {
            if ((l = sdx_utf8_len(p + i, n - i)) > 0) {
                err = sdx_buf_add(out, p + i, l);
                i += l;
            } else {
                err = sdx_buf_add(out, "\\ufffd", 6);
                i++;
            }
        } else {
            switch (c) {
            case '\n': err = sdx_buf_add(out, "\\n", 2); break;
            case '\r': err = sdx_buf_add(out, "\\r", 2); break;
            case '\t': err = sdx_buf_add(out, "\\t", 2); break;
            default:
                snprintf(u, sizeof(u), "\\u%04x", c);
                err = sdx_buf_add(out, u, 6);
            }
            i++;
        }
    }
    return err;
}
