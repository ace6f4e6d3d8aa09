/* fuzz_dkim.c - libFuzzer target for the DKIM key record parser (dkim.h),
 * base64 and DER decoding (OpenSSL) included
 * In:  any bytes as the text of a TXT record at SELECTOR._domainkey.DOMAIN.
 *      The same bytes as an OpenDKIM log line (sdx_dkim_log_selector).
 * Out: nothing; aborts when an invariant breaks: an accepted key with no
 *      size that is not revoked, an error without a message, an empty or
 *      over-long selector taken from a log line.
 * Seeds: fuzz/corpus/dkim/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/dkim.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    struct sdx_dkim_key k;
    char sel[64];

    if (sdx_dkim_key_parse((const char *)d, n, &k) == 0) {
        if (!k.revoked && k.bits <= 0)
            abort();
        if (k.nwarn > 4)
            abort();
    } else if (k.error[0] == '\0') {
        abort();
    }
    /* the same bytes as an OpenDKIM log line */
    if (sdx_dkim_log_selector((const char *)d, n, "example.com", sel, sizeof(sel)) == 1 &&
        (sel[0] == '\0' || strlen(sel) >= sizeof(sel)))
        abort();
    return 0;
}
