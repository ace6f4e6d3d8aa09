/* test_auth.c - DMARC records (dmarc.c: RFC 9989, with RFC 7489's
 * differences as warnings) and DKIM key records (dkim.c). The lookups and
 * the findings run against a real unbound in tests/check/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/dkim.h"
#include "smtpdx/dmarc.h"
#include "smtpdx/mtasts.h"

static struct sdx_dmarc_record d;

static int dm(const char *s)
{
    return sdx_dmarc_parse(s, strlen(s), &d);
}

static int has_warn(const char *text)
{
    size_t i;

    for (i = 0; i < d.nwarn; i++)
        if (strstr(d.warn[i], text))
            return 1;
    return 0;
}

static void test_dmarc(void **state)
{
    char dom[256];

    (void)state;
    assert_int_equal(dm("v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; "
                        "rua=mailto:a@example.com,mailto:b@example.net!10m; fo=0:1:d"), 0);
    assert_int_equal(d.p, SDX_DMARC_REJECT);
    assert_int_equal(d.sp, SDX_DMARC_QUARANTINE);
    assert_int_equal(d.np, SDX_DMARC_REJECT);
    assert_int_equal(d.adkim, 's');
    assert_int_equal(d.nrua, 2);
    assert_int_equal(d.nwarn, 0);
    sdx_dmarc_uri_domain(d.rua[1], dom, sizeof(dom));
    assert_string_equal(dom, "example.net");
    /* blanks and case (RFC 7489 section 6.4) */
    assert_int_equal(dm("v = DMARC1\t;\tp = REJECT ;"), 0);
    assert_int_equal(d.p, SDX_DMARC_REJECT);
    /* errors: not DMARC, a tag twice, bad values, a known tag without value */
    assert_int_equal(dm(""), SDX_EPARSE);
    assert_int_equal(dm("p=none; v=DMARC1"), SDX_EPARSE);
    assert_int_equal(dm("v=spf1 -all"), SDX_EPARSE);
    assert_int_equal(dm("v=DMARC1; p=none; p=reject"), SDX_EPARSE);
    assert_int_equal(dm("v=DMARC1; p=bob"), SDX_EPARSE);
    assert_int_equal(dm("v=DMARC1; p=none; adkim=x"), SDX_EPARSE);
    assert_int_equal(dm("v=DMARC1; p=none; psd=x"), SDX_EPARSE);
    assert_int_equal(dm("v=DMARC1; p=none; rua=ftp://example.com"), SDX_EPARSE);
    assert_int_equal(dm("v=DMARC1; p"), SDX_EPARSE);
    /* RFC 9989's removed tags warn; a missing p= warns */
    assert_int_equal(dm("v=DMARC1; p=none; pct=50; ri=3600; rf=afrf"), 0);
    assert_int_equal(d.pct, 50);
    assert_true(has_warn("pct below 100"));
    assert_true(has_warn("ri: RFC 9989 removed"));
    assert_int_equal(dm("v=DMARC1; p=reject; pct=150"), 0);
    assert_true(has_warn("not 0 to 100"));
    assert_int_equal(dm("v=DMARC1; rua=mailto:a@example.com"), 0);
    assert_int_equal(d.p, SDX_DMARC_UNSET);
    assert_true(has_warn("no p= tag"));
    /* the version is spelled exactly (RFC 7489's ABNF) */
    assert_int_equal(dm("v=dmarc1; p=none"), SDX_EPARSE);
    /* "fo:0" is skipped with a warning, as lenient receivers do */
    assert_int_equal(dm("v=DMARC1;p=none;fo:0;adkim=r"), 0);
    assert_true(has_warn("not tag=value"));
}

