/* test_sendmail.c - Sendmail's log lines to events (src/lib/log/sendmail.c)
 * The lines were written by Debian 12's Sendmail 8.17.1.9 (LogLevel 9) in the
 * integration harness (tests/integration/harness.sh, the sm-* scenarios, on
 * 2026-11-27); only the work directory's name is shortened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "events.h"

static const char *const maillog[] = {
    "Nov 27 22:38:10 mx sm-mta[28005]: starting daemon (8.17.1.9): SMTP",
    "Nov 27 22:38:20 mx sm-mta[28253]: 6ARMcKWP028253: from=<sender@client.test>, size=318, class=0, nrcpts=1, msgid=<sm-accept-inbound.1795819100@client.test>, proto=ESMTP, daemon=MTA, relay=[127.0.4.9]",
    "Nov 27 22:38:20 mx sm-mta[28254]: 6ARMcKWP028253: to=/tmp/smtpdx-it.X/sendmail/local.mbox, ctladdr=root (1/0), delay=00:00:00, xdelay=00:00:00, mailer=*file*, pri=30500, dsn=2.0.0, stat=Sent",
    "Nov 27 22:38:20 mx sm-mta[28264]: 6ARMcKg2028264: from=<sender@client.test>, size=317, class=0, nrcpts=1, msgid=<sm-accept-outbound.1795819100@client.test>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]",
    "Nov 27 22:38:20 mx sm-mta[28266]: 6ARMcKg2028264: to=<friend@sink.test>, delay=00:00:00, xdelay=00:00:00, mailer=smtp, pri=30317, relay=[127.0.10.1] [127.0.10.1], dsn=2.0.0, stat=Sent (Ok)",
    "Nov 27 22:38:20 mx sm-mta[28275]: 6ARMcKC8028275: <nosuchuser@sm.smtpdx.test>... User unknown",
    "Nov 27 22:38:20 mx sm-mta[28275]: 6ARMcKC8028275: from=<sender@client.test>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=[127.0.4.1]",
    "Nov 27 22:38:20 mx sm-mta[28283]: 6ARMcKAK028283: ruleset=check_rcpt, arg1=<someone@elsewhere.test>, relay=[127.0.4.2], reject=550 5.7.1 <someone@elsewhere.test>... Relaying denied. IP name lookup failed [127.0.4.2]",
    "Nov 27 22:38:20 mx sm-mta[28283]: 6ARMcKAK028283: from=<sender@client.test>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=[127.0.4.2]",
    "Nov 27 22:38:20 mx sm-mta[28291]: ruleset=check_relay, arg1=[127.0.4.66], arg2=127.0.4.66, relay=[127.0.4.66], reject=550 5.7.1 Access denied",
    "Nov 27 22:38:21 mx sm-mta[28299]: 6ARMcLVY028299: ruleset=check_mail, arg1=<x@spammer.test>, relay=[127.0.4.3], reject=550 5.7.1 <x@spammer.test>... Access denied",
    "Nov 27 22:38:21 mx sm-mta[28299]: 6ARMcLVY028299: from=<x@spammer.test>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=[127.0.4.3]",
    "Nov 27 22:38:21 mx sm-mta[28307]: 6ARMcLkg028307: ruleset=check_mail, arg1=<sender@nx.test>, relay=[127.0.4.4], reject=553 5.1.8 <sender@nx.test>... Domain of sender address sender@nx.test does not exist",
    "Nov 27 22:38:21 mx sm-mta[28307]: 6ARMcLkg028307: from=<sender@nx.test>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=[127.0.4.4]",
    "Nov 27 22:38:21 mx sm-mta[28315]: 6ARMcL0a028315: ruleset=check_rcpt, arg1=<greylist@sm.smtpdx.test>, relay=[127.0.4.5], reject=451 4.7.1 Greylisted,please try again later",
    "Nov 27 22:38:21 mx sm-mta[28315]: 6ARMcL0a028315: from=<sender@client.test>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=[127.0.4.5]",
    "Nov 27 22:38:21 mx sm-mta[28326]: 6ARMcLUs028326: from=<sender@client.test>, size=30678, class=0, nrcpts=1, msgid=<sm-in-too-big.1795819101@client.test>, proto=ESMTP, daemon=MTA, relay=[127.0.4.6]",
    "Nov 27 22:38:21 mx sm-mta[28326]: 6ARMcLUs028326: message size (30678) exceeds maximum (20000)",
    "Nov 27 22:38:21 mx sm-mta[28326]: 6ARMcLUs028326: to=<alice@sm.smtpdx.test>, delay=00:00:00, pri=60678, stat=Message exceeds maximum fixed size (20000)",
    "Nov 27 22:38:21 mx sm-mta[28334]: 6ARMcLix028334: from=<sender@sender.test>, size=309, class=0, nrcpts=1, msgid=<sm-out-rcpt-550.1795819101@client.test>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]",
    "Nov 27 22:38:21 mx sm-mta[28336]: 6ARMcLix028334: to=<user@rcpt550.test>, delay=00:00:00, xdelay=00:00:00, mailer=smtp, pri=30309, relay=[127.0.10.2] [127.0.10.2], dsn=5.1.1, reply=550 5.1.1 The email account that you tried to reach does not exist, stat=User unknown",
    "Nov 27 22:38:21 mx sm-mta[28336]: 6ARMcLix028334: 6ARMcLix028336: DSN: User unknown",
    "Nov 27 22:38:21 mx sm-mta[28336]: 6ARMcLix028336: to=<sender@sender.test>, delay=00:00:00, xdelay=00:00:00, mailer=smtp, pri=31333, relay=[127.0.10.1] [127.0.10.1], dsn=2.0.0, stat=Sent (Ok)",
    "Nov 27 22:38:21 mx sm-mta[28343]: 6ARMcLB7028343: from=<sender@sender.test>, size=309, class=0, nrcpts=1, msgid=<sm-out-rcpt-450.1795819101@client.test>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]",
    "Nov 27 22:38:21 mx sm-mta[28345]: 6ARMcLB7028343: to=<user@rcpt450.test>, delay=00:00:00, xdelay=00:00:00, mailer=smtp, pri=30309, relay=[127.0.10.3] [127.0.10.3], dsn=4.2.1, reply=450 4.2.1 The user you are trying to contact is receiving mail too quickly, try again later, stat=Deferred: 450 4.2.1 The user you are trying to contact is receiving mail too quickly, try again later",
    "Nov 27 22:38:21 mx sm-mta[28352]: 6ARMcL5g028352: from=<sender@sender.test>, size=309, class=0, nrcpts=1, msgid=<sm-out-data-554.1795819101@client.test>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]",
    "Nov 27 22:38:21 mx sm-mta[28354]: 6ARMcL5g028352: to=<user@data554.test>, delay=00:00:00, xdelay=00:00:00, mailer=smtp, pri=30309, relay=[127.0.10.4] [127.0.10.4], dsn=5.0.0, reply=554 5.7.1 Service unavailable; sending host blocked by policy, stat=Service unavailable",
    "Nov 27 22:38:21 mx sm-mta[28354]: 6ARMcL5g028352: 6ARMcL5g028354: DSN: Service unavailable",
    "Nov 27 22:38:21 mx sm-mta[28354]: 6ARMcL5g028354: to=<sender@sender.test>, delay=00:00:00, xdelay=00:00:00, mailer=smtp, pri=31333, relay=[127.0.10.1] [127.0.10.1], dsn=2.0.0, stat=Sent (Ok)",
    "Nov 27 22:38:21 mx sm-mta[28361]: 6ARMcLGG028361: from=<sender@sender.test>, size=305, class=0, nrcpts=1, msgid=<sm-out-expired.1795819101@client.test>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]",
    "Nov 27 22:38:21 mx sm-mta[28363]: 6ARMcLGG028361: to=<user@expire.test>, delay=00:00:00, xdelay=00:00:00, mailer=smtp, pri=30305, relay=[127.0.10.6] [127.0.10.6], dsn=4.3.0, reply=451 4.3.0 Mail server temporarily rejected message, stat=Deferred: 451 4.3.0 Mail server temporarily rejected message",
    "Nov 27 22:38:23 mx sendmail[28420]: 6ARMcLGG028361: to=<user@expire.test>, delay=00:00:02, xdelay=00:00:00, mailer=smtp, pri=120305, relay=[127.0.10.6] [127.0.10.6], dsn=4.3.0, reply=451 4.3.0 Mail server temporarily rejected message, stat=Deferred: 451 4.3.0 Mail server temporarily rejected message",
    "Nov 27 22:38:23 mx sendmail[28420]: 6ARMcLGG028361: 6ARMcNw8028420: DSN: Cannot send message for 1 second",
    "Nov 27 22:38:23 mx sendmail[28420]: 6ARMcNw8028420: to=<sender@sender.test>, delay=00:00:00, xdelay=00:00:00, mailer=smtp, pri=31517, relay=[127.0.10.1] [127.0.10.1], dsn=2.0.0, stat=Sent (Ok)"
};

/* every refusal, bounce, deferral and expiry, each with its client, sender,
 * recipient and queue id; deliveries counted; nothing left unread */
