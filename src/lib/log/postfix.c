/* postfix.c - Postfix log lines to events, with session and message context
 * In:  lines whose program is postfix[-name]/daemon (smtpd, postscreen,
 *      cleanup, qmgr, smtp, lmtp, local, virtual, pipe, error, discard,
 *      bounce, and the quiet ones: pickup, master, anvil, scache, tlsmgr,
 *      postlogd, dnsblog, verify, trivial-rewrite, postfix-script).
 * Out: events for "reject:" of smtpd, postscreen and cleanup (inbound),
 *      smtpd's refusals logged without a reply (connection limits, SASL
 *      failures, timeouts, too many errors, message too big: see notice()),
 *      status=bounced/deferred of the delivery agents (outbound, or local
 *      for local/virtual/pipe/error), and status=expired of qmgr.
 * Context: sessions by smtpd process ("connect from" to "disconnect from":
 *      client, TLS, SASL, the lines so far), messages by queue id ("client="
 *      to "removed": sender, size, message-id, client, the lines so far).
 * Formats: Postfix 3.x smtpd_reject_*, cleanup header/body checks,
 *      postscreen, qmgr, smtp(8) delivery status lines, as written by
 *      Postfix 3.7 in ../shared/mta-samples/postfix/logs/maillog. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "logs_int.h"
#include "scan.h"

/* hostaddr - "NAME[ADDR]" starting at p into host and addr */
static void hostaddr(const char *p, const char *end, char *host, size_t hcap, char *addr, size_t acap)
{
    const char *lb = memchr(p, '[', (size_t)(end - p)), *rb;

    if (lb == NULL) {
        host[0] = addr[0] = '\0';
        return;
    }
    copy(host, hcap, p, lb);
    rb = memchr(lb, ']', (size_t)(end - lb));
    copy(addr, acap, lb + 1, rb ? rb : end);
}

/* queue_id - the queue id at the start of a line (Postfix: "4BQ2x1Y2z3: ...") */
#define queue_id(m) id_prefix((m), 5, 32)

/* The commands smtpd counts in its disconnect line ("ehlo=1 mail=1 rcpt=0/2
 * quit=1 commands=3/5": ok/total), by the names it uses there. A session
 * counts the failures the log explains per command (refusals, timeouts, lost
 * connections); failures beyond those are refusals Postfix did not log
 * (see disconnect()). END-OF-MESSAGE refusals
 * (smtpd, cleanup, milters) fail a DATA or a BDAT: they have their own slot. */
enum { PC_HELO, PC_EHLO, PC_STARTTLS, PC_AUTH, PC_MAIL, PC_RCPT, PC_DATA, PC_BDAT, PC_VRFY, PC_ETRN,
       PC_UNKNOWN, PC_EOM, PC_NONE = -1 };
static const char *const pc_name[] = { "helo", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "bdat", "vrfy",
                                       "etrn", "unknown" };

/* pc_of_word - the slot of the command a reject names ("RCPT from ..."), or PC_NONE */
static int pc_of_word(const char *p, const char *end)
{
    static const struct { const char *word; int pc; } words[] = {
        { "RCPT ", PC_RCPT }, { "MAIL ", PC_MAIL }, { "DATA ", PC_DATA }, { "END-OF-MESSAGE ", PC_EOM },
        { "HELO ", PC_EHLO }, { "EHLO ", PC_EHLO }, { "VRFY ", PC_VRFY }, { "ETRN ", PC_ETRN },
        { "BDAT ", PC_BDAT }, { "AUTH ", PC_AUTH }, { "STARTTLS ", PC_STARTTLS },
    };
    size_t i, n = (size_t)(end - p);

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t wl = strlen(words[i].word);

        if (n >= wl && memcmp(p, words[i].word, wl) == 0)
            return words[i].pc;
    }
    return PC_NONE;
}

/* count_refused - one more failure of command pc that the log explains in
 * session s: a logged refusal, a timeout, a lost connection */
static void count_refused(struct session *s, int pc)
{
    if (s && pc != PC_NONE && s->refused[pc] < 0xffff)
        s->refused[pc]++;
}

/* emit_event - the shared parts (logs.c), with this reader's MTA */
static int emit_event(struct sdx_logs *l, struct sdx_event *e, const struct sdx_logline *ll, const char *source,
                      unsigned long lineno, const struct story *story, sdx_logs_emit_fn emit, void *arg)
{
    e->mta = SDX_MTA_POSTFIX;
    return sdx__emit(l, e, ll, source, lineno, story, emit, arg);
}

/* reject - "NOQUEUE: reject: RCPT from H[A]: 550 ...; from=<s> to=<r> proto=ESMTP helo=<h>"
 * (smtpd; postscreen separates the fields with ", ") */
