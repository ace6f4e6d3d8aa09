/* test_tlsa.c - TLSA records judged as RFC 7672 says (tlsa.c), and the
 * resolver's refusals of bad settings (resolver.c). The lookups themselves
 * run against a real signed zone (NSD, dnssec_zone.sh) in the integration
 * harness: matched, mismatch, bogus, none, insecure, no STARTTLS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/dane.h"
#include "smtpdx/resolver.h"

/* rr - a TLSA rdata: usage, selector, matching type, then n bytes of data */
static int rr(char *out, unsigned u, unsigned s, unsigned m, size_t n)
{
    out[0] = (char)u, out[1] = (char)s, out[2] = (char)m;
    memset(out + 3, 0xab, n);
    return (int)n + 3;
}

static void test_usable(void **state)
{
    struct sdx_tlsa t;

    (void)state;
    memset(&t, 0, sizeof(t));
    t.usage = 3, t.selector = 1, t.mtype = 1, t.len = 32;
    assert_true(sdx_tlsa_usable(&t));
    t.usage = 2;
    assert_true(sdx_tlsa_usable(&t));
    /* PKIX-TA(0) and PKIX-EE(1) are not for SMTP (RFC 7672 section 3.1.3) */
    t.usage = 0;
    assert_false(sdx_tlsa_usable(&t));
    t.usage = 1;
    assert_false(sdx_tlsa_usable(&t));
    t.usage = 4;
    assert_false(sdx_tlsa_usable(&t));
    /* a SHA-256 digest is 32 bytes, SHA-512 64; matching type 0 any */
    t.usage = 3, t.len = 31;
    assert_false(sdx_tlsa_usable(&t));
    t.mtype = 2, t.len = 64;
    assert_true(sdx_tlsa_usable(&t));
    t.mtype = 2, t.len = 32;
    assert_false(sdx_tlsa_usable(&t));
    t.mtype = 0, t.len = 300;
    assert_true(sdx_tlsa_usable(&t));
    t.mtype = 3;
    assert_false(sdx_tlsa_usable(&t));
    t.mtype = 1, t.len = 32, t.selector = 2;
    assert_false(sdx_tlsa_usable(&t));
}

static void test_rdata(void **state)
{
    static char a[3000], b[100], c[100], d[4];
    char *data[4] = { a, b, c, d };
    int len[4];
    struct sdx_tlsa_result r;

    (void)state;
    memset(&r, 0, sizeof(r));
    len[0] = rr(a, 3, 1, 1, SDX_TLSA_DATA_MAX + 1);     /* too long: skipped, counted */
    len[1] = rr(b, 3, 1, 1, 32);                        /* usable */
    len[2] = rr(c, 1, 1, 1, 32);                        /* PKIX-EE: read, not usable */
    len[3] = 3;                                         /* no data: skipped */
    memcpy(d, "\3\1\1", 3);
    sdx_tlsa_from_rdata(data, len, 4, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.usable, 1);
    assert_int_equal(r.skipped, 2);
    assert_int_equal(r.state, SDX_DANE_USABLE);
    assert_int_equal(r.rr[0].usage, 3);
    assert_int_equal(r.rr[0].len, 32);
    assert_int_equal((unsigned char)r.rr[0].data[31], 0xab);
    assert_int_equal(r.rr[1].usage, 1);

    /* only unusable records: TLS mandatory, not authenticated */
    memset(&r, 0, sizeof(r));
    sdx_tlsa_from_rdata(data + 2, len + 2, 1, &r);
    assert_int_equal(r.state, SDX_DANE_UNUSABLE);
}

static void test_max(void **state)
{
    char buf[SDX_TLSA_MAX + 3][40];
    char *data[SDX_TLSA_MAX + 3];
    int len[SDX_TLSA_MAX + 3];
    struct sdx_tlsa_result r;
    size_t i;

    (void)state;
    for (i = 0; i < SDX_TLSA_MAX + 3; i++) {
        data[i] = buf[i];
        len[i] = rr(buf[i], 3, 1, 1, 32);
    }
    memset(&r, 0, sizeof(r));
    sdx_tlsa_from_rdata(data, len, SDX_TLSA_MAX + 3, &r);
    assert_int_equal(r.n, SDX_TLSA_MAX);
    assert_int_equal(r.skipped, 3);
    assert_int_equal(r.usable, SDX_TLSA_MAX);
}

static void test_names(void **state)
{
    int s;

    (void)state;
    for (s = 0; s < SDX_DANE_STATE_COUNT; s++) {
        assert_true(strlen(sdx_dane_state_name((enum sdx_dane_state)s)) > 0);
        assert_true(strlen(sdx_dane_state_text((enum sdx_dane_state)s)) > 0);
    }
    assert_string_equal(sdx_dane_state_name(SDX_DANE_MISMATCH), "mismatch");
    assert_string_equal(sdx_dane_state_name(SDX_DANE_NO_TLS), "no-tls");
    assert_string_equal(sdx_dane_usage_name(3), "DANE-EE");
    assert_string_equal(sdx_dane_usage_name(2), "DANE-TA");
    assert_string_equal(sdx_dane_usage_name(9), "unknown");
}

static void test_resolver_conf(void **state)
{
    struct sdx_resolver_conf c = { "1.2.3", NULL, "none" };
    struct sdx_resolver *rs = NULL;
    struct sdx_tlsa_result r;
    char err[300];

    (void)state;
    /* not an address */
    assert_int_equal(sdx_resolver_new(&c, &rs, err, sizeof(err)), SDX_EINVAL);
    assert_null(rs);
    assert_non_null(strstr(err, "1.2.3"));
    c.server = "127.0.0.1@0";
    assert_int_equal(sdx_resolver_new(&c, &rs, err, sizeof(err)), SDX_EINVAL);
    c.server = "127.0.0.1@70000";
    assert_int_equal(sdx_resolver_new(&c, &rs, err, sizeof(err)), SDX_EINVAL);
    /* an anchor that cannot be read is said, not ignored */
    c.server = "127.0.0.1@5353";
    c.trust_anchor = "/nonexistent/anchor";
    assert_int_equal(sdx_resolver_new(&c, &rs, err, sizeof(err)), SDX_EINVAL);
    assert_non_null(strstr(err, "/nonexistent/anchor"));
    /* none: no validation; an address literal has no TLSA (nothing asked) */
    c.server = "::1@5353";
    c.trust_anchor = "none";
    assert_int_equal(sdx_resolver_new(&c, &rs, err, sizeof(err)), 0);
    assert_null(sdx_resolver_anchor(rs));
    assert_int_equal(sdx_tlsa_lookup(rs, "192.0.2.1", 25, &r), 0);
    assert_int_equal(r.state, SDX_DANE_OFF);
    assert_int_equal(sdx_tlsa_lookup(rs, "", 25, &r), SDX_EINVAL);
    assert_int_equal(sdx_tlsa_lookup(rs, "mx.example", 0, &r), SDX_EINVAL);
    sdx_resolver_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usable),
        cmocka_unit_test(test_rdata),
        cmocka_unit_test(test_max),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_resolver_conf),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
