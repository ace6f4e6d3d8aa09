/* opensmtpd.c - OpenSMTPD log lines to events, with session and message context
 * In:  lines whose program is "smtpd" (OpenSMTPD; Postfix's is "postfix/smtpd"):
 *      "<sid> smtp|mta|mda <verb> key=value ...", where sid is the 16 hex
 *      digits of a session, and the queue's "relay|delivery: <Verb> for
 *      <evpid>: from=<s>, to=<r>, ..., stat=..." lines.
 * Out: events for "smtp failed-command" and "smtp bad-input" (inbound: our
 *      server refused a client), "mta delivery ... result=TempFail|PermFail|
 *      Loop" (outbound: deferred, bounced), "mda delivery ... result=TempFail|
 *      PermFail|Loop" (local), and "Expire for <evpid>" (expired, with the last
 *      deferral's reply, as postfix.c does for qmgr's status=expired).
 * Context: sessions by session id ("smtp connected" to "smtp disconnected":
 *      client address and name, TLS, SASL user, the lines so far; "mta
 *      connecting" to "mta disconnected": the remote side and its errors);
 *      messages by msgid ("smtp message": size, client; "smtp envelope":
 *      sender, and the lines). An envelope id is the msgid (8 hex digits)
 *      followed by 8 more: queue_id in events is the msgid, the unit of
 *      "smtp message" and of the scenarios' queue ids (smtpctl accepts both).
 * Limits: OpenSMTPD logs nothing when a message leaves the queue, so message
 *      records are forgotten only when the bounded map evicts them.
 * Not here: the reply itself (reply.c), framing (syslog.c). The HELO of a
 *      session is known only from a refused HELO/EHLO (6.8 logs no accepted one);
 *      the MAIL FROM of a refused RCPT is not logged.
 * Formats: OpenSMTPD 6.8.0p2 smtp_session.c, mta_session.c, mda.c and queue.c
 *      log lines, as written in ../shared/mta-samples/opensmtpd/logs/maillog. */
#include <string.h>
#include "logs_int.h"
#include "scan.h"

#define field(p, end, key) field_n((p), (end), (key), sizeof(key) - 1)

#define SID_LEN 16          /* a session id: 64 bits in hex */
#define MSGID_LEN 8         /* a message id: the high 32 bits of its envelope ids */

/* rfind - the last occurrence of lit in [p, end): the client controls what
 * comes before it (the command), OpenSMTPD what comes after */
static const char *rfind(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    const char *q;

    if (end < p + n)
        return NULL;
    for (q = end - n; q >= p; q--)
        if (*q == *lit && memcmp(q, lit, n) == 0)
            return q;
    return NULL;
}

/* field_n - the value of " key=" in [p, end): "quoted" (without the quotes)
 * or bare up to the next space; stat= is bare to the end of the line
 * (mda writes "stat=Error (...)" unquoted, last) */
static struct sdx_str field_n(const char *p, const char *end, const char *key, size_t kl)
{
    const char *k = find_n(p, end, key, kl), *e;
    struct sdx_str v = { NULL, 0 };

    if (k == NULL)
        return v;
    k += kl;
    if (k < end && *k == '"') {
        k++;
        e = memchr(k, '"', (size_t)(end - k));
    } else if (kl >= 6 && memcmp(key, " stat=", 6) == 0) {
        e = end;
    } else {
        e = memchr(k, ' ', (size_t)(end - k));
    }
    v.p = k, v.len = (size_t)((e ? e : end) - k);
    return v;
}

static int hex(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return 0;
    return 1;
}

/* key_of - "o" + id: OpenSMTPD's ids are hex, like Postfix's short queue
 * ids, and share the maps with them */
static size_t key_of(char *key, const char *id, size_t n)
{
    key[0] = 'o';
    memcpy(key + 1, id, n);
    return n + 1;
}

