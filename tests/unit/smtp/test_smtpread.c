/* test_smtpread.c - SMTP replies out of a byte stream (smtpread.c): any
 * split, multi-line replies, the bounds and the errors, which stick */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/smtpread.h"

/* feed_all - s in pieces of step bytes; the replies' codes into codes[] */
static int feed_all(struct sdx_smtp_reader *r, const char *s, size_t step, int *codes, size_t max, size_t *n)
{
    size_t off = 0, len = strlen(s);
    int rc = 0;

    *n = 0;
    while (off < len) {
        size_t piece = len - off < step ? len - off : step, used;

        rc = sdx_smtp_reader_feed(r, s + off, piece, &used);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            if (*n < max)
                codes[(*n)++] = r->code;
            sdx_smtp_reader_next(r);
        }
        off += used;
    }
    return rc;
}

static void test_splits(void **state)
{
    static const char *const text = "220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250 SIZE 1000\r\n550 5.1.1 no\n354\r\n";
    size_t step;

    (void)state;
    for (step = 1; step <= 80; step++) {
        struct sdx_smtp_reader r;
        int codes[8];
        size_t n;

        sdx_smtp_reader_init(&r);
        assert_true(feed_all(&r, text, step, codes, 8, &n) >= 0);
        assert_int_equal(n, 4);
        assert_int_equal(codes[0], 220);
        assert_int_equal(codes[1], 250);
        assert_int_equal(codes[2], 550);
        assert_int_equal(codes[3], 354);        /* a bare code ends a reply */
        sdx_smtp_reader_release(&r);
    }
}

static void test_multiline_text(void **state)
{
    struct sdx_smtp_reader r;
    size_t used;

    (void)state;
    sdx_smtp_reader_init(&r);
    assert_int_equal(sdx_smtp_reader_feed(&r, "250-a\r\n250 b\r\n220 next\r\n", 25, &used), 1);
    assert_int_equal(used, 14);                 /* the next reply's bytes are left */
    assert_string_equal(r.reply.data, "250-a\n250 b");
    assert_int_equal(r.nlines, 2);
    /* a complete reply is kept until next() */
    assert_int_equal(sdx_smtp_reader_feed(&r, "220 next\r\n", 10, &used), 1);
    assert_int_equal(used, 0);
    sdx_smtp_reader_next(&r);
    assert_int_equal(sdx_smtp_reader_feed(&r, "220 next\r\n", 10, &used), 1);
    assert_int_equal(r.code, 220);
    sdx_smtp_reader_release(&r);
}

static void test_errors(void **state)
{
    struct sdx_smtp_reader r;
    static char big[SDX_SMTP_LINE_MAX + 10];
    size_t used, i;

    (void)state;
    sdx_smtp_reader_init(&r);
    assert_int_equal(sdx_smtp_reader_feed(&r, "hello\r\n", 7, &used), SDX_EPARSE);
    assert_int_equal(r.err, SDX_SMTP_E_SYNTAX);
    assert_int_equal(sdx_smtp_reader_feed(&r, "250 ok\r\n", 8, &used), SDX_EPARSE);   /* it sticks */
    sdx_smtp_reader_release(&r);

    sdx_smtp_reader_init(&r);                   /* RFC 5321 4.2.1: one code per reply */
    assert_int_equal(sdx_smtp_reader_feed(&r, "250-a\r\n251 b\r\n", 14, &used), SDX_EPARSE);
    assert_int_equal(r.err, SDX_SMTP_E_SYNTAX);
    sdx_smtp_reader_release(&r);

    sdx_smtp_reader_init(&r);
    memset(big, 'x', sizeof(big));
    memcpy(big, "250 ", 4);
    assert_int_equal(sdx_smtp_reader_feed(&r, big, sizeof(big), &used), SDX_EPARSE);
    assert_int_equal(r.err, SDX_SMTP_E_LINE);
    sdx_smtp_reader_release(&r);

    sdx_smtp_reader_init(&r);
    for (i = 0; i <= SDX_SMTP_LINES_MAX; i++)
        if (sdx_smtp_reader_feed(&r, "250-more\r\n", 10, &used) != 0)
            break;
    assert_int_equal(r.err, SDX_SMTP_E_LINES);
    assert_int_equal(i, SDX_SMTP_LINES_MAX);
    assert_string_equal(sdx_smtp_err_name(r.err), "endless-reply");
    sdx_smtp_reader_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_splits),
        cmocka_unit_test(test_multiline_text),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("unit.smtpread", tests, NULL, NULL);
}
