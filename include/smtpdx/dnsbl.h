/* dnsbl.h - DNS blocklists (RFC 5782): is an IP address or a domain listed?
 * In:  addresses (IPv4, IPv6) and domains; a set of lists (a default one
 *      of widely used lists, or the caller's); a resolver (resolver.h).
 * Out: per target and list: listed or not, each answer's code decoded
 *      (Spamhaus's meanings, from its zone documentation), the TXT reason
 *      of a listing, and the answers that are no listing at all: Spamhaus's
 *      127.255.255.252/254/255 (a typo in the zone, a query through a
 *      public resolver, too many queries), an answer outside 127.0.0.0/8
 *      (a list that has shut down and answers everything), a timeout.
 * How: every question of every list at once (libunbound's asynchronous
 *      API), so the time is about one round trip, not one per list.
 * Form (RFC 5782 section 2.1, 2.4): IPv4 octets reversed, IPv6 nibbles
 *      reversed, then the zone; domains as they are, then the zone. */
#ifndef SMTPDX_DNSBL_H
#define SMTPDX_DNSBL_H

#include <stddef.h>
#include "error.h"
#include "resolver.h"

#define SDX_DNSBL_LISTS_MAX   64
#define SDX_DNSBL_TARGETS_MAX 256
#define SDX_DNSBL_ANSWERS_MAX 8

enum sdx_dnsbl_kind { SDX_DNSBL_IP, SDX_DNSBL_DOMAIN };

struct sdx_dnsbl_list {
    const char          *name;      /* "Spamhaus ZEN" */
    const char          *zone;      /* "zen.spamhaus.org" */
    enum sdx_dnsbl_kind  kind;
    int                  spamhaus;  /* decode Spamhaus's codes */
};

enum sdx_dnsbl_state {
    SDX_DNSBL_NOT_LISTED = 0,
    SDX_DNSBL_LISTED,
    SDX_DNSBL_REFUSED_QUERY,    /* an error code (Spamhaus 127.255.255.x): no verdict */
    SDX_DNSBL_BOGUS_ANSWER,     /* an answer outside 127.0.0.0/8: the list answers everything */
    SDX_DNSBL_ERROR,            /* timeout, SERVFAIL */
    SDX_DNSBL_SKIPPED           /* the list is for the other kind of target */
};

struct sdx_dnsbl_answer {
    unsigned char code[4];
    const char   *meaning;      /* "SBL: verified spam source", "listed" ... */
};

struct sdx_dnsbl_result {
    const struct sdx_dnsbl_list *list;
    char                         query[300];
    enum sdx_dnsbl_state         state;
    struct sdx_dnsbl_answer      ans[SDX_DNSBL_ANSWERS_MAX];
    size_t                       nans;
    char                         reason[300];   /* the TXT record of a listing */
    char                         error[200];
};

/* sdx_dnsbl_defaults - the default lists, *n of them */
SDX_API const struct sdx_dnsbl_list *sdx_dnsbl_defaults(size_t *n);
/* sdx_dnsbl_query_name - the name to ask for target in zone (an IP for an
 * IP list, a domain for a domain list) into out; 0, or SDX_EINVAL when
 * the target is not of the list's kind or the name is too long */
SDX_API SDX_NODISCARD int sdx_dnsbl_query_name(const char *target, const struct sdx_dnsbl_list *l, char *out,
                                               size_t cap);
/* sdx_dnsbl_decode - the meaning of one answer of list l, and whether it
 * is a listing (1), an error code (0: no verdict), or no DNSBL answer (-1) */
SDX_API int sdx_dnsbl_decode(const struct sdx_dnsbl_list *l, const unsigned char code[4], const char **meaning);
/* sdx_dnsbl_check - every target against every list at once, waiting at
 * most timeout_ms; res[t * nlists + l] for target t and list l (the
 * caller's array of ntargets * nlists). 0, SDX_EINVAL, SDX_ENOMEM */
SDX_API SDX_NODISCARD int sdx_dnsbl_check(struct sdx_resolver *rs, const char *const *targets, size_t ntargets,
                                          const struct sdx_dnsbl_list *lists, size_t nlists, int timeout_ms,
                                          struct sdx_dnsbl_result *res);
SDX_API const char *sdx_dnsbl_state_name(enum sdx_dnsbl_state s);

#endif
