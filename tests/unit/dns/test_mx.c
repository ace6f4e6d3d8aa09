/* test_mx.c - MX answers read as RFC 5321 section 5.1 and RFC 7505 say
 * (mx.c): preference order, null MX, names that do not parse. The lookup
 * itself runs against a real DNS server in the integration harness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/mx.h"

/* rdata - preference and a dotted name as MX rdata in wire format */
static int rdata(char *out, unsigned pref, const char *name)
{
    int n = 2;
    const char *p = name;

    out[0] = (char)(pref >> 8), out[1] = (char)(pref & 0xff);
    while (*p) {
        const char *dot = strchr(p, '.');
        int l = dot ? (int)(dot - p) : (int)strlen(p);

        out[n++] = (char)l;
        memcpy(out + n, p, (size_t)l);
        n += l;
        p += l + (dot ? 1 : 0);
    }
    out[n++] = 0;
    return n;
}

static void test_order(void **state)
{
    char a[300], b[300], c[300];
    char *data[3] = { a, b, c };
    int len[3];
    struct sdx_mx_result r;

    (void)state;
    len[0] = rdata(a, 20, "mx2.example.net");
    len[1] = rdata(b, 10, "mx1.example.net");
    len[2] = rdata(c, 20, "mx3.example.net");
    memset(&r, 0, sizeof(r));
    sdx_mx_from_rdata(data, len, 3, &r);
    assert_int_equal(r.kind, SDX_MX_FOUND);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.mx[0].host, "mx1.example.net");
    assert_string_equal(r.mx[1].host, "mx2.example.net");   /* equal preferences: the answer's order */
    assert_string_equal(r.mx[2].host, "mx3.example.net");
}

static void test_null_mx(void **state)
{
    char a[8] = { 0, 0, 0 };
    char *data[1] = { a };
    int len[1] = { 3 };
    struct sdx_mx_result r;

    (void)state;
    memset(&r, 0, sizeof(r));
    sdx_mx_from_rdata(data, len, 1, &r);
    assert_int_equal(r.kind, SDX_MX_NULL);
    assert_string_equal(sdx_mx_kind_name(r.kind), "null-mx");
    /* "." with a preference other than 0 is no null MX (RFC 7505 section 3) */
    a[1] = 10;
    sdx_mx_from_rdata(data, len, 1, &r);
    assert_int_equal(r.kind, SDX_MX_FOUND);
}

static void test_bad_names(void **state)
{
    char a[16] = { 0, 10, 5, 'a', 'b' };                  /* a label longer than the data */
    char b[16] = { 0, 10, 3, 'a', '\n', 'c', 0 };         /* a control character */
    char c[2] = { 0, 10 };                                /* too short */
    char d[300];
    char *data[4] = { a, b, c, d };
    int len[4] = { 5, 7, 2, 0 };
    struct sdx_mx_result r;

    (void)state;
    len[3] = rdata(d, 5, "good.example.net");
    memset(&r, 0, sizeof(r));
    sdx_mx_from_rdata(data, len, 4, &r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.mx[0].host, "good.example.net");
    memset(&r, 0, sizeof(r));
    sdx_mx_from_rdata(data, len, 3, &r);
    assert_int_equal(r.kind, SDX_MX_NONE);
    assert_int_equal(sdx_mx_lookup("", NULL, &r), SDX_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_null_mx),
        cmocka_unit_test(test_bad_names),
    };
    return cmocka_run_group_tests_name("unit.mx", tests, NULL, NULL);
}
