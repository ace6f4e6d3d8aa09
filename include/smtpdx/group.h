/* group.h - group events by the fingerprint of their reply, and count them
 * A fingerprint is the reply text with what varies between occurrences
 * masked (addresses, host names, IP addresses, numbers, ids, bracketed and
 * quoted values), plus the code, status, reason and direction: two events
 * with the same fingerprint are the same problem. Each group keeps its
 * count, first and last time, the remote domains, hosts and clients seen
 * most (bounded: the space-saving algorithm keeps the heavy hitters in a
 * fixed table), and one example event with its story, copied.
 * Limits: SDX_GROUPS_MAX groups; events of further fingerprints are counted
 * in an "other" total, not grouped. */
#ifndef SMTPDX_GROUP_H
#define SMTPDX_GROUP_H

#include <stdint.h>
#include "event.h"

#define SDX_GROUPS_MAX      4096
#define SDX_GROUP_TOP       5       /* top entries reported per dimension */
#define SDX_GROUP_TRACK     16      /* counters kept per dimension (space-saving) */
#define SDX_FINGERPRINT_MAX 256

struct sdx_group_top { char name[96]; unsigned long count; };

struct sdx_group {
    char                 fingerprint[SDX_FINGERPRINT_MAX]; /* masked text */
    int                  code;
    char                 status[16];
    enum sdx_reason      reason;
    enum sdx_perm        perm;
    enum sdx_actor       actor;
    enum sdx_direction   dir;
    enum sdx_outcome     outcome;      /* of the first event */
    unsigned long        count;
    int64_t              first_us, last_us;
    struct sdx_group_top domains[SDX_GROUP_TRACK], hosts[SDX_GROUP_TRACK], clients[SDX_GROUP_TRACK];
    /* the example: the first event, copied */
    char                 ex_text[512], ex_sender[128], ex_recipient[128], ex_queue_id[32];
    char                 ex_client[160], ex_server[160], ex_source[128], ex_rule[96];
    unsigned long        ex_line;
    enum sdx_reply_source ex_reply_from;
    int64_t              ex_when_us;
    char                 ex_story[8][240];
    unsigned             ex_nstory;
    const struct sdx_kb_pattern *pattern;   /* the KB entries of the verdict */
    const struct sdx_kb_status  *status_kb;
    const struct sdx_kb_code    *code_kb;
    const struct sdx_kb_reason  *reason_kb;
};

struct sdx_groups;

struct sdx_groups_totals {
    unsigned long events, other;            /* other: beyond SDX_GROUPS_MAX groups */
    unsigned long by_outcome[6];            /* enum sdx_outcome */
    unsigned long by_direction[4];          /* enum sdx_direction */
    unsigned long by_class[6];              /* reply class 0 (none), 2, 4, 5 at their index */
    unsigned long by_reason[SDX_REASON_COUNT];
    unsigned long softened;                 /* recipients deferred (4xx) that later bounced (5xx) */
    /* across all events (space-saving, like a group's): sender domains and
     * clients our server refused, recipient domains that refused us */
    struct sdx_group_top in_domains[SDX_GROUP_TRACK], clients[SDX_GROUP_TRACK], out_domains[SDX_GROUP_TRACK];
};

SDX_API SDX_NODISCARD int sdx_groups_new(struct sdx_groups **g);
SDX_API void sdx_groups_free(struct sdx_groups *g);
/* sdx_groups_add - count e (with its verdict) in its group; copies what it keeps */
SDX_API SDX_NODISCARD int sdx_groups_add(struct sdx_groups *g, const struct sdx_event *e, const struct sdx_verdict *v);
/* sdx_groups_sorted - the groups, most events first; valid until the next add or free */
SDX_API size_t sdx_groups_sorted(struct sdx_groups *g, const struct sdx_group *const **out);
SDX_API void sdx_groups_totals(const struct sdx_groups *g, struct sdx_groups_totals *t);
/* sdx_fingerprint - the masked form of text[0..n) into out (cap >= 2) */
SDX_API size_t sdx_fingerprint(const char *text, size_t n, char *out, size_t cap);
/* sdx_group_top - the top entries of one dimension, sorted, at most SDX_GROUP_TOP */
SDX_API size_t sdx_group_top(const struct sdx_group_top *track, struct sdx_group_top *out);

#endif
