/* test_opensmtpd.c - log/opensmtpd.c: real OpenSMTPD log lines to events
 * maillog is an excerpt of ../shared/mta-samples/opensmtpd/logs/maillog
 * (OpenSMTPD 6.8.0p2; lines 1, 6-8, 19-25, 29-35, 48-58, 82-88, 103-109,
 * 115-125, 131-132, 138, 144), copied here so the test runs without ../shared.
 * Each event is checked field by field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/logs.h"
#include "smtpdx/syslog.h"
#include "events.h"

static const char *const maillog[] = {
    "Nov 27 18:48:05 mx smtpd[6163]: info: OpenSMTPD 6.8.0p2 starting",
    "Nov 27 18:52:45 mx smtpd[6168]: 155b23530468afe6 smtp connected address=127.0.0.1 host=localhost",
    "Nov 27 18:52:45 mx smtpd[6168]: 155b23530468afe6 smtp failed-command command=\"RCPT TO:<nosuchuser@opensmtpd.test> ORCPT=rfc822;nosuchuser@opensmtpd.test\" result=\"550 Invalid recipient: <nosuchuser@opensmtpd.test>\"",
    "Nov 27 18:52:45 mx smtpd[6168]: 155b23530468afe6 smtp disconnected reason=quit",
    "Nov 27 18:55:01 mx smtpd[6168]: 155b2358060ad16c smtp disconnected reason=quit",
    "Nov 27 18:55:02 mx smtpd[6168]: 155b23591baf5120 smtp connected address=127.0.3.150 host=<unknown>",
    "Nov 27 18:55:02 mx smtpd[6168]: 155b23591baf5120 smtp failed-command command=\"\" result=\"550 5.7.25 No reverse DNS for your address\"",
    "Nov 27 18:55:02 mx smtpd[6168]: 155b23591baf5120 smtp disconnected reason=quit",
    "Nov 27 18:55:04 mx smtpd[6168]: 155b235aad7d9dc2 smtp connected address=127.0.3.4 host=smtp-4.client-c.test",
    "Nov 27 18:55:04 mx smtpd[6168]: 155b235aad7d9dc2 smtp failed-command command=\"EHLO workstation42\" result=\"550 5.5.2 HELO/EHLO must be a fully qualified host name\"",
    "Nov 27 18:55:04 mx smtpd[6168]: 155b235aad7d9dc2 smtp failed-command command=\"HELO workstation42\" result=\"550 5.5.2 HELO/EHLO must be a fully qualified host name\"",
    "Nov 27 18:55:06 mx smtpd[6168]: 155b235b77cba7da smtp disconnected reason=quit",
    "Nov 27 18:55:07 mx smtpd[6168]: 155b235cc26daccb smtp connected address=127.0.3.6 host=smtp-6.client-c.test",
    "Nov 27 18:55:07 mx smtpd[6168]: 155b235cc26daccb smtp failed-command command=\"RCPT TO:<closed@opensmtpd.test>\" result=\"550 5.1.1 This mailbox was closed on 2024-06-30\"",
    "Nov 27 18:55:07 mx smtpd[6168]: 155b235cc26daccb smtp failed-command command=\"RCPT TO:<tempfail@opensmtpd.test>\" result=\"451 4.2.1 Mailbox temporarily disabled, please retry later\"",
    "Nov 27 18:55:07 mx smtpd[6168]: 155b235cc26daccb smtp message msgid=e49d349a size=786 nrcpt=1 proto=ESMTP",
    "Nov 27 18:55:07 mx smtpd[6168]: 155b235cc26daccb smtp envelope evpid=e49d349a4eaa003a from=<sender@client-c.test> to=<bob@opensmtpd.test>",
    "Nov 27 18:55:07 mx smtpd[6168]: 155b235cc26daccb smtp disconnected reason=quit",
    "Nov 27 18:55:11 mx smtpd[6168]: 155b2361ab1a50df smtp disconnected reason=quit",
    "Nov 27 18:55:12 mx smtpd[6168]: 155b2362981aae51 smtp connected address=127.0.3.9 host=smtp-9.client-c.test",
    "Nov 27 18:55:12 mx smtpd[6168]: 155b2362981aae51 smtp bad-input result=\"500 5.5.1 Invalid command: Pipelining not supported\"",
    "Nov 27 18:55:12 mx smtpd[6168]: 155b2362981aae51 smtp disconnected reason=quit",
    "Nov 27 18:55:14 mx smtpd[6168]: 155b23633f0f19dc smtp connected address=127.0.0.1 host=localhost",
    "Nov 27 18:55:14 mx smtpd[6168]: 155b23633f0f19dc smtp message msgid=57a60090 size=704 nrcpt=1 proto=ESMTP",
    "Nov 27 18:55:14 mx smtpd[6168]: 155b23633f0f19dc smtp envelope evpid=57a6009027183926 from=<alice@opensmtpd.test> to=<user-unknown@remote.test>",
    "Nov 27 18:55:14 mx smtpd[6168]: 155b23633f0f19dc smtp disconnected reason=quit",
    "Nov 27 18:55:14 mx smtpd[6168]: 155b2366856541ab mta connecting address=smtp://127.0.10.25:25 host=127.0.10.25",
    "Nov 27 18:55:14 mx smtpd[6168]: 155b2366856541ab mta connected",
    "Nov 27 18:55:14 mx smtpd[6168]: 155b2366856541ab mta delivery evpid=57a6009027183926 from=<alice@opensmtpd.test> to=<user-unknown@remote.test> rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.10.25 (127.0.10.25)\" delay=0s result=\"PermFail\" stat=\"550 5.1.1 <user-unknown@remote.test>: Recipient address rejected: User unknown in virtual mailbox table\"",
    "Nov 27 18:55:21 mx smtpd[6168]: 155b2371157d4f8f smtp disconnected reason=quit",
    "Nov 27 18:55:21 mx smtpd[6168]: 155b237320cd2f8b mda delivery evpid=f250d81eaaa84858 from=<> to=<alice@opensmtpd.test> rcpt=<alice@opensmtpd.test> user=alice delay=0s result=Ok stat=Delivered",
    "Nov 27 18:55:22 mx smtpd[6168]: 155b2375bc31ec30 smtp connected address=127.0.0.1 host=localhost",
    "Nov 27 18:55:22 mx smtpd[6168]: 155b2375bc31ec30 smtp message msgid=1e821671 size=676 nrcpt=1 proto=ESMTP",
    "Nov 27 18:55:22 mx smtpd[6168]: 155b2375bc31ec30 smtp envelope evpid=1e8216717dec3fc1 from=<alice@opensmtpd.test> to=<greylist@remote.test>",
    "Nov 27 18:55:22 mx smtpd[6168]: 155b2375bc31ec30 smtp disconnected reason=quit",
    "Nov 27 18:55:23 mx smtpd[6168]: 155b2366856541ab mta delivery evpid=1e8216717dec3fc1 from=<alice@opensmtpd.test> to=<greylist@remote.test> rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.10.25 (127.0.10.25)\" delay=1s result=\"TempFail\" stat=\"450 4.7.1 <greylist@remote.test>: Recipient address rejected: Greylisted, see http://postgrey.example.test/help/remote.test\"",
    "Nov 27 18:55:27 mx smtpd[6168]: 155b237d8b9ee8c0 mda delivery evpid=efb7343b7095d30d from=<> to=<alice@opensmtpd.test> rcpt=<alice@opensmtpd.test> user=alice delay=0s result=Ok stat=Delivered",
    "Nov 27 18:55:28 mx smtpd[6168]: 155b237fb4ce071b smtp connected address=127.0.0.1 host=localhost",
    "Nov 27 18:55:28 mx smtpd[6168]: 155b237fb4ce071b smtp message msgid=a875194a size=683 nrcpt=1 proto=ESMTP",
    "Nov 27 18:55:28 mx smtpd[6168]: 155b237fb4ce071b smtp envelope evpid=a875194a736ef43f from=<alice@opensmtpd.test> to=<drop-rcpt@remote.test>",
    "Nov 27 18:55:28 mx smtpd[6168]: 155b237fb4ce071b smtp disconnected reason=quit",
    "Nov 27 18:55:29 mx smtpd[6168]: 155b2366856541ab mta error reason=Connection closed unexpectedly",
    "Nov 27 18:55:29 mx smtpd[6168]: 155b2366856541ab mta delivery evpid=a875194a736ef43f from=<alice@opensmtpd.test> to=<drop-rcpt@remote.test> rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.10.25 (127.0.10.25)\" delay=1s result=\"TempFail\" stat=\"Connection closed unexpectedly\"",
    "Nov 27 18:55:31 mx smtpd[6168]: 155b23841ff96845 smtp connected address=127.0.0.1 host=localhost",
    "Nov 27 18:55:31 mx smtpd[6168]: 155b23841ff96845 smtp message msgid=2f0b534d size=662 nrcpt=3 proto=ESMTP",
    "Nov 27 18:55:31 mx smtpd[6168]: 155b23841ff96845 smtp envelope evpid=2f0b534d79f6d716 from=<alice@opensmtpd.test> to=<friend@remote.test>",
    "Nov 27 18:55:31 mx smtpd[6168]: 155b23841ff96845 smtp envelope evpid=2f0b534d81dceb18 from=<alice@opensmtpd.test> to=<user-unknown@remote.test>",
    "Nov 27 18:55:31 mx smtpd[6168]: 155b23841ff96845 smtp envelope evpid=2f0b534d0c1d09fa from=<alice@opensmtpd.test> to=<mailbox-full@remote.test>",
    "Nov 27 18:55:31 mx smtpd[6168]: 155b23841ff96845 smtp disconnected reason=quit",
    "Nov 27 18:55:38 mx smtpd[6168]: 155b23858c2fb66a mta connecting address=smtp://127.0.10.25:25 host=127.0.10.25",
    "Nov 27 18:55:38 mx smtpd[6168]: 155b23858c2fb66a mta connected",
    "Nov 27 18:55:38 mx smtpd[6168]: 155b23858c2fb66a mta delivery evpid=2f0b534d0c1d09fa from=<alice@opensmtpd.test> to=<mailbox-full@remote.test> rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.10.25 (127.0.10.25)\" delay=7s result=\"PermFail\" stat=\"552 5.2.2 <mailbox-full@remote.test>: Recipient address rejected: Mailbox full (quota exceeded)\"",
    "Nov 27 18:55:38 mx smtpd[6168]: 155b23858c2fb66a mta delivery evpid=2f0b534d81dceb18 from=<alice@opensmtpd.test> to=<user-unknown@remote.test> rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.10.25 (127.0.10.25)\" delay=7s result=\"PermFail\" stat=\"550 5.1.1 <user-unknown@remote.test>: Recipient address rejected: User unknown in virtual mailbox table\"",
    "Nov 27 18:55:38 mx smtpd[6168]: 155b23858c2fb66a mta delivery evpid=2f0b534d79f6d716 from=<alice@opensmtpd.test> to=<friend@remote.test> rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.10.25 (127.0.10.25)\" delay=7s result=\"Ok\" stat=\"250 2.0.0 Ok: queued as 2A88DF89B9\"",
    "Nov 27 18:55:48 mx smtpd[6168]: 155b23858c2fb66a mta disconnected reason=quit messages=1",
    "Nov 27 18:57:22 mx smtpd[6169]: relay: Expire for 1e8216717dec3fc1: from=<alice@opensmtpd.test>, to=<greylist@remote.test>, rcpt=<->, delay=2m, stat=Envelope expired",
    "Nov 27 18:57:28 mx smtpd[6169]: relay: Expire for a875194a736ef43f: from=<alice@opensmtpd.test>, to=<drop-rcpt@remote.test>, rcpt=<->, delay=2m, stat=Envelope expired",
    "Nov 27 18:59:22 mx smtpd[6163]: Exiting",
};

/* inbound refusals (failed-command, bad-input), outbound bounces and
 * deferrals (mta delivery), expiries (queue's "Expire for") */