static int reject(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str qid, struct session *s,
                  const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *p = ll->msg.p, *end = p + ll->msg.len, *semi = find(p, end, "; from=<");
    struct sdx_event e;
    struct message *m = qid.len ? sdx__map_get(l->messages, qid.p, qid.len) : NULL;
    char host[LOGS_FIELD], addr[48];
    const char *from = find(p, end, " from ");
    int rc;

    const char *act = find(p, end, "reject: ");

    if (sdx_reply_parse(&l->reply, p, ll->msg.len) != 0)
        return SDX_ENOMEM;
    /* a milter's END-OF-MESSAGE refusal logged by cleanup names only the
     * enhanced status; the client got 550 for 5.x.x, 450 for 4.x.x */
    if (l->reply.code == 0 && (l->reply.status.klass == 5 || l->reply.status.klass == 4)) {
        l->reply.code = l->reply.status.klass == 5 ? 550 : 450;
        l->reply.flags &= ~(unsigned)SDX_REPLY_F_NO_CODE;
    }
    if (act)
        count_refused(s, pc_of_word(act + 8, end));
    sdx__refused(l, &e, SDX_STAGE_UNKNOWN);
    /* the client: our server's peer, named in the line itself */
    host[0] = addr[0] = '\0';
    if (from)
        hostaddr(from + 6, end, host, sizeof(host), addr, sizeof(addr));
    e.client.host = S(host), e.client.addr = S(addr);
    if (semi) {
        e.sender = value(semi, end, "from=<", '>');
        e.recipient = value(semi, end, "to=<", '>');
        e.helo = value(semi, end, "helo=<", '>');
    }
    if (e.sender.p == NULL)
        e.sender = S("");       /* "from=<>" is the null sender; absent stays empty too */
    e.queue_id = qid;
    if (s) {
        e.tls = S(s->tls);
        e.sasl_user = S(s->sasl);
        if (e.helo.len == 0)
            e.helo = S(s->helo);
    }
    if (m) {
        e.message_id = S(m->msgid);
        e.size = m->size;
    }
    rc = emit_event(l, &e, ll, source, lineno, s ? &s->story : m ? &m->story : NULL, emit, arg);
    return rc;
}

/* notice - smtpd refusals that Postfix logs without the reply it sent.
 * The reply is the one Postfix 3.x sends for each (smtpd.c; seen in the
 * transcripts of ../shared/mta-samples/postfix: pf-in-conn-rate-limit,
 * pf-in-conn-count-limit, pf-sub-bad-password, pf-in-idle-timeout,
 * pf-in-too-many-errors, pf-in-size-streamed), without the "myhostname"
 * Postfix puts before "Error:" in some of them, which the log does not name.
 * The story carries the logged line itself, so nothing is hidden.
 *   warning: Connection rate limit exceeded: N from H[A] for service S
 *   warning: Connection concurrency limit exceeded: N from H[A] for service S
 *       -> 421 4.7.0 Error: too many connections from A
 *   warning: H[A]: SASL MECH authentication failed: WHY[, sasl_username=U]
 *       -> 535 5.7.8 Error: authentication failed: WHY
 *   timeout after CMD from H[A]        -> 421 4.4.2 Error: timeout exceeded
 *   too many errors after CMD from H[A] -> 421 4.7.0 Error: too many errors
 *   warning: QID: queue file size limit exceeded -> 552 5.3.4 Error: message file too big
 *   warning: Illegal address syntax from H[A] in MAIL command: ADDR
 *       -> 501 5.1.7 Bad sender address syntax (pf-in-bad-sender-syntax)
 *   warning: Illegal address syntax from H[A] in RCPT command: ADDR
 *       -> 501 5.1.3 Bad recipient address syntax (pf-in-bad-rcpt-syntax)
 * Each counts as a refusal of its command in the session (disconnect()).
 * Returns 0 when m is none of these, else 1 with *rc set. */
