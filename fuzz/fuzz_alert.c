/* fuzz_alert.c - libFuzzer target for the alert rule reader (alert.h)
 * In:  any bytes, cut into "key = value" lines, as alert rules of smtpdx
 *      watch's configuration; then events, queue listings and a listing
 *      fed to the rules that were accepted.
 * Out: nothing; aborts when an invariant breaks: more rules than the
 *      limit, a fired alert without a rule name or with an unterminated
 *      summary.
 * Seeds: fuzz/corpus/alert/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/alert.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void check(const struct sdx_alert_fired *f, size_t k)
{
    size_t i;

    for (i = 0; i < k; i++)
        if (!f[i].rule[0] || !memchr(f[i].summary, '\0', sizeof(f[i].summary)))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    struct sdx_alerts *a;
    struct sdx_alert_fired f[8];
    char line[512], err[300];
    size_t s = 0, i, k;
    int64_t t;

    if (sdx_alerts_new(&a) != 0)
        return 0;
    for (i = 0; i <= n; i++) {
        char *eq;
        size_t len;

        if (i < n && d[i] != '\n')
            continue;
        len = i - s < sizeof(line) - 1 ? i - s : sizeof(line) - 1;
        memcpy(line, d + s, len);
        line[len] = '\0';
        s = i + 1;
        if (strlen(line) != len || (eq = strchr(line, '=')) == NULL)
            continue;
        *eq = '\0';
        (void)sdx_alerts_rule(a, line, eq + 1, err, sizeof(err));
        if (!memchr(err, '\0', sizeof(err)))
            abort();
    }
    if (sdx_alerts_count(a) > SDX_ALERT_RULES_MAX)
        abort();
    for (t = 0; t < 50; t++) {
        k = sdx_alerts_event(a, t * 7, t & 1 ? "inbound" : "outbound", t & 2 ? 5 : 4,
                             t & 4 ? "userunknown" : "blocked", t % 3 ? "example.com" : "x.test",
                             t % 5 ? "fp" : "other", f, 8);
        check(f, k);
    }
    k = sdx_alerts_queue(a, 1000, 5000, 99999, f, 8);
    check(f, k);
    k = sdx_alerts_listed(a, 1000, "192.0.2.1", "zen.spamhaus.org", f, 8);
    check(f, k);
    sdx_alerts_free(a);
    return 0;
}