static void test_opensmtpd_maillog(void **state)
{
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    static const struct want want[] = {
        /* maillog 7: RCPT with ORCPT= */
        { 3, "inbound", "rejected", "rcpt", "550", "", "", "nosuchuser@opensmtpd.test", "", "127.0.0.1", "" },
        /* maillog 21: a filter at connect time, command="" */
        { 7, "inbound", "rejected", "connect", "550", "5.7.25", "", "", "", "127.0.3.150", "" },
        { 10, "inbound", "rejected", "helo", "550", "5.5.2", "", "", "", "127.0.3.4", "" },
        { 11, "inbound", "rejected", "helo", "550", "5.5.2", "", "", "", "127.0.3.4", "" },
        { 14, "inbound", "rejected", "rcpt", "550", "5.1.1", "", "closed@opensmtpd.test", "", "127.0.3.6", "" },
        { 15, "inbound", "rejected", "rcpt", "451", "4.2.1", "", "tempfail@opensmtpd.test", "", "127.0.3.6", "" },
        /* maillog 50: bad-input names no command */
        { 21, "inbound", "rejected", "unknown", "500", "5.5.1", "", "", "", "127.0.3.9", "" },
        { 29, "outbound", "bounced", "unknown", "550", "5.1.1", "alice@opensmtpd.test", "user-unknown@remote.test",
          "57a60090", "127.0.0.1", "127.0.10.25" },
        { 36, "outbound", "deferred", "unknown", "450", "4.7.1", "alice@opensmtpd.test", "greylist@remote.test",
          "1e821671", "127.0.0.1", "127.0.10.25" },
        /* no reply: the remote side dropped the connection */
        { 43, "outbound", "deferred", "unknown", "0", "", "alice@opensmtpd.test", "drop-rcpt@remote.test",
          "a875194a", "127.0.0.1", "127.0.10.25" },
        /* one message, three envelopes: two refused, one delivered */
        { 52, "outbound", "bounced", "unknown", "552", "5.2.2", "alice@opensmtpd.test", "mailbox-full@remote.test",
          "2f0b534d", "127.0.0.1", "127.0.10.25" },
        { 53, "outbound", "bounced", "unknown", "550", "5.1.1", "alice@opensmtpd.test", "user-unknown@remote.test",
          "2f0b534d", "127.0.0.1", "127.0.10.25" },
        /* expiry: the last deferral's reply */
        { 56, "outbound", "expired", "unknown", "450", "4.7.1", "alice@opensmtpd.test", "greylist@remote.test",
          "1e821671", "127.0.0.1", "" },
        { 57, "outbound", "expired", "unknown", "0", "", "alice@opensmtpd.test", "drop-rcpt@remote.test",
          "a875194a", "127.0.0.1", "" },
    };

    (void)state;
    feed(maillog, sizeof(maillog) / sizeof(maillog[0]), "maillog", &c, &st);
    check(&c, want, sizeof(want) / sizeof(want[0]), "opensmtpd");
    assert_string_equal(c.ev[2].helo, "workstation42");
    assert_int_equal(c.ev[7].size, 704);
    assert_int_equal(c.ev[10].size, 662);
    assert_true(c.ev[9].nstory >= 5);          /* arrival, "mta error", the delivery */
    assert_true(c.ev[12].nstory >= 4);         /* arrival, envelope, expiry */
    assert_int_equal(st.events, 14);
    assert_int_equal(st.delivered, 3);         /* two mda, one mta */
}

