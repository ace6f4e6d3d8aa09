/* transcript.h - a recorded SMTP session, read into client and server turns
 * In:  the text of a transcript in one of the notations people keep:
 *        swaks         " -> EHLO x", "<-  250 ok", "<** 550 no" (an error
 *                      reply), " ~> " and "<~ " / "<~* " inside TLS,
 *                      "=== " and "*** " notes
 *        C:/S:         "C: EHLO x", "S: 250 ok" (RFC examples, many tools)
 *        >/<           "> EHLO x", "< 250 ok" (curl -v, hand notes)
 *        tcpflow -c    "127.000.000.001.45678-127.000.000.001.00025: EHLO x"
 *                      (a TCP stream dump: the side with the lower port is
 *                      the server; lines after a prefixed one without a
 *                      prefix of their own continue its flow)
 *      detected per line; lines in none of them (headers of a message sent,
 *      comments) are counted, not turns.
 * Out: turns in order, each with its side, whether it went over TLS, its
 *      text (without the notation's prefix and the CR) and its line number;
 *      a file with several connections (swaks run in a loop) marks the first
 *      turn of each.
 *      A message body sent after DATA is not a turn: swaks shows it as
 *      client lines, which are recognized by what comes before and after
 *      (DATA's 354, then the final ".").
 * Limits: SDX_TRANSCRIPT_TURNS_MAX turns; a turn is cut at
 *      SDX_TRANSCRIPT_LINE_MAX bytes (and its length before the cut kept, for
 *      the line-length rule of RFC 5321 section 4.5.3.1). Any bytes are read. */
#ifndef SMTPDX_TRANSCRIPT_H
#define SMTPDX_TRANSCRIPT_H

#include <stddef.h>
#include "buf.h"
#include "error.h"

#define SDX_TRANSCRIPT_TURNS_MAX 100000
#define SDX_TRANSCRIPT_LINE_MAX  4096

enum sdx_turn_side { SDX_TURN_CLIENT, SDX_TURN_SERVER };

struct sdx_turn {
    enum sdx_turn_side side;
    int                tls;         /* sent over TLS (swaks "~>", "<~") */
    int                marked;      /* the tool marked it an error (swaks "<**") */
    int                body;        /* a line of the message, between 354 and "." */
    int                session;     /* the first turn of a new connection (swaks' "=== Trying") */
    size_t             len;         /* the line's length as sent, before any cut */
    struct sdx_str     text;        /* without the prefix; owned by the transcript */
    size_t             off;         /* private: text's offset in the transcript's buffer */
    unsigned long      line;        /* 1-based line in the input */
};

struct sdx_transcript {
    struct sdx_turn *turn;
    size_t           n, cap;
    unsigned long    lines, notes, other, cut;  /* input lines; "===" notes; neither; turns cut */
    int              truncated;     /* more than SDX_TRANSCRIPT_TURNS_MAX turns: the rest dropped */
    const char      *notation;      /* "swaks", "C:/S:", "</>", "tcpflow", "mixed" or "none" */
    struct sdx_buf   text;          /* the turns' bytes */
};

SDX_API void sdx_transcript_init(struct sdx_transcript *t);
SDX_API void sdx_transcript_release(struct sdx_transcript *t);
/* sdx_transcript_parse - read p[0..n) into t (after init; appends). 0 or SDX_ENOMEM */
SDX_API SDX_NODISCARD int sdx_transcript_parse(struct sdx_transcript *t, const char *p, size_t n);

#endif
