/* classify.c - decide reason, permanence and actor for one reply
 * In:  struct sdx_reply (reply.c) and optional context (stage, remote host,
 *      recipient domain). Out: struct sdx_verdict (classify.h).
 * Checklist, each step only when the earlier ones found nothing better:
 *   1. identify the provider: a marker in the text, the remote host's
 *      suffix, the recipient domain;
 *   2. text patterns (match.c) and code-only provider patterns whose
 *      constraints hold; the most specific wins (docs/kb-format.md);
 *   3. the enhanced status entry (IANA registry) for its class;
 *   4. the basic code entry (RFC 5321 and extensions);
 *   5. the class alone: onhold (the outcome is known, not why), or
 *      undefined when the input has no code at all.
 * Then the stage may refine it (a mailbox refused at MAIL FROM is the
 * sender's: rejected), and permanence comes from the basic code, which
 * governs what an SMTP client does (RFC 5321 §4.2.1); the enhanced class
 * only when no basic code is known (RFC 3463 §2 wants them to agree).
 * Not here: parsing (reply.c), wording (the CLI renders KB entries). */
#include <string.h>
#include "smtpdx/classify.h"
#include "match_int.h"
#include "core/norm.h"
#include "core/limits.h"

/* set_rule - "kind:detail" into v->rule, bounded, without printf (hot path) */
static void set_rule(struct sdx_verdict *v, const char *kind, const char *detail)
{
    size_t k = strlen(kind), d = strlen(detail), cap = sizeof(v->rule) - 1;

    if (k > cap)
        k = cap;
    memcpy(v->rule, kind, k);
    if (d > cap - k)
        d = cap - k;
    memcpy(v->rule + k, detail, d);
    v->rule[k + d] = '\0';
}

/* suffix_match - host equals suffix or ends with "." suffix (case-insensitive) */
static int suffix_match(const char *host, const char *suffix)
{
    size_t hl = strlen(host), sl = strlen(suffix);
    struct sdx_str tail;

    if (sl == 0 || hl < sl)
        return 0;
    tail.p = host + hl - sl, tail.len = sl;
    if (!sdx_str_ieq(tail, suffix))
        return 0;
    return hl == sl || host[hl - sl - 1] == '.';
}

/* provider_by_name - the provider whose host (or domain) list has the
 * longest suffix of name: olc.protection.outlook.com is Outlook.com even
 * though protection.outlook.com (Microsoft 365) is a suffix too */
static int provider_by_name(const char *name, int hosts)
{
    const struct sdx_kb *kb = sdx_kb();
    size_t i, k, best_len = 0;
    int best = -1;

    if (name == NULL || *name == '\0')
        return -1;
    for (i = 0; i < kb->nproviders; i++) {
        const char *const *list = hosts ? kb->providers[i].hosts : kb->providers[i].domains;

        for (k = 0; list[k]; k++)
            if (strlen(list[k]) > best_len && suffix_match(name, list[k]))
                best = (int)i, best_len = strlen(list[k]);
    }
    return best;
}

static int reply_ok(const struct sdx_kb_pattern *pt, const struct sdx_reply *r)
{
    unsigned i;
    int klass = sdx_reply_class(r);

    if (pt->nreplies == 0)
        return 1;
    for (i = 0; i < pt->nreplies; i++) {
        const struct sdx_kb_replyc *c = &pt->replies[i];

        if (c->code ? c->code == r->code : c->klass == klass)
            return 1;
    }
    return 0;
}

static int status_ok(const struct sdx_kb_pattern *pt, const struct sdx_reply *r)
{
    unsigned i;

    if (pt->nstatuses == 0)
        return 1;
    if (r->status.klass == 0)
        return 0;
    for (i = 0; i < pt->nstatuses; i++) {
        const struct sdx_kb_statusc *c = &pt->statuses[i];

        if ((c->klass == 0 || c->klass == r->status.klass) && c->subject == r->status.subject &&
            c->detail == r->status.detail)
            return 1;
    }
    return 0;
}

