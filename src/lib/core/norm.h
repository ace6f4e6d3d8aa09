/* norm.h - the one text normalisation that patterns and replies share
 * ASCII letters lower-cased, every run of white space (SP, HT, CR, LF, VT,
 * FF) one space, leading and trailing space dropped; other bytes (UTF-8
 * included) kept. Used by tools/kbgen.c on pattern fragments and by
 * classify.c on reply texts, so both sides always agree. */
#ifndef SDX_NORM_H
#define SDX_NORM_H

#include <stddef.h>

/* sdx__norm - write the normal form of src[0..n) to dst (at most cap-1 bytes
 * and a NUL); returns the length written */
size_t sdx__norm(char *dst, size_t cap, const char *src, size_t n);

/* sdx__find_seq - do the fragments occur in hay in order, without overlap?
 * lens: their lengths, or NULL to measure them.
 * Returns the number of fragment bytes matched, 0 if not. */
size_t sdx__find_seq(const char *hay, size_t n, const char *const *frags,
                     const unsigned short *lens, unsigned nfrags);

#endif
