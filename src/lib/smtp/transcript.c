/* transcript.c - a recorded SMTP session into turns (transcript.h)
 * Each line is looked at on its own: its prefix says who spoke. The only
 * state is whether a message is being sent (after DATA's 354 until the
 * client's "."), so that the body's lines are not taken for commands. */
#include <stdlib.h>
#include <string.h>
#include "smtpdx/transcript.h"

void sdx_transcript_init(struct sdx_transcript *t)
{
    memset(t, 0, sizeof(*t));
    sdx_buf_init(&t->text, (size_t)SDX_TRANSCRIPT_TURNS_MAX * 64);
    t->notation = "none";
}

void sdx_transcript_release(struct sdx_transcript *t)
{
    free(t->turn);
    sdx_buf_release(&t->text);
    memset(t, 0, sizeof(*t));
    t->notation = "none";
}

struct prefix {
    const char         *p;
    size_t              n;
    enum sdx_turn_side  side;
    int                 tls, marked;
    const char         *notation;
};

/* the notations' prefixes, longest first where one starts another */
static const struct prefix prefixes[] = {
    { " -> ", 4, SDX_TURN_CLIENT, 0, 0, "swaks" },
    { " ~> ", 4, SDX_TURN_CLIENT, 1, 0, "swaks" },
    { "<-  ", 4, SDX_TURN_SERVER, 0, 0, "swaks" },
    { "<** ", 4, SDX_TURN_SERVER, 0, 1, "swaks" },
    { "<~  ", 4, SDX_TURN_SERVER, 1, 0, "swaks" },
    { "<~* ", 4, SDX_TURN_SERVER, 1, 1, "swaks" },
    { "C: ", 3, SDX_TURN_CLIENT, 0, 0, "C:/S:" },
    { "S: ", 3, SDX_TURN_SERVER, 0, 0, "C:/S:" },
    { "> ", 2, SDX_TURN_CLIENT, 0, 0, "</>" },
    { "< ", 2, SDX_TURN_SERVER, 0, 0, "</>" },
};

static int add_turn(struct sdx_transcript *t, const struct prefix *pf, const char *p, size_t n, unsigned long line,
                    int body)
{
    struct sdx_turn *u;
    size_t keep = n < SDX_TRANSCRIPT_LINE_MAX ? n : SDX_TRANSCRIPT_LINE_MAX;

    if (t->n == SDX_TRANSCRIPT_TURNS_MAX) {
        t->truncated = 1;
        return 0;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;

        if (cap > SDX_TRANSCRIPT_TURNS_MAX)
            cap = SDX_TRANSCRIPT_TURNS_MAX;
        if ((u = realloc(t->turn, cap * sizeof(*u))) == NULL)
            return SDX_ENOMEM;
        t->turn = u;
        t->cap = cap;
    }
    u = &t->turn[t->n];
    memset(u, 0, sizeof(*u));
    u->side = pf->side;
    u->tls = pf->tls;
    u->marked = pf->marked;
    u->body = body;
    u->len = n;
    u->line = line;
    u->off = t->text.len;
    if (keep < n)
        t->cut++;
    if (sdx_buf_add(&t->text, p, keep) == SDX_ENOMEM)
        return SDX_ENOMEM;
    u->text.len = t->text.len - u->off;     /* less if the buffer's bound was reached */
    t->n++;
    if (strcmp(t->notation, "none") == 0)
        t->notation = pf->notation;
    else if (strcmp(t->notation, pf->notation) != 0)
        t->notation = "mixed";
    return 0;
}

/* starts_ci - p[0..n) starts with the upper-case word w, in any case */
static int starts_ci(const char *p, size_t n, const char *w)
{
    size_t i, wl = strlen(w);

    if (n < wl)
        return 0;
    for (i = 0; i < wl; i++)
        if ((p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i]) != w[i])
            return 0;
    return n == wl || p[wl] == ' ' || p[wl] == '\t';
}

int sdx_transcript_parse(struct sdx_transcript *t, const char *p, size_t n)
{
    const char *end = p + n;
    int in_body = 0, new_session = 0, rc;
    size_t waiting = 0, data_sent = 0;      /* commands without a reply yet; DATA's place (1-based) */
    size_t i;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
        const struct prefix *pf = NULL;
        size_t len;

        t->lines++;
        if (e > p && e[-1] == '\r')
            e--;
        len = (size_t)(e - p);
        for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]) && pf == NULL; i++)
            if (len >= prefixes[i].n && memcmp(p, prefixes[i].p, prefixes[i].n) == 0)
                pf = &prefixes[i];
        if (pf == NULL) {
            if (len >= 10 && memcmp(p, "=== Trying", 10) == 0) {
                new_session = t->n > 0;
                in_body = 0, waiting = data_sent = 0;
            }
            if ((len >= 4 && (memcmp(p, "=== ", 4) == 0 || memcmp(p, "*** ", 4) == 0)) || len == 0)
                t->notes++;
            else if (in_body)
                ;                       /* swaks writes a body's lines without a prefix */
            else
                t->other++;
        } else {
            const char *q = p + pf->n;
            size_t ql = len - pf->n;
            int body = 0;

            if (pf->side == SDX_TURN_CLIENT) {
                if (in_body) {
                    if (ql == 1 && q[0] == '.')
                        in_body = 0, waiting++;     /* the end of the message: answered */
                    else
                        body = 1;
                } else {
                    waiting++;
                    if (starts_ci(q, ql, "DATA"))
                        data_sent = waiting;        /* DATA's place among the waiting */
                }
            } else if (!(ql >= 4 && q[3] == '-') && waiting > 0) {
                /* a reply's last line answers the oldest waiting command; the
                 * one that answers DATA says whether a message follows (354) */
                waiting--;
                if (data_sent && --data_sent == 0)
                    in_body = ql >= 3 && memcmp(q, "354", 3) == 0;
            }
            if ((rc = add_turn(t, pf, q, ql, t->lines, body)) != 0)
                return rc;
            if (new_session && t->n) {
                t->turn[t->n - 1].session = 1;
                new_session = 0;
            }
        }
        p = nl ? nl + 1 : end;
    }
    for (i = 0; i < t->n; i++)
        t->turn[i].text.p = t->text.data + t->turn[i].off;
    return 0;
}
