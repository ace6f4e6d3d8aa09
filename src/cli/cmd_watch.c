/* cmd_watch.c - smtpdx watch: follow mail logs, count refusals, serve /metrics
 * In:  log files (followed across rotation, follow.h), the state database
 *      (positions and counters, state.h), options.
 * Out: an HTTP endpoint (libmicrohttpd, 127.0.0.1 by default): /metrics in
 *      Prometheus' text format, /healthz, / (a plain status page); with
 *      --once, the metrics text on stdout after reading what is there.
 * Every line goes through the same framing and readers as `smtpdx logs`
 * (syslog.h, logs.h); each event is counted by direction, class, status
 * and reason, by recipient domain (a capped set), and its delay observed.
 * A checkpoint saves the files' positions and all counters in one SQLite
 * transaction (every --checkpoint seconds, and on SIGTERM/SIGINT), so a
 * restart, even after kill -9, resumes both from the same line.
 * Signals: SIGTERM/SIGINT: read what is left, checkpoint, exit 0; SIGHUP:
 * checkpoint, read --config again (rules, logs added, intervals), go on.
 * Exit: 0 stopped by a signal (or --once done), 2 usage, 3 cannot start
 * (state, listen address, no file). */
#define _GNU_SOURCE 1               /* tm_gmtoff, memmem */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <grp.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include "core/dynlib.h"
#include "smtpdx/smtpdx.h"
#include "smtpdx/follow.h"
#include "smtpdx/logs.h"
#include "smtpdx/metrics.h"
#include "smtpdx/queue.h"
#include "smtpdx/dnsbl.h"
#include "smtpdx/resolver.h"
#include "smtpdx/alert.h"
#include "smtpdx/json.h"
#include "smtpdx/group.h"
#include "smtpdx/state.h"
#include "smtpdx/syslog.h"
#include "cmds.h"
#include "dnsopt.h"
#include "watch_conf.h"
#include "watch_page.h"

#define DEFAULT_LISTEN "127.0.0.1:9633"
#define DEFAULT_STATE  "/var/lib/smtpdx/watch.db"

struct watch_args {
    const char    *listen, *state, *mta, *queue, *queue_command, *user, *config, *journal;
    const char    *dnsbl, *dnsbl_lists, *resolver, *trust_anchor;
    unsigned long  checkpoint, top_domains, series_max, queue_interval, dnsbl_interval, in_flight;
    int            from_start, once, no_http;
};

#define WA(f) offsetof(struct watch_args, f)
const struct opt watch_opts[] = {
    { "config",      'c', OPT_STR,  "FILE", WA(config),
      "settings and alert rules, key = value as in main.cf (options given here win); SIGHUP reads it again", 0 },
    { "listen",      'l', OPT_STR,  "ADDR:PORT", WA(listen),
      "serve /metrics, /healthz and / here (default " DEFAULT_LISTEN "; loopback unless you say otherwise)", 0 },
    { "state",       's', OPT_STR,  "FILE", WA(state),
      "positions and counters across restarts (default " DEFAULT_STATE "; none: keep nothing)", 0 },
    { "from-start",  0,   OPT_FLAG, NULL,   WA(from_start),
      "read a file with no saved position from its start (default: from its end, like tail -f)", 0 },
    { "checkpoint",  0,   OPT_UINT, "SEC",  WA(checkpoint), "save positions and counters this often (default 5)", 3600 },
    { "top-domains", 0,   OPT_UINT, "N",    WA(top_domains),
      "recipient domains counted by name; the rest as \"other\" (default 50)", 10000 },
    { "series-max",  0,   OPT_UINT, "N",    WA(series_max), "metric series kept at most (default 10000)", 1000000 },
    { "in-flight",   0,   OPT_UINT, "N",    WA(in_flight),
      "messages in flight remembered for correlation (default 8192, about 20 MB; the oldest are dropped first)", 32768 },
    { "mta",         'm', OPT_STR,  "MTA",  WA(mta),
      "read every line as this MTA's: postfix, exim or opensmtpd (default: by program name)", 0 },
    { "queue",       'q', OPT_STR,  "MTA",  WA(queue),
      "watch the mail queue too: postfix (postqueue -j) or exim (exim -bp)", 0 },
    { "queue-command", 0, OPT_STR,  "CMD",  WA(queue_command),
      "the command that lists the queue (default: postqueue -j, or exim -bp)", 0 },
    { "queue-interval", 0, OPT_UINT, "SEC", WA(queue_interval), "list the queue this often (default 60)", 86400 },
    { "dnsbl",       0,   OPT_STR,  "IP,...", WA(dnsbl),
      "check these sending IPs against the blocklists every --dnsbl-interval; a listing or delisting is logged", 0 },
    { "dnsbl-lists", 0,   OPT_STR,  "LIST", WA(dnsbl_lists),
      "the blocklists: ZONE[:ip|:domain],... (default: those of smtpdx dnsbl)", 0 },
    { "dnsbl-interval", 0, OPT_UINT, "SEC", WA(dnsbl_interval), "check the IPs this often (default 600)", 86400 },
    { "resolver",    0,   OPT_STR,  "ADDR[@PORT]", WA(resolver),
      "ask this DNS server for the blocklists (default: those of /etc/resolv.conf)", 0 },
    { "trust-anchor", 0,  OPT_STR,  "FILE", WA(trust_anchor),
      "DNSSEC trust anchor (default " SDX_ROOT_KEY "; none: no validation)", 0 },
    { "user",        'u', OPT_STR,  "USER", WA(user),
      "started as root: become USER once the port, the state and the logs are open (USER must read the logs: group adm)", 0 },
    { "journal",     'J', OPT_STR,  "ARGS", WA(journal),
      "read the systemd journal: run journalctl -f -o json ARGS (such as \"-u postfix@-\"; \"\" for all), resuming after the saved cursor", 0 },
    { "once",        0,   OPT_FLAG, NULL,   WA(once),
      "read what the files hold now, print the metrics, save the state and exit", 0 },
    { "no-http",     0,   OPT_FLAG, NULL,   WA(no_http), "do not serve HTTP (with a state file: counting only)", 0 },
    { NULL, 0, 0, NULL, 0, NULL, 0 }
};

const char watch_summary[] = "follow mail logs live: refusals as Prometheus metrics, positions kept across restarts";
const char watch_help[] =
    "Follows log files as they grow (inotify), across rotation: rename and\n"
    "create (logrotate's default) and copytruncate, whose unread lines are\n"
    "taken from the copy. Every line goes through the same readers as\n"
    "`smtpdx logs`; every refusal, bounce, deferral and expiry is counted by\n"
    "direction, code class, status and reason, and by recipient domain (the\n"
    "first --top-domains domains by name, the others as \"other\").\n"
    "\n"
    "Serves, on 127.0.0.1:9633 unless --listen says otherwise:\n"
    "  /metrics   Prometheus text: smtpdx_refusals_total,\n"
    "             smtpdx_refusals_by_domain_total, smtpdx_delay_seconds,\n"
    "             smtpdx_lines_read_total, smtpdx_lines_unparsed_total,\n"
    "             smtpdx_deliveries_total, smtpdx_lag_seconds, rotation counts\n"
    "  /healthz   \"ok\" while the loop runs\n"
    "  /          a status page\n"
    "With --queue postfix (or exim) it also lists the mail queue every\n"
    "--queue-interval seconds: messages and the oldest per queue, the recipient\n"
    "domains with the most messages waiting and their last error, the deferral\n"
    "reasons grouped as `smtpdx logs` groups them (smtpdx_queue_*).\n"
    "With --dnsbl IP,... it checks the sending IPs against the blocklists\n"
    "every --dnsbl-interval seconds (smtpdx_dnsbl_listed; a listing or\n"
    "delisting is logged and counted in smtpdx_dnsbl_changes_total).\n"
    "\n"
    "A LOG of - reads standard input as a stream (journalctl -f -o json):\n"
    "counters are kept across restarts, a stream has no position.\n"
    "\n"
    "Positions and counters are saved together (--state, every --checkpoint\n"
    "seconds and at exit): after a restart, even after kill -9, counting goes\n"
    "on from the same line, with no line lost or counted twice.\n"
    "\n"
    "Exit status: 0 stopped by SIGTERM or SIGINT (or --once done), 2 usage,\n"
    "3 cannot start (state file, listen address).\n"
    "\n"
    "Examples:\n"
    "  smtpdx watch /var/log/mail.log\n"
    "  smtpdx watch --listen 127.0.0.1:9633 --state /var/lib/smtpdx/watch.db /var/log/mail.log\n"
    "  curl -s 127.0.0.1:9633/metrics | grep smtpdx_refusals_total\n"
    "  smtpdx watch --once --from-start --state none /var/log/mail.log   # metrics of a file, once\n"
    "  journalctl -f -n 0 -o json -u postfix@- | smtpdx watch -          # the journal, as a stream\n";

