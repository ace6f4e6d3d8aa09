/* test_logs.c - log/logs.c and log/postfix.c: real Postfix lines to events
 * The lines are from ../shared/mta-samples/postfix/logs/maillog (written by
 * Postfix 3.7 in the project's scripted run), copied here so the test runs
 * without ../shared. Each event is checked field by field. */
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
    "Nov 27 18:48:11 mx postfix/smtpd[6239]: connect from smtp-2.client-a.test[127.0.1.2]",
    "Nov 27 18:48:11 mx postfix/smtpd[6239]: NOQUEUE: reject: RCPT from smtp-2.client-a.test[127.0.1.2]: 550 5.1.1 <nosuchuser@smtpdx.test>: Recipient address rejected: User unknown in local recipient table; from=<sender@client-a.test> to=<nosuchuser@smtpdx.test> proto=ESMTP helo=<smtp-2.client-a.test>",
    "Nov 27 18:48:11 mx postfix/cleanup[6244]: 5442B10C1AC: message-id=<20261127184811.5442B10C1AC@mx.smtpdx.test>",
    "Nov 27 18:48:11 mx postfix/smtpd[6239]: disconnect from smtp-2.client-a.test[127.0.1.2] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
    "Nov 27 18:49:07 mx postfix/smtpd[6239]: 7AE4A10C1D6: client=smtp-32.client-a.test[127.0.1.32]",
    "Nov 27 18:49:07 mx postfix/cleanup[6244]: 7AE4A10C1D6: reject: header Subject: cheap viagra online from smtp-32.client-a.test[127.0.1.32]; from=<sender@client-a.test> to=<alice@smtpdx.test> proto=ESMTP helo=<smtp-32.client-a.test>: 5.7.1 Message rejected: spam subject (header_checks rule 12)",
    "Nov 27 18:50:22 mx postfix/submission/smtpd[6713]: BEC8710C1BB: client=smtp-60.client-a.test[127.0.1.60], sasl_method=PLAIN, sasl_username=alice",
    "Nov 27 18:50:22 mx postfix/cleanup[6710]: BEC8710C1BB: message-id=<pf-sub-auth-send-bounce.805422782@client.test>",
    "Nov 27 18:50:22 mx postfix/qmgr[6158]: BEC8710C1BB: from=<alice@smtpdx.test>, size=543, nrcpt=1 (queue active)",
    "Nov 27 18:50:22 mx postfix/submission/smtpd[6713]: disconnect from smtp-60.client-a.test[127.0.1.60] ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=8",
    "Nov 27 18:50:22 mx postfix/smtp[6679]: BEC8710C1BB: to=<user-unknown@remote.test>, relay=127.0.10.25[127.0.10.25]:25, delay=0.01, delays=0/0/0/0, dsn=5.1.1, status=bounced (host 127.0.10.25[127.0.10.25] said: 550 5.1.1 <user-unknown@remote.test>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))",
    "Nov 27 18:50:22 mx postfix/cleanup[6244]: C160F10C1BD: message-id=<20261127185022.C160F10C1BD@mx.smtpdx.test>",
    "Nov 27 18:50:22 mx postfix/bounce[6678]: BEC8710C1BB: sender non-delivery notification: C160F10C1BD",
    "Nov 27 18:50:22 mx postfix/qmgr[6158]: C160F10C1BD: from=<>, size=2673, nrcpt=1 (queue active)",
    "Nov 27 18:50:22 mx postfix/cleanup[6710]: C1D7810C1BE: message-id=<20261127185022.C1D7810C1BE@mx.smtpdx.test>",
    "Nov 27 18:50:22 mx postfix/local[6702]: C160F10C1BD: to=<alice@smtpdx.test>, relay=local, delay=0, delays=0/0/0/0, dsn=2.0.0, status=sent (delivered to maildir)",
    "Nov 27 18:50:22 mx postfix/bounce[6678]: BEC8710C1BB: postmaster non-delivery notification: C1D7810C1BE",
    "Nov 27 18:50:22 mx postfix/qmgr[6158]: C160F10C1BD: removed",
    "Nov 27 18:50:22 mx postfix/qmgr[6158]: BEC8710C1BB: removed",
    "Nov 27 18:50:24 mx postfix/postscreen[6716]: CONNECT from [127.0.0.2]:52055 to [127.0.0.1]:2500",
    "Nov 27 18:50:24 mx postfix/dnsblog[6717]: addr 127.0.0.2 listed by domain rbl.smtpdx.test as 127.0.0.2",
    "Nov 27 18:50:27 mx postfix/postscreen[6716]: DNSBL rank 2 for [127.0.0.2]:52055",
    "Nov 27 18:50:27 mx postfix/postscreen[6716]: NOQUEUE: reject: RCPT from [127.0.0.2]:52055: 550 5.7.1 Service unavailable; client [127.0.0.2] blocked using rbl.smtpdx.test; from=<sender@client-a.test>, to=<alice@smtpdx.test>, proto=ESMTP, helo=<mail.client-a.test>",
    "Nov 27 18:50:27 mx postfix/postscreen[6716]: DISCONNECT [127.0.0.2]:52055",
    "Nov 27 18:51:24 mx postfix/cleanup[6244]: EEBB110C201: message-id=<pf-out-try-later.805484978@client.test>",
    "Nov 27 18:51:24 mx postfix/smtpd[6698]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
    "Nov 27 18:51:24 mx postfix/qmgr[6158]: EEBB110C201: from=<alice@smtpdx.test>, size=482, nrcpt=1 (queue active)",
    "Nov 27 18:51:24 mx postfix/smtp[6679]: EEBB110C201: to=<try-later@remote.test>, relay=127.0.10.25[127.0.10.25]:25, delay=0.01, delays=0/0/0/0, dsn=4.3.0, status=deferred (host 127.0.10.25[127.0.10.25] said: 451 4.3.0 Temporary local problem - please try later (in reply to RCPT TO command))",
    "Nov 27 18:53:05 mx postfix/qmgr[6158]: EEBB110C201: from=<alice@smtpdx.test>, status=expired, returned to sender",
    "Nov 27 18:53:05 mx postfix/qmgr[6158]: EEBB110C201: removed"
};

