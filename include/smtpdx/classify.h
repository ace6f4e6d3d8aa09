/* classify.h - reply (and what is known around it) -> verdict
 * In:  a parsed reply, plus the stage, remote host and recipient domain
 *      when the caller knows them (the rendering may have named some).
 * Out: struct sdx_verdict: reason (Sisimai vocabulary), permanence, who
 *      must act, the knowledge-base entries that explain it, and the rule
 *      that decided. Pure function of its inputs and the built-in KB;
 *      thread-safe; no allocation per call.
 * Order of evidence: a provider's own documented text or code (when the
 * text, host or recipient domain identifies the provider), then any
 * documented product or generic text, then the enhanced status, then the
 * basic code, then the class. A specific text beats a bare code. */
#ifndef SMTPDX_CLASSIFY_H
#define SMTPDX_CLASSIFY_H

#include "kb.h"
#include "reply.h"

struct sdx_classify_ctx {
    enum sdx_stage  stage;              /* SDX_STAGE_UNKNOWN: use the reply's */
    const char     *remote_host;        /* NULL: use the reply's */
    const char     *recipient_domain;   /* NULL if unknown */
    enum sdx_outcome outcome;           /* SDX_OUT_UNKNOWN unless the source says (a bounce, a log) */
};

#define SDX_VERDICT_F_PROVIDER_DIFFERS 0x01u  /* the provider's meaning of the status differs from IANA */
#define SDX_VERDICT_F_CLASS_FROM_CODE  0x02u  /* code and status classes disagreed; the code's won */
#define SDX_VERDICT_F_STAGE_ADJUSTED   0x04u  /* the stage changed the reason (e.g. 5.1.1 at MAIL: rejected) */
#define SDX_VERDICT_F_UNKNOWN_CODE     0x08u  /* the basic code is not in any RFC: meaning from its class */
#define SDX_VERDICT_F_UNKNOWN_STATUS   0x10u  /* the status is not in the registry: meaning from its class/subject */
#define SDX_VERDICT_F_STATUS_REFINES   0x20u  /* a mailbox or policy status overrode a "user unknown" text */
#define SDX_VERDICT_F_EXPIRED          0x40u  /* the source says the message expired after this temporary reply */

struct sdx_verdict {
    enum sdx_reason                 reason;
    enum sdx_perm                   perm;
    enum sdx_actor                  actor;
    enum sdx_stage                  stage;      /* as used for the decision */
    const struct sdx_kb_code       *code;       /* the basic code's entry, or NULL */
    const struct sdx_kb_status     *status;     /* the enhanced status's entry, or NULL */
    const struct sdx_kb_pattern    *pattern;    /* the matched text pattern, or NULL */
    const struct sdx_kb_provider   *provider;   /* identified provider, or NULL */
    const char                     *provider_by;/* "text", "host", "domain" or NULL */
    const struct sdx_kb_reason     *reason_kb;  /* description of the reason */
    char                            rule[96];   /* "pattern:gmail-5.7.26", "status:5.1.1", "code:550", "class:5" */
    unsigned                        flags;      /* SDX_VERDICT_F_* */
};

/* sdx_classify - decide the verdict for r; ctx may be NULL. Returns 0. */
SDX_API int sdx_classify(const struct sdx_reply *r, const struct sdx_classify_ctx *ctx,
                         struct sdx_verdict *v);

/* sdx_classify_text - parse and classify in one call, for callers holding
 * raw text (benchmarks, bindings). Returns 0 or SDX_ENOMEM. */
SDX_API int sdx_classify_text(const char *p, size_t n, const struct sdx_classify_ctx *ctx,
                              struct sdx_reply *scratch, struct sdx_verdict *v);

#endif