struct watch {
    const struct watch_args *a;
    struct sdx_follow  *fol;
    struct sdx_logs    *logs;
    struct sdx_syslog   sl;
    struct sdx_metrics *m;
    struct sdx_state   *state;
    pthread_mutex_t     lock;       /* the metrics, between the loop and the HTTP thread */
    char                domains[256][96];   /* recipient domains counted by name */
    size_t              ndomains;
    unsigned long       top;
    unsigned long       unparsed_seen, delivered_seen, dropped_seen;  /* sdx_logs_stats already added */
    struct sdx_follow_stats follow_seen;                            /* and sdx_follow_stats */
    unsigned long long  events;     /* counted since start */
    struct watch_hist   hist;       /* the status page's last hours */
    int64_t             last_when_us;
    /* blocklist watch */
    struct sdx_resolver *rs;
    struct sdx_dnsbl_list lists[SDX_DNSBL_LISTS_MAX];
    size_t              nlists;
    const char         *targets[SDX_DNSBL_TARGETS_MAX];
    size_t              ntargets;
    signed char        *listed;     /* per target and list: -1 unknown, 0, 1 */
    struct sdx_dnsbl_result *res;
    char               *dnsbl_buf, *lists_buf;
    /* alerts: fired under the lock, acted on after it */
    struct watch_conf   conf;
    unsigned char       cli_set[64];    /* the options the command line gave */
    struct sdx_alert_fired pending[32];
    size_t              npending;
    unsigned long       alerts_dropped;
    /* "-": a stream on standard input (journalctl -f -o json) */
    int                 use_stdin, stdin_eof;
    int                 in_fd;      /* standard input, or journalctl's output */
    pid_t               journal_pid;
    char                cursor[512];    /* the journal's, of the last line read */
    char               *in;         /* SDX_FOLLOW_LINE_MAX + 64 KiB */
    size_t              in_len;
    unsigned long       in_lineno;
    time_t              started;
    unsigned long       lineno[SDX_FOLLOW_FILES_MAX];
    uint64_t           *lines_read[SDX_FOLLOW_FILES_MAX + 1];  /* per file (the last: a stream) */
    int                 err;
};

static void declare(struct sdx_metrics *m)
{
    static const double delay[] = { 1, 10, 60, 300, 900, 3600, 14400, 86400, 432000 };

    (void)sdx_metrics_declare(m, "smtpdx_refusals_total", SDX_METRIC_COUNTER,
                              "Refusals, bounces, deferrals and expiries, by direction, reply class, status and reason (Sisimai's vocabulary).",
                              NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_refusals_by_domain_total", SDX_METRIC_COUNTER,
                              "Refusals by direction and recipient domain; domains beyond --top-domains are counted as \"other\".",
                              NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_delay_seconds", SDX_METRIC_HISTOGRAM,
                              "Time from arrival to the refusal, bounce or deferral, where the log says (Postfix delay=, Sendmail delay=).",
                              delay, sizeof(delay) / sizeof(delay[0]));
    (void)sdx_metrics_declare(m, "smtpdx_delivery_delay_seconds", SDX_METRIC_HISTOGRAM,
                              "Time from arrival to successful delivery (Postfix status=sent delay=).",
                              delay, sizeof(delay) / sizeof(delay[0]));
    (void)sdx_metrics_declare(m, "smtpdx_deliveries_total", SDX_METRIC_COUNTER,
                              "Deliveries that succeeded (Postfix status=sent and the like).", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_lines_read_total", SDX_METRIC_COUNTER, "Log lines read, by file.", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_lines_unparsed_total", SDX_METRIC_COUNTER,
                              "Lines of a known MTA that no rule understood.", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_lines_unframed_total", SDX_METRIC_COUNTER,
                              "Lines in no syslog or journal framing smtpdx knows.", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_follow_events_total", SDX_METRIC_COUNTER,
                              "Rotations (rename), truncations (copytruncate), truncations whose unread lines were recovered from the copy, lost ones, lines cut at 64 KiB.",
                              NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_correlation_dropped_total", SDX_METRIC_COUNTER,
                              "Sessions and messages in flight forgotten (oldest first) to stay within --in-flight: their later lines are counted with less context.",
                              NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_lag_seconds", SDX_METRIC_GAUGE,
                              "Seconds between now and the time stamp of the last line read (0 before the first).", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_domains_capped", SDX_METRIC_GAUGE,
                              "1 when more recipient domains were seen than --top-domains (the cap is the label).", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_up_seconds", SDX_METRIC_GAUGE, "Seconds since smtpdx watch started.", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_queue_messages", SDX_METRIC_GAUGE,
                              "Messages in the mail queue, by queue (Postfix: active, deferred, hold, incoming, maildrop).", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_queue_oldest_seconds", SDX_METRIC_GAUGE,
                              "Age of the oldest message, by queue.", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_queue_recipients_by_domain", SDX_METRIC_GAUGE,
                              "Recipients waiting, for the ten domains with the most, with the last reason given for them.", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_queue_deferral_reasons", SDX_METRIC_GAUGE,
                              "Recipients waiting, by deferral reason (the ten commonest, as smtpdx logs fingerprints them).", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_dnsbl_listed", SDX_METRIC_GAUGE,
                              "1 when the IP is listed on the list at the last check, 0 when not (no series: no verdict yet).", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_dnsbl_changes_total", SDX_METRIC_COUNTER,
                              "Listings and delistings seen between two checks.", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_dnsbl_no_verdict_total", SDX_METRIC_COUNTER,
                              "Checks that gave no verdict: a timeout or SERVFAIL, an error code (Spamhaus 127.255.255.x), an answer outside 127/8.", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_alerts_total", SDX_METRIC_COUNTER,
                              "Alerts fired, by rule (the configuration key).", NULL, 0);
    (void)sdx_metrics_declare(m, "smtpdx_queue_listing_errors_total", SDX_METRIC_COUNTER,
                              "Queue listings that failed, timed out or printed lines that could not be read.", NULL, 0);
}

/* domain_label - the recipient domain, or "other" past the cap, "none" */
static const char *domain_label(struct watch *w, struct sdx_str rcpt, char *buf, size_t cap)
{
    const char *at = rcpt.len ? memchr(rcpt.p, '@', rcpt.len) : NULL;
    size_t n, i;

    if (!at)
        return "none";
    n = rcpt.len - (size_t)(at + 1 - rcpt.p);
    if (n == 0 || n >= cap)
        return "none";
    for (i = 0; i < n; i++)
        buf[i] = (char)(at[1 + i] >= 'A' && at[1 + i] <= 'Z' ? at[1 + i] + 32 : at[1 + i]);
    buf[n] = '\0';
    if (n && buf[n - 1] == '>')
        buf[--n] = '\0';
    for (i = 0; i < w->ndomains; i++)
        if (strcmp(w->domains[i], buf) == 0)
            return buf;
    if (w->ndomains < w->top && w->ndomains < sizeof(w->domains) / sizeof(w->domains[0]) &&
        n < sizeof(w->domains[0])) {
        memcpy(w->domains[w->ndomains++], buf, n + 1);
        return buf;
    }
    sdx_metrics_set(w->m, "smtpdx_domains_capped", "", 1);
    return "other";
}

