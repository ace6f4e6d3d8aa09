/* test_dnsbl.c - blocklist query names (RFC 5782 section 2.1 and 2.4) and
 * the decoding of answers (dnsbl.c). The lookups run against a real
 * unbound in tests/dnsbl/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/dnsbl.h"

static const struct sdx_dnsbl_list zen = { "Spamhaus ZEN", "zen.spamhaus.org", SDX_DNSBL_IP, 1 };
static const struct sdx_dnsbl_list dbl = { "Spamhaus DBL", "dbl.spamhaus.org", SDX_DNSBL_DOMAIN, 1 };
static const struct sdx_dnsbl_list other = { "x", "bl.example.net", SDX_DNSBL_IP, 0 };

static void test_names(void **state)
{
    char out[300];

    (void)state;
    assert_int_equal(sdx_dnsbl_query_name("192.0.2.99", &zen, out, sizeof(out)), 0);
    assert_string_equal(out, "99.2.0.192.zen.spamhaus.org");
    assert_int_equal(sdx_dnsbl_query_name("2001:db8:1:2:3:4:567:89ab", &zen, out, sizeof(out)), 0);
    assert_string_equal(out, "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org");
    assert_int_equal(sdx_dnsbl_query_name("example.com.", &dbl, out, sizeof(out)), 0);
    assert_string_equal(out, "example.com.dbl.spamhaus.org");
    /* the other kind of target is not asked */
    assert_int_equal(sdx_dnsbl_query_name("example.com", &zen, out, sizeof(out)), SDX_EINVAL);
    assert_int_equal(sdx_dnsbl_query_name("192.0.2.1", &dbl, out, sizeof(out)), SDX_EINVAL);
    assert_int_equal(sdx_dnsbl_query_name("", &dbl, out, sizeof(out)), SDX_EINVAL);
}

static void test_decode(void **state)
{
    static const unsigned char sbl[4] = { 127, 0, 0, 2 }, pbl[4] = { 127, 0, 0, 10 },
                               pub[4] = { 127, 255, 255, 254 }, phish[4] = { 127, 0, 1, 4 },
                               ipdbl[4] = { 127, 0, 1, 255 }, dead[4] = { 192, 0, 2, 1 }, one[4] = { 127, 0, 0, 1 };
    const char *m;

    (void)state;
    assert_int_equal(sdx_dnsbl_decode(&zen, sbl, &m), 1);
    assert_non_null(strstr(m, "SBL"));
    assert_int_equal(sdx_dnsbl_decode(&zen, pbl, &m), 1);
    assert_non_null(strstr(m, "PBL"));
    /* Spamhaus's error codes are no listing */
    assert_int_equal(sdx_dnsbl_decode(&zen, pub, &m), 0);
    assert_non_null(strstr(m, "public"));
    assert_int_equal(sdx_dnsbl_decode(&dbl, phish, &m), 1);
    assert_non_null(strstr(m, "phishing"));
    assert_int_equal(sdx_dnsbl_decode(&dbl, ipdbl, &m), 0);
    /* outside 127/8: a dead list */
    assert_int_equal(sdx_dnsbl_decode(&other, dead, &m), -1);
    assert_int_equal(sdx_dnsbl_decode(&zen, dead, &m), -1);
    /* 127.0.0.1 is no listing (RFC 5782 section 2.1) */
    assert_int_equal(sdx_dnsbl_decode(&other, one, &m), 0);
    assert_int_equal(sdx_dnsbl_decode(&other, sbl, &m), 1);
}

static void test_defaults(void **state)
{
    size_t n, i, dom = 0;
    const struct sdx_dnsbl_list *l = sdx_dnsbl_defaults(&n);

    (void)state;
    assert_true(n >= 8);
    for (i = 0; i < n; i++) {
        assert_non_null(strchr(l[i].zone, '.'));
        dom += l[i].kind == SDX_DNSBL_DOMAIN;
    }
    assert_true(dom >= 1);
    assert_string_equal(sdx_dnsbl_state_name(SDX_DNSBL_REFUSED_QUERY), "refused-query");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_defaults),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
