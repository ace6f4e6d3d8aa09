/* fuzz_reply.c - libFuzzer target: reply parser and classifier on any bytes
 * Checks: no crash, no hang, no read past the input (ASan), and the
 * invariants the rest of smtpdx relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sdx_reply r;
    static int ready;
    struct sdx_verdict v;
    struct sdx_event e;
    struct sdx_buf b;
    struct sdx_json j;

    if (!ready) {
        sdx_reply_init(&r);
        ready = 1;
    }
    if (sdx_reply_parse(&r, (const char *)data, size) != 0)
        return 0;
    /* invariants */
    if (r.code && (r.code < 200 || r.code > 599))
        abort();
    if (r.text.data[r.text.len] != '\0' || r.text.len > 16384)
        abort();
    if (r.status.klass && r.status.klass != 2 && r.status.klass != 4 && r.status.klass != 5)
        abort();
    if (sdx_classify(&r, NULL, &v) != 0 || (unsigned)v.reason >= SDX_REASON_COUNT)
        abort();
    sdx_event_init(&e, &r);
    sdx_buf_init(&b, 1 << 20);
    sdx_json_init(&j, &b, 0);
    sdx_json_obj(&j, NULL);
    sdx_json_verdict(&j, &e, &v);
    sdx_json_end(&j, '}');
    sdx_buf_release(&b);
    return 0;
}
