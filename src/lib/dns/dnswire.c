/* dnswire.c - DNS names, TXT strings, reverse names (dnswire.h) */
#include <stdio.h>
#include <string.h>
#include "dnswire.h"

static int host_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

size_t dns_name(const unsigned char *p, size_t n, char *out, size_t cap, int hostname)
{
    size_t i = 0, o = 0, k;

    if (cap == 0)
        return 0;
    out[0] = '\0';
    while (i < n) {
        size_t l = p[i++];

        if (l == 0) {
            out[o] = '\0';
            return i;
        }
        if (l > 63 || l > n - i || o + l + 2 > cap)
            return 0;
        if (o)
            out[o++] = '.';
        for (k = 0; k < l; k++) {
            if (hostname && !host_byte(p[i + k]))
                return 0;
            out[o++] = (char)p[i + k];
        }
        i += l;
    }
    out[0] = '\0';
    return 0;                           /* no root label: cut */
}

size_t dns_txt(const unsigned char *p, size_t n, char *out, size_t cap)
{
    size_t i = 0, o = 0;

    if (cap == 0)
        return 0;
    while (i < n) {
        size_t l = p[i++];

        if (l > n - i)
            l = n - i;
        if (o + l >= cap)
            l = cap - 1 - o;
        memcpy(out + o, p + i, l);
        o += l;
        i += l;
    }
    out[o] = '\0';
    return o;
}

int dns_reverse(const unsigned char *ip, int v6, const char *suffix, char *out, size_t cap)
{
    size_t o = 0;
    int i;

    if (!v6)
        return snprintf(out, cap, "%u.%u.%u.%u.%s", ip[3], ip[2], ip[1], ip[0], suffix) < (int)cap ? 0 : -1;
    if (cap < 65)
        return -1;
    for (i = 31; i >= 0; i--) {
        out[o++] = "0123456789abcdef"[i % 2 ? ip[i / 2] & 15 : ip[i / 2] >> 4];
        out[o++] = '.';
    }
    return snprintf(out + o, cap - o, "%s", suffix) < (int)(cap - o) ? 0 : -1;
}
