/* follow.c - follow log files across rotation (follow.h)
 * One inotify descriptor watches the directory of every file (a rotation
 * replaces the file, so watching the file alone would lose the new one).
 * Whatever the notifications say, each check does the same for each file:
 * read the open descriptor to its end, then compare it with the path:
 *   - the path names another inode (renamed and recreated): the old one
 *     was just read to its end; open the new one from its start;
 *   - the open file is shorter than the position (copytruncate): take the
 *     bytes not yet read from the copy, then read the file from its start.
 * Positions are committed only after complete lines; the partial line at
 * the end of a file stays unread until its end of line arrives. */
#define _GNU_SOURCE 1               /* memmem */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include "smtpdx/follow.h"

#define CHUNK (256u << 10)          /* bytes read per call */

struct ffile {
    char     *path;
    char     *dir, *base;           /* the path split (owned, one allocation each) */
    int       fd;                   /* -1: not open (missing) */
    int       oldfd;                /* the file before a rotation, read until it stops growing */
    struct sdx_follow_pos oldpos;
    int       old_quiet;            /* checks in a row it did not grow */
    int       wd;                   /* inotify watch of dir, -1 */
    struct sdx_follow_pos pos;      /* committed */
    enum sdx_follow_start start;    /* for the first open */
    int       opened_once;
};

struct sdx_follow {
    int          ifd;
    struct ffile f[SDX_FOLLOW_FILES_MAX];
    size_t       n;
    char        *buf;               /* CHUNK + SDX_FOLLOW_LINE_MAX: a partial line, then new bytes */
    struct sdx_follow_stats st;
};

int sdx_follow_new(struct sdx_follow **out)
{
    struct sdx_follow *f = calloc(1, sizeof(*f));

    *out = NULL;
    if (!f)
        return SDX_ENOMEM;
    f->buf = malloc(CHUNK + SDX_FOLLOW_LINE_MAX);
    f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (!f->buf || f->ifd < 0) {
        int err = f->buf ? SDX_EIO : SDX_ENOMEM;

        if (f->ifd >= 0)
            close(f->ifd);
        free(f->buf);
        free(f);
        return err;
    }
    *out = f;
    return 0;
}

void sdx_follow_free(struct sdx_follow *f)
{
    size_t i;

    if (!f)
        return;
    for (i = 0; i < f->n; i++) {
        if (f->f[i].fd >= 0)
            close(f->f[i].fd);
        if (f->f[i].oldfd >= 0)
            close(f->f[i].oldfd);
        free(f->f[i].path);
        free(f->f[i].dir);
        free(f->f[i].base);
    }
    close(f->ifd);
    free(f->buf);
    free(f);
}

int sdx_follow_add(struct sdx_follow *f, const char *path, enum sdx_follow_start start,
                   const struct sdx_follow_pos *pos)
{
    struct ffile *ff;
    const char *slash;
    size_t i;

    if (!path || !*path || strlen(path) >= PATH_MAX || (start == SDX_FOLLOW_FROM_POS && !pos))
        return SDX_EINVAL;
    for (i = 0; i < f->n; i++)
        if (strcmp(f->f[i].path, path) == 0)
            return (int)i;
    if (f->n == SDX_FOLLOW_FILES_MAX)
        return SDX_ETOOBIG;
    ff = &f->f[f->n];
    memset(ff, 0, sizeof(*ff));
    ff->fd = -1;
    ff->oldfd = -1;
    ff->wd = -1;
    ff->start = start;
    if (start == SDX_FOLLOW_FROM_POS)
        ff->pos = *pos;
    slash = strrchr(path, '/');
    ff->path = strdup(path);
    ff->dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    ff->base = strdup(slash ? slash + 1 : path);
    if (!ff->path || !ff->dir || !ff->base) {
        free(ff->path), free(ff->dir), free(ff->base);
        return SDX_ENOMEM;
    }
    /* the directory: creations and renames in it, writes to files in it */
    ff->wd = inotify_add_watch(f->ifd, ff->dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
                                               IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB);
    return (int)f->n++;
}

int sdx_follow_fd(const struct sdx_follow *f)
{
    return f->ifd;
}

size_t sdx_follow_count(const struct sdx_follow *f)
{
    return f->n;
}

const char *sdx_follow_path(const struct sdx_follow *f, size_t i)
{
    return i < f->n ? f->f[i].path : NULL;
}

void sdx_follow_position(const struct sdx_follow *f, size_t i, struct sdx_follow_pos *pos)
{
    if (i < f->n)
        *pos = f->f[i].pos;
    else
        memset(pos, 0, sizeof(*pos));
}

void sdx_follow_stats(const struct sdx_follow *f, struct sdx_follow_stats *st)
{
    *st = f->st;
}

