/* explain.h - choose the words that explain a verdict
 * A verdict can point at up to four KB entries (pattern, enhanced status,
 * basic code, reason). The most specific one that says something wins for
 * each part; references are the union. Text and JSON renderers both use
 * this, so they always say the same thing. */
#ifndef SMTPDX_EXPLAIN_H
#define SMTPDX_EXPLAIN_H

#include "classify.h"

#define SDX_EXPLAIN_REFS_MAX 16

struct sdx_explanation {
    const char         *summary;    /* one line */
    const char         *meaning;    /* a paragraph */
    const char *const  *causes;     /* NULL-terminated, most likely first; never NULL */
    const char *const  *steps;      /* NULL-terminated, in order; never NULL */
    const char         *refs[SDX_EXPLAIN_REFS_MAX + 1]; /* NULL-terminated */
    const char         *url;        /* provider documentation, or NULL */
    const char         *from;       /* "pattern", "status", "code", "reason": whose words */
};

SDX_API void sdx_explain_verdict(const struct sdx_verdict *v, struct sdx_explanation *x);

/* What the digits say, from the RFCs, whatever the text claims.
 * sdx_code_digit_desc - basic code digit pos (1-3) with value d (RFC 5321
 * §4.2.1: the first digit is the outcome, the second the category: x0
 * syntax, x1 information, x2 connections, x3/x4 unspecified, x5 mail
 * system; the third only orders codes within a category). NULL if none. */
SDX_API const char *sdx_code_digit_desc(int pos, int d);
/* sdx_status_class_desc - RFC 3463 §3.1: 2 success, 4 persistent transient, 5 permanent */
SDX_API const char *sdx_status_class_desc(int klass);
/* sdx_status_subject_desc - RFC 3463 §3.2: 0 other, 1 addressing, 2 mailbox,
 * 3 mail system, 4 network and routing, 5 mail delivery protocol,
 * 6 message content or media, 7 security or policy. NULL beyond 7. */
SDX_API const char *sdx_status_subject_desc(int subject);

#endif
