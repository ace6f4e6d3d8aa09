/* error.c - sdx_strerror(), sdx_errname() and sdx_diag_set()
 * The texts come from the SDX_ERRORS list in error.h; diag messages are
 * formatted, then made printable so they are safe for any terminal. */
#include <stdarg.h>
#include <stdio.h>
#include "smtpdx/error.h"

const char *sdx_strerror(int err)
{
    switch (err) {
    case SDX_OK: return "success";
#define X(name, val, msg) case SDX_E##name: return msg;
    SDX_ERRORS(X)
#undef X
    }
    return "unknown error";
}

const char *sdx_errname(int err)
{
    switch (err) {
    case SDX_OK: return "SDX_OK";
#define X(name, val, msg) case SDX_E##name: return "SDX_E" #name;
    SDX_ERRORS(X)
#undef X
    }
    return "SDX_E?";
}

int sdx_diag_set(struct sdx_diag *d, int code, const char *fmt, ...)
{
    va_list ap;
    char *p;

    if (d == NULL)
        return code;
    d->code = code;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
    /* callers may quote untrusted bytes: never let a control character through */
    for (p = d->msg; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
            *p = '?';
    return code;
}