static void test_sendmail_maillog(void **state)
{
    static const struct want want[] = {
        /* "<r>... User unknown" logs no code: Sendmail sent 550 5.1.1; the
         * sender comes from the from= line logged after it */
        { 6, "inbound", "rejected", "rcpt", "550", "5.1.1", "sender@client.test", "nosuchuser@sm.smtpdx.test",
          "6ARMcKC8028275", "127.0.4.1", "" },
        { 8, "inbound", "rejected", "rcpt", "550", "5.7.1", "sender@client.test", "someone@elsewhere.test",
          "6ARMcKAK028283", "127.0.4.2", "" },
        { 10, "inbound", "rejected", "connect", "550", "5.7.1", "", "", "", "127.0.4.66", "" },
        { 11, "inbound", "rejected", "mail", "550", "5.7.1", "x@spammer.test", "", "6ARMcLVY028299", "127.0.4.3", "" },
        { 13, "inbound", "rejected", "mail", "553", "5.1.8", "sender@nx.test", "", "6ARMcLkg028307", "127.0.4.4", "" },
        { 15, "inbound", "rejected", "rcpt", "451", "4.7.1", "sender@client.test", "greylist@sm.smtpdx.test",
          "6ARMcL0a028315", "127.0.4.5", "" },
        /* too big: 552 5.2.3 (the transcript), the recipient from the to= line */
        { 19, "inbound", "rejected", "end-of-data", "552", "5.2.3", "sender@client.test", "alice@sm.smtpdx.test",
          "6ARMcLUs028326", "127.0.4.6", "" },
        { 21, "outbound", "bounced", "unknown", "550", "5.1.1", "sender@sender.test", "user@rcpt550.test",
          "6ARMcLix028334", "127.0.0.1", "127.0.10.2" },
        { 25, "outbound", "deferred", "unknown", "450", "4.2.1", "sender@sender.test", "user@rcpt450.test",
          "6ARMcLB7028343", "127.0.0.1", "127.0.10.3" },
        /* the reply says 5.7.1, Sendmail decided dsn=5.0.0 */
        { 27, "outbound", "bounced", "unknown", "554", "5.7.1", "sender@sender.test", "user@data554.test",
          "6ARMcL5g028352", "127.0.0.1", "127.0.10.4" },
        { 31, "outbound", "deferred", "unknown", "451", "4.3.0", "sender@sender.test", "user@expire.test",
          "6ARMcLGG028361", "127.0.0.1", "127.0.10.6" },
        { 32, "outbound", "deferred", "unknown", "451", "4.3.0", "sender@sender.test", "user@expire.test",
          "6ARMcLGG028361", "127.0.0.1", "127.0.10.6" },
        /* the queue run gave up: expired, with the last deferral's reply */
        { 33, "outbound", "expired", "unknown", "451", "4.3.0", "sender@sender.test", "user@expire.test",
          "6ARMcLGG028361", "127.0.0.1", "" },
    };
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;

    (void)state;
    feed(maillog, sizeof(maillog) / sizeof(maillog[0]), "sendmail.log", &c, &st);
    check(&c, want, sizeof(want) / sizeof(want[0]), "sendmail");
    assert_string_equal(c.ev[0].from, "reconstructed");
    assert_string_equal(c.ev[1].from, "logged");
    assert_string_equal(c.ev[9].dsn, "5.0.0");
    assert_string_equal(c.ev[7].message_id, "sm-out-rcpt-550.1795819101@client.test");
    assert_int_equal(c.ev[7].size, 309);
    assert_int_equal(c.ev[11].delay_ms, 2000);          /* delay=00:00:02 */
    assert_int_equal(c.ev[7].delay_ms, 0);
    /* accepted: local file, friend@sink.test, and the three DSNs to the sender */
    assert_int_equal(st.delivered, 5);
}

