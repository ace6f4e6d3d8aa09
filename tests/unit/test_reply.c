/* test_reply.c - reply.c: codes, statuses, multi-line joins, renderings,
 * and every tolerated defect flag. Table-driven; a failing row names itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <cmocka.h>
#include "smtpdx/reply.h"

struct row {
    const char     *in;
    int             code;
    const char     *status;
    const char     *text;       /* expected text, NULL: not checked */
    enum sdx_stage  stage;
    unsigned        flags_set;  /* must be set */
    unsigned        flags_clear;/* must be clear */
    const char     *host;       /* NULL: not checked */
};

#define F(x) SDX_REPLY_F_##x
static const struct row rows[] = {
    { "550 5.1.1 <a@b>: Recipient address rejected: User unknown", 550, "5.1.1",
      "<a@b>: Recipient address rejected: User unknown", SDX_STAGE_UNKNOWN, 0, F(NO_CODE) | F(CLASS_MISMATCH), NULL },
    { "550 User unknown", 550, "", "User unknown", SDX_STAGE_UNKNOWN, 0, F(NO_CODE), NULL },
    { "550-5.7.26 This mail is unauthenticated, which poses a security risk to the\r\n"
      "550-5.7.26 sender and Gmail users, and has been blocked.\r\n"
      "550 5.7.26 https://support.google.com/mail/answer/81126 - gsmtp\r\n", 550, "5.7.26",
      "This mail is unauthenticated, which poses a security risk to the sender and Gmail users, "
      "and has been blocked. https://support.google.com/mail/answer/81126 - gsmtp",
      SDX_STAGE_UNKNOWN, 0, F(BAD_CONTINUATION) | F(CODE_MISMATCH), NULL },
    { "550-5.7.26 first\n550 5.7.26 last", 550, "5.7.26", "first last", SDX_STAGE_UNKNOWN, 0, 0, NULL },
    { "550-first\n550-second", 550, "", "first second", SDX_STAGE_UNKNOWN, F(BAD_CONTINUATION), 0, NULL },
    { "550-5.1.1 a\n551 5.1.1 b", 550, "5.1.1", "a b", SDX_STAGE_UNKNOWN, F(CODE_MISMATCH), 0, NULL },
    { "550 4.2.2 Mailbox full", 550, "4.2.2", "Mailbox full", SDX_STAGE_UNKNOWN, F(CLASS_MISMATCH), 0, NULL },
    { "452 5.2.2 Mailbox full", 452, "5.2.2", NULL, SDX_STAGE_UNKNOWN, F(CLASS_MISMATCH), 0, NULL },
    { "hello world", 0, "", "hello world", SDX_STAGE_UNKNOWN, F(NO_CODE), 0, NULL },
    { "", 0, "", "", SDX_STAGE_UNKNOWN, F(NO_CODE), 0, NULL },
    { "550", 550, "", "", SDX_STAGE_UNKNOWN, F(BARE_CODE), F(NO_TEXT), NULL },
    { "5.7.26", 0, "5.7.26", "", SDX_STAGE_UNKNOWN, F(BARE_CODE), F(NO_CODE), NULL },
    { "550 5.7.26", 550, "5.7.26", "", SDX_STAGE_UNKNOWN, F(BARE_CODE), 0, NULL },
    { "  421 4.7.0 Try again later  \n", 421, "4.7.0", "Try again later", SDX_STAGE_UNKNOWN, 0, 0, NULL },
    { "550 5.7.606 Access denied, banned sending IP [192.0.2.1]", 550, "5.7.606", NULL, SDX_STAGE_UNKNOWN, 0, F(BAD_STATUS), NULL },
    { "550 6.1.1 nonsense class", 550, "", NULL, SDX_STAGE_UNKNOWN, F(BAD_STATUS), 0, NULL },
    { "550 5.1.1000 too many digits", 550, "", NULL, SDX_STAGE_UNKNOWN, F(BAD_STATUS), 0, NULL },
    { "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", 553, "5.7.1", NULL,
      SDX_STAGE_UNKNOWN, F(STATUS_IN_TEXT), 0, NULL },
    { "550 Sorry, no mailbox here by that name. (#5.1.1)", 550, "5.1.1", NULL, SDX_STAGE_UNKNOWN, F(STATUS_IN_TEXT), 0, NULL },
    /* Postfix smtp(8) rendering */
    { "host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: Recipient address rejected: "
      "User unknown in virtual mailbox table (in reply to RCPT TO command)", 550, "5.1.1",
      "<a@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
      SDX_STAGE_RCPT, 0, 0, "mx.example.com" },
    { "host 127.0.10.25[127.0.10.25] said: 550-5.1.1 The email account that you tried to reach does not exist. "
      "Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 "
      "unnecessary spaces. 550 5.1.1  https://support.example.test/mail/?p=NoSuchUser q1 - gsmtp "
      "(in reply to RCPT TO command)", 550, "5.1.1",
      "The email account that you tried to reach does not exist. Please try double-checking the "
      "recipient's email address for typos or unnecessary spaces. https://support.example.test/mail/?p=NoSuchUser q1 - gsmtp",
      SDX_STAGE_RCPT, 0, 0, "127.0.10.25" },
    { "host mx.remote.test[127.0.10.27] refused to talk to me: 554 5.7.1 not accepting mail", 554, "5.7.1",
      "not accepting mail", SDX_STAGE_CONNECT, 0, 0, "mx.remote.test" },
    { "delivery temporarily suspended: connect to mx.example.com[192.0.2.232]: server refused to talk to me: "
      "421 Service not available", 421, "", "Service not available", SDX_STAGE_CONNECT, 0, 0, "mx.example.com" },
    { "(host mx.example.net[198.51.100.7] said: 452 4.2.2 Over quota (in reply to end of DATA command))",
      452, "4.2.2", "Over quota", SDX_STAGE_EOD, 0, 0, "mx.example.net" },
    /* Postfix smtpd(8) reject line */
    { "Nov 27 18:48:11 mx postfix/smtpd[6239]: NOQUEUE: reject: RCPT from smtp-2.client-a.test[127.0.1.2]: "
      "550 5.1.1 <nosuchuser@smtpdx.test>: Recipient address rejected: User unknown in local recipient table; "
      "from=<sender@client-a.test> to=<nosuchuser@smtpdx.test> proto=ESMTP helo=<smtp-2.client-a.test>",
      550, "5.1.1", "<nosuchuser@smtpdx.test>: Recipient address rejected: User unknown in local recipient table",
      SDX_STAGE_RCPT, 0, 0, "smtp-2.client-a.test" },
    /* Exim, with its literal \n between lines and the DT= field */
    { "** x@remote.test R=r T=remote_smtp H=127.0.10.25 [127.0.10.25]:25 I=[127.0.0.1]:54679: SMTP error from "
      "remote mail server after RCPT TO:<x@remote.test>: 550-5.1.1 The email account\\n550 5.1.1 does not exist - gsmtp DT=0.000s",
      550, "5.1.1", "The email account does not exist - gsmtp", SDX_STAGE_RCPT, 0, 0, "127.0.10.25" },
    { "SMTP error from remote mail server after MAIL FROM:<a@b> SIZE=1234: 552 5.3.4 Message too big",
      552, "5.3.4", "Message too big", SDX_STAGE_MAIL, 0, 0, NULL },
    { "SMTP error from remote mail server after end of data: 554 5.7.1 spam", 554, "5.7.1", "spam", SDX_STAGE_EOD, 0, 0, NULL },
    { "SMTP error from remote mail server after initial connection: 421 4.7.0 busy", 421, "4.7.0", "busy",
      SDX_STAGE_CONNECT, 0, 0, NULL },
    /* DSN Diagnostic-Code, folded */
    { "Diagnostic-Code: smtp; 550 5.1.1 <u@example.jp>... User\n    Unknown", 550, "5.1.1",
      "<u@example.jp>... User Unknown", SDX_STAGE_UNKNOWN, 0, 0, NULL },
    { "Diagnostic-Code: X-Postfix; Host or domain name not found. Name service error", 0, "",
      "Host or domain name not found. Name service error", SDX_STAGE_UNKNOWN, F(NO_CODE), 0, NULL },
    { "smtp; 421 4.4.2 Connection dropped", 421, "4.4.2", "Connection dropped", SDX_STAGE_UNKNOWN, 0, 0, NULL },
    /* Amazon SES wraps the remote reply in its own status and quotes */
    { "Diagnostic-Code: smtp; 5.1.0 - Unknown address error 550-'5.7.1 <a@example.com>... Access denied' "
      "(delivery attempts: 0)", 550, "5.7.1", "<a@example.com>... Access denied", SDX_STAGE_UNKNOWN, 0, 0, NULL },
    /* OpenSMTPD */
    { "smtp failed-command command=\"RCPT TO:<x@opensmtpd.test>\" result=\"550 Invalid recipient: <x@opensmtpd.test>\"",
      550, "", "Invalid recipient: <x@opensmtpd.test>", SDX_STAGE_RCPT, 0, 0, NULL },
    /* found in review: each was misread once */
    { "1. - 999-'xx", 0, "", NULL, SDX_STAGE_UNKNOWN, F(NO_CODE), 0, NULL },
    { "5.1.1 - Bad destination mailbox address 550-'5.1.1 the recipient's email address is wrong' "
      "(delivery attempts: 0)", 550, "5.1.1", "the recipient's email address is wrong", SDX_STAGE_UNKNOWN, 0, 0, NULL },
    { "** b@x R=dnslookup H=mx.example.com [192.0.2.4]: SMTP error from remote mail server after RCPT TO:<b@x>: 550 5.7.1 "
      "Rejected: our filter said: spam", 550, "5.7.1", "Rejected: our filter said: spam", SDX_STAGE_RCPT, 0, 0,
      "mx.example.com" },
    { "NOQUEUE: reject: RCPT from a.example[192.0.2.4]: 450 4.1.1 <b@c>: Recipient address rejected: unverified "
      "address: host mx.example.com[192.0.2.8] said: 550 5.1.1 User unknown (in reply to RCPT TO command); "
      "from=<a@b> to=<b@c> proto=ESMTP", 450, "4.1.1", NULL, SDX_STAGE_RCPT, 0, 0, "a.example" },
    { "postfix/postscreen[1]: NOQUEUE: reject: RCPT from [192.0.2.4]:5678: 550 5.7.1 Service unavailable; "
      "client [192.0.2.4] blocked using zen.spamhaus.org; from=<a@b>, to=<c@d>, proto=ESMTP", 550, "5.7.1",
      "Service unavailable; client [192.0.2.4] blocked using zen.spamhaus.org", SDX_STAGE_RCPT, 0, 0, "" },
    { "smtpd[1]: 1a mta delivery evpid=1 from=<a@b> to=<c@d> relay=\"mx.example.com [192.0.2.1]\" delay=2s "
      "result=\"PermFail\" stat=\"550 5.1.1 <c@d>: Recipient address rejected\"", 550, "5.1.1",
      "<c@d>: Recipient address rejected", SDX_STAGE_UNKNOWN, 0, 0, "mx.example.com" },
    { "550 Too many recipients: limit is 550 per message", 550, "", "Too many recipients: limit is 550 per message",
      SDX_STAGE_UNKNOWN, 0, 0, NULL },
    { "Rejected; see https://x", 0, "", "Rejected; see https://x", SDX_STAGE_UNKNOWN, F(NO_CODE), 0, NULL },
    { "status=deferred (host mx.example[192.0.2.1] refused to talk to me: 421 Try again later)", 421, "",
      "Try again later", SDX_STAGE_CONNECT, 0, 0, "mx.example" },
    { "reject: CONNECT from a.example[192.0.2.4]: 554 5.7.1 go away; proto=SMTP", 554, "5.7.1", "go away",
      SDX_STAGE_CONNECT, 0, 0, "a.example" },
    { "host mx[192.0.2.1] said: 550-5.7.26 first 550-5.7.26 second 550 5.7.26 last (in reply to end of DATA command)",
      550, "5.7.26", "first second last", SDX_STAGE_EOD, 0, F(BAD_CONTINUATION), "mx" },
    /* defects */
    { "550 5.1.1 caf\xc3\xa9", 550, "5.1.1", "caf\xc3\xa9", SDX_STAGE_UNKNOWN, F(NON_ASCII), F(BAD_UTF8), NULL },
    { "550 5.1.1 bad \xff byte", 550, "5.1.1", NULL, SDX_STAGE_UNKNOWN, F(NON_ASCII) | F(BAD_UTF8), 0, NULL },
    { "550 no status here", 550, "", NULL, SDX_STAGE_UNKNOWN, 0, F(BAD_STATUS) | F(STATUS_IN_TEXT), NULL },
    { "250 2.0.0 Ok: queued as 4BQ2", 250, "2.0.0", "Ok: queued as 4BQ2", SDX_STAGE_UNKNOWN, 0, 0, NULL },
    { "5500 not a code", 0, "", NULL, SDX_STAGE_UNKNOWN, F(NO_CODE), 0, NULL },
    { "650 5.1.1 class 6 is no reply code", 0, "", NULL, SDX_STAGE_UNKNOWN, F(NO_CODE), 0, NULL },
};

