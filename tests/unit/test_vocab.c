/* test_vocab.c - vocab.c: names round-trip; Sisimai's old names are aliases */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/reason.h"

static void test_roundtrip(void **state)
{
    int i;
    enum sdx_reason r;
    enum sdx_actor a;
    enum sdx_stage s;

    (void)state;
    assert_int_equal(SDX_REASON_COUNT, 34);
    for (i = 0; i < SDX_REASON_COUNT; i++) {
        const char *n = sdx_reason_name((enum sdx_reason)i);

        assert_int_equal(sdx_reason_parse(n, strlen(n), &r), 0);
        assert_int_equal(r, i);
        assert_true(strlen(sdx_reason_desc((enum sdx_reason)i)) > 10);
    }
    for (i = 0; i < SDX_ACTOR_COUNT; i++) {
        const char *n = sdx_actor_name((enum sdx_actor)i);

        assert_int_equal(sdx_actor_parse(n, strlen(n), &a), 0);
        assert_int_equal(a, i);
    }
    for (i = 0; i < SDX_STAGE_COUNT; i++) {
        const char *n = sdx_stage_name((enum sdx_stage)i);

        assert_int_equal(sdx_stage_parse(n, strlen(n), &s), 0);
        assert_int_equal(s, i);
    }
}

static void test_aliases(void **state)
{
    enum sdx_reason r;

    (void)state;
    assert_int_equal(sdx_reason_parse("speeding", 8, &r), 0);
    assert_int_equal(r, SDX_REASON_RATELIMITED);
    assert_int_equal(sdx_reason_parse("TooManyConn", 11, &r), 0);
    assert_int_equal(r, SDX_REASON_RATELIMITED);
    assert_int_equal(sdx_reason_parse("mesgtoobig", 10, &r), 0);
    assert_int_equal(r, SDX_REASON_EMAILTOOLARGE);
    assert_int_equal(sdx_reason_parse("exceedlimit", 11, &r), 0);
    assert_int_equal(r, SDX_REASON_EMAILTOOLARGE);
    assert_int_equal(sdx_reason_parse("userunknownx", 12, &r), SDX_ENOTFOUND);
    assert_int_equal(sdx_reason_parse("user", 4, &r), SDX_ENOTFOUND);
    assert_string_equal(sdx_reason_name((enum sdx_reason)999), "undefined");
    assert_string_equal(sdx_perm_name(SDX_PERM_PERMANENT), "permanent");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_aliases),
    };
    return cmocka_run_group_tests_name("unit.vocab", tests, NULL, NULL);
}
