/* metrics.h - counters, gauges and histograms in Prometheus' text format
 * In:  metric names with their help and type (declared once), then series
 *      updates: name plus a label set already in Prometheus form
 *      (`direction="inbound",class="5"`; sdx_metrics_label escapes values).
 * Out: the exposition text (text/plain; version=0.0.4), and the counter
 *      series as key/value pairs for the state (and back at start).
 * Bounded: at most max series; an update that would create one more is
 *      counted in smtpdx_metrics_series_dropped_total instead, and the
 *      /metrics text says so. Not thread-safe: the caller locks. */
#ifndef SMTPDX_METRICS_H
#define SMTPDX_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"

enum sdx_metric_type { SDX_METRIC_COUNTER, SDX_METRIC_GAUGE, SDX_METRIC_HISTOGRAM };

#define SDX_METRICS_KEY_MAX 320     /* name{labels} */
#define SDX_METRICS_NAMES_MAX 64

struct sdx_metrics;

SDX_API SDX_NODISCARD int sdx_metrics_new(struct sdx_metrics **m, size_t max_series);
SDX_API void sdx_metrics_free(struct sdx_metrics *m);
/* sdx_metrics_declare - a metric name, its type and help; bounds (ascending,
 * the +Inf bucket is added) for a histogram. Returns 0 or SDX_ETOOBIG. */
SDX_API int sdx_metrics_declare(struct sdx_metrics *m, const char *name, enum sdx_metric_type type,
                                const char *help, const double *bounds, size_t nbounds);
/* sdx_metrics_add - counter name{labels} += n (labels may be "") */
SDX_API void sdx_metrics_add(struct sdx_metrics *m, const char *name, const char *labels, uint64_t n);
/* sdx_metrics_counter - the counter name{labels}, created if missing, as a
 * place to add to directly (stable while m lives): for a series updated
 * on every line. NULL when it cannot be created (counted as dropped). */
SDX_API uint64_t *sdx_metrics_counter(struct sdx_metrics *m, const char *name, const char *labels);
/* sdx_metrics_set - gauge name{labels} = v */
SDX_API void sdx_metrics_set(struct sdx_metrics *m, const char *name, const char *labels, double v);
/* sdx_metrics_observe - histogram name{labels} gets v */
SDX_API void sdx_metrics_observe(struct sdx_metrics *m, const char *name, const char *labels, double v);
/* sdx_metrics_get - a counter's value (0 when absent) */
SDX_API uint64_t sdx_metrics_get(struct sdx_metrics *m, const char *name, const char *labels);
/* sdx_metrics_clear - hide every series of a gauge name until set again
 * (a queue's top domains change between listings) */
SDX_API void sdx_metrics_clear(struct sdx_metrics *m, const char *name);
/* sdx_metrics_render - the exposition text, appended to out; 0 or SDX_ENOMEM */
SDX_API SDX_NODISCARD int sdx_metrics_render(struct sdx_metrics *m, struct sdx_buf *out);
/* sdx_metrics_each - every counter series (histogram buckets, sums and
 * counts included) as "name{labels}" and its integer value */
SDX_API void sdx_metrics_each(struct sdx_metrics *m, void (*fn)(void *arg, const char *key, uint64_t v), void *arg);
/* sdx_metrics_restore - a saved counter series back (a key of
 * sdx_metrics_each); unknown names are ignored */
SDX_API void sdx_metrics_restore(struct sdx_metrics *m, const char *key, uint64_t v);
/* sdx_metrics_label - append name="value" (escaped: \\, \", \n; other
 * control bytes dropped; at most 128 bytes of value) to out[cap] after
 * a comma when out is not empty. Returns 0, or SDX_ETOOBIG when it does
 * not fit (out unchanged). */
SDX_API int sdx_metrics_label(char *out, size_t cap, const char *name, const char *value, size_t vlen);
SDX_API size_t sdx_metrics_series(const struct sdx_metrics *m);

#endif
