/* dkim.c - a DKIM key record read and its key measured (dkim.h); the key
 * itself is decoded by OpenSSL, not by hand */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "smtpdx/dkim.h"
#include "taglist.h"

static void note(struct sdx_dkim_key *k, const char *text)
{
    if (k->nwarn < sizeof(k->warn) / sizeof(k->warn[0]))
        snprintf(k->warn[k->nwarn++], sizeof(k->warn[0]), "%s", text);
}

/* key_bits - the size of the base64 key b64[0..n) (blanks allowed), -1
 * when it does not decode */
static int key_bits(const char *b64, size_t n, int ed25519)
{
    unsigned char *clean, *der;
    const unsigned char *p;
    size_t i, m = 0;
    int len, pad = 0, bits = -1;
    EVP_PKEY *key;

    if ((clean = malloc(n + 1)) == NULL || (der = malloc(n + 1)) == NULL) {
        free(clean);
        return -1;
    }
    for (i = 0; i < n; i++)
        if (b64[i] != ' ' && b64[i] != '\t' && b64[i] != '\r' && b64[i] != '\n')
            clean[m++] = (unsigned char)b64[i];
    if (m == 0 || m % 4 != 0 || (len = EVP_DecodeBlock(der, clean, (int)m)) < 0)
        goto out;
    pad = (m && clean[m - 1] == '=') + (m > 1 && clean[m - 2] == '=');
    len -= pad;
    if (ed25519) {
        /* RFC 8463 section 4.2: the raw 32-byte key */
        bits = len == 32 ? 256 : -1;
        goto out;
    }
    p = der;
    /* an RSA key only: d2i_PUBKEY takes any type (a DSA key under k=rsa
     * would pass) */
    if ((key = d2i_PUBKEY(NULL, &p, len)) != NULL) {
        if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA)
            bits = EVP_PKEY_get_bits(key);
        EVP_PKEY_free(key);
    }
out:
    free(clean);
    free(der);
    return bits;
}

