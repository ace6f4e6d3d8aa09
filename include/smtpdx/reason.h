/* reason.h - the shared vocabularies: reason, permanence, actor, stage
 * Reasons are Sisimai's current names (after its December 2025 releases:
 * ratelimited replaced speeding and toomanyconn, emailtoolarge replaced
 * mesgtoobig and exceedlimit); the old names are accepted as input aliases
 * so results compare with any Sisimai version. One X-macro list each, so
 * enums, names, help texts and JSON values cannot drift apart. */
#ifndef SMTPDX_REASON_H
#define SMTPDX_REASON_H

#include "error.h"

/* name, one-line definition (our words) */
#define SDX_REASONS(X)                                                                  \
    X(UNDEFINED,       "undefined",       "no reason could be determined")               \
    X(AUTHFAILURE,     "authfailure",     "SPF, DKIM, DMARC or ARC authentication failed")  \
    X(BADREPUTATION,   "badreputation",   "the sending IP address or domain has a poor reputation") \
    X(BLOCKED,         "blocked",         "the client IP address, host name or HELO was refused") \
    X(CONTENTERROR,    "contenterror",    "the message format or encoding was not acceptable") \
    X(DELIVERED,       "delivered",       "the message was delivered")                   \
    X(EMAILTOOLARGE,   "emailtoolarge",   "the message exceeds a size limit")            \
    X(EXPIRED,         "expired",         "delivery was retried until the queue lifetime ran out") \
    X(FAILEDSTARTTLS,  "failedstarttls",  "TLS could not be negotiated or was required") \
    X(FEEDBACK,        "feedback",        "a complaint (feedback report) about the message") \
    X(FILTERED,        "filtered",        "the recipient side filtered the message or the mailbox refuses it") \
    X(HASMOVED,        "hasmoved",        "the mailbox has moved and mail is not forwarded") \
    X(HOSTUNKNOWN,     "hostunknown",     "the recipient domain does not exist or has no mail host") \
    X(MAILBOXFULL,     "mailboxfull",     "the recipient mailbox is over its quota")     \
    X(MAILERERROR,     "mailererror",     "a local delivery program failed")             \
    X(NETWORKERROR,    "networkerror",    "a DNS or network problem prevented delivery") \
    X(NORELAYING,      "norelaying",      "the server refused to relay for this client") \
    X(NOTACCEPT,       "notaccept",       "the destination accepts no mail at all")      \
    X(NOTCOMPLIANTRFC, "notcompliantrfc", "the message violates RFC 5322 or RFC 5321 rules") \
    X(ONHOLD,          "onhold",          "the reply is known but too vague to decide")  \
    X(POLICYVIOLATION, "policyviolation", "a policy of the receiving site refused the message") \
    X(RATELIMITED,     "ratelimited",     "too many messages, recipients or connections") \
    X(REJECTED,        "rejected",        "the envelope sender was refused")             \
    X(REQUIREPTR,      "requireptr",      "the sending IP has no valid reverse DNS (PTR)") \
    X(SECURITYERROR,   "securityerror",   "a security check failed (credentials, TLS policy, authorization)") \
    X(SPAMDETECTED,    "spamdetected",    "a spam filter refused the message")           \
    X(SUPPRESSED,      "suppressed",      "the address is on a suppression list")        \
    X(SUSPEND,         "suspend",         "the recipient account is disabled or suspended") \
    X(SYNTAXERROR,     "syntaxerror",     "the client sent a command with bad syntax or out of sequence") \
    X(SYSTEMERROR,     "systemerror",     "the receiving system failed or is misconfigured") \
    X(SYSTEMFULL,      "systemfull",      "the receiving system is out of storage")      \
    X(USERUNKNOWN,     "userunknown",     "the recipient address does not exist")        \
    X(VACATION,        "vacation",        "an automatic reply (out of office)")          \
    X(VIRUSDETECTED,   "virusdetected",   "a virus scanner refused the message")

enum sdx_reason {
#define X(e, name, def) SDX_REASON_##e,
    SDX_REASONS(X)
#undef X
    SDX_REASON_COUNT
};

enum sdx_perm {
    SDX_PERM_UNKNOWN = 0,   /* no class known */
    SDX_PERM_SUCCESS,       /* 2xx */
    SDX_PERM_TRANSIENT,     /* 4xx: retry */
    SDX_PERM_PERMANENT      /* 5xx: do not retry unchanged */
};

/* who must act to fix it; name, description */
#define SDX_ACTORS(X)                                                              \
    X(UNKNOWN,         "unknown",         "not known")                             \
    X(NONE,            "none",            "nobody: nothing is wrong")              \
    X(SENDER_USER,     "sender-user",     "the person who sent the message")       \
    X(SENDER_ADMIN,    "sender-admin",    "the administrator of the sending mail system") \
    X(RECIPIENT_USER,  "recipient-user",  "the recipient")                         \
    X(RECIPIENT_ADMIN, "recipient-admin", "the administrator of the receiving mail system")

enum sdx_actor {
#define X(e, name, desc) SDX_ACTOR_##e,
    SDX_ACTORS(X)
#undef X
    SDX_ACTOR_COUNT
};

/* SMTP stage a reply answered; name as in logs ("in reply to RCPT TO command") */
#define SDX_STAGES(X)                          \
    X(UNKNOWN,  "unknown")                     \
    X(CONNECT,  "connect")                     \
    X(HELO,     "helo")                        \
    X(STARTTLS, "starttls")                    \
    X(AUTH,     "auth")                        \
    X(MAIL,     "mail")                        \
    X(RCPT,     "rcpt")                        \
    X(DATA,     "data")                        \
    X(EOD,      "end-of-data")                 \
    X(BDAT,     "bdat")                        \
    X(QUIT,     "quit")                        \
    X(OTHER,    "other")

enum sdx_stage {
#define X(e, name) SDX_STAGE_##e,
    SDX_STAGES(X)
#undef X
    SDX_STAGE_COUNT
};

/* what finally happened to the message or command, when the source says */
enum sdx_outcome { SDX_OUT_UNKNOWN = 0, SDX_OUT_REJECTED, SDX_OUT_BOUNCED, SDX_OUT_DEFERRED,
                   SDX_OUT_EXPIRED, SDX_OUT_DELIVERED };

SDX_API const char *sdx_reason_name(enum sdx_reason r);
SDX_API const char *sdx_reason_desc(enum sdx_reason r);
/* sdx_reason_parse - name or old Sisimai alias (speeding, toomanyconn, mesgtoobig,
 * exceedlimit), case-insensitive; returns 0 or SDX_ENOTFOUND */
SDX_API int sdx_reason_parse(const char *s, size_t n, enum sdx_reason *out);
SDX_API const char *sdx_perm_name(enum sdx_perm p);
SDX_API const char *sdx_actor_name(enum sdx_actor a);
SDX_API const char *sdx_actor_desc(enum sdx_actor a);
SDX_API int sdx_actor_parse(const char *s, size_t n, enum sdx_actor *out);
SDX_API const char *sdx_stage_name(enum sdx_stage s);
SDX_API int sdx_stage_parse(const char *s, size_t n, enum sdx_stage *out);

#endif
