/* probe_many.c - smtpdx probe with several targets: one event loop
 * In:  targets from the command line, then from --targets FILE (- for
 *      stdin): one per line, HOST[:PORT] or with --mx a mail domain;
 *      blank lines and "#" comments skipped. A line that is no target is
 *      reported with its file and line and counted, never silently lost.
 * Out: as each session ends, one line (the end, the time, TLS, refusals
 *      explained), or with --full its whole report, or with --json one JSON
 *      object (NDJSON); then a summary.
 * Memory: a target is read from the file only when a session is free for
 *      it, so a file of a million targets costs what --concurrency costs. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/replay.h"
#include "cmds.h"
#include "probe_report.h"

#define TARGET_MAX 300

struct slot {
    struct slot            *next;           /* on the retry list */
    struct sdx_probe_opts   o;
    struct sdx_probe_result r;
    char                    target[TARGET_MAX]; /* as given */
    char                    host[256];
    struct sdx_mx_result   *mx;             /* with --mx */
    size_t                  mxi;            /* the MX host being tried */
    struct sdx_tlsa_result *tlsa;           /* with --dane */
    char                    addr[64], err[700];     /* probe_lookup's */
};

struct many {
    const struct probe_args     *a;
    const struct sdx_probe_opts *base;
    char                       **argv;
    int                          argi, argc;
    FILE                        *f;
    const char                  *fname;
    unsigned long                line;
    struct slot                 *retry;     /* MX hosts to try next, before new targets */
    struct sdx_resolver         *rs;        /* NULL: getaddrinfo, sdx_mx_lookup */
    int                          dane;
    unsigned long                targets, skipped, no_mail, by_end[SDX_PROBE_END_COUNT], with_refusals;
    int                          status;
};

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* worse - the exit status that says more: 0 < EXIT_FOUND < EXIT_INPUT */
static int worse(int a, int b)
{
    int ra = a == EXIT_OK ? 0 : a == EXIT_FOUND ? 1 : 2, rb = b == EXIT_OK ? 0 : b == EXIT_FOUND ? 1 : 2;

    return rb > ra ? b : a;
}

/* next_line - the next target text from the file into buf; 1, or 0 at its end */
static int next_line(struct many *m, char *buf, size_t cap)
{
    char line[1024];

    while (m->f && fgets(line, sizeof(line), m->f)) {
        size_t n = strlen(line);
        char *p = line, *e, *hash;
        int whole = n && line[n - 1] == '\n';

        m->line++;
        if (!whole && !feof(m->f)) {    /* over 1023 bytes: no target is that long */
            int c;

            while ((c = getc(m->f)) != EOF && c != '\n')
                ;
            fprintf(stderr, "smtpdx probe: %s:%lu: line over 1023 bytes: skipped\n", m->fname, m->line);
            m->skipped++;
            m->status = worse(m->status, EXIT_INPUT);
            continue;
        }
        if ((hash = strchr(line, '#')) != NULL)
            *hash = '\0';
        e = p + strlen(p);
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
            *--e = '\0';
        if (p == e)
            continue;
        snprintf(buf, cap, "%s", p);
        if ((size_t)(e - p) >= cap) {
            fprintf(stderr, "smtpdx probe: %s:%lu: target over %zu bytes: skipped\n", m->fname, m->line, cap - 1);
            m->skipped++;
            m->status = worse(m->status, EXIT_INPUT);
            continue;
        }
        return 1;
    }
    if (m->f && ferror(m->f)) {
        fprintf(stderr, "smtpdx probe: reading %s: %s\n", m->fname, strerror(errno));
        m->status = worse(m->status, EXIT_INPUT);
    }
    return 0;
}

/* target_ok - printable ASCII without spaces: what a host or domain can be
 * (an IDN is given as its A-label) */
static int target_ok(const char *t)
{
    for (; *t; t++)
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
            return 0;
    return 1;
}

static void say_skipped(struct many *m, const char *t, const char *why)
{
    if (m->argi <= m->argc && m->f && m->line)
        fprintf(stderr, "smtpdx probe: %s:%lu: ", m->fname, m->line);
    else
        fprintf(stderr, "smtpdx probe: ");
    fprintf(stderr, "not a target: '");
    term_put_esc(stderr, t, strlen(t));
    fprintf(stderr, "' (%s): skipped\n", why);
    m->skipped++;
    m->status = worse(m->status, EXIT_INPUT);
}

