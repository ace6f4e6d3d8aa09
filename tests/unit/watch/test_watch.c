/* test_watch.c - the pieces of smtpdx watch: following files across
 * rotation (follow.h), the metric registry (metrics.h), the state (state.h).
 * Files are real, in a temporary directory: rotation is done as logrotate
 * does it (rename then create; copy then truncate). */
#define _GNU_SOURCE 1
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "smtpdx/follow.h"
#include "smtpdx/metrics.h"
#include "smtpdx/queue.h"
#include "smtpdx/alert.h"
#include "smtpdx/logs.h"
#include "smtpdx/syslog.h"
#include "smtpdx/state.h"

struct got {
    char   lines[64][64];
    size_t n;
};

static int collect(void *arg, size_t file, const char *line, size_t len)
{
    struct got *g = arg;

    (void)file;
    if (g->n < 64)
        snprintf(g->lines[g->n++], sizeof(g->lines[0]), "%.*s", (int)len, line);
    return 0;
}

static char dir[64];
static char path[128], path1[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/sdx-follow-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/mail.log", dir);
    snprintf(path1, sizeof(path1), "%s/mail.log.1", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[160];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *p, const char *s)
{
    FILE *fp = fopen(p, "a");

    assert_non_null(fp);
    fputs(s, fp);
    fclose(fp);
}

static void test_lines_and_partial(void **state)
{
    struct sdx_follow *f;
    struct got g = { .n = 0 };

    (void)state;
    put(path, "one\ntwo\r\n");
    assert_int_equal(sdx_follow_new(&f), 0);
    assert_int_equal(sdx_follow_add(f, path, SDX_FOLLOW_FROM_START, NULL), 0);
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.lines[1], "two");             /* CR dropped */
    put(path, "thr");                                   /* half a line: waits */
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    assert_int_equal(g.n, 2);
    put(path, "ee\n");
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.lines[2], "three");
    sdx_follow_free(f);
    unlink(path);
}

static void test_rename_and_create(void **state)
{
    struct sdx_follow *f;
    struct sdx_follow_stats st;
    struct got g = { .n = 0 };
    int writer;

    (void)state;
    put(path, "a1\n");
    assert_int_equal(sdx_follow_new(&f), 0);
    assert_int_equal(sdx_follow_add(f, path, SDX_FOLLOW_FROM_START, NULL), 0);
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    /* the writer keeps its descriptor across the rename, as syslog does
     * until logrotate's postrotate HUP */
    writer = open(path, O_WRONLY | O_APPEND);
    assert_true(writer >= 0);
    assert_int_equal(rename(path, path1), 0);
    assert_int_equal(write(writer, "a2\n", 3), 3);
    put(path, "b1\nb2\n");                              /* the new file */
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    assert_int_equal(write(writer, "a3\n", 3), 3);      /* late, into the old file */
    close(writer);
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    assert_int_equal(g.n, 5);
    assert_string_equal(g.lines[0], "a1");
    assert_string_equal(g.lines[1], "a2");
    assert_string_equal(g.lines[2], "b1");
    assert_string_equal(g.lines[3], "b2");
    assert_string_equal(g.lines[4], "a3");
    sdx_follow_stats(f, &st);
    assert_int_equal(st.rotations, 1);
    sdx_follow_free(f);
    unlink(path), unlink(path1);
}

static void test_copytruncate(void **state)
{
    struct sdx_follow *f;
    struct sdx_follow_stats st;
    struct got g = { .n = 0 };
    char cmd[512];

    (void)state;
    put(path, "c1\nc2\n");
    assert_int_equal(sdx_follow_new(&f), 0);
    assert_int_equal(sdx_follow_add(f, path, SDX_FOLLOW_FROM_START, NULL), 0);
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    put(path, "c3\nc4\n");                              /* not read before the rotation */
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && truncate -s 0 '%s'", path, path1, path);
    assert_int_equal(system(cmd), 0);
    put(path, "d1\n");
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    assert_int_equal(g.n, 5);
    assert_string_equal(g.lines[2], "c3");              /* from the copy */
    assert_string_equal(g.lines[3], "c4");
    assert_string_equal(g.lines[4], "d1");
    sdx_follow_stats(f, &st);
    assert_int_equal(st.truncations, 1);
    assert_int_equal(st.recovered, 1);
    assert_int_equal(st.lost, 0);
    sdx_follow_free(f);
    unlink(path), unlink(path1);
}

