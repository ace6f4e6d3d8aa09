/* queue.h - an MTA's mail queue, summarised
 * In:  the output of `postqueue -j` (Postfix: one JSON object per queue
 *      file, postqueue(1) "JSON OBJECT FORMAT") or `exim -bp` (Exim: age,
 *      size, id, sender, then the recipients indented, "D " before the
 *      delivered ones), fed line by line; untrusted (bounded, never fails
 *      on odd input: odd lines are counted).
 * Out: messages per queue (Postfix: active, deferred, hold, incoming,
 *      maildrop; Exim: "queue"), the age of the oldest, the recipient
 *      domains with the most messages waiting and the last reason given
 *      for them, and the deferral reasons grouped by fingerprint (the same
 *      fingerprints as smtpdx logs, group.h). */
#ifndef SMTPDX_QUEUE_H
#define SMTPDX_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define SDX_QUEUE_NAMES_MAX   8
#define SDX_QUEUE_TOP_MAX     10        /* domains and reasons reported */
#define SDX_QUEUE_TRACK_MAX   512       /* distinct domains and reasons tracked */

enum sdx_queue_format { SDX_QUEUE_POSTFIX_JSON, SDX_QUEUE_EXIM_BP };

struct sdx_queue_name { char name[16]; unsigned long messages; int64_t oldest; /* arrival, epoch s */ };
struct sdx_queue_dest { char domain[96]; unsigned long recipients; char last_reason[200]; };
struct sdx_queue_reason { char fingerprint[160]; char example[200]; unsigned long recipients; };

struct sdx_queue {
    enum sdx_queue_format   format;
    int64_t                 now;            /* for Exim's ages: when the listing was taken */
    struct sdx_queue_name   q[SDX_QUEUE_NAMES_MAX];
    size_t                  nq;
    struct sdx_queue_dest   dest[SDX_QUEUE_TRACK_MAX];
    size_t                  ndest;
    struct sdx_queue_reason reason[SDX_QUEUE_TRACK_MAX];
    size_t                  nreason;
    unsigned long           messages, recipients, odd_lines, untracked;
    int                     in_exim_msg;    /* parser state: the message being listed */
};

/* sdx_queue_init - empty summary; now: the time of the listing (epoch s) */
SDX_API void sdx_queue_init(struct sdx_queue *q, enum sdx_queue_format f, int64_t now);
/* sdx_queue_line - one line of the listing (without its end) */
SDX_API void sdx_queue_line(struct sdx_queue *q, const char *line, size_t len);
/* sdx_queue_top_dest / _reason - the top n (<= SDX_QUEUE_TOP_MAX) by recipients */
SDX_API size_t sdx_queue_top_dest(const struct sdx_queue *q, const struct sdx_queue_dest **out, size_t n);
SDX_API size_t sdx_queue_top_reason(const struct sdx_queue *q, const struct sdx_queue_reason **out, size_t n);

#endif
