/* test_replay.c - transcripts read into turns (transcript.c) and replayed
 * (replay.c): notations, message bodies, connections, pairing of pipelined
 * replies, every fault. The sessions are written for this test; the server
 * replies are the texts Postfix 3.7 and Exim 4.96 gave for the same faults in
 * ../shared/mta-samples/{postfix,exim}/transcripts (named beside each). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/replay.h"
#include "smtpdx/transcript.h"

struct run {
    struct sdx_transcript t;
    struct sdx_replay     r;
};

static void run(struct run *x, const char *text)
{
    sdx_transcript_init(&x->t);
    sdx_replay_init(&x->r);
    assert_int_equal(sdx_transcript_parse(&x->t, text, strlen(text)), 0);
    assert_int_equal(sdx_replay_run(&x->t, &x->r), 0);
}

static void done(struct run *x)
{
    sdx_replay_release(&x->r);
    sdx_transcript_release(&x->t);
}

/* has - exchange i has fault f */
static int has(const struct run *x, size_t i, enum sdx_fault f)
{
    size_t k;

    assert_true(i < x->r.n);
    for (k = 0; k < x->r.ex[i].nfault; k++)
        if (x->r.ex[i].fault[k] == f)
            return 1;
    return 0;
}

static const char *cmd(const struct run *x, size_t i)
{
    static char buf[128];
    const struct sdx_exchange *e = &x->r.ex[i];

    if (e->cmd == (size_t)-1)
        return e->greeting ? "(greeting)" : "(none)";
    snprintf(buf, sizeof(buf), "%.*s", (int)x->t.turn[e->cmd].text.len, x->t.turn[e->cmd].text.p);
    return buf;
}

/* the three notations, TLS marks, notes and unknown lines */
static void test_notations(void **state)
{
    struct run x;

    (void)state;
    run(&x, "=== Trying 127.0.0.1:25...\n<-  220 mx ESMTP\n -> EHLO a.example\n<-  250-mx\n<-  250 STARTTLS\n"
            " -> STARTTLS\n<-  220 go\n ~> EHLO a.example\n<~  250 mx\n ~> QUIT\n<~  221 bye\nrandom text\n");
    assert_string_equal(x.t.notation, "swaks");
    assert_int_equal(x.t.n, 10);
    assert_int_equal(x.t.other, 1);
    assert_true(x.t.turn[7].tls);
    assert_int_equal(x.r.n, 5);                 /* greeting, EHLO, STARTTLS, EHLO, QUIT */
    assert_true(x.r.ex[0].greeting);
    assert_int_equal(x.r.ex[1].code, 250);
    assert_int_equal(x.r.ex[1].reply_last - x.r.ex[1].reply_first, 1);   /* a two-line reply */
    assert_true(x.r.tls);
    assert_int_equal(x.r.faults, 0);
    done(&x);

    run(&x, "S: 220 mx\r\nC: EHLO a.example\r\nS: 250 mx\r\nC: QUIT\r\nS: 221 bye\r\n");
    assert_string_equal(x.t.notation, "C:/S:");
    assert_int_equal(x.r.n, 3);
    assert_string_equal(cmd(&x, 2), "QUIT");     /* CR dropped */
    done(&x);

    run(&x, "< 220 mx\n> HELO a.example\n< 250 mx\n");
    assert_string_equal(x.t.notation, "</>");
    assert_int_equal(x.r.ex[1].code, 250);
    done(&x);

    /* tcpflow -c: the lower port is the server; a segment's later lines
     * carry no prefix */
    run(&x, "127.000.000.001.00025-127.000.000.001.45678: 220 mx\r\n"
            "127.000.000.001.45678-127.000.000.001.00025: EHLO a.example\r\n"
            "127.000.000.001.00025-127.000.000.001.45678: 250-mx\r\n250 PIPELINING\r\n"
            "127.000.000.001.45678-127.000.000.001.00025: QUIT\r\n");
    assert_string_equal(x.t.notation, "tcpflow");
    assert_int_equal(x.t.n, 5);
    assert_int_equal(x.t.turn[3].side, SDX_TURN_SERVER);   /* "250 PIPELINING" continues the flow */
    assert_true(x.r.caps & SDX_CAP_PIPELINING);
    assert_int_equal(x.r.unanswered, 1);
    done(&x);
    run(&x, "10.0.0.1.01234-10.0.0.2.0025: not five digits\n1.2-3.4: x\n");
    assert_int_equal(x.t.n, 0);
    done(&x);

    run(&x, "no transcript here\nat all\n");
    assert_int_equal(x.t.n, 0);
    assert_int_equal(x.r.n, 0);
    done(&x);
}

