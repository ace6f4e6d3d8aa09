/* spf_int.h - what spf_eval.c and spf_macro.c share (not public) */
#ifndef SDX_SPF_INT_H
#define SDX_SPF_INT_H

#include <stddef.h>

/* the values macros expand to (RFC 7208 section 7.3) */
struct spf_macro_env {
    const char   *sender, *local, *sdomain;     /* s, l, o */
    const char   *domain;                       /* d: the domain being checked */
    const char   *helo, *receiver;              /* h, r */
    int           v6;
    unsigned char ip[16];                       /* i, c, v (first 4 bytes for IPv4) */
    /* p: the validated name of the IP, found on first use (a PTR lookup) */
    const char *(*ptr)(void *arg, const char *domain);
    void         *ptr_arg;
};

/* spf_expand - the macro-string s[0..len) expanded into out (cap bytes);
 * exp: an explanation (c, r, t allowed; spaces kept). Returns the length,
 * or -1 for a syntax error or an expansion over cap */
int spf_expand(const struct spf_macro_env *e, const char *s, size_t len, int exp, char *out, size_t cap);
/* spf_domain_fit - section 7.3: a name over 253 bytes loses its leftmost
 * labels until it fits; its new start */
const char *spf_domain_fit(const char *name);

#endif
