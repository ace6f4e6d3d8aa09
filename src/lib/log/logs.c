/* logs.c - the log reader's front: state, statistics, dispatch per MTA
 * In:  framed lines (syslog.h). Out: events through the caller's callback.
 * Each MTA's rules live in their own file (postfix.c, exim.c); this file owns the
 * bounded correlation maps and the counts of what could not be read. */
#include <stdlib.h>
#include <string.h>
#include "smtpdx/esc.h"
#include "logs_int.h"
#include "scan.h"

int sdx_logs_new(struct sdx_logs **out)
{
    struct sdx_logs *l = calloc(1, sizeof(*l));

    if (l == NULL)
        return SDX_ENOMEM;
    if (sdx__map_new(&l->sessions, sizeof(struct session), SDX_LOGS_SESSIONS_MAX) != 0 ||
        sdx__map_new(&l->messages, sizeof(struct message), SDX_LOGS_MESSAGES_MAX) != 0) {
        sdx_logs_free(l);
        return SDX_ENOMEM;
    }
    sdx_reply_init(&l->reply);
    *out = l;
    return 0;
}

int sdx_logs_limits(struct sdx_logs *l, size_t sessions, size_t messages)
{
    struct sdx_map *s2 = NULL, *m2 = NULL;

    if (!sessions || !messages || sessions > SDX_LOGS_SESSIONS_MAX || messages > SDX_LOGS_MESSAGES_MAX ||
        sdx__map_count(l->sessions) || sdx__map_count(l->messages))
        return SDX_EINVAL;
    if (sdx__map_new(&s2, sizeof(struct session), sessions) != 0 ||
        sdx__map_new(&m2, sizeof(struct message), messages) != 0) {
        sdx__map_free(s2);
        return SDX_ENOMEM;
    }
    sdx__map_free(l->sessions);
    sdx__map_free(l->messages);
    l->sessions = s2;
    l->messages = m2;
    return 0;
}

void sdx_logs_on_delivery(struct sdx_logs *l, sdx_logs_delivery_fn fn, void *arg)
{
    l->on_delivery = fn;
    l->on_delivery_arg = arg;
}

void sdx_logs_free(struct sdx_logs *l)
{
    size_t i;

    if (l == NULL)
        return;
    sdx__map_free(l->sessions);
    sdx__map_free(l->messages);
    sdx_reply_release(&l->reply);
    free(l->seen);
    free(l->wait);
    for (i = 0; i < l->nunparsed; i++)
        free(l->unparsed[i]);
    free(l);
}

void sdx__story_add(struct story *s, const char *p, size_t n)
{
    size_t k;

    if (s->n == SDX_LOGS_STORY_MAX) {
        memmove(s->line[0], s->line[1], (SDX_LOGS_STORY_MAX - 1) * sizeof(s->line[0]));
        s->n--;
    }
    k = n < LOGS_STORY_LINE - 1 ? n : LOGS_STORY_LINE - 1;
    memcpy(s->line[s->n], p, k);
    s->line[s->n][k] = '\0';
    s->n++;
}

void sdx__logs_unparsed(struct sdx_logs *l, const struct sdx_logline *ll)
{
    size_t i, n = ll->program.len < 31 ? ll->program.len : 31;

    l->st.unparsed++;
    for (i = 0; i < l->st.nprograms; i++)
        if (strlen(l->st.programs[i].name) == n && memcmp(l->st.programs[i].name, ll->program.p, n) == 0)
            break;
    if (i == l->st.nprograms && i < SDX_LOGS_PROGRAMS_MAX) {
        memcpy(l->st.programs[i].name, ll->program.p, n);
        l->st.programs[i].name[n] = '\0';
        l->st.nprograms++;
    }
    if (i < l->st.nprograms)
        l->st.programs[i].unparsed++;
    if (l->nunparsed < sizeof(l->unparsed) / sizeof(l->unparsed[0])) {
        struct sdx_buf b;

        sdx_buf_init(&b, 300);
        if (sdx_esc_text(&b, ll->msg.p, ll->msg.len, 0) != SDX_ENOMEM && b.len)
            l->unparsed[l->nunparsed++] = sdx_buf_detach(&b, NULL);
        sdx_buf_release(&b);
    }
}

