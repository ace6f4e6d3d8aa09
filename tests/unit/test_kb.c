/* test_kb.c - the compiled knowledge base: completeness and every example
 * - every basic code the Foundation issue names, and every code of the IANA
 *   enhanced status registry up to X.7.30, has an entry with words in it;
 * - every reason of the vocabulary has a description;
 * - every pattern example is classified to that very pattern, with that
 *   pattern's reason (with the provider known, as a log line would tell);
 *   a generic pattern's example may be won by a product's own text or an
 *   earlier generic pattern (generic.kb is ordered), with the same reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/classify.h"

static const int codes[] = { 211, 214, 220, 221, 250, 251, 252, 334, 354, 421, 432, 450, 451, 452,
    454, 455, 458, 459, 500, 501, 502, 503, 504, 521, 523, 530, 534, 535, 538, 550, 551, 552, 553,
    554, 555, 556 };

/* IANA "SMTP Enhanced Status Codes": subject -> highest detail registered */
static const int detail_max[8] = { 0, 10, 4, 6, 7, 6, 10, 30 };

static void test_codes(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        const struct sdx_kb_code *c = sdx_kb_code(codes[i]);

        if (c == NULL)
            fail_msg("basic code %d has no KB entry", codes[i]);
        if (!c->title[0] || !c->meaning[0] || !c->steps[0] || !c->refs[0])
            fail_msg("basic code %d lacks title, meaning, steps or refs", codes[i]);
    }
}

static void test_statuses(void **state)
{
    int s, d;

    (void)state;
    for (s = 0; s < 8; s++)
        for (d = s == 0 ? 0 : 0; d <= detail_max[s]; d++) {
            const struct sdx_kb_status *e = sdx_kb_status(s, d);

            if (s == 0 && d > 0)
                break;
            if (e == NULL)
                fail_msg("status X.%d.%d has no KB entry", s, d);
            if (!e->title[0] || !e->meaning[0] || !e->steps[0] || !e->refs[0])
                fail_msg("status X.%d.%d lacks title, meaning, steps or refs", s, d);
        }
}

static void test_reasons(void **state)
{
    int r;

    (void)state;
    for (r = 0; r < SDX_REASON_COUNT; r++) {
        const struct sdx_kb_reason *k = sdx_kb_reason((enum sdx_reason)r);

        if (k == NULL)
            fail_msg("reason %s has no description in data/kb/reasons.kb", sdx_reason_name((enum sdx_reason)r));
    }
}

static void test_examples(void **state)
{
    const struct sdx_kb *kb = sdx_kb();
    struct sdx_reply rp;
    size_t i, k, checked = 0, failed = 0;

    (void)state;
    sdx_reply_init(&rp);
    assert_true(kb->npatterns >= 150);
    for (i = 0; i < kb->npatterns; i++) {
        const struct sdx_kb_pattern *p = &kb->patterns[i];
        const struct sdx_kb_provider *pv = p->provider >= 0 ? &kb->providers[p->provider] : NULL;
        struct sdx_classify_ctx ctx = { SDX_STAGE_UNKNOWN, NULL, NULL, SDX_OUT_UNKNOWN };

        if (pv && pv->hosts[0])
            ctx.remote_host = pv->hosts[0];
        else if (pv && pv->domains[0])
            ctx.recipient_domain = pv->domains[0];
        if (p->requires_stage) {      /* give it the first stage it names */
            int st;

            for (st = 0; st < SDX_STAGE_COUNT && !(p->stages & (1u << st)); st++)
                ;
            ctx.stage = (enum sdx_stage)st;
        }
        if (p->examples[0] == NULL)
            fail_msg("pattern %s has no example", p->id);
        for (k = 0; p->examples[k]; k++) {
            struct sdx_verdict v;

            assert_int_equal(sdx_classify_text(p->examples[k], strlen(p->examples[k]), &ctx, &rp, &v), 0);
            checked++;
            /* a generic example may be claimed by a product's own, more
             * specific text, as long as the reason is the same */
            if ((p->provider >= 0 && v.pattern != p) || (int)v.reason != p->reason) {
                failed++;
                print_message("%s: example %zu of %s is classified %s by %s\n    %s\n", p->source, k + 1,
                              p->id, sdx_reason_name(v.reason), v.rule, p->examples[k]);
            }
        }
    }
    sdx_reply_release(&rp);
    print_message("%zu examples of %zu patterns checked, %zu wrong\n", checked, kb->npatterns, failed);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_examples),
    };
    return cmocka_run_group_tests_name("unit.kb", tests, NULL, NULL);
}