static void test_rows(void **state)
{
    struct sdx_reply r;
    size_t i;

    (void)state;
    sdx_reply_init(&r);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *w = &rows[i];

        if (sdx_reply_parse(&r, w->in, strlen(w->in)) != 0)
            fail_msg("row %zu: parse failed", i);
        if (r.code != w->code)
            fail_msg("row %zu (%.40s): code %d, want %d", i, w->in, r.code, w->code);
        if (strcmp(r.status_str, w->status) != 0)
            fail_msg("row %zu (%.40s): status '%s', want '%s'", i, w->in, r.status_str, w->status);
        if (w->text && strcmp(r.text.data, w->text) != 0)
            fail_msg("row %zu: text\n  '%s'\nwant\n  '%s'", i, r.text.data, w->text);
        if (r.stage != w->stage)
            fail_msg("row %zu (%.40s): stage %s, want %s", i, w->in, sdx_stage_name(r.stage), sdx_stage_name(w->stage));
        if ((r.flags & w->flags_set) != w->flags_set)
            fail_msg("row %zu (%.40s): flags %#x lack %#x", i, w->in, r.flags, w->flags_set);
        if (r.flags & w->flags_clear)
            fail_msg("row %zu (%.40s): flags %#x must not have %#x", i, w->in, r.flags, r.flags & w->flags_clear);
        if (w->host && strcmp(r.host, w->host) != 0)
            fail_msg("row %zu: host '%s', want '%s'", i, r.host, w->host);
    }
    sdx_reply_release(&r);
}

