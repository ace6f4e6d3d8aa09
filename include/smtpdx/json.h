/* json.h - a small JSON writer (RFC 8259) and the verdict object
 * Sticky error (SQLite's way): the first failure is kept in j->err and
 * later calls do nothing, so a renderer checks once at the end. Strings are
 * escaped with sdx_esc_json(): the output always parses, whatever bytes the
 * input had. Field names are the shared vocabulary of ARCHITECTURE.md. */
#ifndef SMTPDX_JSON_H
#define SMTPDX_JSON_H

#include <stdint.h>
#include "buf.h"
#include "event.h"

#define SDX_JSON_DEPTH_MAX 32

struct sdx_json {
    struct sdx_buf *out;
    int             err;                 /* first error, 0 if none */
    int             depth;
    int             pretty;              /* indent with two spaces */
    unsigned char   count[SDX_JSON_DEPTH_MAX]; /* members written per level (saturating) */
};

SDX_API void sdx_json_init(struct sdx_json *j, struct sdx_buf *out, int pretty);
SDX_API void sdx_json_obj(struct sdx_json *j, const char *key);  /* key NULL inside arrays/top */
SDX_API void sdx_json_arr(struct sdx_json *j, const char *key);
SDX_API void sdx_json_end(struct sdx_json *j, int closer);       /* '}' or ']' */
SDX_API void sdx_json_str(struct sdx_json *j, const char *key, const char *s);   /* NULL -> null */
SDX_API void sdx_json_strn(struct sdx_json *j, const char *key, const char *s, size_t n);
SDX_API void sdx_json_int(struct sdx_json *j, const char *key, int64_t v);
SDX_API void sdx_json_bool(struct sdx_json *j, const char *key, int v);
SDX_API void sdx_json_null(struct sdx_json *j, const char *key);
SDX_API void sdx_json_strs(struct sdx_json *j, const char *key, const char *const *list);

/* sdx_json_verdict - the members describing one event and its verdict,
 * written into the object currently open in j (see docs/smtpdx-explain.1). */
SDX_API void sdx_json_verdict(struct sdx_json *j, const struct sdx_event *e, const struct sdx_verdict *v);
/* sdx_json_event - the verdict members plus what a log event knows (time,
 * direction, outcome, sender, queue id, client, ...) and the same facts under
 * Elastic Common Schema names ("@timestamp", "email.from.address", ...) so
 * Filebeat or Vector can ship the NDJSON unchanged */
/* sdx_json_caps - "capabilities": [the names of SDX_CAP_* bits] and
 * "size_limit": n or null (replay.h) */
SDX_API void sdx_json_caps(struct sdx_json *j, unsigned caps, unsigned long long size_limit);
SDX_API void sdx_json_event(struct sdx_json *j, const struct sdx_event *e, const struct sdx_verdict *v);

#endif