/* fired - keep n fired alerts for act() (called under the lock) */
static void fired(struct watch *w, const struct sdx_alert_fired *f, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char l[SDX_METRICS_KEY_MAX] = "";

        (void)sdx_metrics_label(l, sizeof(l), "rule", f[i].rule, strlen(f[i].rule));
        sdx_metrics_add(w->m, "smtpdx_alerts_total", l, 1);
        if (w->npending < sizeof(w->pending) / sizeof(w->pending[0]))
            w->pending[w->npending++] = f[i];
        else
            w->alerts_dropped++;
    }
}

static int on_event(void *arg, const struct sdx_event *e)
{
    struct watch *w = arg;
    struct sdx_verdict v;
    char labels[SDX_METRICS_KEY_MAX] = "", dl[SDX_METRICS_KEY_MAX] = "", klass[4], dom[96];
    const char *status;
    const char *d;

    if (sdx_event_classify(e, &v) != 0)
        return 0;
    snprintf(klass, sizeof(klass), "%d", sdx_reply_class(e->reply));
    status = e->reply->status_str[0] ? e->reply->status_str : "none";
    (void)sdx_metrics_label(labels, sizeof(labels), "direction", sdx_direction_name(e->dir),
                            strlen(sdx_direction_name(e->dir)));
    (void)sdx_metrics_label(labels, sizeof(labels), "outcome", sdx_outcome_name(e->outcome),
                            strlen(sdx_outcome_name(e->outcome)));
    (void)sdx_metrics_label(labels, sizeof(labels), "class", klass, strlen(klass));
    (void)sdx_metrics_label(labels, sizeof(labels), "status", status, strlen(status));
    (void)sdx_metrics_label(labels, sizeof(labels), "reason", sdx_reason_name(v.reason),
                            strlen(sdx_reason_name(v.reason)));
    d = domain_label(w, e->recipient, dom, sizeof(dom));
    (void)sdx_metrics_label(dl, sizeof(dl), "direction", sdx_direction_name(e->dir),
                            strlen(sdx_direction_name(e->dir)));
    (void)sdx_metrics_label(dl, sizeof(dl), "domain", d, strlen(d));
    sdx_metrics_add(w->m, "smtpdx_refusals_total", labels, 1);
    w->events++;
    hist_add(&w->hist, (int64_t)time(NULL), sdx_reply_class(e->reply) == 5, sdx_reply_class(e->reply) == 4, 0);
    if ((unsigned)v.reason < SDX_REASON_COUNT)
        w->hist.reasons[v.reason]++;
    if (w->conf.alerts && sdx_alerts_count(w->conf.alerts)) {
        struct sdx_alert_fired f[8];
        char fp[160];
        size_t n;

        sdx_fingerprint(e->reply->text.data, e->reply->text.len, fp, sizeof(fp));
        /* the log's own time: a backlog read after a restart is judged by
         * when it happened, not by when it is read */
        n = sdx_alerts_event(w->conf.alerts, e->when_us ? e->when_us / 1000000 : (int64_t)time(NULL),
                             sdx_direction_name(e->dir),
                             sdx_reply_class(e->reply), sdx_reason_name(v.reason), d, fp, f, 8);
        fired(w, f, n);
    }
    sdx_metrics_add(w->m, "smtpdx_refusals_by_domain_total", dl, 1);
    if (e->delay_ms >= 0) {
        char ol[64] = "";

        (void)sdx_metrics_label(ol, sizeof(ol), "outcome", sdx_outcome_name(e->outcome),
                                strlen(sdx_outcome_name(e->outcome)));
        sdx_metrics_observe(w->m, "smtpdx_delay_seconds", ol, (double)e->delay_ms / 1000.0);
    }
    return 0;
}

/* keep_cursor - the "__CURSOR" of a journalctl -o json line (its value
 * has no quotes or backslashes: it is s=...;i=...;b=... hex fields) */
static void keep_cursor(struct watch *w, const char *line, size_t len)
{
    static const char key[] = "\"__CURSOR\":\"";
    const char *p = memmem(line, len, key, sizeof(key) - 1), *e;

    if (!p)
        return;
    p += sizeof(key) - 1;
    e = memchr(p, '"', len - (size_t)(p - line));
    if (e && (size_t)(e - p) < sizeof(w->cursor)) {
        memcpy(w->cursor, p, (size_t)(e - p));
        w->cursor[e - p] = '\0';
    }
}

/* on_delivery - a successful delivery's delay into the histogram */
static void on_delivery(void *arg, enum sdx_mta mta, int64_t delay_ms)
{
    struct watch *w = arg;

    (void)mta;
    sdx_metrics_observe(w->m, "smtpdx_delivery_delay_seconds", "", (double)delay_ms / 1000.0);
}

static int on_line(void *arg, size_t file, const char *line, size_t len)
{
    struct watch *w = arg;
    struct sdx_logline ll;
    const char *path = file == SDX_FOLLOW_FILES_MAX ? (w->journal_pid ? "journal" : "-") : sdx_follow_path(w->fol, file);
    unsigned long lineno = file == SDX_FOLLOW_FILES_MAX ? ++w->in_lineno : ++w->lineno[file];
    uint64_t **read = &w->lines_read[file];
    int err;

    /* the file's counter, found once: this runs for every line */
    if (!*read) {
        char fl[SDX_METRICS_KEY_MAX] = "";

        (void)sdx_metrics_label(fl, sizeof(fl), "file", path, strlen(path));
        *read = sdx_metrics_counter(w->m, "smtpdx_lines_read_total", fl);
    }
    if (*read)
        (**read)++;
    hist_add(&w->hist, (int64_t)time(NULL), 0, 0, 1);
    if ((err = sdx_syslog_parse(&w->sl, line, len, &ll)) != 0) {
        if (err == SDX_ENOMEM)
            return w->err = err;
        sdx_metrics_add(w->m, "smtpdx_lines_unframed_total", "", 1);
        return 0;
    }
    if (ll.when_us)
        w->last_when_us = ll.when_us;
    if (w->journal_pid)
        keep_cursor(w, line, len);
    if ((err = sdx_logs_line(w->logs, &ll, path, lineno, on_event, w)) != 0)
        return w->err = err;
    return 0;
}

/* counters that sdx_logs and sdx_follow keep as running totals: add what
 * is new since the last look */
static void totals(struct watch *w)
{
    struct sdx_logs_stats ls;
    struct sdx_follow_stats fs, seen = w->follow_seen;
    char l[64];

    sdx_logs_stats(w->logs, &ls);
    if (ls.unparsed > w->unparsed_seen)
        sdx_metrics_add(w->m, "smtpdx_lines_unparsed_total", "", ls.unparsed - w->unparsed_seen);
    if (ls.delivered > w->delivered_seen)
        sdx_metrics_add(w->m, "smtpdx_deliveries_total", "", ls.delivered - w->delivered_seen);
    if (ls.sessions_dropped + ls.messages_dropped > w->dropped_seen)
        sdx_metrics_add(w->m, "smtpdx_correlation_dropped_total", "",
                        ls.sessions_dropped + ls.messages_dropped - w->dropped_seen);
    w->dropped_seen = ls.sessions_dropped + ls.messages_dropped;
    w->unparsed_seen = ls.unparsed;
    w->delivered_seen = ls.delivered;
    sdx_follow_stats(w->fol, &fs);
#define FE(field, name) \
    if (fs.field > seen.field) { \
        snprintf(l, sizeof(l), "event=\"%s\"", name); \
        sdx_metrics_add(w->m, "smtpdx_follow_events_total", l, fs.field - seen.field); \
    }
    FE(rotations, "rotation")
    FE(truncations, "truncation")
    FE(recovered, "recovered")
    FE(lost, "lost")
    FE(cut, "cut")
    FE(errors, "error")
#undef FE
    w->follow_seen = fs;
    sdx_metrics_set(w->m, "smtpdx_lag_seconds", "",
                    w->last_when_us ? (double)time(NULL) - (double)w->last_when_us / 1e6 : 0.0);
    sdx_metrics_set(w->m, "smtpdx_up_seconds", "", (double)(time(NULL) - w->started));
}

