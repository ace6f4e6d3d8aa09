/* esc.h - make untrusted bytes safe for a terminal, a log or JSON
 * Control characters, DEL, invalid UTF-8 and (optionally) all non-ASCII
 * become visible escapes (\n, \t, \xNN, \u00NN). Output is bounded by the
 * buffer's ceiling (SDX_ETOOBIG, what fits is kept); callers bound excerpts. */
#ifndef SMTPDX_ESC_H
#define SMTPDX_ESC_H

#include "buf.h"

#define SDX_ESC_ASCII   0x01u  /* escape every byte >= 0x80 too (else valid UTF-8 passes) */
#define SDX_ESC_QUOTE   0x02u  /* also escape '"' and '\\' (for quoted excerpts) */

/* sdx_esc_text - append p[0..n) escaped for a terminal or a log line */
SDX_API SDX_NODISCARD int sdx_esc_text(struct sdx_buf *out, const char *p, size_t n, unsigned flags);
/* sdx_esc_json - append p[0..n) as the body of a JSON string (RFC 8259 §7);
 * invalid UTF-8 becomes U+FFFD, so the output always parses */
SDX_API SDX_NODISCARD int sdx_esc_json(struct sdx_buf *out, const char *p, size_t n);
/* sdx_utf8_len - length (1-4) of the valid UTF-8 sequence at p, 0 if invalid (RFC 3629) */
SDX_API size_t sdx_utf8_len(const unsigned char *p, size_t n);

#endif
