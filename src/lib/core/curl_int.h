/* curl_int.h - libcurl, loaded on first use (dynlib.h says why), for
 * MTA-STS policies (check/mtasts.c) and alert webhooks (watch/webhook.c)
 * The calls go through one table of pointers under their own names: the
 * code reads as plain libcurl code. sdx__curl_load() before the first. */
#ifndef SDX_CURL_INT_H
#define SDX_CURL_INT_H

#include <curl/curl.h>
#include "dynlib.h"

struct sdx__curl_fns {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
};
extern struct sdx__curl_fns sdx__curl;
extern struct sdx_dynlib sdx__libcurl;

/* sdx__curl_load - load libcurl once; 0, or -1 (sdx__libcurl.error says why) */
int sdx__curl_load(void);

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_init      sdx__curl.easy_init
#define curl_easy_setopt    sdx__curl.easy_setopt
#define curl_easy_perform   sdx__curl.easy_perform
#define curl_easy_getinfo   sdx__curl.easy_getinfo
#define curl_easy_cleanup   sdx__curl.easy_cleanup
#define curl_easy_strerror  sdx__curl.easy_strerror
#define curl_slist_append   sdx__curl.slist_append
#define curl_slist_free_all sdx__curl.slist_free_all

#endif
