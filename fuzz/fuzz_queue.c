/* fuzz_queue.c - libFuzzer target for the queue listing readers (queue.h)
 * In:  any bytes, cut into lines, as `postqueue -j` and as `exim -bp` output.
 * Out: nothing; aborts when an invariant breaks: more tracked domains or
 *      reasons than the limit, strings not terminated, a top list longer
 *      than asked or out of order.
 * Seeds: fuzz/corpus/queue/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static struct sdx_queue q;

static void check(void)
{
    const struct sdx_queue_dest *top[SDX_QUEUE_TOP_MAX];
    const struct sdx_queue_reason *why[SDX_QUEUE_TOP_MAX];
    size_t i, k;

    if (q.ndest > SDX_QUEUE_TRACK_MAX || q.nreason > SDX_QUEUE_TRACK_MAX || q.nq > SDX_QUEUE_NAMES_MAX)
        abort();
    for (i = 0; i < q.ndest; i++)
        if (!memchr(q.dest[i].domain, '\0', sizeof(q.dest[i].domain)) ||
            !memchr(q.dest[i].last_reason, '\0', sizeof(q.dest[i].last_reason)))
            abort();
    k = sdx_queue_top_dest(&q, top, SDX_QUEUE_TOP_MAX);
    for (i = 1; i < k; i++)
        if (top[i - 1]->recipients < top[i]->recipients)
            abort();
    k = sdx_queue_top_reason(&q, why, SDX_QUEUE_TOP_MAX);
    if (k > SDX_QUEUE_TOP_MAX)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    int f;

    for (f = 0; f < 2; f++) {
        size_t s = 0, i;

        sdx_queue_init(&q, f ? SDX_QUEUE_EXIM_BP : SDX_QUEUE_POSTFIX_JSON, 1796600000);
        for (i = 0; i <= n; i++)
            if (i == n || d[i] == '\n') {
                sdx_queue_line(&q, (const char *)d + s, i - s);
                s = i + 1;
            }
        check();
    }
    return 0;
}
