/* mtasts.c - MTA-STS policies read (RFC 8461 section 3.2) and fetched
 * with libcurl (section 3.3) (mtasts.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "smtpdx/mtasts.h"
#include "../core/curl_int.h"

int sdx_mtasts_parse(const char *text, size_t len, struct sdx_mtasts_policy *p)
{
    size_t i = 0;
    int version = 0;

    memset(p, 0, sizeof(*p));
    p->max_age = -1;
    while (i < len) {
        size_t s = i, e, c, vs, ve;

        while (i < len && text[i] != '\n')
            i++;
        e = i;
        if (i < len)
            i++;
        if (e > s && text[e - 1] == '\r')
            e--;
        if (e == s)
            continue;
        for (c = s; c < e && text[c] != ':'; c++)
            ;
        if (c == e) {
            snprintf(p->error, sizeof(p->error), "a line that is not \"key: value\": '%.*s'",
                     (int)(e - s > 60 ? 60 : e - s), text + s);
            return SDX_EPARSE;
        }
        for (vs = c + 1; vs < e && (text[vs] == ' ' || text[vs] == '\t'); vs++)
            ;
        for (ve = e; ve > vs && (text[ve - 1] == ' ' || text[ve - 1] == '\t'); ve--)
            ;
        if (c - s == 7 && strncmp(text + s, "version", 7) == 0) {
            version = ve - vs == 5 && strncmp(text + vs, "STSv1", 5) == 0 ? 1 : -1;
        } else if (c - s == 4 && strncmp(text + s, "mode", 4) == 0) {
            snprintf(p->mode, sizeof(p->mode), "%.*s", (int)(ve - vs > 15 ? 15 : ve - vs), text + vs);
        } else if (c - s == 7 && strncmp(text + s, "max_age", 7) == 0) {
            char buf[24], *end;

            /* RFC 8461 section 3.2: 1 to 10 digits */
            snprintf(buf, sizeof(buf), "%.*s", (int)(ve - vs > 20 ? 20 : ve - vs), text + vs);
            p->max_age = strtol(buf, &end, 10);
            if (ve == vs || ve - vs > 10 || *end || p->max_age < 0 || buf[0] == '-' || buf[0] == '+')
                p->max_age = -2;
        } else if (c - s == 2 && strncmp(text + s, "mx", 2) == 0) {
            if (p->nmx < SDX_MTASTS_MX_MAX)
                snprintf(p->mx[p->nmx++], sizeof(p->mx[0]), "%.*s", (int)(ve - vs > 255 ? 255 : ve - vs), text + vs);
            else
                p->mx_lost++;
        }
        /* other keys: ignored (section 3.2 allows extensions) */
    }
    if (version != 1) {
        snprintf(p->error, sizeof(p->error), "%s", version ? "version is not STSv1" : "no version: STSv1 line");
        return SDX_EPARSE;
    }
    if (strcmp(p->mode, "enforce") != 0 && strcmp(p->mode, "testing") != 0 && strcmp(p->mode, "none") != 0) {
        snprintf(p->error, sizeof(p->error), "mode is not enforce, testing or none");
        return SDX_EPARSE;
    }
    if (p->max_age < 0) {
        snprintf(p->error, sizeof(p->error), "no valid max_age (seconds, RFC 8461 section 3.2)");
        return SDX_EPARSE;
    }
    if (p->mx_lost && p->nwarn < 4)
        snprintf(p->warn[p->nwarn++], sizeof(p->warn[0]), "more than %d mx: lines: the rest are not checked",
                 SDX_MTASTS_MX_MAX);
    if (p->max_age > 31557600 && p->nwarn < 4)
        snprintf(p->warn[p->nwarn++], sizeof(p->warn[0]), "max_age over 31557600 (a year): senders cap it");
    if (p->max_age < 86400 && p->nwarn < 4)
        snprintf(p->warn[p->nwarn++], sizeof(p->warn[0]),
                 "max_age under a day: the policy protects little against downgrade (RFC 8461 section 10.2 "
                 "suggests weeks)");
    if (p->nmx == 0 && strcmp(p->mode, "none") != 0) {
        snprintf(p->error, sizeof(p->error), "no mx: line: no MX host can be valid under this policy");
        return SDX_EPARSE;
    }
    return 0;
}

int sdx_mtasts_match(const struct sdx_mtasts_policy *p, const char *host)
{
    size_t i, hl = strlen(host);

    if (hl && host[hl - 1] == '.')
        hl--;
    for (i = 0; i < p->nmx; i++) {
        const char *pat = p->mx[i];
        size_t pl = strlen(pat);

        if (pl >= 2 && pat[0] == '*' && pat[1] == '.') {
            /* one leftmost label (section 4.1) */
            const char *dot = memchr(host, '.', hl);

            if (dot && dot > host && (size_t)(host + hl - dot) == pl - 1 &&
                strncasecmp(dot, pat + 1, pl - 1) == 0)
                return 1;
        } else if (pl == hl && strncasecmp(pat, host, hl) == 0) {
            return 1;
        }
    }
    return 0;
}

struct sink {
    char  *p;
    size_t n, cap;
    int    over;
};

static size_t sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;

    if (s->n + n + 1 > s->cap) {
        s->over = 1;
        return 0;                       /* libcurl stops: CURLE_WRITE_ERROR */
    }
    memcpy(s->p + s->n, data, n);
    s->n += n;
    s->p[s->n] = '\0';
    return n;
}

int sdx_mtasts_fetch(const char *domain, const char *address, const char *ca_file, char *out, size_t cap,
                     size_t *len, char *err, size_t errcap)
{
    char url[400], resolve[400], ebuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *rl = NULL;
    struct sink s = { out, 0, cap, 0 };
    long status = 0;
    char *ctype = NULL;
    CURL *c;
    CURLcode rc;
    int ret = 0;

    *len = 0;
    if (cap)
        out[0] = '\0';
    if (sdx__curl_load() != 0) {
        snprintf(err, errcap, "%s", sdx__libcurl.error);
        return SDX_EIO;
    }
    if (strlen(domain) > 253 || cap < 2 || (c = curl_easy_init()) == NULL) {
        snprintf(err, errcap, "cannot fetch the policy (bad domain or libcurl set-up)");
        return SDX_EIO;
    }
    snprintf(url, sizeof(url), "https://mta-sts.%s/.well-known/mta-sts.txt", domain);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);       /* section 3.3: no redirects */
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "smtpdx-check");
    if (ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
    if (address) {
        snprintf(resolve, sizeof(resolve), "mta-sts.%s:443:%s", domain, address);
        rl = curl_slist_append(NULL, resolve);
        curl_easy_setopt(c, CURLOPT_RESOLVE, rl);
    }
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        snprintf(err, errcap, "%s: %s", url, s.over ? "the policy is over 64 KB" : ebuf[0] ? ebuf : curl_easy_strerror(rc));
        ret = SDX_EIO;
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
        if (status != 200) {
            snprintf(err, errcap, "%s: HTTP status %ld (a policy needs 200, and no redirect: RFC 8461 section 3.3)",
                     url, status);
            ret = SDX_EIO;
        } else if (ctype == NULL || strncasecmp(ctype, "text/plain", 10) != 0) {
            snprintf(err, errcap, "%s: Content-Type %s, not text/plain (RFC 8461 section 3.2)", url,
                     ctype ? ctype : "missing");
            ret = SDX_EIO;
        }
    }
    *len = s.n;
    curl_slist_free_all(rl);
    curl_easy_cleanup(c);
    return ret;
}
