/* replay.c - replay a transcript: pair commands with replies, keep the
 * session's state, name the client's faults (replay.h)
 * Commands queue up as the client sends them; each complete reply (its last
 * line "NNN " or a bare "NNN") answers the oldest one still waiting, so a
 * pipelined group pairs up as the server answered it. A command is judged
 * when its reply arrives, in the state all earlier replies made: that is the
 * state the server judged it in. The pipelining rules are checked when the
 * command is sent, against the replies seen by then. */
#include <stdlib.h>
#include <string.h>
#include "smtpdx/address.h"
#include "smtpdx/replay.h"

static const struct sdx_fault_info faults[] = {
#define X(e, name, code, status, rfc, text) { SDX_FAULT_##e, name, code, status, rfc, text },
    SDX_FAULTS(X)
#undef X
};

const struct sdx_fault_info *sdx_fault_info(enum sdx_fault f)
{
    return (unsigned)f < SDX_FAULT_COUNT ? &faults[f] : NULL;
}

void sdx_replay_init(struct sdx_replay *r)
{
    memset(r, 0, sizeof(*r));
}

void sdx_replay_release(struct sdx_replay *r)
{
    free(r->ex);
    free(r->queue);
    memset(r, 0, sizeof(*r));
}

static const struct { const char *name; unsigned bit; } capnames[] = {
    { "PIPELINING", SDX_CAP_PIPELINING }, { "SIZE", SDX_CAP_SIZE }, { "8BITMIME", SDX_CAP_8BITMIME },
    { "SMTPUTF8", SDX_CAP_SMTPUTF8 }, { "DSN", SDX_CAP_DSN }, { "CHUNKING", SDX_CAP_CHUNKING },
    { "STARTTLS", SDX_CAP_STARTTLS }, { "AUTH", SDX_CAP_AUTH }, { "ENHANCEDSTATUSCODES", SDX_CAP_ENHANCED },
    { "BINARYMIME", SDX_CAP_BINARYMIME }, { "REQUIRETLS", SDX_CAP_REQUIRETLS },
};

const char *sdx_cap_names(unsigned caps, char *out, size_t cap)
{
    size_t i, n = 0;

    if (cap == 0)
        return out;
    out[0] = '\0';
    for (i = 0; i < sizeof(capnames) / sizeof(capnames[0]); i++) {
        size_t l = strlen(capnames[i].name);

        if (!(caps & capnames[i].bit) || n + l + 2 > cap)
            continue;
        if (n)
            out[n++] = ' ';
        memcpy(out + n, capnames[i].name, l);
        n += l;
        out[n] = '\0';
    }
    return out;
}

/* ---- small scanners over a turn's text ----------------------------------- */

