/* logs_int.h - state shared by the log readers of each MTA (logs.c, postfix.c, exim.c)
 * Fixed-size copies, so that the correlation state is bounded per record. */
#ifndef SDX_LOGS_INT_H
#define SDX_LOGS_INT_H

#include <stdint.h>
#include "smtpdx/logs.h"
#include "smtpdx/reply.h"
#include "core/map_int.h"

#define LOGS_FIELD 128          /* host names, addresses, HELO, message-id: cut beyond */
#define LOGS_STORY_LINE 240     /* one story line, cut beyond */

struct sdx_waiting;

struct story {
    unsigned char n;                            /* lines kept */
    char          line[SDX_LOGS_STORY_MAX][LOGS_STORY_LINE];
};

#define LOGS_SEEN (1u << 20)    /* Exim refusals remembered for the rejectlog (8 MB) */
#define LOGS_CMDS 12             /* commands a session counts refusals of (postfix.c) */

/* an smtpd/postscreen process talking to one client */
struct session {
    char           host[LOGS_FIELD], addr[48], helo[LOGS_FIELD], tls[LOGS_FIELD], sasl[64];
    unsigned short refused[LOGS_CMDS];          /* failures the log explains, per command */
    unsigned short too_long;                    /* per command: a "request longer than" warning */
    unsigned char  submission;                  /* the service is named submission(s) */
    unsigned char  npend;                       /* Postfix: refusals waiting for the disconnect */
    unsigned       gen;                         /* Postfix: this session, among all (never 0) */
    struct story   story;
};

/* a message in the queue */
struct message {
    char          from[LOGS_FIELD], msgid[LOGS_FIELD], host[LOGS_FIELD], addr[48], helo[LOGS_FIELD];
    char          sasl[64];
    char          skey[40];                     /* Postfix: the session that queued it */
    unsigned char skl;
    unsigned long size;
    unsigned      pending;                      /* OpenSMTPD, Sendmail: recipients not yet final */
    unsigned char too_big;                      /* Sendmail: "message size (N) exceeds maximum" */
    char          last_rcpt[LOGS_FIELD];        /* the last deferred recipient, */
    char          last_reply[512];              /* and what the remote side said */
    struct story  story;
};

struct sdx_logs {
    struct sdx_map        *sessions, *messages;
    struct sdx_reply       reply;
    struct sdx_logs_stats  st;
    char                  *unparsed[8];         /* first few, escaped */
    enum sdx_mta           force;               /* SDX_MTA_UNKNOWN: detect per line */
    /* Exim: the refusals read from a mainlog, by hash of time, pid and text
     * (direct-mapped, allocated at the first), so that their copies in a
     * rejectlog are not counted twice; last_source caches whether the
     * current source is a rejectlog */
    uint64_t              *seen;
    struct sdx_waiting    *wait;                /* lines waiting for a later one (sdx__wait_add) */
    unsigned               pf_gen;              /* Postfix: the last session's gen */
    const char            *last_source;
    int                    in_rejectlog, seen_rejectlog;
    size_t                 nunparsed;
    sdx_logs_delivery_fn   on_delivery;         /* sdx_logs_on_delivery */
    void                  *on_delivery_arg;
};

/* sdx__emit - fill what every event shares (time, source, line, program, the
 * story with this line last unless the story holds it already: a refusal
 * sent at the disconnect has its lines before and after it), count it and
 * hand it to emit; e->mta is the caller's. Returns emit's value, 0 without one. */
int sdx__emit(struct sdx_logs *l, struct sdx_event *e, const struct sdx_logline *ll, const char *source,
              unsigned long lineno, const struct story *story, sdx_logs_emit_fn emit, void *arg);
/* sdx__refused - e: our server refused a client, with l->reply (parsed by
 * the caller); SDX_STAGE_UNKNOWN keeps the stage the reply named. The host
 * a reply names is the far side of a delivery, so an inbound event has no
 * server. The caller fills client, sender, recipient and the rest. */
void sdx__refused(struct sdx_logs *l, struct sdx_event *e, enum sdx_stage stage);
/* sdx__refused_with - the same for a refusal logged without its reply:
 * text[0..n) is the reply the MTA sends for it (n from snprintf: negative
 * or too long is clamped to cap); 0 or SDX_ENOMEM */
int sdx__refused_with(struct sdx_logs *l, struct sdx_event *e, const char *text, int n, size_t cap,
                      enum sdx_stage stage);
/* story_add - keep a line (cut), dropping the oldest when full */
void sdx__story_add(struct story *s, const char *p, size_t n);
/* sdx__logs_unparsed - count an MTA line that no rule understood */
void sdx__logs_unparsed(struct sdx_logs *l, const struct sdx_logline *ll);
/* sdx__postfix_line - 1 when the line was Postfix's (parsed or counted),
 * 0 when it is not Postfix's; or the callback's non-zero / SDX_ENOMEM (< 0) */
int sdx__postfix_line(struct sdx_logs *l, const struct sdx_logline *ll, const char *source,
                      unsigned long lineno, sdx_logs_emit_fn emit, void *arg, int *rc);
/* sdx__exim_line - the same for Exim's lines (program "exim" or "exim4") */
int sdx__exim_line(struct sdx_logs *l, const struct sdx_logline *ll, const char *source,
                   unsigned long lineno, sdx_logs_emit_fn emit, void *arg, int *rc);
/* sdx__opensmtpd_line - the same for OpenSMTPD's lines (program "smtpd") */
int sdx__opensmtpd_line(struct sdx_logs *l, const struct sdx_logline *ll, const char *source,
                        unsigned long lineno, sdx_logs_emit_fn emit, void *arg, int *rc);
/* sdx__sendmail_line - the same for Sendmail's lines (program "sendmail", "sm-*") */
int sdx__sendmail_line(struct sdx_logs *l, const struct sdx_logline *ll, const char *source,
                       unsigned long lineno, sdx_logs_emit_fn emit, void *arg, int *rc);

/* Lines that must wait for a later one before their event can go out (a
 * Postfix refusal for its session's disconnect, a Sendmail refusal for its
 * transaction's from= line): a copy of each, under a key the reader chooses,
 * at most LOGS_WAIT_MAX across readers; beyond, the oldest goes out first.
 * Each goes out through the reader's own function, in arrival order. */
#define LOGS_WAIT_MAX  256
#define LOGS_WAIT_LINE 1024     /* of a waiting line, cut beyond */

/* sdx__wait_fn - make the event of a line that waited; key as it was added */
typedef int (*sdx__wait_fn)(struct sdx_logs *l, const char *key, size_t kl, const struct sdx_logline *ll,
                            const char *source, unsigned long lineno, sdx_logs_emit_fn emit, void *arg);
/* sdx__wait_add - ll waits under key[0..kl) (at most 63 bytes); without
 * memory it goes out at once. Returns what fn returned for a line sent out
 * to make room, else 0. */
int sdx__wait_add(struct sdx_logs *l, const char *key, size_t kl, const struct sdx_logline *ll, const char *source,
                  unsigned long lineno, sdx__wait_fn fn, sdx_logs_emit_fn emit, void *arg);
/* sdx__wait_flush - send the lines waiting under key (all when kl is 0),
 * oldest first; 0, or the first non-zero fn returned */
int sdx__wait_flush(struct sdx_logs *l, const char *key, size_t kl, sdx_logs_emit_fn emit, void *arg);

#endif
