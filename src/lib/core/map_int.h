/* map_int.h - a bounded map from short strings to fixed-size records
 * For the correlation state of log reading (smtpd sessions by pid, messages
 * by queue id) and for grouping. Records live in chunks allocated as the map
 * grows; when the map holds max records, putting a new key first evicts the
 * oldest one (insertion order; sdx__map_touch moves a key to the young end).
 * Keys are at most SDX_MAP_KEY_MAX bytes (longer ones are cut). Values are
 * zeroed when created. Not thread-safe: one map per reader. */
#ifndef SDX_MAP_INT_H
#define SDX_MAP_INT_H

#include <stddef.h>

#define SDX_MAP_KEY_MAX 63

struct sdx_map;

/* sdx__map_new - a map of at most max records of value_size bytes; 0 or SDX_ENOMEM */
int sdx__map_new(struct sdx_map **m, size_t value_size, size_t max);
void sdx__map_free(struct sdx_map *m);
/* sdx__map_get - the value for key, or NULL */
void *sdx__map_get(struct sdx_map *m, const char *key, size_t klen);
/* sdx__map_put - the value for key, created (zeroed) if absent; *evicted is
 * set to 1 when the oldest record was dropped to make room. NULL: no memory */
void *sdx__map_put(struct sdx_map *m, const char *key, size_t klen, int *evicted);
/* sdx__map_del - forget key (no-op when absent) */
void sdx__map_del(struct sdx_map *m, const char *key, size_t klen);
/* sdx__map_touch - mark key as the youngest */
void sdx__map_touch(struct sdx_map *m, const char *key, size_t klen);
size_t sdx__map_count(const struct sdx_map *m);
/* sdx__map_each - call fn on every value, oldest first; stops when fn returns non-zero */
int sdx__map_each(struct sdx_map *m, int (*fn)(void *arg, const char *key, void *value), void *arg);

#endif