static char up(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

/* word - is the text's first word w (any case)? */
static int word(struct sdx_str s, const char *w)
{
    size_t i, wl = strlen(w);

    if (s.len < wl)
        return 0;
    for (i = 0; i < wl; i++)
        if (up(s.p[i]) != w[i])
            return 0;
    return s.len == wl || s.p[wl] == ' ';
}

/* code - the reply code of a reply line, 0 if it has none; *last: the line
 * ends the reply ("250 x" or "250"), not "250-x" */
static int code(struct sdx_str s, int *last)
{
    if (s.len < 3 || s.p[0] < '2' || s.p[0] > '5' || s.p[1] < '0' || s.p[1] > '9' || s.p[2] < '0' || s.p[2] > '9')
        return *last = 1, 0;
    *last = s.len == 3 || s.p[3] != '-';
    return (s.p[0] - '0') * 100 + (s.p[1] - '0') * 10 + (s.p[2] - '0');
}

/* ---- the session's state --------------------------------------------------- */

struct state {
    int greeted, helo, tls, authed, mail, quit, bdat, challenge;
    unsigned rcpts;
};

static int add_fault(struct sdx_replay *r, struct sdx_exchange *x, enum sdx_fault f)
{
    size_t i;

    for (i = 0; i < x->nfault; i++)
        if (x->fault[i] == f)
            return 0;
    if (x->nfault < SDX_REPLAY_FAULTS_MAX) {
        x->fault[x->nfault++] = f;
        r->faults++;
    }
    return 0;
}

/* cap_line - one line of an EHLO reply after the first ("250-SIZE 1000")
 * into caps, the SIZE limit and the AUTH mechanisms (the first list seen) */
static void cap_line(struct sdx_str s, unsigned *caps, unsigned long long *size_limit, char *auth, size_t cap)
{
    size_t k;

    if (s.len < 4)
        return;
    s.p += 4, s.len -= 4;
    for (k = 0; k < sizeof(capnames) / sizeof(capnames[0]); k++)
        if (word(s, capnames[k].name))
            *caps |= capnames[k].bit;
    if (s.len > 5 && word((struct sdx_str){ s.p, 4 }, "AUTH") && s.p[4] == '=')
        *caps |= SDX_CAP_AUTH;          /* "AUTH=LOGIN PLAIN", the pre-RFC form */
    if (word(s, "SIZE") && s.len > 5) {
        unsigned long long v = 0;
        size_t j;

        for (j = 5; j < s.len && s.p[j] >= '0' && s.p[j] <= '9' && v < 1ULL << 56; j++)
            v = v * 10 + (unsigned long long)(s.p[j] - '0');
        *size_limit = v;
    }
    if (auth && cap && word(s, "AUTH") && s.len > 5 && auth[0] == '\0') {
        size_t n = s.len - 5 < cap - 1 ? s.len - 5 : cap - 1;

        memcpy(auth, s.p + 5, n);
        auth[n] = '\0';
    }
}

unsigned sdx_ehlo_caps(const char *reply, size_t n, unsigned long long *size_limit, char *auth, size_t auth_cap)
{
    const char *p = reply, *end = reply + n, *nl;
    unsigned caps = 0;

    *size_limit = 0;
    if (auth && auth_cap)
        auth[0] = '\0';
    /* the first line is the server's name */
    if ((nl = memchr(p, '\n', n)) == NULL)
        return 0;
    for (p = nl + 1; p < end; p = nl ? nl + 1 : end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        cap_line((struct sdx_str){ p, (size_t)((nl ? nl : end) - p) }, &caps, size_limit, auth, auth_cap);
    }
    return caps;
}

/* caps_from - the capabilities of an EHLO reply, turns [a, b] */
static void caps_from(const struct sdx_transcript *t, size_t a, size_t b, struct sdx_replay *r)
{
    unsigned long long limit = 0;
    size_t i;

    r->caps = 0;
    r->auth_mechs[0] = '\0';
    for (i = a + 1; i <= b && i < t->n; i++)       /* the first line is the server's name */
        cap_line(t->turn[i].text, &r->caps, &limit, r->auth_mechs, sizeof(r->auth_mechs));
    r->size_limit = limit;
}

/* path - "FROM:<a@b> PARAMS" after the verb: the address inside <> and the
 * parameters; 0, or -1 when the grammar is not followed */
static int path(struct sdx_str s, const char *key, struct sdx_str *addr, struct sdx_str *params)
{
    size_t i = 5, kl = strlen(key);
    const char *lt, *gt;

    if (s.len < 5 + kl)
        return -1;
    for (size_t j = 0; j < kl; j++)
        if (up(s.p[i + j]) != key[j])
            return -1;
    i += kl;
    if (i < s.len && s.p[i] == ' ')
        i++;                            /* "MAIL FROM: <a>": RFC 5321 has no space; many servers allow it */
    if (i >= s.len || s.p[i] != '<')
        return -1;
    lt = s.p + i;
    if ((gt = memchr(lt, '>', s.len - i)) == NULL)
        return -1;
    addr->p = lt + 1, addr->len = (size_t)(gt - lt - 1);
    params->p = gt + 1, params->len = (size_t)(s.p + s.len - gt - 1);
    if (params->len && params->p[0] != ' ')
        return -1;
    return 0;
}

/* param_check - each "KEY[=VALUE]" of params against the capabilities */
static void param_check(struct sdx_replay *r, struct sdx_exchange *x, struct sdx_str params, int mail, int *utf8)
{
    const char *p = params.p, *end = params.p + params.len;

    while (p < end) {
        const char *w, *e;
        struct sdx_str k;
        unsigned need = 0;

        while (p < end && *p == ' ')
            p++;
        w = p;
        while (p < end && *p != ' ')
            p++;
        if (p == w)
            break;
        e = memchr(w, '=', (size_t)(p - w));
        k.p = w, k.len = (size_t)((e ? e : p) - w);
        if (mail && word(k, "SIZE")) {
            need = SDX_CAP_SIZE;
            if (e && (r->caps & SDX_CAP_SIZE) && r->size_limit) {
                uint64_t v = 0;

                for (e++; e < p && *e >= '0' && *e <= '9' && v < UINT64_C(1) << 56; e++)
                    v = v * 10 + (uint64_t)(*e - '0');
                if (v > r->size_limit)
                    add_fault(r, x, SDX_FAULT_SIZE_EXCEEDS);
            }
        } else if (mail && word(k, "BODY")) {
            need = e && p - e > 8 && up(e[1]) == 'B' ? SDX_CAP_BINARYMIME : e && up(e[1]) == '8' ? SDX_CAP_8BITMIME : 0;
        } else if (mail && word(k, "SMTPUTF8")) {
            need = SDX_CAP_SMTPUTF8;
            *utf8 = 1;
        } else if (mail && (word(k, "RET") || word(k, "ENVID"))) {
            need = SDX_CAP_DSN;
        } else if (mail && word(k, "AUTH")) {
            need = SDX_CAP_AUTH;
        } else if (mail && word(k, "REQUIRETLS")) {
            need = SDX_CAP_REQUIRETLS;
        } else if (!mail && (word(k, "NOTIFY") || word(k, "ORCPT"))) {
            need = SDX_CAP_DSN;
        } else {
            add_fault(r, x, SDX_FAULT_PARAM_NOT_OFFERED);   /* no extension of the server has it */
            continue;
        }
        if (need && !(r->caps & need))
            add_fault(r, x, SDX_FAULT_PARAM_NOT_OFFERED);
    }
}

static void address_check(struct sdx_replay *r, struct sdx_exchange *x, struct sdx_str a, int utf8)
{
    struct sdx_address ad;
    size_t i;
    int ascii = 1;

    if (a.len == 0)
        return;                         /* the null path: fine for MAIL; RCPT checks it apart */
    for (i = 0; i < a.len; i++)
        if ((unsigned char)a.p[i] >= 0x80)
            ascii = 0;
    if (!ascii && !(utf8 && (r->caps & SDX_CAP_SMTPUTF8)))
        add_fault(r, x, SDX_FAULT_NEEDS_SMTPUTF8);
    /* an RFC 5322-only form (a space, a comment, no domain) is no SMTP Mailbox either */
    if (sdx_address_check(a.p, a.len, SDX_ADDR_O_SMTPUTF8, &ad) == 0 &&
        (ad.verdict == SDX_ADDR_INVALID || ad.verdict == SDX_ADDR_VALID_5322_ONLY))
        add_fault(r, x, SDX_FAULT_ADDRESS_SYNTAX);
}

static const char *const known[] = { "HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT",
    "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH", "ETRN", "TURN", "ATRN", "XCLIENT", "XFORWARD", ".", NULL };

/* judge - the faults of command c in state st, with the capabilities known */
static void judge(struct sdx_replay *r, struct sdx_exchange *x, struct sdx_str c, const struct state *st, size_t len)
{
    struct sdx_str addr, params;
    size_t i;
    int utf8 = 0, k = 0;

    if (st->challenge)
        return;                         /* an answer to AUTH's 334: not a command */
    if (st->quit)
        add_fault(r, x, SDX_FAULT_AFTER_QUIT);
    if (len + 2 > 512)
        add_fault(r, x, SDX_FAULT_LINE_TOO_LONG);
    for (i = 0; known[i]; i++)
        if (word(c, known[i]))
            k = 1;
    if (!k) {
        add_fault(r, x, SDX_FAULT_UNKNOWN_COMMAND);
        return;
    }
    if (word(c, "EHLO") || word(c, "HELO")) {
        if (c.len < 6 || c.p[5] == ' ')
            add_fault(r, x, SDX_FAULT_COMMAND_SYNTAX);   /* no domain or address literal */
        return;
    }
    if (st->tls && !st->helo && !word(c, "QUIT") && !word(c, "NOOP") && !word(c, "RSET"))
        add_fault(r, x, SDX_FAULT_NO_EHLO_AFTER_TLS);
    if (word(c, "MAIL")) {
        if (!st->helo && !st->tls)
            add_fault(r, x, SDX_FAULT_MAIL_BEFORE_HELO);
        if (st->mail)
            add_fault(r, x, SDX_FAULT_NESTED_MAIL);
        if (path(c, "FROM:", &addr, &params) != 0) {
            add_fault(r, x, SDX_FAULT_COMMAND_SYNTAX);
            return;
        }
        param_check(r, x, params, 1, &utf8);
        address_check(r, x, addr, utf8);
    } else if (word(c, "RCPT")) {
        if (!st->mail)
            add_fault(r, x, SDX_FAULT_RCPT_BEFORE_MAIL);
        if (path(c, "TO:", &addr, &params) != 0) {
            add_fault(r, x, SDX_FAULT_COMMAND_SYNTAX);
            return;
        }
        param_check(r, x, params, 0, &utf8);
        if (addr.len == 0)
            add_fault(r, x, SDX_FAULT_ADDRESS_SYNTAX);  /* RCPT TO:<> is no mailbox */
        else
            address_check(r, x, addr, 1);               /* SMTPUTF8 is asked for at MAIL */
    } else if (word(c, "DATA") || word(c, "BDAT")) {
        if (word(c, "BDAT") && !(r->caps & SDX_CAP_CHUNKING))
            add_fault(r, x, SDX_FAULT_EXTENSION_NOT_OFFERED);
        if (word(c, "BDAT")) {
            size_t j = 5;

            while (j < c.len && c.p[j] >= '0' && c.p[j] <= '9')
                j++;
            if (j == 5 || (j < c.len && !word((struct sdx_str){ c.p + j + 1, c.len - j - 1 }, "LAST")))
                add_fault(r, x, SDX_FAULT_COMMAND_SYNTAX);
        } else if (c.len > 4) {
            add_fault(r, x, SDX_FAULT_COMMAND_SYNTAX);  /* DATA takes no argument */
        }
        if (!st->mail || st->rcpts == 0)
            add_fault(r, x, SDX_FAULT_DATA_BEFORE_RCPT);
    } else if (word(c, "STARTTLS")) {
        if (st->tls)
            add_fault(r, x, SDX_FAULT_TLS_ACTIVE);
        else if (!(r->caps & SDX_CAP_STARTTLS))
            add_fault(r, x, SDX_FAULT_EXTENSION_NOT_OFFERED);
    } else if (word(c, "AUTH")) {
        if (!(r->caps & SDX_CAP_AUTH)) {
            add_fault(r, x, SDX_FAULT_EXTENSION_NOT_OFFERED);
        } else if (c.len > 5) {
            struct sdx_str m = { c.p + 5, 0 }, list = sdx_str_from(r->auth_mechs);
            int found = 0;

            while (m.len < c.len - 5 && m.p[m.len] != ' ')
                m.len++;
            for (i = 0; i + m.len <= list.len && !found; i++)
                if ((i == 0 || list.p[i - 1] == ' ') && (i + m.len == list.len || list.p[i + m.len] == ' ')) {
                    size_t j;

                    for (j = 0; j < m.len && up(list.p[i + j]) == up(m.p[j]); j++)
                        ;
                    found = j == m.len;
                }
            if (!found && m.len)
                add_fault(r, x, SDX_FAULT_AUTH_MECHANISM);
        } else {
            add_fault(r, x, SDX_FAULT_COMMAND_SYNTAX);
        }
        if (st->authed || st->mail)
            add_fault(r, x, SDX_FAULT_AUTH_STATE);
    }
}

/* advance - what a reply of code to command c does to the state */
static void advance(const struct sdx_transcript *t, struct sdx_replay *r, struct state *st, struct sdx_str c,
                    int rc, size_t a, size_t b)
{
    int ok = rc >= 200 && rc < 400, was_challenge = st->challenge;

    st->challenge = rc == 334;          /* the next line is the client's answer */
    if (was_challenge) {
        if (rc == 235)
            st->authed = 1;
        return;
    }

    if (word(c, "EHLO") && rc == 250) {
        st->helo = 1;
        caps_from(t, a, b, r);
    } else if (word(c, "HELO") && rc == 250) {
        st->helo = 1;
        r->caps = 0;
    } else if (word(c, "STARTTLS") && rc == 220) {
        st->tls = 1, st->helo = 0, st->mail = 0, st->rcpts = 0, st->authed = 0;
        r->tls = 1;
        r->caps = 0;                    /* RFC 3207 section 4.2: forget them */
    } else if (word(c, "AUTH") && rc == 235) {
        st->authed = 1;
    } else if (word(c, "MAIL") && ok) {
        st->mail = 1, st->rcpts = 0, st->bdat = 0;
    } else if (word(c, "RCPT") && ok) {
        st->rcpts++;
    } else if ((word(c, "RSET") && ok) || (c.len == 1 && c.p[0] == '.')) {
        st->mail = 0, st->rcpts = 0, st->bdat = 0;   /* a message ends the transaction, taken or not */
    } else if (word(c, "BDAT")) {
        size_t j = 5;

        while (j < c.len && c.p[j] >= '0' && c.p[j] <= '9')
            j++;
        if (j < c.len && word((struct sdx_str){ c.p + j + 1, c.len - j - 1 }, "LAST"))
            st->mail = 0, st->rcpts = 0;
    } else if (word(c, "QUIT")) {
        st->quit = 1;
    }
}

static struct sdx_exchange *new_ex(struct sdx_replay *r)
{
    struct sdx_exchange *x;

    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;

        if ((x = realloc(r->ex, cap * sizeof(*x))) == NULL)
            return NULL;
        r->ex = x;
        r->cap = cap;
    }
    x = &r->ex[r->n++];
    memset(x, 0, sizeof(*x));
    x->reply_first = x->reply_last = (size_t)-1;
    return x;
}