static unsigned long number(struct sdx_str v)
{
    unsigned long n = 0;
    size_t i;

    for (i = 0; i < v.len && i < 15 && v.p[i] >= '0' && v.p[i] <= '9'; i++)
        n = n * 10 + (unsigned long)(v.p[i] - '0');
    return n;
}

/* emit_event - the shared parts (logs.c), with this reader's MTA */
static int emit_event(struct sdx_logs *l, struct sdx_event *e, const struct sdx_logline *ll, const char *source,
                      unsigned long lineno, const struct story *story, sdx_logs_emit_fn emit, void *arg)
{
    e->mta = SDX_MTA_OPENSMTPD;
    return sdx__emit(l, e, ll, source, lineno, story, emit, arg);
}

/* unparsed - count a line of OpenSMTPD's that no rule understood; 0 */
static int unparsed(struct sdx_logs *l, const struct sdx_logline *ll)
{
    sdx__logs_unparsed(l, ll);
    return 0;
}

/* command_stage - the stage of a logged command; "" is the connect phase
 * (filters refusing a client before any command) */
static enum sdx_stage command_stage(struct sdx_str c)
{
    static const struct { const char *word; enum sdx_stage st; } words[] = {
        { "RCPT", SDX_STAGE_RCPT }, { "MAIL", SDX_STAGE_MAIL }, { "DATA", SDX_STAGE_DATA },
        { "EHLO", SDX_STAGE_HELO }, { "HELO", SDX_STAGE_HELO }, { "STARTTLS", SDX_STAGE_STARTTLS },
        { "AUTH", SDX_STAGE_AUTH }, { "BDAT", SDX_STAGE_BDAT }, { "QUIT", SDX_STAGE_QUIT },
    };
    size_t i;

    if (c.len == 0)
        return SDX_STAGE_CONNECT;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t n = strlen(words[i].word);
        struct sdx_str w = { c.p, n };

        if (c.len >= n && (c.len == n || c.p[n] == ' ' || c.p[n] == ':') && sdx_str_ieq(w, words[i].word))
            return words[i].st;
    }
    return SDX_STAGE_OTHER;
}

/* refused - "smtp failed-command command=\"X\" result=\"550 ...\"" and
 * "smtp bad-input result=\"500 ...\"": our server refused the client */
static int refused(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str sid, struct session *s,
                   const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *p = ll->msg.p, *end = p + ll->msg.len, *res = rfind(p, end, " result=\"");
    struct sdx_str cmd = { NULL, 0 }, arg_v = { NULL, 0 };
    struct sdx_event e;
    enum sdx_stage stage = SDX_STAGE_UNKNOWN;
    const char *c;

    if (res == NULL)
        return unparsed(l, ll);
    if ((c = find(p, res, " command=\"")) != NULL) {
        cmd.p = c + 10;
        cmd.len = (size_t)(res - cmd.p);
        if (cmd.len && cmd.p[cmd.len - 1] == '"')
            cmd.len--;
        stage = command_stage(cmd);
    }
    if (sdx_reply_parse(&l->reply, res + 1, (size_t)(end - res - 1)) != 0)
        return SDX_ENOMEM;
    sdx__refused(l, &e, stage);
    e.sender = e.recipient = S("");
    if (stage == SDX_STAGE_RCPT)
        e.recipient = value(cmd.p, cmd.p + cmd.len, "<", '>');
    else if (stage == SDX_STAGE_MAIL)
        e.sender = value(cmd.p, cmd.p + cmd.len, "<", '>');
    else if (stage == SDX_STAGE_HELO && cmd.len > 5) {
        arg_v.p = cmd.p + 5, arg_v.len = cmd.len - 5;
        e.helo = arg_v;
    }
    if (e.sender.p == NULL)
        e.sender = S("");
    if (e.recipient.p == NULL)
        e.recipient = S("");
    e.session_id = sid;
    if (s) {
        e.client.host = S(s->host), e.client.addr = S(s->addr);
        e.tls = S(s->tls);
        e.sasl_user = S(s->sasl);
        if (e.helo.len == 0)
            e.helo = S(s->helo);
        if (arg_v.len)              /* the refused HELO is still the name the client gave */
            copy_str(s->helo, sizeof(s->helo), arg_v);
    }
    return emit_event(l, &e, ll, source, lineno, s ? &s->story : NULL, emit, arg);
}