/* the message after DATA's 354 is no command, even behind a pipelined DATA */
static void test_body(void **state)
{
    struct run x;
    size_t i;

    (void)state;
    run(&x, "S: 220 mx\nC: EHLO a.example\nS: 250-mx\nS: 250 PIPELINING\nC: MAIL FROM:<a@example.org>\n"
            "C: RCPT TO:<b@example.net>\nC: DATA\nS: 250 2.1.0 Ok\nS: 250 2.1.5 Ok\nS: 354 go\n"
            "C: Subject: MAIL FROM:<evil@example.org>\nC: \nC: QUIT\nC: .\nS: 250 2.0.0 queued\nC: QUIT\n"
            "S: 221 bye\n");
    assert_int_equal(x.r.n, 7);                 /* greeting, EHLO, MAIL, RCPT, DATA, ".", QUIT */
    assert_string_equal(cmd(&x, 5), ".");
    assert_int_equal(x.r.ex[5].code, 250);
    assert_int_equal(x.r.faults, 0);            /* pipelining was advertised */
    for (i = 0; i < x.t.n; i++)
        if (strncmp(x.t.turn[i].text.p, "Subject:", 8) == 0)
            assert_true(x.t.turn[i].body);
    done(&x);
    /* DATA refused: what follows is commands again */
    run(&x, "S: 220 mx\nC: HELO a.example\nS: 250 mx\nC: DATA\nS: 503 5.5.1 Error: need RCPT command\n"
            "C: NOOP\nS: 250 Ok\n");
    assert_int_equal(x.r.n, 4);
    assert_true(has(&x, 2, SDX_FAULT_DATA_BEFORE_RCPT));
    assert_int_equal(x.r.ex[3].nfault, 0);
    done(&x);
}

/* sequence faults (pf-in-rcpt-before-mail, pf-in-mail-before-helo,
 * pf-in-data-before-rcpt, ex-in-bad-sequence) */
static void test_sequence(void **state)
{
    struct run x;

    (void)state;
    run(&x, "S: 220 mx\nC: MAIL FROM:<a@example.org>\nS: 503 5.5.1 Error: send HELO/EHLO first\n"
            "C: EHLO a.example\nS: 250 mx\nC: RCPT TO:<b@example.net>\nS: 503 5.5.1 Error: need MAIL command\n"
            "C: MAIL FROM:<a@example.org>\nS: 250 2.1.0 Ok\nC: MAIL FROM:<a@example.org>\n"
            "S: 503 5.5.1 Error: nested MAIL command\nC: DATA\nS: 554 5.5.1 Error: no valid recipients\n"
            "C: QUIT\nS: 221 Bye\nC: NOOP\n");
    assert_true(has(&x, 1, SDX_FAULT_MAIL_BEFORE_HELO));
    assert_true(has(&x, 3, SDX_FAULT_RCPT_BEFORE_MAIL));
    assert_int_equal(x.r.ex[4].nfault, 0);
    assert_true(has(&x, 5, SDX_FAULT_NESTED_MAIL));
    assert_true(has(&x, 6, SDX_FAULT_DATA_BEFORE_RCPT));
    assert_int_equal(x.r.unanswered, 1);        /* NOOP after QUIT: no reply, not judged */
    assert_int_equal(x.r.faults, 4);
    done(&x);
}

/* grammar and addresses (pf-in-bad-sender-syntax, pf-in-bad-rcpt-syntax,
 * pf-in-unknown-command, ex-in-syntax-errors), line length */
