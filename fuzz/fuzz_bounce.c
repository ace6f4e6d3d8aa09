/* fuzz_bounce.c - libFuzzer target for the bounce reader (bounce.h)
 * In:  any bytes as one message (MIME through GMime, the DSN field
 *      parser, ARF, auto-reply headers, the text scanner), and the same
 *      bytes as an mbox and as a bare delivery-status body.
 * Out: nothing; aborts when an invariant breaks: more recipients than the
 *      limit, a kind out of range, strings not terminated, an mbox
 *      message outside the input.
 * Seeds: fuzz/corpus/bounce/ (small DSNs and bounces of every kind). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/bounce.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void field(void *arg, unsigned block, const char *name, size_t nlen, const char *v, size_t vn)
{
    size_t *total = arg;

    (void)block;
    if (nlen == 0 || vn > 1024)
        abort();
    *total += nlen + vn + (size_t)(name[0] == 0) + (size_t)(vn ? v[0] == 0 : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    struct sdx_bounce b;
    struct sdx_bounce_opts o = { 1u << 20 };
    const char *msg;
    size_t i, off = 0, len, total = 0;

    if (sdx_bounce_parse(&b, (const char *)d, n, &o) == 0) {
        if ((unsigned)b.kind >= SDX_BOUNCE_KIND_COUNT || b.nrcpt > SDX_BOUNCE_RCPT_MAX)
            abort();
        for (i = 0; i < b.nrcpt; i++) {
            const struct sdx_bounce_rcpt *r = &b.rcpt[i];
            struct sdx_event e;

            if ((r->recipient.len && r->recipient.p[r->recipient.len] != '\0') ||
                (r->diag.len && r->diag.p[r->diag.len] != '\0') ||
                r->found_by == NULL || (unsigned)r->verdict.reason >= SDX_REASON_COUNT)
                abort();
            sdx_bounce_event(&b, i, &e);
        }
    }
    sdx_bounce_release(&b);
    while (sdx_mbox_next((const char *)d, n, &off, &msg, &len))
        if (msg < (const char *)d || msg + len > (const char *)d + n)
            abort();
    sdx_dsn_fields((const char *)d, n, field, &total);
    return 0;
}
