/* test_esc.c - core/esc.c: nothing dangerous reaches a terminal; JSON always valid */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/esc.h"

struct row { const char *in; size_t n; unsigned flags; const char *text; const char *json; };

static const struct row rows[] = {
    { "plain", 5, 0, "plain", "plain" },
    { "a\nb\tc\rd", 7, 0, "a\\nb\\tc\\rd", "a\\nb\\tc\\rd" },
    { "\033[31mred", 8, 0, "\\x1b[31mred", "\\u001b[31mred" },
    { "caf\xc3\xa9", 5, 0, "caf\xc3\xa9", "caf\xc3\xa9" },
    { "caf\xc3\xa9", 5, SDX_ESC_ASCII, "caf\\xc3\\xa9", "caf\xc3\xa9" },
    { "bad\xff", 4, 0, "bad\\xff", "bad\\ufffd" },
    { "over\xc0\xaf", 6, 0, "over\\xc0\\xaf", "over\\ufffd\\ufffd" },     /* overlong '/' */
    { "c1\xc2\x9b", 4, 0, "c1\\xc2\\x9b", "c1\xc2\x9b" },                 /* C1 CSI */
    { "bidi\xe2\x80\xae", 7, 0, "bidi\\xe2\\x80\\xae", "bidi\xe2\x80\xae" },/* RLO */
    { "q\"\\", 3, 0, "q\"\\", "q\\\"\\\\" },
    { "q\"\\", 3, SDX_ESC_QUOTE, "q\\\"\\\\", "q\\\"\\\\" },
    { "nul\0x", 5, 0, "nul\\x00x", "nul\\u0000x" },
    { "del\x7f", 4, 0, "del\\x7f", "del\\u007f" },
    { "surr\xed\xa0\x80", 7, 0, "surr\\xed\\xa0\\x80", "surr\\ufffd\\ufffd\\ufffd" },
};

static void test_rows(void **state)
{
    struct sdx_buf b;
    size_t i;

    (void)state;
    sdx_buf_init(&b, 1024);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        sdx_buf_reset(&b);
        assert_int_equal(sdx_esc_text(&b, rows[i].in, rows[i].n, rows[i].flags), 0);
        if (strcmp(b.data, rows[i].text) != 0)
            fail_msg("row %zu text: got '%s' want '%s'", i, b.data, rows[i].text);
        sdx_buf_reset(&b);
        assert_int_equal(sdx_esc_json(&b, rows[i].in, rows[i].n), 0);
        if (strcmp(b.data, rows[i].json) != 0)
            fail_msg("row %zu json: got '%s' want '%s'", i, b.data, rows[i].json);
    }
    sdx_buf_release(&b);
}

static void test_bounded(void **state)
{
    struct sdx_buf b;

    (void)state;
    sdx_buf_init(&b, 6);
    assert_int_equal(sdx_esc_text(&b, "\n\n\n\n", 4, 0), SDX_ETOOBIG);
    assert_true(b.len <= 6);
    sdx_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_bounded),
    };
    return cmocka_run_group_tests_name("unit.esc", tests, NULL, NULL);
}