static void test_syntax(void **state)
{
    struct run x;
    char longline[700];

    (void)state;
    run(&x, "S: 220 mx\nC: EHLO\nS: 501 Syntax: EHLO hostname\nC: EHLO a.example\nS: 250 mx\n"
            "C: MAIL FROM sender@example.org\nS: 501 5.5.4 Syntax: MAIL FROM:<address>\n"
            "C: MAIL FROM:<sender with spaces@example.org>\nS: 501 5.1.7 Bad sender address syntax\n"
            "C: MAIL FROM:<>\nS: 250 2.1.0 Ok\nC: RCPT TO:<>\nS: 501 5.1.3 Bad recipient address syntax\n"
            "C: RCPT TO:<alice@@example.net>\nS: 501 5.1.3 Bad recipient address syntax\n"
            "C: XYZZY plugh\nS: 500 5.5.2 Error: command not recognized\nC: DATA now\nS: 501 5.5.4 Syntax: DATA\n");
    assert_true(has(&x, 1, SDX_FAULT_COMMAND_SYNTAX));
    assert_int_equal(x.r.ex[2].nfault, 0);
    assert_true(has(&x, 3, SDX_FAULT_COMMAND_SYNTAX));
    assert_true(has(&x, 4, SDX_FAULT_ADDRESS_SYNTAX));
    assert_int_equal(x.r.ex[5].nfault, 0);      /* the null sender is fine */
    assert_true(has(&x, 6, SDX_FAULT_ADDRESS_SYNTAX));
    assert_true(has(&x, 7, SDX_FAULT_ADDRESS_SYNTAX));
    assert_true(has(&x, 8, SDX_FAULT_UNKNOWN_COMMAND));
    assert_true(has(&x, 9, SDX_FAULT_COMMAND_SYNTAX));
    done(&x);

    memset(longline, 'x', sizeof(longline));
    memcpy(longline, "S: 220 mx\nC: EHLO a.example\nS: 250 mx\nC: RCPT TO:<", 50);
    memcpy(longline + sizeof(longline) - 20, "@example.net>\nS: 5", 18);
    longline[sizeof(longline) - 2] = '\n';
    longline[sizeof(longline) - 1] = '\0';
    run(&x, longline);
    assert_true(has(&x, 2, SDX_FAULT_LINE_TOO_LONG));
    assert_int_equal(x.r.ex[2].nfault, 3);      /* and the over-long local part, and no MAIL */
    done(&x);
}

/* what the server advertised: SIZE (pf-in-size-declared, 552 5.3.4),
 * parameters, SMTPUTF8 (pf-in-utf8-no-smtputf8), BDAT, STARTTLS, AUTH */
static void test_extensions(void **state)
{
    struct run x;

    (void)state;
    run(&x, "S: 220 mx\nC: EHLO a.example\nS: 250-mx\nS: 250-SIZE 102400\nS: 250-8BITMIME\n"
            "S: 250-AUTH PLAIN LOGIN\nS: 250 ENHANCEDSTATUSCODES\n"
            "C: MAIL FROM:<big@example.org> SIZE=5000000\nS: 552 5.3.4 Message size exceeds fixed limit\n"
            "C: MAIL FROM:<a@example.org> BODY=8BITMIME RET=HDRS\nS: 555 5.5.4 Unsupported option: RET=HDRS\n"
            "C: MAIL FROM:<j\xc3\xb6rg@example.org>\nS: 553 5.6.7 not allowed\n"
            "C: BDAT 10 LAST\nS: 502 5.5.1 Error: command not implemented\n"
            "C: STARTTLS\nS: 502 5.5.1 Error: command not implemented\n"
            "C: AUTH CRAM-MD5\nS: 504 5.5.4 Unsupported mechanism\n"
            "C: AUTH PLAIN AGFsaWNlAHNlY3JldA==\nS: 235 2.7.0 Authentication successful\n"
            "C: AUTH PLAIN AGFsaWNlAHNlY3JldA==\nS: 503 5.5.1 Error: already authenticated\n");
    assert_int_equal(x.r.size_limit, 102400);
    assert_true(x.r.caps & SDX_CAP_AUTH);
    assert_string_equal(x.r.auth_mechs, "PLAIN LOGIN");
    assert_true(has(&x, 2, SDX_FAULT_SIZE_EXCEEDS));
    assert_true(has(&x, 3, SDX_FAULT_PARAM_NOT_OFFERED));   /* RET without DSN; BODY=8BITMIME fine */
    assert_int_equal(x.r.ex[3].nfault, 1);
    assert_true(has(&x, 4, SDX_FAULT_NEEDS_SMTPUTF8));
    assert_true(has(&x, 5, SDX_FAULT_EXTENSION_NOT_OFFERED));
    assert_true(has(&x, 6, SDX_FAULT_EXTENSION_NOT_OFFERED));
    assert_true(has(&x, 7, SDX_FAULT_AUTH_MECHANISM));
    assert_int_equal(x.r.ex[8].nfault, 0);
    assert_true(has(&x, 9, SDX_FAULT_AUTH_STATE));
    done(&x);
}

