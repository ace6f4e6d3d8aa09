/* cmd_logs.c - smtpdx logs: every refusal in MTA logs, grouped and explained
 * In:  log files, rotated and compressed sets, or stdin ("-", or nothing).
 * Out: a text report (summary, then the groups of refusals ranked by how
 *      many events they hold, each explained with its steps and one example
 *      with the log lines that led to it), --json (the whole report),
 *      --ndjson (one event per line, shared field names plus ECS names),
 *      --html FILE (the report as one self-contained page, charts included).
 * Exit: 0 no refusal found, 1 refusals found, 2 usage, 3 unreadable input. */
#define _DEFAULT_SOURCE 1      /* struct tm's tm_gmtoff */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/explain.h"
#include "smtpdx/group.h"
#include "smtpdx/html.h"
#include "smtpdx/input.h"
#include "smtpdx/json.h"
#include "smtpdx/logs.h"
#include "smtpdx/syslog.h"
#include "cmds.h"

struct logs_args {
    int             json, ndjson, utc;
    unsigned long   limit, year;
    const char     *reason, *direction, *code, *queue_id, *recipient, *sender, *color, *since, *until, *html;
    const char     *domain, *client, *mta;
};

#define LA(f) offsetof(struct logs_args, f)
const struct opt logs_opts[] = {
    { "json",      'j', OPT_FLAG, NULL,      LA(json),      "print the whole report as one JSON object", 0 },
    { "ndjson",    'n', OPT_FLAG, NULL,      LA(ndjson),    "print one JSON object per event, one per line (ECS names too)", 0 },
    { "limit",     'l', OPT_UINT, "N",       LA(limit),     "show at most N groups (default 20; 0: all)", 100000 },
    { "reason",    'r', OPT_STR,  "REASON",  LA(reason),    "only events of this reason (userunknown, blocked, ...)", 0 },
    { "direction", 'd', OPT_STR,  "DIR",     LA(direction), "only inbound, outbound or local events", 0 },
    { "code",      'c', OPT_STR,  "CODE",    LA(code),      "only replies matching CODE: 550, 55x, 5xx, 5.7.1, 5.7.*", 0 },
    { "queue-id",  'q', OPT_STR,  "ID",      LA(queue_id),  "only the events of one message", 0 },
    { "recipient", 0,   OPT_STR,  "ADDRESS", LA(recipient), "only events for this recipient (or @domain)", 0 },
    { "sender",    0,   OPT_STR,  "ADDRESS", LA(sender),    "only events from this sender (or @domain)", 0 },
    { "domain",    0,   OPT_STR,  "DOMAIN",  LA(domain),    "only events about DOMAIN: sender's or recipient's domain, client or server host (subdomains too)", 0 },
    { "client",    0,   OPT_STR,  "ADDR",    LA(client),    "only events of this client: IP address, address prefix ending in . or :, or host name", 0 },
    { "mta",       0,   OPT_STR,  "MTA",     LA(mta),       "read every line as postfix, exim, opensmtpd or sendmail logs (default: detect per line)", 0 },
    { "since",     0,   OPT_STR,  "TIME",    LA(since),     "only events at or after TIME: 2026-11-27, 2026-11-27T18:00, RFC 3339", 0 },
    { "until",     0,   OPT_STR,  "TIME",    LA(until),     "only events before TIME (same forms)", 0 },
    { "year",      0,   OPT_UINT, "YEAR",    LA(year),      "year of the first line of logs without years (default: this year)", 9999 },
    { "utc",       0,   OPT_FLAG, NULL,      LA(utc),       "logs without a UTC offset are in UTC (default: the local zone)", 0 },
    { "html",      0,   OPT_STR,  "FILE",    LA(html),      "also write the report as one HTML page (charts, no external assets) to FILE", 0 },
    { "color",     0,   OPT_STR,  "WHEN",    LA(color),     "colour: auto (default), always, never", 0 },
    { NULL, 0, 0, NULL, 0, NULL, 0 }
};