int sdx__emit(struct sdx_logs *l, struct sdx_event *e, const struct sdx_logline *ll, const char *source,
              unsigned long lineno, const struct story *story, sdx_logs_emit_fn emit, void *arg)
{
    struct sdx_str lines[SDX_LOGS_STORY_MAX + 1];
    size_t i, n = 0;

    e->when_us = ll->when_us;
    e->source = source;
    e->line = lineno;
    e->program = ll->program;
    if (story)
        for (i = 0; i < story->n; i++) {
            lines[n].p = story->line[i];
            lines[n++].len = strlen(story->line[i]);
        }
    {
        size_t cut = ll->msg.len < LOGS_STORY_LINE - 1 ? ll->msg.len : LOGS_STORY_LINE - 1;
        int held = 0;

        for (i = 0; i < n && !held; i++)
            held = lines[i].len == cut && memcmp(lines[i].p, ll->msg.p, cut) == 0;
        if (!held) {
            lines[n].p = ll->msg.p, lines[n].len = ll->msg.len < LOGS_STORY_LINE ? ll->msg.len : LOGS_STORY_LINE;
            n++;
        }
    }
    e->story = lines;
    e->nstory = n;
    l->st.events++;
    return emit ? emit(arg, e) : 0;
}

void sdx__refused(struct sdx_logs *l, struct sdx_event *e, enum sdx_stage stage)
{
    if (stage != SDX_STAGE_UNKNOWN)
        l->reply.stage = stage;
    sdx_event_init(e, &l->reply);
    e->dir = SDX_DIR_INBOUND;
    e->outcome = SDX_OUT_REJECTED;
    e->server.host = e->server.addr = sdx_str_from(NULL);
}

int sdx__refused_with(struct sdx_logs *l, struct sdx_event *e, const char *text, int n, size_t cap,
                      enum sdx_stage stage)
{
    size_t len = n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;

    if (sdx_reply_parse(&l->reply, text, len) != 0)
        return SDX_ENOMEM;
    sdx__refused(l, e, stage);
    e->reply_from = SDX_REPLY_RECONSTRUCTED;
    return 0;
}

int sdx_logs_line(struct sdx_logs *l, const struct sdx_logline *ll, const char *source, unsigned long lineno,
                  sdx_logs_emit_fn emit, void *arg)
{
    int rc = 0;

    l->st.lines++;
    if (l->force != SDX_MTA_UNKNOWN) {
        int mine = l->force == SDX_MTA_POSTFIX ? sdx__postfix_line(l, ll, source, lineno, emit, arg, &rc) :
                   l->force == SDX_MTA_EXIM ? sdx__exim_line(l, ll, source, lineno, emit, arg, &rc) :
                   l->force == SDX_MTA_SENDMAIL ? sdx__sendmail_line(l, ll, source, lineno, emit, arg, &rc) :
                   sdx__opensmtpd_line(l, ll, source, lineno, emit, arg, &rc);

        if (mine)
            l->st.mta_lines++;
        return rc;
    }
    if (sdx__postfix_line(l, ll, source, lineno, emit, arg, &rc) ||
        sdx__exim_line(l, ll, source, lineno, emit, arg, &rc) ||
        sdx__opensmtpd_line(l, ll, source, lineno, emit, arg, &rc) ||
        sdx__sendmail_line(l, ll, source, lineno, emit, arg, &rc))
        l->st.mta_lines++;
    return rc;
}

int sdx_logs_force(struct sdx_logs *l, enum sdx_mta mta)
{
    if (mta != SDX_MTA_UNKNOWN && mta != SDX_MTA_POSTFIX && mta != SDX_MTA_EXIM && mta != SDX_MTA_OPENSMTPD &&
        mta != SDX_MTA_SENDMAIL)
        return SDX_EINVAL;
    l->force = mta;
    return 0;
}

void sdx_logs_stats(const struct sdx_logs *l, struct sdx_logs_stats *st)
{
    *st = l->st;
}