static void test_postfix_events(void **state)
{
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    size_t i;
    static const struct {
        const char *dir, *outcome, *stage, *code, *status, *sender, *recipient, *queue_id, *client, *server;
    } want[] = {
        { "inbound", "rejected", "rcpt", "550", "5.1.1", "sender@client-a.test", "nosuchuser@smtpdx.test", "",
          "127.0.1.2", "" },
        { "inbound", "rejected", "end-of-data", "550", "5.7.1", "sender@client-a.test", "alice@smtpdx.test",
          "7AE4A10C1D6", "127.0.1.32", "" },
        { "outbound", "bounced", "rcpt", "550", "5.1.1", "alice@smtpdx.test", "user-unknown@remote.test",
          "BEC8710C1BB", "127.0.1.60", "127.0.10.25" },
        { "inbound", "rejected", "rcpt", "550", "5.7.1", "sender@client-a.test", "alice@smtpdx.test", "",
          "127.0.0.2", "" },
        { "outbound", "deferred", "rcpt", "451", "4.3.0", "alice@smtpdx.test", "try-later@remote.test",
          "EEBB110C201", "", "127.0.10.25" },       /* its client= line is not in the excerpt */
        { "outbound", "expired", "rcpt", "451", "4.3.0", "alice@smtpdx.test", "try-later@remote.test",
          "EEBB110C201", "", "127.0.10.25" },
    };

    (void)state;
    feed(maillog, sizeof(maillog) / sizeof(maillog[0]), "maillog", &c, &st);
    if (c.n != sizeof(want) / sizeof(want[0]))
        fail_msg("%zu events, want %zu", c.n, sizeof(want) / sizeof(want[0]));
    for (i = 0; i < c.n; i++) {
#define CHECK(f) if (strcmp(c.ev[i].f, want[i].f) != 0) fail_msg("event %zu: " #f " '%s', want '%s'", i + 1, c.ev[i].f, want[i].f)
        CHECK(dir); CHECK(outcome); CHECK(stage); CHECK(code); CHECK(status); CHECK(sender);
        CHECK(recipient); CHECK(queue_id); CHECK(client); CHECK(server);
#undef CHECK
        if (c.ev[i].nstory == 0)
            fail_msg("event %zu has no story", i + 1);
    }
    /* what the message told before its bounce */
    assert_string_equal(c.ev[2].message_id, "pf-sub-auth-send-bounce.805422782@client.test");
    assert_string_equal(c.ev[2].sasl, "alice");
    assert_int_equal(c.ev[2].size, 543);
    assert_int_equal(st.lines, sizeof(maillog) / sizeof(maillog[0]));
    assert_int_equal(st.unparsed, 0);
    assert_int_equal(st.events, 6);
}

