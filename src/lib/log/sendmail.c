/* sendmail.c - Sendmail log lines to events, with message context
 * In:  lines whose program is "sendmail" or "sm-*" (Debian's daemon logs as
 *      sm-mta, its queue runner for submissions as sm-msp-queue), mostly
 *      "QID: key=value, key=value, ..." where QID is the queue id (14
 *      characters since 8.12: "6ARMcL0a028315").
 * Out: inbound refusals (our server refused a client):
 *        QID: ruleset=check_rcpt, arg1=<r>, relay=H [A], reject=550 5.7.1 TEXT
 *        ruleset=check_relay, arg1=[A], arg2=A, relay=[A], reject=550 5.7.1 TEXT
 *        QID: Milter: to=<r>, reject=550 5.7.1 TEXT (and from=, data, connect)
 *        QID: <r>... User unknown      -> 550 5.1.1 <r>... User unknown
 *        QID: message size (N) exceeds maximum (M), then
 *        QID: to=<r>, delay=.., pri=.., stat=Message exceeds maximum fixed size (M)
 *                                      -> 552 5.2.3 Message exceeds maximum fixed size (M)
 *      deliveries that failed (outbound for an SMTP mailer, local for the others):
 *        QID: to=<r>[,<r2>], delay=.., mailer=smtp, relay=H [A], dsn=X.Y.Z,
 *             reply=550 5.1.1 TEXT, stat=User unknown   (bounced; deferred
 *             for stat=Deferred...; sent for stat=Sent)
 *      and expiry: QID: QID2: DSN: Cannot send message for 5 days (with the
 *      last deferral's reply, as postfix.c does for qmgr's status=expired).
 * Context: messages by queue id: "from=<s>, size=N, nrcpts=N, msgid=<id>,
 *      relay=H [A]" gives sender, size, message-id and client, and the lines
 *      so far. Sendmail logs a transaction's from= line after the refusals of
 *      its RCPTs, so a refusal with a queue id waits for that line to learn
 *      its sender (sdx__wait_add: bounded, the oldest going out first);
 *      sdx_logs_end sends what still waits.
 * Limits: Sendmail logs neither the stage a remote server refused us at nor
 *      a "message removed" line: message records are forgotten when their
 *      recipients are all final (nrcpts counted down) or evicted by the map.
 * Formats: Sendmail 8.17.1.9 (Debian 12) at LogLevel 9, as written by the
 *      integration harness (tests/integration/harness.sh, sm-* scenarios;
 *      each reply checked against the client's transcript there). */
#include <stdio.h>
#include <string.h>
#include "logs_int.h"
#include "scan.h"

/* queue_id - the queue id at the start of a line (Sendmail: "6ARMcL0a028315: ...") */
#define queue_id(m) id_prefix((m), 6, 20)

/* relay - "H [A]" or "[A]" or "H [A] (may be forged)" of relay=, up to ", " */
static void relay(const char *p, const char *end, char *host, size_t hcap, char *addr, size_t acap)
{
    struct sdx_str v = value(p, end, "relay=", ',');
    const char *lb, *rb;

    host[0] = addr[0] = '\0';
    if (v.p == NULL)
        return;
    lb = memchr(v.p, '[', v.len);
    if (lb == NULL) {
        copy(host, hcap, v.p, v.p + v.len);
        return;
    }
    rb = memchr(lb, ']', (size_t)(v.p + v.len - lb));
    if (lb > v.p) {
        const char *h = lb;

        while (h > v.p && h[-1] == ' ')
            h--;
        if (h > v.p && h[-1] == '.')
            h--;                        /* "mx.example.com. [1.2.3.4]" */
        copy(host, hcap, v.p, h);
    }
    copy(addr, acap, lb + 1, rb ? rb : v.p + v.len);
    /* "[127.0.10.2] [127.0.10.2]": a literal next hop names no host */
    if (host[0] == '[')
        host[0] = '\0';
}

