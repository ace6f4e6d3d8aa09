/* bounce.c - one message to its kind and per-recipient verdicts
 * In:  the message's bytes (untrusted), options.
 * Out: struct sdx_bounce (bounce.h); every string in one arena.
 * Order of evidence: a feedback report (RFC 5965), then the DSN fields
 * (RFC 3464/6533, in their part or pasted into the text), then the
 * auto-reply headers (RFC 3834), then the bounce's own words (text.c).
 * Every recipient's reply goes through the one classifier (classify.h)
 * with what the bounce adds: the Action (RFC 3464 §2.3.3: failed with a
 * 4.x.x status means the MTA gave up retrying: expired), the Remote-MTA,
 * the recipient's domain. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "smtpdx/error.h"
#include "core/limits.h"
#include "bounce_int.h"

/* ---- the arena --------------------------------------------------------- */
struct bchunk {
    struct bchunk *next;
    size_t         used, cap;
    char           data[];
};

#define CHUNK 16384u

struct sdx_str bmem_str(struct bmem *m, const char *p, size_t n, int *err)
{
    struct bchunk *c = m->head;
    char *d;

    if (!c || c->cap - c->used < n + 1) {
        size_t cap = n + 1 > CHUNK ? n + 1 : CHUNK;

        c = malloc(sizeof(*c) + cap);
        if (!c) {
            *err = 1;
            return (struct sdx_str){ "", 0 };
        }
        c->used = 0;
        c->cap = cap;
        c->next = m->head;
        m->head = c;
    }
    d = c->data + c->used;
    if (n)
        memcpy(d, p, n);
    d[n] = '\0';
    c->used += n + 1;
    return (struct sdx_str){ d, n };
}

void bmem_free(struct bmem *m)
{
    while (m->head) {
        struct bchunk *n = m->head->next;

        free(m->head);
        m->head = n;
    }
}

/* ---- names --------------------------------------------------------------- */
static const char *const kind_names[] = {
#define X(e, name, desc) name,
    SDX_BOUNCE_KINDS(X)
#undef X
};
static const char *const kind_descs[] = {
#define X(e, name, desc) desc,
    SDX_BOUNCE_KINDS(X)
#undef X
};

const char *sdx_bounce_kind_name(enum sdx_bounce_kind k)
{
    return (unsigned)k < SDX_BOUNCE_KIND_COUNT ? kind_names[k] : "none";
}

const char *sdx_bounce_kind_desc(enum sdx_bounce_kind k)
{
    return (unsigned)k < SDX_BOUNCE_KIND_COUNT ? kind_descs[k] : "";
}

const char *sdx_bounce_flag_name(unsigned bit)
{
#define X(name, b, word, desc) if (bit == b) return word;
    SDX_BOUNCE_FLAGS(X)
#undef X
    return "?";
}

const char *sdx_bounce_flag_desc(unsigned bit)
{
#define X(name, b, word, desc) if (bit == b) return desc;
    SDX_BOUNCE_FLAGS(X)
#undef X
    return "";
}

/* ---- state ----------------------------------------------------------------- */
struct bstate {
    struct bmem  mem;
    struct bmail bm;
    struct tscan ts;
    struct ses   ses;
    enum sdx_stage stage_hint;      /* the text's stage for a DSN recipient */
    size_t       cap;               /* rcpt[] allocated */
    int          err;
    int          in_rcpt;           /* the DSN reader is inside a recipient block */
    unsigned     rcpt_block;
    int          second_hand;       /* a DSN pasted or attached in a message that is no
                                     * bounce itself (a forward): never a hard bounce */
    int          dropping;          /* recipients past the limit: counted per block */
    unsigned     drop_block;
    struct sdx_bounce *b;
};

static struct sdx_bounce_rcpt *new_rcpt(struct bstate *st)
{
    struct sdx_bounce *b = st->b;
    struct sdx_bounce_rcpt *r;

    if (b->nrcpt == SDX_BOUNCE_RCPT_MAX) {
        b->flags |= SDX_BOUNCE_F_RCPT_LIMIT;   /* the caller counts what it drops */
        return NULL;
    }
    if (b->nrcpt == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 4;
        struct sdx_bounce_rcpt *nr = realloc(b->rcpt, cap * sizeof(*nr));

        if (!nr) {
            st->err = SDX_ENOMEM;
            return NULL;
        }
        b->rcpt = nr;
        st->cap = cap;
    }
    r = &b->rcpt[b->nrcpt++];
    memset(r, 0, sizeof(*r));
    sdx_reply_init(&r->reply);
    r->found_by = "dsn";
    return r;
}

static int field_is(const char *name, size_t nlen, const char *want)
{
    return nlen == strlen(want) && strncasecmp(name, want, nlen) == 0;
}

/* typed - "rfc822; a@b" -> "a@b" (RFC 3464 §2.3.2: address-type ";");
 * a value without a type is taken whole; <> dropped */
static struct sdx_str typed(struct bstate *st, const char *v, size_t n)
{
    const char *semi = memchr(v, ';', n);
    int e = 0;
    struct sdx_str s;