/* local deliveries (mda, unquoted result and stat), the "NAME [ADDR]" relay
 * form, Loop, and other programs left alone */
static void test_opensmtpd_variants(void **state)
{
    static const char *const lines[] = {
        "Nov 27 18:54:57 mx smtpd[6168]: 0123456789abcdef smtp connected address=192.0.2.7 host=mail.example.test",
        "Nov 27 18:54:57 mx smtpd[6168]: 0123456789abcdef smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256",
        "Nov 27 18:54:57 mx smtpd[6168]: 0123456789abcdef smtp message msgid=83be3093 size=721 nrcpt=1 proto=ESMTP",
        "Nov 27 18:54:57 mx smtpd[6168]: 0123456789abcdef smtp envelope evpid=83be30934d4642de from=<s@example.test> to=<bob@local.test>",
        "Nov 27 18:54:57 mx smtpd[6168]: 0123456789abcdef smtp disconnected reason=quit",
        "Nov 27 18:54:58 mx smtpd[6168]: 1111111111111111 mda delivery evpid=83be30934d4642de from=<s@example.test> to=<bob@local.test> rcpt=<b@local.test> user=bob delay=0s result=PermFail stat=Error (mailbox quota exceeded)",
        "Nov 27 18:54:59 mx smtpd[6168]: 2222222222222222 mta delivery evpid=83be30934d4642df from=<s@example.test> to=<x@remote.test> rcpt=<-> source=\"192.0.2.1\" relay=\"mx.remote.test [198.51.100.2]\" delay=1s result=\"Loop\" stat=\"Loop detected\"",
        "Nov 27 18:55:00 mx postfix/smtpd[1]: connect from unknown[192.0.2.9]",
    };
    struct collect c = { .n = 0 };
    struct sdx_logs *l;
    struct sdx_syslog sl;
    struct sdx_logs_stats st;
    size_t i;

    (void)state;
    assert_int_equal(sdx_logs_new(&l), 0);
    sdx_syslog_init(&sl, 2026, 0);
    for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        struct sdx_logline ll;

        assert_int_equal(sdx_syslog_parse(&sl, lines[i], strlen(lines[i]), &ll), 0);
        assert_int_equal(sdx_logs_line(l, &ll, "v", i + 1, on_event, &c), 0);
    }
    sdx_logs_stats(l, &st);
    assert_int_equal(st.unparsed, 0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ev[0].dir, "local");
    assert_string_equal(c.ev[0].outcome, "bounced");
    assert_string_equal(c.ev[0].recipient, "bob@local.test");
    assert_string_equal(c.ev[0].sender, "s@example.test");
    assert_string_equal(c.ev[0].queue_id, "83be3093");
    assert_string_equal(c.ev[0].client, "192.0.2.7");
    assert_int_equal(c.ev[0].size, 721);
    assert_string_equal(c.ev[1].dir, "outbound");
    assert_string_equal(c.ev[1].outcome, "bounced");
    assert_string_equal(c.ev[1].server, "198.51.100.2");
    assert_string_equal(c.ev[1].code, "0");
    sdx_logs_free(l);
    sdx_syslog_release(&sl);
}

