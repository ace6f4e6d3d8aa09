/* kb.h - the compiled knowledge base: reply codes, enhanced status codes,
 * reasons, providers and provider/product reply patterns
 * In:  nothing at run time: tools/kbgen.c compiles data/kb/ (*.kb) into tables
 *      linked into the library (docs/kb-format.md describes the source).
 * Out: read-only entries; every pointer lives as long as the program.
 * Lists (causes, steps, refs, ...) are NULL-terminated arrays of strings. */
#ifndef SMTPDX_KB_H
#define SMTPDX_KB_H

#include <stddef.h>
#include "reason.h"

/* one basic reply code (RFC 5321 §4.2 and extensions) */
struct sdx_kb_code {
    int                 code;       /* 550 */
    const char         *title;
    const char         *meaning;
    const char         *note;       /* may be NULL */
    int                 reason;     /* enum sdx_reason, or -1: the bare code implies none */
    int                 actor;      /* enum sdx_actor */
    const char *const  *causes, *const *steps, *const *refs;
};

/* one enhanced status code of the IANA registry, class-independent (X.s.d) */
struct sdx_kb_status {
    int                 subject, detail;
    const char         *title;
    const char         *meaning;
    int                 reason;            /* for class 5; -1 none */
    int                 reason_transient;  /* for class 4; -1: same as reason */
    int                 if_bounced;        /* reason when a 4.x.x of this ended in a bounce; -1 */
    int                 actor;
    const char         *basic;             /* IANA's associated basic codes, "" if none */
    const char *const  *causes, *const *steps, *const *refs;
};

/* what a reason means and what to do, when no more specific entry says */
struct sdx_kb_reason {
    int                 reason;
    const char         *title;
    const char         *meaning;
    int                 actor;
    const char *const  *causes, *const *steps, *const *refs;
};

struct sdx_kb_provider {
    const char         *id;         /* "gmail" */
    const char         *name;       /* "Gmail and Google Workspace" */
    const char         *url;
    const char *const  *hosts;      /* remote host suffixes */
    const char *const  *domains;    /* recipient domains */
    const char *const  *markers;    /* lower-case text fragments */
};

/* a pattern constraint on the enhanced status: klass 0 means either class */
struct sdx_kb_statusc { unsigned char klass; unsigned short subject, detail; };
/* a constraint on the basic code: code, or a class wildcard (code 0, klass 4) */
struct sdx_kb_replyc  { unsigned short code; unsigned char klass; };

/* one alternative of a pattern: fragments that must occur in order */
struct sdx_kb_alt {
    const char *const  *frags;      /* lower-case, white space collapsed */
    const unsigned short *lens;     /* their lengths */
    unsigned            nfrags;
    unsigned            anchor;     /* index of the longest fragment */
};

struct sdx_kb_pattern {
    const char                 *id;
    int                         provider;      /* index into providers, -1 generic */
    const char                 *title;
    const struct sdx_kb_replyc *replies;  unsigned nreplies;
    const struct sdx_kb_statusc*statuses; unsigned nstatuses;
    unsigned                    stages;        /* bit mask of enum sdx_stage, 0 any */
    int                         requires_stage;/* stages must be known to match, not just allowed */
    const struct sdx_kb_alt    *alts;     unsigned nalts;
    int                         requires_provider;
    int                         reason;        /* enum sdx_reason */
    int                         perm;          /* enum sdx_perm override, 0 none */
    int                         if_bounced;    /* reason when this temporary reply ended in a bounce; -1 */
    int                         actor;
    const char                 *meaning;       /* NULL for terse generic patterns */
    const char                 *differs;       /* NULL unless the provider differs from IANA */
    const char                 *url;           /* NULL for generic */
    const char *const          *causes, *const *steps, *const *refs, *const *examples;
    const char                 *source;        /* "data/kb/p-google.kb:12" */
};

struct sdx_kb {
    const struct sdx_kb_code     *codes;     size_t ncodes;     /* sorted by code */
    const struct sdx_kb_status   *statuses;  size_t nstatuses;  /* sorted by subject, detail */
    const struct sdx_kb_reason   *reasons;   size_t nreasons;
    const struct sdx_kb_provider *providers; size_t nproviders;
    const struct sdx_kb_pattern  *patterns;  size_t npatterns;  /* in file order */
};

/* sdx_kb - the built-in knowledge base */
SDX_API const struct sdx_kb *sdx_kb(void);
SDX_API const struct sdx_kb_code *sdx_kb_code(int code);
SDX_API const struct sdx_kb_status *sdx_kb_status(int subject, int detail);
SDX_API const struct sdx_kb_reason *sdx_kb_reason(enum sdx_reason r);
SDX_API const struct sdx_kb_provider *sdx_kb_provider(const char *id);
SDX_API const struct sdx_kb_pattern *sdx_kb_pattern(const char *id);

#endif