/* smtpd refusals Postfix logs without the reply: the reply Postfix sends
 * is supplied (lines from ../shared/mta-samples/postfix/loglines:
 * pf-in-conn-rate-limit, pf-sub-bad-password, pf-in-size-streamed,
 * pf-in-too-many-errors, pf-in-idle-timeout) */
static void test_postfix_notices(void **state)
{
    static const char *const lines[] = {
        "Nov 27 18:49:23 mx postfix/smtpd[6239]: connect from unknown[127.0.1.141]",
        "Nov 27 18:49:23 mx postfix/smtpd[6239]: warning: Connection rate limit exceeded: 11 from unknown[127.0.1.141] for service smtp",
        "Nov 27 18:49:23 mx postfix/smtpd[6239]: disconnect from unknown[127.0.1.141] commands=0",
        "Nov 27 18:50:17 mx postfix/submission/smtpd[6713]: connect from unknown[127.0.1.157]",
        "Nov 27 18:50:17 mx postfix/submission/smtpd[6713]: warning: SASL authentication failure: Password verification failed",
        "Nov 27 18:50:17 mx postfix/submission/smtpd[6713]: warning: unknown[127.0.1.157]: SASL PLAIN authentication failed: authentication failure, sasl_username=alice",
        "Nov 27 18:50:17 mx postfix/submission/smtpd[6713]: disconnect from unknown[127.0.1.157] ehlo=2 starttls=1 auth=0/1 quit=1 commands=4/5",
        "Nov 27 18:48:16 mx postfix/smtpd[6239]: connect from smtp-5.client-a.test[127.0.1.5]",
        "Nov 27 18:48:16 mx postfix/smtpd[6239]: 2BC4410C1B9: client=smtp-5.client-a.test[127.0.1.5]",
        "Nov 27 18:48:16 mx postfix/cleanup[6244]: 2BC4410C1B9: message-id=<pf-in-size-streamed.805296179@client.test>",
        "Nov 27 18:48:16 mx postfix/smtpd[6239]: warning: 2BC4410C1B9: queue file size limit exceeded",
        "Nov 27 18:49:34 mx postfix/smtpd[6239]: too many errors after RCPT from smtp-44.client-a.test[127.0.1.44]",
        "Nov 27 18:49:56 mx postfix/smtpd[6696]: timeout after EHLO from unknown[127.0.1.145]",
        "Nov 27 18:49:57 mx postfix/smtpd[6696]: warning: hostname x does not resolve to address 127.0.0.9",
    };
    static const struct { const char *stage, *code, *status, *client, *sasl, *queue_id; } want[] = {
        { "connect", "421", "4.7.0", "127.0.1.141", "", "" },
        { "auth", "535", "5.7.8", "127.0.1.157", "alice", "" },
        { "data", "552", "5.3.4", "127.0.1.5", "", "2BC4410C1B9" },
        { "rcpt", "421", "4.7.0", "127.0.1.44", "", "" },
        { "helo", "421", "4.4.2", "127.0.1.145", "", "" },
    };
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    size_t i;

    (void)state;
    feed(lines, sizeof(lines) / sizeof(lines[0]), "n", &c, &st);
    assert_int_equal(st.unparsed, 0);
    assert_int_equal(c.n, sizeof(want) / sizeof(want[0]));
    for (i = 0; i < c.n; i++) {
        assert_string_equal(c.ev[i].dir, "inbound");
        assert_string_equal(c.ev[i].outcome, "rejected");
        assert_string_equal(c.ev[i].stage, want[i].stage);
        assert_string_equal(c.ev[i].code, want[i].code);
        assert_string_equal(c.ev[i].status, want[i].status);
        assert_string_equal(c.ev[i].client, want[i].client);
        assert_string_equal(c.ev[i].sasl, want[i].sasl);
        assert_string_equal(c.ev[i].queue_id, want[i].queue_id);
        assert_true(c.ev[i].nstory >= 1);
    }
    assert_string_equal(c.ev[2].message_id, "pf-in-size-streamed.805296179@client.test");
}