/* a message whose recipients are all final leaves the map: more finished
 * messages than the map holds evict nothing (OpenSMTPD logs no "removed") */
static void test_opensmtpd_settled(void **state)
{
    struct collect c = { .n = 0 };
    struct sdx_logs *l;
    struct sdx_syslog sl;
    struct sdx_logs_stats st;
    unsigned long i, k;
    char line[512];

    (void)state;
    assert_int_equal(sdx_logs_new(&l), 0);
    sdx_syslog_init(&sl, 2026, 0);
    for (i = 0; i < SDX_LOGS_MESSAGES_MAX + 100UL; i++) {
        for (k = 0; k < 4; k++) {
            struct sdx_logline ll;
            int n = 0;

            switch (k) {
            case 0:
                n = snprintf(line, sizeof(line), "Nov 27 18:54:57 mx smtpd[1]: %016lx smtp message msgid=%08lx "
                             "size=10 nrcpt=2 proto=ESMTP", i, i);
                break;
            case 1:     /* a deferral is not final */
                n = snprintf(line, sizeof(line), "Nov 27 18:54:58 mx smtpd[1]: %016lx mta delivery evpid=%08lx00000001 "
                             "from=<s@a.test> to=<r@b.test> rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.0.2 (b.test)\" "
                             "delay=1s result=\"TempFail\" stat=\"451 4.7.1 try later\"", i + 1, i);
                break;
            case 2:
                n = snprintf(line, sizeof(line), "Nov 27 18:54:59 mx smtpd[1]: %016lx mta delivery evpid=%08lx00000001 "
                             "from=<s@a.test> to=<r@b.test> rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.0.2 (b.test)\" "
                             "delay=1s result=\"Ok\" stat=\"250 2.0.0 ok\"", i + 1, i);
                break;
            default:
                n = snprintf(line, sizeof(line), "Nov 27 18:55:00 mx smtpd[1]: %016lx mta delivery evpid=%08lx00000002 "
                             "from=<s@a.test> to=<q@b.test> rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.0.2 (b.test)\" "
                             "delay=1s result=\"PermFail\" stat=\"550 5.1.1 no such user\"", i + 1, i);
                break;
            }
            assert_true(n > 0 && (size_t)n < sizeof(line));
            assert_int_equal(sdx_syslog_parse(&sl, line, (size_t)n, &ll), 0);
            c.n = 0;    /* only the count matters here */
            assert_int_equal(sdx_logs_line(l, &ll, "s", i * 4 + k + 1, on_event, &c), 0);
        }
    }
    sdx_logs_stats(l, &st);
    assert_int_equal(st.unparsed, 0);
    assert_int_equal(st.delivered, SDX_LOGS_MESSAGES_MAX + 100UL);
    assert_int_equal(st.messages_dropped, 0);
    sdx_logs_free(l);
    sdx_syslog_release(&sl);
}