/* remember - the last bytes before the committed position */
static void remember(struct sdx_follow_pos *pos, const char *p, size_t n)
{
    if (n >= SDX_FOLLOW_TAIL) {
        memcpy(pos->tail, p + n - SDX_FOLLOW_TAIL, SDX_FOLLOW_TAIL);
        pos->tail_len = SDX_FOLLOW_TAIL;
        return;
    }
    if (pos->tail_len + n > SDX_FOLLOW_TAIL) {
        size_t keep = SDX_FOLLOW_TAIL - n;

        memmove(pos->tail, pos->tail + pos->tail_len - keep, keep);
        pos->tail_len = keep;
    }
    memcpy(pos->tail + pos->tail_len, p, n);
    pos->tail_len += n;
}

/* drain - read fd from pos->off to its end, delivering complete lines;
 * the position moves past each line delivered */
static int drain(struct sdx_follow *f, size_t idx, int fd, struct sdx_follow_pos *pos,
                 sdx_follow_line_fn fn, void *arg)
{
    size_t have = 0;                /* bytes in f->buf: the unfinished line, then new ones */

    for (;;) {
        ssize_t got = pread(fd, f->buf + have, CHUNK, (off_t)(pos->off + have));
        size_t s = 0, i, n;

        if (got < 0) {
            if (errno == EINTR)
                continue;
            f->st.errors++;
            return 0;
        }
        if (got == 0)
            return 0;               /* the unfinished line waits for its end */
        n = have + (size_t)got;
        for (i = have; i < n; i++) {
            int rc;
            size_t len;

            if (f->buf[i] != '\n')
                continue;
            len = i - s;
            if (len && f->buf[s + len - 1] == '\r')
                len--;
            f->st.lines++;
            f->st.bytes += i + 1 - s;
            rc = fn(arg, idx, f->buf + s, len);
            remember(pos, f->buf + s, i + 1 - s);
            pos->off += i + 1 - s;
            s = i + 1;
            if (rc)
                return rc;
        }
        /* keep the unfinished line at the start of the buffer; cut it
         * when it outgrows the limit */
        have = n - s;
        if (have >= SDX_FOLLOW_LINE_MAX) {
            int rc;

            f->st.lines++;
            f->st.cut++;
            f->st.bytes += have;
            rc = fn(arg, idx, f->buf + s, have);
            remember(pos, f->buf + s, have);
            pos->off += have;
            have = 0;
            if (rc)
                return rc;
        } else if (s)
            memmove(f->buf, f->buf + s, have);
    }
}

/* matches - does the file at fd hold pos's tail just before pos->off? */
static int matches(int fd, const struct sdx_follow_pos *pos)
{
    unsigned char got[SDX_FOLLOW_TAIL];
    struct stat sb;

    if (fstat(fd, &sb) != 0 || (uint64_t)sb.st_size < pos->off || pos->off < pos->tail_len)
        return 0;
    if (pos->tail_len == 0)
        return pos->off == 0;
    return pread(fd, got, pos->tail_len, (off_t)(pos->off - pos->tail_len)) == (ssize_t)pos->tail_len &&
           memcmp(got, pos->tail, pos->tail_len) == 0;
}

/* sibling - open the rotated copy of ff: same directory, a name that
 * starts with the file's name and goes on ("maillog.1", "maillog-20261206"),
 * and either the inode of pos (a rename) or, with by_content, the bytes
 * before pos->off. Compressed copies are not read. -1 if none. */
static int sibling(const struct ffile *ff, const struct sdx_follow_pos *pos, int by_content)
{
    DIR *d = opendir(ff->dir);
    struct dirent *de;
    size_t bl = strlen(ff->base);
    int found = -1;

    if (!d)
        return -1;
    while (found < 0 && (de = readdir(d)) != NULL) {
        char p[PATH_MAX];
        struct stat sb;
        int fd;
        size_t nl = strlen(de->d_name);

        if (nl <= bl || strncmp(de->d_name, ff->base, bl) != 0 ||
            (nl > 3 && (strcmp(de->d_name + nl - 3, ".gz") == 0 || strcmp(de->d_name + nl - 3, ".xz") == 0 ||
                        strcmp(de->d_name + nl - 4, ".bz2") == 0 || strcmp(de->d_name + nl - 4, ".zst") == 0)))
            continue;
        if ((size_t)snprintf(p, sizeof(p), "%s/%s", ff->dir, de->d_name) >= sizeof(p))
            continue;
        if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (!by_content && ((uint64_t)sb.st_dev != pos->dev || (uint64_t)sb.st_ino != pos->ino))
            continue;
        if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
            continue;
        if (by_content && !matches(fd, pos)) {
            close(fd);
            continue;
        }
        found = fd;
    }
    closedir(d);
    return found;
}