/* envelope - from=<s> to=<r> rcpt=<o> in [p, end) into e: the sender ("" for
 * the null sender), the recipient, and the original recipient when it is
 * another address ("<->": none) */
static void envelope(struct sdx_event *e, const char *p, const char *end)
{
    struct sdx_str rcpt;

    e->sender = value(p, end, " from=<", '>');
    if (e->sender.p == NULL)
        e->sender = S("");
    e->recipient = value(p, end, " to=<", '>');
    rcpt = value(p, end, " rcpt=<", '>');
    if (rcpt.len && !is(rcpt, "-") &&
        !(rcpt.len == e->recipient.len && memcmp(rcpt.p, e->recipient.p, rcpt.len) == 0))
        e->orig_recipient = rcpt;
}

/* relay_host - mta's relay="ADDR (NAME)" (6.8), or "NAME [ADDR]" */
static void relay_host(struct sdx_str r, char *host, size_t hcap, char *addr, size_t acap)
{
    const char *end, *b;

    host[0] = addr[0] = '\0';
    if (r.p == NULL || r.len == 0)
        return;
    end = r.p + r.len;
    if ((b = memchr(r.p, '[', r.len)) != NULL) {
        const char *h = b, *e = memchr(b, ']', (size_t)(end - b));

        while (h > r.p && h[-1] == ' ')
            h--;
        copy(host, hcap, r.p, h);
        copy(addr, acap, b + 1, e ? e : end);
    } else if ((b = memchr(r.p, '(', r.len)) != NULL) {
        const char *a = b, *e = memchr(b, ')', (size_t)(end - b));

        while (a > r.p && a[-1] == ' ')
            a--;
        copy(addr, acap, r.p, a);
        copy(host, hcap, b + 1, e ? e : end);
    } else {
        copy(host, hcap, r.p, end);
    }
}

/* settled - one recipient of message m reached a final state (delivered,
 * bounced, expired).  OpenSMTPD logs nothing when a message leaves the queue,
 * so the record is forgotten when its last recipient settles ("nrcpt=" on the
 * "smtp message" line); otherwise finished messages would only leave the map
 * by eviction and inflate messages_dropped on a busy server. */
static void settled(struct sdx_logs *l, struct message *m, const char *id)
{
    char key[24];

    if (m == NULL || m->pending == 0 || --m->pending > 0)
        return;
    sdx__map_del(l->messages, key, key_of(key, id, MSGID_LEN));
}

/* delivery - "mta|mda delivery evpid=E from=<s> to=<r> rcpt=<o> ...
 * result=R stat=S": Ok counted, TempFail deferred, PermFail and Loop bounced */
