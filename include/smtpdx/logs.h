/* logs.h - turn MTA log lines into failure events, with their story
 * In:  framed log lines (syslog.h), in time order, from Postfix (smtpd,
 *      postscreen, cleanup, qmgr, smtp, lmtp, local, virtual, pipe, error,
 *      bounce; any instance name such as postfix-out/smtp), Exim (mainlog,
 *      rejectlog), OpenSMTPD and Sendmail; sdx_logs_end when it is over.
 * Out: one struct sdx_event per refusal (inbound: our server refused a
 *      client), bounce, deferral or expiry (outbound: a remote server refused
 *      us; local: a local delivery failed), carrying what the session and the
 *      message told before it: client, HELO, TLS, SASL user, sender, size,
 *      message-id, queue id, relay, and the lines that led to it. Events are
 *      handed to a callback; everything they point to lives only during it.
 * Limits: sessions and queue ids that never finish are dropped oldest first
 *      beyond SDX_LOGS_SESSIONS_MAX / SDX_LOGS_MESSAGES_MAX and counted;
 *      memory stays bounded whatever the input.
 * Not here: reading files (input.h), framing (syslog.h), grouping (group.h). */
#ifndef SMTPDX_LOGS_H
#define SMTPDX_LOGS_H

#include "event.h"
#include "syslog.h"

#define SDX_LOGS_SESSIONS_MAX  4096     /* smtpd processes alive at once, across instances */
#define SDX_LOGS_MESSAGES_MAX  32768    /* queue ids in flight at once */
#define SDX_LOGS_STORY_MAX     6        /* lines kept per session or message */
#define SDX_LOGS_PROGRAMS_MAX  32       /* programs counted for unparsed lines */

struct sdx_logs;

struct sdx_logs_stats {
    unsigned long lines;                /* lines fed */
    unsigned long mta_lines;            /* lines of an MTA smtpdx reads */
    unsigned long events;               /* events emitted */
    unsigned long delivered;            /* deliveries that succeeded (status=sent) */
    unsigned long unparsed;             /* MTA lines no rule understood */
    unsigned long sessions_dropped, messages_dropped;  /* evicted by the limits */
    unsigned long duplicates;           /* Exim refusals read twice: mainlog and rejectlog */
    struct { char name[32]; unsigned long unparsed; } programs[SDX_LOGS_PROGRAMS_MAX];
    size_t nprograms;
};

/* the callback: return 0 to go on, non-zero to stop (returned by sdx_logs_line) */
typedef int (*sdx_logs_emit_fn)(void *arg, const struct sdx_event *e);

SDX_API SDX_NODISCARD int sdx_logs_new(struct sdx_logs **out);
SDX_API void sdx_logs_free(struct sdx_logs *l);
/* sdx_logs_limits - fewer sessions and messages in flight than the
 * defaults (a daemon's memory: each message in flight costs about 2.5 KiB),
 * before the first line; the oldest are dropped first and counted.
 * Returns 0, or SDX_EINVAL (0, above the defaults, or lines already fed). */
SDX_API int sdx_logs_limits(struct sdx_logs *l, size_t sessions, size_t messages);
/* sdx_logs_line - feed one framed line; source/lineno name it in events.
 * Returns 0, the callback's non-zero value, or SDX_ENOMEM. */
SDX_API SDX_NODISCARD int sdx_logs_line(struct sdx_logs *l, const struct sdx_logline *ll, const char *source,
                                        unsigned long lineno, sdx_logs_emit_fn emit, void *arg);
/* sdx_logs_end - the input is over: send the events still waiting for a
 * later line (Sendmail logs a transaction's sender after its refusals).
 * Returns 0, the callback's non-zero value, or SDX_ENOMEM. */
SDX_API SDX_NODISCARD int sdx_logs_end(struct sdx_logs *l, sdx_logs_emit_fn emit, void *arg);
SDX_API void sdx_logs_stats(const struct sdx_logs *l, struct sdx_logs_stats *st);
/* sdx_logs_force - read every line as mta's (SDX_MTA_POSTFIX, _EXIM or
 * _OPENSMTPD) whatever its program name: for a renamed syslog_name or
 * log_selector; the other readers are not tried. SDX_MTA_UNKNOWN (the
 * default) detects the MTA per line from the program name. Returns 0, or
 * SDX_EINVAL for an MTA with no reader. */
SDX_API int sdx_logs_force(struct sdx_logs *l, enum sdx_mta mta);
/* sdx_logs_on_delivery - call fn for each successful delivery whose line
 * says how long it took (Postfix status=sent with delay=): the mta and the
 * delay in milliseconds. NULL: no calls (the default). */
typedef void (*sdx_logs_delivery_fn)(void *arg, enum sdx_mta mta, int64_t delay_ms);
SDX_API void sdx_logs_on_delivery(struct sdx_logs *l, sdx_logs_delivery_fn fn, void *arg);
/* sdx_logs_unparsed - the first few unparsed lines (escaped copies), for the report */
SDX_API size_t sdx_logs_unparsed(const struct sdx_logs *l, const char *const **lines);

#endif