struct saver {
    struct sdx_state *st;
    int               err;
};

static void save_counter(void *arg, const char *key, uint64_t v)
{
    struct saver *s = arg;

    if (!s->err)
        s->err = sdx_state_put_counter(s->st, key, v);
}

/* checkpoint - positions and counters in one transaction */
static int checkpoint(struct watch *w)
{
    struct saver s = { w->state, 0 };
    size_t i;

    if (!w->state)
        return 0;
    if (sdx_state_begin(w->state) != 0)
        return SDX_EIO;
    for (i = 0; i < sdx_follow_count(w->fol) && !s.err; i++) {
        struct sdx_follow_pos pos;

        sdx_follow_position(w->fol, i, &pos);
        s.err = sdx_state_put_position(w->state, sdx_follow_path(w->fol, i), &pos);
    }
    pthread_mutex_lock(&w->lock);
    sdx_metrics_each(w->m, save_counter, &s);
    if (!s.err && w->journal_pid && w->cursor[0])
        s.err = sdx_state_put_text(w->state, "journal_cursor", w->cursor);
    pthread_mutex_unlock(&w->lock);
    if (s.err || sdx_state_commit(w->state) != 0) {
        sdx_state_rollback(w->state);
        return SDX_EIO;
    }
    return 0;
}

static void restore_counter(void *arg, const char *key, uint64_t v)
{
    struct watch *w = arg;

    sdx_metrics_restore(w->m, key, v);
    /* the domains already named keep their names */
    if (strncmp(key, "smtpdx_refusals_by_domain_total{", 32) == 0) {
        const char *d = strstr(key, "domain=\"");

        if (d && w->ndomains < w->top && w->ndomains < sizeof(w->domains) / sizeof(w->domains[0])) {
            const char *e = strchr(d + 8, '"');
            size_t n = e ? (size_t)(e - (d + 8)) : 0, i;

            if (n && n < sizeof(w->domains[0]) && !(n == 5 && memcmp(d + 8, "other", 5) == 0) &&
                !(n == 4 && memcmp(d + 8, "none", 4) == 0)) {
                for (i = 0; i < w->ndomains && strncmp(w->domains[i], d + 8, n) != 0; i++)
                    ;
                if (i == w->ndomains) {
                    memcpy(w->domains[w->ndomains], d + 8, n);
                    w->domains[w->ndomains++][n] = '\0';
                }
            }
        }
    }
}

/* spawn_sh - run cmd with /bin/sh (it is the administrator's), the child's
 * child_fd (standard input or output) one end of a new pipe; returns the
 * other end (close-on-exec) and *pid, or -1 */
static int spawn_sh(const char *cmd, int child_fd, pid_t *pid)
{
    char *argv[] = { "sh", "-c", (char *)(uintptr_t)cmd, NULL };
    posix_spawn_file_actions_t fa;
    int pfd[2], ours, theirs, rc;
    extern char **environ;

    if (pipe2(pfd, O_CLOEXEC) != 0)
        return -1;
    ours = child_fd == STDIN_FILENO ? pfd[1] : pfd[0];
    theirs = child_fd == STDIN_FILENO ? pfd[0] : pfd[1];
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, theirs, child_fd);   /* dup2 clears close-on-exec */
    rc = posix_spawn(pid, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(theirs);
    if (rc != 0) {
        close(ours);
        return -1;
    }
    return ours;
}

/* ---- the queue ------------------------------------------------------------------ */
#define QUEUE_TIMEOUT 30            /* seconds a listing may take */

/* list_queue - run the listing command (through /bin/sh: it is the
 * administrator's), read its output line by line within the deadline */
static int list_queue(const char *cmd, struct sdx_queue *q)
{
    int fd, status, ok = 1;
    pid_t pid;
    char buf[65536];
    size_t have = 0;
    time_t deadline = time(NULL) + QUEUE_TIMEOUT;

    if ((fd = spawn_sh(cmd, STDOUT_FILENO, &pid)) < 0)
        return -1;
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        ssize_t got;
        size_t s = 0, i;
        int left = (int)(deadline - time(NULL));

        if (left <= 0 || poll(&p, 1, left * 1000) <= 0) {
            ok = 0;                     /* too slow: stopped */
            kill(pid, SIGKILL);
            break;
        }
        got = read(fd, buf + have, sizeof(buf) - have);
        if (got <= 0)
            break;
        have += (size_t)got;
        for (i = 0; i < have; i++)
            if (buf[i] == '\n') {
                sdx_queue_line(q, buf + s, i - s);
                s = i + 1;
            }
        if (s == 0 && have == sizeof(buf)) {
            sdx_queue_line(q, buf, have);       /* a line longer than the buffer: cut */
            s = have;
        }
        memmove(buf, buf + s, have - s);
        have -= s;
    }
    if (have)
        sdx_queue_line(q, buf, have);
    close(fd);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void watch_queue(struct watch *w)
{
    static struct sdx_queue q;      /* large: not on the stack */
    const struct sdx_queue_dest *top[SDX_QUEUE_TOP_MAX];
    const struct sdx_queue_reason *why[SDX_QUEUE_TOP_MAX];
    int postfix = strcmp(w->a->queue, "postfix") == 0;
    const char *cmd = w->a->queue_command ? w->a->queue_command : postfix ? "postqueue -j" : "exim -bp";
    size_t i, n;
    time_t now = time(NULL);
    int rc;

    sdx_queue_init(&q, postfix ? SDX_QUEUE_POSTFIX_JSON : SDX_QUEUE_EXIM_BP, (int64_t)now);
    rc = list_queue(cmd, &q);
    pthread_mutex_lock(&w->lock);
    if (rc != 0 || q.odd_lines)
        sdx_metrics_add(w->m, "smtpdx_queue_listing_errors_total", "", 1);
    if (rc == 0) {
        static const char *const pf[] = { "active", "deferred", "hold", "incoming", "maildrop" };
        char l[SDX_METRICS_KEY_MAX];

        sdx_metrics_clear(w->m, "smtpdx_queue_messages");
        sdx_metrics_clear(w->m, "smtpdx_queue_oldest_seconds");
        sdx_metrics_clear(w->m, "smtpdx_queue_recipients_by_domain");
        sdx_metrics_clear(w->m, "smtpdx_queue_deferral_reasons");
        for (i = 0; postfix && i < sizeof(pf) / sizeof(pf[0]); i++) {      /* empty queues say 0 */
            l[0] = '\0';
            (void)sdx_metrics_label(l, sizeof(l), "queue", pf[i], strlen(pf[i]));
            sdx_metrics_set(w->m, "smtpdx_queue_messages", l, 0);
            sdx_metrics_set(w->m, "smtpdx_queue_oldest_seconds", l, 0);
        }
        if (!postfix) {
            snprintf(l, sizeof(l), "queue=\"queue\"");
            sdx_metrics_set(w->m, "smtpdx_queue_messages", l, 0);
            sdx_metrics_set(w->m, "smtpdx_queue_oldest_seconds", l, 0);
        }
        for (i = 0; i < q.nq; i++) {
            l[0] = '\0';
            (void)sdx_metrics_label(l, sizeof(l), "queue", q.q[i].name, strlen(q.q[i].name));
            sdx_metrics_set(w->m, "smtpdx_queue_messages", l, (double)q.q[i].messages);
            sdx_metrics_set(w->m, "smtpdx_queue_oldest_seconds", l,
                            q.q[i].oldest ? (double)(now - q.q[i].oldest) : 0.0);
        }
        n = sdx_queue_top_dest(&q, top, SDX_QUEUE_TOP_MAX);
        for (i = 0; i < n; i++) {
            l[0] = '\0';
            (void)sdx_metrics_label(l, sizeof(l), "domain", top[i]->domain, strlen(top[i]->domain));
            (void)sdx_metrics_label(l, sizeof(l), "last_reason", top[i]->last_reason, strlen(top[i]->last_reason));
            sdx_metrics_set(w->m, "smtpdx_queue_recipients_by_domain", l, (double)top[i]->recipients);
        }
        if (w->conf.alerts) {
            struct sdx_alert_fired f[4];
            unsigned long waiting = 0, oldest = 0;

            for (i = 0; i < q.nq; i++) {
                waiting += strcmp(q.q[i].name, "hold") != 0 ? q.q[i].messages : 0;
                if (q.q[i].oldest && (unsigned long)(now - q.q[i].oldest) > oldest &&
                    strcmp(q.q[i].name, "hold") != 0)
                    oldest = (unsigned long)(now - q.q[i].oldest);
            }
            fired(w, f, sdx_alerts_queue(w->conf.alerts, (int64_t)now, waiting, oldest, f, 4));
        }
        n = sdx_queue_top_reason(&q, why, SDX_QUEUE_TOP_MAX);
        for (i = 0; i < n; i++) {
            l[0] = '\0';
            (void)sdx_metrics_label(l, sizeof(l), "reason", why[i]->fingerprint, strlen(why[i]->fingerprint));
            sdx_metrics_set(w->m, "smtpdx_queue_deferral_reasons", l, (double)why[i]->recipients);
        }
    }
    pthread_mutex_unlock(&w->lock);
}

