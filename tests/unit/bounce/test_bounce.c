/* test_bounce.c - the bounce reader (bounce.h): DSN fields, mbox, kinds,
 * recipients, verdicts, and the limits on hostile input (50 MB message,
 * deep MIME nesting, broken boundaries, binary garbage) */
#define _GNU_SOURCE 1
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "smtpdx/bounce.h"
#include "smtpdx/buf.h"

/* ---- the field parser ----------------------------------------------------- */
struct fields {
    char     names[16][32], values[16][128];
    unsigned blocks[16];
    size_t   n;
};

static void collect(void *arg, unsigned block, const char *name, size_t nlen, const char *v, size_t vn)
{
    struct fields *f = arg;

    if (f->n == 16)
        return;
    snprintf(f->names[f->n], sizeof(f->names[0]), "%.*s", (int)nlen, name);
    snprintf(f->values[f->n], sizeof(f->values[0]), "%.*s", (int)vn, v);
    f->blocks[f->n++] = block;
}

static void test_fields_blocks_and_folding(void **state)
{
    static const char in[] =
        "Reporting-MTA: dns; mx.example.net\r\n"
        "\r\n"
        "Final-Recipient: rfc822; a@example.com\r\n"
        "Status: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 no such\r\n"
        "   user here\r\n"
        "  \r\n"
        "Final-Recipient: rfc822; b@example.com\n"
        "not a field line\n"
        "Status: 4.2.2\n";
    struct fields f = { 0 };

    (void)state;
    assert_int_equal(sdx_dsn_fields(in, sizeof(in) - 1, collect, &f), 6);
    assert_string_equal(f.names[0], "Reporting-MTA");
    assert_int_equal(f.blocks[0], 0);
    assert_string_equal(f.values[3], "smtp; 550 5.1.1 no such user here");
    assert_int_equal(f.blocks[3], 1);
    assert_string_equal(f.values[4], "rfc822; b@example.com");
    assert_int_equal(f.blocks[4], 2);                  /* a blank line of spaces ends a block */
    assert_string_equal(f.names[5], "Status");
}

static void test_fields_long_line_bounded(void **state)
{
    size_t n = 200000, i;
    char *in = malloc(n);
    struct fields f = { 0 };

    (void)state;
    assert_non_null(in);
    memcpy(in, "Diagnostic-Code: ", 17);
    for (i = 17; i < n - 20; i++)
        in[i] = 'x';
    memcpy(in + n - 20, "\nStatus: 5.0.0\n\n\n\n\n", 20);
    assert_int_equal(sdx_dsn_fields(in, n, collect, &f), 2);
    assert_int_equal(strlen(f.values[0]), sizeof(f.values[0]) - 1);   /* cut, not overflowing */
    assert_string_equal(f.values[1], "5.0.0");
    free(in);
}

/* ---- mbox ------------------------------------------------------------------- */
static void test_mbox_split(void **state)
{
    static const char in[] =
        "From a@b Thu Jan  1 00:00:00 2026\n"
        "Subject: one\n\nbody\nFrom here is not a separator\n\n"
        "From c@d Thu Jan  1 00:00:01 2026\n"
        "Subject: two\n\nbody two\n";
    size_t off = 0, len;
    const char *msg;

    (void)state;
    assert_int_equal(sdx_mbox_next(in, sizeof(in) - 1, &off, &msg, &len), 1);
    assert_memory_equal(msg, "Subject: one", 12);
    assert_non_null(memmem(msg, len, "From here", 9));
    assert_int_equal(sdx_mbox_next(in, sizeof(in) - 1, &off, &msg, &len), 1);
    assert_memory_equal(msg, "Subject: two", 12);
    assert_int_equal(sdx_mbox_next(in, sizeof(in) - 1, &off, &msg, &len), 0);
}

