/* fuzz_dkim.c - libFuzzer target for the DKIM key record parser (dkim.h),
 * base64 and DER decoding (OpenSSL) included
 * In:  any bytes as the text of a TXT record at SELECTOR._domainkey.DOMAIN.
 * Out: nothing; aborts when an invariant breaks: an accepted key with no
 *      size that is not revoked, an error without a message.
 * Seeds: fuzz/corpus/dkim/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/dkim.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    struct sdx_dkim_key k;

    if (sdx_dkim_key_parse((const char *)d, n, &k) == 0) {
        if (!k.revoked && k.bits <= 0)
            abort();
        if (k.nwarn > 4)
            abort();
    } else if (k.error[0] == '\0') {
        abort();
    }
    return 0;
}
