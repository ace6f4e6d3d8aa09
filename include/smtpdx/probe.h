/* probe.h - one live SMTP session, timed and bounded
 * In:  a target (host name or address, port), what to say (HELO name,
 *      sender, recipients), whether to use STARTTLS, timeouts.
 * Out: the transcript with milliseconds since the start, the capabilities of
 *      the EHLO reply (replay.h's SDX_CAP_*), the TLS facts (protocol,
 *      cipher, the certificate's subject, issuer and expiry, whether the
 *      chain verified against the system's CAs and why not, whether the name
 *      matched), each reply, and a diagnosis of how the session ended.
 * Session: greeting, EHLO (HELO when EHLO is refused), STARTTLS when offered
 *      (or required) and EHLO again, AUTH PLAIN or LOGIN when a user is given
 *      (the credentials never enter the transcript), MAIL FROM (with SIZE,
 *      BODY, SMTPUTF8 as asked), RCPT TO for each recipient, RSET, QUIT. No
 *      message is sent unless one is given (data): then DATA, the message
 *      and its end instead of RSET. Nothing is written but those commands.
 * Limits: each reply within its timeout (wait_ms, else timeout_ms: RFC 5321
 *      section 4.5.3.2's with sdx_probe_rfc_timeouts), the whole session within deadline_ms
 *      (a server that hangs or drips a byte at a time ends with a named
 *      diagnosis); replies bounded as smtpread.h says; the transcript keeps
 *      at most SDX_PROBE_STEPS_MAX lines.
 * Many: sdx_probe_many runs sessions side by side in one epoll(7) loop, at
 *      most `concurrency` at a time, each with its own timeouts; no thread
 *      per session. sdx_probe_run is that loop with one session.
 * Caller: OpenSSL writes with write(2), so a server that closes during TLS
 *      would raise SIGPIPE: ignore it (the command does). Host names are
 *      resolved with getaddrinfo(3), which blocks the loop while it runs;
 *      address literals do not. */
#ifndef SMTPDX_PROBE_H
#define SMTPDX_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "dane.h"

#define SDX_PROBE_RCPT_MAX  32
#define SDX_PROBE_STEPS_MAX 4096

enum sdx_probe_tls {
    SDX_PROBE_TLS_AUTO = 0,     /* STARTTLS when offered */
    SDX_PROBE_TLS_REQUIRE,      /* STARTTLS, or stop */
    SDX_PROBE_TLS_NEVER,
    SDX_PROBE_TLS_IMPLICIT      /* TLS from the first byte (port 465, RFC 8314 section 3.3) */
};

/* what a reply is waited for: each can have its own timeout
 * (sdx_probe_opts.wait_ms) */
#define SDX_PROBE_WAITS(X)                                                                        \
    X(GREETING, "greeting") X(EHLO, "ehlo") X(STARTTLS, "starttls") X(AUTH, "auth")                \
    X(MAIL, "mail") X(RCPT, "rcpt") X(DATA, "data") X(BLOCK, "block") X(DOT, "dot")                \
    X(RSET, "rset") X(QUIT, "quit")

enum sdx_probe_wait {
#define X(e, name) SDX_PROBE_WAIT_##e,
    SDX_PROBE_WAITS(X)
#undef X
    SDX_PROBE_WAIT_COUNT
};

/* the largest message --data sends (before dot-stuffing) */
#define SDX_PROBE_DATA_MAX (64u << 20)

struct sdx_probe_opts {
    const char         *host;           /* name or address literal */
    unsigned            port;           /* 25 when 0 */
    const char         *helo;           /* "localhost" when NULL */
    const char         *from;           /* "" (the null sender) when NULL */
    const char         *rcpt[SDX_PROBE_RCPT_MAX];
    size_t              nrcpt;
    enum sdx_probe_tls  tls;
    int                 timeout_ms;     /* per reply; 30000 when 0 */
    int                 deadline_ms;    /* the whole session; 120000 when 0 */
    const char         *ca_file;        /* trust these instead of the system's CAs (tests) */
    const char         *auth_user;      /* AUTH after EHLO (and after STARTTLS) when set */
    const char         *auth_pass;      /* never recorded: the transcript says "not shown" */
    int                 auth_login;     /* AUTH LOGIN instead of AUTH PLAIN */
    const char         *source;         /* connect from this address (bind), NULL: any */
    int                 relay_test;     /* after the normal RCPTs: does it relay for a foreign
                                         * sender and recipient? (nothing is sent: no DATA) */
    /* MAIL FROM parameters, sent as asked, advertised or not: the reply is
     * what the probe is for */
    unsigned long long  mail_size;      /* SIZE=n (RFC 1870); 0: none, or the message's size
                                         * with data when the server advertises SIZE */
    const char         *mail_body;      /* BODY=7BIT|8BITMIME (RFC 6152)|BINARYMIME (RFC 3030,
                                         * not with data: it needs BDAT); NULL: none */
    int                 mail_smtputf8;  /* SMTPUTF8 (RFC 6531) */
    /* a message to send: DATA after the RCPTs when one was accepted, the
     * text with its lines ended by CRLF and dot-stuffed (RFC 5321 section
     * 4.5.2), then QUIT; NULL: no DATA, nothing is ever sent */
    const char         *data;
    size_t              data_len;       /* at most SDX_PROBE_DATA_MAX */
    /* connect to this address literal instead of resolving host (the name
     * stays the one for SNI and the certificate checks): an address found
     * through the caller's resolver; NULL: getaddrinfo(host) */
    const char         *address;
    /* DANE (RFC 7672): with state SDX_DANE_USABLE, the certificate is
     * authenticated by these records (OpenSSL's DANE, the host as the TLSA
     * base domain, no name checks for DANE-EE); the session's outcome is
     * in the result's dane. NULL: no DANE. */
    const struct sdx_tlsa_result *tlsa;
    /* the caller looked host up itself (address, tlsa) and found nothing:
     * the session ends as SDX_PROBE_END_RESOLVE with this text, and nothing
     * is sent; NULL: look up as usual */
    const char         *resolve_error;
    int                 wait_ms[SDX_PROBE_WAIT_COUNT];  /* per reply by what it answers (BLOCK:
                                         * each write of the message); 0: timeout_ms */
};

