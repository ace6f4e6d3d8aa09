/* fuzz_dnsrdata.c - libFuzzer target for the DNS answer readers: MX rdata
 * (mx.c) and TLSA rdata (tlsa.c), as a server's answer gives them
 * In:  any bytes, cut into records: each record is a length byte, then
 *      that many bytes (the last one takes what is left), at most 40.
 * Out: nothing; aborts when an invariant breaks: more records than the
 *      limit, a host name over its buffer or with a byte a host name cannot
 *      hold, MX hosts out of preference order, a TLSA record longer than
 *      its buffer, counts that do not add up.
 * Seeds: fuzz/corpus/dnsrdata/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/dane.h"
#include "smtpdx/mx.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static struct sdx_tlsa_result tr;
static struct sdx_mx_result mr;

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    char *data[41];
    int len[41];
    size_t count = 0, off = 0, i, k;

    while (off < n && count < 40) {
        size_t l = d[off++];

        if (l > n - off || count == 39)
            l = n - off;
        data[count] = (char *)(uintptr_t)(d + off);
        len[count++] = (int)l;
        off += l;
    }
    data[count] = NULL;
    sdx_mx_from_rdata(data, len, count, &mr);
    if (mr.n > SDX_MX_MAX || mr.n > count)
        abort();
    for (i = 0; i < mr.n; i++) {
        size_t hl = strnlen(mr.mx[i].host, sizeof(mr.mx[i].host));

        if (hl == sizeof(mr.mx[i].host) || (i && mr.mx[i - 1].pref > mr.mx[i].pref))
            abort();
        for (k = 0; k < hl; k++)
            if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", mr.mx[i].host[k]) == NULL)
                abort();
    }
    memset(&tr, 0, sizeof(tr));
    sdx_tlsa_from_rdata(data, len, count, &tr);
    if (tr.n > SDX_TLSA_MAX || tr.n + tr.skipped != count || tr.usable > tr.n)
        abort();
    for (i = 0; i < tr.n; i++)
        if (tr.rr[i].len == 0 || tr.rr[i].len > SDX_TLSA_DATA_MAX || tr.rr[i].usage > 255)
            abort();
    return 0;
}