/* refusals Postfix logs only as a failed command in the disconnect counts
 * (../shared/mta-samples/postfix: pf-in-rcpt-before-mail, pf-in-bad-rcpt-syntax,
 * pf-sub-no-starttls, pf-in-bare-lf-quit-abrupt), the illegal-syntax warning,
 * milter rejects, and the dsn= Postfix decided for a deferred 554 greeting */
static void test_postfix_unlogged(void **state)
{
    static const char *const lines[] = {
        "Nov 27 18:48:17 mx postfix/smtpd[6239]: connect from a.test[127.0.1.6]",
        "Nov 27 18:48:17 mx postfix/smtpd[6239]: disconnect from a.test[127.0.1.6] ehlo=1 rcpt=0/1 quit=1 commands=2/3",
        "Nov 27 18:48:24 mx postfix/smtpd[6239]: connect from b.test[127.0.1.10]",
        "Nov 27 18:48:24 mx postfix/smtpd[6239]: warning: Illegal address syntax from b.test[127.0.1.10] in RCPT command: <>",
        "Nov 27 18:48:24 mx postfix/smtpd[6239]: disconnect from b.test[127.0.1.10] ehlo=1 mail=1 rcpt=0/2 quit=1 commands=3/5",
        "Nov 27 18:54:47 mx postfix/smtpd[7056]: connect from c.test[127.0.1.20]",
        "Nov 27 18:54:47 mx postfix/smtpd[7056]: NOQUEUE: reject: RCPT from c.test[127.0.1.20]: 550 5.1.1 <x@x.test>: Recipient address rejected: User unknown in local recipient table; from=<s@c.test> to=<x@x.test> proto=ESMTP helo=<c.test>",
        "Nov 27 18:54:47 mx postfix/smtpd[7056]: disconnect from c.test[127.0.1.20] ehlo=2 starttls=1 mail=1 rcpt=0/1 data=0/1 quit=1 commands=5/7",
        "Nov 27 18:50:14 mx postfix/smtpd[6696]: connect from d.test[127.0.1.55]",
        "Nov 27 18:50:14 mx postfix/smtpd[6696]: 3841C10C1B8: client=d.test[127.0.1.55]",
        "Nov 27 18:50:14 mx postfix/smtpd[6696]: lost connection after DATA (32 bytes) from d.test[127.0.1.55]",
        "Nov 27 18:50:14 mx postfix/smtpd[6696]: disconnect from d.test[127.0.1.55] ehlo=1 mail=1 rcpt=1 data=0/1 commands=3/4",
        "Nov 27 18:50:16 mx postfix/submission/smtpd[6713]: connect from e.test[127.0.1.56]",
        "Nov 27 18:50:16 mx postfix/submission/smtpd[6713]: disconnect from e.test[127.0.1.56] ehlo=1 auth=0/1 mail=0/1 quit=1 commands=2/4",
        "Nov 27 18:51:00 mx postfix/smtpd[6700]: NOQUEUE: milter-reject: RCPT from f.test[127.0.1.60]: 451 4.7.1 Service unavailable - try again later; from=<s@f.test> to=<r@x.test> proto=ESMTP helo=<f.test>",
        "Nov 27 18:51:01 mx postfix/smtpd[6701]: connect from g.test[127.0.1.61]",
        "Nov 27 18:51:01 mx postfix/smtpd[6701]: 4A1B210C1C0: client=g.test[127.0.1.61]",
        "Nov 27 18:51:02 mx postfix/cleanup[6244]: 4A1B210C1C0: milter-reject: END-OF-MESSAGE from g.test[127.0.1.61]: 5.7.1 Spam message rejected; from=<s@g.test> to=<r@x.test> proto=ESMTP helo=<g.test>",
        "Nov 27 18:51:02 mx postfix/smtpd[6701]: disconnect from g.test[127.0.1.61] ehlo=1 mail=1 rcpt=1 data=0/1 quit=1 commands=4/5",
        "Nov 27 18:52:02 mx postfix/smtp[6737]: 78BD010C1A8: to=<someone@banner554.test>, relay=127.0.10.27[127.0.10.27]:25, delay=0.01, delays=0/0/0/0, dsn=4.7.1, status=deferred (host 127.0.10.27[127.0.10.27] refused to talk to me: 554 5.7.1 not accepting mail from 127.0.0.1)",
    };
    static const struct { unsigned long line; const char *stage, *code, *status, *client, *from; } want[] = {
        { 2, "rcpt", "503", "5.5.1", "127.0.1.6", "inferred" },     /* RCPT before MAIL */
        { 4, "rcpt", "501", "5.1.3", "127.0.1.10", "reconstructed" },
        { 5, "rcpt", "0", "", "127.0.1.10", "inferred" },           /* 501 5.5.4: no one reply fits */
        { 7, "rcpt", "550", "5.1.1", "127.0.1.20", "logged" },
        { 8, "data", "554", "5.5.1", "127.0.1.20", "inferred" },    /* the RCPT's own was logged */
        { 14, "auth", "530", "5.7.0", "127.0.1.56", "inferred" },   /* submission wants STARTTLS */
        { 14, "mail", "530", "5.7.0", "127.0.1.56", "inferred" },
        { 15, "rcpt", "451", "4.7.1", "127.0.1.60", "logged" },
        { 18, "end-of-data", "550", "5.7.1", "127.0.1.61", "logged" },  /* and no inferred DATA */
        { 20, "connect", "554", "5.7.1", "", "logged" },
    };
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    size_t i;

    (void)state;
    feed(lines, sizeof(lines) / sizeof(lines[0]), "u", &c, &st);
    if (c.n != sizeof(want) / sizeof(want[0]))
        fail_msg("%zu events, want %zu", c.n, sizeof(want) / sizeof(want[0]));
    for (i = 0; i < c.n; i++) {
        if (c.ev[i].line != want[i].line)
            fail_msg("event %zu: line %lu, want %lu", i + 1, c.ev[i].line, want[i].line);
        assert_string_equal(c.ev[i].stage, want[i].stage);
        assert_string_equal(c.ev[i].code, want[i].code);
        assert_string_equal(c.ev[i].status, want[i].status);
        assert_string_equal(c.ev[i].client, want[i].client);
        assert_string_equal(c.ev[i].from, want[i].from);
    }
    assert_string_equal(c.ev[1].recipient, "");         /* "<>": the empty address the client sent */
    assert_non_null(strstr(c.ev[2].text, "rcpt command refused"));
    /* a refusal's story runs to the session's disconnect and its counts */
    assert_true(strncmp(c.ev[3].story_last, "disconnect from c.test[127.0.1.20] ehlo=2", 41) == 0);
    assert_int_equal(c.ev[3].nstory, 3);        /* connect, reject, disconnect: the reject once */
    assert_string_equal(c.ev[9].dsn, "4.7.1");          /* Postfix deferred the 554 greeting */
    assert_int_equal(c.ev[9].delay_ms, 10);             /* delay=0.01 */
    assert_string_equal(c.ev[9].delays, "0/0/0/0");
    assert_int_equal(c.ev[0].delay_ms, -1);             /* an inbound refusal has none */
    assert_string_equal(c.ev[9].outcome, "deferred");
}

