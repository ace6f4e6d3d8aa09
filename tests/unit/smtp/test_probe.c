/* test_probe.c - what probe.c decides without a network: the needs of a
 * sender against advertised capabilities, option checks, names */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/probe.h"
#include "smtpdx/replay.h"

static void need(const char *s, unsigned caps, unsigned long long limit, int met, int code)
{
    struct sdx_probe_need n;

    assert_int_equal(sdx_probe_need(s, strlen(s), caps, limit, &n), 0);
    assert_true(n.known);
    if (n.met != met || n.reply_code != code)
        fail_msg("%s: met %d code %d, want %d %d", s, n.met, n.reply_code, met, code);
    assert_non_null(n.explanation);
}

static void test_needs(void **state)
{
    (void)state;
    need("SMTPUTF8", SDX_CAP_SMTPUTF8, 0, 1, 553);
    need("smtputf8", 0, 0, 0, 553);                     /* any case */
    need("8BITMIME", SDX_CAP_PIPELINING, 0, 0, 554);
    need("SIZE=30000000", SDX_CAP_SIZE, 102400, 0, 552);
    need("SIZE=1000", SDX_CAP_SIZE, 102400, 1, 552);
    need("SIZE=30000000", SDX_CAP_SIZE, 0, 1, 552);     /* SIZE without a number: no limit */
    need("SIZE=30000000", 0, 0, 1, 552);                /* no SIZE: no stated limit */
    need("SIZE", 0, 0, 0, 552);
    need("DSN", 0, 0, 0, 555);
    need("CHUNKING", SDX_CAP_CHUNKING, 0, 1, 502);
    need("STARTTLS", 0, 0, 0, 0);                        /* no refusal: mail in clear */
    need("REQUIRETLS", 0, 0, 0, 0);                      /* the sender's own bounce, 5.7.30 */
}

static void test_bad_needs(void **state)
{
    struct sdx_probe_need n;

    (void)state;
    assert_int_equal(sdx_probe_need("FOO", 3, 0, 0, &n), 0);
    assert_false(n.known);
    assert_int_equal(sdx_probe_need("SIZE=", 5, 0, 0, &n), SDX_EINVAL);
    assert_int_equal(sdx_probe_need("SIZE=12x", 8, 0, 0, &n), SDX_EINVAL);
    assert_int_equal(sdx_probe_need("DSN=1", 5, 0, 0, &n), SDX_EINVAL);
    assert_int_equal(sdx_probe_need("=1", 2, 0, 0, &n), SDX_EINVAL);
    assert_int_equal(sdx_probe_need("SIZE=99999999999999999999999", 28, 0, 0, &n), SDX_EINVAL);
    assert_int_equal(sdx_probe_need("AVERYLONGNEEDNAMEINDEED", 23, 0, 0, &n), SDX_EINVAL);
}

/* what goes on the wire is checked before anything is sent */
static void test_options(void **state)
{
    struct sdx_probe_opts o;
    struct sdx_probe_result r;

    (void)state;
    memset(&o, 0, sizeof(o));
    sdx_probe_result_init(&r);
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);        /* no host */
    o.host = "127.0.0.1";
    o.from = "a@b\r\nRCPT TO:<victim@example.net>";
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);        /* no command injection */
    o.from = NULL;
    o.helo = "x\ny";
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    o.helo = NULL;
    o.rcpt[0] = "a\n";
    o.nrcpt = 1;
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    o.nrcpt = 0;
    o.auth_user = "alice";
    o.auth_pass = "secret\r\nMAIL FROM:<x@example.org>";
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    o.auth_pass = "secret";
    o.auth_user = "";
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    assert_int_equal(r.n, 0);                                   /* nothing was sent */
    sdx_probe_result_release(&r);
    assert_string_equal(sdx_probe_end_name(SDX_PROBE_END_LONG_LINE), "line-too-long");
    assert_string_equal(sdx_probe_end_name(SDX_PROBE_END_COUNT), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_needs),
        cmocka_unit_test(test_bad_needs),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests_name("unit.probe", tests, NULL, NULL);
}
