/* exim.c - Exim main log lines to events, with connection and message context
 * In:  lines whose program is "exim" (Exim's own mainlog, framed by
 *      syslog.c) or "exim"/"exim4" (Exim logging to syslog): the msg after
 *      "[pid] ", optionally starting with a message id (16 characters,
 *      "1xX15A-0001mm-2g", or the 23 of Exim 4.97+, "1rZ3Wd-00000000Ghs-0Aua").
 * Out: events for the ACL and protocol refusals of our server (inbound:
 *      "H=... [temporarily ]rejected RCPT|MAIL|EHLO or HELO|connection|
 *      after DATA ...", "rejected MAIL FROM:<s> H=...: message too big",
 *      "rejected EHLO from H: syntactically invalid", "<id> rejected from
 *      <s> H=...: message too big"), failed deliveries ("** rcpt ...":
 *      bounced, or expired for "retry timeout exceeded") and deferrals
 *      ("== rcpt ..."; outbound with H= or an smtp transport, else local).
 * Reply codes: Exim logs no code for its own ACL refusals; the code is
 *      Exim's default (acl.c acl_wherecodes[], smtp_in.c): deny 550 (AUTH 503,
 *      ETRN 458), defer ("temporarily rejected") 451, message too
 *      big 552, invalid HELO argument 501, MAIL before HELO 503; unless the
 *      ACL message itself starts with a code, which Exim then sends.
 * Context: connections by Exim process id (by client address when the log
 *      has no pids): the lines before a refusal ("no host name found ...");
 *      messages by message id ("<=" to "Completed": sender, size,
 *      message-id, client, the last deferral for a later expiry, the lines).
 *      Refusals Exim logs in words of its own (protocol and syntax errors,
 *      synchronization errors, too many recipients, the per-IP connection
 *      limit, authenticator failures, command timeouts): see notice().
 * Not here: "SMTP call ... dropped", refused VRFY (answered 252), deferrals with
 *      "retry time not reached" (no attempt made): context, no event.
 *      "rejected after DATA" names no recipient in the mainlog (only the
 *      rejectlog has Envelope-to:, and those header lines are not framed).
 * Formats: Exim 4.96 spec ch. 52 "Log files", as written in
 *      ../shared/mta-samples/exim/logs/mainlog and examples/logs/exim-mainlog. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "logs_int.h"
#include "scan.h"

static int b62(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* msg_id - the message id at the start of m ("1xX15A-0001mm-2g " or the
 * 6-11-4 form of Exim 4.97), followed by a space; an empty str otherwise */
static struct sdx_str msg_id(struct sdx_str m)
{
    static const unsigned char forms[2][3] = { { 6, 6, 2 }, { 6, 11, 4 } };
    struct sdx_str id = { m.p, 0 };
    size_t f, part, i, at;

    for (f = 0; f < 2; f++) {
        at = 0;
        for (part = 0; part < 3; part++) {
            for (i = 0; i < forms[f][part]; i++, at++)
                if (at >= m.len || !b62(m.p[at]))
                    break;
            if (i < forms[f][part])
                break;
            if (part < 2) {
                if (at >= m.len || m.p[at] != '-')
                    break;
                at++;
            }
        }
        if (part == 3 && at < m.len && m.p[at] == ' ') {
            id.len = at;
            return id;
        }
    }
    return id;
}

/* hfield - "name (helo) [addr]:port", each part optional, at [p, end) */
static void hfield(const char *p, const char *end, char *host, size_t hcap, char *helo, size_t ecap,
                   char *addr, size_t acap)
{
    const char *q;

    host[0] = helo[0] = addr[0] = '\0';
    if (p < end && *p != '(' && *p != '[') {
        for (q = p; q < end && *q != ' ' && *q != ':'; q++)
            ;
        copy(host, hcap, p, q);
        p = q;
        while (p < end && *p == ' ')
            p++;
    }
    if (p < end && *p == '(') {
        if ((q = memchr(p, ')', (size_t)(end - p))) == NULL)
            return;
        copy(helo, ecap, p + 1, q);
        p = q + 1;
        while (p < end && *p == ' ')
            p++;
    }
    if (p < end && *p == '[' && (q = memchr(p, ']', (size_t)(end - p))) != NULL)
        copy(addr, acap, p + 1, q);
}

