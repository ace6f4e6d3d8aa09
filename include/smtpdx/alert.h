/* alert.h - alert rules of smtpdx watch, and the webhook that carries them
 * In:  rules from the configuration (key = value, as in Postfix's main.cf):
 *        alert_refusals = 50 per 5m          every refusal, bounce, deferral
 *        alert_reason_userunknown = 20 per 10m   one reason
 *        alert_class_5 = 100 per 5m          one reply class
 *        alert_direction_outbound = 30 per 10m
 *        alert_domain_gmail.com = 10 per 5m  one recipient domain
 *        alert_reason_userunknown = 20 per 10m per domain   each domain apart
 *        alert_new_fingerprint = yes         a refusal text not seen before
 *        alert_queue_messages = 1000         the queue holds more
 *        alert_queue_age = 4h                its oldest message is older
 *        alert_listed = yes                  a sending IP newly listed
 *      then the events, queue listings and blocklist changes as they come.
 * Out: the alerts that fire, each with a one-line summary; a rule fires
 *      again only after the repeat interval (alert_repeat, default 1h).
 * A rate rule keeps the times of its last N events (N = its threshold,
 * at most SDX_ALERT_THRESHOLD_MAX): it fires when N events fall within its
 * window; "per domain" keeps one ring per recipient domain (64 domains at
 * once, the least recently seen forgotten first). Fingerprints seen are
 * kept up to SDX_ALERT_FINGERPRINTS_MAX. */
#ifndef SMTPDX_ALERT_H
#define SMTPDX_ALERT_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define SDX_ALERT_RULES_MAX        64
#define SDX_ALERT_THRESHOLD_MAX    100000
#define SDX_ALERT_FINGERPRINTS_MAX 10000

enum sdx_alert_kind { SDX_ALERT_RATE, SDX_ALERT_NEW_FINGERPRINT, SDX_ALERT_QUEUE_MESSAGES,
                      SDX_ALERT_QUEUE_AGE, SDX_ALERT_LISTED };

struct sdx_alert_fired {
    char          rule[96];        /* the configuration key */
    char          summary[400];    /* one line, for people */
    unsigned long value, threshold;
    unsigned long window;          /* seconds, rate rules */
};

struct sdx_alerts;

SDX_API SDX_NODISCARD int sdx_alerts_new(struct sdx_alerts **a);
SDX_API void sdx_alerts_free(struct sdx_alerts *a);
/* sdx_alerts_rule - one configuration line whose key starts with "alert_"
 * (alert_command and alert_url are the caller's). Returns 0, or SDX_EPARSE
 * / SDX_ETOOBIG with err saying why. */
SDX_API int sdx_alerts_rule(struct sdx_alerts *a, const char *key, const char *value, char *err, size_t cap);
SDX_API size_t sdx_alerts_count(const struct sdx_alerts *a);
/* sdx_alerts_event - one refusal at time now (epoch s); the fields may be
 * NULL or "". Writes at most cap alerts to out; returns how many fired. */
SDX_API size_t sdx_alerts_event(struct sdx_alerts *a, int64_t now, const char *direction, int klass,
                                const char *reason, const char *domain, const char *fingerprint,
                                struct sdx_alert_fired *out, size_t cap);
/* sdx_alerts_queue - a queue listing: messages waiting, age of the oldest */
SDX_API size_t sdx_alerts_queue(struct sdx_alerts *a, int64_t now, unsigned long messages, unsigned long oldest_s,
                                struct sdx_alert_fired *out, size_t cap);
/* sdx_alerts_listed - ip newly listed on list */
SDX_API size_t sdx_alerts_listed(struct sdx_alerts *a, int64_t now, const char *ip, const char *list,
                                 struct sdx_alert_fired *out, size_t cap);
/* sdx_duration_parse - "90", "90s", "5m", "4h", "2d" in seconds; 0 or SDX_EPARSE */
SDX_API int sdx_duration_parse(const char *s, unsigned long *secs);

/* sdx_webhook_post - POST body (application/json) to an http(s) URL with
 * libcurl (loaded on first use), within timeout_s; 0, or SDX_EIO with err
 * saying why (HTTP status >= 400 included) */
SDX_API int sdx_webhook_post(const char *url, const char *body, size_t n, long timeout_s, char *err, size_t cap);

#endif