const char logs_summary[] = "find, group and explain every refusal in MTA logs";
const char logs_help[] =
    "Reads Postfix, Exim and OpenSMTPD logs (syslog, rsyslog's ISO timestamps,\n"
    "journalctl -o short-iso/json, Postfix's maillog_file), plain or compressed (gzip, bzip2,\n"
    "xz, zstd), rotated sets in time order. Every refusal (our server refusing a\n"
    "client), bounce, deferral and expiry becomes an event with its session and\n"
    "message; events with the same reply (addresses, hosts and numbers masked)\n"
    "form a group, explained like `smtpdx explain` does, ranked by count.\n"
    "\n"
    "With no FILE, or with -, the log is read from standard input.\n"
    "\n"
    "Examples:\n"
    "  smtpdx logs /var/log/mail.log\n"
    "  smtpdx logs /var/log/mail.log*            # a rotated set, oldest first\n"
    "  smtpdx logs --reason userunknown --limit 5 /var/log/mail.log\n"
    "  smtpdx logs --domain example.com --since 2026-11-27 /var/log/mail.log*\n"
    "  smtpdx logs --client 192.0.2.7 --html report.html /var/log/mail.log\n"
    "  journalctl -u postfix -o short-iso | smtpdx logs --ndjson > events.ndjson\n";

struct run {
    const struct logs_args *a;
    struct sdx_groups      *groups;
    struct sdx_buf          out;
    enum sdx_reason         reason;
    int                     want_reason;
    unsigned long           shown;
    int64_t                 first_us, last_us;
    int64_t                 since_us, until_us;     /* 0: no bound */
    struct sdx_html_timeline *timeline;             /* --html: events over time */
    const struct sdx_syslog *sl;                    /* the framer's counts */
};

/* parse_time - "YYYY-MM-DD[(T| )hh:mm[:ss]][Z|(+|-)hh:mm]" into microseconds
 * UTC; a time without offset is in the zone of the logs (offset). -1 if bad */
static int64_t parse_time(const char *s, long offset)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh, om;
    struct tm tm;
    const char *p;
    time_t t;
    long off = offset;
    char sign;

    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
        return -1;
    p = s + n;
    if (*p == 'T' || *p == ' ') {
        int k = 0;

        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2)
            return -1;
        p += 1 + k;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &sec, &k) != 1)
                return -1;
            p += 1 + k;
        }
    }
    if (*p == 'Z')
        off = 0, p++;
    else if ((*p == '+' || *p == '-') && sscanf(p, "%c%2d:%2d", &sign, &oh, &om) == 3) {
        off = (oh * 3600L + om * 60L) * (sign == '-' ? -1 : 1);
        p += 6;
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
    t = timegm(&tm);
    return ((int64_t)t - off) * 1000000;
}

/* code_ok - "550", "55x", "5xx", "5.7.1", "5.7.*" against a reply */
static int code_ok(const char *pat, const struct sdx_reply *r)
{
    char code[4] = { 0 };
    size_t i, n = strlen(pat);

    if (strchr(pat, '.')) {
        size_t sl = strlen(r->status_str);

        if (n && pat[n - 1] == '*')
            return sl >= n - 1 && strncmp(r->status_str, pat, n - 1) == 0;
        return strcmp(r->status_str, pat) == 0;
    }
    if (r->code == 0 || n != 3)
        return 0;
    code[0] = (char)('0' + r->code / 100), code[1] = (char)('0' + r->code / 10 % 10), code[2] = (char)('0' + r->code % 10);
    for (i = 0; i < 3; i++)
        if (pat[i] != 'x' && pat[i] != 'X' && pat[i] != code[i])
            return 0;
    return 1;
}

/* domain_ok - name is dom or a subdomain of it (case-insensitive) */
static int domain_ok(const char *dom, struct sdx_str name)
{
    size_t n = strlen(dom);

    if (name.len && name.p[name.len - 1] == '.')
        name.len--;                     /* a rooted name */
    if (name.len < n || strncasecmp(name.p + name.len - n, dom, n) != 0)
        return 0;
    return name.len == n || name.p[name.len - n - 1] == '.' || name.p[name.len - n - 1] == '@';
}

/* client_ok - "192.0.2.7" or "2001:db8::1" exactly, "192.0.2." or
 * "2001:db8:" as a prefix, or a host name exactly */