/* hpos - where the value of the first "H=" field of [p, end) starts, or NULL */
static const char *hpos(const char *p, const char *end)
{
    const char *h;

    if (end - p >= 2 && p[0] == 'H' && p[1] == '=')
        return p + 2;
    h = find(p, end, " H=");
    return h ? h + 3 : NULL;
}

/* session_key - the Exim process handling the connection, or, in a log
 * without pids, the client address; 0 when there is neither */
static size_t session_key(const struct sdx_logline *ll, const char *addr, char *key, size_t cap)
{
    size_t n = 0;

    if (ll->pid) {
        char d[24];
        int nd = 0;
        unsigned long pid = ll->pid;

        do
            d[nd++] = (char)('0' + pid % 10);
        while ((pid /= 10) != 0 && nd < 20);
        key[n++] = 'p';
        while (nd)
            key[n++] = d[--nd];
        return n;
    }
    if (addr == NULL || addr[0] == '\0')
        return 0;
    key[n++] = 'a';
    while (*addr && n < cap - 1)
        key[n++] = *addr++;
    return n;
}

/* Exim writes each refusal to the mainlog and again, with the message's
 * envelope and headers, to the rejectlog. Read together, in either order,
 * the second copy is the same event: line_hash names a line by time, pid
 * and text and by the kind of log it came from (bit 1); every refusal is
 * remembered (emit_event), and a line whose twin came from the other kind
 * of log is counted as a duplicate and skipped. A log read alone gives all
 * its events. A source is a rejectlog when its file name says so. */
static uint64_t line_hash(const struct sdx_logline *ll, int from_rejectlog)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)ll->when_us ^ ((uint64_t)ll->pid << 40);
    size_t i;

    for (i = 0; i < ll->msg.len; i++)
        h = (h ^ (unsigned char)ll->msg.p[i]) * 1099511628211ull;
    return (h & ~(uint64_t)3) | (from_rejectlog ? 2u : 0u) | 1u;    /* 0 marks an empty slot */
}

static int rejectlog(struct sdx_logs *l, const char *source)
{
    if (source != l->last_source) {
        const char *base = source ? strrchr(source, '/') : NULL;

        base = base ? base + 1 : source;
        l->last_source = source;
        l->in_rejectlog = base && strstr(base, "reject") != NULL;
    }
    return l->in_rejectlog;
}

/* emit_event - the shared parts (logs.c), with this reader's MTA */
static int emit_event(struct sdx_logs *l, struct sdx_event *e, const struct sdx_logline *ll, const char *source,
                      unsigned long lineno, const struct story *story, sdx_logs_emit_fn emit, void *arg)
{
    e->mta = SDX_MTA_EXIM;
    if (e->outcome == SDX_OUT_REJECTED) {
        int rl = rejectlog(l, source);
        uint64_t h = line_hash(ll, rl);

        if (l->seen == NULL)
            l->seen = calloc(LOGS_SEEN, sizeof(*l->seen));
        if (l->seen) {                  /* without it, a log and its twin count twice */
            l->seen[(h >> 2) & (LOGS_SEEN - 1)] = h;
            l->seen_rejectlog |= rl;
        }
    }
    return sdx__emit(l, e, ll, source, lineno, story, emit, arg);
}

/* reject - an inbound refusal: kw points at "rejected " in rest (after the
 * message id, if any); defer: "temporarily rejected" */