static void test_restart_after_rotation(void **state)
{
    struct sdx_follow *f;
    struct sdx_follow_pos pos;
    struct got g = { .n = 0 };

    (void)state;
    put(path, "e1\ne2\n");
    assert_int_equal(sdx_follow_new(&f), 0);
    assert_int_equal(sdx_follow_add(f, path, SDX_FOLLOW_FROM_START, NULL), 0);
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    sdx_follow_position(f, 0, &pos);
    sdx_follow_free(f);
    /* while we are down: more lines, a rotation, lines in the new file */
    put(path, "e3\n");
    assert_int_equal(rename(path, path1), 0);
    put(path, "f1\n");
    g.n = 0;
    assert_int_equal(sdx_follow_new(&f), 0);
    assert_int_equal(sdx_follow_add(f, path, SDX_FOLLOW_FROM_POS, &pos), 0);
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.lines[0], "e3");              /* the rest of the old file */
    assert_string_equal(g.lines[1], "f1");
    sdx_follow_free(f);
    unlink(path), unlink(path1);
}

static void test_from_end_and_missing(void **state)
{
    struct sdx_follow *f;
    struct got g = { .n = 0 };

    (void)state;
    assert_int_equal(sdx_follow_new(&f), 0);
    assert_int_equal(sdx_follow_add(f, path, SDX_FOLLOW_FROM_END, NULL), 0);   /* not there yet */
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    put(path, "old\n");
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    assert_int_equal(g.n, 0);                           /* from the end at first sight */
    put(path, "new\n");
    assert_int_equal(sdx_follow_read(f, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.lines[0], "new");
    sdx_follow_free(f);
    unlink(path);
}

/* ---- metrics --------------------------------------------------------------------- */
static void test_metrics(void **state)
{
    struct sdx_metrics *m, *m2;
    struct sdx_buf out;
    char l[256] = "";
    static const double b[] = { 1, 10 };

    (void)state;
    assert_int_equal(sdx_metrics_new(&m, 4), 0);
    assert_int_equal(sdx_metrics_declare(m, "t_total", SDX_METRIC_COUNTER, "help", NULL, 0), 0);
    assert_int_equal(sdx_metrics_declare(m, "t_delay", SDX_METRIC_HISTOGRAM, "d", b, 2), 0);
    assert_int_equal(sdx_metrics_label(l, sizeof(l), "x", "a\"b\\c\nd\x01", 9), 0);
    assert_string_equal(l, "x=\"a\\\"b\\\\c\\nd\"");
    sdx_metrics_add(m, "t_total", l, 2);
    sdx_metrics_add(m, "t_total", l, 3);
    assert_int_equal(sdx_metrics_get(m, "t_total", l), 5);
    sdx_metrics_observe(m, "t_delay", "", 5);           /* le=10, +Inf, count, sum: 4 series */
    sdx_metrics_add(m, "t_total", "y=\"1\"", 1);        /* a fifth series: over the cap */
    sdx_buf_init(&out, 1u << 20);
    assert_int_equal(sdx_metrics_render(m, &out), 0);
    assert_non_null(strstr(out.data, "# TYPE t_total counter\n"));
    assert_non_null(strstr(out.data, "t_total{x=\"a\\\"b\\\\c\\nd\"} 5\n"));
    assert_non_null(strstr(out.data, "t_delay_bucket{le=\"10\"} 1\n"));
    assert_null(strstr(out.data, "t_delay_bucket{le=\"1\"}"));   /* no room was left for it */
    assert_non_null(strstr(out.data, "smtpdx_metrics_series_dropped_total 2\n"));
    sdx_buf_release(&out);
    /* counters back from the state */
    assert_int_equal(sdx_metrics_new(&m2, 100), 0);
    assert_int_equal(sdx_metrics_declare(m2, "t_total", SDX_METRIC_COUNTER, "help", NULL, 0), 0);
    sdx_metrics_restore(m2, "t_total{x=\"q\"}", 42);
    sdx_metrics_restore(m2, "unknown_total", 1);
    assert_int_equal(sdx_metrics_get(m2, "t_total", "x=\"q\""), 42);
    assert_int_equal(sdx_metrics_series(m2), 1);
    sdx_metrics_free(m2);
    sdx_metrics_free(m);
}

/* ---- state ---------------------------------------------------------------------- */
static void count_back(void *arg, const char *key, uint64_t v)
{
    uint64_t *sum = arg;

    if (strcmp(key, "a_total{k=\"v\"}") == 0)
        *sum += v;
}

static void test_state(void **state)
{
    char db[160], msg[128];
    struct sdx_state *st;
    struct sdx_follow_pos p = { 1, 2, 300, "tail", 4 }, q;
    uint64_t sum = 0;

    (void)state;
    snprintf(db, sizeof(db), "%s/state.db", dir);
    assert_int_equal(sdx_state_open(&st, db, msg, sizeof(msg)), 0);
    assert_int_equal(sdx_state_position(st, "/var/log/mail.log", &q), SDX_ENOTFOUND);
    assert_int_equal(sdx_state_begin(st), 0);
    assert_int_equal(sdx_state_put_position(st, "/var/log/mail.log", &p), 0);
    assert_int_equal(sdx_state_put_counter(st, "a_total{k=\"v\"}", 7), 0);
    assert_int_equal(sdx_state_commit(st), 0);
    /* a checkpoint that fails half-way leaves the last one */
    assert_int_equal(sdx_state_begin(st), 0);
    assert_int_equal(sdx_state_put_counter(st, "a_total{k=\"v\"}", 9), 0);
    sdx_state_rollback(st);
    sdx_state_close(st);
    assert_int_equal(sdx_state_open(&st, db, msg, sizeof(msg)), 0);
    assert_int_equal(sdx_state_position(st, "/var/log/mail.log", &q), 0);
    assert_int_equal(q.off, 300);
    assert_int_equal(q.ino, 2);
    assert_int_equal(q.tail_len, 4);
    assert_memory_equal(q.tail, "tail", 4);
    assert_int_equal(sdx_state_counters(st, count_back, &sum), 0);
    assert_int_equal(sum, 7);
    sdx_state_close(st);
    assert_int_not_equal(sdx_state_open(&st, "/nonexistent-dir/x/state.db", msg, sizeof(msg)), 0);
    assert_true(msg[0] != '\0');
}

/* ---- queue listings ------------------------------------------------------------ */
static void test_queue(void **state)
{
    /* printed by Postfix 3.7 (postqueue -j) and Exim 4.96 (exim -bp) for the
     * message the integration harness leaves deferred (pf-out-rcpt-450) */
    static const char pf[] =
        "{\"queue_name\": \"hold\", \"queue_id\": \"E4B6DA72217\", \"arrival_time\": 1796599262, "
        "\"message_size\": 498, \"forced_expire\": false, \"sender\": \"sender@sender.test\", "
        "\"recipients\": [{\"address\": \"user@rcpt450.test\", \"delay_reason\": \"host 127.0.10.3[127.0.10.3] "
        "said: 450 4.2.1 The user you are trying to contact is receiving mail too quickly, try again later "
        "(in reply to RCPT TO command)\"}]}";
    static const char pf2[] =
        "{\"queue_name\": \"deferred\", \"arrival_time\": 1796599000, \"recipients\": ["
        "{\"address\": \"a@rcpt450.test\", \"delay_reason\": \"host 127.0.10.3[127.0.10.3] said: 450 4.2.1 "
        "The user you are trying to contact is receiving mail too quickly, try again later "
        "(in reply to RCPT TO command)\"}, "
        "{\"address\": \"b@other.test\"}]}";
    static const char *const ex[] = { "37m   530 1xaLXG-0003Cp-11 <sender@sender.test>",
                                      "          user@rcpt450.test", "        D done@rcpt450.test", "",
                                      " 2h   1.2K 1xaLXH-0003Cq-12 <>", "          x@other.test", "" };
    struct sdx_queue *q = malloc(sizeof(*q));
    const struct sdx_queue_dest *d[SDX_QUEUE_TOP_MAX];
    const struct sdx_queue_reason *r[SDX_QUEUE_TOP_MAX];
    size_t i;

    (void)state;
    assert_non_null(q);
    sdx_queue_init(q, SDX_QUEUE_POSTFIX_JSON, 1796600000);
    sdx_queue_line(q, pf, sizeof(pf) - 1);
    sdx_queue_line(q, pf2, sizeof(pf2) - 1);
    sdx_queue_line(q, "not json", 8);
    assert_int_equal(q->messages, 2);
    assert_int_equal(q->recipients, 3);
    assert_int_equal(q->odd_lines, 1);
    assert_int_equal(q->nq, 2);
    assert_string_equal(q->q[0].name, "hold");
    assert_int_equal(q->q[0].oldest, 1796599262);
    assert_int_equal(sdx_queue_top_dest(q, d, 10), 2);
    assert_string_equal(d[0]->domain, "rcpt450.test");  /* two recipients */
    assert_int_equal(d[0]->recipients, 2);
    assert_non_null(strstr(d[0]->last_reason, "450 4.2.1"));
    assert_int_equal(sdx_queue_top_reason(q, r, 10), 1); /* one fingerprint for both */
    assert_int_equal(r[0]->recipients, 2);
    sdx_queue_init(q, SDX_QUEUE_EXIM_BP, 1796600000);
    for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
        sdx_queue_line(q, ex[i], strlen(ex[i]));
    assert_int_equal(q->messages, 2);
    assert_int_equal(q->recipients, 2);                 /* the delivered one is not waiting */
    assert_int_equal(q->q[0].oldest, 1796600000 - 7200);
    assert_int_equal(q->odd_lines, 0);
    free(q);
}

/* ---- the correlation limits of a daemon ------------------------------------------ */
static int no_event(void *arg, const struct sdx_event *e)
{
    (void)arg, (void)e;
    return 0;
}

static void test_logs_limits(void **state)
{
    static const char *const lines[] = {
        "Dec  6 10:00:00 mx postfix/qmgr[1]: AAAA1: from=<a@x.test>, size=1, nrcpt=1 (queue active)",
        "Dec  6 10:00:01 mx postfix/qmgr[1]: BBBB2: from=<b@x.test>, size=1, nrcpt=1 (queue active)",
        "Dec  6 10:00:02 mx postfix/qmgr[1]: CCCC3: from=<c@x.test>, size=1, nrcpt=1 (queue active)",
    };
    struct sdx_logs *l;
    struct sdx_syslog sl;
    struct sdx_logs_stats st;
    size_t i;

    (void)state;
    assert_int_equal(sdx_logs_new(&l), 0);
    assert_int_equal(sdx_logs_limits(l, 0, 10), SDX_EINVAL);
    assert_int_equal(sdx_logs_limits(l, 10, 1000000), SDX_EINVAL);
    assert_int_equal(sdx_logs_limits(l, 16, 2), 0);
    sdx_syslog_init(&sl, 2026, 0);
    for (i = 0; i < 3; i++) {
        struct sdx_logline ll;

        assert_int_equal(sdx_syslog_parse(&sl, lines[i], strlen(lines[i]), &ll), 0);
        assert_int_equal(sdx_logs_line(l, &ll, "t", i + 1, no_event, NULL), 0);
    }
    sdx_logs_stats(l, &st);
    assert_int_equal(st.messages_dropped, 1);            /* three in flight, room for two */
    assert_int_equal(sdx_logs_limits(l, 16, 2), SDX_EINVAL);   /* lines already fed */
    sdx_syslog_release(&sl);
    sdx_logs_free(l);
}

/* ---- alert rules ------------------------------------------------------------------ */
static void test_alerts(void **state)
{
    struct sdx_alerts *a;
    struct sdx_alert_fired f[8];
    char err[300];
    unsigned long secs;

    (void)state;
    assert_int_equal(sdx_duration_parse("90", &secs), 0);
    assert_int_equal(secs, 90);
    assert_int_equal(sdx_duration_parse("4h", &secs), 0);
    assert_int_equal(secs, 14400);
    assert_int_not_equal(sdx_duration_parse("4x", &secs), 0);
    assert_int_equal(sdx_alerts_new(&a), 0);
    assert_int_equal(sdx_alerts_rule(a, "alert_reason_userunknown", "3 per 1m", err, sizeof(err)), 0);
    assert_int_equal(sdx_alerts_rule(a, "alert_domain_example.com", "2 per 10s", err, sizeof(err)), 0);
    assert_int_equal(sdx_alerts_rule(a, "alert_class_4", "1 per 1m", err, sizeof(err)), 0);
    assert_int_equal(sdx_alerts_rule(a, "alert_new_fingerprint", "yes", err, sizeof(err)), 0);
    assert_int_equal(sdx_alerts_rule(a, "alert_queue_age", "2h", err, sizeof(err)), 0);
    assert_int_equal(sdx_alerts_rule(a, "alert_listed", "yes", err, sizeof(err)), 0);
    assert_int_equal(sdx_alerts_rule(a, "alert_repeat", "5m", err, sizeof(err)), 0);
    assert_int_not_equal(sdx_alerts_rule(a, "alert_reason_x", "3 each minute", err, sizeof(err)), 0);
    assert_non_null(strstr(err, "N per DURATION"));
    assert_int_not_equal(sdx_alerts_rule(a, "alert_sometimes", "1 per 1m", err, sizeof(err)), 0);
    assert_int_equal(sdx_alerts_count(a), 6);
    /* userunknown: 3 within a minute fires; spread over more does not */
    assert_int_equal(sdx_alerts_event(a, 1000, "inbound", 5, "userunknown", "other.test", "", f, 8), 0);
    assert_int_equal(sdx_alerts_event(a, 1070, "inbound", 5, "userunknown", "other.test", "", f, 8), 0);
    assert_int_equal(sdx_alerts_event(a, 1100, "inbound", 5, "userunknown", "other.test", "", f, 8), 0);
    assert_int_equal(sdx_alerts_event(a, 1120, "inbound", 5, "userunknown", "other.test", "", f, 8), 1);
    assert_string_equal(f[0].rule, "alert_reason_userunknown");
    assert_non_null(strstr(f[0].summary, "with reason userunknown within 50s"));
    /* within the repeat interval: quiet; after it: again */
    assert_int_equal(sdx_alerts_event(a, 1130, "inbound", 5, "userunknown", "other.test", "", f, 8), 0);
    assert_int_equal(sdx_alerts_event(a, 1420, "inbound", 5, "userunknown", "other.test", "", f, 8), 0);
    assert_int_equal(sdx_alerts_event(a, 1430, "inbound", 5, "userunknown", "other.test", "", f, 8), 0);
    assert_int_equal(sdx_alerts_event(a, 1440, "inbound", 5, "userunknown", "other.test", "", f, 8), 1);
    /* a domain (case-insensitive), a class, a new text */
    assert_int_equal(sdx_alerts_event(a, 2000, "outbound", 5, "blocked", "Example.COM", "", f, 8), 0);
    assert_int_equal(sdx_alerts_event(a, 2005, "outbound", 5, "blocked", "example.com", "", f, 8), 1);
    assert_int_equal(sdx_alerts_event(a, 2006, "outbound", 4, "ratelimited", "x.test", "", f, 8), 1);
    assert_string_equal(f[0].rule, "alert_class_4");
    assert_int_equal(sdx_alerts_event(a, 3000, "inbound", 5, "blocked", "x.test", "client host rejected: #", f, 8), 1);
    assert_string_equal(f[0].rule, "alert_new_fingerprint");
    assert_int_equal(sdx_alerts_event(a, 3001, "inbound", 5, "blocked", "x.test", "client host rejected: #", f, 8), 0);
    /* per domain: each domain apart */
    assert_int_equal(sdx_alerts_rule(a, "alert_class_5", "2 per 1m per domain", err, sizeof(err)), 0);
    assert_int_not_equal(sdx_alerts_rule(a, "alert_class_5", "2 per 1m per hour", err, sizeof(err)), 0);
    assert_int_equal(sdx_alerts_event(a, 5000, "inbound", 5, "rejected", "a.test", "", f, 8), 0);
    assert_int_equal(sdx_alerts_event(a, 5001, "inbound", 5, "rejected", "b.test", "", f, 8), 0);
    assert_int_equal(sdx_alerts_event(a, 5002, "inbound", 5, "rejected", "a.test", "", f, 8), 1);
    assert_non_null(strstr(f[0].summary, "for domain a.test"));
    /* queue age and a listing */
    assert_int_equal(sdx_alerts_queue(a, 4000, 10, 3600, f, 8), 0);
    assert_int_equal(sdx_alerts_queue(a, 4000, 10, 8000, f, 8), 1);
    assert_int_equal(sdx_alerts_listed(a, 4000, "192.0.2.1", "zen.spamhaus.org", f, 8), 1);
    assert_non_null(strstr(f[0].summary, "192.0.2.1 is now listed on zen.spamhaus.org"));
    sdx_alerts_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lines_and_partial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rename_and_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copytruncate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_after_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_from_end_and_missing, setup, teardown),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_queue),
        cmocka_unit_test(test_logs_limits),
        cmocka_unit_test(test_alerts),
        cmocka_unit_test_setup_teardown(test_state, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