/* opt_index - the index in watch_opts of the option whose long name is
 * name with '_' for '-' (for the reload's "did the command line say it") */
static size_t opt_index(const char *name)
{
    size_t i, k;

    for (i = 0; watch_opts[i].lng; i++) {
        for (k = 0; name[k] && (watch_opts[i].lng[k] == name[k] ||
                                (watch_opts[i].lng[k] == '-' && name[k] == '_')); k++)
            ;
        if (!name[k] && !watch_opts[i].lng[k])
            return i < 64 ? i : 63;
    }
    return 63;
}

/* ---- blocklists ------------------------------------------------------------------ */
static void watch_dnsbl(struct watch *w)
{
    size_t t, l;
    int rc = sdx_dnsbl_check(w->rs, w->targets, w->ntargets, w->lists, w->nlists, 5000, w->res);

    if (rc != 0)
        return;
    pthread_mutex_lock(&w->lock);
    for (t = 0; t < w->ntargets; t++)
        for (l = 0; l < w->nlists; l++) {
            const struct sdx_dnsbl_result *r = &w->res[t * w->nlists + l];
            signed char *was = &w->listed[t * w->nlists + l];
            char lab[SDX_METRICS_KEY_MAX] = "";
            int now;

            if (r->state == SDX_DNSBL_SKIPPED)
                continue;
            (void)sdx_metrics_label(lab, sizeof(lab), "ip", w->targets[t], strlen(w->targets[t]));
            (void)sdx_metrics_label(lab, sizeof(lab), "list", r->list->zone, strlen(r->list->zone));
            if (r->state != SDX_DNSBL_LISTED && r->state != SDX_DNSBL_NOT_LISTED) {
                char e[SDX_METRICS_KEY_MAX];

                snprintf(e, sizeof(e), "%s", lab);
                (void)sdx_metrics_label(e, sizeof(e), "state", sdx_dnsbl_state_name(r->state),
                                        strlen(sdx_dnsbl_state_name(r->state)));
                sdx_metrics_add(w->m, "smtpdx_dnsbl_no_verdict_total", e, 1);
                continue;               /* no verdict: the last one stands */
            }
            now = r->state == SDX_DNSBL_LISTED;
            sdx_metrics_set(w->m, "smtpdx_dnsbl_listed", lab, now);
            if (*was >= 0 && *was != now) {
                char c[SDX_METRICS_KEY_MAX];

                memcpy(c, lab, sizeof(c));
                (void)sdx_metrics_label(c, sizeof(c), "change", now ? "listed" : "delisted", now ? 6 : 8);
                sdx_metrics_add(w->m, "smtpdx_dnsbl_changes_total", c, 1);
                if (now && w->conf.alerts) {
                    struct sdx_alert_fired f[2];

                    fired(w, f, sdx_alerts_listed(w->conf.alerts, (int64_t)time(NULL), w->targets[t],
                                                  r->list->zone, f, 2));
                }
                fprintf(stderr, "smtpdx watch: %s is %s %s%s%.*s\n", w->targets[t],
                        now ? "now listed on" : "no longer listed on", r->list->zone,
                        now && r->nans ? ": " : "", now && r->nans ? 200 : 0,
                        now && r->nans && r->ans[0].meaning ? r->ans[0].meaning : "");
            }
            *was = (signed char)now;
        }
    pthread_mutex_unlock(&w->lock);
}

/* read_stdin - what standard input holds now, complete lines delivered;
 * a line longer than the limit is cut */
