/* jsonscan.h - read members of flat JSON objects by name (internal)
 * In:  p[0..end), untrusted; *off where to start looking.
 * Out: 1 and the value's span (strings: between the quotes, escapes left
 *      as they are) or value, *off moved past it; 0 when absent. */
#ifndef SDX_JSONSCAN_H
#define SDX_JSONSCAN_H

#include <stddef.h>

int sdx__json_str(const char *p, size_t end, size_t *off, const char *key, size_t *vs, size_t *vn);
int sdx__json_num(const char *p, size_t end, size_t *off, const char *key, long long *v);

#endif
