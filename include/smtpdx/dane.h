/* dane.h - DANE for SMTP (RFC 7672): the TLSA records of a mail host
 * In:  a resolver (resolver.h), the host name and port.
 * Out: what DANE says of the host: not applicable (the answers are not
 *      DNSSEC-validated, or there is no TLSA record), records to
 *      authenticate the server's certificate with, unusable records (TLS is
 *      then mandatory but unauthenticated), or a failure a DANE sender
 *      defers on (a bogus answer, a failed lookup). After a session
 *      (probe.h), whether the certificate matched.
 * Rules (RFC 7672): TLSA at _PORT._tcp.HOST (section 2.2.3), looked up only
 *      when HOST's address records are secure (section 2.2.2); only secure
 *      TLSA answers count (section 2.2); usages DANE-TA(2) and DANE-EE(3)
 *      are usable, PKIX-TA(0) and PKIX-EE(1) are not (section 3.1.3); the
 *      matching itself is OpenSSL's (SSL_dane_enable, RFC 7671).
 * Limits: SDX_TLSA_MAX records of at most SDX_TLSA_DATA_MAX bytes; more or
 *      longer ones are counted in skipped, not silently dropped. */
#ifndef SMTPDX_DANE_H
#define SMTPDX_DANE_H

#include <stddef.h>
#include "error.h"
#include "resolver.h"

#define SDX_TLSA_MAX      8
#define SDX_TLSA_DATA_MAX 2048      /* a whole certificate (matching type 0) fits */

struct sdx_tlsa {
    unsigned      usage, selector, mtype;
    size_t        len;
    unsigned char data[SDX_TLSA_DATA_MAX];
};

#define SDX_DANE_STATES(X)                                                                          \
    X(OFF,      "off",      "not looked up")                                                      \
    X(INSECURE, "insecure", "the host's address or TLSA answer is not DNSSEC-validated: DANE does not apply (RFC 7672 section 2.2)") \
    X(NONE,     "none",     "validated: the host publishes no TLSA record, DANE does not apply")  \
    X(BOGUS,    "bogus",    "DNSSEC validation failed: a DANE sender defers the mail (RFC 7672 section 2.1.1)") \
    X(ERROR,    "error",    "the lookup failed (timeout, SERVFAIL): a DANE sender defers the mail (RFC 7672 section 2.1.1)") \
    X(UNUSABLE, "unusable", "TLSA records, none usable for SMTP: TLS is mandatory, not authenticated (RFC 7672 section 2.2)") \
    X(USABLE,   "usable",   "usable TLSA records: TLS is mandatory and the certificate must match one") \
    X(MATCHED,  "matched",  "the server's certificate matched a TLSA record")                     \
    X(MISMATCH, "mismatch", "no TLSA record matched the server's certificate: a DANE sender defers the mail") \
    X(NO_TLS,   "no-tls",   "TLSA records make TLS mandatory, and the session had none: a DANE sender defers the mail")

enum sdx_dane_state {
#define X(e, name, text) SDX_DANE_##e,
    SDX_DANE_STATES(X)
#undef X
    SDX_DANE_STATE_COUNT
};

struct sdx_tlsa_result {
    enum sdx_dane_state state;      /* OFF .. USABLE */
    char                qname[300]; /* _25._tcp.mx.example.com */
    char                address[64];/* the host's first address (validated with the lookup), "" */
    struct sdx_tlsa     rr[SDX_TLSA_MAX];
    size_t              n;          /* records read */
    size_t              usable;     /* of them, usable for SMTP */
    size_t              skipped;    /* records past SDX_TLSA_MAX, too long or malformed */
    char                error[600]; /* why bogus, how the lookup failed, why insecure */
};

/* sdx_tlsa_lookup - the TLSA records of host:port through rs into r (state
 * OFF when host is an address literal); 0, or SDX_EINVAL for a bad name */
SDX_API SDX_NODISCARD int sdx_tlsa_lookup(struct sdx_resolver *rs, const char *host, unsigned port,
                                          struct sdx_tlsa_result *r);
/* sdx_tlsa_from_rdata - TLSA rdata (RFC 6698 section 2.1, wire format) into
 * r->rr, counting what does not fit or parse in r->skipped, and the usable
 * ones; sets state USABLE or UNUSABLE when any was read */
SDX_API void sdx_tlsa_from_rdata(char *const *data, const int *len, size_t count, struct sdx_tlsa_result *r);
/* sdx_tlsa_usable - usable for SMTP (RFC 7672 section 3.1.3): usage 2 or 3,
 * selector 0 or 1, matching type 0, 1 (32 bytes) or 2 (64 bytes) */
SDX_API int sdx_tlsa_usable(const struct sdx_tlsa *t);
SDX_API const char *sdx_dane_state_name(enum sdx_dane_state s);
SDX_API const char *sdx_dane_state_text(enum sdx_dane_state s);
/* sdx_dane_usage_name - "DANE-EE", "DANE-TA", "PKIX-EE", "PKIX-TA" */
SDX_API const char *sdx_dane_usage_name(unsigned usage);

#endif