static int read_stdin(struct watch *w)
{
    for (;;) {
        ssize_t got = read(w->in_fd, w->in + w->in_len, (SDX_FOLLOW_LINE_MAX + 65536) - w->in_len);
        size_t s = 0, i;
        int rc;

        if (got < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        if (got == 0) {
            w->stdin_eof = 1;
            if (w->in_len && (rc = on_line(w, SDX_FOLLOW_FILES_MAX, w->in, w->in_len)) != 0)
                return rc;
            w->in_len = 0;
            return 0;
        }
        w->in_len += (size_t)got;
        for (i = 0; i < w->in_len; i++)
            if (w->in[i] == '\n') {
                if ((rc = on_line(w, SDX_FOLLOW_FILES_MAX, w->in + s, i - s)) != 0)
                    return rc;
                s = i + 1;
            }
        if (s == 0 && w->in_len >= SDX_FOLLOW_LINE_MAX) {
            if ((rc = on_line(w, SDX_FOLLOW_FILES_MAX, w->in, w->in_len)) != 0)
                return rc;
            s = w->in_len;
        }
        memmove(w->in, w->in + s, w->in_len - s);
        w->in_len -= s;
    }
}

/* drop - become user (after the port, the state and the logs are open):
 * the state's files are handed over first, so checkpoints go on */
static int drop(const char *user, const char *state)
{
    struct passwd *pw = getpwnam(user);
    static const char *const suffix[] = { "", "-wal", "-shm" };
    char p[4096];
    size_t i;

    if (!pw) {
        fprintf(stderr, "smtpdx watch: --user %s: no such user\n", user);
        return -1;
    }
    for (i = 0; state && i < 3; i++)
        if ((size_t)snprintf(p, sizeof(p), "%s%s", state, suffix[i]) < sizeof(p))
            (void)chown(p, pw->pw_uid, pw->pw_gid);
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        fprintf(stderr, "smtpdx watch: cannot become %s: %s\n", user, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0) {           /* must not be able to come back */
        fprintf(stderr, "smtpdx watch: could regain root after becoming %s: stopping\n", user);
        return -1;
    }
    return 0;
}

/* act - what the configuration says to do with the alerts fired: a log
 * line always; the alert as JSON on the standard input of alert_command
 * (not waited for: reaped later), and POSTed to alert_url. Outside the lock. */
static void act(struct watch *w)
{
    struct sdx_alert_fired f[32];
    size_t n, i;
    char host[256] = "";

    pthread_mutex_lock(&w->lock);
    n = w->npending;
    memcpy(f, w->pending, n * sizeof(f[0]));
    w->npending = 0;
    pthread_mutex_unlock(&w->lock);
    (void)gethostname(host, sizeof(host) - 1);
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;                               /* commands of earlier alerts */
    for (i = 0; i < n; i++) {
        struct sdx_buf out;
        struct sdx_json j;
        char when[40];

        fprintf(stderr, "smtpdx watch: ALERT %s: %s\n", f[i].rule, f[i].summary);
        if (!w->conf.alert_command && !w->conf.alert_url)
            continue;
        sdx_time_format((int64_t)time(NULL) * 1000000, when, sizeof(when));
        sdx_buf_init(&out, 1u << 16);
        sdx_json_init(&j, &out, 0);
        sdx_json_obj(&j, NULL);
        sdx_json_str(&j, "alert", f[i].rule);
        sdx_json_str(&j, "summary", f[i].summary);
        sdx_json_int(&j, "value", (int64_t)f[i].value);
        sdx_json_int(&j, "threshold", (int64_t)f[i].threshold);
        sdx_json_int(&j, "window_s", (int64_t)f[i].window);
        sdx_json_str(&j, "time", when);
        sdx_json_str(&j, "host", host);
        sdx_json_end(&j, '}');
        if (j.err || sdx_buf_addc(&out, '\n') != 0) {
            sdx_buf_release(&out);
            continue;
        }
        if (w->conf.alert_command) {
            pid_t pid;
            int fd = spawn_sh(w->conf.alert_command, STDIN_FILENO, &pid);

            if (fd < 0)
                fprintf(stderr, "smtpdx watch: cannot run alert_command\n");
            else {
                if (write(fd, out.data, out.len) != (ssize_t)out.len)
                    fprintf(stderr, "smtpdx watch: alert_command did not take the whole alert\n");
                close(fd);              /* reaped by a later act() or at exit */
            }
        }
        if (w->conf.alert_url) {
            char err[256];

            if (sdx_webhook_post(w->conf.alert_url, out.data, out.len, 5, err, sizeof(err)) != 0)
                fprintf(stderr, "smtpdx watch: alert_url: %s\n", err);
        }
        sdx_buf_release(&out);
    }
}

/* ---- HTTP ------------------------------------------------------------------------ */
/* libmicrohttpd, loaded when the daemon starts serving (dynlib.h says why:
 * it links GnuTLS, whose start-up costs every run of every smtpdx command
 * several milliseconds); the calls keep their names through this table */
static struct {
    struct MHD_Daemon *(*start_daemon)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
                                       MHD_AccessHandlerCallback, void *, ...);
    void (*stop_daemon)(struct MHD_Daemon *);
    struct MHD_Response *(*create_response_from_buffer)(size_t, void *, enum MHD_ResponseMemoryMode);
    enum MHD_Result (*add_response_header)(struct MHD_Response *, const char *, const char *);
    enum MHD_Result (*queue_response)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
    void (*destroy_response)(struct MHD_Response *);
} M;
static const char *const mhd_names[] = {
    "MHD_start_daemon", "MHD_stop_daemon", "MHD_create_response_from_buffer", "MHD_add_response_header",
    "MHD_queue_response", "MHD_destroy_response",
};
static struct sdx_dynlib libmhd = { "libmicrohttpd.so.12", mhd_names, sizeof(mhd_names) / sizeof(char *),
                                    (void **)&M, 0, "" };
#define MHD_start_daemon                M.start_daemon
#define MHD_stop_daemon                 M.stop_daemon
#define MHD_create_response_from_buffer M.create_response_from_buffer
#define MHD_add_response_header         M.add_response_header
#define MHD_queue_response              M.queue_response
#define MHD_destroy_response            M.destroy_response

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, const char *body,
                             size_t n)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    struct watch *w = cls;
    struct sdx_buf out;
    enum MHD_Result ret;

    (void)version, (void)upload, (void)upload_size, (void)con_cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n", 9);
    if (strcmp(url, "/healthz") == 0)
        return reply(c, MHD_HTTP_OK, "text/plain", "ok\n", 3);
    sdx_buf_init(&out, 64u << 20);
    pthread_mutex_lock(&w->lock);
    if (strcmp(url, "/metrics") == 0) {
        if (sdx_metrics_render(w->m, &out) != 0) {
            pthread_mutex_unlock(&w->lock);
            sdx_buf_release(&out);
            return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", "out of memory\n", 14);
        }
        pthread_mutex_unlock(&w->lock);
        ret = reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", out.data, out.len);
        sdx_buf_release(&out);
        return ret;
    }
    if (strcmp(url, "/") == 0) {
        const char *files[SDX_FOLLOW_FILES_MAX];
        size_t i, n = sdx_follow_count(w->fol);
        int err;

        for (i = 0; i < n; i++)
            files[i] = sdx_follow_path(w->fol, i);
        err = watch_page(&out, &w->hist, (int64_t)time(NULL), files, n, w->events, sdx_metrics_series(w->m));
        pthread_mutex_unlock(&w->lock);
        ret = err ? MHD_NO : reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", out.data, out.len);
        sdx_buf_release(&out);
        return ret;
    }
    pthread_mutex_unlock(&w->lock);
    sdx_buf_release(&out);
    return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found: try /metrics, /healthz or /\n", 39);
}