/* stage_ok - an unknown stage passes unless the pattern needs it known */
static int stage_ok(const struct sdx_kb_pattern *pt, enum sdx_stage st)
{
    if (pt->stages == 0)
        return 1;
    if (st == SDX_STAGE_UNKNOWN || (unsigned)st >= SDX_STAGE_COUNT)
        return !pt->requires_stage;
    return (pt->stages & (1u << st)) != 0;
}

/* better - is candidate (a) more specific than the current best (b)?
 * A product or provider text beats a generic one; among those, the
 * identified provider's own pattern wins, then one that matched text, then
 * a status constraint, the matched length, a reply constraint, file order.
 * Generic patterns rank
 * by their order in generic.kb (written most specific first), because the
 * length of a generic match says little ("policy" is longer than "dmarc"). */
static int better(const struct sdx_kb_pattern *a, size_t am, unsigned ai,
                  const struct sdx_kb_pattern *b, size_t bm, unsigned bi, int prov)
{
    int aown, bown;

    if (b == NULL)
        return 1;
    if ((a->provider < 0) != (b->provider < 0))
        return a->provider >= 0;
    if (a->provider < 0)
        return ai < bi;
    /* the identified provider's own pattern, then one that read text */
    aown = prov >= 0 && a->provider == prov, bown = prov >= 0 && b->provider == prov;
    if (aown != bown)
        return aown;
    if ((am > 0) != (bm > 0))
        return am > 0;
    if ((a->nstatuses > 0) != (b->nstatuses > 0))
        return a->nstatuses > 0;
    if (am != bm)
        return am > bm;
    if ((a->nreplies > 0) != (b->nreplies > 0))
        return a->nreplies > 0;
    return ai < bi;
}

static enum sdx_perm perm_of_class(int klass)
{
    switch (klass) {
    case 2: return SDX_PERM_SUCCESS;
    case 4: return SDX_PERM_TRANSIENT;
    case 5: return SDX_PERM_PERMANENT;
    default: return SDX_PERM_UNKNOWN;
    }
}

