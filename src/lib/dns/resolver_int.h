/* resolver_int.h - the libunbound context inside a resolver, for the
 * library's own lookups (mx.c, tlsa.c); not part of the public API */
#ifndef SDX_RESOLVER_INT_H
#define SDX_RESOLVER_INT_H

#include <unbound.h>
#include "smtpdx/resolver.h"

struct ub_ctx *sdx_resolver_ctx(struct sdx_resolver *res);
/* sdx_resolver_ask - ub_resolve with the failures said in err ("TLSA
 * _25._tcp.mx.example: SERVFAIL", "... : timed out"); 0 with *out set (the
 * caller frees it), or SDX_EDNS */
int sdx_resolver_ask(struct sdx_resolver *res, const char *name, int type, struct ub_result **out, char *err,
                     size_t cap);
enum sdx_dnssec sdx_resolver_security(const struct ub_result *r);

/* one question of sdx_resolver_ask_all */
struct sdx_question {
    const char       *name;
    int               type;
    struct ub_result *result;       /* set when answered (the caller frees it) */
    int               err;          /* 0 answered, else UB_* or -1: no answer within the time */
};
/* sdx_resolver_ask_all - the n questions at once (libunbound's async API:
 * they are all sent before any answer is waited for), waiting at most
 * timeout_ms for them all; the ones left are cancelled (err -1). 0, or
 * SDX_EDNS when the asking itself failed */
int sdx_resolver_ask_all(struct sdx_resolver *res, struct sdx_question *q, size_t n, int timeout_ms);

#endif
