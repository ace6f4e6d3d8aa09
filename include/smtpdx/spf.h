/* spf.h - SPF (RFC 7208): records read, and check_host() evaluated
 * In:  the client's IP address, the MAIL FROM address (or "" for the null
 *      sender, then postmaster@HELO), the HELO name; a resolver
 *      (resolver.h) to ask for TXT, A, AAAA, MX and PTR records.
 * Out: the result (none neutral pass fail softfail temperror permerror,
 *      RFC 7208 section 2.6), the explanation of a fail (the exp=
 *      modifier's text, section 6.2, or the default), why a temperror or
 *      permerror happened, and the evaluation tree: each record read and
 *      each term tried, with what it did, so a reader sees which term
 *      decided.
 * Limits (section 4.6.4): 10 terms that query DNS (include a mx ptr exists
 *      redirect), 2 void lookups, 10 names per mx or ptr; include and
 *      redirect loops end there too. Records over SDX_SPF_RECORD_MAX bytes,
 *      more than SDX_SPF_TERMS_MAX terms, names over 253 bytes are refused
 *      with a reason, never cut silently.
 * Parsing is separate (sdx_spf_parse) so that `check` can report a
 * record's syntax without evaluating it, and the fuzzer can reach it. */
#ifndef SMTPDX_SPF_H
#define SMTPDX_SPF_H

#include <stddef.h>
#include "error.h"
#include "resolver.h"

#define SDX_SPF_RECORD_MAX 4096
#define SDX_SPF_TERMS_MAX  64
#define SDX_SPF_STEPS_MAX  256

#define SDX_SPF_RESULTS(X)                                                                  \
    X(NONE,      "none",      "no SPF record for the domain, or no valid domain to check") \
    X(NEUTRAL,   "neutral",   "the domain states nothing about this address")              \
    X(PASS,      "pass",      "the address is authorized to send for the domain")          \
    X(FAIL,      "fail",      "the address is NOT authorized to send for the domain")      \
    X(SOFTFAIL,  "softfail",  "the address is probably not authorized (~all)")             \
    X(TEMPERROR, "temperror", "a temporary DNS error: try again later")                    \
    X(PERMERROR, "permerror", "the domain's SPF record is broken and cannot be evaluated")

enum sdx_spf_result {
#define X(e, name, text) SDX_SPF_##e,
    SDX_SPF_RESULTS(X)
#undef X
    SDX_SPF_RESULT_COUNT
};

enum sdx_spf_mech {
    SDX_SPF_ALL, SDX_SPF_INCLUDE, SDX_SPF_A, SDX_SPF_MX, SDX_SPF_PTR, SDX_SPF_IP4, SDX_SPF_IP6, SDX_SPF_EXISTS,
    SDX_SPF_REDIRECT, SDX_SPF_EXP, SDX_SPF_UNKNOWN_MOD
};

/* one term of a record; the strings point into the record's own copy */
struct sdx_spf_term {
    enum sdx_spf_mech mech;
    char              qual;         /* '+' '-' '~' '?' for mechanisms */
    const char       *text;         /* the whole term */
    size_t            text_len;
    const char       *spec;         /* domain-spec, ip, or modifier value; NULL: none */
    size_t            spec_len;
    int               cidr4, cidr6; /* prefix lengths; -1: none given */
    unsigned char     ip[16];       /* ip4 (first 4 bytes) or ip6 network */
};

struct sdx_spf_record {
    char                text[SDX_SPF_RECORD_MAX + 1];
    size_t              len;
    struct sdx_spf_term term[SDX_SPF_TERMS_MAX];
    size_t              n;
    int                 redirect, exp;  /* index of the modifier, -1: none */
    char                error[200];     /* the syntax error, with the term */
};

/* one line of the evaluation tree */
struct sdx_spf_step {
    int  depth;                     /* 0: the domain checked; 1: an include or redirect of it, ... */
    char domain[256];
    char what[300];                 /* "record: v=spf1 ...", "ip4:192.0.2.0/24 matched", ... */
};

struct sdx_spf_query {
    const char *ip;                 /* IPv4 or IPv6 text */
    const char *sender;             /* MAIL FROM; "" or NULL: the null sender */
    const char *helo;               /* HELO/EHLO name */
    const char *receiver;           /* %{r}; NULL: "unknown" */
    const char *default_exp;        /* the explanation of a fail without exp=; NULL: smtpdx's */
};

struct sdx_spf_answer {
    enum sdx_spf_result result;
    char                domain[256];        /* the domain checked (the sender's, or HELO's) */
    char                identity[12];       /* "mailfrom" or "helo" */
    char                explanation[1024];  /* with a fail */
    char                problem[300];       /* why temperror or permerror, or why none */
    char                matched[300];       /* the term that decided, "" for none (default neutral) */
    int                 dns_terms, void_lookups;
    size_t              nstep, steps_lost;  /* steps past the limit are counted, not kept */
    /* last: sdx_spf_check clears the fields above, not these 140 KB, which
     * are written before they are read */
    struct sdx_spf_step step[SDX_SPF_STEPS_MAX];
};

/* sdx_spf_parse - a "v=spf1 ..." record (len bytes) into r; 0, or
 * SDX_EPARSE with r->error saying which term is wrong and why (a syntax
 * error anywhere makes check_host() a permerror, section 4.6), or
 * SDX_ETOOBIG over the limits */
SDX_API SDX_NODISCARD int sdx_spf_parse(const char *rec, size_t len, struct sdx_spf_record *r);
/* sdx_spf_is_record - the text starts with "v=spf1" followed by a space or
 * its end (section 4.5), any case */
SDX_API int sdx_spf_is_record(const char *txt, size_t len);
/* sdx_spf_check - check_host() for q through rs into *a; 0, or SDX_EINVAL
 * when q has no valid IP, or a sender over 320 or a HELO over 255 bytes
 * (a malformed sender or HELO is a result: none) */
SDX_API SDX_NODISCARD int sdx_spf_check(struct sdx_resolver *rs, const struct sdx_spf_query *q,
                                        struct sdx_spf_answer *a);
/* sdx_spf_macro_check - whether s (len bytes) is a valid macro-string
 * (section 7.1); exp: the letters c, r, t and literal spaces allowed
 * (explanation strings) */
SDX_API int sdx_spf_macro_check(const char *s, size_t len, int exp);
SDX_API const char *sdx_spf_result_name(enum sdx_spf_result r);
SDX_API const char *sdx_spf_result_text(enum sdx_spf_result r);

#endif