static int reject(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str qid, struct sdx_str rest,
                  const char *kw, int defer, const char *source, unsigned long lineno, sdx_logs_emit_fn emit,
                  void *arg)
{
    const char *end = rest.p + rest.len, *a = kw + 9, *text = NULL, *h, *c;
    struct sdx_str cmd = { a, (size_t)(end - a) }, sender, rcpt = { NULL, 0 }, helo_arg = { NULL, 0 };
    char host[LOGS_FIELD], helo[LOGS_FIELD], addr[48], key[64];
    enum sdx_stage stage = SDX_STAGE_OTHER;
    int code = 550;
    size_t kl;
    struct session *s;
    struct sdx_event e;

    sender = value(rest.p, kw, "F=<", '>');
    /* the command and its argument; the text follows the next ": " */
    if (starts(cmd, "RCPT <")) {
        stage = SDX_STAGE_RCPT;
        rcpt = value(a, end, "<", '>');
        text = rcpt.p + rcpt.len;
    } else if (starts(cmd, "MAIL FROM:<")) {       /* smtp_in.c: declared SIZE too big */
        stage = SDX_STAGE_MAIL;
        sender = value(a, end, "<", '>');
        text = sender.p + sender.len;
        code = 552;
    } else if (starts(cmd, "MAIL from ")) {        /* smtp_in.c: MAIL before HELO */
        stage = SDX_STAGE_MAIL;
        code = 503;
    } else if (starts(cmd, "MAIL <")) {
        stage = SDX_STAGE_MAIL;
        sender = value(a, end, "<", '>');
        text = sender.p + sender.len;
    } else if (starts(cmd, "EHLO or HELO ")) {
        stage = SDX_STAGE_HELO;
        helo_arg.p = a + 13;
        for (c = helo_arg.p; c < end && *c != ':' && *c != ' '; c++)
            ;
        helo_arg.len = (size_t)(c - helo_arg.p);
        text = c;
    } else if (starts(cmd, "EHLO from ") || starts(cmd, "HELO from ")) {   /* bad argument */
        stage = SDX_STAGE_HELO;
        code = 501;
    } else if (starts(cmd, "connection")) {
        stage = SDX_STAGE_CONNECT;
    } else if (starts(cmd, "after DATA")) {        /* acl_smtp_data, MIME, DKIM: after the content */
        stage = SDX_STAGE_EOD;
    } else if (starts(cmd, "DATA")) {              /* acl_smtp_predata */
        stage = SDX_STAGE_DATA;
    } else if (starts(cmd, "from <")) {            /* receive.c: message too big while reading */
        stage = SDX_STAGE_EOD;
        sender = value(a, end, "<", '>');
        text = sender.p + sender.len;
        if (find(a, end, ": message too big"))
            code = 552;
    } else if (starts(cmd, "AUTH")) {
        stage = SDX_STAGE_AUTH, code = 503;
    } else if (starts(cmd, "STARTTLS")) {
        stage = SDX_STAGE_STARTTLS;
    } else if (starts(cmd, "VRFY")) {
        /* Exim answers a refused VRFY with 252 ("cannot VRFY user, but will
         * accept"): no refusal of mail, so context, not an event */
        kl = session_key(ll, NULL, key, sizeof(key));
        if (kl && (s = sdx__map_get(l->sessions, key, kl)) != NULL)
            sdx__story_add(&s->story, ll->msg.p, ll->msg.len);
        return 0;
    } else if (starts(cmd, "ETRN")) {
        code = 458;
    }
    if (defer)
        code = 451;
    if (text == NULL)
        text = a;
    c = find(text, end, ": ");
    text = c ? c + 2 : end;
    /* the client: "H=name (helo) [addr]" before the text, or "from name [addr]" */
    host[0] = helo[0] = addr[0] = '\0';
    if ((h = hpos(rest.p, c ? c : end)) != NULL)
        hfield(h, end, host, sizeof(host), helo, sizeof(helo), addr, sizeof(addr));
    else if ((h = find(a, c ? c : end, "from ")) != NULL && h[5] != '<')
        hfield(h + 5, c ? c : end, host, sizeof(host), helo, sizeof(helo), addr, sizeof(addr));

    if (sdx_reply_parse(&l->reply, text, (size_t)(end - text)) != 0)
        return SDX_ENOMEM;
    /* an ACL message that starts with a code is sent as it is; else Exim's default */
    if (!(end - text >= 3 && text[0] >= '2' && text[0] <= '5' && text[1] >= '0' && text[1] <= '9' &&
          text[2] >= '0' && text[2] <= '9' && (end - text == 3 || text[3] == ' ' || text[3] == '-')) ||
        l->reply.code == 0) {
        l->reply.code = code;
        l->reply.flags &= ~(unsigned)SDX_REPLY_F_NO_CODE;
    }
    sdx__refused(l, &e, stage);
    e.client.host = S(host), e.client.addr = S(addr);
    e.helo = helo_arg.len ? helo_arg : S(helo);
    e.sender = sender.p ? sender : S("");
    e.recipient = rcpt.p ? rcpt : S("");
    e.queue_id = qid;
    kl = session_key(ll, addr, key, sizeof(key));
    s = kl ? sdx__map_get(l->sessions, key, kl) : NULL;
    {
        int rc = emit_event(l, &e, ll, source, lineno, s ? &s->story : NULL, emit, arg);

        if (s)
            sdx__story_add(&s->story, ll->msg.p, ll->msg.len);
        return rc;
    }
}

