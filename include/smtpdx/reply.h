/* reply.h - one SMTP reply: basic code, enhanced status, text, and the
 * context a log or bounce rendering adds (stage, remote host)
 * RFC 5321 §4.2 (reply syntax, multi-line replies), RFC 3463 and RFC 2034
 * (enhanced status codes), RFC 3464 §2.3.6 (Diagnostic-Code). */
#ifndef SMTPDX_REPLY_H
#define SMTPDX_REPLY_H

#include <stddef.h>
#include "buf.h"
#include "reason.h"

/* findings about the input; malformed input is a finding, not an error */
#define SDX_REPLY_FLAGS(X)                                                                    \
    X(NO_CODE,        0x0001u, "no-code",        "no three-digit reply code was found")       \
    X(CLASS_MISMATCH, 0x0002u, "class-mismatch", "the basic code and the enhanced status disagree on the class; the basic code wins") \
    X(CODE_MISMATCH,  0x0004u, "code-mismatch",  "the lines of a multi-line reply carry different codes") \
    X(TRUNCATED,      0x0008u, "truncated",      "the input was longer than the limit and was cut") \
    X(NON_ASCII,      0x0010u, "non-ascii",      "the text contains non-ASCII bytes (allowed only with SMTPUTF8, RFC 6531)") \
    X(NUL,            0x0020u, "nul",            "the text contained NUL bytes (replaced by spaces)") \
    X(BAD_CONTINUATION,0x0040u,"bad-continuation","a multi-line reply was not closed by a line with a space after the code") \
    X(BAD_STATUS,     0x0080u, "bad-status",     "something shaped like an enhanced status code is not valid (RFC 3463 §2)") \
    X(STATUS_IN_TEXT, 0x0100u, "status-in-text", "the enhanced status was found inside the text, not after the code") \
    X(BAD_UTF8,       0x0200u, "bad-utf8",       "the text is not valid UTF-8")               \
    X(NO_TEXT,        0x0400u, "no-text",        "the reply has a code but no text")          \
    X(BARE_CODE,      0x0800u, "bare-code",      "the input is a bare reply code or status code, not a full reply")

enum {
#define X(name, bit, word, desc) SDX_REPLY_F_##name = bit,
    SDX_REPLY_FLAGS(X)
#undef X
};

/* where the reply came from, when the input said */
enum sdx_rendering {
    SDX_RENDER_PLAIN = 0,   /* "550 5.1.1 ..." as on the wire */
    SDX_RENDER_POSTFIX,     /* host H[A] said: ... (in reply to X command) */
    SDX_RENDER_POSTFIX_REJECT, /* NOQUEUE: reject: RCPT from H[A]: 550 ...; from=<> to=<> */
    SDX_RENDER_EXIM,        /* SMTP error from remote mail server after X: ... */
    SDX_RENDER_DSN,         /* Diagnostic-Code: smtp; ... */
    SDX_RENDER_OPENSMTPD    /* result="550 ..." */
};

struct sdx_status {
    unsigned char  klass;           /* 2, 4 or 5; 0 when absent */
    unsigned short subject, detail; /* RFC 3463 allows 1-3 digits each */
};

struct sdx_reply {
    int                 code;       /* 550; 0 when none was found */
    struct sdx_status   status;     /* klass 0 when absent */
    char                status_str[16]; /* "5.7.26", "" when absent */
    enum sdx_stage      stage;      /* SDX_STAGE_UNKNOWN unless the rendering named it */
    enum sdx_rendering  rendering;
    char                diag_type[32];  /* "smtp", "x-postfix", ... for Diagnostic-Code, lower case */
    char                host[256]; /* remote host named by the rendering, "" */
    char                addr[64];   /* its address, "" */
    unsigned            flags;      /* SDX_REPLY_F_* */
    unsigned            lines;      /* reply lines seen */
    size_t              skipped;    /* input bytes ignored beyond the limits */
    struct sdx_buf      text;       /* the text: codes stripped, lines joined by one space */
};

/* sdx_reply_init - empty reply; text is bounded by SDX_REPLY_TEXT_MAX */
SDX_API void sdx_reply_init(struct sdx_reply *r);
/* sdx_reply_release - free the text; r must be initialised again before reuse */
SDX_API void sdx_reply_release(struct sdx_reply *r);
/* sdx_reply_parse - parse p[0..n): one reply, single or multi-line, CRLF or
 * LF, or one of the renderings above, or a bare code ("550", "5.7.26",
 * "550 5.7.26"). Reuses r's storage: call sdx_reply_init() once, then parse
 * as often as needed. Returns 0, or SDX_ENOMEM; defects set r->flags. */
SDX_API SDX_NODISCARD int sdx_reply_parse(struct sdx_reply *r, const char *p, size_t n);
/* sdx_reply_flag_name/desc - the word and sentence of one SDX_REPLY_F_* bit */
SDX_API const char *sdx_reply_flag_name(unsigned bit);
SDX_API const char *sdx_reply_flag_desc(unsigned bit);
/* sdx_status_parse - "5.7.26" (whole string) into st; 0 or SDX_EPARSE */
SDX_API int sdx_status_parse(const char *p, size_t n, struct sdx_status *st);
/* sdx_stage_of_command - the SMTP stage a command word at p[0..n) names, in
 * any case, after leading spaces ("RCPT TO:<a>", "DATA (32 bytes)",
 * "END-OF-MESSAGE", "end of data"); SDX_STAGE_OTHER for VRFY, RSET ... and
 * for words that name no command. Log readers, transcripts and replies share it. */
SDX_API enum sdx_stage sdx_stage_of_command(const char *p, size_t n);
/* sdx_reply_class - the class that governs: the basic code's first digit,
 * else the status class, else 0 */
SDX_API int sdx_reply_class(const struct sdx_reply *r);

#endif