static int delivery(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str sid, int mta,
                    const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *p = ll->msg.p, *end = p + ll->msg.len, *res = rfind(p, end, " result=");
    struct sdx_str evpid, result, stat, relay;
    struct message *m = NULL;
    struct session *s;
    struct sdx_event e;
    struct story story;
    enum sdx_outcome out;
    char key[24], rhost[LOGS_FIELD], raddr[48];
    size_t i;
    int rc;

    if (res == NULL)
        return unparsed(l, ll);
    evpid = field(p, res, " evpid=");
    result = field(res, end, " result=");
    stat = field(res, end, " stat=");
    if (is(result, "Ok")) {
        l->st.delivered++;
        if (evpid.len == 2 * MSGID_LEN && hex(evpid.p, evpid.len))
            settled(l, sdx__map_get(l->messages, key, key_of(key, evpid.p, MSGID_LEN)), evpid.p);
        return 0;
    }
    if (is(result, "TempFail"))
        out = SDX_OUT_DEFERRED;
    else if (is(result, "PermFail") || is(result, "Loop"))
        out = SDX_OUT_BOUNCED;
    else
        return unparsed(l, ll);
    if (evpid.len == 2 * MSGID_LEN && hex(evpid.p, evpid.len)) {
        evpid.len = MSGID_LEN;
        m = sdx__map_get(l->messages, key, key_of(key, evpid.p, evpid.len));
    } else {
        evpid.len = 0;
    }
    /* the reply: the mta's stat is the remote server's (reply.c knows this
     * rendering); mda's is OpenSMTPD's own words */
    if (mta) {
        if (sdx_reply_parse(&l->reply, res + 1, (size_t)(end - res - 1)) != 0)
            return SDX_ENOMEM;
    } else if (sdx_reply_parse(&l->reply, stat.p ? stat.p : "", stat.len) != 0) {
        return SDX_ENOMEM;
    }
    relay = field(p, res, " relay=");
    relay_host(relay, rhost, sizeof(rhost), raddr, sizeof(raddr));
    copy(l->reply.host, sizeof(l->reply.host), rhost, rhost + strlen(rhost));
    copy(l->reply.addr, sizeof(l->reply.addr), raddr, raddr + strlen(raddr));
    sdx_event_init(&e, &l->reply);
    e.outcome = out;
    e.dir = mta ? SDX_DIR_OUTBOUND : SDX_DIR_LOCAL;
    envelope(&e, p, res);
    e.relay = relay;
    e.server.host = S(rhost), e.server.addr = S(raddr);
    e.queue_id = evpid;
    e.session_id = sid;
    memset(&story, 0, sizeof(story));
    if (m) {
        e.message_id = S(m->msgid);
        e.size = m->size;
        e.client.host = S(m->host), e.client.addr = S(m->addr);
        e.helo = S(m->helo);
        e.sasl_user = S(m->sasl);
        story = m->story;
        if (out == SDX_OUT_DEFERRED) {      /* remembered for a later expiry */
            copy_str(m->last_rcpt, sizeof(m->last_rcpt), e.recipient);
            copy(m->last_reply, sizeof(m->last_reply), res + 1, end);
        }
    }
    /* what the mta session saw go wrong ("mta error reason=...") */
    if (mta && (s = sdx__map_get(l->sessions, key, key_of(key, sid.p, sid.len))) != NULL)
        for (i = 0; i < s->story.n; i++)
            if (strncmp(s->story.line[i] + SID_LEN + 1, "mta error", 9) == 0)
                sdx__story_add(&story, s->story.line[i], strlen(s->story.line[i]));
    rc = emit_event(l, &e, ll, source, lineno, &story, emit, arg);
    if (out != SDX_OUT_DEFERRED)
        settled(l, m, evpid.p);             /* after the event: e points into m */
    return rc;
}

/* queue_note - queue.c's "relay|delivery: <Verb> for <evpid>: from=<s>,
 * to=<r>, rcpt=<o>, delay=D, stat=S"; "Expire" is an event */
static int queue_note(struct sdx_logs *l, const struct sdx_logline *ll, const char *source, unsigned long lineno,
                      sdx_logs_emit_fn emit, void *arg)
{
    const char *p = ll->msg.p, *end = p + ll->msg.len, *f = find(p, end, " for ");
    struct sdx_str id;
    struct message *m = NULL;
    struct sdx_event e;
    const char *last;
    char key[24];
    int rc;

    if (f == NULL || end - f < 5 + 2 * MSGID_LEN + 1 || !hex(f + 5, 2 * MSGID_LEN) || f[5 + 2 * MSGID_LEN] != ':')
        return unparsed(l, ll);
    id.p = f + 5, id.len = MSGID_LEN;
    m = sdx__map_get(l->messages, key, key_of(key, id.p, id.len));
    if (find(p, f, " Expire") == NULL) {
        if (m)
            sdx__story_add(&m->story, p, ll->msg.len);
        return 0;
    }
    last = m && m->last_reply[0] ? m->last_reply : "";
    if (sdx_reply_parse(&l->reply, last, strlen(last)) != 0)
        return SDX_ENOMEM;
    sdx_event_init(&e, &l->reply);
    e.outcome = SDX_OUT_EXPIRED;
    e.dir = p[0] == 'r' ? SDX_DIR_OUTBOUND : SDX_DIR_LOCAL;
    envelope(&e, f, end);
    e.queue_id = id;
    if (m) {
        e.message_id = S(m->msgid);
        e.size = m->size;
        e.client.host = S(m->host), e.client.addr = S(m->addr);
        e.server.host = S(l->reply.host), e.server.addr = S(l->reply.addr);
    }
    rc = emit_event(l, &e, ll, source, lineno, m ? &m->story : NULL, emit, arg);
    settled(l, m, id.p);                    /* after the event: e points into m */
    return rc;
}