static int notice(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str m, struct session *s,
                  const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg, int *rc)
{
    const char *p = m.p, *end = m.p + m.len, *h = NULL, *why;
    char text[320], host[LOGS_FIELD], addr[48];
    enum sdx_stage stage = SDX_STAGE_CONNECT;
    struct sdx_str qid = { NULL, 0 }, sasl = { NULL, 0 }, bad = { NULL, 0 };
    struct message *msg = NULL;
    struct sdx_event e;
    int n, pc = PC_NONE;

    host[0] = addr[0] = '\0';
    if (starts(m, "warning: Connection rate limit exceeded: ") ||
        starts(m, "warning: Connection concurrency limit exceeded: ")) {
        if ((h = find(p, end, " from ")) == NULL)
            return 0;
        hostaddr(h + 6, end, host, sizeof(host), addr, sizeof(addr));
        n = snprintf(text, sizeof(text), "421 4.7.0 Error: too many connections from %s", addr);
    } else if (starts(m, "warning: ") && (why = find(p, end, " authentication failed: ")) != NULL &&
               find(p, why, ": SASL ") != NULL) {
        const char *w = why + 24, *u = find(w, end, ", sasl_username=");

        hostaddr(p + 9, why, host, sizeof(host), addr, sizeof(addr));
        if (u) {
            sasl.p = u + 16, sasl.len = (size_t)(end - u - 16);
        }
        stage = SDX_STAGE_AUTH;
        pc = PC_AUTH;
        n = snprintf(text, sizeof(text), "535 5.7.8 Error: authentication failed: %.*s",
                     (int)((u ? u : end) - w > 200 ? 200 : (u ? u : end) - w), w);
    } else if (starts(m, "warning: Illegal address syntax from ")) {
        const char *in = find(p, end, " in MAIL command: ");

        if (in == NULL && (in = find(p, end, " in RCPT command: ")) == NULL)
            return 0;
        hostaddr(p + 37, in, host, sizeof(host), addr, sizeof(addr));
        bad.p = in + 18, bad.len = (size_t)(end - in - 18);
        if (bad.len >= 2 && bad.p[0] == '<' && bad.p[bad.len - 1] == '>')
            bad.p++, bad.len -= 2;
        if (in[4] == 'M') {
            stage = SDX_STAGE_MAIL, pc = PC_MAIL;
            n = snprintf(text, sizeof(text), "501 5.1.7 Bad sender address syntax");
        } else {
            stage = SDX_STAGE_RCPT, pc = PC_RCPT;
            n = snprintf(text, sizeof(text), "501 5.1.3 Bad recipient address syntax");
        }
    } else if (starts(m, "timeout after ") || starts(m, "too many errors after ")) {
        const char *cmd = p + (p[0] == 't' && p[1] == 'i' ? 14 : 22);

        if ((h = find(cmd, end, " from ")) == NULL)
            return 0;
        hostaddr(h + 6, end, host, sizeof(host), addr, sizeof(addr));
        stage = sdx_stage_of_command(cmd, (size_t)(h - cmd));
        /* "timeout after DATA (N bytes)": the message content never ended,
         * and DATA counts as failed; after any other command Postfix timed
         * out waiting for the next one */
        if (p[1] == 'i' && ((pc = pc_of_word(cmd, h + 1)) != PC_DATA && pc != PC_BDAT))
            pc = PC_NONE;
        n = snprintf(text, sizeof(text), p[1] == 'i' ? "421 4.4.2 Error: timeout exceeded" :
                     "421 4.7.0 Error: too many errors");
    } else if (starts(m, "warning: ") && m.len > 9 &&
               (why = find(p + 9, end, ": queue file size limit exceeded")) != NULL) {
        struct sdx_str rest = { p + 9, m.len - 9 };

        qid = queue_id(rest);
        if (qid.len == 0 || qid.p + qid.len != why)
            return 0;
        msg = sdx__map_get(l->messages, qid.p, qid.len);
        if (msg) {
            memcpy(host, msg->host, sizeof(host));
            memcpy(addr, msg->addr, sizeof(addr));
        }
        stage = SDX_STAGE_DATA;
        pc = PC_EOM;
        n = snprintf(text, sizeof(text), "552 5.3.4 Error: message file too big");
    } else {
        return 0;
    }
    if (host[0] == '\0' && s) {
        memcpy(host, s->host, sizeof(host));
        memcpy(addr, s->addr, sizeof(addr));
    }
    count_refused(s, pc);
    if (sdx__refused_with(l, &e, text, n, sizeof(text), stage) != 0)
        return *rc = SDX_ENOMEM, 1;
    e.client.host = S(host), e.client.addr = S(addr);
    e.sender = S(msg ? msg->from : "");
    e.recipient = S("");
    if (pc == PC_MAIL && bad.p)
        e.sender = bad;                 /* what the client sent, escaped on output */
    else if (pc == PC_RCPT && bad.p)
        e.recipient = bad;
    e.queue_id = qid;
    if (s) {
        e.tls = S(s->tls);
        e.helo = S(s->helo);
        e.sasl_user = S(s->sasl);
    }
    if (sasl.len)
        e.sasl_user = sasl;             /* the name tried; Postfix never logs the password */
    if (msg) {
        e.message_id = S(msg->msgid);
        e.size = msg->size;
        e.sasl_user = sasl.len ? sasl : S(msg->sasl);
    }
    *rc = emit_event(l, &e, ll, source, lineno, s ? &s->story : msg ? &msg->story : NULL, emit, arg);
    return 1;
}

/* cleanup_reject - "QID: reject: header Subject: x from H[A]; from=<s> to=<r> proto=ESMTP helo=<h>: 5.7.1 text" */
static int cleanup_reject(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str qid, struct message *m,
                          const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *p = ll->msg.p, *end = p + ll->msg.len, *semi = find(p, end, "; from=<"), *colon = NULL, *c;
    struct sdx_event e;
    char host[LOGS_FIELD], addr[48];

    /* the reply follows the first ": " after helo=<...> (or after the fields) */
    if (semi) {
        const char *h = find(semi, end, "helo=<");

        c = h ? memchr(h, '>', (size_t)(end - h)) : semi;
        if (c)
            colon = find(c, end, ": ");
    }
    if (sdx_reply_parse(&l->reply, colon ? colon + 2 : p, colon ? (size_t)(end - colon - 2) : ll->msg.len) != 0)
        return SDX_ENOMEM;
    /* cleanup logs only the enhanced status; smtpd answered the client with
     * 550 for a 5.x.x and 450 for a 4.x.x (Postfix's cleanup_stat mapping) */
    if (l->reply.code == 0 && (l->reply.status.klass == 5 || l->reply.status.klass == 4)) {
        l->reply.code = l->reply.status.klass == 5 ? 550 : 450;
        l->reply.flags &= ~(unsigned)SDX_REPLY_F_NO_CODE;
    }
    sdx__refused(l, &e, SDX_STAGE_EOD);  /* header and body checks run on the content */
    host[0] = addr[0] = '\0';
    if (semi) {
        const char *f = semi;

        while (f > p && !(f[-1] == ' ' && f - p >= 5 && memcmp(f - 5, "from ", 5) == 0))
            f--;
        if (f > p)
            hostaddr(f, semi, host, sizeof(host), addr, sizeof(addr));
        e.sender = value(semi, end, "from=<", '>');
        e.recipient = value(semi, end, "to=<", '>');
        e.helo = value(semi, end, "helo=<", '>');
    }
    e.client.host = S(host), e.client.addr = S(addr);
    e.queue_id = qid;
    if (m) {
        e.message_id = S(m->msgid);
        e.sasl_user = S(m->sasl);
    }
    return emit_event(l, &e, ll, source, lineno, m ? &m->story : NULL, emit, arg);
}