/* no_mail - a --mx domain with no MX host to try: said, counted */
static void no_mail(struct many *m, struct slot *s)
{
    const struct sdx_mx_result *mx = s->mx;
    int st = mx->kind == SDX_MX_ERROR ? EXIT_INPUT : EXIT_FOUND;

    m->no_mail++;
    m->status = worse(m->status, st);
    if (m->a->json) {
        int unmet = 0;

        s->r.end = SDX_PROBE_END_RESOLVE;
        (void)probe_json_report(s->target, &s->r, NULL, &unmet, mx, NULL);
        return;
    }
    term_put_esc(stdout, s->target, strlen(s->target));
    printf("  %sno mail host%s: %s\n", term_red(), term_reset(), probe_no_mail_text(mx));
}

/* lookup - the slot's host through the resolver (address, TLSA), or
 * nothing without one; 0, or -1 out of memory */
static int lookup(struct many *m, struct slot *s)
{
    if (m->rs == NULL)
        return 0;
    if (m->dane && s->tlsa == NULL && (s->tlsa = malloc(sizeof(*s->tlsa))) == NULL)
        return -1;
    return probe_lookup(m->rs, m->dane, &s->o, s->tlsa, s->addr, sizeof(s->addr), s->err, sizeof(s->err)) == 0 ? 0
                                                                                                               : -1;
}

static void slot_free(struct slot *s)
{
    free(s->mx);
    free(s->tlsa);
    free(s);
}

static int next(void *arg, const struct sdx_probe_opts **o, struct sdx_probe_result **r, void **user)
{
    struct many *m = arg;
    char t[TARGET_MAX];

    for (;;) {
        struct slot *s;
        unsigned port;

        if ((s = m->retry) != NULL) {
            m->retry = s->next;
            *o = &s->o, *r = &s->r, *user = s;
            return 1;
        }
        if (m->argi < m->argc)
            snprintf(t, sizeof(t), "%s", m->argv[m->argi++]);
        else if (!next_line(m, t, sizeof(t)))
            return 0;
        if ((s = calloc(1, sizeof(*s))) == NULL) {
            fprintf(stderr, "smtpdx probe: out of memory: the targets after '%s' were not probed\n", t);
            m->status = worse(m->status, EXIT_INPUT);
            return 0;
        }
        snprintf(s->target, sizeof(s->target), "%s", t);
        if (!target_ok(t) || probe_target(t, s->host, sizeof(s->host), &port) != 0) {
            say_skipped(m, t, "HOST, HOST:PORT, [IPv6]:PORT");
            free(s);
            continue;
        }
        m->targets++;
        s->o = *m->base;
        s->o.host = s->host;
        s->o.port = port;
        if (s->o.tls == SDX_PROBE_TLS_AUTO && port == 465)
            s->o.tls = SDX_PROBE_TLS_IMPLICIT;
        sdx_probe_result_init(&s->r);
        if (m->a->mx) {
            int rc;

            if ((s->mx = malloc(sizeof(*s->mx))) == NULL ||
                (rc = m->rs ? sdx_mx_resolve(m->rs, s->host, s->mx) : sdx_mx_lookup(s->host, NULL, s->mx)) != 0) {
                say_skipped(m, t, s->mx ? "not a domain name" : "out of memory");
                m->targets--;
                free(s->mx);
                free(s);
                continue;
            }
            if (s->mx->kind != SDX_MX_FOUND && s->mx->kind != SDX_MX_IMPLICIT) {
                no_mail(m, s);
                free(s->mx);
                sdx_probe_result_release(&s->r);
                free(s);
                continue;
            }
            s->o.host = s->mx->mx[0].host;
        }
        if (lookup(m, s) != 0) {
            say_skipped(m, t, "out of memory");
            m->targets--;
            sdx_probe_result_release(&s->r);
            slot_free(s);
            continue;
        }
        *o = &s->o, *r = &s->r, *user = s;
        return 1;
    }
}

struct unmet {
    const struct sdx_probe_result *r;
    char                           names[200];
    int                            n;
};

static int count_unmet(void *arg, const char *p, size_t n)
{
    struct unmet *u = arg;
    struct sdx_probe_need nd;
    size_t k = strlen(u->names);

    if (sdx_probe_need(p, n, u->r->caps, u->r->size_limit, &nd) == 0 && !nd.met) {
        u->n++;
        if (k + n + 2 < sizeof(u->names))
            snprintf(u->names + k, sizeof(u->names) - k, "%s%.*s", k ? "," : "", (int)n, p);
    }
    return 0;
}