/* smtp - the lines of an inbound session (rest: after "smtp ") */
static int smtp(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str sid, struct sdx_str rest,
                const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    const char *end = rest.p + rest.len;
    char key[24];
    size_t kl = key_of(key, sid.p, sid.len);
    struct session *s;
    struct message *m;
    int evicted, rc;

    if (starts(rest, "connected ")) {
        if ((s = sdx__map_put(l->sessions, key, kl, &evicted)) == NULL)
            return SDX_ENOMEM;
        l->st.sessions_dropped += (unsigned long)evicted;
        memset(s, 0, sizeof(*s));
        copy_str(s->addr, sizeof(s->addr), field(rest.p - 1, end, " address="));
        copy_str(s->host, sizeof(s->host), field(rest.p - 1, end, " host="));
        if (strcmp(s->host, "<unknown>") == 0)     /* no reverse DNS */
            s->host[0] = '\0';
        sdx__story_add(&s->story, ll->msg.p, ll->msg.len);
        return 0;
    }
    s = sdx__map_get(l->sessions, key, kl);
    if (starts(rest, "disconnected")) {
        sdx__map_del(l->sessions, key, kl);
        return 0;
    }
    if (starts(rest, "failed-command ") || starts(rest, "bad-input ")) {
        rc = refused(l, ll, sid, s, source, lineno, emit, arg);
        if (s)
            sdx__story_add(&s->story, ll->msg.p, ll->msg.len);
        return rc;
    }
    if (starts(rest, "message ")) {
        struct sdx_str id = field(rest.p - 1, end, " msgid=");

        if (id.len != MSGID_LEN || !hex(id.p, id.len))
            return unparsed(l, ll);
        if ((m = sdx__map_put(l->messages, key, key_of(key, id.p, id.len), &evicted)) == NULL)
            return SDX_ENOMEM;
        l->st.messages_dropped += (unsigned long)evicted;
        memset(m, 0, sizeof(*m));
        m->size = number(field(rest.p - 1, end, " size="));
        m->pending = (unsigned)number(field(rest.p - 1, end, " nrcpt="));
        if (s) {
            memcpy(m->host, s->host, sizeof(m->host));
            memcpy(m->addr, s->addr, sizeof(m->addr));
            memcpy(m->helo, s->helo, sizeof(m->helo));
            memcpy(m->sasl, s->sasl, sizeof(m->sasl));
            m->story = s->story;
            sdx__story_add(&s->story, ll->msg.p, ll->msg.len);
        }
        sdx__story_add(&m->story, ll->msg.p, ll->msg.len);
        return 0;
    }
    if (starts(rest, "envelope ")) {
        struct sdx_str ev = field(rest.p - 1, end, " evpid=");

        if (ev.len != 2 * MSGID_LEN || !hex(ev.p, ev.len))
            return unparsed(l, ll);
        if ((m = sdx__map_get(l->messages, key, key_of(key, ev.p, MSGID_LEN))) != NULL) {
            copy_str(m->from, sizeof(m->from), value(rest.p, end, " from=<", '>'));
            sdx__story_add(&m->story, ll->msg.p, ll->msg.len);
        }
        return 0;
    }
    if (s == NULL)
        return starts(rest, "tls ") || starts(rest, "authentication ") || starts(rest, "timeout") ||
               starts(rest, "protocol-") || starts(rest, "filter-") || starts(rest, "cancel") ? 0 : unparsed(l, ll);
    if (starts(rest, "tls "))               /* "tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256" */
        copy_str(s->tls, sizeof(s->tls), field(rest.p - 1, end, " ciphers="));
    else if (starts(rest, "authentication ") && find(rest.p, end, "result=ok"))
        copy_str(s->sasl, sizeof(s->sasl), field(rest.p - 1, end, " user="));
    sdx__story_add(&s->story, ll->msg.p, ll->msg.len);
    return 0;
}