/* delivery_reply - parse the reply of a "**" or "==" line from its fields
 * (after the recipient): Exim's "SMTP error from remote mail server after
 * X: ..." rendering as a whole (reply.c finds H= and the stage), otherwise
 * the text after the fields' ": ", without Exim's " DT=..." */
static int delivery_reply(struct sdx_reply *r, const char *f, const char *end)
{
    const char *c, *dt;

    if (find(f, end, "SMTP error from remote mail server"))
        return sdx_reply_parse(r, f, (size_t)(end - f));
    c = find(f, end, ": ");
    c = c ? c + 2 : end;
    if ((dt = find(c, end, " DT=")) != NULL && end - dt < 24)
        end = dt;
    return sdx_reply_parse(r, c, (size_t)(end - c));
}

/* delivery_dir - outbound when the fields name a remote host (H=) or an smtp
 * transport; local for the other transports and for routing failures */
static enum sdx_direction delivery_dir(const char *f, const char *end)
{
    const char *c = find(f, end, ": ");
    struct sdx_str t;

    if (c == NULL)
        c = end;
    if (hpos(f, c))
        return SDX_DIR_OUTBOUND;
    t = value(f, c, " T=", ' ');
    if (t.p && find(t.p, t.p + t.len, "smtp"))
        return SDX_DIR_OUTBOUND;
    return SDX_DIR_LOCAL;
}

/* delivery - "** rcpt [<orig>] [F=<s>] R=.. T=.. H=.. [addr]: ..." (bounced),
 * "** rcpt: retry timeout exceeded" (expired), "== rcpt ... defer (n) ...: ..." */
static int delivery(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str qid, struct sdx_str rest,
                    struct message *m, const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *end = rest.p + rest.len, *p = rest.p + 3, *f, *c, *h, *hend;
    struct sdx_str rcpt, orig = { NULL, 0 }, from;
    char host[LOGS_FIELD], helo[LOGS_FIELD], addr[48];
    enum sdx_outcome out = rest.p[0] == '*' ? SDX_OUT_BOUNCED : SDX_OUT_DEFERRED;
    struct sdx_event e;

    /* the recipient ends at a space, or at the ':' of "rcpt: text" */
    for (f = p; f < end && *f != ' ' && !(*f == ':' && (f + 1 == end || f[1] == ' ')); f++)
        ;
    rcpt.p = p, rcpt.len = (size_t)(f - p);
    if (end - f > 2 && f[0] == ' ' && f[1] == '<' && (c = memchr(f, '>', (size_t)(end - f))) != NULL) {
        orig.p = f + 2, orig.len = (size_t)(c - f - 2);
        f = c + 1;
    }
    if (memchr(rcpt.p, '@', rcpt.len) == NULL && orig.p)
        rcpt = orig;                    /* "=> alice <alice@exim.test>": the local part alone */
    if (out == SDX_OUT_DEFERRED && find(f, end, "retry time not reached")) {
        if (m)                          /* no attempt was made: nothing new to report */
            sdx__story_add(&m->story, ll->msg.p, ll->msg.len);
        return 0;
    }
    if (out == SDX_OUT_BOUNCED && (c = find(f, end, "retry timeout exceeded")) != NULL && c - f < 4) {
        /* the reply is the last deferral's, remembered below */
        const char *last = m && m->last_reply[0] ? m->last_reply : "";

        out = SDX_OUT_EXPIRED;
        if (delivery_reply(&l->reply, last, last + strlen(last)) != 0)
            return SDX_ENOMEM;
        sdx_event_init(&e, &l->reply);
        e.dir = last[0] ? delivery_dir(last, last + strlen(last)) : SDX_DIR_OUTBOUND;
        hend = last + strlen(last);
        c = find(last, hend, ": ");
        h = last[0] ? hpos(last, c ? c : hend) : NULL;
    } else {
        if (delivery_reply(&l->reply, f, end) != 0)
            return SDX_ENOMEM;
        sdx_event_init(&e, &l->reply);
        e.dir = delivery_dir(f, end);
        c = find(f, end, ": ");
        h = hpos(f, c ? c : end);
        hend = end;
        if (out == SDX_OUT_DEFERRED && m) {     /* remembered for a later expiry */
            copy(m->last_rcpt, sizeof(m->last_rcpt), rcpt.p, rcpt.p + rcpt.len);
            copy(m->last_reply, sizeof(m->last_reply), f, end);
        }
    }
    host[0] = helo[0] = addr[0] = '\0';
    if (h)
        hfield(h, hend, host, sizeof(host), helo, sizeof(helo), addr, sizeof(addr));
    e.outcome = out;
    e.recipient = rcpt;
    e.orig_recipient = orig;
    e.server.host = S(host), e.server.addr = S(addr);
    e.queue_id = qid;
    from = value(f, end, " F=<", '>');
    e.sender = from.p ? from : S(m ? m->from : "");
    e.relay = value(f, end, " T=", ' ');
    if (m) {
        e.message_id = S(m->msgid);
        e.size = m->size;
        e.helo = S(m->helo);
        e.client.host = S(m->host), e.client.addr = S(m->addr);
    }
    {
        int rc = emit_event(l, &e, ll, source, lineno, m ? &m->story : NULL, emit, arg);

        if (m)
            sdx__story_add(&m->story, ll->msg.p, ll->msg.len);
        return rc;
    }
}