int sdx_classify(const struct sdx_reply *r, const struct sdx_classify_ctx *ctx, struct sdx_verdict *v)
{
    const struct sdx_kb *kb = sdx_kb();
    char norm[SDX_REPLY_TEXT_MAX + 1];
    struct sdx__match_res mr;
    const struct sdx_kb_pattern *best = NULL;
    size_t best_m = 0, nl;
    unsigned best_i = 0, i, nbare;
    const unsigned *bare;
    int prov = -1, klass = sdx_reply_class(r), reason = -1;
    const char *host;

    memset(v, 0, sizeof(*v));
    v->stage = ctx && ctx->stage != SDX_STAGE_UNKNOWN ? ctx->stage : r->stage;
    host = ctx && ctx->remote_host ? ctx->remote_host : r->host;
    v->code = r->code ? sdx_kb_code(r->code) : NULL;
    v->status = r->status.klass ? sdx_kb_status(r->status.subject, r->status.detail) : NULL;
    if (r->code && v->code == NULL)
        v->flags |= SDX_VERDICT_F_UNKNOWN_CODE;
    if (r->status.klass && v->status == NULL)
        v->flags |= SDX_VERDICT_F_UNKNOWN_STATUS;
    if (r->flags & SDX_REPLY_F_CLASS_MISMATCH)
        v->flags |= SDX_VERDICT_F_CLASS_FROM_CODE;

    /* 1. provider */
    nl = sdx__norm(norm, sizeof(norm), r->text.data, r->text.len);
    sdx__match(norm, nl, &mr);
    /* the server's own name is the strongest evidence; a marker in the text
     * can be quoted from another system (a relay, a forwarded reply) */
    if ((prov = provider_by_name(host, 1)) >= 0)
        v->provider_by = "host";
    else if ((prov = mr.provider) >= 0)
        v->provider_by = "text";
    else if (ctx && (prov = provider_by_name(ctx->recipient_domain, 0)) >= 0)
        v->provider_by = "domain";
    v->provider = prov >= 0 ? &kb->providers[prov] : NULL;

    /* 2. patterns: text hits, then code-only patterns */
    for (i = 0; i < mr.nhits; i++) {
        const struct sdx_kb_pattern *pt = &kb->patterns[mr.hits[i].pattern];

        if ((pt->requires_provider && pt->provider != prov) || !reply_ok(pt, r) || !status_ok(pt, r))
            continue;
        if (!stage_ok(pt, v->stage))
            continue;
        if (better(pt, mr.hits[i].matched, mr.hits[i].pattern, best, best_m, best_i, prov))
            best = pt, best_m = mr.hits[i].matched, best_i = mr.hits[i].pattern;
    }
    bare = sdx__match_bare(&nbare);
    for (i = 0; i < nbare; i++) {
        const struct sdx_kb_pattern *pt = &kb->patterns[bare[i]];

        if ((pt->requires_provider && pt->provider != prov) || !reply_ok(pt, r) || !status_ok(pt, r))
            continue;
        if (!stage_ok(pt, v->stage))
            continue;
        if (better(pt, 0, bare[i], best, best_m, best_i, prov))
            best = pt, best_m = 0, best_i = bare[i];
    }
    if (best) {
        v->pattern = best;
        /* the text is the provider's own: that identifies it too */
        if (prov < 0 && best->provider >= 0) {
            v->provider = &kb->providers[best->provider];
            v->provider_by = "text";
        }
        reason = best->reason;
        set_rule(v, "pattern:", best->id);
        if (best->differs && r->status.klass)
            v->flags |= SDX_VERDICT_F_PROVIDER_DIFFERS;
    }

    /* a generic "user unknown" text under a generic mailbox status (X.2.0)
     * or a policy status (X.7.x): the server found the mailbox or refused by
     * policy (RFC 3463 §3.3, §3.8) and only words it as unknown, as filters
     * do. X.2.1 and the other X.2 details are left alone: servers mix them
     * with "user unknown" for plain unknown users too. */
    if (reason == SDX_REASON_USERUNKNOWN && best && best->provider < 0 && r->status.klass >= 4 &&
        ((r->status.subject == 2 && r->status.detail == 0) || r->status.subject == 7)) {
        reason = SDX_REASON_FILTERED;
        v->flags |= SDX_VERDICT_F_STATUS_REFINES;
    }

    /* a diagnostic from a local delivery program (RFC 3464 §2.3.6 type
     * X-Unix, as Postfix and Sendmail write it) is the mailer's failure */
    if (reason < 0 && strcmp(r->diag_type, "x-unix") == 0) {
        reason = SDX_REASON_MAILERERROR;
        set_rule(v, "diagnostic-type:", "x-unix");
    }

    /* 3. enhanced status, 4. basic code */
    if (reason < 0 && v->status) {
        int rs = klass == 4 && v->status->reason_transient >= 0 ? v->status->reason_transient
                                                                : v->status->reason;
        if (rs >= 0) {
            reason = rs;
            set_rule(v, "status:", r->status_str);
        }
    }
    if (reason < 0 && v->code && v->code->reason >= 0) {
        reason = v->code->reason;
        char c[4] = { (char)('0' + r->code / 100), (char)('0' + r->code / 10 % 10),
                      (char)('0' + r->code % 10), 0 };

        set_rule(v, "code:", c);
    }
    /* an unregistered status still names its subject (RFC 3463 §3) */
    if (reason < 0 && r->status.klass >= 4) {
        static const int by_subject[8] = {
            -1, SDX_REASON_USERUNKNOWN, SDX_REASON_FILTERED, SDX_REASON_SYSTEMERROR,
            SDX_REASON_NETWORKERROR, SDX_REASON_SYNTAXERROR, SDX_REASON_CONTENTERROR,
            SDX_REASON_SECURITYERROR
        };
        if (r->status.subject < 8 && by_subject[r->status.subject] >= 0 && r->status.detail != 0) {
            reason = by_subject[r->status.subject];
            char sj[4] = { (char)('0' + r->status.subject), 0 };

            set_rule(v, "subject:X.", sj);
        }
    }

    /* 5. class only */
    if (reason < 0) {
        /* onhold: the outcome is known (a class) but not why; undefined:
         * not even that, the input carried no code at all */
        if (klass == 2)
            reason = SDX_REASON_DELIVERED;
        else
            reason = klass ? SDX_REASON_ONHOLD : SDX_REASON_UNDEFINED;
        char kc[2] = { (char)('0' + klass), 0 };

        set_rule(v, klass ? "class:" : "none", klass ? kc : "");
    }

    /* the stage refines a vague verdict: MAIL FROM carries nothing but the
     * sender's address, so a refusal there that names no other cause (the
     * client, the syntax, a rate) is about the sender */
    if (v->stage == SDX_STAGE_MAIL && (v->pattern == NULL || v->pattern->provider < 0) &&
        (reason == SDX_REASON_USERUNKNOWN || reason == SDX_REASON_HOSTUNKNOWN ||
         (v->pattern == NULL && (reason == SDX_REASON_SECURITYERROR || reason == SDX_REASON_ONHOLD)))) {
        reason = SDX_REASON_REJECTED;
        v->flags |= SDX_VERDICT_F_STAGE_ADJUSTED;
    }
    /* a refusal of the connection or the greeting that names no cause
     * refuses the client itself (RFC 5321 §3.1: 554 at the greeting) */
    if ((v->stage == SDX_STAGE_CONNECT || v->stage == SDX_STAGE_HELO) && v->pattern == NULL &&
        (reason == SDX_REASON_ONHOLD || reason == SDX_REASON_SECURITYERROR)) {
        reason = SDX_REASON_BLOCKED;
        v->flags |= SDX_VERDICT_F_STAGE_ADJUSTED;
    }
    /* the source says the message expired (Postfix "status=expired", Exim
     * "retry timeout exceeded") and the last reply was temporary: the
     * reason is the expiry (RFC 5321 §4.5.4.1); the pattern stays, to say
     * what the last attempt met. A mere bounce with a 4xx is not enough:
     * soft_bounce and DSN generators send those too. */
    if (ctx && ctx->outcome == SDX_OUT_EXPIRED && klass == 4) {
        reason = SDX_REASON_EXPIRED;
        v->flags |= SDX_VERDICT_F_EXPIRED;
    }
    /* the source says only that it bounced: the KB says which temporary
     * replies cannot bounce a message by themselves (a connection that
     * timed out is retried until the queue lifetime ends: if-bounced) */
    if (ctx && ctx->outcome == SDX_OUT_BOUNCED && klass == 4) {
        int ib = v->pattern ? v->pattern->if_bounced :
                 v->status && strncmp(v->rule, "status:", 7) == 0 ? v->status->if_bounced : -1;

        if (ib >= 0) {
            reason = ib;
            v->flags |= SDX_VERDICT_F_EXPIRED;
        }
    }
    v->reason = (enum sdx_reason)reason;
    v->reason_kb = sdx_kb_reason(v->reason);

    /* permanence: the basic code governs; a pattern may document otherwise */
    v->perm = perm_of_class(klass);
    if (v->pattern && v->pattern->perm)
        v->perm = (enum sdx_perm)v->pattern->perm;

    /* actor: the most specific entry that names one */
    v->actor = SDX_ACTOR_UNKNOWN;
    if (v->pattern && v->pattern->actor != SDX_ACTOR_UNKNOWN)
        v->actor = (enum sdx_actor)v->pattern->actor;
    else if (v->pattern == NULL && v->status && v->status->actor != SDX_ACTOR_UNKNOWN &&
             strncmp(v->rule, "status:", 7) == 0)
        v->actor = (enum sdx_actor)v->status->actor;
    else if (v->reason_kb && v->reason_kb->actor != SDX_ACTOR_UNKNOWN)
        v->actor = (enum sdx_actor)v->reason_kb->actor;
    else if (v->code)
        v->actor = (enum sdx_actor)v->code->actor;
    if (klass == 2)
        v->actor = SDX_ACTOR_NONE;
    return 0;
}

int sdx_classify_text(const char *p, size_t n, const struct sdx_classify_ctx *ctx,
                      struct sdx_reply *scratch, struct sdx_verdict *v)
{
    int err = sdx_reply_parse(scratch, p, n);

    if (err)
        return err;
    return sdx_classify(scratch, ctx, v);
}