static int client_ok(const char *pat, const struct sdx_peer *c)
{
    size_t n = strlen(pat);

    if (n && (pat[n - 1] == '.' || pat[n - 1] == ':') && strspn(pat, "0123456789abcdefABCDEF.:") == n)
        return c->addr.len >= n && strncasecmp(c->addr.p, pat, n) == 0;
    return (c->addr.len == n && strncasecmp(c->addr.p, pat, n) == 0) ||
           (c->host.len == n && strncasecmp(c->host.p, pat, n) == 0);
}

/* addr_ok - "user@example.com" exactly, or "@example.com" for the domain */
static int addr_ok(const char *pat, struct sdx_str a)
{
    size_t n = strlen(pat);

    if (pat[0] == '@')
        return a.len >= n && strncasecmp(a.p + a.len - n, pat, n) == 0;
    return a.len == n && strncasecmp(a.p, pat, n) == 0;
}

static int on_event(void *arg, const struct sdx_event *e)
{
    struct run *run = arg;
    const struct logs_args *a = run->a;
    struct sdx_verdict v;

    if (a->direction && strcmp(a->direction, sdx_direction_name(e->dir)) != 0)
        return 0;
    if ((run->since_us && e->when_us < run->since_us) || (run->until_us && e->when_us >= run->until_us))
        return 0;
    if (a->code && !code_ok(a->code, e->reply))
        return 0;
    if (a->queue_id && !sdx_str_eq(e->queue_id, a->queue_id))
        return 0;
    if (a->recipient && !addr_ok(a->recipient, e->recipient))
        return 0;
    if (a->sender && !addr_ok(a->sender, e->sender))
        return 0;
    if (a->domain && !domain_ok(a->domain, e->recipient) && !domain_ok(a->domain, e->sender) &&
        !domain_ok(a->domain, e->client.host) && !domain_ok(a->domain, e->server.host))
        return 0;
    if (a->client && !client_ok(a->client, &e->client))
        return 0;
    sdx_event_classify(e, &v);
    if (run->want_reason && v.reason != run->reason)
        return 0;
    if (e->when_us && (run->first_us == 0 || e->when_us < run->first_us))
        run->first_us = e->when_us;
    if (e->when_us > run->last_us)
        run->last_us = e->when_us;
    if (a->ndjson) {
        struct sdx_json j;

        sdx_buf_reset(&run->out);
        sdx_json_init(&j, &run->out, 0);
        sdx_json_obj(&j, NULL);
        sdx_json_event(&j, e, &v);
        sdx_json_end(&j, '}');
        if (j.err == 0) {
            fwrite(run->out.data, 1, run->out.len, stdout);
            fputc('\n', stdout);
        }
        run->shown++;
        return 0;
    }
    run->shown++;
    if (run->timeline)
        sdx_html_timeline_add(run->timeline, e->when_us);
    return sdx_groups_add(run->groups, e, &v) == SDX_ENOMEM ? SDX_ENOMEM : 0;
}

static void when(int64_t us, char *buf, size_t cap)
{
    sdx_time_format(us, buf, cap);
    if (buf[0] == '\0')
        snprintf(buf, cap, "-");
}

static void print_top(const char *label, const struct sdx_group_top *track)
{
    struct sdx_group_top top[SDX_GROUP_TOP];
    size_t i, n = sdx_group_top(track, top);

    if (n == 0)
        return;
    printf("       %-9s", label);
    for (i = 0; i < n; i++) {
        printf("%s", i ? ", " : " ");
        term_put_esc(stdout, top[i].name, strlen(top[i].name));
        printf(" (%lu)", top[i].count);
    }
    putchar('\n');
}

/* print_top_line - "  LABEL: a (3), b (2)" for the summary; nothing if empty */
static void print_top_line(const char *label, const struct sdx_group_top *track)
{
    struct sdx_group_top top[SDX_GROUP_TOP];
    size_t i, n = sdx_group_top(track, top);

    if (n == 0)
        return;
    printf("  %s:", label);
    for (i = 0; i < n; i++) {
        printf("%s", i ? ", " : " ");
        term_put_esc(stdout, top[i].name, strlen(top[i].name));
        printf(" (%lu)", top[i].count);
    }
    putchar('\n');
}

