/* follow.h - follow growing log files across rotation, line by line
 * In:  paths of log files, each with the position to resume from (or the
 *      start, or the end); inotify events on their directories.
 * Out: every complete line appended to them, exactly once, in order per
 *      file, through a callback; the committed position of each file (the
 *      byte after the last line delivered, with the file's device, inode
 *      and the last bytes before it), for the caller to save.
 * Rotation: rename-and-create (logrotate's default) is seen as a new inode
 *      at the path: the old file is read to its end first. copytruncate is
 *      seen as a file shorter than the position: the bytes not yet read
 *      are taken from the copy (a sibling file whose bytes before the
 *      position match the ones last read), then the file from its start.
 *      A restart finds a file rotated meanwhile the same way (by inode).
 * Bounded: a line longer than SDX_FOLLOW_LINE_MAX is cut (counted); at most
 *      SDX_FOLLOW_FILES_MAX files. Linux only (inotify). */
#ifndef SMTPDX_FOLLOW_H
#define SMTPDX_FOLLOW_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define SDX_FOLLOW_FILES_MAX 64
#define SDX_FOLLOW_LINE_MAX  65536
#define SDX_FOLLOW_TAIL      64          /* bytes before the position kept to recognise a copy */

struct sdx_follow_pos {
    uint64_t      dev, ino;              /* 0, 0: unknown */
    uint64_t      off;                   /* byte after the last line delivered */
    unsigned char tail[SDX_FOLLOW_TAIL]; /* the bytes before off (the last tail_len of them) */
    size_t        tail_len;
};

enum sdx_follow_start { SDX_FOLLOW_FROM_END = 0, SDX_FOLLOW_FROM_START, SDX_FOLLOW_FROM_POS };

struct sdx_follow_stats {
    unsigned long lines, bytes;
    unsigned long rotations;             /* new inode at a path */
    unsigned long truncations;           /* copytruncate seen */
    unsigned long recovered;             /* truncations whose unread bytes were found in the copy */
    unsigned long lost;                  /* truncations or rotations whose unread bytes were not found */
    unsigned long cut;                   /* lines longer than the limit */
    unsigned long errors;                /* read or open errors (missing file included) */
};

struct sdx_follow;

/* the callback: file index, line without its end (not NUL-terminated);
 * return 0 to go on */
typedef int (*sdx_follow_line_fn)(void *arg, size_t file, const char *line, size_t len);

SDX_API SDX_NODISCARD int sdx_follow_new(struct sdx_follow **out);
SDX_API void sdx_follow_free(struct sdx_follow *f);
/* sdx_follow_add - follow path; pos is read only with SDX_FOLLOW_FROM_POS.
 * A missing file is waited for (it appears at the next check). Returns
 * the file's index (>= 0) or SDX_EINVAL / SDX_ENOMEM / SDX_ETOOBIG (too many files). */
SDX_API int sdx_follow_add(struct sdx_follow *f, const char *path, enum sdx_follow_start start,
                           const struct sdx_follow_pos *pos);
/* sdx_follow_fd - a descriptor that becomes readable when a followed file
 * or its directory changes (poll it; then call sdx_follow_read) */
SDX_API int sdx_follow_fd(const struct sdx_follow *f);
/* sdx_follow_read - take the pending notifications and deliver every new
 * complete line of every file. Call it also on a timer (a second): it is
 * the fallback when notifications are lost. Returns 0, or the callback's
 * non-zero value. */
SDX_API int sdx_follow_read(struct sdx_follow *f, sdx_follow_line_fn fn, void *arg);
SDX_API size_t sdx_follow_count(const struct sdx_follow *f);
SDX_API const char *sdx_follow_path(const struct sdx_follow *f, size_t i);
/* sdx_follow_position - file i's committed position (to save) */
SDX_API void sdx_follow_position(const struct sdx_follow *f, size_t i, struct sdx_follow_pos *pos);
SDX_API void sdx_follow_stats(const struct sdx_follow *f, struct sdx_follow_stats *st);

#endif