/* a refusal whose from= line never comes is sent at the end, without its
 * sender; more waiting refusals than the bound send the oldest first */
static void test_sendmail_pending(void **state)
{
    static char lines[300][200];
    static const char *p[300];
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    size_t i;

    (void)state;
    for (i = 0; i < 300; i++) {
        snprintf(lines[i], sizeof(lines[i]), "Nov 27 22:38:20 mx sm-mta[%zu]: 6ARMcKAK%06zu: ruleset=check_rcpt, "
                 "arg1=<r%zu@elsewhere.test>, relay=[127.0.4.2], reject=550 5.7.1 <r%zu@elsewhere.test>... "
                 "Relaying denied", 100 + i, i, i, i);
        p[i] = lines[i];
    }
    feed(p, 1, "sendmail.log", &c, &st);
    assert_int_equal(c.n, 1);                   /* sdx_logs_end sent it */
    assert_string_equal(c.ev[0].sender, "");
    assert_string_equal(c.ev[0].recipient, "r0@elsewhere.test");
    c.n = 0;
    feed(p, 80, "sendmail.log", &c, &st);
    assert_int_equal(st.events, 80);            /* all wait (256 at most) and are sent, once */
    assert_string_equal(c.ev[0].recipient, "r0@elsewhere.test");
    assert_int_equal(c.ev[0].line, 1);
    /* more than LOGS_WAIT_MAX (256) wait: the oldest go out first, all once */
    c.n = 0;
    feed(p, 300, "sendmail.log", &c, &st);
    assert_int_equal(st.events, 300);
    assert_string_equal(c.ev[0].recipient, "r0@elsewhere.test");
    assert_int_equal(c.ev[0].line, 1);
    assert_int_equal(c.ev[1].line, 2);
}

