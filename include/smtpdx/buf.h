/* buf.h - the one owning byte buffer of libsmtpdx, and the borrowed string
 * struct sdx_buf: never NULL data after init, always NUL-terminated, an
 * authoritative length (binary safe) and a ceiling set at init (curl's dynbuf).
 * On SDX_ETOOBIG the buffer keeps its contents so the caller can flag
 * "truncated" and go on. struct sdx_str borrows bytes owned elsewhere. */
#ifndef SMTPDX_BUF_H
#define SMTPDX_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "error.h"

struct sdx_str {
    const char *p;      /* not NUL-terminated in general; owner named by holder */
    size_t      len;
};
#define SDX_STR_NULL ((struct sdx_str){ NULL, 0 })
#define SDX_STR_LIT(s) ((struct sdx_str){ (s), sizeof(s) - 1 })

struct sdx_buf {
    char   *data;   /* never NULL after init (a static "" until the first add) */
    size_t  len;    /* bytes used, excluding the terminating NUL */
    size_t  cap;    /* bytes allocated; private */
    size_t  max;    /* ceiling on len, set by sdx_buf_init() */
};

/* sdx_buf_init - empty buffer that will never hold more than max bytes */
SDX_API void sdx_buf_init(struct sdx_buf *b, size_t max);
/* sdx_buf_release - free the storage; the buffer is empty and reusable */
SDX_API void sdx_buf_release(struct sdx_buf *b);
/* sdx_buf_reset - len = 0, storage kept */
SDX_API void sdx_buf_reset(struct sdx_buf *b);
/* sdx_buf_add - append n bytes. Returns 0, SDX_ENOMEM or SDX_ETOOBIG (then
 * as many bytes as fit were appended). */
SDX_API SDX_NODISCARD int sdx_buf_add(struct sdx_buf *b, const void *p, size_t n);
SDX_API SDX_NODISCARD int sdx_buf_adds(struct sdx_buf *b, const char *s);
SDX_API SDX_NODISCARD int sdx_buf_addc(struct sdx_buf *b, int c);
SDX_API SDX_NODISCARD int sdx_buf_addf(struct sdx_buf *b, const char *fmt, ...) SDX_PRINTF(2, 3);
SDX_API SDX_NODISCARD int sdx_buf_vaddf(struct sdx_buf *b, const char *fmt, va_list ap) SDX_PRINTF(2, 0);
/* sdx_buf_detach - hand the storage to the caller (free() it); b is reset */
SDX_API char *sdx_buf_detach(struct sdx_buf *b, size_t *len);

/* sdx_str_* - helpers on borrowed strings */
SDX_API struct sdx_str sdx_str_from(const char *s);
SDX_API int sdx_str_eq(struct sdx_str a, const char *s);          /* exact */
SDX_API int sdx_str_ieq(struct sdx_str a, const char *s);         /* ASCII case-insensitive */
SDX_API struct sdx_str sdx_str_trim(struct sdx_str s);            /* ASCII white space */
/* sdx_str_ifind - first ASCII case-insensitive occurrence of needle, or NULL */
SDX_API const char *sdx_str_ifind(struct sdx_str hay, const char *needle, size_t nlen);

#endif
