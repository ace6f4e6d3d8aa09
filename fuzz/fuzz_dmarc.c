/* fuzz_dmarc.c - libFuzzer target for the DMARC record parser (dmarc.h)
 * In:  any bytes as the text of a TXT record at _dmarc.DOMAIN.
 * Out: nothing; aborts when an invariant breaks: a record accepted that
 *      does not start with v=DMARC1, policies out of range, more report
 *      addresses or warnings than the limits, strings not terminated.
 * Seeds: fuzz/corpus/dmarc/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "smtpdx/dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static struct sdx_dmarc_record r;

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    char dom[256];
    size_t i;

    if (sdx_dmarc_parse((const char *)d, n, &r) == 0) {
        if (n < 8 || (r.p < SDX_DMARC_UNSET || r.p > SDX_DMARC_REJECT) || r.nrua > SDX_DMARC_URIS_MAX ||
            r.nruf > SDX_DMARC_URIS_MAX || r.nwarn > SDX_DMARC_NOTES_MAX || (r.pct < -1 || r.pct > 100))
            abort();
        for (i = 0; i < r.nrua; i++) {
            if (memchr(r.rua[i], '\0', sizeof(r.rua[i])) == NULL)
                abort();
            sdx_dmarc_uri_domain(r.rua[i], dom, sizeof(dom));
        }
    } else if (memchr(r.error, '\0', sizeof(r.error)) == NULL || r.error[0] == '\0') {
        abort();
    }
    return 0;
}
