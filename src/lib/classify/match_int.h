/* match_int.h - find the knowledge-base patterns whose text occurs in a reply
 * In:  normalised text (core/norm.h). Out: the hits, bounded.
 * The index is built once, on first use, from the compiled KB. */
#ifndef SDX_MATCH_INT_H
#define SDX_MATCH_INT_H

#include <stddef.h>
#include "smtpdx/kb.h"

struct sdx__match_hit {
    unsigned pattern;       /* index into kb->patterns */
    size_t   matched;       /* bytes of text the alternative matched */
};

struct sdx__match_res {
    struct sdx__match_hit hits[64];
    unsigned              nhits;
    int                   provider;     /* provider identified by a marker, -1 */
};

/* sdx__match - text patterns and provider markers present in t[0..n) */
void sdx__match(const char *t, size_t n, struct sdx__match_res *res);
/* sdx__match_bare - indexes of patterns that have no text alternatives */
const unsigned *sdx__match_bare(unsigned *count);

#endif
