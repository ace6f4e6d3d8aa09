/* bounce.h - bounce messages (DSNs) to per-recipient failure events
 * In:  one message as bytes: a multipart/report with message/delivery-status
 *      (RFC 3464) or message/global-delivery-status (RFC 6533), an ARF
 *      feedback report (RFC 5965), an auto-reply (RFC 3834), or a bounce in
 *      an MTA's or provider's own words (text only). MIME through GMime 3.
 * Out: struct sdx_bounce: what kind of message it is, the original
 *      message's headers, and per recipient the DSN fields, the reply
 *      parsed with sdx_reply_parse() and the verdict of the shared
 *      classifier (sdx_classify), with the rule that found the recipient.
 * Untrusted input: the message is read up to opts->max_size bytes (the
 *      rest is counted in skipped); MIME nesting deeper than
 *      SDX_BOUNCE_DEPTH_MAX is not walked (flagged); at most
 *      SDX_BOUNCE_RCPT_MAX recipients are kept (the rest counted). Never
 *      fails on malformed input: defects are flags, the message is said
 *      to be no bounce when nothing in it is one. */
#ifndef SMTPDX_BOUNCE_H
#define SMTPDX_BOUNCE_H

#include <stddef.h>
#include "buf.h"
#include "classify.h"
#include "event.h"
#include "reply.h"

#define SDX_BOUNCE_SIZE_DEFAULT (16u << 20)  /* bytes of one message read */
#define SDX_BOUNCE_DEPTH_MAX    32           /* MIME levels walked */
#define SDX_BOUNCE_RCPT_MAX     1000         /* recipients kept per message */
#define SDX_BOUNCE_TEXT_MAX     (256u << 10) /* bytes of a text part read */

/* what the message is; name, description */
#define SDX_BOUNCE_KINDS(X)                                                          \
    X(NONE,      "none",      "not a bounce, report or auto-reply")                  \
    X(DSN,       "dsn",       "a delivery status notification (RFC 3464 or RFC 6533)") \
    X(TEXT,      "text",      "a bounce in the words of the MTA or provider that sent it (no DSN part)") \
    X(ARF,       "arf",       "an abuse or feedback report (RFC 5965)")              \
    X(AUTOREPLY, "autoreply", "an automatic reply such as an out-of-office notice (RFC 3834)")

enum sdx_bounce_kind {
#define X(e, name, desc) SDX_BOUNCE_##e,
    SDX_BOUNCE_KINDS(X)
#undef X
    SDX_BOUNCE_KIND_COUNT
};

/* defects and limits met while reading; word, sentence */
#define SDX_BOUNCE_FLAGS(X)                                                           \
    X(TRUNCATED,  0x01u, "truncated",  "the message is larger than the size limit; the rest was not read") \
    X(NOT_MIME,   0x02u, "not-mime",   "the input is not a message GMime could read")  \
    X(MIME_DEFECT,0x04u, "mime-defect","the MIME structure has defects (GMime warnings)") \
    X(DEEP,       0x08u, "deep",       "MIME parts nested deeper than the limit were not read") \
    X(PASTED_DSN, 0x10u, "pasted-dsn", "the DSN fields were found in the text, not in a delivery-status part (in a forward, no hard bounce is counted)") \
    X(RCPT_LIMIT, 0x20u, "rcpt-limit", "more recipients than the limit; the rest were not kept") \
    X(TEXT_CUT,   0x40u, "text-cut",   "a text part was longer than the limit and was cut") \
    X(ATTACHED_DSN,0x80u,"attached-dsn","the DSN is inside an attached message (in a forward, no hard bounce is counted)")

enum {
#define X(name, bit, word, desc) SDX_BOUNCE_F_##name = bit,
    SDX_BOUNCE_FLAGS(X)
#undef X
};

