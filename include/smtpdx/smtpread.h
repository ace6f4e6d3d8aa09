/* smtpread.h - SMTP replies out of a byte stream, bounded
 * In:  bytes as they arrive from a server (any split, any bytes).
 * Out: complete replies: the code and the lines ("250-a", "250 b") joined
 *      with "\n", without CRLF. A reply is complete at its last line
 *      ("NNN text", "NNN"); lines end at LF (a CR before it is dropped).
 * Limits, each a named diagnosis rather than unbounded memory:
 *      a line over SDX_SMTP_LINE_MAX bytes (RFC 5321 section 4.5.3.1.5
 *      allows 512) -> SDX_SMTP_E_LINE; a reply of more than
 *      SDX_SMTP_LINES_MAX lines -> SDX_SMTP_E_LINES; a line that does not
 *      start with three digits, or a continuation whose code differs from
 *      the first line's (RFC 5321 section 4.2.1) -> SDX_SMTP_E_SYNTAX. */
#ifndef SMTPDX_SMTPREAD_H
#define SMTPDX_SMTPREAD_H

#include <stddef.h>
#include "buf.h"

#define SDX_SMTP_LINE_MAX  4096
#define SDX_SMTP_LINES_MAX 512

enum sdx_smtp_err {
    SDX_SMTP_OK = 0,
    SDX_SMTP_E_LINE,        /* a reply line over SDX_SMTP_LINE_MAX bytes */
    SDX_SMTP_E_LINES,       /* a multi-line reply that does not end */
    SDX_SMTP_E_SYNTAX       /* not an SMTP reply line */
};

struct sdx_smtp_reader {
    char              line[SDX_SMTP_LINE_MAX + 1];
    size_t            len;          /* bytes of the current line so far */
    unsigned          nlines;       /* lines of the current reply */
    int               code;         /* of the current reply (its first line) */
    int               done;         /* reply holds a complete reply */
    enum sdx_smtp_err err;          /* set once: the stream is not usable after it */
    struct sdx_buf    reply;        /* the lines, "\n" between them */
};

SDX_API void sdx_smtp_reader_init(struct sdx_smtp_reader *r);
SDX_API void sdx_smtp_reader_release(struct sdx_smtp_reader *r);
/* sdx_smtp_reader_feed - read from p[0..n) until a reply is complete or the
 * bytes run out; *used: how many were taken (the rest belong to the next
 * reply). Returns 1 when r->reply / r->code hold a complete reply, 0 when
 * more bytes are needed, SDX_EPARSE on a stream error (r->err says which),
 * SDX_ENOMEM. */
SDX_API SDX_NODISCARD int sdx_smtp_reader_feed(struct sdx_smtp_reader *r, const char *p, size_t n, size_t *used);
/* sdx_smtp_reader_next - forget the complete reply, for the next one */
SDX_API void sdx_smtp_reader_next(struct sdx_smtp_reader *r);
SDX_API const char *sdx_smtp_err_name(enum sdx_smtp_err e);

#endif
