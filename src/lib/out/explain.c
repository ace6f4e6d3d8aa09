/* explain.c - pick the most specific words for a verdict (see explain.h)
 * Order: the matched pattern, then the entry that decided (status or
 * code), then the reason's own description, then the remaining entries. */
#include <string.h>
#include "smtpdx/explain.h"

static const char *const none[] = { NULL };

static int has(const char *const *l)
{
    return l && l[0];
}

static void add_refs(struct sdx_explanation *x, const char *const *l)
{
    size_t n, i;

    if (!l)
        return;
    for (n = 0; x->refs[n]; n++)
        ;
    for (; *l && n < SDX_EXPLAIN_REFS_MAX; l++) {
        for (i = 0; i < n && strcmp(x->refs[i], *l) != 0; i++)
            ;
        if (i == n)
            x->refs[n++] = *l;
    }
    x->refs[n] = NULL;
}

void sdx_explain_verdict(const struct sdx_verdict *v, struct sdx_explanation *x)
{
    const struct sdx_kb_pattern *p = v->pattern;
    const struct sdx_kb_status *s = v->status;
    const struct sdx_kb_code *c = v->code;
    const struct sdx_kb_reason *r = v->reason_kb;
    int by_status = strncmp(v->rule, "status:", 7) == 0;
    int by_code = strncmp(v->rule, "code:", 5) == 0;
    /* layers in order of preference */
    const char *mean[6] = { 0 }, *title[6] = { 0 }, *from[6] = { 0 };
    const char *const *causes[6] = { 0 }, *const *steps[6] = { 0 };
    int n = 0, i;

#define LAYER(t, m, cs, st, f) (title[n] = (t), mean[n] = (m), causes[n] = (cs), steps[n] = (st), from[n] = (f), n++)
    if (p)
        LAYER(p->title, p->meaning, p->causes, p->steps, "pattern");
    if (s && by_status)
        LAYER(s->title, s->meaning, s->causes, s->steps, "status");
    if (c && by_code)
        LAYER(c->title, c->meaning, c->causes, c->steps, "code");
    /* a vague reason (no code or text decided) says less than the codes do */
    if (r && v->reason != SDX_REASON_UNDEFINED && v->reason != SDX_REASON_ONHOLD)
        LAYER(r->title, r->meaning, r->causes, r->steps, "reason");
    if (s && !by_status)
        LAYER(s->title, s->meaning, s->causes, s->steps, "status");
    if (c && !by_code)
        LAYER(c->title, c->meaning, c->causes, c->steps, "code");
    if (r && (v->reason == SDX_REASON_UNDEFINED || v->reason == SDX_REASON_ONHOLD))
        LAYER(r->title, r->meaning, r->causes, r->steps, "reason");
#undef LAYER

    memset(x, 0, sizeof(*x));
    x->causes = x->steps = none;
    for (i = 0; i < n; i++)
        if (title[i] && !x->summary)
            x->summary = title[i], x->from = from[i];
    for (i = 0; i < n; i++)
        if (mean[i] && !x->meaning)
            x->meaning = mean[i];
    for (i = 0; i < n; i++)
        if (has(causes[i])) {
            x->causes = causes[i];
            break;
        }
    for (i = 0; i < n; i++)
        if (has(steps[i])) {
            x->steps = steps[i];
            break;
        }
    if (p)
        add_refs(x, p->refs);
    if (s)
        add_refs(x, s->refs);
    if (c)
        add_refs(x, c->refs);
    if (r)
        add_refs(x, r->refs);
    x->url = p && p->url ? p->url : NULL;
    if (x->summary == NULL)
        x->summary = sdx_reason_desc(v->reason), x->from = "reason";
}

const char *sdx_code_digit_desc(int pos, int d)
{
    static const char *const first[] = {
        NULL, NULL, "positive completion: the action succeeded",
        "positive intermediate: the server waits for more (e.g. the message after DATA)",
        "transient negative completion: not done now, the same command may succeed later",
        "permanent negative completion: not done, repeating it unchanged will fail again"
    };
    static const char *const second[] = {
        "syntax: a syntax error or an unimplemented or superfluous command",
        "information: a reply to a request for information (status, help)",
        "connections: about the transmission channel",
        "unspecified by RFC 5321", "unspecified by RFC 5321",
        "mail system: the state of the receiving mail system"
    };

    if (pos == 1 && d >= 2 && d <= 5)
        return first[d];
    if (pos == 2 && d >= 0 && d <= 5)
        return second[d];
    if (pos == 3)
        return "finer grade within the category; no meaning of its own";
    return NULL;
}

const char *sdx_status_class_desc(int klass)
{
    switch (klass) {
    case 2: return "success";
    case 4: return "persistent transient failure: may succeed if retried later";
    case 5: return "permanent failure: will not succeed unless something changes";
    default: return NULL;
    }
}

const char *sdx_status_subject_desc(int subject)
{
    static const char *const s[] = {
        "other or undefined", "addressing", "mailbox", "mail system", "network and routing",
        "mail delivery protocol", "message content or media", "security or policy"
    };

    return subject >= 0 && subject <= 7 ? s[subject] : NULL;
}