    if (semi && semi - v < 32) {
        n -= (size_t)(semi + 1 - v);
        v = semi + 1;
    }
    while (n && (*v == ' ' || *v == '\t' || *v == '<'))
        v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '>'))
        n--;
    s = bmem_str(&st->mem, v, n, &e);
    if (e)
        st->err = SDX_ENOMEM;
    return s;
}

static struct sdx_str copy(struct bstate *st, const char *v, size_t n)
{
    int e = 0;
    struct sdx_str s = bmem_str(&st->mem, v, n, &e);

    if (e)
        st->err = SDX_ENOMEM;
    return s;
}

/* per-recipient fields of RFC 3464 §2.3 (and X-Actual-Recipient, which
 * Sendmail and Postfix add beside them) */
static int rcpt_field(const char *name, size_t nlen)
{
    static const char *const f[] = { "Final-Recipient", "Original-Recipient", "Action", "Status",
                                     "Remote-MTA", "Diagnostic-Code", "Last-Attempt-Date",
                                     "Will-Retry-Until", "Final-Log-ID", "X-Actual-Recipient" };
    size_t i;

    for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (field_is(name, nlen, f[i]))
            return 1;
    return 0;
}

static void dsn_field(void *arg, unsigned block, const char *name, size_t nlen, const char *v, size_t vn)
{
    struct bstate *st = arg;
    struct sdx_bounce *b = st->b;
    struct sdx_bounce_rcpt *r;

    if (!rcpt_field(name, nlen)) {
        if (field_is(name, nlen, "Reporting-MTA") && !b->reporting_mta.len)
            b->reporting_mta = typed(st, v, vn);
        else if (field_is(name, nlen, "Arrival-Date") && !b->arrival_date.len)
            b->arrival_date = copy(st, v, vn);
        return;
    }
    r = st->in_rcpt && b->nrcpt ? &b->rcpt[b->nrcpt - 1] : NULL;
    /* a new recipient: a new block, or a field this one already has */
    if (r && (block != st->rcpt_block ||
              (field_is(name, nlen, "Final-Recipient") && r->recipient.len) ||
              (field_is(name, nlen, "Original-Recipient") && r->orig_recipient.len) ||
              (field_is(name, nlen, "Action") && r->action.len) ||
              (field_is(name, nlen, "Status") && r->status.len)))
        r = NULL;
    if (!r) {
        if ((r = new_rcpt(st)) == NULL) {
            /* at the limit: one recipient dropped per block */
            if (!st->err && (!st->dropping || block != st->drop_block)) {
                b->rcpt_dropped++;
                st->dropping = 1;
                st->drop_block = block;
            }
            st->in_rcpt = 0;
            return;
        }
        st->in_rcpt = 1;
        st->rcpt_block = block;
    }
    if (field_is(name, nlen, "Final-Recipient"))
        r->recipient = typed(st, v, vn);
    else if (field_is(name, nlen, "Original-Recipient"))
        r->orig_recipient = typed(st, v, vn);
    else if (field_is(name, nlen, "Action")) {
        size_t k = 0;

        while (k < vn && v[k] != ' ' && v[k] != '(' && v[k] != ';')
            k++;
        r->action = copy(st, v, k);
    } else if (field_is(name, nlen, "Status")) {
        size_t k = 0;

        while (k < vn && v[k] != ' ' && v[k] != '(')
            k++;
        r->status = copy(st, v, k);
    } else if (field_is(name, nlen, "Remote-MTA"))
        r->remote_mta = typed(st, v, vn);
    else if (field_is(name, nlen, "Diagnostic-Code"))
        r->diag = copy(st, v, vn);
    else if (field_is(name, nlen, "Last-Attempt-Date"))
        r->last_attempt = copy(st, v, vn);
}

/* ---- ARF (RFC 5965 §3.1, §3.2) -------------------------------------------- */
#define ARF_RCPT_MAX 64

struct arf {
    struct bstate *st;
    struct sdx_str rcpt[ARF_RCPT_MAX], type, source;
    size_t         nrcpt, dropped;
};

static void arf_field(void *arg, unsigned block, const char *name, size_t nlen, const char *v, size_t vn)
{
    struct arf *a = arg;

    (void)block;
    if (field_is(name, nlen, "Feedback-Type") && !a->type.len)
        a->type = typed(a->st, v, vn);
    else if (field_is(name, nlen, "Original-Rcpt-To")) {  /* one per complained-about recipient */
        if (a->nrcpt < ARF_RCPT_MAX)
            a->rcpt[a->nrcpt++] = typed(a->st, v, vn);
        else
            a->dropped++;
    }
    else if (field_is(name, nlen, "Source-IP") && !a->source.len)
        a->source = copy(a->st, v, vn);
}

/* ---- the original message's headers ----------------------------------------- */
static void orig_field(void *arg, unsigned block, const char *name, size_t nlen, const char *v, size_t vn)
{
    struct bstate *st = arg;
    struct sdx_bounce *b = st->b;

    if (block)
        return;                     /* the body, or a second message */
    if (field_is(name, nlen, "Message-ID") && !b->orig_message_id.len)
        b->orig_message_id = copy(st, v, vn);
    else if (field_is(name, nlen, "From") && !b->orig_from.len)
        b->orig_from = copy(st, v, vn);
    else if (field_is(name, nlen, "To") && !b->orig_to.len)
        b->orig_to = copy(st, v, vn);
    else if (field_is(name, nlen, "Subject") && !b->orig_subject.len)
        b->orig_subject = copy(st, v, vn);
    else if (field_is(name, nlen, "Date") && !b->orig_date.len)
        b->orig_date = copy(st, v, vn);
}

