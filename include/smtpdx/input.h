/* input.h - read log lines from files, stdin and rotated, compressed sets
 * In:  paths ("-" is stdin). A rotated set (mail.log mail.log.1
 *      mail.log.2.gz ...) is read oldest first: higher rotation numbers
 *      first, then date-suffixed rotations (mail.log-20261101) in date
 *      order, then the live file. A set is read where its first member
 *      stands among the paths; unrelated paths keep their order (the exact
 *      rule: src/lib/log/input.c). Compression is detected from the content,
 *      not the name: gzip, bzip2, xz, zstd, lz4, compress and lzip through
 *      libarchive; anything else is read as plain text.
 * Out: one line at a time, without its line end (\n, and one \r before
 *      it), with its source name and 1-based line number; a last line
 *      without \n is returned. Lines longer than SDX_INPUT_LINE_MAX are cut
 *      (the rest read and skipped) and counted; NUL bytes are kept (callers
 *      see them) and lines holding them are counted.
 * Errors are per file: one that cannot be opened, read or decompressed is
 * reported (SDX_EIO, d->source = its path) and reading goes on with the next.
 * Nothing global, nothing printed; one struct sdx_input per thread.
 * Not here: what a line says (syslog.h). */
#ifndef SMTPDX_INPUT_H
#define SMTPDX_INPUT_H

#include <stddef.h>
#include "buf.h"

/* longest line kept: Postfix and Exim lines stay under 8 KiB; a journal JSON
 * line with a long MESSAGE can reach tens of KiB */
#define SDX_INPUT_LINE_MAX  (64 * 1024)

struct sdx_input;

struct sdx_input_stats {
    unsigned long files;            /* files opened (a failed open is not counted) */
    unsigned long lines;            /* lines returned */
    unsigned long cut;              /* lines longer than the limit, cut */
    unsigned long nul;              /* lines holding NUL bytes */
    unsigned long long bytes;       /* bytes read after decompression */
};

/* sdx_input_open - plan the reading of n paths (ordered as described above;
 * copied, the caller's array may go). Files are opened one by one as reading
 * reaches them, so a missing file shows in sdx_input_next(), not here. n = 0
 * reads nothing (the caller passes "-" for stdin). Returns 0, SDX_ENOMEM,
 * SDX_EINVAL (NULL paths); *in is NULL on failure. */
SDX_API SDX_NODISCARD int sdx_input_open(struct sdx_input **in, const char *const *paths, size_t n,
                                         struct sdx_diag *d);
/* sdx_input_next - the next line: 1 and *line (valid until the next call),
 * *source (the path as given, "-" for stdin; valid until sdx_input_close())
 * and *lineno (source and lineno may be NULL); 0 at the end of the last
 * file; SDX_EIO when a file cannot be opened, read or decompressed: d->source
 * is the path, d->line the lines already returned from it, d->msg "cannot
 * open|read|decompress 'path': reason"; the file's lines before the damage
 * come first, and the next call goes on with the next file. SDX_ENOMEM. */
SDX_API SDX_NODISCARD int sdx_input_next(struct sdx_input *in, struct sdx_str *line, const char **source,
                                         unsigned long *lineno, struct sdx_diag *d);
/* sdx_input_order - the order sdx_input_open chose: paths[order[i]] is read
 * i-th (n entries, valid until sdx_input_close()) */
SDX_API const size_t *sdx_input_order(const struct sdx_input *in);
/* sdx_input_stats - the counters so far (callable at any time) */
SDX_API void sdx_input_stats(const struct sdx_input *in, struct sdx_input_stats *st);
/* sdx_input_close - close the current file, free everything; NULL is fine */
SDX_API void sdx_input_close(struct sdx_input *in);

#endif
