/* jsonscan.c - string and number members of flat JSON, by name (jsonscan.h)
 * Not a JSON parser: Amazon SES notifications and `postqueue -j` lines are
 * flat enough objects whose members are read by name, in order, within
 * bounds. A key is only taken as a key when followed by ':'. None of the
 * project's Debian dependencies parses JSON, and a few members do not earn
 * one. */
#include <string.h>
#include "core/jsonscan.h"

/* member - the string value of "key": after p[*off], before end; 1 and
 * its span, or 0. *off moves past it. */
int sdx__json_str(const char *p, size_t end, size_t *off, const char *key, size_t *vs, size_t *vn)
{
    size_t kl = strlen(key), i;

    for (i = *off; i + kl + 4 <= end; i++) {
        size_t j, k;

        if (p[i] != '"' || memcmp(p + i + 1, key, kl) != 0 || p[i + 1 + kl] != '"')
            continue;
        j = i + kl + 2;
        while (j < end && (p[j] == ' ' || p[j] == '\n' || p[j] == '\r' || p[j] == '\t'))
            j++;
        if (j >= end || p[j] != ':')
            continue;
        j++;
        while (j < end && (p[j] == ' ' || p[j] == '\n' || p[j] == '\r' || p[j] == '\t'))
            j++;
        if (j >= end || p[j] != '"')
            continue;
        for (k = j + 1; k < end && p[k] != '"'; k++)
            if (p[k] == '\\' && k + 1 < end)
                k++;
        if (k >= end)
            return 0;
        *vs = j + 1;
        *vn = k - (j + 1);
        *off = k + 1;
        return 1;
    }
    return 0;
}

int sdx__json_num(const char *p, size_t end, size_t *off, const char *key, long long *v)
{
    size_t kl = strlen(key), i;

    for (i = *off; i + kl + 3 <= end; i++) {
        size_t j;
        long long n = 0;
        int neg = 0, digits = 0;

        if (p[i] != '"' || memcmp(p + i + 1, key, kl) != 0 || p[i + 1 + kl] != '"')
            continue;
        j = i + kl + 2;
        while (j < end && (p[j] == ' ' || p[j] == '\t'))
            j++;
        if (j >= end || p[j] != ':')
            continue;
        j++;
        while (j < end && (p[j] == ' ' || p[j] == '\t'))
            j++;
        if (j < end && p[j] == '-')
            neg = 1, j++;
        while (j < end && p[j] >= '0' && p[j] <= '9' && digits < 18)
            n = n * 10 + (p[j++] - '0'), digits++;
        if (!digits)
            continue;
        *v = neg ? -n : n;
        *off = j;
        return 1;
    }
    return 0;
}
