/* test_address.c - unit tests of address.c (sdx_address_check and its table)
 * Rows of { address, options, verdict, diagnosis, a flag that must also be
 * set }; each address is copied into a heap block of exactly its length, so
 * AddressSanitizer catches any read past n. Every finding of
 * SDX_ADDR_FINDINGS must be produced by at least one row (test_coverage).
 * Then the length limits (RFC 5321 §4.5.3.1), replies, offsets, borrowed
 * spans, A-labels and the table's own consistency. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/address.h"

#define S(s) s, sizeof(s) - 1
#define NONE 0
#define ALSO(id) SDX_ADDR_F(id)

enum { SMTP = SDX_ADDR_VALID_SMTP, UTF8 = SDX_ADDR_VALID_SMTPUTF8,
       HDR = SDX_ADDR_VALID_5322_ONLY, BAD = SDX_ADDR_INVALID };

#define O_UTF8   SDX_ADDR_O_SMTPUTF8
#define O_ANGLE  SDX_ADDR_O_ANGLE
#define O_SENDER SDX_ADDR_O_SENDER

struct row {
    const char *addr;
    size_t len;
    unsigned opts;
    int verdict;
    const char *diag;
    uint64_t also;      /* finding bits that must be set too */
};

static const struct row rows[] = {
    /* ---- plain RFC 5321 mailboxes ---- */
    { S("test@iana.org"), 0, SMTP, "valid", NONE },
    { S("first.last@iana.org"), 0, SMTP, "valid", NONE },
    { S("!#$%&'*+-/=?^_`{|}~@iana.org"), 0, SMTP, "valid", NONE },
    { S("user+tag@sub.example.co.uk"), 0, SMTP, "valid", NONE },
    { S("a@b.co"), 0, SMTP, "valid", NONE },
    { S("test@c--n.com"), 0, SMTP, "valid", NONE },
    { S("xn--test@iana.org"), 0, SMTP, "valid", NONE },
    { S("test@123.com"), 0, SMTP, "valid", NONE },
    { S("test@xn--hxajbheg2az3al.xn--jxalpdlp"), 0, SMTP, "valid", NONE },
    /* ---- quoted local parts (RFC 5321 §4.1.2) ---- */
    { S("\"test\"@iana.org"), 0, SMTP, "local-quoted-needless", NONE },
    { S("\"\\a\"@iana.org"), 0, SMTP, "local-quoted-needless", NONE },
    { S("\"Fred Bloggs\"@iana.org"), 0, SMTP, "local-quoted", NONE },
    { S("\"Abc@def\"@iana.org"), 0, SMTP, "local-quoted", NONE },
    { S("\"a\\\"b\"@iana.org"), 0, SMTP, "local-quoted", NONE },
    { S("\"first..last\"@iana.org"), 0, SMTP, "local-quoted", NONE },
    { S("\"\"@iana.org"), 0, SMTP, "local-quoted-empty", NONE },
    /* ---- address literals (RFC 5321 §4.1.3) ---- */
    { S("test@[192.0.2.1]"), 0, SMTP, "address-literal", NONE },
    { S("test@[IPv6:2001:db8::1]"), 0, SMTP, "address-literal", NONE },
    { S("test@[IPv6:::]"), 0, SMTP, "address-literal", NONE },
    { S("test@[ipv6:::ffff:192.0.2.1]"), 0, SMTP, "address-literal", NONE },
    { S("test@[IPv6:1111:2222:3333:4444:5555:6666:7777:8888]"), 0, SMTP, "address-literal", NONE },
    { S("test@[IPv6:1111:2222:3333:4444:5555:6666:192.0.2.1]"), 0, SMTP, "address-literal", NONE },
    { S("test@[IPv6:1111:2222:3333:4444::192.0.2.1]"), 0, SMTP, "address-literal", NONE },
    { S("test@[IPv6:1111:2222:3333:4444:5555::8888]"), 0, SMTP, "address-literal", NONE },
    { S("test@[010.0.0.1]"), 0, SMTP, "address-literal-leading-zero", ALSO(ADDRESS_LITERAL) },
    { S("test@[IPv6:::ffff:010.0.0.1]"), 0, SMTP, "address-literal-leading-zero", NONE },
    /* ---- unusual domains ---- */
    { S("test@iana.123"), 0, SMTP, "domain-numeric-tld", NONE },
    { S("test@255.255.255.255"), 0, SMTP, "domain-numeric-tld", NONE },
    { S("test@org"), 0, SMTP, "domain-single-label", NONE },
    { S("test@xn--example.com"), 0, SMTP, "domain-fake-a-label", NONE },
    /* ---- the path form (RFC 5321 §4.1.2, §4.1.1.3) ---- */
    { S("<test@iana.org>"), O_ANGLE, SMTP, "valid", NONE },
    { S("test@iana.org"), O_ANGLE, SMTP, "path-no-angle", NONE },
    { S("<test@iana.org"), O_ANGLE, BAD, "path-syntax", NONE },
    { S("test@iana.org>"), O_ANGLE, BAD, "path-syntax", NONE },
    { S("<"), O_ANGLE, BAD, "path-syntax", NONE },
    { S("<>"), O_ANGLE | O_SENDER, SMTP, "null-path", NONE },
    { S("<>"), O_ANGLE, BAD, "null-path-recipient", NONE },
    { S("<Postmaster>"), O_ANGLE, SMTP, "postmaster", NONE },
    { S("<postmaster>"), O_ANGLE | O_SENDER, BAD, "no-at", NONE },
    { S("<@a.example,@b.example:user@c.example>"), O_ANGLE, SMTP, "source-route", NONE },
    { S("<@a.example:user@c.example>"), O_ANGLE, SMTP, "source-route", NONE },
    { S("<@-bad:user@c.example>"), O_ANGLE, BAD, "path-syntax", NONE },
    { S("<@a.example user@c.example>"), O_ANGLE, BAD, "path-syntax", NONE },
    { S("<@a.example:>"), O_ANGLE, BAD, "empty", NONE },
    /* ---- SMTPUTF8 (RFC 6531 §3.3) and IDNA2008 ---- */
    { S("ñoñó@iana.org"), O_UTF8, UTF8, "local-utf8", NONE },
    { S("ñoñó@iana.org"), 0, UTF8, "smtputf8-required", ALSO(LOCAL_UTF8) },
    { S("伊昭傑@郵件.商務"), O_UTF8, UTF8, "local-utf8", ALSO(DOMAIN_IDN) },
    { S("test@郵件.商務"), O_UTF8, UTF8, "domain-idn", NONE },
    { S("test@郵件.商務"), 0, UTF8, "smtputf8-required", ALSO(DOMAIN_IDN) },
    { S("test@Ñandú.com"), O_UTF8, UTF8, "domain-idn", ALSO(DOMAIN_IDN_MAPPED) },
    { S("test@郵件。商務"), O_UTF8, UTF8, "domain-idn", ALSO(DOMAIN_IDN_MAPPED) },
    { S("\"ñ\"@iana.org"), O_UTF8, UTF8, "local-utf8", ALSO(LOCAL_QUOTED_NEEDLESS) },
    { S("test@😆.org"), O_UTF8, HDR, "domain-idn-invalid", NONE },
    { S("test@ñ-.com"), O_UTF8, HDR, "domain-idn-invalid", ALSO(DOMAIN_HYPHEN) },
    { S("😆😆😆😆😆😆😆😆😆😆😆😆😆😆😆😆😆@iana.org"), O_UTF8, HDR, "local-too-long",
      ALSO(LOCAL_UTF8) },
    /* ---- header-only forms (RFC 5322 §3.2, §4.4) ---- */
    { S("(comment)test@iana.org"), 0, HDR, "comment", NONE },
    { S("(a(b)c)test@iana.org"), 0, HDR, "comment", NONE },
    { S("()test@iana.org"), 0, HDR, "comment", NONE },
    { S("(\x07)test@iana.org"), 0, HDR, "comment", NONE },
    { S("test@iana.org (comment)"), 0, HDR, "comment", ALSO(WHITESPACE) },
    { S(" test@iana.org"), 0, HDR, "whitespace", NONE },
    { S("test @ iana.org"), 0, HDR, "whitespace", NONE },
    { S("test@iana.org\r\n "), 0, HDR, "whitespace", NONE },
    { S(" \r\n \r\n test@iana.org"), 0, HDR, "whitespace", NONE },
    { S("test . test@iana.org"), 0, HDR, "local-obsolete", ALSO(WHITESPACE) },
    { S("\"test\".test@iana.org"), 0, HDR, "local-obsolete", NONE },
    { S("test.\"test\"@iana.org"), 0, HDR, "local-obsolete", NONE },
    { S("test.(c)test@iana.org"), 0, HDR, "local-obsolete", ALSO(COMMENT) },
    { S("test@iana . org"), 0, HDR, "domain-obsolete", NONE },
    { S("test@iana.(c)org"), 0, HDR, "domain-obsolete", NONE },
    { S("\"te\\\x01st\"@iana.org"), 0, HDR, "quoted-pair-not-smtp", NONE },
    { S("\"te\\\x00st\"@iana.org"), 0, HDR, "quoted-pair-not-smtp", NONE },
    { S("\"test\\\tx\"@iana.org"), 0, HDR, "quoted-pair-not-smtp", NONE },
    { S("\"a\\©\"@iana.org"), O_UTF8, HDR, "quoted-pair-not-smtp", ALSO(LOCAL_UTF8) },
    { S("\"test\x07\"@iana.org"), 0, HDR, "quoted-control", NONE },
    { S("\"\x7f\"@iana.org"), 0, HDR, "quoted-control", NONE },
    { S("\"\xC2\x80\"@iana.org"), 0, HDR, "quoted-control", NONE },
    { S("\"a\tb\"@iana.org"), 0, HDR, "quoted-fws", NONE },
    { S("\"a\r\n b\"@iana.org"), 0, HDR, "quoted-fws", NONE },
    { S("test@[1.2.3]"), 0, HDR, "address-literal-bad-ipv4", NONE },
    { S("test@[1.2.3.256]"), 0, HDR, "address-literal-bad-ipv4", NONE },
    { S("test@[1.2.3.4.5]"), 0, HDR, "address-literal-bad-ipv4", NONE },
    { S("test@[.1.2.3.4]"), 0, HDR, "address-literal-bad-ipv4", NONE },
    { S("test@[IPv6:1::2::3]"), 0, HDR, "address-literal-bad-ipv6", NONE },
    { S("test@[IPv6:1111:2222:3333:4444:5555:6666:7777]"), 0, HDR, "address-literal-bad-ipv6", NONE },
    { S("test@[IPv6:12345::1]"), 0, HDR, "address-literal-bad-ipv6", NONE },
    { S("test@[IPv6::1]"), 0, HDR, "address-literal-bad-ipv6", NONE },
    { S("test@[IPv6:1::]"), 0, SMTP, "address-literal", NONE },
    { S("test@[IPv6:1:]"), 0, HDR, "address-literal-bad-ipv6", NONE },
    { S("test@[IPv6:1:2:3:4:5:6:1.2.3.256]"), 0, HDR, "address-literal-bad-ipv6", NONE },
    { S("test@[IPv6:]"), 0, HDR, "address-literal-bad-ipv6", NONE },
    { S("test@[IPv6:1111:2222:3333:4444:5555:6666::8888]"), 0, HDR, "address-literal-ipv6-groups",
      NONE },
    { S("test@[IPv6:1:2:3:4:5::1.2.3.4]"), 0, HDR, "address-literal-ipv6-groups", NONE },
    { S("test@[2001:db8::1]"), 0, HDR, "address-literal-ipv6-no-tag", NONE },
    { S("test@[IPv5:abc]"), 0, HDR, "address-literal-unknown-tag", NONE },
    { S("test@[RFC-5322-domain-literal]"), 0, HDR, "domain-literal-not-smtp", NONE },
    { S("test@[RFC 5322]"), 0, HDR, "domain-literal-not-smtp", NONE },
    { S("test@[]"), 0, HDR, "domain-literal-not-smtp", NONE },
    { S("test@[:abc]"), 0, HDR, "domain-literal-not-smtp", NONE },
    { S("test@[郵件]"), O_UTF8, HDR, "domain-literal-not-smtp", NONE },
    { S("test@[\\1.2.3.4]"), 0, HDR, "domain-literal-obsolete", NONE },
    { S("test@[1.2.3.4\x07]"), 0, HDR, "domain-literal-obsolete", NONE },
    { S("test@iana_org.com"), 0, HDR, "domain-not-ldh", NONE },
    { S("test@iana/icann.org"), 0, HDR, "domain-not-ldh", NONE },
    { S("test@-iana.org"), 0, HDR, "domain-hyphen", NONE },
    { S("test@iana-.org"), 0, HDR, "domain-hyphen", NONE },
    { S("\"abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz abcdefghj\"@iana.org"), 0, HDR,
      "local-too-long", NONE },
    { S("test@ñññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññ.com"),
      O_UTF8, HDR, "domain-label-too-long", NONE },
    /* ---- errors ---- */
    { S(""), 0, BAD, "empty", NONE },
    { S("test@iana.org\n"), 0, BAD, "line-break", NONE },
    { S("test@iana.org\r"), 0, BAD, "line-break", NONE },
    { S("\r\ntest@iana.org"), 0, BAD, "line-break", NONE },
    { S("test@iana.org\r\n"), 0, BAD, "line-break", NONE },
    { S(" \r\n\r\n test@iana.org"), 0, BAD, "line-break", NONE },
    { S("\"\n\"@iana.org"), 0, BAD, "line-break", NONE },
    { S("(\n)test@iana.org"), 0, BAD, "line-break", NONE },
    { S("te\x00st@iana.org"), 0, BAD, "control-char", NONE },
    { S("\"te\x00st\"@iana.org"), 0, BAD, "control-char", NONE },
    { S("(\x00)test@iana.org"), 0, BAD, "control-char", NONE },
    { S("test@[\x00"), 0, BAD, "control-char", NONE },
    { S("\x7f@iana.org"), 0, BAD, "control-char", NONE },
    { S("test@ia\x01na.org"), 0, BAD, "control-char", NONE },
    { S("te\xC2\x80st@iana.org"), 0, BAD, "control-char", NONE },
    { S("te\xffst@iana.org"), 0, BAD, "utf8-invalid", NONE },
    { S("te\xC3@iana.org"), 0, BAD, "utf8-invalid", NONE },
    { S("\xED\xA0\x80@iana.org"), 0, BAD, "utf8-invalid", NONE },
    { S("\xC0\xAF@iana.org"), 0, BAD, "utf8-invalid", NONE },
    { S("\xF4\x90\x80\x80@iana.org"), 0, BAD, "utf8-invalid", NONE },
    { S("\"\xE2\x82\"@iana.org"), 0, BAD, "utf8-invalid", NONE },
    { S("\"a\"\xff@iana.org"), 0, BAD, "utf8-invalid", NONE },
    { S("a@b \xC2\x85"), 0, BAD, "control-char", NONE },
    { S("\"a\" \xC3\xB1@iana.org"), O_UTF8, BAD, "missing-dot", NONE },
    { S("test"), 0, BAD, "no-at", NONE },
    { S("test.iana.org"), 0, BAD, "no-at", NONE },
    { S("test@test@iana.org"), 0, BAD, "multiple-at", NONE },
    { S("test@@iana.org"), 0, BAD, "multiple-at", NONE },
    { S("@iana.org"), 0, BAD, "no-local", NONE },
    { S("(c)@iana.org"), 0, BAD, "no-local", NONE },
    { S("test@"), 0, BAD, "no-domain", NONE },
    { S("test@ "), 0, BAD, "no-domain", NONE },
    { S("\"test@iana.org"), 0, BAD, "quote-unclosed", NONE },
    { S("\"test\\\"@iana.org"), 0, BAD, "quote-unclosed", NONE },
    { S("(test@iana.org"), 0, BAD, "comment-unclosed", NONE },
    { S("((a)test@iana.org"), 0, BAD, "comment-unclosed", NONE },
    { S("test@[1.2.3.4"), 0, BAD, "domain-literal-unclosed", NONE },
    { S("test@[1.2.3.4\\]"), 0, BAD, "domain-literal-unclosed", NONE },
    { S("test@iana.org(comment\\"), 0, BAD, "backslash-at-end", NONE },
    { S("\"test\\"), 0, BAD, "backslash-at-end", NONE },
    { S("test@[1.2\\"), 0, BAD, "backslash-at-end", NONE },
    { S(".test@iana.org"), 0, BAD, "local-dot-start", NONE },
    { S(".@iana.org"), 0, BAD, "local-dot-start", NONE },
    { S("test.@iana.org"), 0, BAD, "local-dot-end", NONE },
    { S("te..st@iana.org"), 0, BAD, "local-double-dot", NONE },
    { S("test\\@test@iana.org"), 0, BAD, "local-bad-char", NONE },
    { S("te,st@iana.org"), 0, BAD, "local-bad-char", NONE },
    { S("[test]@iana.org"), 0, BAD, "local-bad-char", NONE },
    { S("test\"text\"@iana.org"), 0, BAD, "missing-dot", NONE },
    { S("\"test\"test@iana.org"), 0, BAD, "missing-dot", NONE },
    { S("hello world@iana.org"), 0, BAD, "missing-dot", NONE },
    { S("test(c)test@iana.org"), 0, BAD, "missing-dot", NONE },
    { S("test@iana org"), 0, BAD, "missing-dot", NONE },
    { S("test@.iana.org"), 0, BAD, "domain-dot-start", NONE },
    { S("test@iana.org."), 0, BAD, "domain-dot-end", NONE },
    { S("test@iana..org"), 0, BAD, "domain-double-dot", NONE },
    { S("test@iana,org"), 0, BAD, "domain-bad-char", NONE },
    { S("test@local.[1.2.3.4]"), 0, BAD, "domain-bad-char", NONE },
    { S("test@<iana>.org"), 0, BAD, "domain-bad-char", NONE },
    { S("test@\"iana\".org"), 0, BAD, "domain-bad-char", NONE },
    { S("test@[1.2.3.4].local"), 0, BAD, "text-after-domain-literal", NONE },
    { S("test@[1.2.3.4] x"), 0, BAD, "text-after-domain-literal", NONE },
    { S("test@[a[b]"), 0, BAD, "domain-literal-bad-char", NONE },
};

