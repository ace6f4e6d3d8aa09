/* curl.c - the table of libcurl's functions, loaded on first use (curl_int.h) */
#include "curl_int.h"

struct sdx__curl_fns sdx__curl;
static const char *const curl_names[] = {
    "curl_easy_init", "curl_easy_setopt", "curl_easy_perform", "curl_easy_getinfo", "curl_easy_cleanup",
    "curl_easy_strerror", "curl_slist_append", "curl_slist_free_all",
};
struct sdx_dynlib sdx__libcurl = { "libcurl.so.4", curl_names, sizeof(curl_names) / sizeof(char *),
                                   (void **)&sdx__curl, 0, "" };

int sdx__curl_load(void)
{
    return sdx_dynlib_load(&sdx__libcurl);
}