/* reopen - open the path for ff (first open, or after a rotation) */
static void reopen(struct sdx_follow *f, struct ffile *ff, sdx_follow_line_fn fn, void *arg, int *rc)
{
    struct stat sb;
    int fd = open(ff->path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return;                     /* not there (yet): the next check tries again */
    if (fstat(fd, &sb) != 0) {
        close(fd);
        f->st.errors++;
        return;
    }
    if (!ff->opened_once) {
        ff->opened_once = 1;
        if (ff->start == SDX_FOLLOW_FROM_END) {
            ff->pos.off = (uint64_t)sb.st_size;
            ff->pos.tail_len = 0;
        } else if (ff->start == SDX_FOLLOW_FROM_POS &&
                   ((uint64_t)sb.st_dev != ff->pos.dev || (uint64_t)sb.st_ino != ff->pos.ino)) {
            /* rotated while we were away: the rest of the old file first */
            int old = ff->pos.ino ? sibling(ff, &ff->pos, 0) : -1;

            if (old >= 0) {
                *rc = drain(f, (size_t)(ff - f->f), old, &ff->pos, fn, arg);
                close(old);
                f->st.rotations++;
            } else if (ff->pos.ino)
                f->st.lost++;
            ff->pos.off = 0;
            ff->pos.tail_len = 0;
        } else if (ff->start == SDX_FOLLOW_FROM_START) {
            ff->pos.off = 0;
            ff->pos.tail_len = 0;
        }
    } else {
        ff->pos.off = 0;            /* a new file at the path: from its start */
        ff->pos.tail_len = 0;
    }
    ff->fd = fd;
    ff->pos.dev = (uint64_t)sb.st_dev;
    ff->pos.ino = (uint64_t)sb.st_ino;
}

/* check - one file: read on, then look for rotation and truncation */
static int check(struct sdx_follow *f, struct ffile *ff, sdx_follow_line_fn fn, void *arg)
{
    size_t idx = (size_t)(ff - f->f);
    struct stat now, open_sb;
    int rc = 0;

    /* the writer may go on with the old file until it reopens its log
     * (logrotate's postrotate HUP comes after the rename): read it until
     * it has been quiet for a few checks */
    if (ff->oldfd >= 0) {
        uint64_t before = ff->oldpos.off;

        if ((rc = drain(f, idx, ff->oldfd, &ff->oldpos, fn, arg)) != 0)
            return rc;
        ff->old_quiet = ff->oldpos.off == before ? ff->old_quiet + 1 : 0;
        if (ff->old_quiet >= 3) {
            close(ff->oldfd);
            ff->oldfd = -1;
        }
    }
    if (ff->fd < 0) {
        reopen(f, ff, fn, arg, &rc);
        if (rc || ff->fd < 0)
            return rc;
    }
    if (fstat(ff->fd, &open_sb) != 0) {
        f->st.errors++;
        return 0;
    }
    if ((uint64_t)open_sb.st_size < ff->pos.off) {
        /* copytruncate: the copy holds what was not read yet */
        int copy = sibling(ff, &ff->pos, 1);

        f->st.truncations++;
        if (copy >= 0) {
            rc = drain(f, idx, copy, &ff->pos, fn, arg);
            close(copy);
            f->st.recovered++;
        } else
            f->st.lost++;
        ff->pos.off = 0;
        ff->pos.tail_len = 0;
        if (rc)
            return rc;
    }
    if ((rc = drain(f, idx, ff->fd, &ff->pos, fn, arg)) != 0)
        return rc;
    if (stat(ff->path, &now) != 0 || (uint64_t)now.st_ino != ff->pos.ino ||
        (uint64_t)now.st_dev != ff->pos.dev) {
        /* renamed (and maybe recreated): the old file was read to its end
         * above; the new one, if there, from its start */
        if (ff->oldfd >= 0)
            close(ff->oldfd);
        ff->oldfd = ff->fd;
        ff->oldpos = ff->pos;
        ff->old_quiet = 0;
        ff->fd = -1;
        if (stat(ff->path, &now) == 0) {
            f->st.rotations++;
            reopen(f, ff, fn, arg, &rc);
            if (!rc && ff->fd >= 0)
                rc = drain(f, idx, ff->fd, &ff->pos, fn, arg);
        }
    }
    return rc;
}

int sdx_follow_read(struct sdx_follow *f, sdx_follow_line_fn fn, void *arg)
{
    char ev[4096];
    size_t i;
    int rc;

    /* the notifications only wake us: every file is checked anyway */
    while (read(f->ifd, ev, sizeof(ev)) > 0)
        ;
    for (i = 0; i < f->n; i++)
        if ((rc = check(f, &f->f[i], fn, arg)) != 0)
            return rc;
    return 0;
}