/* line_report - one line for a target, and one for each refusal */
static void line_report(const struct many *m, const struct slot *s, int *unmet)
{
    const struct sdx_probe_result *r = &s->r;
    struct unmet u;
    char line[1024];
    size_t i;

    memset(&u, 0, sizeof(u));
    u.r = r;
    if (m->a->need && r->n)
        (void)probe_each_need(m->a->need, count_unmet, &u);
    *unmet = u.n;
    printf("%s", term_bold());
    term_put_esc(stdout, s->target, strlen(s->target));
    printf("%s", term_reset());
    if (s->mx) {
        printf(" -> ");
        term_put_esc(stdout, s->o.host, strlen(s->o.host));
    }
    if (r->address[0])
        printf(" (%s)", r->address);
    printf("  %s%s%s %lld ms", r->end == SDX_PROBE_END_DONE && !r->refused ? term_green() : term_red(),
           sdx_probe_end_name(r->end), term_reset(), (long long)r->elapsed_ms);
    if (r->tls.done)
        printf(", %s %s%s%s%s", r->tls.protocol, r->tls.verified && r->tls.name_ok ? term_green() : term_red(),
               !r->tls.verified ? r->tls.verify_error : r->tls.name_ok ? "verified" : "name does NOT match",
               term_reset(), r->tls.days_left < 0 ? " (expired)" : "");
    else if (r->end == SDX_PROBE_END_DONE)
        printf(", no TLS");
    printf(", %d refusal%s", r->refused, r->refused == 1 ? "" : "s");
    if (u.n)
        printf(", %sunmet: %s%s", term_red(), u.names, term_reset());
    if (r->data_code)
        printf(", message %s (%d)", r->data_code == 250 ? "accepted" : "refused", r->data_code);
    if (r->relay_open)
        printf(", %sOPEN RELAY%s", term_red(), term_reset());
    if (r->dane.state != SDX_DANE_OFF)
        printf(", DANE %s%s%s", probe_dane_failed(r) ? term_red() : r->dane.state == SDX_DANE_MATCHED ? term_green() : "",
               sdx_dane_state_name(r->dane.state), term_reset());
    putchar('\n');
    if (r->end != SDX_PROBE_END_DONE) {
        snprintf(line, sizeof(line), "%s%s%s", sdx_probe_end_text(r->end), r->detail[0] ? ": " : "", r->detail);
        term_wrap(stdout, line, 4, 4);
    }
    for (i = 0; i < r->n; i++) {
        const struct sdx_probe_step *st = &r->step[i];
        const char *p = r->text.data + st->off, *nl;
        struct sdx_verdict v;
        int ok;

        if (st->dir != SDX_PROBE_SERVER || st->code < 400)
            continue;
        nl = memchr(p, '\n', st->len);
        printf("    %s", term_red());
        term_put_esc(stdout, p, nl ? (size_t)(nl - p) : st->len > 160 ? 160 : st->len);
        printf("%s\n", term_reset());
        probe_explain_reply(p, st->len, line, sizeof(line), &v, &ok);
        if (ok)
            term_wrap(stdout, line, 6, 6);
    }
}

static void done(void *arg, const struct sdx_probe_opts *o, struct sdx_probe_result *r, void *user)
{
    struct many *m = arg;
    struct slot *s = user;
    int unmet = 0, st;

    (void)o;
    /* an MX host that cannot be reached: the next one (RFC 5321 section 5.1) */
    if (s->mx && (r->end == SDX_PROBE_END_RESOLVE || r->end == SDX_PROBE_END_CONNECT) && s->mxi + 1 < s->mx->n) {
        if (!m->a->json) {
            printf("%s", term_dim());
            term_put_esc(stdout, s->target, strlen(s->target));
            printf(" -> ");
            term_put_esc(stdout, s->o.host, strlen(s->o.host));
            printf(": %s (", sdx_probe_end_name(r->end));
            term_put_esc(stdout, r->detail, strlen(r->detail));
            printf("); trying the next MX host%s\n", term_reset());
        }
        sdx_probe_result_release(&s->r);
        sdx_probe_result_init(&s->r);
        s->o.host = s->mx->mx[++s->mxi].host;
        if (lookup(m, s) != 0)
            s->o.resolve_error = "out of memory";
        s->next = m->retry;
        m->retry = s;
        return;
    }
    if (m->a->json) {
        if (probe_json_report(s->target, r, m->a->need, &unmet, s->mx, s->mx ? s->o.host : NULL) != 0)
            m->status = worse(m->status, EXIT_INPUT);
    } else if (m->a->full) {
        putchar('\n');
        probe_text_report(s->mx ? s->o.host : s->target, r, m->a->need, &unmet);
    } else {
        line_report(m, s, &unmet);
    }
    fflush(stdout);                     /* a line per target as it ends, also into a pipe */
    st = probe_status(r, unmet);
    m->status = worse(m->status, st);
    m->by_end[r->end < SDX_PROBE_END_COUNT ? r->end : SDX_PROBE_END_INVALID]++;
    if (r->end == SDX_PROBE_END_DONE && r->refused)
        m->with_refusals++;
    sdx_probe_result_release(&s->r);
    slot_free(s);
}