/* angle - an address without its <> */
static struct sdx_str angle(struct sdx_str v)
{
    if (v.len >= 2 && v.p[0] == '<' && v.p[v.len - 1] == '>')
        v.p++, v.len -= 2;
    return v;
}

static int emit_event(struct sdx_logs *l, struct sdx_event *e, const struct sdx_logline *ll, const char *source,
                      unsigned long lineno, const struct story *story, sdx_logs_emit_fn emit, void *arg)
{
    e->mta = SDX_MTA_SENDMAIL;
    return sdx__emit(l, e, ll, source, lineno, story, emit, arg);
}

/* refusal - one inbound refusal line (ruleset reject=, Milter reject=, User
 * unknown, message too big): the event, with the sender when the message's
 * from= line has been read (msg) */
static int refusal(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str qid, struct message *msg,
                   const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *p = ll->msg.p, *end = p + ll->msg.len, *rj;
    struct sdx_str rest = ll->msg, who = { NULL, 0 };
    enum sdx_stage stage = SDX_STAGE_UNKNOWN;
    char text[600], host[LOGS_FIELD], addr[48];
    int n = -1, rc, snd = 0;
    struct sdx_event e;

    if (qid.len)
        rest.p += qid.len + 2, rest.len -= qid.len + 2;
    host[0] = addr[0] = '\0';
    if (starts(rest, "ruleset=") || starts(rest, "Milter: ")) {
        if ((rj = find(rest.p, end, ", reject=")) == NULL && (rj = find(rest.p, end, " reject=")) == NULL)
            return 0;
        rj += rj[0] == ',' ? 9 : 8;
        if (starts(rest, "ruleset=")) {
            struct sdx_str rs = value(rest.p, end, "ruleset=", ',');

            who = angle(value(rest.p, end, "arg1=", ','));
            if (is(rs, "check_relay"))
                stage = SDX_STAGE_CONNECT, who.len = 0;
            else if (is(rs, "check_mail"))
                stage = SDX_STAGE_MAIL, snd = 1;
            else if (is(rs, "check_rcpt") || is(rs, "check_compat"))
                stage = SDX_STAGE_RCPT;
            else if (is(rs, "check_data"))
                stage = SDX_STAGE_DATA, who.len = 0;
            else if (is(rs, "check_eoh") || is(rs, "check_eom"))
                stage = SDX_STAGE_EOD, who.len = 0;
            else
                stage = SDX_STAGE_OTHER, who.len = 0;
        } else {
            struct sdx_str w = { rest.p + 8, rest.len - 8 };

            if (starts(w, "to=")) {
                stage = SDX_STAGE_RCPT, who = angle(value(w.p, end, "to=", ','));
            } else if (starts(w, "from=")) {
                stage = SDX_STAGE_MAIL, snd = 1, who = angle(value(w.p, end, "from=", ','));
            } else if (starts(w, "data") || starts(w, "eom") || starts(w, "eoh")) {
                stage = SDX_STAGE_EOD;
            } else if (starts(w, "helo")) {
                stage = SDX_STAGE_HELO;
            } else if (starts(w, "connect")) {
                stage = SDX_STAGE_CONNECT;
            }
        }
        relay(rest.p, rj, host, sizeof(host), addr, sizeof(addr));
        if (sdx_reply_parse(&l->reply, rj, (size_t)(end - rj)) != 0)
            return SDX_ENOMEM;
        sdx__refused(l, &e, stage);
    } else if (rest.len > 17 && rest.p[0] == '<' && memcmp(end - 17, ">... User unknown", 17) == 0) {
        /* usrerr() logs the text of a refused RCPT, not its code: Sendmail
         * sends 550 5.1.1 for it (sm-in-unknown-user) */
        who = angle((struct sdx_str){ rest.p, rest.len - 16 });   /* before "... User unknown" */
        n = snprintf(text, sizeof(text), "550 5.1.1 %.*s", (int)(rest.len > 500 ? 500 : rest.len), rest.p);
        stage = SDX_STAGE_RCPT;
    } else if (starts(rest, "to=")) {
        /* a recipient of a message refused while it was received (no
         * mailer=): the stat is the reply's text; too big is 552 5.2.3
         * (sm-in-too-big) */
        struct sdx_str st = value(rest.p, end, ", stat=", '\n');

        if (st.p == NULL)
            return 0;
        who = angle(value(rest.p, end, "to=", ','));
        if (msg && msg->too_big)
            n = snprintf(text, sizeof(text), "552 5.2.3 %.*s", (int)(st.len > 500 ? 500 : st.len), st.p);
        else
            n = snprintf(text, sizeof(text), "%.*s", (int)(st.len > 500 ? 500 : st.len), st.p);
        stage = SDX_STAGE_EOD;
    } else {
        return 0;
    }
    if (n >= 0 && sdx__refused_with(l, &e, text, n, sizeof(text), stage) != 0)
        return SDX_ENOMEM;
    if (n >= 0 && stage == SDX_STAGE_EOD && !(msg && msg->too_big))
        e.reply_from = SDX_REPLY_LOGGED;    /* the text is logged; no code was */
    if (host[0] == '\0' && addr[0] == '\0' && msg) {
        memcpy(host, msg->host, sizeof(host));
        memcpy(addr, msg->addr, sizeof(addr));
    }
    e.client.host = S(host), e.client.addr = S(addr);
    e.queue_id = qid;
    e.sender = S(msg ? msg->from : "");
    e.recipient = S("");
    if (snd && who.p)
        e.sender = who;
    else if (who.p && stage != SDX_STAGE_CONNECT)
        e.recipient = who;
    if (msg) {
        e.message_id = S(msg->msgid);
        e.size = msg->size;
    }
    rc = emit_event(l, &e, ll, source, lineno, msg ? &msg->story : NULL, emit, arg);
    return rc;
}