/* arrival - "<= sender H=name (helo) [addr] P=esmtp S=522 id=msgid ..." */
static int arrival(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str qid, struct sdx_str rest)
{
    const char *end = rest.p + rest.len, *p = rest.p + 3, *q, *h;
    struct message *m;
    struct session *s;
    struct sdx_str size, id;
    char key[64];
    size_t kl, i;
    int evicted;

    if ((m = sdx__map_put(l->messages, qid.p, qid.len, &evicted)) == NULL)
        return SDX_ENOMEM;
    l->st.messages_dropped += (unsigned long)evicted;
    memset(m, 0, sizeof(*m));
    for (q = p; q < end && *q != ' '; q++)
        ;
    if (!(q - p == 2 && p[0] == '<' && p[1] == '>'))    /* "<>": the null sender */
        copy(m->from, sizeof(m->from), p, q);
    if ((h = hpos(q, end)) != NULL)
        hfield(h, end, m->host, sizeof(m->host), m->helo, sizeof(m->helo), m->addr, sizeof(m->addr));
    size = value(q, end, " S=", ' ');
    for (i = 0; size.p && i < size.len && i < 15 && size.p[i] >= '0' && size.p[i] <= '9'; i++)
        m->size = m->size * 10 + (unsigned long)(size.p[i] - '0');
    id = value(q, end, " id=", ' ');
    if (id.p)
        copy(m->msgid, sizeof(m->msgid), id.p, id.p + id.len);
    /* what the connection told before: its story */
    kl = session_key(ll, m->addr, key, sizeof(key));
    if (kl && (s = sdx__map_get(l->sessions, key, kl)) != NULL) {
        m->story = s->story;
        sdx__story_add(&s->story, ll->msg.p, ll->msg.len);
    }
    sdx__story_add(&m->story, ll->msg.p, ll->msg.len);
    return 0;
}

/* session_note - a line about a connection: kept in its story (created by
 * "no host name found"); ended by the lines Exim writes when it closes */
static int session_note(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str m)
{
    const char *end = m.p + m.len, *lb, *rb;
    char addr[48], key[64];
    size_t kl;
    struct session *s;
    int evicted;

    addr[0] = '\0';
    if (starts(m, "no host name found for IP address ")) {
        copy(addr, sizeof(addr), m.p + 34, end);
    } else if ((lb = memchr(m.p, '[', m.len)) != NULL && (rb = memchr(lb, ']', (size_t)(end - lb))) != NULL) {
        copy(addr, sizeof(addr), lb + 1, rb);
    }
    if ((kl = session_key(ll, addr, key, sizeof(key))) == 0)
        return 0;
    if (find(m.p, end, " closed by QUIT") || starts(m, "no MAIL in SMTP connection") ||
        (starts(m, "SMTP connection from ") && find(m.p, end, " lost"))) {
        sdx__map_del(l->sessions, key, kl);
        return 0;
    }
    if (starts(m, "SMTP connection from ") && find(m.p, end, "connection count"))
        return 0;                       /* the daemon's line, not the connection's process */
    if ((s = sdx__map_get(l->sessions, key, kl)) == NULL) {
        if ((s = sdx__map_put(l->sessions, key, kl, &evicted)) == NULL)
            return SDX_ENOMEM;
        l->st.sessions_dropped += (unsigned long)evicted;
        memset(s, 0, sizeof(*s));
        copy(s->addr, sizeof(s->addr), addr, addr + strlen(addr));
    }
    sdx__story_add(&s->story, m.p, m.len);
    return 0;
}