/* delivery - "QID: to=<r>, [orig_to=<o>,] relay=R, delay=.., delays=.., dsn=X.Y.Z, status=S (text)" */
static int delivery(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str qid, struct sdx_str daemon,
                    const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *p = ll->msg.p, *end = p + ll->msg.len, *st = find(p, end, ", status="), *text, *tend;
    struct sdx_str status, dsn, relay;
    struct message *m;
    struct sdx_event e;
    char rhost[LOGS_FIELD], raddr[48];
    enum sdx_outcome out;
    const char *sp;

    if (st == NULL)
        return 0;
    /* the status right after ", status=" (most lines are "sent": no map work) */
    sp = st + 9;
    status.p = sp;
    while (sp < end && *sp != ' ')
        sp++;
    status.len = (size_t)(sp - status.p);
    if (starts(status, "bounced"))
        out = SDX_OUT_BOUNCED;
    else if (starts(status, "deferred"))
        out = SDX_OUT_DEFERRED;
    else if (starts(status, "undeliverable"))
        out = SDX_OUT_BOUNCED;
    else {
        if (starts(status, "sent")) {
            l->st.delivered++;
            if (l->on_delivery) {
                int64_t ms = seconds_ms(value(p, st, ", delay=", ','));

                if (ms >= 0)
                    l->on_delivery(l->on_delivery_arg, SDX_MTA_POSTFIX, ms);
            }
        }
        return 0;
    }
    text = memchr(st, '(', (size_t)(end - st));
    tend = end;
    if (text) {
        text++;
        if (tend > text && tend[-1] == ')')
            tend--;
    } else {
        text = tend = end;
    }
    if (sdx_reply_parse(&l->reply, text, (size_t)(tend - text)) != 0)
        return SDX_ENOMEM;
    m = sdx__map_get(l->messages, qid.p, qid.len);
    /* dsn= is what Postfix decided; the reply may have none of its own */
    dsn = value(p, st, "dsn=", ',');
    if (l->reply.status.klass == 0 && dsn.len && dsn.len < sizeof(l->reply.status_str) &&
        sdx_status_parse(dsn.p, dsn.len, &l->reply.status) == 0) {
        memcpy(l->reply.status_str, dsn.p, dsn.len);
        l->reply.status_str[dsn.len] = '\0';
        l->reply.flags &= ~(unsigned)SDX_REPLY_F_NO_CODE;
    }
    sdx_event_init(&e, &l->reply);
    e.outcome = out;
    e.dir = starts(daemon, "smtp") || starts(daemon, "lmtp") ? SDX_DIR_OUTBOUND : SDX_DIR_LOCAL;
    e.dsn = dsn;                        /* Postfix's verdict: a 554 greeting it deferred is 4.7.1 */
    e.delay_ms = seconds_ms(value(p, st, ", delay=", ','));
    e.delays = value(p, st, "delays=", ',');
    e.recipient = value(p, st, "to=<", '>');
    e.orig_recipient = value(p, st, "orig_to=<", '>');
    relay = value(p, st, "relay=", ',');
    e.relay = relay;
    rhost[0] = raddr[0] = '\0';
    if (relay.len)
        hostaddr(relay.p, relay.p + relay.len, rhost, sizeof(rhost), raddr, sizeof(raddr));
    if (l->reply.host[0] == '\0' && rhost[0]) {
        e.server.host = S(rhost);
        e.server.addr = S(raddr);
    }
    e.queue_id = qid;
    if (m) {
        e.sender = S(m->from);
        e.message_id = S(m->msgid);
        e.size = m->size;
        e.client.host = S(m->host), e.client.addr = S(m->addr);
        e.sasl_user = S(m->sasl);
        if (out == SDX_OUT_DEFERRED) {      /* remembered for a later expiry */
            copy_str(m->last_rcpt, sizeof(m->last_rcpt), e.recipient);
            copy(m->last_reply, sizeof(m->last_reply), text, tend);
        }
    }
    return emit_event(l, &e, ll, source, lineno, m ? &m->story : NULL, emit, arg);
}

/* expired - qmgr "QID: from=<s>, status=expired, returned to sender" */
static int expired(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str qid, struct message *m,
                   const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    struct sdx_event e;
    const char *last = m && m->last_reply[0] ? m->last_reply : "";

    if (sdx_reply_parse(&l->reply, last, strlen(last)) != 0)
        return SDX_ENOMEM;
    sdx_event_init(&e, &l->reply);
    e.outcome = SDX_OUT_EXPIRED;
    e.dir = SDX_DIR_OUTBOUND;
    e.sender = value(ll->msg.p, ll->msg.p + ll->msg.len, "from=<", '>');
    e.queue_id = qid;
    if (m) {
        e.recipient = S(m->last_rcpt);
        e.message_id = S(m->msgid);
        e.size = m->size;
        e.client.host = S(m->host), e.client.addr = S(m->addr);
    }
    return emit_event(l, &e, ll, source, lineno, m ? &m->story : NULL, emit, arg);
}

/* A refusal smtpd logs waits (sdx__wait_add) for its session's "disconnect
 * from" line, so that the story it carries runs from the connect to the
 * command counts (rcpt=0/3) after it. The key is the session's key and its
 * gen ("postfix/smtpd:123#7"): a pid is reused, and a line whose session was
 * evicted goes out without its story. */