/* waited - the event of a refusal that waited for its from= line: the
 * message's sender is known now (or never was: sdx_logs_end) */
static int waited(struct sdx_logs *l, const char *key, size_t kl, const struct sdx_logline *ll, const char *source,
                  unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    struct sdx_str qid = { key, kl };

    return refusal(l, ll, qid, sdx__map_get(l->messages, key, kl), source, lineno, emit, arg);
}

/* settle - n recipients of m are final: forget m when none is left */
static void settle(struct sdx_logs *l, struct sdx_str qid, struct message *m, unsigned n)
{
    if (m == NULL)
        return;
    if (m->pending > n)
        m->pending -= n;
    else
        sdx__map_del(l->messages, qid.p, qid.len);
}

/* delivery - "to=<r>[,<r2>...], [ctladdr=..,] delay=.., xdelay=.., mailer=M,
 * pri=.., relay=H [A], dsn=X.Y.Z, [reply=TEXT,] stat=S" */
static int delivery(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str qid, struct message *m,
                    const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *p = ll->msg.p + qid.len + 2, *end = ll->msg.p + ll->msg.len, *st, *rp, *text, *tend, *r, *rend;
    struct sdx_str mailer, dsn, to;
    char rhost[LOGS_FIELD], raddr[48];
    enum sdx_outcome out;
    unsigned nrcpt = 0;
    int rc = 0, smtp;

    if ((st = find(p, end, ", stat=")) == NULL)
        return 0;
    st += 7;
    mailer = value(p, st, "mailer=", ',');
    to = value(p, st, "to=", ' ');
    if (to.len && to.p[to.len - 1] == ',')
        to.len--;
    if (end - st >= 4 && memcmp(st, "Sent", 4) == 0) {
        for (r = to.p; r && r < to.p + to.len; r++)
            nrcpt += *r == ',';
        l->st.delivered += nrcpt + 1;
        settle(l, qid, m, nrcpt + 1);
        return 0;
    }
    out = end - st >= 8 && memcmp(st, "Deferred", 8) == 0 ? SDX_OUT_DEFERRED : SDX_OUT_BOUNCED;
    /* the remote reply when there was one, else the status text */
    if ((rp = find(p, st, ", reply=")) != NULL) {
        text = rp + 8, tend = st - 7;
    } else {
        text = st, tend = end;
        if (out == SDX_OUT_DEFERRED) {
            text += 8;
            if (tend - text >= 2 && text[0] == ':' && text[1] == ' ')
                text += 2;
        }
    }
    if (sdx_reply_parse(&l->reply, text, (size_t)(tend - text)) != 0)
        return SDX_ENOMEM;
    dsn = value(p, st, "dsn=", ',');
    if (l->reply.status.klass == 0 && dsn.len && dsn.len < sizeof(l->reply.status_str) &&
        sdx_status_parse(dsn.p, dsn.len, &l->reply.status) == 0) {
        memcpy(l->reply.status_str, dsn.p, dsn.len);
        l->reply.status_str[dsn.len] = '\0';
        l->reply.flags &= ~(unsigned)SDX_REPLY_F_NO_CODE;
    }
    /* smtp, esmtp, smtp8, dsmtp, relay: the SMTP mailers of cf/mailer/smtp.m4 */
    smtp = starts(mailer, "smtp") || starts(mailer, "esmtp") || starts(mailer, "dsmtp") ||
           starts(mailer, "relay");
    relay(p, st, rhost, sizeof(rhost), raddr, sizeof(raddr));
    /* one event per recipient of the list */
    for (r = to.p; r && r < to.p + to.len; r = rend + 1) {
        struct sdx_event e;

        if ((rend = memchr(r, ',', (size_t)(to.p + to.len - r))) == NULL)
            rend = to.p + to.len;
        sdx_event_init(&e, &l->reply);
        e.outcome = out;
        e.dir = smtp ? SDX_DIR_OUTBOUND : SDX_DIR_LOCAL;
        e.recipient = angle((struct sdx_str){ r, (size_t)(rend - r) });
        e.queue_id = qid;
        e.dsn = dsn;
        e.delay_ms = clock_ms(value(p, st, " delay=", ','));
        e.relay = value(p, st, "relay=", ',');
        if (l->reply.host[0] == '\0' && (rhost[0] || raddr[0])) {
            e.server.host = S(rhost);
            e.server.addr = S(raddr);
        }
        if (m) {
            e.sender = S(m->from);
            e.message_id = S(m->msgid);
            e.size = m->size;
            e.client.host = S(m->host), e.client.addr = S(m->addr);
            if (out == SDX_OUT_DEFERRED) {      /* remembered for a later expiry */
                copy_str(m->last_rcpt, sizeof(m->last_rcpt), e.recipient);
                copy(m->last_reply, sizeof(m->last_reply), text, tend);
            }
        }
        if ((rc = emit_event(l, &e, ll, source, lineno, m ? &m->story : NULL, emit, arg)) != 0)
            return rc;
        nrcpt++;
    }
    if (out == SDX_OUT_BOUNCED)
        settle(l, qid, m, nrcpt);
    return rc;
}

