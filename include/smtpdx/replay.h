/* replay.h - replay a recorded SMTP session and name the client's faults
 * In:  the turns of a transcript (transcript.h).
 * Out: each command with the reply that answered it (replies are matched to
 *      commands in order, so pipelined groups pair up), the server's
 *      capabilities as its EHLO reply listed them, and for each command the
 *      faults of the client: out of sequence (the cause of most 503s),
 *      malformed (500, 501, 555), asking for what the server did not
 *      advertise (504, 555), pipelining without PIPELINING or past a
 *      command that must end a group, lines over the RFC 5321 limit. Each
 *      fault names its rule (RFC section) and the reply a server gives for
 *      it; the caller explains the replies (classify.h, explain.h).
 * Rules: RFC 5321 (sections 3.3, 4.1.1, 4.1.4, 4.5.3.1), RFC 1870 (SIZE),
 *      RFC 2920 (PIPELINING), RFC 3030 (CHUNKING), RFC 3207 (STARTTLS),
 *      RFC 3461 (DSN), RFC 4954 (AUTH), RFC 6152 (8BITMIME), RFC 6531
 *      (SMTPUTF8). Facts from the RFCs, not from any tool. */
#ifndef SMTPDX_REPLAY_H
#define SMTPDX_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include "transcript.h"

#define SDX_FAULTS(X)                                                                                   \
    X(SPOKE_BEFORE_GREETING, "spoke-before-greeting", 554, "5.5.0", "RFC 5321 section 3.1",            \
      "The client sent a command before the server's 220 greeting; servers that check (Postfix "        \
      "postscreen, Exim) drop such clients as spam engines.")                                           \
    X(MAIL_BEFORE_HELO, "mail-before-helo", 503, "5.5.1", "RFC 5321 section 4.1.4",                    \
      "MAIL FROM before a successful EHLO or HELO: a session with mail transactions must start with "   \
      "EHLO (or HELO).")                                                                                \
    X(NO_EHLO_AFTER_TLS, "no-ehlo-after-starttls", 503, "5.5.1", "RFC 3207 section 4.2",              \
      "After STARTTLS both sides forget what they knew; the client must send EHLO again before "        \
      "anything else.")                                                                                 \
    X(NESTED_MAIL, "nested-mail", 503, "5.5.1", "RFC 5321 section 4.1.4",                              \
      "MAIL FROM while a transaction is open: end it first (its message, or RSET).")                    \
    X(RCPT_BEFORE_MAIL, "rcpt-before-mail", 503, "5.5.1", "RFC 5321 section 3.3",                      \
      "RCPT TO before a successful MAIL FROM.")                                                         \
    X(DATA_BEFORE_RCPT, "data-without-recipient", 554, "5.5.1", "RFC 5321 section 3.3",                \
      "DATA (or BDAT) with no recipient accepted: 503 when no transaction is open, 554 \"no valid "     \
      "recipients\" when MAIL was accepted but every RCPT refused.")                                    \
    X(UNKNOWN_COMMAND, "unknown-command", 500, "5.5.2", "RFC 5321 section 4.2.4",                       \
      "A command the server does not know (500), or one it does not implement (502).")                  \
    X(COMMAND_SYNTAX, "command-syntax", 501, "5.5.4", "RFC 5321 section 4.1.1",                        \
      "The command does not follow its grammar: \"MAIL FROM:<address>\", \"RCPT TO:<address>\", "       \
      "\"EHLO domain\", \"BDAT size [LAST]\".")                                                         \
    X(ADDRESS_SYNTAX, "address-syntax", 501, "5.1.3", "RFC 5321 section 4.1.2",                        \
      "The address in the path is not an RFC 5321 Mailbox (smtpdx address says why).")                  \
    X(NEEDS_SMTPUTF8, "needs-smtputf8", 553, "5.6.7", "RFC 6531 section 3.4",                          \
      "A non-ASCII address needs the SMTPUTF8 extension: advertised by the server and asked for with "  \
      "the SMTPUTF8 parameter of MAIL.")                                                                \
    X(PARAM_NOT_OFFERED, "parameter-not-advertised", 555, "5.5.4", "RFC 5321 section 4.1.1.11",        \
      "A MAIL or RCPT parameter of an extension the server did not advertise in its EHLO reply "         \
      "(SIZE, BODY=8BITMIME, SMTPUTF8, RET, ENVID, NOTIFY, ORCPT, AUTH=, REQUIRETLS).")                  \
    X(SIZE_EXCEEDS, "size-exceeds-limit", 552, "5.3.4", "RFC 1870 section 6",                          \
      "SIZE= above the limit the server advertised (SIZE n in its EHLO reply).")                        \
    X(EXTENSION_NOT_OFFERED, "extension-not-advertised", 502, "5.5.1", "RFC 5321 section 4.2.4",       \
      "STARTTLS, AUTH or BDAT without the server advertising STARTTLS, AUTH or CHUNKING.")               \
    X(AUTH_MECHANISM, "auth-mechanism-not-offered", 504, "5.5.4", "RFC 4954 section 4",                 \
      "AUTH with a mechanism the server did not list in its AUTH capability.")                          \
    X(AUTH_STATE, "auth-out-of-place", 503, "5.5.1", "RFC 4954 section 4",                              \
      "AUTH after a successful AUTH, or during a mail transaction.")                                    \
    X(TLS_ACTIVE, "starttls-twice", 503, "5.5.1", "RFC 3207 section 4",                                 \
      "STARTTLS when TLS is already active.")                                                            \
    X(PIPELINING_NOT_OFFERED, "pipelining-not-advertised", 554, "5.5.0", "RFC 2920 section 3.1",       \
      "The client sent a command before the reply to the previous one, but the server did not "         \
      "advertise PIPELINING (Exim answers 554 SMTP synchronization error).")                            \
    X(PIPELINING_AFTER_LAST, "pipelined-after-group-end", 554, "5.5.0", "RFC 2920 section 3.1",        \
      "A command sent before the reply to EHLO, DATA, STARTTLS, AUTH, QUIT, VRFY, EXPN or NOOP, which "  \
      "may only end a pipelined group.")                                                                 \
    X(LINE_TOO_LONG, "line-too-long", 500, "5.5.6", "RFC 5321 section 4.5.3.1.4",                       \
      "A command line over 512 octets (CRLF included).")                                                \
    X(AFTER_QUIT, "command-after-quit", 0, "", "RFC 5321 section 4.1.1.10",                              \
      "A command after QUIT: the server closes the connection after its 221.")

