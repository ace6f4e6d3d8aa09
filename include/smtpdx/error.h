/* error.h - error codes of libsmtpdx and the diagnostics that carry details
 * Every library function that can fail returns int: 0, or a negative SDX_E*.
 * Malformed input is a finding (flags on the result), not an error.
 * Details go in an optional struct sdx_diag (curl's error buffer). */
#ifndef SMTPDX_ERROR_H
#define SMTPDX_ERROR_H

#include <stddef.h>

#if defined(__GNUC__)
#define SDX_API        __attribute__((visibility("default")))
#define SDX_NODISCARD  __attribute__((warn_unused_result))
#define SDX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SDX_API
#define SDX_NODISCARD
#define SDX_PRINTF(f, a)
#endif

/* name, value, message: expanded into the enum, sdx_strerror() and sdx_errname() */
#define SDX_ERRORS(X)                                          \
    X(NOMEM,   -1, "out of memory")                            \
    X(TOOBIG,  -2, "input larger than the limit")              \
    X(IO,      -3, "read or write failed")                     \
    X(INVAL,   -4, "invalid argument")                         \
    X(PARSE,   -5, "input could not be parsed")                \
    X(NOTFOUND,-6, "not found")                                \
    X(KB,      -7, "knowledge base is inconsistent")           \
    X(USAGE,   -8, "usage error")                              \
    X(DNS,     -9, "DNS lookup failed")                        \
    X(TLS,    -10, "TLS failure")

enum sdx_err {
    SDX_OK = 0,
#define X(name, val, msg) SDX_E##name = (val),
    SDX_ERRORS(X)
#undef X
};

/* One diagnostic: the code, where it came from, and an escaped message. */
#define SDX_DIAG_MSG_MAX 512
struct sdx_diag {
    int           code;                   /* last SDX_E* stored, 0 if none */
    const char   *source;                 /* file name or "-" (not owned), may be NULL */
    unsigned long line;                   /* 1-based line in source, 0 if none */
    char          msg[SDX_DIAG_MSG_MAX];  /* printable ASCII, NUL-terminated */
};

/* sdx_strerror - the message for an SDX_E* code ("unknown error" otherwise) */
SDX_API const char *sdx_strerror(int err);
/* sdx_errname - "SDX_ENOMEM" style name of a code */
SDX_API const char *sdx_errname(int err);
/* sdx_diag_set - store code and formatted message in d (if not NULL).
 * Returns code, so callers can write: return sdx_diag_set(d, SDX_EIO, ...). */
SDX_API int sdx_diag_set(struct sdx_diag *d, int code, const char *fmt, ...) SDX_PRINTF(3, 4);

#endif