/* ---- kinds and recipients ------------------------------------------------------ */
static const char dsn[] =
    "From: MAILER-DAEMON@mx.example.net\n"
    "To: alice@example.org\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
    "\n"
    "--B\n"
    "Content-Type: text/plain\n"
    "\n"
    "I'm sorry to have to inform you that your message could not be delivered.\n"
    "--B\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.net\n"
    "\n"
    "Final-Recipient: rfc822; bob@example.com\n"
    "Original-Recipient: rfc822; bob@example.com\n"
    "Action: failed\n"
    "Status: 5.0.0\n"
    "Remote-MTA: dns; mx.example.com\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.com>: Recipient address\n"
    "    rejected: User unknown in local recipient table\n"
    "\n"
    "Final-Recipient: rfc822; carol@example.com\n"
    "Action: delayed\n"
    "Status: 4.2.2\n"
    "Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\n"
    "\n"
    "Final-Recipient: rfc822; dave@example.com\n"
    "Action: delivered\n"
    "Status: 2.0.0\n"
    "--B\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "From: Alice <alice@example.org>\n"
    "To: bob@example.com\n"
    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n"
    "Message-ID: <m1@example.org>\n"
    "--B--\n";

static void test_dsn(void **state)
{
    struct sdx_bounce b;

    (void)state;
    assert_int_equal(sdx_bounce_parse(&b, dsn, sizeof(dsn) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_DSN);
    assert_int_equal(b.nrcpt, 3);
    assert_true(sdx_str_eq(b.rcpt[0].recipient, "bob@example.com"));
    assert_true(sdx_str_eq(b.rcpt[0].remote_mta, "mx.example.com"));
    assert_string_equal(b.rcpt[0].reply.status_str, "5.1.1");   /* the reply's, not the generic field */
    assert_int_equal(b.rcpt[0].reply.code, 550);
    assert_int_equal(b.rcpt[0].verdict.reason, SDX_REASON_USERUNKNOWN);
    assert_int_equal(b.rcpt[0].outcome, SDX_OUT_BOUNCED);
    assert_true(b.rcpt[0].hard);
    assert_int_equal(b.rcpt[1].verdict.reason, SDX_REASON_MAILBOXFULL);
    assert_int_equal(b.rcpt[1].outcome, SDX_OUT_DEFERRED);
    assert_false(b.rcpt[1].hard);
    assert_int_equal(b.rcpt[2].verdict.reason, SDX_REASON_DELIVERED);
    assert_int_equal(b.rcpt[2].outcome, SDX_OUT_DELIVERED);
    assert_true(sdx_str_eq(b.orig_message_id, "<m1@example.org>"));
    assert_true(sdx_str_eq(b.reporting_mta, "mx.example.net"));
    sdx_bounce_release(&b);
}

static void test_dsn_expired(void **state)
{
    /* Sendmail gives up: Status 4.4.7 beside the last reply, which names the
     * condition the retries met */
    static const char in[] =
        "From: MAILER-DAEMON@mx.example.net\nSubject: Returned mail: see transcript for details\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        "Final-Recipient: RFC822; full@example.com\nAction: failed\nStatus: 4.4.7\n"
        "Diagnostic-Code: SMTP; 452 4.4.5 Insufficient disk space; try again later\n\n"
        "Final-Recipient: RFC822; slow@example.com\nAction: failed\nStatus: 4.4.7\n--b--\n";
    struct sdx_bounce b;

    (void)state;
    assert_int_equal(sdx_bounce_parse(&b, in, sizeof(in) - 1, NULL), 0);
    assert_int_equal(b.nrcpt, 2);
    assert_int_equal(b.rcpt[0].outcome, SDX_OUT_EXPIRED);
    assert_string_equal(b.rcpt[0].reply.status_str, "4.4.5");          /* the server's own */
    assert_int_equal(b.rcpt[0].verdict.reason, SDX_REASON_SYSTEMFULL); /* the condition met */
    assert_int_equal(b.rcpt[1].outcome, SDX_OUT_EXPIRED);
    assert_int_equal(b.rcpt[1].verdict.reason, SDX_REASON_EXPIRED);    /* nothing more said */
    assert_false(b.rcpt[0].hard);
    sdx_bounce_release(&b);
}

static void test_arf(void **state)
{
    static const char in[] =
        "From: fbl@isp.example\nSubject: complaint\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=x\n\n"
        "--x\nContent-Type: text/plain\n\nA complaint.\n"
        "--x\nContent-Type: message/feedback-report\n\n"
        "Feedback-Type: abuse\nUser-Agent: fbl/1.0\nVersion: 1\nOriginal-Rcpt-To: <u@isp.example>\n"
        "--x\nContent-Type: message/rfc822\n\nFrom: news@example.org\nTo: u@isp.example\n"
        "Message-ID: <n1@example.org>\nSubject: News\n\nhello\n--x--\n";
    struct sdx_bounce b;

    (void)state;
    assert_int_equal(sdx_bounce_parse(&b, in, sizeof(in) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_ARF);
    assert_true(sdx_str_eq(b.feedback_type, "abuse"));
    assert_int_equal(b.nrcpt, 1);
    assert_true(sdx_str_eq(b.rcpt[0].recipient, "u@isp.example"));
    assert_int_equal(b.rcpt[0].verdict.reason, SDX_REASON_FEEDBACK);
    assert_true(sdx_str_eq(b.orig_message_id, "<n1@example.org>"));
    sdx_bounce_release(&b);
}

static void test_autoreply_and_none(void **state)
{
    static const char ar[] =
        "From: Bob <bob@example.com>\nTo: alice@example.org\nSubject: Out of Office: lunch\n"
        "Auto-Submitted: auto-replied\n\nI am away until Monday.\n";
    static const char plain[] =
        "From: bob@example.com\nTo: alice@example.org\nSubject: lunch?\n\n"
        "Shall we meet at 12? Call 555 1234 or write carol@example.net.\n";
    struct sdx_bounce b;

    (void)state;
    assert_int_equal(sdx_bounce_parse(&b, ar, sizeof(ar) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_AUTOREPLY);
    assert_int_equal(b.nrcpt, 1);
    assert_true(sdx_str_eq(b.rcpt[0].recipient, "bob@example.com"));
    assert_int_equal(b.rcpt[0].verdict.reason, SDX_REASON_VACATION);
    sdx_bounce_release(&b);
    assert_int_equal(sdx_bounce_parse(&b, plain, sizeof(plain) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_NONE);
    assert_int_equal(b.nrcpt, 0);
    sdx_bounce_release(&b);
}

static void test_text_bounces(void **state)
{
    /* qmail's shape and Exim's shape, in our own test words */
    static const char qmail[] =
        "From: MAILER-DAEMON@mx.example.net\nTo: alice@example.org\nSubject: failure notice\n\n"
        "Hi. This is the qmail-send program at mx.example.net.\n\n"
        "<bob@example.com>:\n192.0.2.1 does not like recipient.\n"
        "Remote host said: 550 5.1.1 <bob@example.com>: No such user here\nGiving up on 192.0.2.1.\n\n"
        "<carol@example.com>:\nRemote host said: 552 5.2.2 Mailbox full\n\n"
        "--- Below this line is a copy of the message.\n\n"
        "From: alice@example.org\nTo: bob@example.com, dave@example.com\nMessage-ID: <q1@example.org>\n"
        "Subject: hi\n\nhello dave@example.com\n";
    static const char exim[] =
        "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nTo: alice@example.org\n"
        "Subject: Mail delivery failed: returning message to sender\n"
        "X-Failed-Recipients: bob@example.com\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        "  bob@example.com\n    host mx.example.com [192.0.2.7]\n"
        "    SMTP error from remote mail server after RCPT TO:<bob@example.com>:\n"
        "    550 5.1.1 User unknown\n";
    struct sdx_bounce b;

    (void)state;
    assert_int_equal(sdx_bounce_parse(&b, qmail, sizeof(qmail) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_TEXT);
    assert_int_equal(b.nrcpt, 2);                       /* not dave, in the returned copy */
    assert_true(sdx_str_eq(b.rcpt[0].recipient, "bob@example.com"));
    assert_int_equal(b.rcpt[0].reply.code, 550);
    assert_int_equal(b.rcpt[0].verdict.reason, SDX_REASON_USERUNKNOWN);
    assert_true(sdx_str_eq(b.rcpt[1].recipient, "carol@example.com"));
    assert_int_equal(b.rcpt[1].verdict.reason, SDX_REASON_MAILBOXFULL);
    assert_true(sdx_str_eq(b.orig_message_id, "<q1@example.org>"));
    sdx_bounce_release(&b);

    assert_int_equal(sdx_bounce_parse(&b, exim, sizeof(exim) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_TEXT);
    assert_int_equal(b.nrcpt, 1);
    assert_int_equal(b.rcpt[0].reply.code, 550);
    assert_int_equal(b.rcpt[0].reply.stage, SDX_STAGE_RCPT);
    assert_true(b.rcpt[0].hard);
    sdx_bounce_release(&b);
}

static void test_pasted_dsn(void **state)
{
    /* a DSN forwarded as plain text: the fields are still read */
    static const char in[] =
        "From: alice@example.org\nTo: admin@example.org\nSubject: Fwd: Undeliverable\n\n"
        "see below\n\nReporting-MTA: dns; mx.example.net\n\n"
        "Final-Recipient: rfc822; bob@example.com\nAction: failed\nStatus: 5.2.2\n"
        "Diagnostic-Code: smtp; 552 5.2.2 Over quota\n";
    struct sdx_bounce b;

    (void)state;
    assert_int_equal(sdx_bounce_parse(&b, in, sizeof(in) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_DSN);
    assert_true(b.flags & SDX_BOUNCE_F_PASTED_DSN);
    assert_int_equal(b.rcpt[0].verdict.reason, SDX_REASON_MAILBOXFULL);
    sdx_bounce_release(&b);
}

static void test_amazon_ses(void **state)
{
    /* the documented notification shapes (docs.aws.amazon.com/ses, "Contents of
     * notifications"), direct and wrapped by SNS as an escaped string */
    static const char direct[] =
        "From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message\n\n"
        "{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\","
        "\"bouncedRecipients\":[{\"emailAddress\":\"a@example.com\",\"action\":\"failed\","
        "\"status\":\"5.1.1\",\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\"},"
        "{\"status\":\"5.2.2\",\"emailAddress\":\"b@example.com\",\"diagnosticCode\":\"smtp; 552 5.2.2 full\"}]}}\n";
    static const char sns[] =
        "From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message\n\n"
        "{\"Type\" : \"Notification\", \"Message\" : \"{\\\"notificationType\\\":\\\"Complaint\\\","
        "\\\"complaint\\\":{\\\"complainedRecipients\\\":[{\\\"emailAddress\\\":\\\"c@example.com\\\"}],"
        "\\\"complaintFeedbackType\\\":\\\"abuse\\\"}}\"}\n";
    struct sdx_bounce b;

    (void)state;
    assert_int_equal(sdx_bounce_parse(&b, direct, sizeof(direct) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_DSN);
    assert_int_equal(b.nrcpt, 2);
    assert_true(sdx_str_eq(b.rcpt[0].recipient, "a@example.com"));
    assert_int_equal(b.rcpt[0].verdict.reason, SDX_REASON_USERUNKNOWN);
    assert_true(sdx_str_eq(b.rcpt[1].recipient, "b@example.com"));
    assert_string_equal(b.rcpt[1].reply.status_str, "5.2.2");
    assert_int_equal(b.rcpt[1].verdict.reason, SDX_REASON_MAILBOXFULL);
    sdx_bounce_release(&b);
    assert_int_equal(sdx_bounce_parse(&b, sns, sizeof(sns) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_ARF);
    assert_true(sdx_str_eq(b.feedback_type, "abuse"));
    assert_int_equal(b.nrcpt, 1);
    assert_true(sdx_str_eq(b.rcpt[0].recipient, "c@example.com"));
    sdx_bounce_release(&b);
}

static void test_second_hand(void **state)
{
    /* anyone can attach a DSN to a mail: read, never a hard bounce */
    static const char fwd[] =
        "From: friend@example.org\nTo: me@example.net\nSubject: look at this\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: text/plain\n\nfyi\n"
        "--o\nContent-Type: message/rfc822\n\nFrom: MAILER-DAEMON@example.net\nSubject: failure\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=i\n\n"
        "--i\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        "Final-Recipient: rfc822; innocent@example.com\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\n--i--\n--o--\n";
    static const char brand[] =
        "From: shop@example.org\nTo: me@example.net\nSubject: Our brandnew catalogue\n\n"
        "Unknown user: bob@example.com wrote to us.\n";
    struct sdx_bounce b;

    (void)state;
    assert_int_equal(sdx_bounce_parse(&b, fwd, sizeof(fwd) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_DSN);
    assert_true(b.flags & SDX_BOUNCE_F_ATTACHED_DSN);
    assert_int_equal(b.nrcpt, 1);
    assert_int_equal(b.rcpt[0].verdict.reason, SDX_REASON_USERUNKNOWN);
    assert_false(b.rcpt[0].hard);
    sdx_bounce_release(&b);
    /* subject words start words: "brandnew" holds no "ndn" */
    assert_int_equal(sdx_bounce_parse(&b, brand, sizeof(brand) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_NONE);
    sdx_bounce_release(&b);
}

static void test_many_parts(void **state)
{
    /* 20,000 delivery-status parts: gathered once, capped, bounded memory */
    struct sdx_buf m;
    struct sdx_bounce b;
    int i;

    (void)state;
    sdx_buf_init(&m, 1u << 26);
    assert_int_equal(sdx_buf_adds(&m, "From: MAILER-DAEMON@x.example\nSubject: Undelivered\nMIME-Version: 1.0\n"
                                      "Content-Type: multipart/report; report-type=delivery-status; boundary=z\n\n"), 0);
    for (i = 0; i < 20000; i++)
        assert_int_equal(sdx_buf_addf(&m, "--z\nContent-Type: message/delivery-status\n\n"
                                          "Final-Recipient: rfc822; r%d@example.com\nAction: failed\nStatus: 5.1.1\n", i), 0);
    assert_int_equal(sdx_buf_adds(&m, "--z--\n"), 0);
    assert_int_equal(sdx_bounce_parse(&b, m.data, m.len, NULL), 0);
    assert_true(b.flags & SDX_BOUNCE_F_TEXT_CUT);
    assert_int_equal(b.nrcpt, 64);                      /* the parts read */
    sdx_bounce_release(&b);
    sdx_buf_release(&m);
}

/* ---- hostile input ------------------------------------------------------------------ */
static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_fifty_megabytes(void **state)
{
    size_t big = 50u << 20, n = sizeof(dsn) - 1 - 6, i;   /* the DSN without its closing "--B--" */
    char *in = malloc(n + big + 64);
    struct sdx_bounce b;
    struct sdx_bounce_opts all = { 64u << 20 };
    double t0;

    (void)state;
    assert_non_null(in);
    memcpy(in, dsn, n);
    memcpy(in + n, "--B\nContent-Type: application/octet-stream\n\n", 45);
    for (i = 0; i < big; i++)
        in[n + 45 + i] = (char)('A' + i % 26 + (i % 77 == 76 ? -55 : 0));   /* lines of 76 */
    n += 45 + big;
    t0 = now();
    assert_int_equal(sdx_bounce_parse(&b, in, n, NULL), 0);   /* default: the first 16 MB */
    assert_true(b.flags & SDX_BOUNCE_F_TRUNCATED);
    assert_int_equal(b.skipped, n - SDX_BOUNCE_SIZE_DEFAULT);
    assert_int_equal(b.kind, SDX_BOUNCE_DSN);                /* the DSN comes first: still read */
    assert_int_equal(b.rcpt[0].verdict.reason, SDX_REASON_USERUNKNOWN);
    sdx_bounce_release(&b);
    assert_int_equal(sdx_bounce_parse(&b, in, n, &all), 0);   /* the whole 50 MB */
    assert_false(b.flags & SDX_BOUNCE_F_TRUNCATED);
    assert_int_equal(b.nrcpt, 3);
    sdx_bounce_release(&b);
    assert_true(now() - t0 < 30.0);
    free(in);
}

static void test_deep_nesting(void **state)
{
    struct sdx_buf m;
    struct sdx_bounce b;
    int i, depth = 2000;

    (void)state;
    sdx_buf_init(&m, 1u << 26);
    assert_int_equal(sdx_buf_adds(&m, "From: MAILER-DAEMON@x.example\nSubject: Undelivered\nMIME-Version: 1.0\n"), 0);
    for (i = 0; i < depth; i++)
        assert_int_equal(sdx_buf_addf(&m, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i), 0);
    assert_int_equal(sdx_buf_adds(&m, "Content-Type: message/delivery-status\n\n"
                                      "Final-Recipient: rfc822; deep@example.com\nAction: failed\nStatus: 5.1.1\n"), 0);
    for (i = depth - 1; i >= 0; i--)
        assert_int_equal(sdx_buf_addf(&m, "--b%d--\n", i), 0);
    assert_int_equal(sdx_bounce_parse(&b, m.data, m.len, NULL), 0);
    assert_true(b.flags & SDX_BOUNCE_F_DEEP);                /* said, not silently dropped */
    sdx_bounce_release(&b);
    sdx_buf_release(&m);
}

static void test_garbage(void **state)
{
    unsigned char junk[4096];
    struct sdx_bounce b;
    size_t i;
    static const char broken[] =
        "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; boundary=\"nope\"\n\n"
        "--other\nContent-Type: text/plain\n\n<bob@example.com>: host mx.example.com[192.0.2.1] said:\n"
        "    550 5.1.1 user unknown (in reply to RCPT TO command)\n";

    (void)state;
    srand(7);
    for (i = 0; i < sizeof(junk); i++)
        junk[i] = (unsigned char)rand();
    assert_int_equal(sdx_bounce_parse(&b, (const char *)junk, sizeof(junk), NULL), 0);
    sdx_bounce_release(&b);
    assert_int_equal(sdx_bounce_parse(&b, "", 0, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_NONE);
    sdx_bounce_release(&b);
    /* the boundary never appears: the text is still read */
    assert_int_equal(sdx_bounce_parse(&b, broken, sizeof(broken) - 1, NULL), 0);
    assert_int_equal(b.kind, SDX_BOUNCE_TEXT);
    assert_int_equal(b.nrcpt, 1);
    assert_int_equal(b.rcpt[0].verdict.reason, SDX_REASON_USERUNKNOWN);
    assert_int_equal(b.rcpt[0].reply.stage, SDX_STAGE_RCPT);
    sdx_bounce_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_blocks_and_folding),
        cmocka_unit_test(test_fields_long_line_bounded),
        cmocka_unit_test(test_mbox_split),
        cmocka_unit_test(test_dsn),
        cmocka_unit_test(test_dsn_expired),
        cmocka_unit_test(test_arf),
        cmocka_unit_test(test_autoreply_and_none),
        cmocka_unit_test(test_text_bounces),
        cmocka_unit_test(test_pasted_dsn),
        cmocka_unit_test(test_amazon_ses),
        cmocka_unit_test(test_second_hand),
        cmocka_unit_test(test_many_parts),
        cmocka_unit_test(test_fifty_megabytes),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_garbage),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
