/* bounce_int.h - the pieces of the bounce reader, between its files
 * mime.c   GMime: the message's parts (delivery-status, feedback report,
 *          human-readable text, the original's headers) into struct bmail
 * dsn.c    RFC 3464 field blocks, mbox splitting (no GMime: fuzzed alone)
 * text.c   bounces in an MTA's own words: recipients and their replies
 * bounce.c the kinds, recipients, classification; the arena */
#ifndef SDX_BOUNCE_INT_H
#define SDX_BOUNCE_INT_H

#include <stddef.h>
#include <string.h>
#include "smtpdx/bounce.h"

/* the arena: every string of one sdx_bounce, freed at once */
struct bchunk;
struct bmem {
    struct bchunk *head;
};
/* bmem_str - a NUL-terminated copy of p[0..n) as a sdx_str; {"",0} and
 * *err set on allocation failure */
struct sdx_str bmem_str(struct bmem *m, const char *p, size_t n, int *err);
void bmem_free(struct bmem *m);

/* top-level headers read */
enum bh { BH_FROM, BH_TO, BH_SUBJECT, BH_DATE, BH_AUTO_SUBMITTED, BH_X_AUTOREPLY, BH_X_AUTORESPOND,
          BH_PRECEDENCE, BH_X_FAILED_RECIPIENTS, BH_RETURN_PATH, BH_FEEDBACK_TYPE, BH_COUNT };

struct bmail {
    struct sdx_str hdr[BH_COUNT];
    struct sdx_str report_type;     /* multipart/report's report-type */
    struct sdx_str dsn;             /* delivery-status content (all such parts) */
    struct sdx_str dsn_attached;    /* the same, inside attached messages */
    int            dsn_global;      /* message/global-delivery-status (RFC 6533) */
    struct sdx_str arf;             /* message/feedback-report content */
    struct sdx_str text;            /* the human-readable text, UTF-8 */
    struct sdx_str orig_headers;    /* the original message's header block */
    unsigned       flags;           /* SDX_BOUNCE_F_* */
    unsigned long  warnings;
};

/* bounce_mime - walk the message p[0..n); 0 or SDX_ENOMEM */
int bounce_mime(struct bmem *m, const char *p, size_t n, struct bmail *bm);

/* one recipient found in the text */
struct tfound {
    struct sdx_str rcpt;            /* address, in the arena */
    struct sdx_str diag;            /* the reply or sentence, joined, in the arena */
    const char    *how;             /* "text:same-block", ... */
};

struct tscan {
    const char   *exclude[8];       /* addresses that are not recipients (NUL-terminated) */
    size_t        nexclude;
    struct tfound found[64];
    size_t        nfound;
    size_t        cut;              /* where the returned message starts in the text */
    int           expired, delayed; /* the words say the message expired / is only delayed */
};

/* bounce_text - recipients and replies in the text t[0..n); hint: the
 * X-Failed-Recipients header value (may be empty). 0 or SDX_ENOMEM */
int bounce_text(struct bmem *m, const char *t, size_t n, struct sdx_str hint, struct tscan *ts);

/* Amazon SES notifications (ses.c) */
#define SES_RCPT_MAX 64
enum { SES_NONE = 0, SES_BOUNCE, SES_COMPLAINT, SES_DELIVERY };
struct ses {
    int            type;
    struct sdx_str feedback, response;  /* complaintFeedbackType; delivery smtpResponse */
    struct { struct sdx_str addr, status, action, diag; } r[SES_RCPT_MAX];
    size_t         n;
};
/* bounce_ses - the notification in p[0..n) (spans point into p); its
 * SES_* type, or 0 when there is none */
int bounce_ses(const char *p, size_t n, struct ses *s);

/* helpers shared by the files */
int  bounce_is_addr_char(int c);
/* bounce_find_addr - the first address local@domain in p[0..n) from *off;
 * 1 and its span, or 0 */
int  bounce_find_addr(const char *p, size_t n, size_t *off, size_t *as, size_t *alen);
/* bounce_reply_at - offset of the first reply code (or enhanced status)
 * in p[0..n), (size_t)-1 if none */
size_t bounce_reply_at(const char *p, size_t n);
/* bounce_memmem_ci - sdx_str_ifind (buf.h) on p[0..n) with a C string */
static inline const char *bounce_memmem_ci(const char *h, size_t hn, const char *needle)
{
    return sdx_str_ifind((struct sdx_str){ h, hn }, needle, strlen(needle));
}

#endif