/* session - the lines with a session id: smtp (inbound), mta (outbound), mda (local) */
static int session(struct sdx_logs *l, const struct sdx_logline *ll, struct sdx_str sid, struct sdx_str rest,
                   const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg)
{
    struct sdx_str sub;
    char key[24];
    size_t kl = key_of(key, sid.p, sid.len);
    struct session *s;
    int evicted;

    if (starts(rest, "smtp ")) {
        sub.p = rest.p + 5, sub.len = rest.len - 5;
        return smtp(l, ll, sid, sub, source, lineno, emit, arg);
    }
    if (starts(rest, "mda ")) {
        sub.p = rest.p + 4, sub.len = rest.len - 4;
        if (starts(sub, "delivery "))
            return delivery(l, ll, sid, 0, source, lineno, emit, arg);
        return 0;                           /* mda notes: no event */
    }
    if (!starts(rest, "mta "))
        return unparsed(l, ll);
    sub.p = rest.p + 4, sub.len = rest.len - 4;
    if (starts(sub, "delivery "))
        return delivery(l, ll, sid, 1, source, lineno, emit, arg);
    if (starts(sub, "connecting ")) {
        if ((s = sdx__map_put(l->sessions, key, kl, &evicted)) == NULL)
            return SDX_ENOMEM;
        l->st.sessions_dropped += (unsigned long)evicted;
        memset(s, 0, sizeof(*s));
        copy_str(s->host, sizeof(s->host), field(sub.p - 1, sub.p + sub.len, " host="));
        sdx__story_add(&s->story, ll->msg.p, ll->msg.len);
        return 0;
    }
    if (starts(sub, "disconnected")) {
        sdx__map_del(l->sessions, key, kl);
        return 0;
    }
    if ((s = sdx__map_get(l->sessions, key, kl)) != NULL)
        sdx__story_add(&s->story, ll->msg.p, ll->msg.len);
    return 0;                               /* connected, error, tls, cancel ...: context */
}

int sdx__opensmtpd_line(struct sdx_logs *l, const struct sdx_logline *ll, const char *source,
                        unsigned long lineno, sdx_logs_emit_fn emit, void *arg, int *rc)
{
    struct sdx_str m = ll->msg;
    int r;

    *rc = 0;
    if (!is(ll->program, "smtpd") && l->force != SDX_MTA_OPENSMTPD)
        return 0;
    if (m.len > SID_LEN + 1 && m.p[SID_LEN] == ' ' && hex(m.p, SID_LEN)) {
        struct sdx_str sid = { m.p, SID_LEN }, rest = { m.p + SID_LEN + 1, m.len - SID_LEN - 1 };

        r = session(l, ll, sid, rest, source, lineno, emit, arg);
    } else if (starts(m, "relay: ") || starts(m, "delivery: ")) {
        r = queue_note(l, ll, source, lineno, emit, arg);
    } else if (starts(m, "info: ") || starts(m, "warn: ") || starts(m, "warning: ") || starts(m, "Exiting") ||
               starts(m, "fatal: ") || starts(m, "debug: ")) {
        r = 0;                              /* the daemon's own notes */
    } else {
        r = unparsed(l, ll);
    }
    *rc = r;
    return 1;
}
