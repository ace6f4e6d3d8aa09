/* test_json.c - out/json.c: structure, commas, escaping, sticky errors, and
 * the verdict object's shared field names */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/json.h"

static void test_writer(void **state)
{
    struct sdx_buf b;
    struct sdx_json j;
    static const char *const list[] = { "a", "b\"", NULL };

    (void)state;
    sdx_buf_init(&b, 4096);
    sdx_json_init(&j, &b, 0);
    sdx_json_obj(&j, NULL);
    sdx_json_str(&j, "s", "x\ny");
    sdx_json_int(&j, "i", -42);
    sdx_json_bool(&j, "t", 1);
    sdx_json_null(&j, "n");
    sdx_json_str(&j, "z", NULL);
    sdx_json_strs(&j, "l", list);
    sdx_json_arr(&j, "e");
    sdx_json_end(&j, ']');
    sdx_json_obj(&j, "o");
    sdx_json_strn(&j, "bin", "\xff\x01", 2);
    sdx_json_end(&j, '}');
    sdx_json_end(&j, '}');
    assert_int_equal(j.err, 0);
    assert_string_equal(b.data, "{\"s\":\"x\\ny\",\"i\":-42,\"t\":true,\"n\":null,\"z\":null,"
                                "\"l\":[\"a\",\"b\\\"\"],\"e\":[],\"o\":{\"bin\":\"\\ufffd\\u0001\"}}");
    sdx_buf_release(&b);
}

static void test_sticky(void **state)
{
    struct sdx_buf b;
    struct sdx_json j;

    (void)state;
    sdx_buf_init(&b, 8);
    sdx_json_init(&j, &b, 0);
    sdx_json_obj(&j, NULL);
    sdx_json_str(&j, "long", "this does not fit");
    sdx_json_int(&j, "more", 1);
    sdx_json_end(&j, '}');
    assert_int_equal(j.err, SDX_ETOOBIG);
    assert_true(b.len <= 8);
    sdx_buf_release(&b);
}

static void test_verdict_fields(void **state)
{
    static const char *const fields[] = { "\"reply_code\":550", "\"status\":\"5.1.1\"", "\"reason\":\"userunknown\"",
        "\"permanent\":true", "\"actor\":", "\"summary\":", "\"causes\":[", "\"steps\":[", "\"references\":[",
        "\"stage\":\"rcpt\"", "\"rule\":", "\"server\":{\"host\":\"mx.example.com\"", NULL };
    const char *in = "host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: Recipient address "
                     "rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)";
    struct sdx_reply r;
    struct sdx_event e;
    struct sdx_verdict v;
    struct sdx_buf b;
    struct sdx_json j;
    size_t i;

    (void)state;
    sdx_reply_init(&r);
    assert_int_equal(sdx_reply_parse(&r, in, strlen(in)), 0);
    sdx_event_init(&e, &r);
    assert_int_equal(sdx_event_classify(&e, &v), 0);
    sdx_buf_init(&b, 1 << 16);
    sdx_json_init(&j, &b, 0);
    sdx_json_obj(&j, NULL);
    sdx_json_verdict(&j, &e, &v);
    sdx_json_end(&j, '}');
    assert_int_equal(j.err, 0);
    for (i = 0; fields[i]; i++)
        if (strstr(b.data, fields[i]) == NULL)
            fail_msg("verdict JSON lacks %s:\n%s", fields[i], b.data);
    sdx_buf_release(&b);
    sdx_reply_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_sticky),
        cmocka_unit_test(test_verdict_fields),
    };
    return cmocka_run_group_tests_name("unit.json", tests, NULL, NULL);
}
