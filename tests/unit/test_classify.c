/* test_classify.c - classify.c: the order of evidence, the class rules,
 * provider identification and the stage refinement. Table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/classify.h"

struct row {
    const char     *in;
    enum sdx_stage  stage;
    const char     *host, *domain;
    enum sdx_reason reason;
    enum sdx_perm   perm;
    const char     *rule_prefix;    /* NULL: not checked */
    const char     *provider;       /* NULL: none expected; "*" any */
    unsigned        vflags;         /* SDX_VERDICT_F_* that must be set */
    enum sdx_outcome outcome;
};

#define R(x) SDX_REASON_##x
#define P(x) SDX_PERM_##x
#define S(x) SDX_STAGE_##x
static const struct row rows[] = {
    /* the Foundation issue's example */
    { "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table",
      S(UNKNOWN), NULL, NULL, R(USERUNKNOWN), P(PERMANENT), "pattern:", "*", 0, SDX_OUT_UNKNOWN },
    /* a specific text beats the bare code */
    { "550 Requested action not taken: mailbox full", S(UNKNOWN), NULL, NULL, R(MAILBOXFULL), P(PERMANENT), "pattern:", NULL, 0, SDX_OUT_UNKNOWN },
    /* the basic code governs permanence when the classes disagree */
    { "550 4.2.2 Mailbox full", S(UNKNOWN), NULL, NULL, R(MAILBOXFULL), P(PERMANENT), NULL, NULL, SDX_VERDICT_F_CLASS_FROM_CODE, SDX_OUT_UNKNOWN },
    { "452 4.2.2 Mailbox full", S(UNKNOWN), NULL, NULL, R(MAILBOXFULL), P(TRANSIENT), NULL, NULL, 0, SDX_OUT_UNKNOWN },
    /* bare codes */
    { "5.1.1", S(UNKNOWN), NULL, NULL, R(USERUNKNOWN), P(PERMANENT), "status:5.1.1", NULL, 0, SDX_OUT_UNKNOWN },
    { "5.2.2", S(UNKNOWN), NULL, NULL, R(MAILBOXFULL), P(PERMANENT), "status:", NULL, 0, SDX_OUT_UNKNOWN },
    { "550 5.7.27", S(UNKNOWN), NULL, NULL, R(NOTACCEPT), P(PERMANENT), "status:", NULL, 0, SDX_OUT_UNKNOWN },
    { "501", S(UNKNOWN), NULL, NULL, R(SYNTAXERROR), P(PERMANENT), "code:501", NULL, 0, SDX_OUT_UNKNOWN },
    { "556", S(UNKNOWN), NULL, NULL, R(NOTACCEPT), P(PERMANENT), "code:556", NULL, 0, SDX_OUT_UNKNOWN },
    { "250 2.0.0 Ok: queued as 4BQ2", S(UNKNOWN), NULL, NULL, R(DELIVERED), P(SUCCESS), NULL, NULL, 0, SDX_OUT_UNKNOWN },
    /* nothing known */
    { "hello world", S(UNKNOWN), NULL, NULL, R(UNDEFINED), P(UNKNOWN), "none", NULL, 0, SDX_OUT_UNKNOWN },
    { "550", S(UNKNOWN), NULL, NULL, R(ONHOLD), P(PERMANENT), "class:5", NULL, 0, SDX_OUT_UNKNOWN },
    { "", S(UNKNOWN), NULL, NULL, R(UNDEFINED), P(UNKNOWN), "none", NULL, 0, SDX_OUT_UNKNOWN },
    /* unregistered codes fall back to class and subject */
    { "599 5.9.9 strange", S(UNKNOWN), NULL, NULL, R(ONHOLD), P(PERMANENT), "class:5", NULL,
      SDX_VERDICT_F_UNKNOWN_CODE | SDX_VERDICT_F_UNKNOWN_STATUS, SDX_OUT_UNKNOWN },
    { "550 5.1.99 odd", S(UNKNOWN), NULL, NULL, R(USERUNKNOWN), P(PERMANENT), "subject:X.1", NULL, SDX_VERDICT_F_UNKNOWN_STATUS, SDX_OUT_UNKNOWN },
    /* a mailbox refused at MAIL FROM is the sender's */
    { "550 5.1.1", S(MAIL), NULL, NULL, R(REJECTED), P(PERMANENT), NULL, NULL, SDX_VERDICT_F_STAGE_ADJUSTED, SDX_OUT_UNKNOWN },
    /* Gmail's own meaning of 5.7.27 when Gmail is known, the registry's otherwise */
    { "550 5.7.27 Sorry, mail from this sender is not accepted", S(UNKNOWN), "gmail-smtp-in.l.google.com", NULL,
      R(AUTHFAILURE), P(PERMANENT), "pattern:", "gmail", SDX_VERDICT_F_PROVIDER_DIFFERS, SDX_OUT_UNKNOWN },
    /* provider by recipient domain */
    { "550 5.7.27 Sorry, mail from this sender is not accepted", S(UNKNOWN), NULL, "gmail.com",
      R(AUTHFAILURE), P(PERMANENT), "pattern:", "gmail", SDX_VERDICT_F_PROVIDER_DIFFERS, SDX_OUT_UNKNOWN },
    /* a "user unknown" text under a mailbox or policy status */
    { "550 5.2.0 : User unknown", S(UNKNOWN), NULL, NULL, R(FILTERED), P(PERMANENT), NULL, NULL,
      SDX_VERDICT_F_STATUS_REFINES, SDX_OUT_UNKNOWN },
    { "550 5.7.1 550 User Unknown: b@example.org", S(UNKNOWN), NULL, NULL, R(FILTERED), P(PERMANENT), NULL, NULL,
      SDX_VERDICT_F_STATUS_REFINES, SDX_OUT_UNKNOWN },
    /* a temporary reply in a final bounce: the message expired */
    { "421 4.4.1 Connection timed out", S(UNKNOWN), NULL, NULL, R(EXPIRED), P(TRANSIENT), NULL, NULL,
      SDX_VERDICT_F_EXPIRED, SDX_OUT_EXPIRED },
    { "421 4.4.1 Connection timed out", S(UNKNOWN), NULL, NULL, R(EXPIRED), P(TRANSIENT), NULL, NULL,
      SDX_VERDICT_F_EXPIRED, SDX_OUT_BOUNCED },     /* if-bounced: a timeout cannot bounce by itself */
    { "452 4.2.2 Mailbox full", S(UNKNOWN), NULL, NULL, R(MAILBOXFULL), P(TRANSIENT), NULL, NULL, 0, SDX_OUT_BOUNCED },
    { "421 4.4.1 Connection timed out", S(UNKNOWN), NULL, NULL, R(NETWORKERROR), P(TRANSIENT), NULL, NULL, 0, SDX_OUT_UNKNOWN },
    /* at MAIL FROM a bare policy refusal is about the sender */
    { "550 5.7.1 Access denied", S(MAIL), NULL, NULL, R(REJECTED), P(PERMANENT), NULL, NULL, SDX_VERDICT_F_STAGE_ADJUSTED, SDX_OUT_UNKNOWN },
    /* a vague refusal of the connection refuses the client */
    { "421 4.0.0 Service not available, closing transmission channel", S(CONNECT), NULL, NULL, R(BLOCKED),
      P(TRANSIENT), NULL, NULL, SDX_VERDICT_F_STAGE_ADJUSTED, SDX_OUT_UNKNOWN },
    /* "user unknown" after DATA is a filter */
    { "550 Unknown user kijitora@example.co.jp", S(EOD), NULL, NULL, R(FILTERED), P(PERMANENT), "pattern:generic-user-unknown-after-data", NULL, 0, SDX_OUT_UNKNOWN },
    /* an X-Unix diagnostic is a local delivery program */
    { "Diagnostic-Code: x-unix; 71", S(UNKNOWN), NULL, NULL, R(MAILERERROR), P(UNKNOWN), "diagnostic-type:", NULL, 0, SDX_OUT_UNKNOWN },
    /* Gmail's documented 5.7.26 text */
    { "550-5.7.26 This mail is unauthenticated, which poses a security risk to the\r\n"
      "550-5.7.26 sender and Gmail users, and has been blocked. The sender must\r\n"
      "550 5.7.26 authenticate with at least one of SPF or DKIM. - gsmtp", S(UNKNOWN), NULL, NULL,
      R(AUTHFAILURE), P(PERMANENT), "pattern:", "gmail", 0, SDX_OUT_UNKNOWN },
};