/* expired - "QID: QID2: DSN: Cannot send message for 5 days": the message
 * is returned to its sender; the event carries the last deferral */
static int expired(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str qid, struct message *m,
                   const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *last = m && m->last_reply[0] ? m->last_reply : "";
    struct sdx_event e;
    int rc;

    if (sdx_reply_parse(&l->reply, last, strlen(last)) != 0)
        return SDX_ENOMEM;
    sdx_event_init(&e, &l->reply);
    e.outcome = SDX_OUT_EXPIRED;
    e.dir = SDX_DIR_OUTBOUND;
    e.queue_id = qid;
    if (m) {
        e.sender = S(m->from);
        e.recipient = S(m->last_rcpt);
        e.message_id = S(m->msgid);
        e.size = m->size;
        e.client.host = S(m->host), e.client.addr = S(m->addr);
    }
    rc = emit_event(l, &e, ll, source, lineno, m ? &m->story : NULL, emit, arg);
    if (m)
        sdx__map_del(l->messages, qid.p, qid.len);
    return rc;
}

/* lines without a queue id that carry nothing to count */
static const char *const quiet[] = { "starting daemon", "STARTTLS=", "AUTH=", "NOQUEUE: connect from",
    "STARTTLS: ", "TLS: ", "alias database ", "runqueue", "grew WorkList", "rejecting connections",
    "accepting connections", "restarting ", "stopping daemon", "SYSERR", "timeout waiting for input",
    "did not issue MAIL", "lost input channel", "error: ", "Warning: ", "NOQUEUE: ", "AUTH warning",
    "discarding", "collect: ", "ruleset=check_relay", "My unqualified host name", "unable to qualify",
    "daemon ", "sendmail: ", "queueing for", "load average", "[", NULL };

