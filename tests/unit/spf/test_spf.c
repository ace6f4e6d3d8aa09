/* test_spf.c - SPF records read as RFC 7208 section 12's grammar says
 * (spf_parse.c) and macros expanded as section 7 says (spf_macro.c). The
 * evaluation itself runs against a real DNS server: tests/spf/ (the
 * OpenSPF RFC 7208 suite, 203 tests, served by unbound). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/spf.h"
#include "spf/spf_int.h"

static struct sdx_spf_record rec;

static int parse(const char *s)
{
    return sdx_spf_parse(s, strlen(s), &rec);
}

static void test_records(void **state)
{
    (void)state;
    assert_int_equal(parse("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mx.example.com/28//64 "
                           "include:_spf.example.net ~all"), 0);
    assert_int_equal(rec.n, 6);
    assert_int_equal(rec.term[0].mech, SDX_SPF_IP4);
    assert_int_equal(rec.term[0].cidr4, 24);
    assert_int_equal(rec.term[0].ip[2], 2);
    assert_int_equal(rec.term[1].mech, SDX_SPF_IP6);
    assert_int_equal(rec.term[1].cidr6, 32);
    assert_int_equal(rec.term[3].mech, SDX_SPF_MX);
    assert_int_equal(rec.term[3].cidr4, 28);
    assert_int_equal(rec.term[3].cidr6, 64);
    assert_int_equal(rec.term[3].spec_len, strlen("mx.example.com"));
    assert_int_equal(rec.term[5].qual, '~');
    assert_int_equal(rec.redirect, -1);
    /* modifiers; any case; extra spaces */
    assert_int_equal(parse("V=SPF1  -ALL   redirect=_spf.example.com exp=exp.%{d} foo=bar%{l}  "), 0);
    assert_int_equal(rec.n, 4);
    assert_int_equal(rec.redirect, 1);
    assert_int_equal(rec.exp, 2);
    assert_int_equal(rec.term[3].mech, SDX_SPF_UNKNOWN_MOD);
    assert_true(sdx_spf_is_record("v=spf1", 6));
    assert_false(sdx_spf_is_record("v=spf10 -all", 12));
    assert_false(sdx_spf_is_record("v=spf1\t-all", 11));
}

static void test_errors(void **state)
{
    static const char *const bad[] = {
        "v=spf1 ip4:1.2.3.4/33",            /* over 32 */
        "v=spf1 ip4:1.2.3.4/032",           /* leading zero */
        "v=spf1 ip4:1.2.3",                 /* not a quad */
        "v=spf1 ip4:01.2.3.4",
        "v=spf1 ip4:1.2.3.4//32",
        "v=spf1 ip6:2001:db8::/129",
        "v=spf1 a:1.2.3.4",                 /* top label all digits */
        "v=spf1 a:example",                 /* no dot */
        "v=spf1 include",                   /* needs a domain */
        "v=spf1 all:foo",
        "v=spf1 foo",                       /* unknown mechanism */
        "v=spf1 redirect=a.example.com redirect=b.example.com",
        "v=spf1 exp=a.example.com exp=b.example.com",
        "v=spf1 a:%{x}.example.com",        /* not a macro letter */
        "v=spf1 a:%{c}.example.com",        /* c only in explanations */
        "v=spf1 a:foo%.example.com",        /* a lone % */
        "v=spf1 =foo",                      /* empty modifier name */
        "v=spf1 a:ctrl.example.com\rptr",   /* a control character */
        "v=spf1 -all exp=",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i]) != SDX_EPARSE)
            fail_msg("accepted: %s", bad[i]);
        assert_true(strlen(rec.error) > 0);
    }
    assert_int_equal(parse("not spf"), SDX_EPARSE);
}