static int parse_listen(const char *s, struct sockaddr_in *sa)
{
    const char *colon = strrchr(s, ':');
    char host[64];
    char *end;
    unsigned long port;

    if (!colon || (size_t)(colon - s) >= sizeof(host))
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    port = strtoul(colon + 1, &end, 10);
    if (*end || port == 0 || port > 65535)
        return -1;
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

int cmd_watch(const struct cmd *self, int argc, char **argv)
{
    struct watch_args a = { 0 };
    struct watch w;
    struct sockaddr_in sa;
    struct MHD_Daemon *http = NULL;
    sigset_t mask;
    int first, rc, i, sfd = -1, ret = EXIT_OK, stop = 0;
    char msg[256];
    time_t last_cp, last_queue = 0, last_dnsbl = 0;

    memset(&w, 0, sizeof(w));
    if ((rc = opt_parse(self, argc, argv, &a, &first)) >= 0)
        return rc;
    /* an alert command that exits without reading its alert must not kill
     * the daemon: the write fails instead */
    signal(SIGPIPE, SIG_IGN);
    if (a.config) {
        unsigned char *set = w.cli_set;
        const struct opt *o;
        size_t k;

        /* what the command line gave wins over the file */
        for (o = watch_opts, k = 0; o->lng && k < sizeof(w.cli_set); o++, k++)
            set[k] = o->type == OPT_STR ? *(const char **)((char *)&a + o->field) != NULL :
                     o->type == OPT_UINT ? *(unsigned long *)((char *)&a + o->field) != 0 :
                     *(int *)((char *)&a + o->field) != 0;
        if (watch_conf_read(a.config, watch_opts, &a, set, &w.conf) != 0)
            return EXIT_USAGE;
    }
    if (!a.listen)
        a.listen = DEFAULT_LISTEN;
    if (!a.state)
        a.state = DEFAULT_STATE;
    if (!a.checkpoint)
        a.checkpoint = 5;
    if (!a.top_domains)
        a.top_domains = 50;
    if (first == argc && !w.conf.nlogs && !a.journal) {
        fprintf(stderr, "smtpdx watch: name the log files to follow (or logs = in --config)\n");
        opt_usage_line(self, stderr);
        watch_conf_free(&w.conf);
        return EXIT_USAGE;
    }
    if (!a.once && !a.no_http && parse_listen(a.listen, &sa) != 0) {
        fprintf(stderr, "smtpdx watch: --listen takes an IPv4 ADDR:PORT (such as 127.0.0.1:9633)\n");
        watch_conf_free(&w.conf);
        return EXIT_USAGE;
    }
    if (a.queue && strcmp(a.queue, "postfix") != 0 && strcmp(a.queue, "exim") != 0) {
        fprintf(stderr, "smtpdx watch: --queue takes postfix or exim\n");
        watch_conf_free(&w.conf);
        return EXIT_USAGE;
    }
    if (!a.queue_interval)
        a.queue_interval = 60;
    if (!a.dnsbl_interval)
        a.dnsbl_interval = 600;
    w.a = &a;
    w.top = a.top_domains;
    w.started = time(NULL);
    pthread_mutex_init(&w.lock, NULL);
    {
        time_t now = time(NULL);
        struct tm tmv;

        localtime_r(&now, &tmv);
        sdx_syslog_init(&w.sl, tmv.tm_year + 1900, tmv.tm_gmtoff);
        w.sl.ref_month = tmv.tm_mon + 1;
    }
    if (sdx_follow_new(&w.fol) != 0 || sdx_logs_new(&w.logs) != 0 ||
        sdx_metrics_new(&w.m, a.series_max ? a.series_max : 10000) != 0) {
        fprintf(stderr, "smtpdx watch: out of memory or no inotify\n");
        ret = EXIT_INPUT;
        goto out;
    }
    /* memory: each message in flight costs about 2.5 KiB; the library's
     * defaults (32,768) are for one-shot reading, a daemon keeps fewer */
    if (sdx_logs_limits(w.logs, 2048, a.in_flight ? a.in_flight : 8192) != 0) {
        fprintf(stderr, "smtpdx watch: --in-flight takes 1 to 32768\n");
        ret = EXIT_USAGE;
        goto out;
    }
    sdx_logs_on_delivery(w.logs, on_delivery, &w);
    if (a.mta) {
        enum sdx_mta mta = strcmp(a.mta, "postfix") == 0 ? SDX_MTA_POSTFIX : strcmp(a.mta, "exim") == 0 ? SDX_MTA_EXIM :
                           strcmp(a.mta, "opensmtpd") == 0 ? SDX_MTA_OPENSMTPD : SDX_MTA_UNKNOWN;

        if (mta == SDX_MTA_UNKNOWN || sdx_logs_force(w.logs, mta) != 0) {
            fprintf(stderr, "smtpdx watch: --mta takes postfix, exim or opensmtpd\n");
            ret = EXIT_USAGE;
            goto out;
        }
    }
    declare(w.m);
    if (a.dnsbl) {
        const struct sdx_dnsbl_list *def;
        char *t, *comma;

        if ((w.dnsbl_buf = strdup(a.dnsbl)) == NULL || (a.dnsbl_lists && (w.lists_buf = strdup(a.dnsbl_lists)) == NULL)) {
            ret = EXIT_INPUT;
            goto out;
        }
        for (t = w.dnsbl_buf; t && w.ntargets < SDX_DNSBL_TARGETS_MAX; t = comma ? comma + 1 : NULL) {
            if ((comma = strchr(t, ',')) != NULL)
                *comma = '\0';
            if (*t)
                w.targets[w.ntargets++] = t;
        }
        if (w.lists_buf) {
            if ((ret = cli_dnsbl_lists("watch", w.lists_buf, w.lists, &w.nlists)) != 0)
                goto out;
        } else {
            def = sdx_dnsbl_defaults(&w.nlists);
            memcpy(w.lists, def, w.nlists * sizeof(*def));
        }
        if (!w.ntargets) {
            fprintf(stderr, "smtpdx watch: --dnsbl takes IP addresses, comma-separated\n");
            ret = EXIT_USAGE;
            goto out;
        }
        w.listed = malloc(w.ntargets * w.nlists);
        w.res = calloc(w.ntargets * w.nlists, sizeof(*w.res));
        if (!w.listed || !w.res) {
            ret = EXIT_INPUT;
            goto out;
        }
        memset(w.listed, -1, w.ntargets * w.nlists);
        if ((ret = cli_resolver("watch", a.resolver, a.trust_anchor, &w.rs)) != 0)
            goto out;
    }
    if (strcmp(a.state, "none") != 0) {
        if (strcmp(a.state, DEFAULT_STATE) == 0)
            (void)mkdir("/var/lib/smtpdx", 0750);
        if (sdx_state_open(&w.state, a.state, msg, sizeof(msg)) != 0) {
            fprintf(stderr, "smtpdx watch: state %s: %s (--state FILE, or --state none)\n", a.state, msg);
            ret = EXIT_INPUT;
            goto out;
        }
        (void)sdx_state_counters(w.state, restore_counter, &w);
    }
    for (i = first; i < argc; i++) {
        struct sdx_follow_pos pos;

        if (strcmp(argv[i], "-") == 0) {        /* a stream: no position to keep */
            if (w.use_stdin || (w.in = malloc(SDX_FOLLOW_LINE_MAX + 65536)) == NULL) {
                fprintf(stderr, "smtpdx watch: - (standard input) once only\n");
                ret = EXIT_USAGE;
                goto out;
            }
            w.use_stdin = 1;
            (void)fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
            continue;
        }
        int have = w.state && sdx_state_position(w.state, argv[i], &pos) == 0;
        int idx = sdx_follow_add(w.fol, argv[i], have ? SDX_FOLLOW_FROM_POS :
                                 a.from_start || a.once ? SDX_FOLLOW_FROM_START : SDX_FOLLOW_FROM_END,
                                 have ? &pos : NULL);

        if (idx < 0) {
            fprintf(stderr, "smtpdx watch: %s: %s\n", argv[i], sdx_strerror(idx));
            ret = EXIT_USAGE;
            goto out;
        }
    }
    w.in_fd = STDIN_FILENO;
    if (a.journal) {
        /* journalctl -f -o json [--after-cursor=C | -n 0] ARGS, through /bin/sh
         * (ARGS are the administrator's), its output read as a stream */
        char cmd[2048], cur[512] = "";

        if (w.use_stdin) {
            fprintf(stderr, "smtpdx watch: --journal or -, not both\n");
            ret = EXIT_USAGE;
            goto out;
        }
        if (w.state && sdx_state_text(w.state, "journal_cursor", cur, sizeof(cur)) == 0 &&
            strspn(cur, "0123456789abcdefABCDEF=;sibmtx") != strlen(cur))
            cur[0] = '\0';             /* not a cursor's characters: do not pass it to a shell */
        /* --once: what the journal holds, then the end; else follow it */
        if ((size_t)snprintf(cmd, sizeof(cmd), "exec journalctl %s-o json --no-pager %s%s%s %s", a.once ? "" : "-f ",
                             cur[0] ? "'--after-cursor=" : a.once ? "" : "-n 0", cur, cur[0] ? "'" : "",
                             a.journal) >= sizeof(cmd) ||
            (w.in = malloc(SDX_FOLLOW_LINE_MAX + 65536)) == NULL) {
            ret = EXIT_INPUT;
            goto out;
        }
        if ((w.in_fd = spawn_sh(cmd, STDOUT_FILENO, &w.journal_pid)) < 0) {
            w.journal_pid = 0;
            fprintf(stderr, "smtpdx watch: cannot run journalctl\n");
            ret = EXIT_INPUT;
            goto out;
        }
        (void)fcntl(w.in_fd, F_SETFL, fcntl(w.in_fd, F_GETFL) | O_NONBLOCK);
        w.use_stdin = 1;
        snprintf(w.cursor, sizeof(w.cursor), "%s", cur);
    }
    for (i = 0; i < (int)w.conf.nlogs; i++) {
        struct sdx_follow_pos pos;
        int have = w.state && sdx_state_position(w.state, w.conf.logs[i], &pos) == 0;

        if (sdx_follow_add(w.fol, w.conf.logs[i], have ? SDX_FOLLOW_FROM_POS :
                           a.from_start || a.once ? SDX_FOLLOW_FROM_START : SDX_FOLLOW_FROM_END,
                           have ? &pos : NULL) < 0) {
            fprintf(stderr, "smtpdx watch: %s: cannot follow\n", w.conf.logs[i]);
            ret = EXIT_USAGE;
            goto out;
        }
    }
    /* signals blocked before any thread exists (libmicrohttpd's inherits
     * the mask), taken by the loop through a signalfd */
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    if (!a.once)
        pthread_sigmask(SIG_BLOCK, &mask, NULL);
    if (!a.once && !a.no_http && sdx_dynlib_load(&libmhd) != 0) {
        fprintf(stderr, "smtpdx watch: %s (install libmicrohttpd12, or --no-http)\n", libmhd.error);
        ret = EXIT_INPUT;
        goto out;
    }
    if (!a.once && !a.no_http) {
        http = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                                handle, &w, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10, MHD_OPTION_END);
        if (!http) {
            fprintf(stderr, "smtpdx watch: cannot listen on %s\n", a.listen);
            ret = EXIT_INPUT;
            goto out;
        }
    }
    if (!a.once) {
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        fprintf(stderr, "smtpdx watch: following %d file(s)%s%s\n", argc - first,
                http ? ", serving http://" : "", http ? a.listen : "");
    }
    if (a.user) {
        /* open what is needed first: the logs (read once), the state's
         * journal (a first checkpoint) */
        pthread_mutex_lock(&w.lock);
        rc = sdx_follow_read(w.fol, on_line, &w);
        pthread_mutex_unlock(&w.lock);
        (void)checkpoint(&w);
        if (rc || drop(a.user, w.state ? a.state : NULL) != 0) {
            ret = EXIT_INPUT;
            goto out;
        }
    }
    last_cp = time(NULL);
    do {
        struct pollfd p[3] = { { sdx_follow_fd(w.fol), POLLIN, 0 }, { sfd, POLLIN, 0 },
                               { w.use_stdin && !w.stdin_eof ? w.in_fd : -1, POLLIN, 0 } };

        pthread_mutex_lock(&w.lock);
        rc = sdx_follow_read(w.fol, on_line, &w);
        if (!rc && w.use_stdin && !w.stdin_eof) {
            if (a.once) {               /* --once: the whole stream */
                (void)fcntl(w.in_fd, F_SETFL, fcntl(w.in_fd, F_GETFL) & ~O_NONBLOCK);
                while (!rc && !w.stdin_eof)
                    rc = read_stdin(&w);
            } else
                rc = read_stdin(&w);
        }
        totals(&w);
        pthread_mutex_unlock(&w.lock);
        act(&w);
        if (rc || w.err) {
            fprintf(stderr, "smtpdx watch: %s\n", sdx_strerror(w.err ? w.err : rc));
            ret = EXIT_INPUT;
            break;
        }
        if (a.once) {
            if (a.queue)
                watch_queue(&w);
            if (a.dnsbl)
                watch_dnsbl(&w);
            /* the events that wait for a later line (Sendmail's sender) */
            pthread_mutex_lock(&w.lock);
            if ((rc = sdx_logs_end(w.logs, on_event, &w)) != 0) {
                fprintf(stderr, "smtpdx watch: %s\n", sdx_strerror(rc));
                ret = EXIT_INPUT;
            }
            totals(&w);
            pthread_mutex_unlock(&w.lock);
            act(&w);
            break;
        }
        if (a.dnsbl && time(NULL) - last_dnsbl >= (time_t)a.dnsbl_interval) {
            watch_dnsbl(&w);
            last_dnsbl = time(NULL);
        }
        if (a.queue && time(NULL) - last_queue >= (time_t)a.queue_interval) {
            watch_queue(&w);
            last_queue = time(NULL);
        }
        if (time(NULL) - last_cp >= (time_t)a.checkpoint) {
            if (checkpoint(&w) != 0)
                fprintf(stderr, "smtpdx watch: cannot save the state in %s\n", a.state);
            last_cp = time(NULL);
        }
        if (w.use_stdin && w.stdin_eof) {
            fprintf(stderr, "smtpdx watch: %s ended: stopping\n", w.journal_pid ? "journalctl" : "standard input");
            ret = EXIT_INPUT;           /* the producer died: let the supervisor restart us */
            break;
        }
        if (poll(p, 3, 1000) > 0 && (p[1].revents & POLLIN)) {
            struct signalfd_siginfo si;

            while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (si.ssi_signo == SIGHUP) {
                    (void)checkpoint(&w);
                    if (a.config) {
                        /* the file again: alert rules and actions, new logs,
                         * the intervals and caps; the port, the state, the
                         * user need a restart (they are open or dropped) */
                        struct watch_conf c2;
                        struct watch_args a2;
                        size_t k;

                        memset(&a2, 0, sizeof(a2));
                        if (watch_conf_read(a.config, watch_opts, &a2, w.cli_set, &c2) == 0) {
                            pthread_mutex_lock(&w.lock);
                            sdx_alerts_free(w.conf.alerts);
                            free(w.conf.alert_command);
                            free(w.conf.alert_url);
                            w.conf.alerts = c2.alerts;
                            w.conf.alert_command = c2.alert_command;
                            w.conf.alert_url = c2.alert_url;
                            c2.alerts = NULL;
                            c2.alert_command = c2.alert_url = NULL;
#define TAKE(f) if (!w.cli_set[opt_index(#f)] && a2.f) a.f = a2.f
                            TAKE(checkpoint); TAKE(queue_interval); TAKE(dnsbl_interval); TAKE(top_domains);
#undef TAKE
                            w.top = a.top_domains;
                            for (k = 0; k < c2.nlogs; k++) {
                                size_t j;

                                for (j = 0; j < sdx_follow_count(w.fol) && strcmp(sdx_follow_path(w.fol, j),
                                                                                  c2.logs[k]) != 0; j++)
                                    ;
                                if (j == sdx_follow_count(w.fol) &&
                                    sdx_follow_add(w.fol, c2.logs[k], SDX_FOLLOW_FROM_START, NULL) >= 0)
                                    fprintf(stderr, "smtpdx watch: SIGHUP: now following %s\n", c2.logs[k]);
                            }
                            pthread_mutex_unlock(&w.lock);
                            watch_conf_free(&c2);
                            fprintf(stderr, "smtpdx watch: SIGHUP: configuration read again (%zu alert rules)\n",
                                    sdx_alerts_count(w.conf.alerts));
                        } else
                            fprintf(stderr, "smtpdx watch: SIGHUP: the configuration has errors: nothing changed\n");
                    }
                    fprintf(stderr, "smtpdx watch: SIGHUP: state saved\n");
                } else
                    stop = 1;
            }
            if (stop) {                 /* the lines written until now, then stop */
                pthread_mutex_lock(&w.lock);
                (void)sdx_follow_read(w.fol, on_line, &w);
                totals(&w);
                pthread_mutex_unlock(&w.lock);
            }
        }
    } while (!stop);
    if (checkpoint(&w) != 0) {
        fprintf(stderr, "smtpdx watch: cannot save the state in %s\n", a.state);
        ret = EXIT_INPUT;
    }
    if (a.once && ret == EXIT_OK) {
        struct sdx_buf out;

        sdx_buf_init(&out, 64u << 20);
        if (sdx_metrics_render(w.m, &out) == 0)
            fwrite(out.data, 1, out.len, stdout);
        sdx_buf_release(&out);
    }
out:
    if (http)
        MHD_stop_daemon(http);
    if (sfd >= 0)
        close(sfd);
    sdx_state_close(w.state);
    sdx_resolver_free(w.rs);
    free(w.listed);
    free(w.res);
    free(w.dnsbl_buf);
    free(w.lists_buf);
    sdx_metrics_free(w.m);
    sdx_logs_free(w.logs);
    sdx_follow_free(w.fol);
    if (w.journal_pid > 0) {
        kill(w.journal_pid, SIGTERM);
        while (waitpid(w.journal_pid, NULL, 0) < 0 && errno == EINTR)
            ;
        close(w.in_fd);
    }
    free(w.in);
    watch_conf_free(&w.conf);
    sdx_syslog_release(&w.sl);
    pthread_mutex_destroy(&w.lock);
    return ret;
}