/* garbage and cut lines: counted, never a crash */
static void test_opensmtpd_garbage(void **state)
{
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    static const char *const junk[] = {
        "Nov 27 18:48:05 mx smtpd[1]: frobnicated the flux capacitor",
        "Nov 27 18:48:05 mx smtpd[1]: 0123456789abcdef",
        "Nov 27 18:48:05 mx smtpd[1]: 0123456789abcdef s",
        "Nov 27 18:48:05 mx smtpd[1]: 0123456789abcdef smtp failed-command command=\"RCPT",
        "Nov 27 18:48:05 mx smtpd[1]: 0123456789abcdef smtp failed-command result=\"",
        "Nov 27 18:48:05 mx smtpd[1]: 0123456789abcdef smtp failed-command command=\"\" result=\"5",
        "Nov 27 18:48:05 mx smtpd[1]: 0123456789abcdef smtp message msgid=zz",
        "Nov 27 18:48:05 mx smtpd[1]: 0123456789abcdef smtp envelope evpid=",
        "Nov 27 18:48:05 mx smtpd[1]: 0123456789abcdef mta delivery evpid=1 result=",
        "Nov 27 18:48:05 mx smtpd[1]: 0123456789abcdef mta delivery evpid=0123456789abcdef result=\"TempFail",
        "Nov 27 18:48:05 mx smtpd[1]: 0123456789abcdef mda delivery result=PermFail stat=",
        "Nov 27 18:48:05 mx smtpd[1]: relay: Expire for 0123",
        "Nov 27 18:48:05 mx smtpd[1]: relay: Expire for 0123456789abcdef: from=<",
        "Nov 27 18:48:05 mx smtpd[1]: 0123456789abcdef smtp connected address=",
    };
    (void)state;
    feed_any(junk, sizeof(junk) / sizeof(junk[0]), "junk", &c, &st);
    assert_true(st.unparsed >= 3);
    assert_int_equal(st.mta_lines, sizeof(junk) / sizeof(junk[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opensmtpd_maillog),
        cmocka_unit_test(test_opensmtpd_variants),
        cmocka_unit_test(test_opensmtpd_settled),
        cmocka_unit_test(test_opensmtpd_garbage),
    };
    return cmocka_run_group_tests_name("unit.opensmtpd", tests, NULL, NULL);
}