enum sdx_fault {
#define X(e, name, code, status, rfc, text) SDX_FAULT_##e,
    SDX_FAULTS(X)
#undef X
    SDX_FAULT_COUNT
};

struct sdx_fault_info {
    enum sdx_fault id;
    const char    *name;            /* stable kebab-case name */
    int            reply_code;      /* what a server answers, 0 none */
    const char    *status;          /* its enhanced status, "" none */
    const char    *rfc;
    const char    *explanation;
};

#define SDX_REPLAY_FAULTS_MAX 4      /* kept per command */

struct sdx_exchange {
    size_t   cmd;                   /* the command's turn; (size_t)-1: a greeting, or a reply
                                     * nobody asked for (a 421 before closing) */
    int      greeting;              /* the server's greeting of a connection */
    size_t   reply_first, reply_last;   /* the reply's turns; reply_first == (size_t)-1: none came */
    int      code;                  /* the reply's code, 0 none or unreadable */
    enum sdx_fault fault[SDX_REPLAY_FAULTS_MAX];
    size_t   nfault;
    int      tls;                   /* the command went over TLS */
};

/* the server's EHLO capabilities (the last EHLO reply) */
#define SDX_CAP_PIPELINING   0x0001u
#define SDX_CAP_SIZE         0x0002u
#define SDX_CAP_8BITMIME     0x0004u
#define SDX_CAP_SMTPUTF8     0x0008u
#define SDX_CAP_DSN          0x0010u
#define SDX_CAP_CHUNKING     0x0020u
#define SDX_CAP_STARTTLS     0x0040u
#define SDX_CAP_AUTH         0x0080u
#define SDX_CAP_ENHANCED     0x0100u
#define SDX_CAP_BINARYMIME   0x0200u
#define SDX_CAP_REQUIRETLS   0x0400u

struct sdx_replay {
    struct sdx_exchange *ex;
    size_t               n, cap;
    size_t               faults;        /* total over all commands */
    unsigned             caps;          /* SDX_CAP_* of the last EHLO reply */
    size_t              *queue;         /* private: commands waiting for a reply */
    uint64_t             size_limit;    /* SIZE n; 0 none or no limit */
    char                 auth_mechs[128];   /* "PLAIN LOGIN", as listed */
    int                  tls;           /* STARTTLS succeeded */
    size_t               sessions;      /* connections in the transcript */
    size_t               unanswered;    /* commands with no reply in the transcript (not judged) */
};

SDX_API void sdx_replay_init(struct sdx_replay *r);
SDX_API void sdx_replay_release(struct sdx_replay *r);
/* sdx_replay_run - replay t into r (after init). 0 or SDX_ENOMEM */
SDX_API SDX_NODISCARD int sdx_replay_run(const struct sdx_transcript *t, struct sdx_replay *r);
SDX_API const struct sdx_fault_info *sdx_fault_info(enum sdx_fault f);
/* sdx_ehlo_caps - the SDX_CAP_* of an EHLO reply (its lines joined by "\n",
 * the first naming the server, as in "250-mx\n250-SIZE 1000\n250 AUTH PLAIN"),
 * its SIZE limit (0 none) and, when auth is not NULL, its AUTH mechanisms */
SDX_API unsigned sdx_ehlo_caps(const char *reply, size_t n, unsigned long long *size_limit, char *auth,
                               size_t auth_cap);
/* sdx_cap_names - the names of caps, space-separated, into out */
SDX_API const char *sdx_cap_names(unsigned caps, char *out, size_t cap);

#endif