struct sdx_bounce_rcpt {
    struct sdx_str      recipient;      /* Final-Recipient address (type stripped) */
    struct sdx_str      orig_recipient; /* Original-Recipient, or empty */
    struct sdx_str      action;         /* failed, delayed, delivered, relayed, expanded; or empty */
    struct sdx_str      status;         /* Status: as given ("5.1.1"), or empty */
    struct sdx_str      remote_mta;     /* Remote-MTA host (type stripped), or empty */
    struct sdx_str      diag;           /* Diagnostic-Code value, or the reply text found */
    struct sdx_str      last_attempt;   /* Last-Attempt-Date, or empty */
    enum sdx_outcome    outcome;        /* bounced, deferred, expired, delivered */
    struct sdx_reply    reply;          /* diag parsed; Status fills a missing status */
    struct sdx_verdict  verdict;        /* the shared classifier's */
    const char         *found_by;       /* how the recipient was found: "dsn", "text:..." */
    int                 hard;           /* a hard bounce: the address or its domain does
                                         * not exist (userunknown, hostunknown, hasmoved,
                                         * or a permanent notaccept): drop the address.
                                         * Other permanent failures (blocked, spamdetected)
                                         * are about the sender, not the address. Never
                                         * set for a DSN pasted or attached in a message
                                         * that is no bounce itself (a forward: anyone
                                         * can attach one to a mail). */
};

struct sdx_bounce {
    enum sdx_bounce_kind kind;
    const char         *decided_by;     /* why this kind: "report-type", "dsn-part", ... */
    unsigned            flags;          /* SDX_BOUNCE_F_* */
    size_t              skipped;        /* bytes beyond the size limit */
    size_t              rcpt_dropped;   /* recipients beyond SDX_BOUNCE_RCPT_MAX */
    unsigned long       mime_warnings;  /* GMime's count */
    /* the bounce itself */
    struct sdx_str      from, subject, date, reporting_mta, arrival_date;
    struct sdx_str      feedback_type;  /* ARF: abuse, fraud, opt-out ...; or empty */
    /* the original message (attached, or its headers) */
    struct sdx_str      orig_message_id, orig_from, orig_to, orig_subject, orig_date;
    struct sdx_str      orig_sender;    /* the address in orig_from, or empty */
    struct sdx_bounce_rcpt *rcpt;
    size_t              nrcpt;
    void               *priv;           /* storage; sdx_bounce_release() frees it */
};

struct sdx_bounce_opts {
    size_t max_size;                    /* 0: SDX_BOUNCE_SIZE_DEFAULT */
};

/* sdx_bounce_parse - read the message p[0..n) into b (initialised here).
 * Returns 0 (also for a message that is no bounce: kind NONE) or
 * SDX_ENOMEM. Call sdx_bounce_release() after either. */
SDX_API SDX_NODISCARD int sdx_bounce_parse(struct sdx_bounce *b, const char *p, size_t n,
                                           const struct sdx_bounce_opts *opts);
SDX_API void sdx_bounce_release(struct sdx_bounce *b);

/* sdx_bounce_event - the failure event of recipient i, for the renderers;
 * strings borrowed from b */
SDX_API void sdx_bounce_event(const struct sdx_bounce *b, size_t i, struct sdx_event *e);

SDX_API const char *sdx_bounce_kind_name(enum sdx_bounce_kind k);
SDX_API const char *sdx_bounce_kind_desc(enum sdx_bounce_kind k);
SDX_API const char *sdx_bounce_flag_name(unsigned bit);
SDX_API const char *sdx_bounce_flag_desc(unsigned bit);

/* sdx_mbox_next - the next message of an mbox p[0..n) from *off: its start
 * and length (the "From " separator line dropped, ">From " unquoted is NOT
 * done: GMime reads the body as it is). Returns 1 while there is one, 0
 * at the end. Separators are "From " lines at the start, after an empty
 * line (mboxo/mboxrd), or anywhere when they carry a time ("From a@b Thu
 * Jul  2 12:05:05 2020": messages glued together without the empty line). */
SDX_API int sdx_mbox_next(const char *p, size_t n, size_t *off, const char **msg, size_t *len);

/* sdx_dsn_fields - the RFC 3464 field parser alone (also used for pasted
 * DSNs and ARF reports): calls fn for each unfolded field, with the block
 * number (0 for the first block, +1 after each empty line). Bounded: lines
 * longer than 64 KiB are cut. Returns the number of fields. */
typedef void sdx_dsn_field_fn(void *arg, unsigned block, const char *name, size_t nlen,
                              const char *value, size_t vlen);
SDX_API size_t sdx_dsn_fields(const char *p, size_t n, sdx_dsn_field_fn *fn, void *arg);

#endif