/* how the session ended */
#define SDX_PROBE_ENDS(X)                                                                          \
    X(DONE,       "done",          "the session ran to QUIT")                                      \
    X(REFUSED,    "refused",       "the server refused the session: its greeting or EHLO/HELO was an error") \
    X(RESOLVE,    "resolve",       "the host name did not resolve")                                \
    X(CONNECT,    "connect",       "no connection: refused, unreachable or timed out")             \
    X(TIMEOUT,    "timeout",       "the server did not finish a reply within the per-reply timeout") \
    X(DEADLINE,   "deadline",      "the session did not end within the overall deadline")          \
    X(CLOSED,     "closed",        "the server closed the connection in the middle of the session") \
    X(RESET,      "reset",         "the connection was reset (RST) or failed")                     \
    X(LONG_LINE,  "line-too-long", "a reply line over 4096 bytes (RFC 5321 allows 512)")           \
    X(ENDLESS,    "endless-reply", "a multi-line reply that did not end within 512 lines")         \
    X(NOT_SMTP,   "not-smtp",      "the server's bytes are not SMTP replies")                      \
    X(TLS,        "tls-failed",    "the TLS handshake failed")                                     \
    X(NO_TLS,     "no-starttls",   "TLS was required but the server does not offer STARTTLS")      \
    X(NO_AUTH,    "no-auth",       "AUTH was asked for but the server does not offer it (many offer it only after STARTTLS)") \
    X(AUTH_FAILED, "auth-failed",  "the server refused the credentials")                           \
    X(NOMEM,      "out-of-memory", "out of memory")                                               \
    X(INVALID,    "invalid",       "the options are not valid: no host, a line break in a name or address, or over its length limit")

enum sdx_probe_end {
#define X(e, name, text) SDX_PROBE_END_##e,
    SDX_PROBE_ENDS(X)
#undef X
    SDX_PROBE_END_COUNT
};

enum sdx_probe_dir { SDX_PROBE_CLIENT, SDX_PROBE_SERVER, SDX_PROBE_NOTE };

struct sdx_probe_step {
    int64_t             ms;             /* since the start */
    enum sdx_probe_dir  dir;
    int                 tls;
    int                 code;           /* of a reply; 0 otherwise */
    size_t              off, len;       /* the text in the result's buffer */
};

struct sdx_probe_tlsinfo {
    int  done;                          /* the handshake succeeded */
    char protocol[32], cipher[96];
    char subject[256], issuer[256], not_after[40];
    int  verified;                      /* the chain verified */
    char verify_error[160];             /* why not, as OpenSSL says */
    int  name_ok;                       /* the certificate names the host */
    int  days_left;                     /* until not_after; negative: expired */
};

/* DANE's outcome for one session */
struct sdx_probe_dane {
    enum sdx_dane_state state;          /* the lookup's, then MATCHED, MISMATCH or NO_TLS */
    int      depth;                     /* of the matched certificate: 0 the server's own, -1 none */
    unsigned usage, selector, mtype;    /* the record matched */
    char     data[132];                 /* its data in hex (the first 64 bytes) */
    char     error[600];                /* why not matched (OpenSSL), or the lookup's why */
};

