/* event.h - the one failure event every front end produces
 * explain, logs, probe, transcript, bounce and watch all turn their input
 * into struct sdx_event; one classifier turns its reply into a verdict;
 * every renderer (text, JSON, NDJSON, HTML, Prometheus) consumes events
 * with verdicts. No subcommand has private field names (ARCHITECTURE.md).
 * Strings are borrowed (struct sdx_str): the front end that fills an event
 * owns the bytes and keeps them alive while the event is used. */
#ifndef SMTPDX_EVENT_H
#define SMTPDX_EVENT_H

#include <stdint.h>
#include "buf.h"
#include "classify.h"
#include "reply.h"

enum sdx_mta { SDX_MTA_UNKNOWN = 0, SDX_MTA_POSTFIX, SDX_MTA_EXIM, SDX_MTA_SENDMAIL,
               SDX_MTA_OPENSMTPD, SDX_MTA_OTHER };

enum sdx_direction {
    SDX_DIR_UNKNOWN = 0,
    SDX_DIR_INBOUND,        /* our server refused a client */
    SDX_DIR_OUTBOUND,       /* a remote server refused us: bounce or deferral */
    SDX_DIR_LOCAL           /* local delivery or routing */
};

/* where an event's reply text came from */
enum sdx_reply_source {
    SDX_REPLY_LOGGED = 0,   /* the log line carries the reply */
    SDX_REPLY_RECONSTRUCTED,/* the MTA logged the condition, not its reply: the
                             * text is the one that MTA sends for it */
    SDX_REPLY_INFERRED      /* the MTA logged only that a command failed (Postfix's
                             * disconnect counts): the command is certain, the
                             * reply is the likely one, or absent (code 0) */
};

struct sdx_peer {
    struct sdx_str host, addr;
    unsigned       port;            /* 0 unknown */
};

struct sdx_event {
    int64_t             when_us;    /* microseconds since the epoch (UTC), 0 unknown */
    const char         *source;     /* file name, "argv", "stdin" (not owned) */
    unsigned long       line;       /* 1-based line in source, 0 if none */
    enum sdx_mta        mta;
    enum sdx_direction  dir;
    enum sdx_stage      stage;
    enum sdx_outcome    outcome;
    struct sdx_peer     client, server;
    struct sdx_str      helo, sender, recipient, queue_id, message_id, session_id;
    struct sdx_str      program;    /* "postfix/smtpd", "exim" ... */
    struct sdx_str      sasl_user, tls, relay, orig_recipient;
    struct sdx_str      dsn;        /* the status the MTA decided (Postfix dsn=), which can
                                     * differ from the reply's own: a 554 5.7.1 greeting
                                     * that Postfix deferred as 4.7.1; empty if not logged */
    unsigned long       size;       /* message size in bytes, 0 unknown */
    int64_t             delay_ms;   /* from arrival to this attempt's end (Postfix delay=,
                                     * Sendmail delay=), -1 unknown */
    struct sdx_str      delays;     /* Postfix's delays=a/b/c/d: before the queue manager,
                                     * in it, connection set-up, transmission (seconds) */
    enum sdx_reply_source reply_from;
    const struct sdx_reply *reply;  /* not owned */
    const struct sdx_str *story;    /* the log lines that led to it, oldest first (not owned) */
    size_t              nstory;
};

/* sdx_event_init - an empty event around a reply (delay_ms -1) */
SDX_API void sdx_event_init(struct sdx_event *e, const struct sdx_reply *reply);
/* sdx_event_recipient_domain - the domain of e->recipient into out (NUL-terminated,
 * at most cap-1 bytes); "" when none. Returns out. */
SDX_API const char *sdx_event_recipient_domain(const struct sdx_event *e, char *out, size_t cap);
/* sdx_event_classify - classify e->reply with everything the event knows */
SDX_API int sdx_event_classify(const struct sdx_event *e, struct sdx_verdict *v);
SDX_API const char *sdx_mta_name(enum sdx_mta m);
SDX_API const char *sdx_direction_name(enum sdx_direction d);
SDX_API const char *sdx_outcome_name(enum sdx_outcome o);
/* "logged", "reconstructed", "inferred" */
SDX_API const char *sdx_reply_source_name(enum sdx_reply_source s);

#endif