size_t sdx_logs_unparsed(const struct sdx_logs *l, const char *const **lines)
{
    *lines = (const char *const *)l->unparsed;
    return l->nunparsed;
}

struct waiting_line {
    sdx__wait_fn   fn;              /* NULL: a free slot */
    unsigned char  kl;
    char           key[64], program[40], line[LOGS_WAIT_LINE];
    size_t         len;
    unsigned long  seq, lineno, pid;
    int64_t        when_us;
    const char    *source;
};

struct sdx_waiting {
    struct waiting_line w[LOGS_WAIT_MAX];
    size_t              used;
    unsigned long       seq;
};

/* wait_send - line w goes out through its reader, and its slot is free */
static int wait_send(struct sdx_logs *l, struct waiting_line *w, sdx_logs_emit_fn emit, void *arg)
{
    struct sdx_logline ll;
    sdx__wait_fn fn = w->fn;

    memset(&ll, 0, sizeof(ll));
    ll.when_us = w->when_us;
    ll.pid = w->pid;
    ll.program = sdx_str_from(w->program);
    ll.msg.p = w->line, ll.msg.len = w->len;
    ll.framing = SDX_FRAME_RFC3164;
    w->fn = NULL;                   /* free before fn runs: it may add another */
    l->wait->used--;
    return fn(l, w->key, w->kl, &ll, w->source, w->lineno, emit, arg);
}

int sdx__wait_add(struct sdx_logs *l, const char *key, size_t kl, const struct sdx_logline *ll, const char *source,
                  unsigned long lineno, sdx__wait_fn fn, sdx_logs_emit_fn emit, void *arg)
{
    struct sdx_waiting *wt = l->wait;
    struct waiting_line *w = NULL;
    size_t i;
    int rc = 0;

    if (kl > sizeof(w->key))
        kl = sizeof(w->key);
    if (wt == NULL && (wt = l->wait = calloc(1, sizeof(*wt))) == NULL)
        return fn(l, key, kl, ll, source, lineno, emit, arg);     /* no memory: at once */
    if (wt->used == LOGS_WAIT_MAX) {
        struct waiting_line *oldest = &wt->w[0];

        for (i = 1; i < LOGS_WAIT_MAX; i++)
            if (wt->w[i].seq < oldest->seq)
                oldest = &wt->w[i];
        rc = wait_send(l, oldest, emit, arg);
    }
    for (i = 0; i < LOGS_WAIT_MAX && w == NULL; i++)
        if (wt->w[i].fn == NULL)
            w = &wt->w[i];
    w->fn = fn;
    w->kl = (unsigned char)kl;
    memcpy(w->key, key, kl);
    copy_str(w->program, sizeof(w->program), ll->program);
    w->len = ll->msg.len < LOGS_WAIT_LINE ? ll->msg.len : LOGS_WAIT_LINE;
    memcpy(w->line, ll->msg.p, w->len);
    w->seq = wt->seq++;
    w->lineno = lineno;
    w->pid = ll->pid;
    w->when_us = ll->when_us;
    w->source = source;
    wt->used++;
    return rc;
}

int sdx__wait_flush(struct sdx_logs *l, const char *key, size_t kl, sdx_logs_emit_fn emit, void *arg)
{
    struct sdx_waiting *wt = l->wait;
    int rc = 0;

    if (kl > 64)
        kl = 64;
    while (wt && wt->used && rc == 0) {
        struct waiting_line *oldest = NULL;
        size_t i;

        for (i = 0; i < LOGS_WAIT_MAX; i++) {
            struct waiting_line *w = &wt->w[i];

            if (w->fn && (kl == 0 || (w->kl == kl && memcmp(w->key, key, kl) == 0)) &&
                (oldest == NULL || w->seq < oldest->seq))
                oldest = w;
        }
        if (oldest == NULL)
            break;
        rc = wait_send(l, oldest, emit, arg);
    }
    return rc;
}

int sdx_logs_end(struct sdx_logs *l, sdx_logs_emit_fn emit, void *arg)
{
    return sdx__wait_flush(l, NULL, 0, emit, arg);
}