static void test_limits(void **state)
{
    char big[SDX_SPF_RECORD_MAX + 10];
    size_t i;

    (void)state;
    memset(big, 'a', sizeof(big));
    memcpy(big, "v=spf1 ", 7);
    assert_int_equal(sdx_spf_parse(big, sizeof(big), &rec), SDX_ETOOBIG);
    /* more terms than the limit: refused, not cut */
    strcpy(big, "v=spf1");
    for (i = 0; i <= SDX_SPF_TERMS_MAX; i++)
        strcat(big, " a");
    assert_int_equal(parse(big), SDX_ETOOBIG);
}

static void test_macros(void **state)
{
    struct spf_macro_env e;
    char out[600];

    (void)state;
    memset(&e, 0, sizeof(e));
    e.sender = "strong-bad@email.example.com";
    e.local = "strong-bad";
    e.sdomain = "email.example.com";
    e.domain = "email.example.com";
    e.helo = "mx.example.org";
    e.ip[0] = 192, e.ip[1] = 0, e.ip[2] = 2, e.ip[3] = 3;
    /* RFC 7208 section 7.4's examples */
    assert_true(spf_expand(&e, "%{s}", 4, 0, out, sizeof(out)) > 0);
    assert_string_equal(out, "strong-bad@email.example.com");
    spf_expand(&e, "%{d4}", 5, 0, out, sizeof(out));
    assert_string_equal(out, "email.example.com");
    spf_expand(&e, "%{d2}", 5, 0, out, sizeof(out));
    assert_string_equal(out, "example.com");
    spf_expand(&e, "%{dr}", 5, 0, out, sizeof(out));
    assert_string_equal(out, "com.example.email");
    spf_expand(&e, "%{d2r}", 6, 0, out, sizeof(out));
    assert_string_equal(out, "example.email");
    spf_expand(&e, "%{l-}", 5, 0, out, sizeof(out));
    assert_string_equal(out, "strong.bad");
    spf_expand(&e, "%{lr-}", 6, 0, out, sizeof(out));
    assert_string_equal(out, "bad.strong");
    spf_expand(&e, "%{l1r-}", 7, 0, out, sizeof(out));
    assert_string_equal(out, "strong");
    spf_expand(&e, "%{ir}.%{v}._spf.%{d2}", 21, 0, out, sizeof(out));
    assert_string_equal(out, "3.2.0.192.in-addr._spf.example.com");
    spf_expand(&e, "%%%_%-", 6, 0, out, sizeof(out));
    assert_string_equal(out, "% %20");
    /* upper case: URL-escaped */
    spf_expand(&e, "%{S}", 4, 1, out, sizeof(out));
    assert_string_equal(out, "strong-bad%40email.example.com");
    /* zero parts, an unknown letter, c outside explanations: errors */
    assert_int_equal(spf_expand(&e, "%{d0}", 5, 0, out, sizeof(out)), -1);
    assert_int_equal(spf_expand(&e, "%{x}", 4, 0, out, sizeof(out)), -1);
    assert_int_equal(spf_expand(&e, "%{c}", 4, 0, out, sizeof(out)), -1);
    assert_int_equal(spf_expand(&e, "%{d", 3, 0, out, sizeof(out)), -1);
    /* an expansion over the buffer fails rather than cuts */
    assert_int_equal(spf_expand(&e, "%{s}%{s}", 8, 0, out, 20), -1);
    /* IPv6: dotted nibbles */
    e.v6 = 1;
    memset(e.ip, 0, 16);
    e.ip[0] = 0x20, e.ip[1] = 0x01, e.ip[2] = 0x0d, e.ip[3] = 0xb8, e.ip[14] = 0xcb, e.ip[15] = 0x01;
    spf_expand(&e, "%{ir}.%{v}", 10, 0, out, sizeof(out));
    assert_string_equal(out, "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6");
}

static void test_fit(void **state)
{
    char name[400];
    size_t i;

    (void)state;
    for (i = 0; i < 300; i += 10)
        memcpy(name + i, "abcdefghi.", 10);
    strcpy(name + 300, "example.com");
    assert_true(strlen(spf_domain_fit(name)) <= 253);
    assert_string_equal(spf_domain_fit("a.example.com"), "a.example.com");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_macros),
        cmocka_unit_test(test_fit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
