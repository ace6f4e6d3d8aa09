/* fuzz_smtpread.c - libFuzzer target for the SMTP reply reader (smtpread.h)
 * In:  any bytes as a server's stream, fed in pieces whose sizes the first
 *      byte picks (1 to 256 bytes), so every split of a line is tried.
 * Out: nothing; aborts when an invariant breaks: more bytes taken than
 *      given, a complete reply whose code is not 100-599 or whose text is
 *      empty or over the bounds, a line buffer over its limit, an error that
 *      does not stick.
 * Seeds: fuzz/corpus/smtpread/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/smtpread.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    struct sdx_smtp_reader r;
    size_t step = n ? (size_t)d[0] % 256 + 1 : 1, off = n ? 1 : 0;

    sdx_smtp_reader_init(&r);
    while (off < n) {
        size_t piece = n - off < step ? n - off : step, used = 0;
        int rc = sdx_smtp_reader_feed(&r, (const char *)d + off, piece, &used);

        if (used > piece || r.len > SDX_SMTP_LINE_MAX)
            abort();
        if (rc == 1) {
            if (r.code < 100 || r.code > 599 || r.reply.len < 3 ||
                r.reply.len > (size_t)SDX_SMTP_LINES_MAX * (SDX_SMTP_LINE_MAX + 1) || r.nlines == 0)
                abort();
            sdx_smtp_reader_next(&r);
        } else if (rc < 0) {
            size_t again = 0;

            if (r.err == SDX_SMTP_OK && rc != -1)
                abort();
            if (rc != -1 && sdx_smtp_reader_feed(&r, "250 ok\r\n", 8, &again) >= 0)
                abort();                /* an error sticks */
            break;
        }
        off += used ? used : piece;
        if (used == 0 && rc == 0 && piece)
            abort();                    /* nothing taken, nothing asked */
    }
    sdx_smtp_reader_release(&r);
    return 0;
}
