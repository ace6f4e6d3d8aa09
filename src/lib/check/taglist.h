/* taglist.h - tag=value lists, the syntax of DKIM key records (RFC 6376
 * section 3.2) that DMARC records share (RFC 7489 section 6.4): items
 * separated by ';', blanks around names, '=' and values ignored */
#ifndef SDX_TAGLIST_H
#define SDX_TAGLIST_H

#include <stddef.h>

struct taglist_item {
    const char *name, *value;   /* into the text: not NUL-terminated */
    size_t      nlen, vlen;
    int         has_eq;         /* 0: a name with no '=' ("fo:0") */
};

/* taglist_next - the next item of txt[*i..len) into *t, empty items
 * skipped; 1, or 0 at the end */
int taglist_next(const char *txt, size_t len, size_t *i, struct taglist_item *t);

#endif