static void test_dkim(void **state)
{
    /* a 1024-bit RSA SubjectPublicKeyInfo (RFC 6376 appendix C's example key) */
    static const char k1024[] =
        "v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYt"
        "IxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhi"
        "tdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB";
    struct sdx_dkim_key k;

    (void)state;
    assert_int_equal(sdx_dkim_key_parse(k1024, strlen(k1024), &k), 0);
    assert_string_equal(k.k, "rsa");
    assert_int_equal(k.bits, 1024);
    assert_int_equal(k.nwarn, 1);                   /* under 2048 */
    assert_int_equal(sdx_dkim_key_parse("v=DKIM1; p=", 11, &k), 0);
    assert_true(k.revoked);
    assert_int_equal(sdx_dkim_key_parse("v=DKIM1; t=y; p=", 16, &k), 0);
    assert_true(k.testing);
    assert_int_equal(sdx_dkim_key_parse("v=DKIM1; k=dsa; p=AAAA", 22, &k), SDX_EPARSE);
    assert_int_equal(sdx_dkim_key_parse("v=DKIM1; k=rsa", 14, &k), SDX_EPARSE);     /* no p= */
    assert_int_equal(sdx_dkim_key_parse("k=rsa; v=DKIM1; p=", 18, &k), SDX_EPARSE); /* v= not first */
    assert_int_equal(sdx_dkim_key_parse("v=DKIM1; p=!!!!", 15, &k), SDX_EPARSE);    /* not base64 */
    /* a tag twice invalidates the record (RFC 6376 section 3.2) */
    assert_int_equal(sdx_dkim_key_parse("v=DKIM1; p=; k=rsa; p=", 22, &k), SDX_EPARSE);
    /* s= items are compared whole */
    assert_int_equal(sdx_dkim_key_parse("v=DKIM1; s=notemail; p=", 23, &k), 0);
    assert_false(k.email);
    assert_int_equal(sdx_dkim_key_parse("v=DKIM1; s=tlsrpt:email; p=", 27, &k), 0);
    assert_true(k.email);
    /* ed25519: the raw 32-byte key (RFC 8463) */
    assert_int_equal(sdx_dkim_key_parse("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                                        66, &k), 0);
    assert_int_equal(k.bits, 256);
}

static int sts(const char *text, struct sdx_mtasts_policy *p)
{
    return sdx_mtasts_parse(text, strlen(text), p);
}

static void test_mtasts(void **state)
{
    static const char good[] = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
                               "max_age: 604800\r\n";
    struct sdx_mtasts_policy p;

    (void)state;
    assert_int_equal(sdx_mtasts_parse(good, strlen(good), &p), 0);
    assert_string_equal(p.mode, "enforce");
    assert_int_equal(p.max_age, 604800);
    assert_int_equal(p.nmx, 2);
    assert_int_equal(p.nwarn, 0);
    assert_true(sdx_mtasts_match(&p, "mail.example.com"));
    assert_true(sdx_mtasts_match(&p, "MX1.Example.NET."));
    /* the wildcard is one label (RFC 8461 section 4.1) */
    assert_false(sdx_mtasts_match(&p, "a.b.example.net"));
    assert_false(sdx_mtasts_match(&p, "example.net"));
    assert_false(sdx_mtasts_match(&p, "other.example.com"));
    assert_int_equal(sts("mode: enforce\nmx: a.example\nmax_age: 86400\n", &p), SDX_EPARSE);
    assert_int_equal(sts("version: STSv1\nmode: strict\nmx: a\nmax_age: 1\n", &p), SDX_EPARSE);
    assert_int_equal(sts("version: STSv1\nmode: enforce\nmax_age: 86400\n", &p), SDX_EPARSE);
    assert_int_equal(sts("version: STSv1\nmode: testing\nmx: a\nmax_age: 60\n", &p), 0);
    assert_int_equal(p.nwarn, 1);       /* under a day */
    /* max_age: at most 10 digits (RFC 8461 section 3.2) */
    assert_int_equal(sts("version: STSv1\nmode: enforce\nmx: a\nmax_age: 99999999999999999999\n", &p), SDX_EPARSE);
    assert_int_equal(sts("version: STSv1\nmode: enforce\nmx: a\nmax_age: -5\n", &p), SDX_EPARSE);
    /* mx: lines past the limit are counted and said, not dropped silently */
    {
        char big[8000] = "version: STSv1\nmode: enforce\nmax_age: 86400\n";
        int i;

        for (i = 0; i < SDX_MTASTS_MX_MAX + 2; i++)
            strcat(big, "mx: m.example\n");
        assert_int_equal(sts(big, &p), 0);
        assert_int_equal(p.mx_lost, 2);
        assert_true(p.nwarn >= 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dmarc),
        cmocka_unit_test(test_dkim),
        cmocka_unit_test(test_mtasts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