/* notice - refusals Exim logs in words of its own, without the reply (or
 * with it, for an authenticator). The reply is the one Exim 4.96 sends
 * (smtp_in.c; seen in ../shared/mta-samples/exim/transcripts: ex-in-bad-sequence,
 * ex-in-unknown-commands, ex-in-syntax-errors, ex-in-pipelining-sync,
 * ex-in-too-many-rcpts, ex-in-conn-limit, ex-in-auth-fail, ex-in-idle-timeout);
 * the logged line itself is the event's last story line.
 *   SMTP protocol error in "CMD" H=... WHY           -> 503 WHY
 *   SMTP syntax error in "CMD" H=... WHY             -> 500 (unrecognized command) or 501 WHY
 *   SMTP protocol synchronization error (...): rejected "CMD" H=...
 *                                                    -> 554 SMTP synchronization error
 *   too many recipients: message rejected: sender=<s> H=...  -> 552 too many recipients
 *   Connection from [A]:P I=...: refused: too many connections from that IP address
 *       -> 421 Too many concurrent SMTP connections from this IP address; please try again later.
 *   NAME authenticator failed for H [A]:P I=...: 535 TEXT (set_id=U) -> the logged reply
 *   SMTP command timeout on connection from H [A]:P  -> 421 SMTP command timeout - closing connection
 *   unqualified verify rejected: <X> H=...           -> 501 X: recipient address must contain a domain
 *       (ex-in-vrfy); the same reply for "unqualified recipient rejected" at
 *       RCPT, and "X: sender address must contain a domain" for "unqualified
 *       sender rejected" at MAIL (smtp_in.c)
 * Returns 0 when m is none of these, else 1 with *rc set. */