int sdx_dkim_key_parse(const char *txt, size_t len, struct sdx_dkim_key *k)
{
    const char *pv = NULL;
    struct taglist_item t;
    size_t i = 0, pn = 0, ntag = 0;
    unsigned seen = 0;
    int have_p = 0;

    memset(k, 0, sizeof(*k));
    snprintf(k->k, sizeof(k->k), "rsa");
    k->email = 1;
    while (taglist_next(txt, len, &i, &t)) {
        const char *v = t.value;

        if (!t.has_eq) {
            snprintf(k->error, sizeof(k->error), "a tag without '=': '%.*s'", (int)(t.nlen > 40 ? 40 : t.nlen),
                     t.name);
            return SDX_EPARSE;
        }
        ntag++;
        /* RFC 6376 section 3.2: a tag twice makes the whole list invalid */
        if (t.nlen == 1 && t.name[0] >= 'a' && t.name[0] <= 'z') {
            unsigned bit = 1u << (t.name[0] - 'a');

            if (seen & bit) {
                snprintf(k->error, sizeof(k->error), "the tag %c= appears twice: receivers reject the record",
                         t.name[0]);
                return SDX_EPARSE;
            }
            seen |= bit;
        }
        if (t.nlen == 1 && t.name[0] == 'v') {
            /* RFC 6376 section 3.6.1: if present, first, and DKIM1 */
            if (ntag != 1 || t.vlen != 5 || strncmp(v, "DKIM1", 5) != 0) {
                snprintf(k->error, sizeof(k->error), "v= must be the first tag and DKIM1");
                return SDX_EPARSE;
            }
        } else if (t.nlen == 1 && t.name[0] == 'k') {
            snprintf(k->k, sizeof(k->k), "%.*s", (int)(t.vlen > 15 ? 15 : t.vlen), v);
        } else if (t.nlen == 1 && t.name[0] == 'p') {
            pv = v, pn = t.vlen, have_p = 1;
        } else if (t.nlen == 1 && t.name[0] == 't') {
            size_t j;

            for (j = 0; j < t.vlen; j++) {
                if (v[j] == 'y')
                    k->testing = 1;
                if (v[j] == 's')
                    k->strict = 1;
            }
        } else if (t.nlen == 1 && t.name[0] == 's') {
            size_t j = 0;

            /* s= service types, colon-separated, each whole: "*" or
             * "email" (the value is not NUL-terminated) */
            k->email = 0;
            while (j <= t.vlen && !k->email) {
                size_t e = j, a, b;

                while (e < t.vlen && v[e] != ':')
                    e++;
                for (a = j; a < e && (v[a] == ' ' || v[a] == '\t'); a++)
                    ;
                for (b = e; b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'); b--)
                    ;
                k->email = (b - a == 1 && v[a] == '*') || (b - a == 5 && strncasecmp(v + a, "email", 5) == 0);
                j = e + 1;
            }
        }
    }
    if (!have_p) {
        snprintf(k->error, sizeof(k->error), "no p= tag: not a DKIM key record (RFC 6376 section 3.6.1)");
        return SDX_EPARSE;
    }
    if (strcasecmp(k->k, "rsa") != 0 && strcasecmp(k->k, "ed25519") != 0) {
        snprintf(k->error, sizeof(k->error), "k=%s: a key type receivers do not know (rsa, ed25519)", k->k);
        return SDX_EPARSE;
    }
    if (pn == 0) {
        k->revoked = 1;                 /* section 3.6.1: an empty p= revokes the key */
        return 0;
    }
    k->bits = key_bits(pv, pn, strcasecmp(k->k, "ed25519") == 0);
    if (k->bits < 0) {
        k->bits = 0;
        snprintf(k->error, sizeof(k->error), "p=: the key does not decode (base64 of a %s)",
                 strcasecmp(k->k, "ed25519") == 0 ? "32-byte ed25519 key" : "DER SubjectPublicKeyInfo of an RSA key");
        return SDX_EPARSE;
    }
    if (strcasecmp(k->k, "rsa") == 0 && k->bits < 1024) {
        snprintf(k->error, sizeof(k->error), "an RSA key of %d bits: RFC 8301 section 3.2 says receivers must not "
                 "accept keys under 1024 bits", k->bits);
        return SDX_EPARSE;
    }
    if (strcasecmp(k->k, "rsa") == 0 && k->bits < 2048)
        note(k, "an RSA key under 2048 bits: RFC 8301 asks signers for 2048 or more");
    if (k->testing)
        note(k, "t=y: the domain is testing DKIM; receivers may treat its signatures as unsigned");
    if (!k->email)
        note(k, "s= does not include email: receivers must not use this key for mail");
    return 0;
}

int sdx_dkim_log_selector(const char *line, size_t len, const char *domain, char *sel, size_t cap)
{
    static const char mark[] = "DKIM-Signature field added (s=";
    const size_t ml = sizeof(mark) - 1, dl = strlen(domain);
    size_t i, s, e;

    for (i = 0; i + ml <= len; i++)
        if (line[i] == 'D' && memcmp(line + i, mark, ml) == 0)
            break;
    if (i + ml > len)
        return 0;
    for (s = e = i + ml; e < len && line[e] != ',' && line[e] != ')' && line[e] != ' '; e++)
        ;
    if (e == s || e - s >= cap || e + 4 > len || memcmp(line + e, ", d=", 4) != 0)
        return 0;
    /* the domain, up to ')' */
    if (e + 4 + dl >= len || strncasecmp(line + e + 4, domain, dl) != 0 || line[e + 4 + dl] != ')')
        return 0;
    for (i = s; i < e; i++) {
        unsigned char c = (unsigned char)line[i];

        /* a selector is a domain name's labels (RFC 6376 section 3.1) */
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_'))
            return 0;
    }
    memcpy(sel, line + s, e - s);
    sel[e - s] = '\0';
    return 1;
}