/* --mta: a Postfix with its own syslog_name is read when forced, not before */
static void test_force(void **state)
{
    static const char *const lines[] = {
        "Nov 27 18:48:11 mx mymail/smtpd[6239]: NOQUEUE: reject: RCPT from smtp-2.client-a.test[127.0.1.2]: 550 5.1.1 <nosuchuser@smtpdx.test>: Recipient address rejected: User unknown in local recipient table; from=<sender@client-a.test> to=<nosuchuser@smtpdx.test> proto=ESMTP helo=<smtp-2.client-a.test>",
    };
    enum sdx_mta m[] = { SDX_MTA_UNKNOWN, SDX_MTA_POSTFIX, SDX_MTA_EXIM };
    size_t want[] = { 0, 1, 0 }, k;

    (void)state;
    for (k = 0; k < 3; k++) {
        struct sdx_logs *l;
        struct sdx_syslog sl;
        struct sdx_logline ll;
        struct collect c = { .n = 0 };

        assert_int_equal(sdx_logs_new(&l), 0);
        assert_int_equal(sdx_logs_force(l, m[k]), 0);
        sdx_syslog_init(&sl, 2026, 0);
        assert_int_equal(sdx_syslog_parse(&sl, lines[0], strlen(lines[0]), &ll), 0);
        assert_int_equal(sdx_logs_line(l, &ll, "f", 1, on_event, &c), 0);
        assert_int_equal(c.n, want[k]);
        if (c.n)
            assert_string_equal(c.ev[0].code, "550");
        sdx_logs_free(l);
        sdx_syslog_release(&sl);
    }
    {
        struct sdx_logs *l;

        assert_int_equal(sdx_logs_new(&l), 0);
        assert_int_equal(sdx_logs_force(l, SDX_MTA_SENDMAIL), 0);
        assert_int_equal(sdx_logs_force(l, SDX_MTA_OTHER), SDX_EINVAL);
        sdx_logs_free(l);
    }
}