static int notice(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str m, const char *source,
                  unsigned long lineno, sdx_logs_emit_fn emit, void *arg, int *rc)
{
    const char *p = m.p, *end = p + m.len, *h = NULL, *q, *why = NULL;
    char text[400], host[LOGS_FIELD], helo[LOGS_FIELD], addr[48], key[64];
    enum sdx_stage stage = SDX_STAGE_CONNECT;
    struct sdx_str sender = { "", 0 }, rcpt = { "", 0 }, sasl = { NULL, 0 };
    struct session *s;
    struct sdx_event e;
    size_t kl;
    int n;

    if (starts(m, "SMTP protocol error in \"") || starts(m, "SMTP syntax error in \"")) {
        const char *cmd = p + (p[5] == 'p' ? 24 : 22), *cq = memchr(cmd, '"', (size_t)(end - cmd));

        if (cq == NULL || (h = hpos(cq, end)) == NULL)
            return 0;
        stage = sdx_stage_of_command(cmd, (size_t)(cq - cmd));
        /* WHY follows "H=host (helo) [addr]:port" and "I=[addr]:port" */
        if ((q = find(h, end, " I=[")) == NULL)
            q = find(h, end, "]:");
        if (q == NULL || (why = memchr(q + 1, ' ', (size_t)(end - q - 1))) == NULL)
            return 0;
        why++;
        if (p[5] == 'p')
            n = snprintf(text, sizeof(text), "503 %.*s", (int)(end - why > 300 ? 300 : end - why), why);
        else
            n = snprintf(text, sizeof(text), "%s %.*s",
                         end - why == 20 && memcmp(why, "unrecognized command", 20) == 0 ? "500" : "501",
                         (int)(end - why > 300 ? 300 : end - why), why);
    } else if (starts(m, "SMTP protocol synchronization error (")) {
        const char *r = find(p, end, ": rejected \"");

        if ((h = hpos(p, end)) == NULL)
            return 0;
        if (r)
            stage = sdx_stage_of_command(r + 12, (size_t)(end - r - 12));
        n = snprintf(text, sizeof(text), "554 SMTP synchronization error");
    } else if (starts(m, "too many recipients: message rejected: ")) {
        if ((h = hpos(p, end)) == NULL)
            return 0;
        sender = value(p, end, "sender=<", '>');
        if (sender.p == NULL)
            sender = S("");
        stage = SDX_STAGE_RCPT;
        n = snprintf(text, sizeof(text), "552 too many recipients");
    } else if (starts(m, "Connection from ") && find(p, end, " refused: too many connections from that IP")) {
        h = p + 16;
        n = snprintf(text, sizeof(text), "421 Too many concurrent SMTP connections from this IP address; "
                     "please try again later.");
    } else if ((q = memchr(p, ' ', m.len)) != NULL &&       /* "NAME authenticator failed for": one word */
               starts(((struct sdx_str){ q, (size_t)(end - q) }), " authenticator failed for ")) {
        const char *c = find(q, end, ": 5"), *sid;

        if (c == NULL)
            c = find(q, end, ": 4");
        if (c == NULL)
            return 0;
        h = q + 26;
        why = c + 2;
        if ((sid = find(why, end, " (set_id=")) != NULL) {
            sasl.p = sid + 9, sasl.len = (size_t)(end - sid - 9);
            if (sasl.len && sasl.p[sasl.len - 1] == ')')
                sasl.len--;
        }
        stage = SDX_STAGE_AUTH;
        n = snprintf(text, sizeof(text), "%.*s", (int)((sid ? sid : end) - why > 300 ? 300 : (sid ? sid : end) - why),
                     why);
    } else if (starts(m, "unqualified verify rejected: <") || starts(m, "unqualified recipient rejected: <") ||
               starts(m, "unqualified sender rejected: <")) {
        const char *a = memchr(p, '<', m.len), *b = memchr(a, '>', (size_t)(end - a));
        int snd = p[12] == 's';

        if (b == NULL || (h = hpos(b, end)) == NULL)
            return 0;
        stage = p[12] == 'v' ? SDX_STAGE_OTHER : snd ? SDX_STAGE_MAIL : SDX_STAGE_RCPT;
        if (snd)
            sender = (struct sdx_str){ a + 1, (size_t)(b - a - 1) };
        else
            rcpt = (struct sdx_str){ a + 1, (size_t)(b - a - 1) };
        n = snprintf(text, sizeof(text), "501 %.*s: %s address must contain a domain",
                     (int)(b - a - 1 > 200 ? 200 : b - a - 1), a + 1, snd ? "sender" : "recipient");
    } else if (starts(m, "SMTP command timeout on connection from ")) {
        h = p + 40;
        stage = SDX_STAGE_OTHER;
        n = snprintf(text, sizeof(text), "421 SMTP command timeout - closing connection");
    } else {
        return 0;
    }
    hfield(h, end, host, sizeof(host), helo, sizeof(helo), addr, sizeof(addr));
    if (sdx__refused_with(l, &e, text, n, sizeof(text), stage) != 0)
        return *rc = SDX_ENOMEM, 1;
    e.client.host = S(host), e.client.addr = S(addr);
    e.helo = S(helo);
    e.sender = sender;
    e.recipient = rcpt;
    e.sasl_user = sasl;                 /* the name tried; Exim logs no password */
    kl = session_key(ll, addr, key, sizeof(key));
    s = kl ? sdx__map_get(l->sessions, key, kl) : NULL;
    *rc = emit_event(l, &e, ll, source, lineno, s ? &s->story : NULL, emit, arg);
    return 1;
}

/* lines of Exim without a message id that carry no refusal of their own */
static const char *const quiet[] = { "exim ", "Start queue run", "End queue run", "SMTP connection from",
    "SMTP syntax error", "SMTP protocol error", "SMTP protocol synchronization error", "SMTP call from",
    "SMTP command timeout", "SMTP data timeout", "SMTP incomplete transaction", "no MAIL in SMTP connection",
    "no host name found", "Connection from ", "unqualified ", "too many ", "TLS error", "Warning: ",
    "pid written", "cwd=", "LOG: ", "Spool file", "daemon ", "sender verify ", "SMTP ", "H=", "rejected ",
    "Connection refused", "failed to ", "Failed to ", "DKIM: ", "spam acl condition", "malware acl condition",
    "host name alias list", "Exim configuration ", "Received ", "ident connection", NULL };

/* lines of Exim after a message id that need no event */
static const char *const quiet_id[] = { "Completed", "Frozen", "Message is frozen", "Unfrozen", "Spool file",
    "H=", "Warning: ", "SMTP error", "removed by", "cancelled by", "no immediate delivery", "DKIM: ",
    "Sender identification", "=> ", "-> ", "*> ", "<= ", "** ", "== ", "DMARC", "SA: ", "rejected ", NULL };