/* json_top - "key": [{"name": ..., "count": n}, ...] */
static void json_top(struct sdx_json *j, const char *key, const struct sdx_group_top *track)
{
    struct sdx_group_top top[SDX_GROUP_TOP];
    size_t i, n = sdx_group_top(track, top);

    sdx_json_arr(j, key);
    for (i = 0; i < n; i++) {
        sdx_json_obj(j, NULL);
        sdx_json_str(j, "name", top[i].name);
        sdx_json_int(j, "count", (int64_t)top[i].count);
        sdx_json_end(j, '}');
    }
    sdx_json_end(j, ']');
}

static void text_report(struct run *run, const struct sdx_logs *logs, const struct sdx_logs_stats *ls,
                        const struct sdx_input_stats *is)
{
    const struct sdx_group *const *g;
    struct sdx_groups_totals t;
    size_t n = sdx_groups_sorted(run->groups, &g), i, k;
    unsigned long limit = run->a->limit ? run->a->limit : n;
    char a[40], b[40];

    sdx_groups_totals(run->groups, &t);
    when(run->first_us, a, sizeof(a));
    when(run->last_us, b, sizeof(b));
    printf("%ssmtpdx logs%s: %lu lines in %lu file%s, %lu from a mail server; events from %s to %s\n",
           term_bold(), term_reset(), run->sl->lines, is->files, is->files == 1 ? "" : "s", ls->mta_lines, a, b);
    if (ls->duplicates || run->sl->details)
        printf("  Exim rejectlog: %lu refusals also in the mainlog (counted once), %lu envelope and "
               "header lines\n", ls->duplicates, run->sl->details);
    printf("  %lu refusals and failures: %lu rejected (inbound), %lu bounced, %lu deferred, %lu expired; "
           "%lu deliveries succeeded\n", t.events, t.by_outcome[SDX_OUT_REJECTED], t.by_outcome[SDX_OUT_BOUNCED],
           t.by_outcome[SDX_OUT_DEFERRED], t.by_outcome[SDX_OUT_EXPIRED], ls->delivered);
    printf("  by direction: inbound %lu, outbound %lu, local %lu; by class: 5xx %lu, 4xx %lu, no code %lu\n",
           t.by_direction[SDX_DIR_INBOUND], t.by_direction[SDX_DIR_OUTBOUND], t.by_direction[SDX_DIR_LOCAL],
           t.by_class[5], t.by_class[4], t.by_class[0]);
    if (t.softened)
        printf("  %lu recipient%s deferred (4xx) and later bounced (5xx)\n", t.softened, t.softened == 1 ? " was" : "s were");
    printf("  by reason:");
    for (k = 0, i = 0; i < SDX_REASON_COUNT; i++)
        if (t.by_reason[i])
            printf("%s %s %lu", k++ ? "," : "", sdx_reason_name((enum sdx_reason)i), t.by_reason[i]);
    printf("%s\n", k ? "" : " none");
    print_top_line("refused sender domains (inbound)", t.in_domains);
    print_top_line("refused clients (inbound)", t.clients);
    print_top_line("refusing recipient domains (outbound)", t.out_domains);
    if (ls->unparsed || is->cut || ls->sessions_dropped || ls->messages_dropped || run->sl->unparsed) {
        const char *const *lines;
        size_t nl = 0;

        if (run->sl->unparsed)
            printf("  skipped: %lu lines in no log format smtpdx knows (not syslog, journal or Exim)\n",
                   run->sl->unparsed);
        printf("  not understood: %lu MTA lines", ls->unparsed);
        for (i = 0; i < ls->nprograms; i++)
            printf("%s %s %lu", i ? "," : " (", ls->programs[i].name, ls->programs[i].unparsed);
        printf("%s; %lu lines cut; %lu sessions and %lu messages dropped by the memory limits\n",
               ls->nprograms ? ")" : "", is->cut, ls->sessions_dropped, ls->messages_dropped);
        nl = sdx_logs_unparsed(logs, &lines);
        for (i = 0; i < nl && i < 3; i++) {
            printf("    | ");
            fputs(lines[i], stdout);        /* escaped when kept */
            putchar('\n');
        }
    }
    if (n == 0) {
        printf("\nNo refusal, bounce, deferral or expiry found.\n");
        return;
    }
    printf("\n%sGroups, most events first%s (%zu group%s)\n", term_bold(), term_reset(), n, n == 1 ? "" : "s");
    for (i = 0; i < n && i < limit; i++) {
        const struct sdx_group *gr = g[i];
        struct sdx_verdict v;
        struct sdx_explanation x;

        memset(&v, 0, sizeof(v));
        v.reason = gr->reason, v.perm = gr->perm, v.actor = gr->actor;
        v.pattern = gr->pattern, v.status = gr->status_kb, v.code = gr->code_kb, v.reason_kb = gr->reason_kb;
        snprintf(v.rule, sizeof(v.rule), "%s", gr->ex_rule);
        sdx_explain_verdict(&v, &x);
        when(gr->first_us, a, sizeof(a));
        when(gr->last_us, b, sizeof(b));
        printf("\n%s%2zu. %lu× %s%s  %s, %s, %s", term_bold(), i + 1, gr->count, sdx_reason_name(gr->reason),
               term_reset(), sdx_perm_name(gr->perm), sdx_direction_name(gr->dir), sdx_outcome_name(gr->outcome));
        if (gr->code)
            printf(", %d", gr->code);
        if (gr->status[0])
            printf(" %s", gr->status);
        printf("\n      ");
        term_put_esc(stdout, gr->fingerprint, strlen(gr->fingerprint));
        printf("\n       %-9s %s to %s\n", "when", a, b);
        print_top(gr->dir == SDX_DIR_INBOUND ? "senders" : "domains", gr->domains);
        print_top("clients", gr->clients);
        print_top("servers", gr->hosts);
        printf("       %-9s %s (%s: %s)\n", "means", x.summary, sdx_actor_name(gr->actor), sdx_actor_desc(gr->actor));
        for (k = 0; x.steps[k] && k < 3; k++) {
            char item[1024];

            snprintf(item, sizeof(item), "%zu. %s", k + 1, x.steps[k]);
            term_wrap(stdout, item, 7, 3);
        }
        printf("       %-9s ", "example");
        term_put_esc(stdout, gr->ex_source, strlen(gr->ex_source));
        printf(":%lu", gr->ex_line);
        if (gr->ex_queue_id[0]) {
            printf(" queue id ");
            term_put_esc(stdout, gr->ex_queue_id, strlen(gr->ex_queue_id));
        }
        putchar('\n');
        if (gr->ex_reply_from == SDX_REPLY_RECONSTRUCTED)
            term_wrap(stdout, "(the reply is not in the log: the MTA logged the condition below, and the reply "
                              "shown is the one it sends for it)", 7, 0);
        else if (gr->ex_reply_from == SDX_REPLY_INFERRED)
            term_wrap(stdout, "(the reply is not in the log: the MTA only counted a failed command in its "
                              "disconnect line below; the reply shown is the likely one for that command in "
                              "that session)", 7, 0);
        for (k = 0; k < gr->ex_nstory; k++) {
            printf("       %s|%s ", term_dim(), term_reset());
            term_put_esc(stdout, gr->ex_story[k], strlen(gr->ex_story[k]) > 150 ? 150 : strlen(gr->ex_story[k]));
            putchar('\n');
        }
    }
    if (n > limit)
        printf("\n(%zu more groups; --limit 0 shows all)\n", n - limit);
}

