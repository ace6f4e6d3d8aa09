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

/* tcpflow -c: "127.000.000.001.45678-127.000.000.001.00025: DATA". Each
 * endpoint is an address and a port joined by dots; the server is the side
 * with the lower port (clients use ephemeral ones). The prefix comes once
 * per segment: the lines after it without one continue the same flow. */
static const struct prefix flow_client = { "", 0, SDX_TURN_CLIENT, 0, 0, "tcpflow" };
static const struct prefix flow_server = { "", 0, SDX_TURN_SERVER, 0, 0, "tcpflow" };

/* endpoint_port - the port at the end of "a.b.c.d.ppppp" (p[0..n)), or -1 */
static long endpoint_port(const char *p, size_t n)
{
    size_t i, dots = 0;
    const char *last = NULL;
    long port = 0;

    if (n < 9 || n > 64)
        return -1;
    for (i = 0; i < n; i++) {
        if (p[i] == '.')
            dots++, last = p + i;
        else if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') || p[i] == ':'))
            return -1;
    }
    if (dots < 1 || last == NULL || p + n - last - 1 != 5)
        return -1;
    for (i = 1; i <= 5; i++) {
        if (last[i] < '0' || last[i] > '9')
            return -1;
        port = port * 10 + (last[i] - '0');
    }
    return port;
}

/* flow_prefix - the length of a tcpflow prefix at p and its side, or 0 */
static size_t flow_prefix(const char *p, size_t len, const struct prefix **pf)
{
    const char *dash = memchr(p, '-', len < 70 ? len : 70), *colon;
    long a, b;

    if (dash == NULL || (colon = memchr(dash, ':', (size_t)(p + len - dash))) == NULL ||
        colon + 1 >= p + len || colon[1] != ' ')
        return 0;
    /* an IPv6 endpoint holds colons: the prefix ends at ": " */
    colon = dash;
    while ((colon = memchr(colon + 1, ':', (size_t)(p + len - colon - 1))) != NULL)
        if (colon + 1 < p + len && colon[1] == ' ')
            break;
    if (colon == NULL)
        return 0;
    if ((a = endpoint_port(p, (size_t)(dash - p))) < 0 || (b = endpoint_port(dash + 1, (size_t)(colon - dash - 1))) < 0)
        return 0;
    *pf = a > b ? &flow_client : &flow_server;     /* from the higher port to the lower: the client */
    return (size_t)(colon + 2 - p);
}

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
    const struct prefix *flow = NULL;      /* the tcpflow flow of the last prefixed line */
    size_t skip;
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
        skip = pf ? pf->n : 0;
        if (pf == NULL && (skip = flow_prefix(p, len, &pf)) != 0)
            flow = pf;                  /* tcpflow: later lines without a prefix continue it */
        else if (pf == NULL && flow && len > 0)
            pf = flow, skip = 0;
        else if (pf)
            flow = NULL;
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
            const char *q = p + skip;
            size_t ql = len - skip;
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