struct sdx_probe_result {
    struct sdx_probe_step   *step;
    size_t                   n, cap;
    struct sdx_buf           text;      /* the steps' bytes */
    enum sdx_probe_end       end;
    char                     detail[256];   /* the end's specifics (errno text, OpenSSL's) */
    char                     address[64];   /* the address connected to */
    unsigned                 caps;      /* SDX_CAP_* of the last EHLO reply */
    unsigned long long       size_limit;
    struct sdx_probe_tlsinfo tls;
    struct sdx_probe_dane    dane;      /* state OFF when opts had no tlsa */
    int64_t                  greeting_ms;   /* the greeting's delay after connect */
    int64_t                  elapsed_ms;    /* the whole session, to its end */
    int                      refused;       /* replies of class 4 or 5 */
    int                      authed;        /* AUTH succeeded (235) */
    int                      relay_tried;   /* relay test variants tried */
    int                      relay_open;    /* of them, accepted: an open relay (for this client) */
    int                      relay_closed;  /* refused as relaying (reason norelaying) */
    char                     relay_how[256];/* the first variant accepted, or the first reply that
                                             * refused for another reason (the test is then unclear) */
    size_t                   data_bytes;    /* with data: the bytes sent after 354, 0: not sent */
    int                      data_code;     /* the reply to the end of the message, 0: none */
};

/* What a sender needs, against what the server advertised: "SMTPUTF8",
 * "8BITMIME", "SIZE=30000000", "STARTTLS", "DSN", "CHUNKING", "PIPELINING",
 * "AUTH", "REQUIRETLS", "BINARYMIME" */
struct sdx_probe_need {
    char               name[16];
    unsigned long long size;        /* SIZE=n */
    int                known;       /* a need smtpdx knows */
    int                met;
    int                reply_code;  /* what a sender with this need gets when unmet, 0: none */
    const char        *status;      /* its enhanced status, "" */
    const char        *explanation; /* why, with the RFC */
};

/* sdx_probe_need - judge one need (name[=value], any case) against caps
 * and size_limit (SDX_CAP_* of replay.h) into *n; 0, or SDX_EINVAL for a
 * malformed one */
SDX_API int sdx_probe_need(const char *need, size_t len, unsigned caps, unsigned long long size_limit,
                           struct sdx_probe_need *n);
SDX_API void sdx_probe_result_init(struct sdx_probe_result *r);
SDX_API void sdx_probe_result_release(struct sdx_probe_result *r);
/* sdx_probe_check - what is wrong with o apart from its target, in words
 * (an address with a line break, an unknown BODY, ...), or NULL: the
 * checks sdx_probe_run and sdx_probe_many make before sending anything */
SDX_API const char *sdx_probe_check(const struct sdx_probe_opts *o);
/* sdx_probe_run - run one session; 0 (r->end says how it ended), or
 * SDX_EINVAL for bad options */
SDX_API SDX_NODISCARD int sdx_probe_run(const struct sdx_probe_opts *o, struct sdx_probe_result *r);
/* sdx_probe_next_fn - the next session to run: set *o, *r (initialised
 * with sdx_probe_result_init) and *user; return 1 when one is given, 0 when
 * there are no more. *o, and all it points to, must live until done has
 * been called for it. Called again each time a session ends. */
typedef int (*sdx_probe_next_fn)(void *arg, const struct sdx_probe_opts **o, struct sdx_probe_result **r,
                                 void **user);
/* sdx_probe_done_fn - a session ended (r->end says how; SDX_PROBE_END_INVALID
 * when its options were refused, and nothing was sent); called once for
 * every session next gave, after its connection is closed */
typedef void (*sdx_probe_done_fn)(void *arg, const struct sdx_probe_opts *o, struct sdx_probe_result *r,
                                  void *user);
/* sdx_probe_many - run the sessions next gives, at most concurrency (>= 1)
 * at a time, until next gives no more and all have ended; 0, or SDX_ENOMEM
 * or SDX_EIO when the loop itself failed (every session begun has still
 * been ended and given to done) */
SDX_API SDX_NODISCARD int sdx_probe_many(unsigned concurrency, sdx_probe_next_fn next, sdx_probe_done_fn done,
                                         void *arg);
/* sdx_probe_rfc_timeouts - the per-reply timeouts RFC 5321 section 4.5.3.2
 * asks of a client into o->wait_ms: greeting, MAIL and RCPT 5 minutes, DATA
 * 2, each block of the message 3, its end 10; what the RFC does not name
 * (EHLO, STARTTLS, AUTH, RSET, QUIT) 5 */
SDX_API void sdx_probe_rfc_timeouts(struct sdx_probe_opts *o);
/* sdx_probe_wait_name - "greeting", "rcpt", ...; sdx_probe_wait_find - the
 * one with that name (any case, len bytes), or -1 */
SDX_API const char *sdx_probe_wait_name(enum sdx_probe_wait w);
SDX_API int sdx_probe_wait_find(const char *name, size_t len);
SDX_API const char *sdx_probe_end_name(enum sdx_probe_end e);
SDX_API const char *sdx_probe_end_text(enum sdx_probe_end e);

#endif
