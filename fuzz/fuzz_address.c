/* fuzz_address.c - libFuzzer target for sdx_address_check()
 * In:  any bytes, checked under every combination of SDX_ADDR_O_* options.
 * Out: nothing; aborts when an invariant breaks: the call fails, a borrowed
 *      span leaves the input, domain_ascii is not terminated, the verdict
 *      disagrees with the flags, or the diagnosis names no finding.
 * Seeds: fuzz/corpus/address/. The input is copied to a block of exactly its
 * size, so ASan sees any read past n. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/address.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void verify(const char *p, size_t n, const struct sdx_address *a)
{
    const struct sdx_addr_info *l[SDX_ADDR_FINDING_COUNT];
    size_t k;

    if (a->local.p && (a->local.p < p || a->local.p + a->local.len > p + n))
        abort();
    if (a->domain.p && (a->domain.p < p || a->domain.p + a->domain.len > p + n))
        abort();
    if (memchr(a->domain_ascii, '\0', sizeof(a->domain_ascii)) == NULL ||
        memchr(a->status, '\0', sizeof(a->status)) == NULL)
        abort();
    if (a->flags >> SDX_ADDR_FINDING_COUNT)
        abort();
    k = sdx_address_findings(a->flags, l, SDX_ADDR_FINDING_COUNT);
    if (k == 0) {
        if (a->verdict != SDX_ADDR_VALID_SMTP || strcmp(a->diagnosis, "valid") != 0 ||
            a->reply_code != 0)
            abort();
        return;
    }
    /* the diagnosis is the first (most severe) finding, and the verdict
     * follows from its class */
    if (strcmp(l[0]->name, a->diagnosis) != 0)
        abort();
    switch (l[0]->klass) {
    case SDX_ADDR_C_ERROR:
        if (a->verdict != SDX_ADDR_INVALID || a->reply_code == 0 || a->error_at > n)
            abort();
        break;
    case SDX_ADDR_C_5322:
        if (a->verdict != SDX_ADDR_VALID_5322_ONLY || a->reply_code == 0)
            abort();
        break;
    case SDX_ADDR_C_UTF8:
        if (a->verdict != SDX_ADDR_VALID_SMTPUTF8)
            abort();
        break;
    default:
        if (a->verdict != SDX_ADDR_VALID_SMTP || a->reply_code != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    char *p = malloc(n ? n : 1);
    unsigned opts;

    if (p == NULL)
        return 0;
    memcpy(p, d, n);
    for (opts = 0; opts <= (SDX_ADDR_O_SMTPUTF8 | SDX_ADDR_O_ANGLE | SDX_ADDR_O_SENDER); opts++) {
        struct sdx_address a;
        int rc = sdx_address_check(p, n, opts, &a);

        if (rc == SDX_ENOMEM)
            continue;
        if (rc != 0)
            abort();
        verify(p, n, &a);
    }
    free(p);
    return 0;
}