static size_t wait_key(const char *key, size_t kl, unsigned gen, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%.*s#%u", (int)kl, key, gen);

    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

/* waited - the event of a refusal that waited, with what its session knows now */
static int waited(struct sdx_logs *l, const char *key, size_t kl, const struct sdx_logline *ll, const char *source,
                  unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *hash = key + kl, *d;
    struct sdx_str qid = queue_id(ll->msg);
    struct session *s;
    unsigned gen = 0;

    while (hash > key && hash[-1] != '#')
        hash--;
    for (d = hash; d < key + kl && *d >= '0' && *d <= '9'; d++)
        gen = gen * 10 + (unsigned)(*d - '0');
    s = hash > key ? sdx__map_get(l->sessions, key, (size_t)(hash - 1 - key)) : NULL;
    if (s && s->gen != gen)
        s = NULL;                       /* evicted, and the pid reused */
    if (is(qid, "NOQUEUE"))
        qid.len = 0;
    if (s && s->npend)
        s->npend--;
    return reject(l, ll, qid, s, source, lineno, emit, arg);
}

/* the disconnect counts of one session, by command name */
struct tally {
    struct { struct sdx_str name; unsigned long ok, total; } cmd[24];
    size_t n;
};

static unsigned long tally_ok(const struct tally *t, const char *name)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        if (sdx_str_eq(t->cmd[i].name, name))
            return t->cmd[i].ok;
    return 0;
}

static int tally_has(const struct tally *t, const char *name)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        if (sdx_str_eq(t->cmd[i].name, name))
            return 1;
    return 0;
}

/* tally_parse - "... ehlo=1 mail=1 rcpt=0/2 quit=1 commands=3/5" after
 * the client's "]"; words that are not NAME=N or NAME=N/M are skipped */
static void tally_parse(const char *p, const char *end, struct tally *t)
{
    t->n = 0;
    while (p < end && t->n < sizeof(t->cmd) / sizeof(t->cmd[0])) {
        const char *w = p, *eq;
        unsigned long ok = 0, total;
        int digits = 0;

        while (p < end && *p != ' ')
            p++;
        eq = memchr(w, '=', (size_t)(p - w));
        if (eq && eq > w) {
            const char *d = eq + 1;

            while (d < p && *d >= '0' && *d <= '9' && digits < 9)
                ok = ok * 10 + (unsigned long)(*d++ - '0'), digits++;
            total = ok;
            if (d < p && *d == '/') {
                total = 0, digits = 0, d++;
                while (d < p && *d >= '0' && *d <= '9' && digits < 9)
                    total = total * 10 + (unsigned long)(*d++ - '0'), digits++;
            }
            if (d == p && digits > 0 && total >= ok) {
                t->cmd[t->n].name.p = w, t->cmd[t->n].name.len = (size_t)(eq - w);
                t->cmd[t->n].ok = ok, t->cmd[t->n].total = total;
                t->n++;
            }
        }
        while (p < end && *p == ' ')
            p++;
    }
}

/* infer - the reply Postfix 3.x sends for a failed CMD that it did not log,
 * when the session's counts leave one likely answer (smtpd.c; each seen in
 * the transcript of the ../shared/mta-samples/postfix scenario named);
 * NULL when several fit: a syntax error, an unsupported parameter, a nested
 * command, a limit Postfix does not log. */
static const char *infer(struct sdx_str cmd, const struct tally *t, const struct session *s)
{
    unsigned long mail = tally_ok(t, "mail"), rcpt = tally_ok(t, "rcpt");

    if (sdx_str_eq(cmd, "unknown"))         /* pf-in-unknown-command, pf-in-vrfy-auth-etrn */
        return "500 5.5.2 Error: command not recognized";
    if (sdx_str_eq(cmd, "vrfy"))            /* disable_vrfy_command = yes: pf-in-vrfy-auth-etrn */
        return "502 5.5.1 VRFY command is disabled";
    /* Debian's and Postfix's master.cf run submission with
     * smtpd_tls_security_level=encrypt: pf-sub-no-starttls */
    if (s->submission && tally_ok(t, "starttls") == 0 &&
        (sdx_str_eq(cmd, "mail") || sdx_str_eq(cmd, "rcpt") || sdx_str_eq(cmd, "auth") ||
         sdx_str_eq(cmd, "data") || sdx_str_eq(cmd, "bdat")))
        return "530 5.7.0 Must issue a STARTTLS command first";
    if (sdx_str_eq(cmd, "mail")) {
        if (tally_ok(t, "ehlo") + tally_ok(t, "helo") == 0)
            return "503 5.5.1 Error: send HELO/EHLO first";     /* pf-in-mail-before-helo */
        if (s->too_long & (1u << PC_MAIL))
            return "501 5.1.7 Bad sender address syntax";       /* the command was cut */
        return NULL;
    }
    if (sdx_str_eq(cmd, "rcpt")) {
        if (mail == 0)                      /* pf-in-rcpt-before-mail, pf-in-too-many-errors */
            return "503 5.5.1 Error: need MAIL command";
        if (s->too_long & (1u << PC_RCPT))  /* pf-in-long-line */
            return "501 5.1.3 Bad recipient address syntax";
        return NULL;
    }
    if (sdx_str_eq(cmd, "data") || sdx_str_eq(cmd, "bdat")) {
        unsigned long done = tally_ok(t, "data") + (sdx_str_eq(cmd, "bdat") ? tally_ok(t, "bdat") : 0);

        if (mail == 0)                      /* outside a transaction: pf-in-bdat */
            return "503 5.5.1 Error: need RCPT command";
        if (rcpt == 0)                      /* pf-in-data-before-rcpt */
            return "554 5.5.1 Error: no valid recipients";
        if (!tally_has(t, "rset") && done >= mail)  /* every transaction had ended */
            return "503 5.5.1 Error: need RCPT command";
        return NULL;
    }
    return NULL;
}