static const char *verdict_name(int v)
{
    return sdx_address_verdict_name((enum sdx_addr_verdict)v);
}

/* check - run one address from an exact-size heap copy */
static int check(const char *addr, size_t len, unsigned opts, struct sdx_address *a)
{
    char *copy = malloc(len ? len : 1);
    int rc;

    assert_non_null(copy);
    memcpy(copy, addr, len);
    rc = sdx_address_check(copy, len, opts, a);
    /* the borrowed spans must point into the input */
    if (a->local.p)
        assert_true(a->local.p >= copy && a->local.p + a->local.len <= copy + len);
    if (a->domain.p)
        assert_true(a->domain.p >= copy && a->domain.p + a->domain.len <= copy + len);
    free(copy);
    a->local.p = NULL;      /* dangling now */
    a->domain.p = NULL;
    return rc;
}

static uint64_t seen;       /* union of the flags of every test, for test_coverage */

static void test_rows(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        struct sdx_address a;

        if (check(r->addr, r->len, r->opts, &a) != 0)
            fail_msg("row %zu (%.40s): returned an error", i, r->addr);
        seen |= a.flags;
        if ((int)a.verdict != r->verdict || strcmp(a.diagnosis, r->diag) != 0)
            fail_msg("row %zu (%.60s): got %s/%s, want %s/%s", i, r->addr,
                     verdict_name((int)a.verdict), a.diagnosis, verdict_name(r->verdict), r->diag);
        if ((a.flags & r->also) != r->also)
            fail_msg("row %zu (%.60s): flags %#llx lack %#llx", i, r->addr,
                     (unsigned long long)a.flags, (unsigned long long)r->also);
        if (r->verdict == BAD && a.error_at > r->len)
            fail_msg("row %zu (%.60s): error_at %zu past the end", i, r->addr, a.error_at);
        if ((r->verdict == SMTP || (r->verdict == UTF8 && (r->opts & O_UTF8))) &&
            (a.reply_code != 0 || a.status[0] != '\0'))
            fail_msg("row %zu (%.60s): valid, but reply %d %s", i, r->addr, a.reply_code,
                     a.status);
        if ((r->verdict == BAD || r->verdict == HDR) && a.reply_code == 0)
            fail_msg("row %zu (%.60s): refused, but no reply code", i, r->addr);
    }
}

