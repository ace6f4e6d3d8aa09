/* probe_report.h - what cmd_probe.c (one target) and probe_many.c (many
 * targets, one event loop) share: the options, the reports, the exit status */
#ifndef SDX_CLI_PROBE_REPORT_H
#define SDX_CLI_PROBE_REPORT_H

#include <stddef.h>
#include "smtpdx/classify.h"
#include "smtpdx/mx.h"
#include "smtpdx/probe.h"
#include "smtpdx/resolver.h"

struct probe_args {
    int           json, require_tls, no_tls, tls_on_connect, mx, auth_login, relay, full, smtputf8, rfc_timeouts;
    int           dane, no_dane;
    const char   *helo, *from, *rcpt, *ca_file, *color, *need, *auth_user, *auth_file, *source, *targets;
    const char   *body, *data, *timeout_for, *resolver, *trust_anchor;
    unsigned long timeout, deadline, concurrency, size;
};

/* probe_read_data - the message of --data FILE ("-": stdin), at most
 * SDX_PROBE_DATA_MAX bytes, into *out (malloc'd); 0, or the exit status
 * after saying why */
int probe_read_data(const char *file, char **out, size_t *len);
/* probe_wait_opts - the RFC 5321 timeouts when rfc, then each NAME=SECONDS
 * of list (NULL: none) into o->wait_ms; 0, or EXIT_USAGE after saying why */
int probe_wait_opts(const char *list, int rfc, struct sdx_probe_opts *o);

/* probe_refusal_end - the session ended on the server's refusal, not a failure */
int probe_refusal_end(enum sdx_probe_end e);
/* probe_dane_failed - DANE says a DANE sender would not deliver (bogus,
 * failed lookup, no match, no TLS) */
int probe_dane_failed(const struct sdx_probe_result *r);
/* probe_status - the exit status of one target: 0, EXIT_FOUND, EXIT_INPUT */
int probe_status(const struct sdx_probe_result *r, int unmet);
/* probe_target - "host", "host:port", "[v6]:port", "v6" into host/port; 0 or -1 */
int probe_target(const char *t, char *host, size_t cap, unsigned *port);
int probe_each_need(const char *list, int (*fn)(void *arg, const char *p, size_t n), void *arg);
void probe_explain_reply(const char *text, size_t n, char *out, size_t cap, struct sdx_verdict *v, int *ok);
void probe_text_report(const char *tgt, const struct sdx_probe_result *r, const char *need, int *unmet);
/* probe_json_report - one line of JSON on stdout (so many make NDJSON) */
int probe_json_report(const char *tgt, const struct sdx_probe_result *r, const char *need, int *unmet,
                      const struct sdx_mx_result *mx, const char *server);
/* probe_no_mail_text - why a --mx domain has no mail host to try (null
 * MX, no such domain, neither MX nor address, the lookup's error) */
const char *probe_no_mail_text(const struct sdx_mx_result *mx);
/* probe_lookup - with a resolver rs, o->host's address (and with dane its
 * TLSA records, into *tlsa) from it, set in o->address and o->tlsa, or
 * o->resolve_error set to why there is none (the session then ends as
 * "resolve"); addr and err are the caller's and must live as long as o.
 * Without a resolver, or for an address literal, nothing. 0 or an SDX_E* */
int probe_lookup(struct sdx_resolver *rs, int dane, struct sdx_probe_opts *o, struct sdx_tlsa_result *tlsa,
                 char *addr, size_t addrcap, char *err, size_t errcap);
/* probe_many - every target of argv[first..argc) and a->targets, side by
 * side; rs: the resolver for MX, addresses and (dane) TLSA records, or
 * NULL; its lookups run before each session starts and hold up the loop
 * while they wait, as getaddrinfo does. The exit status (the worst of the
 * targets') */
int probe_many(const struct probe_args *a, const struct sdx_probe_opts *base, struct sdx_resolver *rs, int dane,
               int argc, char **argv, int first);

#endif