/* room - file descriptors for concurrency sessions: raise the soft limit
 * as far as the hard one allows; the concurrency that fits */
static unsigned long room(unsigned long want)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)want + 32;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
        return want;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 && getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return want;
    if (rl.rlim_cur >= need)
        return want;
    fprintf(stderr, "smtpdx probe: --concurrency %lu needs %lu file descriptors; the limit is %lu: using %lu\n",
            want, (unsigned long)need, (unsigned long)rl.rlim_cur,
            rl.rlim_cur > 40 ? (unsigned long)rl.rlim_cur - 32 : 8UL);
    return rl.rlim_cur > 40 ? (unsigned long)rl.rlim_cur - 32 : 8;
}

int probe_many(const struct probe_args *a, const struct sdx_probe_opts *base, struct sdx_resolver *rs, int dane,
               int argc, char **argv, int first)
{
    struct many m;
    unsigned long conc = room(a->concurrency ? a->concurrency : 10), nosession = 0, refused = 0;
    int64_t t0 = mono_ms(), ms;
    int rc, k;

    memset(&m, 0, sizeof(m));
    m.a = a;
    m.base = base;
    m.argv = argv;
    m.argi = first;
    m.argc = argc;
    m.status = EXIT_OK;
    m.rs = rs;
    m.dane = dane;
    if (a->targets) {
        m.fname = strcmp(a->targets, "-") == 0 ? "(stdin)" : a->targets;
        if ((m.f = strcmp(a->targets, "-") == 0 ? stdin : fopen(a->targets, "r")) == NULL) {
            fprintf(stderr, "smtpdx probe: cannot open '");
            term_put_esc(stderr, a->targets, strlen(a->targets));
            fprintf(stderr, "': %s\n", strerror(errno));
            return EXIT_INPUT;
        }
    }
    rc = sdx_probe_many((unsigned)conc, next, done, &m);
    if (m.f && m.f != stdin)
        fclose(m.f);
    if (rc != 0) {
        fprintf(stderr, "smtpdx probe: the event loop failed: %s\n", sdx_strerror(rc));
        m.status = worse(m.status, EXIT_INPUT);
    }
    if (m.targets == 0 && m.skipped == 0) {
        fprintf(stderr, "smtpdx probe: no targets in %s\n", m.fname ? m.fname : "the arguments");
        return EXIT_USAGE;
    }
    ms = mono_ms() - t0;
    for (k = 0; k < SDX_PROBE_END_COUNT; k++)
        if (probe_refusal_end((enum sdx_probe_end)k))
            refused += m.by_end[k];
        else if (k != SDX_PROBE_END_DONE)
            nosession += m.by_end[k];
    if (a->json)
        return m.status;
    printf("\n%lu target%s in %.2f s (at most %lu at once): %lu ran to the end, %lu of them with refusals; "
           "%lu refused the session; %lu without a session", m.targets, m.targets == 1 ? "" : "s", ms / 1000.0,
           conc, m.by_end[SDX_PROBE_END_DONE], m.with_refusals, refused, nosession);
    if (nosession) {
        const char *sep = " (";

        for (k = 0; k < SDX_PROBE_END_COUNT; k++)
            if (m.by_end[k] && k != SDX_PROBE_END_DONE && !probe_refusal_end((enum sdx_probe_end)k)) {
                printf("%s%s %lu", sep, sdx_probe_end_name((enum sdx_probe_end)k), m.by_end[k]);
                sep = ", ";
            }
        putchar(')');
    }
    if (m.no_mail)
        printf("; %lu domain%s with no mail host", m.no_mail, m.no_mail == 1 ? "" : "s");
    if (m.skipped)
        printf("; %lu line%s not a target (see above)", m.skipped, m.skipped == 1 ? "" : "s");
    printf("\n");
    return m.status;
}