/* fill - n copies of c */
static void fill(char *p, char c, size_t n)
{
    memset(p, c, n);
}

/* mailbox - `local` 'l's, "@", and a domain of exactly `domain` octets made
 * of 9-octet labels "ddddddddd.ddddddddd...." (never a dot at either end) */
static size_t mailbox(char *out, size_t local, size_t domain)
{
    size_t o, k;

    fill(out, 'l', local);
    o = local;
    out[o++] = '@';
    for (k = 0; k < domain; k++)
        out[o++] = (k % 10 == 9 && k + 1 < domain) ? '.' : 'd';
    return o;
}

static void expect(const char *buf, size_t n, unsigned opts, int verdict, const char *diag,
                   const char *what)
{
    struct sdx_address a;

    assert_int_equal(check(buf, n, opts, &a), 0);
    seen |= a.flags;
    if ((int)a.verdict != verdict || strcmp(a.diagnosis, diag) != 0)
        fail_msg("%s (%zu octets): got %s/%s, want %s/%s", what, n,
                 verdict_name((int)a.verdict), a.diagnosis, verdict_name(verdict), diag);
}

static void test_limits(void **state)
{
    char buf[SDX_ADDR_INPUT_MAX + 2];
    struct sdx_address a;
    size_t n;

    (void)state;
    /* local part: 64 octets allowed, 65 not (RFC 5321 §4.5.3.1.1) */
    n = mailbox(buf, 64, 12);
    expect(buf, n, 0, SMTP, "valid", "local 64");
    n = mailbox(buf, 65, 12);
    expect(buf, n, 0, HDR, "local-too-long", "local 65");

    /* label: 63 allowed, 64 not (RFC 1035 §2.3.4) */
    memcpy(buf, "a@", 2);
    fill(buf + 2, 'd', 63);
    memcpy(buf + 65, ".com", 4);
    expect(buf, 69, 0, SMTP, "valid", "label 63");
    fill(buf + 2, 'd', 64);
    memcpy(buf + 66, ".com", 4);
    expect(buf, 70, 0, HDR, "domain-label-too-long", "label 64");

    /* whole address: 253 and 254 allowed, 255 not (§4.5.3.1.3 minus "<>") */
    n = mailbox(buf, 64, 253 - 65);
    assert_int_equal(n, 253);
    expect(buf, n, 0, SMTP, "valid", "address 253");
    n = mailbox(buf, 64, 254 - 65);
    expect(buf, n, 0, SMTP, "valid", "address 254");
    n = mailbox(buf, 64, 255 - 65);
    assert_int_equal(n, 255);
    expect(buf, n, 0, HDR, "address-too-long", "address 255");

    /* the same as a path: 256 with brackets allowed, 257 not */
    buf[0] = '<';
    n = mailbox(buf + 1, 64, 254 - 65) + 1;
    buf[n++] = '>';
    assert_int_equal(n, 256);
    expect(buf, n, O_ANGLE, SMTP, "valid", "path 256");
    buf[0] = '<';
    n = mailbox(buf + 1, 64, 255 - 65) + 1;
    buf[n++] = '>';
    expect(buf, n, O_ANGLE, HDR, "address-too-long", "path 257");

    /* domain: 255 octets is the §4.5.3.1.2 limit (the address limit hits first) */
    n = mailbox(buf, 1, 255);
    assert_int_equal(check(buf, n, 0, &a), 0);
    assert_true(a.flags & SDX_ADDR_F(ADDRESS_TOO_LONG));
    assert_false(a.flags & SDX_ADDR_F(DOMAIN_TOO_LONG));
    n = mailbox(buf, 1, 256);
    expect(buf, n, 0, HDR, "domain-too-long", "domain 256");

    /* input: SDX_ADDR_INPUT_MAX is parsed, one more octet is not */
    n = mailbox(buf, 1, SDX_ADDR_INPUT_MAX - 2);
    assert_int_equal(n, SDX_ADDR_INPUT_MAX);
    expect(buf, n, 0, HDR, "domain-too-long", "input max");
    n = mailbox(buf, 1, SDX_ADDR_INPUT_MAX - 1);
    expect(buf, n, 0, BAD, "input-too-long", "input max + 1");
    assert_int_equal(check(buf, n, 0, &a), 0);
    assert_int_equal(a.reply_code, 500);
    assert_string_equal(a.status, "5.5.2");
}