/* html_report - the page into a->html; 0, or 1 after saying why not */
static int html_report(struct run *run, const struct sdx_logs_stats *ls, const struct sdx_input_stats *is)
{
    struct sdx_html_info info;
    FILE *f;
    int err;

    memset(&info, 0, sizeof(info));
    info.lines = run->sl->lines, info.mta_lines = ls->mta_lines, info.files = is->files;
    info.delivered = ls->delivered;
    info.first_us = run->first_us, info.last_us = run->last_us;
    info.limit = run->a->limit;
    info.timeline = run->timeline;
    sdx_buf_reset(&run->out);
    if ((err = sdx_html_report(&run->out, run->groups, &info)) != 0) {
        fprintf(stderr, "smtpdx logs: cannot make the HTML report: %s\n", sdx_strerror(err));
        return 1;
    }
    if ((f = fopen(run->a->html, "w")) == NULL ||
        fwrite(run->out.data, 1, run->out.len, f) != run->out.len || fclose(f) != 0) {
        fprintf(stderr, "smtpdx logs: cannot write ");
        term_put_esc(stderr, run->a->html, strlen(run->a->html));
        fprintf(stderr, "\n");
        return 1;
    }
    return 0;
}

static void json_report(struct run *run, const struct sdx_logs_stats *ls, const struct sdx_input_stats *is)
{
    const struct sdx_group *const *g;
    struct sdx_groups_totals t;
    size_t n = sdx_groups_sorted(run->groups, &g), i, k;
    struct sdx_json j;
    char a[40];

    sdx_groups_totals(run->groups, &t);
    sdx_buf_reset(&run->out);
    sdx_json_init(&j, &run->out, 1);
    sdx_json_obj(&j, NULL);
    sdx_json_int(&j, "lines", (int64_t)run->sl->lines);
    sdx_json_int(&j, "files", (int64_t)is->files);
    sdx_json_int(&j, "mta_lines", (int64_t)ls->mta_lines);
    sdx_json_int(&j, "unframed", (int64_t)run->sl->unparsed);
    sdx_json_int(&j, "unparsed", (int64_t)ls->unparsed);
    sdx_json_int(&j, "rejectlog_duplicates", (int64_t)ls->duplicates);
    sdx_json_int(&j, "rejectlog_details", (int64_t)run->sl->details);
    sdx_json_int(&j, "lines_cut", (int64_t)is->cut);
    sdx_json_int(&j, "events", (int64_t)t.events);
    sdx_json_int(&j, "delivered", (int64_t)ls->delivered);
    sdx_json_obj(&j, "by_outcome");
    for (i = 1; i < 6; i++)
        sdx_json_int(&j, sdx_outcome_name((enum sdx_outcome)i), (int64_t)t.by_outcome[i]);
    sdx_json_end(&j, '}');
    sdx_json_obj(&j, "by_reason");
    for (i = 0; i < SDX_REASON_COUNT; i++)
        if (t.by_reason[i])
            sdx_json_int(&j, sdx_reason_name((enum sdx_reason)i), (int64_t)t.by_reason[i]);
    sdx_json_end(&j, '}');
    sdx_json_int(&j, "deferred_then_bounced", (int64_t)t.softened);
    json_top(&j, "top_refused_sender_domains", t.in_domains);
    json_top(&j, "top_refused_clients", t.clients);
    json_top(&j, "top_refusing_recipient_domains", t.out_domains);
    sdx_json_arr(&j, "groups");
    for (i = 0; i < n; i++) {
        const struct sdx_group *gr = g[i];
        struct sdx_group_top top[SDX_GROUP_TOP];
        size_t nt;

        sdx_json_obj(&j, NULL);
        sdx_json_int(&j, "count", (int64_t)gr->count);
        sdx_json_str(&j, "fingerprint", gr->fingerprint);
        if (gr->code)
            sdx_json_int(&j, "reply_code", gr->code);
        else
            sdx_json_null(&j, "reply_code");
        sdx_json_str(&j, "status", gr->status[0] ? gr->status : NULL);
        sdx_json_str(&j, "reason", sdx_reason_name(gr->reason));
        sdx_json_bool(&j, "permanent", gr->perm == SDX_PERM_PERMANENT);
        sdx_json_str(&j, "actor", sdx_actor_name(gr->actor));
        sdx_json_str(&j, "direction", sdx_direction_name(gr->dir));
        when(gr->first_us, a, sizeof(a));
        sdx_json_str(&j, "first", a);
        when(gr->last_us, a, sizeof(a));
        sdx_json_str(&j, "last", a);
        sdx_json_arr(&j, "domains");
        nt = sdx_group_top(gr->domains, top);
        for (k = 0; k < nt; k++) {
            sdx_json_obj(&j, NULL);
            sdx_json_str(&j, "name", top[k].name);
            sdx_json_int(&j, "count", (int64_t)top[k].count);
            sdx_json_end(&j, '}');
        }
        sdx_json_end(&j, ']');
        sdx_json_obj(&j, "example");
        sdx_json_str(&j, "text", gr->ex_text);
        sdx_json_str(&j, "sender", gr->ex_sender);
        sdx_json_str(&j, "recipient", gr->ex_recipient);
        sdx_json_str(&j, "queue_id", gr->ex_queue_id[0] ? gr->ex_queue_id : NULL);
        sdx_json_str(&j, "source", gr->ex_source);
        sdx_json_int(&j, "line", (int64_t)gr->ex_line);
        sdx_json_str(&j, "rule", gr->ex_rule);
        sdx_json_str(&j, "reply_source", sdx_reply_source_name(gr->ex_reply_from));
        sdx_json_arr(&j, "story");
        for (k = 0; k < gr->ex_nstory; k++)
            sdx_json_str(&j, NULL, gr->ex_story[k]);
        sdx_json_end(&j, ']');
        sdx_json_end(&j, '}');
        sdx_json_end(&j, '}');
    }
    sdx_json_end(&j, ']');
    sdx_json_end(&j, '}');
    if (j.err)
        fprintf(stderr, "smtpdx logs: cannot write the report: %s\n", sdx_strerror(j.err));
    else {
        fwrite(run->out.data, 1, run->out.len, stdout);
        fputc('\n', stdout);
    }
}