/* garbage and non-Postfix lines: counted, never an event, never a crash */
static void test_garbage(void **state)
{
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    static const char *const junk[] = {
        "Nov 27 18:48:11 mx postfix/smtpd[1]: frobnicated the flux capacitor",
        "Nov 27 18:48:11 mx postfix/smtpd[1]: NOQUEUE: reject: ",
        "Nov 27 18:48:11 mx postfix/smtp[1]: ABCDEF123: to=<",
        "Nov 27 18:48:11 mx postfix/smtp[1]: ABCDEF123: to=<a@b>, status=bounced (",
        "Nov 27 18:48:11 mx postfix/qmgr[1]: ABCDEF123: from=<, status=expired",
        "Nov 27 18:48:11 mx kernel: something else entirely",
        "Nov 27 18:48:11 mx postfix[1]: no daemon",
    };
    (void)state;
    feed_any(junk, sizeof(junk) / sizeof(junk[0]), "junk", &c, &st);
    assert_true(st.unparsed >= 2);
    assert_true(st.mta_lines == sizeof(junk) / sizeof(junk[0]) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_postfix_events),
        cmocka_unit_test(test_postfix_notices),
        cmocka_unit_test(test_postfix_unlogged),
        cmocka_unit_test(test_force),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests_name("unit.logs", tests, NULL, NULL);
}