static void test_rows(void **state)
{
    struct sdx_reply r;
    size_t i;

    (void)state;
    sdx_reply_init(&r);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *w = &rows[i];
        struct sdx_classify_ctx ctx = { w->stage, w->host, w->domain, w->outcome };
        struct sdx_verdict v;

        assert_int_equal(sdx_classify_text(w->in, strlen(w->in), &ctx, &r, &v), 0);
        if (v.reason != w->reason)
            fail_msg("row %zu (%.50s): reason %s by %s, want %s", i, w->in, sdx_reason_name(v.reason), v.rule,
                     sdx_reason_name(w->reason));
        if (v.perm != w->perm)
            fail_msg("row %zu (%.50s): perm %s, want %s", i, w->in, sdx_perm_name(v.perm), sdx_perm_name(w->perm));
        if (w->rule_prefix && strncmp(v.rule, w->rule_prefix, strlen(w->rule_prefix)) != 0)
            fail_msg("row %zu (%.50s): rule %s, want %s...", i, w->in, v.rule, w->rule_prefix);
        if (w->provider == NULL && v.provider && v.provider_by && strcmp(v.provider_by, "text") != 0)
            fail_msg("row %zu: unexpected provider %s", i, v.provider->id);
        if (w->provider && strcmp(w->provider, "*") != 0 && (v.provider == NULL || strcmp(v.provider->id, w->provider) != 0))
            fail_msg("row %zu (%.50s): provider %s, want %s", i, w->in, v.provider ? v.provider->id : "none", w->provider);
        if ((v.flags & w->vflags) != w->vflags)
            fail_msg("row %zu (%.50s): verdict flags %#x lack %#x", i, w->in, v.flags, w->vflags);
        if (v.reason_kb == NULL)
            fail_msg("row %zu: no reason description", i);
    }
    sdx_reply_release(&r);
}

/* the stage from the context overrides the rendering's, and host beats marker */
static void test_context(void **state)
{
    struct sdx_reply r;
    struct sdx_verdict v;
    struct sdx_classify_ctx ctx = { SDX_STAGE_RCPT, "mx.example.org", NULL, SDX_OUT_UNKNOWN };
    const char *in = "host mx.example.org[192.0.2.9] said: 550 5.1.1 unknown (in reply to MAIL FROM command)";

    (void)state;
    sdx_reply_init(&r);
    assert_int_equal(sdx_classify_text(in, strlen(in), &ctx, &r, &v), 0);
    assert_int_equal(v.stage, SDX_STAGE_RCPT);
    assert_int_equal(sdx_classify_text(in, strlen(in), NULL, &r, &v), 0);
    assert_int_equal(v.stage, SDX_STAGE_MAIL);
    sdx_reply_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_context),
    };
    return cmocka_run_group_tests_name("unit.classify", tests, NULL, NULL);
}
