/* taglist.c - tag=value lists (taglist.h) */
#include "taglist.h"

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int taglist_next(const char *txt, size_t len, size_t *i, struct taglist_item *t)
{
    size_t p = *i, ns, ne, vs, ve;

    while (p < len && (blank(txt[p]) || txt[p] == ';'))
        p++;
    if (p == len) {
        *i = p;
        return 0;
    }
    for (ns = p; p < len && txt[p] != '=' && txt[p] != ';'; p++)
        ;
    for (ne = p; ne > ns && blank(txt[ne - 1]); ne--)
        ;
    t->name = txt + ns, t->nlen = ne - ns;
    t->has_eq = p < len && txt[p] == '=';
    t->value = txt + p, t->vlen = 0;
    if (t->has_eq) {
        for (p++; p < len && blank(txt[p]); p++)
            ;
        for (vs = p; p < len && txt[p] != ';'; p++)
            ;
        for (ve = p; ve > vs && blank(txt[ve - 1]); ve--)
            ;
        t->value = txt + vs, t->vlen = ve - vs;
    }
    if (p < len)
        p++;                            /* the ';' */
    *i = p;
    return 1;
}