int sdx__exim_line(struct sdx_logs *l, const struct sdx_logline *ll, const char *source, unsigned long lineno,
                   sdx_logs_emit_fn emit, void *arg, int *rc)
{
    struct sdx_str m = ll->msg, qid, rest;
    struct message *msg;
    const char *kw;
    size_t i;

    *rc = 0;
    if (!is(ll->program, "exim") && !is(ll->program, "exim4") && l->force != SDX_MTA_EXIM)
        return 0;
    if (l->seen && (rejectlog(l, source) || l->seen_rejectlog)) {
        uint64_t h = line_hash(ll, !rejectlog(l, source));      /* the twin's kind */

        if (l->seen[(h >> 2) & (LOGS_SEEN - 1)] == h) {
            l->st.duplicates++;
            return 1;
        }
    }
    qid = msg_id(m);
    if (qid.len == 0) {
        /* our server refused a client */
        if (starts(m, "H=") || starts(m, "rejected ")) {
            int defer = 0;

            kw = starts(m, "rejected ") ? m.p : find(m.p, m.p + m.len, " rejected ");
            if (kw && kw - m.p >= 12 && memcmp(kw - 12, " temporarily", 12) == 0)
                defer = 1;
            if (kw) {
                if (kw != m.p)
                    kw++;
                if (m.p + m.len - kw <= 9 || (hpos(m.p, m.p + m.len) == NULL && !find(kw, m.p + m.len, "from "))) {
                    sdx__logs_unparsed(l, ll);      /* no command, or no client */
                    return 1;
                }
                *rc = reject(l, ll, qid, m, kw, defer, source, lineno, emit, arg);
                return 1;
            }
        }
        if (notice(l, ll, m, source, lineno, emit, arg, rc)) {
            if (*rc == 0)
                *rc = session_note(l, ll, m);
            return 1;
        }
        for (i = 0; quiet[i]; i++)
            if (starts_n(m, quiet[i], strlen(quiet[i])))
                break;
        if (quiet[i] == NULL && !find(m.p, m.p + m.len, " authenticator failed for ")) {
            sdx__logs_unparsed(l, ll);
            return 1;
        }
        *rc = session_note(l, ll, m);
        return 1;
    }

    rest.p = m.p + qid.len + 1, rest.len = m.len - qid.len - 1;
    msg = sdx__map_get(l->messages, qid.p, qid.len);
    if (starts(rest, "<= ")) {
        *rc = arrival(l, ll, qid, rest);
        return 1;
    }
    if (starts(rest, "** ") || starts(rest, "== ")) {
        if (rest.len < 4 || rest.p[3] == ' ' || rest.p[3] == ':') {
            sdx__logs_unparsed(l, ll);          /* no recipient */
            return 1;
        }
        *rc = delivery(l, ll, qid, rest, msg, source, lineno, emit, arg);
        return 1;
    }
    if (starts(rest, "=> ") || starts(rest, "-> ") || starts(rest, "*> ")) {
        l->st.delivered++;
        if (msg)
            sdx__story_add(&msg->story, m.p, m.len);
        return 1;
    }
    if (starts(rest, "Completed")) {
        sdx__map_del(l->messages, qid.p, qid.len);
        return 1;
    }
    /* a refusal after the message got its id: "rejected after DATA", "rejected from <s>" */
    if (starts(rest, "H=") || starts(rest, "rejected ")) {
        kw = starts(rest, "rejected ") ? rest.p : find(rest.p, rest.p + rest.len, " rejected ");
        if (kw) {
            int defer = kw - rest.p >= 12 && memcmp(kw - 12, " temporarily", 12) == 0;

            if (kw != rest.p)
                kw++;
            if (rest.p + rest.len - kw <= 9) {
                sdx__logs_unparsed(l, ll);
                return 1;
            }
            *rc = reject(l, ll, qid, rest, kw, defer, source, lineno, emit, arg);
            return 1;
        }
    }
    if (msg) {
        sdx__story_add(&msg->story, m.p, m.len);
        return 1;
    }
    for (i = 0; quiet_id[i]; i++)
        if (starts_n(rest, quiet_id[i], strlen(quiet_id[i])))
            return 1;
    sdx__logs_unparsed(l, ll);
    return 1;
}
