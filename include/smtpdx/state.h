/* state.h - what smtpdx watch keeps across restarts, in SQLite
 * In:  the followed files' positions and the metric counters, saved
 *      together in one transaction (a checkpoint), so a restart resumes
 *      both from the same line: nothing lost, nothing counted twice.
 * Out: the saved positions and counters at start.
 * The database is created when missing (WAL journal: a crash between
 *      checkpoints leaves the last one whole). */
#ifndef SMTPDX_STATE_H
#define SMTPDX_STATE_H

#include <stdint.h>
#include "error.h"
#include "follow.h"

struct sdx_state;

/* sdx_state_open - open or create the database at path; errmsg gets
 * SQLite's words on failure. Returns 0 or SDX_EIO. */
SDX_API SDX_NODISCARD int sdx_state_open(struct sdx_state **st, const char *path, char *errmsg, size_t cap);
SDX_API void sdx_state_close(struct sdx_state *st);
/* sdx_state_position - the saved position of file: 0, or SDX_ENOTFOUND */
SDX_API int sdx_state_position(struct sdx_state *st, const char *file, struct sdx_follow_pos *pos);
/* sdx_state_counters - call fn for every saved counter (key, value) */
typedef void (*sdx_state_counter_fn)(void *arg, const char *key, uint64_t value);
SDX_API int sdx_state_counters(struct sdx_state *st, sdx_state_counter_fn fn, void *arg);
/* a checkpoint: begin, put positions and counters, commit (all or none) */
SDX_API SDX_NODISCARD int sdx_state_begin(struct sdx_state *st);
SDX_API SDX_NODISCARD int sdx_state_put_position(struct sdx_state *st, const char *file, const struct sdx_follow_pos *pos);
SDX_API SDX_NODISCARD int sdx_state_put_counter(struct sdx_state *st, const char *key, uint64_t value);
SDX_API SDX_NODISCARD int sdx_state_put_text(struct sdx_state *st, const char *key, const char *value);
SDX_API SDX_NODISCARD int sdx_state_commit(struct sdx_state *st);
/* sdx_state_text - a saved text (the journal's cursor) into out[cap];
 * 0, or SDX_ENOTFOUND */
SDX_API int sdx_state_text(struct sdx_state *st, const char *key, char *out, size_t cap);
SDX_API void sdx_state_rollback(struct sdx_state *st);

#endif
