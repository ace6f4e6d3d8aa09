/* fuzz_mtasts.c - libFuzzer target for the MTA-STS policy parser and the
 * mx pattern match (mtasts.h)
 * In:  any bytes as a policy file; the first line also as a host name.
 * Out: nothing; aborts when an invariant breaks: an accepted policy with a
 *      mode or max_age outside the RFC, more patterns than the limit,
 *      patterns not terminated.
 * Seeds: fuzz/corpus/mtasts/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/mtasts.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static struct sdx_mtasts_policy p;

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    char host[256];
    const uint8_t *nl = memchr(d, '\n', n);
    size_t hl = nl ? (size_t)(nl - d) : n, i;

    if (sdx_mtasts_parse((const char *)d, n, &p) == 0) {
        if ((strcmp(p.mode, "enforce") && strcmp(p.mode, "testing") && strcmp(p.mode, "none")) || p.max_age < 0 ||
            p.nmx > SDX_MTASTS_MX_MAX)
            abort();
        for (i = 0; i < p.nmx; i++)
            if (memchr(p.mx[i], '\0', sizeof(p.mx[i])) == NULL)
                abort();
        if (hl > 255)
            hl = 255;
        memcpy(host, d, hl);
        host[hl] = '\0';
        (void)sdx_mtasts_match(&p, host);
    } else if (p.error[0] == '\0') {
        abort();
    }
    return 0;
}