int cmd_logs(const struct cmd *self, int argc, char **argv)
{
    struct logs_args a = { 0 };
    struct run run;
    struct sdx_input *in = NULL;
    struct sdx_logs *logs = NULL;
    struct sdx_syslog sl;
    struct sdx_diag d = { 0 };
    struct sdx_logs_stats ls;
    struct sdx_input_stats is;
    const char *stdin_only[] = { "-" };
    int first, rc, err = 0, read_errors = 0, html_failed = 0;
    int progress = isatty(STDERR_FILENO);   /* progress only on a terminal, never in pipes */
    unsigned long count = 0;
    long offset = 0;
    enum sdx_mta force = SDX_MTA_UNKNOWN;
    time_t now = time(NULL);
    struct tm tmv;

    a.limit = 20;
    if ((rc = opt_parse(self, argc, argv, &a, &first)) >= 0)
        return rc;
    if (term_setup(a.color) != 0) {
        fprintf(stderr, "smtpdx logs: --color takes auto, always or never\n");
        return EXIT_USAGE;
    }
    memset(&run, 0, sizeof(run));
    run.a = &a;
    if (a.reason) {
        if (sdx_reason_parse(a.reason, strlen(a.reason), &run.reason) != 0) {
            fprintf(stderr, "smtpdx logs: unknown reason '");
            term_put_esc(stderr, a.reason, strlen(a.reason));
            fprintf(stderr, "'; see smtpdx-logs(1) for the list\n");
            return EXIT_USAGE;
        }
        run.want_reason = 1;
    }
    if (a.direction && strcmp(a.direction, "inbound") && strcmp(a.direction, "outbound") &&
        strcmp(a.direction, "local")) {
        fprintf(stderr, "smtpdx logs: --direction takes inbound, outbound or local\n");
        return EXIT_USAGE;
    }
    if (a.mta) {
        if (strcmp(a.mta, "postfix") == 0)
            force = SDX_MTA_POSTFIX;
        else if (strcmp(a.mta, "exim") == 0)
            force = SDX_MTA_EXIM;
        else if (strcmp(a.mta, "opensmtpd") == 0)
            force = SDX_MTA_OPENSMTPD;
        else if (strcmp(a.mta, "sendmail") == 0)
            force = SDX_MTA_SENDMAIL;
        else {
            fprintf(stderr, "smtpdx logs: --mta takes postfix, exim, opensmtpd or sendmail\n");
            return EXIT_USAGE;
        }
    }
    if (a.domain && (a.domain[0] == '\0' || a.domain[0] == '.' || a.domain[0] == '@')) {
        fprintf(stderr, "smtpdx logs: --domain takes a domain name: example.com\n");
        return EXIT_USAGE;
    }
    if (a.client && a.client[0] == '\0') {
        fprintf(stderr, "smtpdx logs: --client takes an IP address, a prefix (192.0.2.) or a host name\n");
        return EXIT_USAGE;
    }
    localtime_r(&now, &tmv);
    if (!a.utc)
        offset = tmv.tm_gmtoff;
    if ((a.since && (run.since_us = parse_time(a.since, offset)) < 0) ||
        (a.until && (run.until_us = parse_time(a.until, offset)) < 0)) {
        fprintf(stderr, "smtpdx logs: --since and --until take 2026-11-27, 2026-11-27T18:00[:00] "
                "or RFC 3339 (2026-11-27T18:00:00Z)\n");
        return EXIT_USAGE;
    }
    sdx_syslog_init(&sl, a.year ? (int)a.year : tmv.tm_year + 1900, offset);
    run.sl = &sl;
    if (!a.year)
        sl.ref_month = tmv.tm_mon + 1;  /* a December log read in January is last year's */
    sdx_buf_init(&run.out, (size_t)64 << 20);
    if (a.html && a.ndjson) {
        fprintf(stderr, "smtpdx logs: --html needs the groups; it does not go with --ndjson\n");
        rc = EXIT_USAGE;
        goto done;
    }
    if (a.html && (run.timeline = calloc(1, sizeof(*run.timeline))) == NULL) {
        fprintf(stderr, "smtpdx logs: out of memory\n");
        rc = EXIT_INPUT;
        goto done;
    }
    if (sdx_groups_new(&run.groups) != 0 || sdx_logs_new(&logs) != 0) {
        fprintf(stderr, "smtpdx logs: out of memory\n");
        rc = EXIT_INPUT;
        goto done;
    }
    (void)sdx_logs_force(logs, force);  /* one of the three: cannot fail */
    if (first >= argc && isatty(STDIN_FILENO))
        fprintf(stderr, "smtpdx logs: reading the log from the terminal; end with Ctrl-D (or name the files)\n");
    if ((err = sdx_input_open(&in, first < argc ? (const char *const *)argv + first : stdin_only,
                              first < argc ? (size_t)(argc - first) : 1, &d)) != 0) {
        fprintf(stderr, "smtpdx logs: %s\n", d.msg[0] ? d.msg : sdx_strerror(err));
        rc = EXIT_INPUT;
        goto done;
    }
    for (;;) {
        struct sdx_str line;
        const char *source;
        unsigned long lineno;
        struct sdx_logline ll;

        err = sdx_input_next(in, &line, &source, &lineno, &d);
        if (err == 0)
            break;
        if (err < 0) {
            fprintf(stderr, "smtpdx logs: %s\n", d.msg[0] ? d.msg : sdx_strerror(err));
            if (err == SDX_ENOMEM) {
                rc = EXIT_INPUT;
                goto done;
            }
            read_errors++;
            continue;
        }
        if (progress && ++count % 1000000 == 0)
            fprintf(stderr, "\rsmtpdx logs: %lu million lines...", count / 1000000);
        if ((err = sdx_syslog_parse(&sl, line.p, line.len, &ll)) != 0) {
            if (err == SDX_ENOMEM) {
                fprintf(stderr, "smtpdx logs: out of memory\n");
                rc = EXIT_INPUT;
                goto done;
            }
            continue;               /* no framing smtpdx knows: counted by the framer */
        }
        if ((err = sdx_logs_line(logs, &ll, source, lineno, on_event, &run)) != 0) {
            fprintf(stderr, "smtpdx logs: %s\n", sdx_strerror(err));
            rc = EXIT_INPUT;
            goto done;
        }
    }
    if ((err = sdx_logs_end(logs, on_event, &run)) != 0) {
        fprintf(stderr, "smtpdx logs: %s\n", sdx_strerror(err));
        rc = EXIT_INPUT;
        goto done;
    }
    if (progress && count >= 1000000)
        fputs("\r\033[K", stderr);   /* erase the progress line */
    sdx_logs_stats(logs, &ls);
    sdx_input_stats(in, &is);
    if (is.files == 0 && read_errors)
        ;                       /* nothing could be read: the errors said it all */
    else if (a.json)
        json_report(&run, &ls, &is);
    else if (!a.ndjson)
        text_report(&run, logs, &ls, &is);
    if (a.html && !(is.files == 0 && read_errors))
        html_failed = html_report(&run, &ls, &is);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "smtpdx logs: cannot write standard output\n");
        rc = EXIT_INPUT;
        goto done;
    }
    rc = read_errors || html_failed ? EXIT_INPUT : run.shown ? EXIT_FOUND : EXIT_OK;
done:
    sdx_input_close(in);
    sdx_logs_free(logs);
    sdx_groups_free(run.groups);
    sdx_syslog_release(&sl);
    sdx_buf_release(&run.out);
    free(run.timeline);
    return rc;
}
