/* test_group.c - log/group.c: fingerprints mask what varies, groups count,
 * the top lists keep the heavy hitters, the 4xx-then-5xx count */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/group.h"

static void test_fingerprint(void **state)
{
    static const struct { const char *in, *out; } rows[] = {
        { "<bob@example.com>: Recipient address rejected: User unknown in local recipient table",
          "<ADDR>: Recipient address rejected: User unknown in local recipient table" },
        { "Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1",
          "Service unavailable; Client host [IP] blocked using HOST; URL" },
        { "Too many recipients: limit is 550 per message", "Too many recipients: limit is # per message" },
        { "The email account does not exist. q1-20020a0580C3D7631E.7 - gsmtp",
          "The email account does not exist. # - gsmtp" },
        { "  spaced \t out\r\n text ", "spaced out text" },
        { "ctl\001char", "ctl?char" },
        { "<unknown[192.0.2.5]>: Client host rejected", "<HOST[IP]>: Client host rejected" },
        { "", "" },
    };
    char out[SDX_FINGERPRINT_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        sdx_fingerprint(rows[i].in, strlen(rows[i].in), out, sizeof(out));
        if (strcmp(out, rows[i].out) != 0)
            fail_msg("row %zu: '%s', want '%s'", i, out, rows[i].out);
    }
    /* bounded: a huge text gives at most cap - 1 bytes */
    {
        char big[5000], small[16];

        memset(big, 'a', sizeof(big));
        assert_true(sdx_fingerprint(big, sizeof(big), small, sizeof(small)) <= sizeof(small) - 1);
    }
}

static struct sdx_event mkevent(struct sdx_reply *r, const char *text, const char *rcpt, const char *qid,
                                enum sdx_outcome out)
{
    struct sdx_event e;

    assert_int_equal(sdx_reply_parse(r, text, strlen(text)), 0);
    sdx_event_init(&e, r);
    e.dir = SDX_DIR_OUTBOUND;
    e.outcome = out;
    e.recipient = sdx_str_from(rcpt);
    e.queue_id = sdx_str_from(qid);
    return e;
}

static void test_groups(void **state)
{
    struct sdx_groups *g;
    struct sdx_reply r;
    const struct sdx_group *const *s;
    struct sdx_groups_totals t;
    struct sdx_group_top top[SDX_GROUP_TOP];
    char rcpt[64];
    int i;

    (void)state;
    sdx_reply_init(&r);
    assert_int_equal(sdx_groups_new(&g), 0);
    for (i = 0; i < 30; i++) {
        struct sdx_event e;
        struct sdx_verdict v;

        snprintf(rcpt, sizeof(rcpt), "user%d@%s", i, i < 20 ? "big.example" : "small.example");
        e = mkevent(&r, "550 5.1.1 <x@y>: User unknown", rcpt, "Q1", SDX_OUT_BOUNCED);
        sdx_event_classify(&e, &v);
        assert_int_equal(sdx_groups_add(g, &e, &v), 0);
    }
    {   /* a different problem, and a recipient deferred then bounced */
        struct sdx_event e;
        struct sdx_verdict v;

        e = mkevent(&r, "452 4.2.2 Mailbox full", "late@example.org", "Q2", SDX_OUT_DEFERRED);
        sdx_event_classify(&e, &v);
        assert_int_equal(sdx_groups_add(g, &e, &v), 0);
        e = mkevent(&r, "552 5.2.2 Mailbox full", "late@example.org", "Q2", SDX_OUT_BOUNCED);
        sdx_event_classify(&e, &v);
        assert_int_equal(sdx_groups_add(g, &e, &v), 0);
    }
    assert_int_equal(sdx_groups_sorted(g, &s), 3);
    assert_int_equal(s[0]->count, 30);
    assert_string_equal(s[0]->fingerprint, "<ADDR>: User unknown");
    assert_int_equal(s[0]->reason, SDX_REASON_USERUNKNOWN);
    assert_int_equal(sdx_group_top(s[0]->domains, top), 2);
    assert_string_equal(top[0].name, "big.example");
    assert_int_equal(top[0].count, 20);
    sdx_groups_totals(g, &t);
    assert_int_equal(t.events, 32);
    assert_int_equal(t.softened, 1);
    assert_int_equal(t.by_outcome[SDX_OUT_BOUNCED], 31);
    sdx_groups_free(g);
    sdx_reply_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_groups),
    };
    return cmocka_run_group_tests_name("unit.group", tests, NULL, NULL);
}