/* headers_in_text - a bounce without parts returns the original inline:
 * its header block starts at the first header-like line after the cut */
static void orig_from_text(struct bstate *st, const char *t, size_t n, size_t cut)
{
    size_t i = cut;

    while (i < n) {
        size_t e = i;

        while (e < n && t[e] != '\n')
            e++;
        if ((e - i > 11 && strncasecmp(t + i, "Message-ID:", 11) == 0) ||
            (e - i > 9 && strncasecmp(t + i, "Received:", 9) == 0) ||
            (e - i > 12 && strncasecmp(t + i, "Return-Path:", 12) == 0) ||
            (e - i > 5 && strncasecmp(t + i, "From:", 5) == 0) ||
            (e - i > 5 && strncasecmp(t + i, "Date:", 5) == 0)) {
            sdx_dsn_fields(t + i, n - i, orig_field, st);
            return;
        }
        i = e + 1;
    }
}

/* ---- kinds ------------------------------------------------------------------- */
/* has_word - one of the words starts a word in s ("bounce" in "Bounced",
 * not "rejected" in "unrejected") */
static int has_word(struct sdx_str s, const char *const *w, size_t nw)
{
    size_t i;

    for (i = 0; i < nw; i++) {
        const char *p = s.p, *q;
        size_t n = s.len;

        while (n && (q = bounce_memmem_ci(p, n, w[i])) != NULL) {
            unsigned char before = q > s.p ? (unsigned char)q[-1] : ' ';

            if (!((before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') || before >= 0x80))
                return 1;
            n -= (size_t)(q + 1 - p);
            p = q + 1;
        }
    }
    return 0;
}

/* the sender or subject says this is a bounce (our reading of the wording
 * MTAs and providers use for non-delivery reports) */
static int looks_bounce(const struct bmail *bm)
{
    static const char *const from[] = { "mailer-daemon", "postmaster", "mail delivery", "mail-daemon",
                                        "mailerdaemon", "bounce", "nobody@", "post_master" };
    static const char *const subj[] = {
        "undeliver", "undelivered", "delivery status", "delivery fail", "failure notice",
        "returned mail", "delivery notification", "could not be delivered", "not delivered",
        "delivery has failed", "delivery failure", "nondeliver", "non-deliver", "non delivery",
        "mail delivery", "returned to sender", "delivery problem", "rejected", "bounce",
        "mail system error", "warning: could not", "delayed mail", "delivery delayed",
        "message not delivered", "permanent error", "delivery report"
    };

    return bm->hdr[BH_X_FAILED_RECIPIENTS].len ||
           has_word(bm->hdr[BH_FROM], from, sizeof(from) / sizeof(from[0])) ||
           has_word(bm->hdr[BH_SUBJECT], subj, sizeof(subj) / sizeof(subj[0])) ||
           (bm->report_type.len && strncasecmp(bm->report_type.p, "delivery-status", 15) == 0);
}

/* RFC 3834 §5: Auto-Submitted: auto-replied; and the headers and subject
 * words responders use in practice */
static int looks_autoreply(const struct bmail *bm)
{
    static const char *const subj[] = {
        "auto:", "automatic reply", "auto-reply", "autoreply", "auto reply", "out of office",
        "out of the office", "vacation", "away from", "abwesenheit", "automatische antwort",
        "réponse automatique", "respuesta automática", "risposta automatica", "autosvar",
        "absence", "on leave", "I am away", "auto response", "autoresponse"
    };
    const struct sdx_str *as = &bm->hdr[BH_AUTO_SUBMITTED], *pr = &bm->hdr[BH_PRECEDENCE];

    if (as->len && bounce_memmem_ci(as->p, as->len, "auto-replied"))
        return 1;
    if (bm->hdr[BH_X_AUTOREPLY].len || bm->hdr[BH_X_AUTORESPOND].len)
        return 1;
    if (pr->len && bounce_memmem_ci(pr->p, pr->len, "auto_reply"))
        return 1;
    return has_word(bm->hdr[BH_SUBJECT], subj, sizeof(subj) / sizeof(subj[0]));
}

/* first_addr - the address in a header value, into the arena */
static struct sdx_str first_addr(struct bstate *st, struct sdx_str v)
{
    size_t off = 0, as, al;

    if (v.len && bounce_find_addr(v.p, v.len, &off, &as, &al))
        return copy(st, v.p + as, al);
    return (struct sdx_str){ "", 0 };
}

/* ---- classification ----------------------------------------------------------- */
static int status_generic(struct sdx_str s)
{
    return s.len >= 5 && s.p[1] == '.' && s.p[2] == '0' && s.p[3] == '.' && s.p[4] == '0' && s.len == 5;
}

static int hard(const struct sdx_bounce *b, const struct sdx_bounce_rcpt *r);
static void fix_verdict(struct bstate *st, struct sdx_bounce_rcpt *r);

/* text_stage - the command a bounce's words say the reply answered:
 * "after RCPT TO:<a>" (Exim), "in reply to RCPT TO command" (Postfix),
 * "did not like our RCPT TO" (DragonFly), ">>> RCPT To:<a>" (Sendmail's
 * transcript), "after initial connection" (the greeting) */
static enum sdx_stage text_stage(const char *p, size_t n)
{
    static const char *const lead[] = { "in reply to ", "after ", "did not like our ", ">>> ", "our " };
    size_t i;

    if (bounce_memmem_ci(p, n, "initial connection") || bounce_memmem_ci(p, n, "greeting"))
        return SDX_STAGE_CONNECT;
    for (i = 0; i < sizeof(lead) / sizeof(lead[0]); i++) {
        const char *q = bounce_memmem_ci(p, n, lead[i]);

        while (q) {
            size_t at = (size_t)(q - p) + strlen(lead[i]);
            enum sdx_stage s = sdx_stage_of_command(p + at, n - at);

            if (s != SDX_STAGE_OTHER && s != SDX_STAGE_UNKNOWN)
                return s;
            q = bounce_memmem_ci(p + at, n - at, lead[i]);
        }
    }
    return SDX_STAGE_UNKNOWN;
}

static void classify(struct bstate *st, struct sdx_bounce_rcpt *r, int from_text)
{
    char buf[SDX_REPLY_TEXT_MAX + 32];
    struct sdx_classify_ctx ctx;
    const char *at;
    char domain[256];
    size_t n = 0, k;
    struct sdx_status stf;
    int have_status = r->status.len && sdx_status_parse(r->status.p, r->status.len, &stf) == 0;

    /* the reply: the Diagnostic-Code as a DSN rendering; text found in a
     * bounce's words from its first reply code on, with what precedes it
     * kept when the reply parser knows the rendering */
    if (r->diag.len) {
        if (!from_text) {
            n = (size_t)snprintf(buf, sizeof(buf), "Diagnostic-Code: %.*s",
                                 (int)(r->diag.len > SDX_REPLY_TEXT_MAX ? SDX_REPLY_TEXT_MAX : r->diag.len),
                                 r->diag.p);
        } else {
            n = r->diag.len > sizeof(buf) - 1 ? sizeof(buf) - 1 : r->diag.len;
            memcpy(buf, r->diag.p, n);
        }
    } else if (have_status)
        n = (size_t)snprintf(buf, sizeof(buf), "%.*s", (int)r->status.len, r->status.p);
    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    if (sdx_reply_parse(&r->reply, buf, n) != 0) {
        st->err = SDX_ENOMEM;
        return;
    }
    /* words before the first code: Postfix's "host H[A] said:" is a
     * rendering the reply parser reads whole; any other prose is dropped,
     * its command named kept as the stage */
    if (from_text && (k = bounce_reply_at(buf, n)) != (size_t)-1 && k > 0 &&
        !(r->reply.code && n > 5 && strncasecmp(buf, "host ", 5) == 0 && bounce_memmem_ci(buf, k, "said:"))) {
        enum sdx_stage stage = text_stage(buf, k);


        if (sdx_reply_parse(&r->reply, buf + k, n - k) != 0) {
            st->err = SDX_ENOMEM;
            return;
        }
        if (r->reply.stage == SDX_STAGE_UNKNOWN)
            r->reply.stage = stage;
    }
    if (from_text && r->reply.stage == SDX_STAGE_UNKNOWN)
        r->reply.stage = text_stage(buf, n);   /* "(in reply to RCPT TO command)" after it */
    /* the remote server's own status (in its reply) is the more exact:
     * the Status field is the reporting MTA's summary, and MTAs write
     * their own there (Sendmail 4.4.7 when it gives up, Exim and
     * OpenSMTPD a generic 5.0.0) whatever the server said. The Status
     * field fills in when the reply has none, or only a generic x.0.0
     * where the field is specific. */
    if (have_status && (r->reply.status.klass == 0 ||
                        (r->reply.status.subject == 0 && r->reply.status.detail == 0 &&
                         !status_generic(r->status)) ||
                        /* the MTA decided another class (Postfix defers a 554
                         * greeting as 4.7.1): the field says what happened */
                        (stf.klass != r->reply.status.klass && !status_generic(r->status)))) {
        r->reply.status = stf;
        snprintf(r->reply.status_str, sizeof(r->reply.status_str), "%.*s",
                 (int)(r->status.len < 15 ? r->status.len : 15), r->status.p);
    }
    /* the outcome the bounce reports */
    r->outcome = SDX_OUT_BOUNCED;
    if (r->action.len) {
        if (sdx_str_ieq(r->action, "delayed"))
            r->outcome = SDX_OUT_DEFERRED;
        else if (sdx_str_ieq(r->action, "delivered") || sdx_str_ieq(r->action, "relayed") ||
                 sdx_str_ieq(r->action, "expanded"))
            r->outcome = SDX_OUT_DELIVERED;
        /* failed with a 4.x.x status: the MTA gave up after temporary
         * errors; the classifier decides from the reply whether that is
         * the expiry or the condition itself (if-bounced in the KB).
         * Status X.4.7 says it outright (RFC 3463 §3.5: delivery time
         * expired; Sendmail writes it beside the last 4xx reply) */
        else if (have_status && (stf.klass == 4 || (stf.subject == 4 && stf.detail == 7)))
            r->outcome = SDX_OUT_EXPIRED;   /* failed after temporary errors: it expired */
    } else if (from_text) {
        if (st->ts.expired)
            r->outcome = SDX_OUT_EXPIRED;
        else if (st->ts.delayed)
            r->outcome = SDX_OUT_DEFERRED;
    }
    memset(&ctx, 0, sizeof(ctx));
    /* an X.4.7 expiry is reported as the outcome; the reason stays the
     * condition the retries met when the reply names one (as Sisimai
     * does: blocked, systemfull ... over expired) */
    ctx.outcome = r->outcome == SDX_OUT_EXPIRED && r->action.len ? SDX_OUT_BOUNCED : r->outcome;
    domain[0] = '\0';
    if (r->recipient.len && (at = memchr(r->recipient.p, '@', r->recipient.len)) != NULL) {
        size_t dl = r->recipient.len - (size_t)(at + 1 - r->recipient.p);

        if (dl < sizeof(domain)) {
            memcpy(domain, at + 1, dl);
            domain[dl] = '\0';
            ctx.recipient_domain = domain;
        }
    }
    if (r->remote_mta.len && !r->reply.host[0])
        ctx.remote_host = r->remote_mta.p;
    if (r->reply.stage == SDX_STAGE_UNKNOWN)
        r->reply.stage = st->stage_hint;
    sdx_classify(&r->reply, &ctx, &r->verdict);
    fix_verdict(st, r);
}

/* fix_verdict - what the bounce adds to the classifier's verdict: the
 * permanence of a code-less failure, delivery, expiry, the hard bounce */
static void fix_verdict(struct bstate *st, struct sdx_bounce_rcpt *r)
{
    (void)st;
    /* a bounce reports a final failure: without a code it is permanent
     * (RFC 3464 Action: failed; the text says the message was returned) */
    if (r->verdict.perm == SDX_PERM_UNKNOWN &&
        (r->outcome == SDX_OUT_BOUNCED || r->outcome == SDX_OUT_EXPIRED))
        r->verdict.perm = SDX_PERM_PERMANENT;
    if (r->outcome == SDX_OUT_DELIVERED) {
        r->verdict.reason = SDX_REASON_DELIVERED;
        r->verdict.perm = SDX_PERM_SUCCESS;
        r->verdict.actor = SDX_ACTOR_NONE;
        r->verdict.reason_kb = sdx_kb_reason(SDX_REASON_DELIVERED);
        snprintf(r->verdict.rule, sizeof(r->verdict.rule), "action:%.*s", (int)r->action.len, r->action.p);
    } else if (r->outcome == SDX_OUT_EXPIRED && !r->action.len && r->verdict.perm != SDX_PERM_PERMANENT &&
               r->verdict.reason != SDX_REASON_EXPIRED) {
        r->verdict.reason = SDX_REASON_EXPIRED;
        r->verdict.reason_kb = sdx_kb_reason(SDX_REASON_EXPIRED);
        r->verdict.flags |= SDX_VERDICT_F_EXPIRED;
        snprintf(r->verdict.rule, sizeof(r->verdict.rule), "text:expired");
    }
    if (r->outcome == SDX_OUT_BOUNCED && r->verdict.reason == SDX_REASON_EXPIRED)
        r->outcome = SDX_OUT_EXPIRED;   /* Exim's "retry timeout exceeded" under a 5.0.0 */
    r->hard = hard(st->b, r);
}

/* hard - the address itself is bad (see bounce.h) */
static int hard(const struct sdx_bounce *b, const struct sdx_bounce_rcpt *r)
{
    if (r->outcome != SDX_OUT_BOUNCED && r->outcome != SDX_OUT_EXPIRED)
        return 0;
    if (((struct bstate *)b->priv)->second_hand)
        return 0;                           /* forwarded: anyone can attach one */
    switch (r->verdict.reason) {
    case SDX_REASON_USERUNKNOWN: case SDX_REASON_HOSTUNKNOWN: case SDX_REASON_HASMOVED:
        return 1;
    case SDX_REASON_NOTACCEPT:
        return r->verdict.perm == SDX_PERM_PERMANENT;
    default:
        return 0;
    }
}

static void fixed(struct sdx_bounce_rcpt *r, enum sdx_reason reason, const char *rule)
{
    sdx_reply_init(&r->reply);
    memset(&r->verdict, 0, sizeof(r->verdict));
    r->verdict.reason = reason;
    r->verdict.perm = SDX_PERM_UNKNOWN;
    r->verdict.actor = reason == SDX_REASON_VACATION ? SDX_ACTOR_NONE : SDX_ACTOR_SENDER_ADMIN;
    r->verdict.reason_kb = sdx_kb_reason(reason);
    snprintf(r->verdict.rule, sizeof(r->verdict.rule), "%s", rule);
    r->outcome = reason == SDX_REASON_VACATION ? SDX_OUT_DELIVERED : SDX_OUT_UNKNOWN;
}

/* in_text - what the bounce's text says of recipient rcpt (the text is
 * scanned once, on the first call); NULL if nothing, st->err on failure */
static const struct tfound *in_text(struct bstate *st, struct sdx_str text, int *scanned, struct sdx_str rcpt)
{
    size_t k;

    if (!text.len || !rcpt.len || st->err)
        return NULL;
    if (!*scanned) {
        if ((st->err = bounce_text(&st->mem, text.p, text.len, (struct sdx_str){ "", 0 }, &st->ts)) != 0)
            return NULL;
        *scanned = 1;
    }
    for (k = 0; k < st->ts.nfound; k++)
        if (st->ts.found[k].rcpt.len == rcpt.len && strncasecmp(st->ts.found[k].rcpt.p, rcpt.p, rcpt.len) == 0)
            return &st->ts.found[k];
    return NULL;
}

/* pasted - DSN fields in the text (a forwarded bounce, broken boundaries):
 * from the first Reporting-MTA or Final-Recipient line on */
static void pasted(struct bstate *st, struct sdx_str t)
{
    static const char *const start[] = { "Reporting-MTA:", "Final-Recipient:", "Original-Recipient:" };
    size_t i = 0, best = (size_t)-1, k;

    for (k = 0; k < 3; k++) {
        const char *p = t.p;
        size_t n = t.len;

        while (n && (p = bounce_memmem_ci(p, n, start[k])) != NULL) {
            if (p == t.p || p[-1] == '\n') {
                if ((size_t)(p - t.p) < best)
                    best = (size_t)(p - t.p);
                break;
            }
            n = t.len - (size_t)(p + 1 - t.p);
            p++;
        }
    }
    if (best == (size_t)-1)
        return;
    i = best;
    sdx_dsn_fields(t.p + i, t.len - i, dsn_field, st);
}

static void drop_empty(struct sdx_bounce *b)
{
    size_t i, k = 0;

    for (i = 0; i < b->nrcpt; i++) {
        if (!b->rcpt[i].recipient.len && b->rcpt[i].orig_recipient.len)
            b->rcpt[i].recipient = b->rcpt[i].orig_recipient;
        if (!b->rcpt[i].recipient.len && !b->rcpt[i].status.len && !b->rcpt[i].diag.len) {
            sdx_reply_release(&b->rcpt[i].reply);
            continue;
        }
        b->rcpt[k++] = b->rcpt[i];
    }
    b->nrcpt = k;
}

int sdx_bounce_parse(struct sdx_bounce *b, const char *p, size_t n, const struct sdx_bounce_opts *opts)
{
    size_t max = opts && opts->max_size ? opts->max_size : SDX_BOUNCE_SIZE_DEFAULT, i;
    int bouncy;
    struct bstate *st;
    struct bmail *bm;
    struct sdx_str text;

    memset(b, 0, sizeof(*b));
    b->decided_by = "nothing";
    if ((st = calloc(1, sizeof(*st))) == NULL)
        return SDX_ENOMEM;
    st->b = b;
    b->priv = st;
    bm = &st->bm;
    if (n > max) {
        b->skipped = n - max;
        b->flags |= SDX_BOUNCE_F_TRUNCATED;
        n = max;
    }
    /* an mbox separator line before a single message */
    if (n >= 5 && memcmp(p, "From ", 5) == 0) {
        const char *e = memchr(p, '\n', n);

        i = e ? (size_t)(e + 1 - p) : n;
        p += i;
        n -= i;
    }
    if ((st->err = bounce_mime(&st->mem, p, n, bm)) != 0)
        return st->err;
    b->flags |= bm->flags;
    b->mime_warnings = bm->warnings;
    b->from = bm->hdr[BH_FROM];
    b->subject = bm->hdr[BH_SUBJECT];
    b->date = bm->hdr[BH_DATE];
    text = bm->text;
    if ((bm->flags & SDX_BOUNCE_F_NOT_MIME) || !text.len)
        text = (struct sdx_str){ p, n > SDX_BOUNCE_TEXT_MAX ? SDX_BOUNCE_TEXT_MAX : n };
    if (bm->orig_headers.len)
        sdx_dsn_fields(bm->orig_headers.p, bm->orig_headers.len, orig_field, st);
    b->orig_sender = first_addr(st, b->orig_from);

    if (bm->arf.len) {                                  /* RFC 5965 */
        struct arf a;
        struct sdx_bounce_rcpt *r;
        size_t k;

        memset(&a, 0, sizeof(a));
        a.st = st;
        sdx_dsn_fields(bm->arf.p, bm->arf.len, arf_field, &a);
        b->kind = SDX_BOUNCE_ARF;
        b->decided_by = "feedback-report";
        b->feedback_type = a.type;
        b->rcpt_dropped += a.dropped;
        if (a.dropped)
            b->flags |= SDX_BOUNCE_F_RCPT_LIMIT;
        for (k = 0; k < (a.nrcpt ? a.nrcpt : 1) && (r = new_rcpt(st)) != NULL; k++) {
            fixed(r, SDX_REASON_FEEDBACK, "arf");
            r->recipient = a.nrcpt ? a.rcpt[k] : first_addr(st, b->orig_to);
            r->found_by = a.nrcpt ? "arf:original-rcpt-to" : "arf:original-to";
            r->diag = a.type;
        }
        return st->err;
    }
    if (bm->dsn.len) {
        sdx_dsn_fields(bm->dsn.p, bm->dsn.len, dsn_field, st);
        b->decided_by = "delivery-status-part";
    }
    if (!b->nrcpt && bm->dsn_attached.len) {
        sdx_dsn_fields(bm->dsn_attached.p, bm->dsn_attached.len, dsn_field, st);
        if (b->nrcpt) {
            b->flags |= SDX_BOUNCE_F_ATTACHED_DSN;
            b->decided_by = "delivery-status-in-attached-message";
        }
    }
    if (!b->nrcpt && text.len) {
        pasted(st, text);
        if (b->nrcpt) {
            b->flags |= SDX_BOUNCE_F_PASTED_DSN;
            b->decided_by = "dsn-fields-in-text";
        }
    }
    drop_empty(b);
    bouncy = looks_bounce(bm);      /* the sender and subject say so: asked once */
    st->second_hand = (b->flags & (SDX_BOUNCE_F_PASTED_DSN | SDX_BOUNCE_F_ATTACHED_DSN)) && !bouncy;
    if (b->nrcpt) {
        int scanned = 0;

        b->kind = SDX_BOUNCE_DSN;
        int staged = text.len && (bounce_memmem_ci(text.p, text.len, "in reply to") ||
                                  bounce_memmem_ci(text.p, text.len, " after "));

        for (i = 0; i < b->nrcpt && !st->err; i++) {
            struct sdx_bounce_rcpt *r = &b->rcpt[i];
            const struct tfound *f;
            int from_text = 0;

            if (b->flags & SDX_BOUNCE_F_ATTACHED_DSN)
                r->found_by = "dsn:attached";
            else if (b->flags & SDX_BOUNCE_F_PASTED_DSN)
                r->found_by = "dsn:pasted";

            /* a DSN without a diagnostic: the text may hold the reply */
            if (!r->diag.len && (f = in_text(st, text, &scanned, r->recipient)) != NULL && f->diag.len) {
                r->diag = f->diag;
                r->found_by = "dsn+text";
                from_text = 1;
            }
            classify(st, r, from_text);
            /* the Diagnostic-Code rarely names the command; Postfix's text
             * part does ("(in reply to end of DATA command)"), and a "user
             * unknown" after DATA is a filter speaking, not a lookup */
            if (!from_text && r->reply.stage == SDX_STAGE_UNKNOWN && staged &&
                (f = in_text(st, text, &scanned, r->recipient)) != NULL) {
                enum sdx_stage sg = text_stage(f->diag.p, f->diag.len);

                if (sg != SDX_STAGE_UNKNOWN) {
                    st->stage_hint = sg;
                    classify(st, r, 0);
                    st->stage_hint = SDX_STAGE_UNKNOWN;
                }
            }
        }
        if (st->err)
            return st->err;
        if (!b->orig_message_id.len && text.len) {
            if (scanned || bounce_text(&st->mem, text.p, text.len, (struct sdx_str){ "", 0 }, &st->ts) == 0)
                orig_from_text(st, text.p, text.len, st->ts.cut);
        }
        if (!b->orig_sender.len)
            b->orig_sender = first_addr(st, b->orig_from);
        return st->err;
    }
    if (text.len && !bounce_ses(text.p, text.len, &st->ses) &&
        bounce_memmem_ci(text.p, text.len, "\\\"notificationType\\\"")) {
        /* through SNS the notification is a JSON string in "Message":
         * its \" and \\ undone, into the arena */
        struct sdx_str u = copy(st, text.p, text.len);
        char *w = (char *)(uintptr_t)u.p;
        size_t k, o = 0;

        for (k = 0; k < u.len; k++) {
            if (u.p[k] == '\\' && k + 1 < u.len && (u.p[k + 1] == '"' || u.p[k + 1] == '\\' || u.p[k + 1] == '/'))
                k++;
            w[o++] = u.p[k];
        }
        if (u.len)
            (void)bounce_ses(u.p, o, &st->ses);
    }
    if (text.len && st->ses.type) {                     /* Amazon SES by mail */
        struct ses *ses = &st->ses;
        struct sdx_bounce_rcpt *r;

        if (ses->type == SES_COMPLAINT) {
            b->kind = SDX_BOUNCE_ARF;
            b->feedback_type = copy(st, ses->feedback.p, ses->feedback.len);
        } else
            b->kind = SDX_BOUNCE_DSN;
        b->decided_by = "amazon-ses-notification";
        for (i = 0; i < ses->n && (r = new_rcpt(st)) != NULL; i++) {
            r->recipient = copy(st, ses->r[i].addr.p, ses->r[i].addr.len);
            r->found_by = "ses:recipient";
            if (ses->type == SES_COMPLAINT) {
                fixed(r, SDX_REASON_FEEDBACK, "ses:complaint");
                r->diag = b->feedback_type;
                continue;
            }
            if (ses->type == SES_DELIVERY) {
                r->action = copy(st, "delivered", 9);
                r->diag = copy(st, ses->response.p, ses->response.len);
            } else {
                r->action = copy(st, ses->r[i].action.p, ses->r[i].action.len);
                r->status = copy(st, ses->r[i].status.p, ses->r[i].status.len);
                r->diag = copy(st, ses->r[i].diag.p, ses->r[i].diag.len);
            }
            classify(st, r, ses->type == SES_DELIVERY);
        }
        if (b->nrcpt)
            return st->err;
        b->kind = SDX_BOUNCE_NONE;
    }
    if (!bouncy && looks_autoreply(bm)) {     /* RFC 3834 */
        struct sdx_bounce_rcpt *r;

        b->kind = SDX_BOUNCE_AUTOREPLY;
        b->decided_by = "auto-reply-headers";
        if ((r = new_rcpt(st)) != NULL) {
            fixed(r, SDX_REASON_VACATION, "autoreply");
            r->recipient = first_addr(st, bm->hdr[BH_FROM]);
            r->diag = b->subject;
            r->found_by = "autoreply:from";
        }
        return st->err;
    }
    /* the bounce's words */
    st->ts.nexclude = 0;
    {
        struct sdx_str ex[3];
        size_t k;

        ex[0] = first_addr(st, bm->hdr[BH_TO]);
        ex[1] = first_addr(st, bm->hdr[BH_FROM]);
        ex[2] = first_addr(st, b->orig_from);
        for (k = 0; k < 3; k++)
            if (ex[k].len)
                st->ts.exclude[st->ts.nexclude++] = ex[k].p;
        /* "please contact <postmaster@HOST>": the reporting host's own
         * postmaster is the contact, not a recipient (another host's can be) */
        if (ex[1].len) {
            const char *at = memchr(ex[1].p, '@', ex[1].len);
            char pm[300];
            int pn;

            if (at && (pn = snprintf(pm, sizeof(pm), "postmaster%.*s", (int)(ex[1].len - (size_t)(at - ex[1].p)),
                                     at)) > 0 && (size_t)pn < sizeof(pm)) {
                struct sdx_str e = copy(st, pm, (size_t)pn);

                if (e.len)
                    st->ts.exclude[st->ts.nexclude++] = e.p;
            }
        }
    }
    if (text.len && (st->err = bounce_text(&st->mem, text.p, text.len,
                                           bm->hdr[BH_X_FAILED_RECIPIENTS], &st->ts)) != 0)
        return st->err;
    if (!b->orig_message_id.len && text.len)
        orig_from_text(st, text.p, text.len, st->ts.cut);
    if (!b->orig_sender.len)
        b->orig_sender = first_addr(st, b->orig_from);
    if (!bouncy) {
        size_t k, withreply = 0;

        for (k = 0; k < st->ts.nfound; k++)
            withreply += strcmp(st->ts.found[k].how, "text:after-recipient") == 0 ||
                         strcmp(st->ts.found[k].how, "text:recipient-line") == 0;
        if (!withreply) {                               /* a message that is no bounce */
            b->kind = SDX_BOUNCE_NONE;
            b->decided_by = "no-dsn-no-bounce-words";
            return st->err;
        }
    }
    for (i = 0; i < st->ts.nfound && !st->err; i++) {
        struct sdx_bounce_rcpt *r = new_rcpt(st);

        if (!r) {
            b->rcpt_dropped += st->err ? 0 : st->ts.nfound - i;
            break;
        }
        r->recipient = st->ts.found[i].rcpt;
        r->diag = st->ts.found[i].diag;
        r->found_by = st->ts.found[i].how;
        classify(st, r, 1);
    }
    /* a bounce that names no address before the returned message ("Message
     * could not be delivered to mobile."): the returned message's To is the
     * recipient, the words before it the diagnostic */
    if (!st->ts.nfound && bouncy && b->orig_to.len && st->ts.cut > 0) {
        struct sdx_str to = first_addr(st, b->orig_to);
        struct sdx_bounce_rcpt *r;
        size_t n0 = st->ts.cut < 1024 ? st->ts.cut : 1024;

        if (to.len && !st->err && (r = new_rcpt(st)) != NULL) {
            r->recipient = to;
            r->diag = copy(st, text.p, n0);
            r->found_by = "text:original-to";
            classify(st, r, 1);
        }
    }
    if (b->nrcpt) {
        b->kind = SDX_BOUNCE_TEXT;
        b->decided_by = bouncy ? "bounce-headers+text" : "text";
    } else {
        b->kind = SDX_BOUNCE_NONE;
        b->decided_by = bouncy ? "bounce-headers-no-recipient" : "no-dsn-no-bounce-words";
    }
    return st->err;
}

void sdx_bounce_release(struct sdx_bounce *b)
{
    struct bstate *st = b->priv;
    size_t i;

    for (i = 0; i < b->nrcpt; i++)
        sdx_reply_release(&b->rcpt[i].reply);
    free(b->rcpt);
    if (st) {
        bmem_free(&st->mem);
        free(st);
    }
    memset(b, 0, sizeof(*b));
}

void sdx_bounce_event(const struct sdx_bounce *b, size_t i, struct sdx_event *e)
{
    const struct sdx_bounce_rcpt *r = &b->rcpt[i];

    sdx_event_init(e, &r->reply);
    e->dir = SDX_DIR_OUTBOUND;
    e->outcome = r->outcome;
    e->stage = r->reply.stage;
    e->recipient = r->recipient;
    e->orig_recipient = r->orig_recipient;
    e->message_id = b->orig_message_id;
    e->sender = b->orig_sender;
    e->server.host = r->remote_mta.len ? r->remote_mta : sdx_str_from(r->reply.host);
    e->server.addr = sdx_str_from(r->reply.addr);
    e->relay = b->reporting_mta;
    e->dsn = r->status;
}