/* disconnect - "disconnect from H[A] ehlo=1 mail=1 rcpt=0/2 quit=1 commands=3/5":
 * each failed command beyond the refusals logged for it in the session is a
 * refusal Postfix did not log (it logs no syntax, sequence or disabled-
 * command error): one event each, its reply inferred (infer()) or absent.
 * At most INFER_MAX per command, against a forged line. */
#define INFER_MAX 100
static int disconnect(struct sdx_logs *l, const struct sdx_logline *ll, struct session *s, const char *source,
                      unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *p = ll->msg.p, *end = p + ll->msg.len, *rb = memchr(p, ']', ll->msg.len);
    unsigned eom = s->refused[PC_EOM];
    struct tally t;
    size_t i;

    if (rb == NULL)
        return 0;
    tally_parse(rb + 1, end, &t);
    for (i = 0; i < t.n; i++) {
        struct sdx_str cmd = t.cmd[i].name;
        unsigned long fail = t.cmd[i].total - t.cmd[i].ok, logged = 0, k;
        const char *reply;
        char text[160];
        int pc = PC_NONE, n, rc;
        size_t j;

        if (fail == 0 || sdx_str_eq(cmd, "commands"))
            continue;
        for (j = 0; j < sizeof(pc_name) / sizeof(pc_name[0]); j++)
            if (sdx_str_eq(cmd, pc_name[j]))
                pc = (int)j;
        if (pc == PC_HELO)
            pc = PC_EHLO;                   /* a reject names HELO or EHLO alike */
        if (pc != PC_NONE) {
            logged = s->refused[pc] < fail ? s->refused[pc] : fail;
            s->refused[pc] = (unsigned short)(s->refused[pc] - logged);
        }
        if ((pc == PC_DATA || pc == PC_BDAT) && logged < fail && eom) {
            unsigned long take = eom < fail - logged ? eom : fail - logged;

            logged += take, eom -= (unsigned)take;
        }
        if (fail - logged == 0)
            continue;
        reply = infer(cmd, &t, s);
        if (reply)
            n = snprintf(text, sizeof(text), "%s", reply);
        else
            n = snprintf(text, sizeof(text), "%.*s command refused; Postfix logged no reply for it",
                         (int)(cmd.len > 16 ? 16 : cmd.len), cmd.p);
        for (k = 0; k < fail - logged && k < INFER_MAX; k++) {
            struct sdx_event e;

            if (sdx__refused_with(l, &e, text, n, sizeof(text),
                                  pc == PC_MAIL ? SDX_STAGE_MAIL : pc == PC_RCPT ? SDX_STAGE_RCPT :
                                  pc == PC_DATA ? SDX_STAGE_DATA : pc == PC_BDAT ? SDX_STAGE_BDAT :
                                  pc == PC_AUTH ? SDX_STAGE_AUTH : pc == PC_EHLO ? SDX_STAGE_HELO :
                                  pc == PC_STARTTLS ? SDX_STAGE_STARTTLS : SDX_STAGE_OTHER) != 0)
                return SDX_ENOMEM;
            e.reply_from = SDX_REPLY_INFERRED;
            e.client.host = S(s->host), e.client.addr = S(s->addr);
            e.sender = e.recipient = S("");
            e.tls = S(s->tls);
            e.helo = S(s->helo);
            e.sasl_user = S(s->sasl);
            if ((rc = emit_event(l, &e, ll, source, lineno, &s->story, emit, arg)) != 0)
                return rc;
        }
    }
    return 0;
}

static const char *const quiet[] = { "pickup", "master", "anvil", "scache", "tlsmgr", "postlogd",
    "dnsblog", "verify", "trivial-rewrite", "postfix-script", "tlsproxy", "flush", "showq", "postsuper",
    "postqueue", "postdrop", "sendmail", "spawn", "proxymap", "oqmgr", "postmap", "postalias", NULL };

