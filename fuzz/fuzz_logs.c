/* fuzz_logs.c - libFuzzer target: the log pipeline (framing, Postfix rules,
 * correlation, grouping, JSON of each event) on any bytes
 * Each input line is fed as it is and, to reach the Postfix rules without
 * the fuzzer having to guess a syslog prefix, behind one of several Postfix
 * and Exim prefixes chosen by its first byte. Checks: no crash, no hang, no leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/group.h"
#include "smtpdx/json.h"
#include "smtpdx/logs.h"
#include "smtpdx/syslog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const prefixes[] = {
    "Nov 27 18:48:11 mx postfix/smtpd[11]: ", "Nov 27 18:48:12 mx postfix/smtp[12]: ",
    "Nov 27 18:48:13 mx postfix/qmgr[13]: ", "Nov 27 18:48:14 mx postfix/cleanup[14]: ",
    "Nov 27 18:48:15 mx postfix/postscreen[15]: ", "Nov 27 18:48:16 mx postfix-out/local[16]: ",
    "2026-11-27 18:54:04.851 [6869] ", "2026-11-27 18:54:05 ",
    "Nov 27 18:48:17 mx sm-mta[17]: ", "Nov 27 18:48:18 mx smtpd[18]: ",
};

struct sink { struct sdx_groups *g; struct sdx_buf b; };

static int on_event(void *arg, const struct sdx_event *e)
{
    struct sink *s = arg;
    struct sdx_verdict v;
    struct sdx_json j;

    if (sdx_event_classify(e, &v) != 0)
        abort();
    sdx_buf_reset(&s->b);
    sdx_json_init(&j, &s->b, 0);
    sdx_json_obj(&j, NULL);
    sdx_json_event(&j, e, &v);
    sdx_json_end(&j, '}');
    return sdx_groups_add(s->g, e, &v) == SDX_ENOMEM ? SDX_ENOMEM : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sdx_logs *l;
    struct sdx_syslog sl;
    struct sink s;
    const char *p = (const char *)data, *end = p + size;
    char *line = malloc(size + 64);
    const struct sdx_group *const *g;

    if (line == NULL || sdx_logs_new(&l) != 0) {
        free(line);
        return 0;
    }
    if (sdx_groups_new(&s.g) != 0) {
        sdx_logs_free(l);
        free(line);
        return 0;
    }
    sdx_buf_init(&s.b, 1 << 20);
    sdx_syslog_init(&sl, 2026, 0);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), k;
        struct sdx_logline ll;
        const char *pre = prefixes[n ? (unsigned char)p[0] % (sizeof(prefixes) / sizeof(prefixes[0])) : 0];

        if (sdx_syslog_parse(&sl, p, n, &ll) == 0 && sdx_logs_line(l, &ll, "fuzz", 1, on_event, &s) == SDX_ENOMEM)
            break;
        k = strlen(pre);
        memcpy(line, pre, k);
        memcpy(line + k, p, n);
        if (sdx_syslog_parse(&sl, line, k + n, &ll) == 0 && sdx_logs_line(l, &ll, "fuzz", 2, on_event, &s) == SDX_ENOMEM)
            break;
        p += n + 1;
    }
    if (sdx_logs_end(l, on_event, &s) != 0)
        s.b.len = 0;            /* only SDX_ENOMEM: nothing to check */
    (void)sdx_groups_sorted(s.g, &g);
    sdx_buf_release(&s.b);
    sdx_groups_free(s.g);
    sdx_syslog_release(&sl);
    sdx_logs_free(l);
    free(line);
    return 0;
}