/* group_end - may only end a pipelined group (RFC 2920 section 3.1, RFC
 * 3207, RFC 4954) */
static int group_end(struct sdx_str c)
{
    return word(c, "EHLO") || word(c, "HELO") || word(c, "DATA") || word(c, "STARTTLS") || word(c, "AUTH") ||
           word(c, "QUIT") || word(c, "VRFY") || word(c, "EXPN") || word(c, "NOOP") || word(c, "TURN");
}

/* finish - the commands of a connection left without a reply (the server
 * closed, or the transcript is cut): counted, not judged, since the state
 * they were sent in is unknown; the pipelining faults found when they were
 * sent stay */
static void finish(struct sdx_replay *r, size_t *qn)
{
    r->unanswered += *qn;
    *qn = 0;
}

int sdx_replay_run(const struct sdx_transcript *t, struct sdx_replay *r)
{
    struct state st;
    size_t i, qn = 0, qh = 0, reply_start = (size_t)-1;    /* queue: [qh, qn) wait for replies */
    int waiting_greeting = 1;

    memset(&st, 0, sizeof(st));
    if (t->n && (r->queue = calloc(t->n, sizeof(*r->queue))) == NULL)
        return SDX_ENOMEM;
    r->sessions = t->n ? 1 : 0;
    for (i = 0; i < t->n; i++) {
        const struct sdx_turn *u = &t->turn[i];
        struct sdx_exchange *x;
        int last, rc;

        if (u->session) {               /* a new connection: what the last one left is over */
            qn -= qh, qh = 0;
            finish(r, &qn);
            memset(&st, 0, sizeof(st));
            r->caps = 0, r->size_limit = 0, r->auth_mechs[0] = '\0';
            waiting_greeting = 1;
            reply_start = (size_t)-1;
            r->sessions++;
        }
        if (u->body)
            continue;
        if (u->side == SDX_TURN_CLIENT) {
            if ((x = new_ex(r)) == NULL)
                return SDX_ENOMEM;
            x->cmd = i;
            x->tls = u->tls;
            if (waiting_greeting)
                add_fault(r, x, SDX_FAULT_SPOKE_BEFORE_GREETING);
            /* a command sent while others still wait for their replies */
            if (qn > qh) {
                if (!(r->caps & SDX_CAP_PIPELINING))
                    add_fault(r, x, SDX_FAULT_PIPELINING_NOT_OFFERED);
                else if (group_end(t->turn[r->ex[r->queue[qn - 1]].cmd].text))
                    add_fault(r, x, SDX_FAULT_PIPELINING_AFTER_LAST);
            }
            r->queue[qn++] = r->n - 1;
            continue;
        }
        /* a server line: part of a reply; its last line completes it */
        rc = code(u->text, &last);
        if (reply_start == (size_t)-1)
            reply_start = i;
        if (!last)
            continue;
        if (waiting_greeting || qh == qn) {
            /* the greeting (it answers no command, even one sent before
             * it), or a reply nobody asked for (a 421 before closing) */
            if ((x = new_ex(r)) == NULL)
                return SDX_ENOMEM;
            x->cmd = (size_t)-1;
            x->greeting = waiting_greeting;
            if (waiting_greeting)
                st.greeted = rc == 220;
            waiting_greeting = 0;
        } else {
            x = &r->ex[r->queue[qh++]];
            judge(r, x, t->turn[x->cmd].text, &st, t->turn[x->cmd].len);
        }
        x->reply_first = reply_start;
        x->reply_last = i;
        x->code = rc;
        if (x->cmd != (size_t)-1)
            advance(t, r, &st, t->turn[x->cmd].text, rc, reply_start, i);
        reply_start = (size_t)-1;
    }
    qn -= qh;                           /* (only counted: no need to move them) */
    finish(r, &qn);
    return 0;
}