/* garbage and cut lines: counted, never a crash; other programs left alone */
static void test_sendmail_garbage(void **state)
{
    static const char *const junk[] = {
        "Nov 27 22:38:20 mx sm-mta[1]: frobnicated the flux capacitor",
        "Nov 27 22:38:20 mx sm-mta[1]: 6ARMcKAK028283: ruleset=check_rcpt, reject=",
        "Nov 27 22:38:20 mx sm-mta[1]: 6ARMcKAK028283: ruleset=",
        "Nov 27 22:38:20 mx sm-mta[1]: 6ARMcKAK028283: to=<a@b>, stat=",
        "Nov 27 22:38:20 mx sm-mta[1]: 6ARMcKAK028283: to=",
        "Nov 27 22:38:20 mx sm-mta[1]: 6ARMcKAK028283: to=<a@b>, mailer=smtp, relay=[, dsn=5, stat=Deferred",
        "Nov 27 22:38:20 mx sm-mta[1]: 6ARMcKAK028283: from=<, nrcpts=99999999999",
        "Nov 27 22:38:20 mx sm-mta[1]: 6ARMcKAK028283: <>... User unknown",
        "Nov 27 22:38:20 mx sm-mta[1]: 6ARMcKAK028283: 6ARMcKAK028284: DSN: Cannot send message for 5 days",
        "Nov 27 22:38:20 mx sm-mta[1]: 6ARMcKAK028283: Milter: to=<a@b>, reject=",
        "Nov 27 22:38:20 mx sm-mta[1]: NOQUEUE: Milter: connect: host=x, addr=1.2.3.4, reject=554 5.7.1 no",
        "Nov 27 22:38:20 mx sm-mta[1]: 6ARMcKAK028283: message size (1) exceeds maximum (",
        "Nov 27 22:38:20 mx sm-mta[1]: 6ARMcKAK028283: mystery",
        "Nov 27 22:38:20 mx smtpd[1]: not Sendmail's",
    };
    struct sdx_logs *l;
    struct sdx_syslog sl;
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    size_t i;

    (void)state;
    assert_int_equal(sdx_logs_new(&l), 0);
    sdx_syslog_init(&sl, 2026, 0);
    for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        struct sdx_logline ll;

        assert_int_equal(sdx_syslog_parse(&sl, junk[i], strlen(junk[i]), &ll), 0);
        assert_int_equal(sdx_logs_line(l, &ll, "junk", i + 1, on_event, &c), 0);
    }
    assert_int_equal(sdx_logs_end(l, on_event, &c), 0);
    sdx_logs_stats(l, &st);
    assert_true(st.unparsed >= 1);
    assert_true(c.n >= 3);                      /* the ones with a reply are still refusals */
    sdx_logs_free(l);
    sdx_syslog_release(&sl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sendmail_maillog),
        cmocka_unit_test(test_sendmail_pending),
        cmocka_unit_test(test_sendmail_garbage),
    };
    return cmocka_run_group_tests_name("unit.sendmail", tests, NULL, NULL);
}