/* the same reading of an EHLO reply for a live session (probe.c) */
static void test_ehlo_caps(void **state)
{
    static const char reply[] = "250-mx.example.net\n250-PIPELINING\n250-SIZE 10240000\n250-AUTH=LOGIN\n"
                                "250-AUTH PLAIN LOGIN\n250 SMTPUTF8";
    unsigned long long limit = 1;
    char auth[32];
    unsigned caps = sdx_ehlo_caps(reply, sizeof(reply) - 1, &limit, auth, sizeof(auth));

    (void)state;
    assert_int_equal(caps, SDX_CAP_PIPELINING | SDX_CAP_SIZE | SDX_CAP_AUTH | SDX_CAP_SMTPUTF8);
    assert_int_equal(limit, 10240000);
    assert_string_equal(auth, "PLAIN LOGIN");
    assert_int_equal(sdx_ehlo_caps("250 mx.example.net", 18, &limit, NULL, 0), 0);     /* HELO-like: none */
    assert_int_equal(limit, 0);
}

/* STARTTLS resets what both sides knew; AUTH's 334 answers are no commands */
static void test_tls_and_auth(void **state)
{
    struct run x;

    (void)state;
    run(&x, "<-  220 mx\n -> EHLO a.example\n<-  250-mx\n<-  250-STARTTLS\n<-  250 AUTH LOGIN\n -> STARTTLS\n"
            "<-  220 2.0.0 Ready to start TLS\n ~> MAIL FROM:<a@example.org>\n"
            "<~* 503 5.5.1 Error: send HELO/EHLO first\n ~> STARTTLS\n<~* 503 5.5.1 TLS already active\n"
            " ~> EHLO a.example\n<~  250-mx\n<~  250 AUTH LOGIN\n ~> AUTH LOGIN\n<~  334 VXNlcm5hbWU6\n"
            " ~> YWxpY2U=\n<~  334 UGFzc3dvcmQ6\n ~> c2VjcmV0\n<~  235 2.7.0 Authentication successful\n");
    assert_true(has(&x, 3, SDX_FAULT_NO_EHLO_AFTER_TLS));
    assert_true(has(&x, 4, SDX_FAULT_TLS_ACTIVE));
    assert_int_equal(x.r.ex[6].nfault, 0);      /* AUTH LOGIN */
    assert_int_equal(x.r.ex[7].nfault, 0);      /* the user name: an answer */
    assert_int_equal(x.r.ex[8].nfault, 0);      /* the password */
    assert_int_equal(x.r.ex[8].code, 235);
    assert_true(x.r.ex[7].tls);
    done(&x);
}

/* pipelining (pf-in-improper-pipelining, ex-in-pipelining-sync): replies
 * pair with commands in order; faults without PIPELINING or after a command
 * that ends a group; a client that speaks before the greeting */
