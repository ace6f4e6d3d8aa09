/* check_int.h - what the check files share (not public) */
#ifndef SDX_CHECK_INT_H
#define SDX_CHECK_INT_H

#include "smtpdx/check.h"
#include "smtpdx/error.h"
#include "../dns/resolver_int.h"

#define RR_A     1
#define RR_CNAME 5
#define RR_PTR   12
#define RR_MX    15
#define RR_TXT   16
#define RR_AAAA  28

/* one TXT record, its strings joined: room for the longest SPF record the
 * parser takes; longer ones are cut and marked with CHECK_CUT at the end */
#define CHECK_TXT_MAX 4100
typedef char check_txtrec[CHECK_TXT_MAX];

SDX_PRINTF(6, 7)
int check_add(struct sdx_check_report *rep, enum sdx_check_level l, const char *area, const char *subject,
              const char *refusal, const char *fmt, ...);
/* check_evidence - set the evidence of the last finding */
void check_evidence(struct sdx_check_report *rep, const char *text);
/* check_record - the evidence of the last finding, a record whose answer
 * had DNSSEC status sec */
void check_record(struct sdx_check_report *rep, const char *text, enum sdx_dnssec sec);
/* check_txt - the TXT records of name starting with prefix (any case):
 * how many (up to max copied into out[], each cut at CHECK_TXT_MAX - 1
 * bytes, which no record parsed here may reach), or -1
 * with why in err for a lookup error; *sec (may be NULL) the answer's
 * DNSSEC status */
int check_txt(struct sdx_resolver *rs, const char *name, const char *prefix, check_txtrec *out, int max,
              char *err, size_t errcap, enum sdx_dnssec *sec);
void check_auth(struct sdx_resolver *rs, const struct sdx_check_opts *o, struct sdx_check_report *rep);

#endif