static void test_replies(void **state)
{
    static const struct {
        const char *addr;
        unsigned opts;
        int code;
        const char *status;
    } t[] = {
        { "test@iana.org", 0, 0, "" },
        { "a b@iana.org", 0, 501, "5.1.3" },
        { "a b@iana.org", O_SENDER, 501, "5.1.7" },
        { "(c)a@iana.org", 0, 553, "5.1.3" },
        { "(c)a@iana.org", O_SENDER, 501, "5.1.7" },
        { "test@iana_org.com", 0, 501, "5.1.3" },
        { "ñ@iana.org", 0, 553, "5.6.7" },
        { "ñ@iana.org", O_SENDER, 550, "5.6.7" },
        { "ñ@iana.org", O_UTF8, 0, "" },
        { "ñ@iana.org", O_UTF8 | O_SENDER, 0, "" },
        { "\"a\"@iana.org", 0, 0, "" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct sdx_address a;

        assert_int_equal(check(t[i].addr, strlen(t[i].addr), t[i].opts, &a), 0);
        if (a.reply_code != t[i].code || strcmp(a.status, t[i].status) != 0)
            fail_msg("reply %zu (%s): got %d %s, want %d %s", i, t[i].addr, a.reply_code,
                     a.status, t[i].code, t[i].status);
    }
}

static void test_parts(void **state)
{
    static const char in[] = "(c) test @ iana.org (d)";
    static const char lit[] = "a@[192.0.2.1]";
    static const char idn[] = "a@郵件.商務";
    struct sdx_address a;

    (void)state;
    /* borrowed spans, outer comments and spaces excluded */
    assert_int_equal(sdx_address_check(in, sizeof(in) - 1, 0, &a), 0);
    assert_int_equal(a.local.len, 4);
    assert_memory_equal(a.local.p, "test", 4);
    assert_int_equal(a.domain.len, 8);
    assert_memory_equal(a.domain.p, "iana.org", 8);
    assert_string_equal(a.domain_ascii, "iana.org");

    assert_int_equal(sdx_address_check(lit, sizeof(lit) - 1, 0, &a), 0);
    assert_string_equal(a.domain_ascii, "[192.0.2.1]");

    assert_int_equal(sdx_address_check(idn, sizeof(idn) - 1, O_UTF8, &a), 0);
    assert_string_equal(a.domain_ascii, "xn--5nqv22n.xn--lhr59c");
    assert_int_equal(a.idn_rc, 0);

    assert_int_equal(sdx_address_check("a@😆.org", strlen("a@😆.org"), O_UTF8, &a), 0);
    assert_string_equal(a.domain_ascii, "");
    assert_int_not_equal(a.idn_rc, 0);

    /* upper case ASCII is kept as written */
    assert_int_equal(sdx_address_check("a@IANA.Org", 10, 0, &a), 0);
    assert_string_equal(a.domain_ascii, "IANA.Org");

    /* error offsets */
    assert_int_equal(sdx_address_check("te..st@iana.org", 15, 0, &a), 0);
    assert_int_equal(a.error_at, 3);
    assert_int_equal(sdx_address_check("test@iana.org\n", 14, 0, &a), 0);
    assert_int_equal(a.error_at, 13);

    /* never past n: the same bytes with a shorter n */
    assert_int_equal(sdx_address_check("a@b.cd", 4, 0, &a), 0);
    assert_string_equal(a.diagnosis, "domain-dot-end");
    assert_int_equal(sdx_address_check("a@b.cd", 0, 0, &a), 0);
    assert_string_equal(a.diagnosis, "empty");

    /* the "valid" pseudo-diagnosis */
    assert_int_equal(sdx_address_check("a@b.cd", 6, 0, &a), 0);
    assert_int_equal(a.flags, 0);
    assert_int_equal(a.diag, SDX_ADDR_FINDING_COUNT);
    assert_string_equal(a.diagnosis, "valid");
    assert_non_null(a.explanation);

    /* bad arguments */
    assert_int_equal(sdx_address_check(NULL, 1, 0, &a), SDX_EINVAL);
    assert_int_equal(sdx_address_check("a", 1, 0, NULL), SDX_EINVAL);
    assert_int_equal(sdx_address_check(NULL, 0, 0, &a), 0);
    assert_string_equal(a.diagnosis, "empty");
}

static void test_table(void **state)
{
    unsigned i, j;

    (void)state;
    for (i = 0; i < SDX_ADDR_FINDING_COUNT; i++) {
        const struct sdx_addr_info *f = sdx_address_info(i);
        const char *c;

        assert_non_null(f);
        assert_int_equal(f->id, i);
        for (c = f->name; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
                fail_msg("finding %u: name '%s' is not kebab-case", i, f->name);
        for (j = 0; j < i; j++)
            if (strcmp(f->name, sdx_address_info(j)->name) == 0)
                fail_msg("finding %u: duplicate name '%s'", i, f->name);
        assert_true(strncmp(f->rfc, "RFC ", 4) == 0);
        assert_true(strlen(f->explanation) > 20);
        assert_true(strlen(f->status) < sizeof(((struct sdx_address *)0)->status));
        switch (f->klass) {
        case SDX_ADDR_C_ERROR:
        case SDX_ADDR_C_5322:
            if (f->reply_code != 500 && f->reply_code != 501 && f->reply_code != 553)
                fail_msg("finding %s: refusal without a 5xx reply", f->name);
            assert_true(f->status[0] == '5');
            break;
        case SDX_ADDR_C_UTF8:
            assert_true(f->reply_code == 0 || f->id == SDX_ADDR_SMTPUTF8_REQUIRED);
            break;
        case SDX_ADDR_C_WARN:
        case SDX_ADDR_C_OK:
            if (f->reply_code != 0 || f->status[0] != '\0')
                fail_msg("finding %s: accepted but has a reply", f->name);
            break;
        default:
            fail_msg("finding %s: bad class", f->name);
        }
    }
    assert_null(sdx_address_info(SDX_ADDR_FINDING_COUNT));
    assert_string_equal(sdx_address_verdict_name(SDX_ADDR_VALID_5322_ONLY), "valid-5322-only");
    assert_string_equal(sdx_address_class_name(SDX_ADDR_C_UTF8), "utf8");
}

static void test_findings_order(void **state)
{
    const struct sdx_addr_info *l[4];
    uint64_t f = SDX_ADDR_F(ADDRESS_LITERAL) | SDX_ADDR_F(COMMENT) | SDX_ADDR_F(NO_AT) |
                 SDX_ADDR_F(LOCAL_UTF8) | SDX_ADDR_F(WHITESPACE);

    (void)state;
    assert_int_equal(sdx_address_findings(f, l, 4), 5);
    assert_string_equal(l[0]->name, "no-at");
    assert_string_equal(l[1]->name, "comment");
    assert_string_equal(l[2]->name, "whitespace");
    assert_string_equal(l[3]->name, "local-utf8");
    assert_int_equal(sdx_address_findings(f, NULL, 0), 5);
    assert_int_equal(sdx_address_findings(0, l, 4), 0);
}

/* test_coverage - runs last: every finding was produced by some test */
static void test_coverage(void **state)
{
    unsigned i;
    int missing = 0;

    (void)state;
    for (i = 0; i < SDX_ADDR_FINDING_COUNT; i++)
        if (!(seen & (UINT64_C(1) << i))) {
            print_error("finding never produced: %s\n", sdx_address_info(i)->name);
            missing++;
        }
    if (missing)
        fail_msg("%d findings have no test", missing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_parts),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_findings_order),
        cmocka_unit_test(test_coverage),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