int sdx__sendmail_line(struct sdx_logs *l, const struct sdx_logline *ll, const char *source, unsigned long lineno,
                       sdx_logs_emit_fn emit, void *arg, int *rc)
{
    struct sdx_str m = ll->msg, qid, rest;
    struct message *msg;
    size_t i;
    int evicted;

    *rc = 0;
    if (!is(ll->program, "sendmail") && !starts(ll->program, "sm-") && l->force != SDX_MTA_SENDMAIL)
        return 0;
    qid = queue_id(m);
    if (qid.len == 0 || is(qid, "NOQUEUE")) {
        /* a refusal before MAIL: check_relay (the client), or a milter's */
        if (starts(m, "ruleset=") && find(m.p, m.p + m.len, "reject=")) {
            *rc = refusal(l, ll, (struct sdx_str){ NULL, 0 }, NULL, source, lineno, emit, arg);
            return 1;
        }
        if (qid.len && m.len > 9 && (starts(((struct sdx_str){ m.p + 9, m.len - 9 }), "ruleset=") ||
                                     starts(((struct sdx_str){ m.p + 9, m.len - 9 }), "Milter: ")) &&
            find(m.p, m.p + m.len, "reject=")) {
            struct sdx_logline one = *ll;

            one.msg.p += 9, one.msg.len -= 9;
            *rc = refusal(l, &one, (struct sdx_str){ NULL, 0 }, NULL, source, lineno, emit, arg);
            return 1;
        }
        for (i = 0; quiet[i]; i++)
            if (starts_n(m, quiet[i], strlen(quiet[i])))
                return 1;
        sdx__logs_unparsed(l, ll);
        return 1;
    }
    rest.p = m.p + qid.len + 2, rest.len = m.len - qid.len - 2;
    msg = sdx__map_get(l->messages, qid.p, qid.len);
    if (starts(rest, "from=")) {
        const char *end = m.p + m.len;
        struct sdx_str from = angle(value(rest.p, end, "from=", ',')), id = value(rest.p, end, "msgid=", ',');
        struct sdx_str size = value(rest.p, end, "size=", ','), nr = value(rest.p, end, "nrcpts=", ',');
        unsigned long sz = 0, n = 0;

        if (msg == NULL) {
            if ((msg = sdx__map_put(l->messages, qid.p, qid.len, &evicted)) == NULL)
                return *rc = SDX_ENOMEM, 1;
            l->st.messages_dropped += (unsigned long)evicted;
        }
        copy_str(msg->from, sizeof(msg->from), from);
        copy_str(msg->msgid, sizeof(msg->msgid), angle(id));
        for (i = 0; i < size.len && i < 15 && size.p[i] >= '0' && size.p[i] <= '9'; i++)
            sz = sz * 10 + (unsigned long)(size.p[i] - '0');
        for (i = 0; i < nr.len && i < 6 && nr.p[i] >= '0' && nr.p[i] <= '9'; i++)
            n = n * 10 + (unsigned long)(nr.p[i] - '0');
        msg->size = sz;
        msg->pending = (unsigned)n;
        relay(rest.p, end, msg->host, sizeof(msg->host), msg->addr, sizeof(msg->addr));
        sdx__story_add(&msg->story, m.p, m.len);
        /* the refusals of this transaction now know their sender */
        *rc = sdx__wait_flush(l, qid.p, qid.len, emit, arg);
        if (*rc == 0 && n == 0 && !msg->too_big)
            sdx__map_del(l->messages, qid.p, qid.len);     /* nothing was accepted */
        return 1;
    }
    if (starts(rest, "ruleset=") || starts(rest, "Milter: ") ||
        (rest.len > 17 && rest.p[0] == '<' && memcmp(m.p + m.len - 17, ">... User unknown", 17) == 0)) {
        if (starts(rest, "Milter: ") && !find(rest.p, m.p + m.len, "reject=")) {
            if (msg)
                sdx__story_add(&msg->story, m.p, m.len);
            return 1;                   /* a milter's other actions: context */
        }
        *rc = msg && msg->from[0] ? refusal(l, ll, qid, msg, source, lineno, emit, arg) :
              sdx__wait_add(l, qid.p, qid.len, ll, source, lineno, waited, emit, arg);
        return 1;
    }
    if (starts(rest, "message size (") && find(rest.p, m.p + m.len, ") exceeds maximum (")) {
        if (msg == NULL) {
            if ((msg = sdx__map_put(l->messages, qid.p, qid.len, &evicted)) == NULL)
                return *rc = SDX_ENOMEM, 1;
            l->st.messages_dropped += (unsigned long)evicted;
        }
        msg->too_big = 1;
        sdx__story_add(&msg->story, m.p, m.len);
        return 1;
    }
    if (starts(rest, "to=")) {
        if (!find(rest.p, m.p + m.len, ", mailer=")) {
            /* refused while it was received: no delivery was tried */
            *rc = refusal(l, ll, qid, msg, source, lineno, emit, arg);
            if (msg && msg->too_big)
                sdx__map_del(l->messages, qid.p, qid.len);
            return 1;
        }
        if (msg)
            sdx__story_add(&msg->story, m.p, m.len);
        *rc = delivery(l, ll, qid, msg, source, lineno, emit, arg);
        return 1;
    }
    /* "QID: QID2: DSN: ..." (a bounce or a delay warning made), "QID: QID2:
     * return to sender: ...", "postmaster notify: ..." */
    {
        struct sdx_str q2 = queue_id(rest);

        if (q2.len) {
            struct sdx_str what = { rest.p + q2.len + 2, rest.len - q2.len - 2 };

            if (starts(what, "DSN: Cannot send message for ") || starts(what, "return to sender: Cannot send message for ")) {
                *rc = expired(l, ll, qid, msg, source, lineno, emit, arg);
                return 1;
            }
            if (msg)
                sdx__story_add(&msg->story, m.p, m.len);
            return 1;
        }
    }
    /* the rest of a known message is context: clone, done, Losing qf..., SYSERR */
    if (msg) {
        sdx__story_add(&msg->story, m.p, m.len);
        return 1;
    }
    if (starts(rest, "SYSERR") || starts(rest, "Losing ") || starts(rest, "clone") || starts(rest, "done;") ||
        starts(rest, "lost input channel") || starts(rest, "timeout waiting for input") ||
        starts(rest, "DSN: ") || starts(rest, "sender notify") || starts(rest, "postmaster notify") ||
        starts(rest, "return to sender") || starts(rest, "collect: ") || starts(rest, "Milter") ||
        starts(rest, "discarded") || starts(rest, "headers too large") || starts(rest, "STARTTLS"))
        return 1;
    sdx__logs_unparsed(l, ll);
    return 1;
}