int sdx__postfix_line(struct sdx_logs *l, const struct sdx_logline *ll, const char *source, unsigned long lineno,
                      sdx_logs_emit_fn emit, void *arg, int *rc)
{
    struct sdx_str prog = ll->program, daemon, m = ll->msg, qid, after = { NULL, 0 };
    const char *slash;
    char key[40];
    size_t kl, i;
    int ev = 0;

    *rc = 0;
    if (!starts(prog, "postfix") && l->force != SDX_MTA_POSTFIX)
        return 0;
    /* "postfix/smtpd", "postfix-out/smtp", "postfix/submission/smtpd": the
     * daemon is the last component */
    for (slash = NULL, i = prog.len; i > 0 && slash == NULL; i--)
        if (prog.p[i - 1] == '/')
            slash = prog.p + i - 1;
    if (slash == NULL) {
        sdx__logs_unparsed(l, ll);
        return 1;
    }
    daemon.p = slash + 1, daemon.len = (size_t)(prog.p + prog.len - slash - 1);
    qid = queue_id(m);
    if (is(qid, "NOQUEUE"))
        qid.len = 0;                /* a reject before any queue file */
    if (qid.len)
        after.p = m.p + qid.len + 2, after.len = m.len - qid.len - 2;
    /* the session key: the process (instance and pid), built by hand:
     * this runs for every line */
    kl = 0;
    if (is(daemon, "smtpd") || is(daemon, "postscreen")) {
        kl = prog.len < 24 ? prog.len : 24;
        memcpy(key, prog.p, kl);
        key[kl++] = ':';
    }
    if (kl) {
        char d[24];
        int nd = 0;
        unsigned long pid = ll->pid;

        do
            d[nd++] = (char)('0' + pid % 10);
        while ((pid /= 10) != 0 && nd < 20);
        while (nd)
            key[kl++] = d[--nd];
    }

    if (is(daemon, "smtpd") || is(daemon, "postscreen")) {
        struct session *s;
        int evicted;

        if (starts(m, "connect from ") || starts(m, "CONNECT from ")) {
            if ((s = sdx__map_put(l->sessions, key, kl, &evicted)) == NULL)
                return *rc = SDX_ENOMEM, 1;
            l->st.sessions_dropped += (unsigned long)evicted;
            /* all but the story's lines, which story.n == 0 makes unused
             * (2 KB this line need not clear) */
            memset(s, 0, offsetof(struct session, story.line));
            s->gen = ++l->pf_gen ? l->pf_gen : ++l->pf_gen;     /* never 0 */
            hostaddr(m.p + 13, m.p + m.len, s->host, sizeof(s->host), s->addr, sizeof(s->addr));
            s->submission = find(prog.p, prog.p + prog.len, "submission") != NULL;
            sdx__story_add(&s->story, m.p, m.len);
            return 1;
        }
        s = sdx__map_get(l->sessions, key, kl);
        if (starts(m, "disconnect from ") || starts(m, "DISCONNECT ")) {
            if (s && m.p[0] == 'd') {
                /* the refusals of the session, then the failures it did
                 * not log, each with the story up to this line */
                sdx__story_add(&s->story, m.p, m.len);
                if (s->npend) {
                    char wk[80];

                    *rc = sdx__wait_flush(l, wk, wait_key(key, kl, s->gen, wk, sizeof(wk)), emit, arg);
                }
                if (*rc == 0)
                    *rc = disconnect(l, ll, s, source, lineno, emit, arg);
            }
            sdx__map_del(l->sessions, key, kl);
            return 1;
        }
        if (starts(m, "NOQUEUE: reject: ") || starts(m, "NOQUEUE: milter-reject: ") ||
            (qid.len && (starts(after, "reject: ") || starts(after, "milter-reject: ")))) {
            /* postscreen has one process for all its clients: no session
             * of one client to wait for */
            if (s == NULL || !is(daemon, "smtpd")) {
                *rc = reject(l, ll, qid, s, source, lineno, emit, arg);
                if (s)
                    sdx__story_add(&s->story, m.p, m.len);
                return 1;
            }
            sdx__story_add(&s->story, m.p, m.len);
            {
                char wk[80];

                s->npend++;
                *rc = sdx__wait_add(l, wk, wait_key(key, kl, s->gen, wk, sizeof(wk)), ll, source, lineno, waited,
                                    emit, arg);
            }
            return 1;
        }
        if (s && (starts(m, "Anonymous TLS connection") || starts(m, "Trusted TLS connection") ||
                  starts(m, "Untrusted TLS connection") || starts(m, "Verified TLS connection"))) {
            const char *c = find(m.p, m.p + m.len, "]: ");

            if (c)
                copy(s->tls, sizeof(s->tls), c + 3, m.p + m.len);
            sdx__story_add(&s->story, m.p, m.len);
            return 1;
        }
        /* "lost connection after DATA (32 bytes) from H[A]": the content
         * never ended, DATA counts as failed, but nobody refused it (after
         * any other command, that command had its reply) */
        if (s && starts(m, "lost connection after ")) {
            int pc = pc_of_word(m.p + 22, m.p + m.len);

            if (pc == PC_DATA || pc == PC_BDAT)
                count_refused(s, pc);
        }
        if (s && starts(m, "warning: ")) {
            /* "warning: H[A]: request longer than 2048: RCPT TO:<...": Postfix
             * cut the command, and the rest fails its syntax check */
            const char *r = find(m.p, m.p + m.len, ": request longer than ");

            if (r && (r = memchr(r + 22, ':', (size_t)(m.p + m.len - r - 22))) != NULL && r + 2 < m.p + m.len)
                s->too_long |= (unsigned short)(1u << (pc_of_word(r + 2, m.p + m.len) == PC_MAIL ? PC_MAIL :
                                                       pc_of_word(r + 2, m.p + m.len) == PC_RCPT ? PC_RCPT :
                                                       PC_UNKNOWN));
        }
        if (qid.len && starts(after, "client=")) {
            struct message *msg;
            struct sdx_str sasl = value(m.p, m.p + m.len, "sasl_username=", ',');
            int dropped;

            if ((msg = sdx__map_put(l->messages, qid.p, qid.len, &dropped)) == NULL)
                return *rc = SDX_ENOMEM, 1;
            l->st.messages_dropped += (unsigned long)dropped;
            hostaddr(m.p + qid.len + 9, m.p + m.len, msg->host, sizeof(msg->host), msg->addr, sizeof(msg->addr));
            copy_str(msg->sasl, sizeof(msg->sasl), sasl);
            if (s) {
                copy_str(s->sasl, sizeof(s->sasl), sasl);
                msg->story.n = s->story.n;      /* the lines in use only */
                memcpy(msg->story.line, s->story.line, s->story.n * sizeof(s->story.line[0]));
            }
            msg->skl = (unsigned char)(kl < sizeof(msg->skey) ? kl : 0);
            memcpy(msg->skey, key, msg->skl);
            sdx__story_add(&msg->story, m.p, m.len);
            return 1;
        }
        /* refusals Postfix logs without their reply */
        if (is(daemon, "smtpd") && notice(l, ll, m, s, source, lineno, emit, arg, rc)) {
            if (s)
                sdx__story_add(&s->story, m.p, m.len);
            return 1;
        }
        /* everything else of a session (warnings, lost connection, postscreen
         * verdicts) is context: kept in its story */
        if (s) {
            sdx__story_add(&s->story, m.p, m.len);
            return 1;
        }
        if (starts(m, "warning: ") || starts(m, "lost connection") || starts(m, "timeout after") ||
            starts(m, "PASS ") || starts(m, "DNSBL ") || starts(m, "PREGREET ") || starts(m, "HANGUP ") ||
            starts(m, "statistics:") || starts(m, "too many errors") || starts(m, "improper command") ||
            starts(m, "cache ") || starts(m, "COMMAND ") || starts(m, "BARE NEWLINE") ||
            starts(m, "NON-SMTP COMMAND") || starts(m, "WHITELISTED") || starts(m, "ALLOWLISTED") ||
            starts(m, "BLACKLISTED") || starts(m, "DENYLISTED"))
            return 1;
        sdx__logs_unparsed(l, ll);
        return 1;
    }

    if (qid.len) {
        struct sdx_str rest = { m.p + qid.len + 2, m.len - qid.len - 2 };
        struct message *msg = sdx__map_get(l->messages, qid.p, qid.len);
        int evicted;

        if (is(daemon, "cleanup")) {
            if (starts(rest, "reject: ") || starts(rest, "milter-reject: ")) {
                /* the smtpd session whose DATA or BDAT this fails */
                struct session *ss = msg && msg->skl ? sdx__map_get(l->sessions, msg->skey, msg->skl) : NULL;

                count_refused(ss, PC_EOM);
                *rc = rest.p[0] == 'r' ? cleanup_reject(l, ll, qid, msg, source, lineno, emit, arg) :
                      reject(l, ll, qid, NULL, source, lineno, emit, arg);
                return 1;
            }
            if (starts(rest, "message-id=")) {
                if (msg == NULL && (msg = sdx__map_put(l->messages, qid.p, qid.len, &evicted)) == NULL)
                    return *rc = SDX_ENOMEM, 1;
                {
                    struct sdx_str id = value(rest.p, rest.p + rest.len, "message-id=", ' ');

                    if (id.len >= 2 && id.p[0] == '<') {
                        id.p++, id.len -= 2;
                    }
                    copy_str(msg->msgid, sizeof(msg->msgid), id);
                }
                return 1;
            }
            if (msg)
                sdx__story_add(&msg->story, m.p, m.len);
            return 1;
        }
        if (is(daemon, "qmgr") || is(daemon, "oqmgr")) {
            if (starts(rest, "removed")) {
                sdx__map_del(l->messages, qid.p, qid.len);
                return 1;
            }
            if (starts(rest, "from=<")) {
                struct sdx_str from = value(rest.p, rest.p + rest.len, "from=<", '>');
                const char *tail = from.p ? from.p + from.len : rest.p + rest.len;

                if (tail < rest.p + rest.len &&
                    starts(((struct sdx_str){ tail, (size_t)(rest.p + rest.len - tail) }), ">, status=expired")) {
                    *rc = expired(l, ll, qid, msg, source, lineno, emit, arg);
                    return 1;
                }
                struct sdx_str size = value(rest.p, rest.p + rest.len, "size=", ',');
                unsigned long sz = 0;

                if (msg == NULL) {
                    if ((msg = sdx__map_put(l->messages, qid.p, qid.len, &evicted)) == NULL)
                        return *rc = SDX_ENOMEM, 1;
                    l->st.messages_dropped += (unsigned long)evicted;
                }
                copy_str(msg->from, sizeof(msg->from), from);
                for (i = 0; i < size.len && i < 15 && size.p[i] >= '0' && size.p[i] <= '9'; i++)
                    sz = sz * 10 + (unsigned long)(size.p[i] - '0');
                msg->size = sz;
                return 1;
            }
            return 1;       /* skipped, warnings: context only */
        }
        if (starts(rest, "to=<")) {
            *rc = delivery(l, ll, qid, daemon, source, lineno, emit, arg);
            if (msg)
                sdx__story_add(&msg->story, m.p, m.len);
            (void)ev;
            return 1;
        }
        if (msg) {
            sdx__story_add(&msg->story, m.p, m.len);
            return 1;
        }
        /* bounce notifications, warnings about a queue file: known, no event */
        if (is(daemon, "bounce") || starts(rest, "warning: ") || is(daemon, "pickup"))
            return 1;
    }
    for (i = 0; quiet[i]; i++)
        if (sdx_str_eq(daemon, quiet[i]))
            return 1;
    /* the delivery agents' own notes before a status line (the status line
     * that follows carries the verdict) */
    if ((is(daemon, "smtp") || is(daemon, "lmtp")) &&
        (starts(m, "connect to ") || starts(m, "SSL_connect") || find(m.p, m.p + m.len, " TLS connection") ||
         starts(m, "lost connection with ") || starts(m, "conversation with ") || starts(m, "host ") ||
         starts(m, "certificate verification")))
        return 1;

    if (starts(m, "warning: ") || starts(m, "fatal: ") || starts(m, "panic: ") || starts(m, "error: "))
        return 1;
    if (is(daemon, "bounce") || is(daemon, "cleanup") || is(daemon, "qmgr"))
        return 1;   /* configuration notes these daemons print at start */
    sdx__logs_unparsed(l, ll);
    return 1;
}