/* overlong input is cut, flagged and counted, never read past the limit */
static void test_limits(void **state)
{
    struct sdx_reply r;
    size_t n = 200000;
    char *big = malloc(n);

    (void)state;
    assert_non_null(big);
    memset(big, 'a', n);
    memcpy(big, "550 5.1.1 ", 10);
    sdx_reply_init(&r);
    assert_int_equal(sdx_reply_parse(&r, big, n), 0);
    assert_int_equal(r.code, 550);
    assert_true(r.flags & SDX_REPLY_F_TRUNCATED);
    assert_true(r.skipped > 0);
    assert_true(r.text.len <= 16384);
    /* many lines: bounded too */
    for (size_t i = 0; i + 5 < n; i += 5)
        memcpy(big + i, "550-\n", 5);
    assert_int_equal(sdx_reply_parse(&r, big, n), 0);
    assert_true(r.flags & SDX_REPLY_F_TRUNCATED);
    assert_true(r.lines <= 128);
    /* NUL bytes are flagged and never end the text early */
    assert_int_equal(sdx_reply_parse(&r, "550 a\0b", 7), 0);
    assert_true(r.flags & SDX_REPLY_F_NUL);
    assert_int_equal(r.text.len, 3);
    assert_int_equal(r.text.data[1], ' ');
    sdx_reply_release(&r);
    free(big);
}

