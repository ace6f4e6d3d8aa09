/* fuzz_transcript.c - libFuzzer target for sdx_transcript_parse() and
 * sdx_replay_run()
 * In:  any bytes, read as a recorded SMTP session.
 * Out: nothing; aborts when an invariant breaks: a turn's text outside the
 *      transcript's buffer or longer than the line limit, turns out of line
 *      order, an exchange pointing at a turn that is not its side's, a reply
 *      whose first turn follows its last, more faults counted than kept,
 *      a fault without its table row.
 * Seeds: fuzz/corpus/transcript/. The input is copied to a block of exactly
 * its size, so ASan sees any read past n. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/replay.h"
#include "smtpdx/transcript.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    struct sdx_transcript t;
    struct sdx_replay r;
    char *p = malloc(n ? n : 1);
    size_t i, k, faults = 0;

    if (p == NULL)
        return 0;
    memcpy(p, d, n);
    sdx_transcript_init(&t);
    sdx_replay_init(&r);
    if (sdx_transcript_parse(&t, p, n) == 0 && sdx_replay_run(&t, &r) == 0) {
        for (i = 0; i < t.n; i++) {
            const struct sdx_turn *u = &t.turn[i];

            if (u->text.p < t.text.data || u->text.p + u->text.len > t.text.data + t.text.len ||
                u->text.len > SDX_TRANSCRIPT_LINE_MAX || (i && u->line < t.turn[i - 1].line))
                abort();
        }
        for (i = 0; i < r.n; i++) {
            const struct sdx_exchange *x = &r.ex[i];

            if (x->cmd != (size_t)-1 && (x->cmd >= t.n || t.turn[x->cmd].side != SDX_TURN_CLIENT))
                abort();
            if (x->reply_first != (size_t)-1 &&
                (x->reply_last >= t.n || x->reply_first > x->reply_last ||
                 t.turn[x->reply_last].side != SDX_TURN_SERVER))
                abort();
            if (x->nfault > SDX_REPLAY_FAULTS_MAX)
                abort();
            for (k = 0; k < x->nfault; k++)
                if (sdx_fault_info(x->fault[k]) == NULL)
                    abort();
            faults += x->nfault;
        }
        if (faults != r.faults || r.unanswered > r.n)
            abort();
    }
    sdx_replay_release(&r);
    sdx_transcript_release(&t);
    free(p);
    return 0;
}