static void test_pipelining(void **state)
{
    struct run x;

    (void)state;
    run(&x, "S: 220 mx\nC: HELO a.example\nS: 250 mx\nC: MAIL FROM:<a@example.org>\nC: RCPT TO:<b@example.net>\n"
            "S: 554 SMTP synchronization error\n");
    assert_true(has(&x, 3, SDX_FAULT_PIPELINING_NOT_OFFERED));
    assert_int_equal(x.r.ex[2].code, 554);      /* the MAIL got the 554 */
    assert_int_equal(x.r.unanswered, 1);
    done(&x);

    run(&x, "S: 220 mx\nC: EHLO a.example\nC: MAIL FROM:<a@example.org>\nS: 250-mx\nS: 250 PIPELINING\n"
            "S: 250 2.1.0 Ok\nC: RCPT TO:<b@example.net>\nC: RCPT TO:<c@example.net>\nS: 250 2.1.5 Ok\n"
            "S: 550 5.1.1 <c@example.net>: Recipient address rejected\n");
    assert_true(has(&x, 2, SDX_FAULT_PIPELINING_NOT_OFFERED));   /* before EHLO's reply: not known yet */
    assert_int_equal(x.r.ex[3].nfault, 0);
    assert_int_equal(x.r.ex[4].nfault, 0);
    assert_int_equal(x.r.ex[4].code, 550);
    done(&x);

    run(&x, "S: 220 mx\nC: EHLO a.example\nS: 250-mx\nS: 250 PIPELINING\nC: QUIT\nC: NOOP\nS: 221 Bye\n");
    assert_true(has(&x, 3, SDX_FAULT_PIPELINING_AFTER_LAST));
    done(&x);

    run(&x, "C: EHLO early.example\nS: 220 mx\nS: 250 mx\n");
    assert_true(x.r.ex[0].cmd != (size_t)-1);
    assert_true(has(&x, 0, SDX_FAULT_SPOKE_BEFORE_GREETING));
    assert_true(x.r.ex[1].greeting);            /* the 220 answers no command */
    assert_int_equal(x.r.ex[0].code, 250);
    done(&x);
}

/* several connections in one file (swaks in a loop): each starts afresh */
static void test_connections(void **state)
{
    struct run x;

    (void)state;
    run(&x, "=== Trying 127.0.0.1:25...\n<-  220 mx\n -> EHLO a.example\n<-  250-mx\n<-  250 PIPELINING\n"
            " -> MAIL FROM:<a@example.org>\n<-  250 ok\n=== Connection closed with remote host.\n"
            "=== Trying 127.0.0.1:25...\n<-  220 mx\n -> MAIL FROM:<a@example.org>\n"
            "<** 503 5.5.1 Error: send HELO/EHLO first\n -> QUIT\n<-  221 Bye\n");
    assert_int_equal(x.r.sessions, 2);
    assert_int_equal(x.r.n, 6);
    assert_true(x.r.ex[3].greeting);
    assert_true(has(&x, 4, SDX_FAULT_MAIL_BEFORE_HELO));
    assert_int_equal(x.r.caps, 0);              /* the second connection sent no EHLO */
    done(&x);
}

/* any bytes: no crash, bounded */
static void test_garbage(void **state)
{
    static const char *const junk[] = {
        "", "\n\n\n", "C: ", "S: ", "S: 2", "S: 25", "S: 250-", "C: MAIL FROM:<", "C: RCPT TO:<a",
        "C: BDAT", "C: BDAT x", "C: AUTH ", "S: 220 x\nC: DATA\nS: 354\nC: .", "C: \x01\x02\xff",
        "<~* ", " ~> ", "=== Trying\n=== Trying\n", "S: 250-SIZE 99999999999999999999999999\n",
        "S: 220 x\nC: EHLO x\nS: 250-AUTH \nS: 250 SIZE\nC: AUTH  \nC: MAIL FROM:<a@b> SIZE=\n",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        struct run x;

        run(&x, junk[i]);
        done(&x);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notations),
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_sequence),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_ehlo_caps),
        cmocka_unit_test(test_tls_and_auth),
        cmocka_unit_test(test_pipelining),
        cmocka_unit_test(test_connections),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests_name("unit.replay", tests, NULL, NULL);
}