static void test_status_parse(void **state)
{
    struct sdx_status st;

    (void)state;
    assert_int_equal(sdx_status_parse("5.7.26", 6, &st), 0);
    assert_int_equal(st.klass, 5);
    assert_int_equal(st.subject, 7);
    assert_int_equal(st.detail, 26);
    assert_int_equal(sdx_status_parse("4.4.316", 7, &st), 0);
    assert_int_not_equal(sdx_status_parse("3.1.1", 5, &st), 0);
    assert_int_not_equal(sdx_status_parse("5.1", 3, &st), 0);
    assert_int_not_equal(sdx_status_parse("5.1.1x", 6, &st), 0);
    assert_int_not_equal(sdx_status_parse("5.1234.1", 8, &st), 0);
    assert_string_equal(sdx_reply_flag_name(SDX_REPLY_F_CLASS_MISMATCH), "class-mismatch");
}

static void test_doubled_code(void **state)
{
    /* Gmail's bounces quote the remote reply with its code said twice */
    static const char in[] = "550 550 5.7.1 <x@gmail.com>... Access denied (state 13).";
    struct sdx_reply r;

    (void)state;
    sdx_reply_init(&r);
    assert_int_equal(sdx_reply_parse(&r, in, sizeof(in) - 1), 0);
    assert_int_equal(r.code, 550);
    assert_string_equal(r.status_str, "5.7.1");
    assert_memory_equal(r.text.data, "<x@gmail.com>", 13);
    sdx_reply_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_status_parse),
        cmocka_unit_test(test_doubled_code),
    };
    return cmocka_run_group_tests_name("unit.reply", tests, NULL, NULL);
}
