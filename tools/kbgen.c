/* kbgen.c - compile the knowledge base (data/kb, *.kb files) into C tables
 * In:  .kb files as described in docs/kb-format.md.
 * Out: with -o FILE, a C source defining sdx__kb_data (see src/lib/kb/kb.c);
 *      with --check, only the diagnostics. Every defect is reported as
 *      "file:line: message"; any defect makes the exit status 1.
 * Checks: known keys per record type, required keys, vocabularies (reason,
 * actor, stage), provider references, unique ids and codes, fragment
 * length, and that every pattern example matches one of its match: lines.
 * The full classification of each example is checked by the unit tests. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/reason.h"
#include "../src/lib/core/norm.h"

#define LINE_MAX_KB   8192
#define FIELDS_MAX    256
#define FRAG_MIN      4       /* classify.c indexes fragments by their first 4 bytes */
#define FRAGS_MAX     16

struct field {
    char          *key, *val;
    unsigned long  line;
};

struct record {
    const char    *file;
    unsigned long  line;
    struct field   f[FIELDS_MAX];
    int            n;
};

static struct record *recs;
static size_t nrecs, caprecs;
static int errors;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL) {
        fprintf(stderr, "kbgen: out of memory\n");
        exit(2);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *p = xmalloc(n + 1);

    memcpy(p, s, n + 1);
    return p;
}

static void defect(const char *file, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void defect(const char *file, unsigned long line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%lu: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    errors++;
}

/* rtrim - drop trailing white space in place */
static void rtrim(char *s)
{
    size_t n = strlen(s);

    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
}

static struct record *new_record(const char *file, unsigned long line)
{
    if (nrecs == caprecs) {
        caprecs = caprecs ? caprecs * 2 : 256;
        recs = realloc(recs, caprecs * sizeof(*recs));
        if (recs == NULL) {
            fprintf(stderr, "kbgen: out of memory\n");
            exit(2);
        }
    }
    memset(&recs[nrecs], 0, sizeof(recs[nrecs]));
    recs[nrecs].file = file;
    recs[nrecs].line = line;
    return &recs[nrecs++];
}

/* read_file - split one .kb file into records of key/value fields */
static void read_file(const char *path)
{
    FILE *fp = fopen(path, "r");
    char buf[LINE_MAX_KB];
    unsigned long ln = 0;
    struct record *r = NULL;

    if (fp == NULL) {
        fprintf(stderr, "kbgen: cannot open '%s': %s\n", path, strerror(errno));
        exit(2);
    }
    while (fgets(buf, sizeof(buf), fp)) {
        char *colon, *v;

        ln++;
        if (strchr(buf, '\n') == NULL && !feof(fp)) {
            defect(path, ln, "line longer than %s bytes", "8191");
            int c;
            while ((c = fgetc(fp)) != EOF && c != '\n')
                ;
            continue;
        }
        rtrim(buf);
        if (buf[0] == '#')
            continue;
        if (buf[0] == '\0') {
            r = NULL;
            continue;
        }
        if (buf[0] == ' ' || buf[0] == '\t') {
            struct field *f;
            char *cont = buf;
            size_t a, b;

            if (r == NULL || r->n == 0) {
                defect(path, ln, "continuation line outside a record%s", "");
                continue;
            }
            while (*cont == ' ' || *cont == '\t')
                cont++;
            f = &r->f[r->n - 1];
            a = strlen(f->val), b = strlen(cont);
            f->val = realloc(f->val, a + b + 2);
            if (f->val == NULL)
                exit(2);
            f->val[a] = ' ';
            memcpy(f->val + a + 1, cont, b + 1);
            continue;
        }
        colon = strchr(buf, ':');
        if (colon == NULL || colon == buf) {
            defect(path, ln, "expected 'key: value'%s", "");
            continue;
        }
        *colon = '\0';
        for (v = buf; *v; v++)
            if (!((*v >= 'a' && *v <= 'z') || *v == '-')) {
                defect(path, ln, "bad key '%s'", buf);
                break;
            }
        v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        if (r == NULL)
            r = new_record(path, ln);
        if (r->n == FIELDS_MAX) {
            defect(path, ln, "too many fields in one record%s", "");
            continue;
        }
        r->f[r->n].key = xstrdup(buf);
        r->f[r->n].val = xstrdup(v);
        r->f[r->n].line = ln;
        r->n++;
    }
    fclose(fp);
}

/* ---- record access ---- */

static const struct field *get(const struct record *r, const char *key)
{
    int i;

    for (i = 0; i < r->n; i++)
        if (strcmp(r->f[i].key, key) == 0)
            return &r->f[i];
    return NULL;
}

static int count(const struct record *r, const char *key)
{
    int i, n = 0;

    for (i = 0; i < r->n; i++)
        n += strcmp(r->f[i].key, key) == 0;
    return n;
}

static const char *type_of(const struct record *r)
{
    return r->f[0].key;
}

static int allowed(const char *key, const char *const *keys)
{
    for (; *keys; keys++)
        if (strcmp(key, *keys) == 0)
            return 1;
    return 0;
}

static const char *const code_keys[] = { "code", "title", "meaning", "reason", "actor",
    "cause", "step", "ref", "note", NULL };
static const char *const status_keys[] = { "status", "title", "meaning", "reason",
    "reason-transient", "if-bounced", "actor", "basic", "cause", "step", "ref", NULL };
static const char *const reason_keys[] = { "reason", "title", "meaning", "actor", "cause",
    "step", "ref", NULL };
static const char *const provider_keys[] = { "provider", "name", "host", "domain", "marker",
    "url", NULL };
static const char *const pattern_keys[] = { "pattern", "provider", "title", "reply", "status",
    "stage", "match", "requires-provider", "requires-stage", "reason", "if-bounced", "perm", "actor", "meaning", "cause",
    "step", "differs", "ref", "url", "example", NULL };
static const char *const single_keys[] = { "code", "status", "pattern", "provider", "name",
    "title", "meaning", "reason", "reason-transient", "if-bounced", "actor", "note", "basic", "url",
    "requires-provider", "requires-stage", "perm", "differs", NULL };

static void need(const struct record *r, const char *key, int min)
{
    if (count(r, key) < min)
        defect(r->file, r->line, "record needs %s'%s:'", min > 1 ? "at least two " : "", key);
}

static int parse_reason(const struct record *r, const char *key)
{
    const struct field *f = get(r, key);
    enum sdx_reason v;

    if (f == NULL)
        return -1;
    if (sdx_reason_parse(f->val, strlen(f->val), &v) != 0) {
        defect(r->file, f->line, "unknown reason '%s'", f->val);
        return -1;
    }
    if (strcmp(sdx_reason_name(v), f->val) != 0)
        defect(r->file, f->line, "write the current reason name, not the alias '%s'", f->val);
    return (int)v;
}

static int parse_actor(const struct record *r)
{
    const struct field *f = get(r, "actor");
    enum sdx_actor v;

    if (f == NULL)
        return SDX_ACTOR_UNKNOWN;
    if (sdx_actor_parse(f->val, strlen(f->val), &v) != 0) {
        defect(r->file, f->line, "unknown actor '%s'", f->val);
        return SDX_ACTOR_UNKNOWN;
    }
    return (int)v;
}

/* check_keys - every key known for the type; single keys not repeated */
static void check_keys(const struct record *r, const char *const *keys)
{
    int i;

    for (i = 0; i < r->n; i++) {
        if (!allowed(r->f[i].key, keys))
            defect(r->file, r->f[i].line, "key '%s' is not valid in this record type", r->f[i].key);
        else if (allowed(r->f[i].key, single_keys) && count(r, r->f[i].key) > 1 &&
                 get(r, r->f[i].key) != &r->f[i])
            defect(r->file, r->f[i].line, "key '%s' may appear only once", r->f[i].key);
        if (r->f[i].val[0] == '\0')
            defect(r->file, r->f[i].line, "empty value for '%s'", r->f[i].key);
    }
}

/* ---- C output ---- */

static FILE *out;
static unsigned long symno;

static void cstr(const char *s)
{
    if (s == NULL) {
        fputs("NULL", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7f || c >= 0x80)
            fprintf(out, "\\%03o", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* list - emit a NULL-terminated string array of every value of key; returns its symbol number */
static unsigned long list(const struct record *r, const char *key)
{
    unsigned long id = ++symno;
    int i;

    if (out == NULL)
        return id;
    fprintf(out, "static const char *const s%lu[] = { ", id);
    for (i = 0; i < r->n; i++)
        if (strcmp(r->f[i].key, key) == 0) {
            cstr(r->f[i].val);
            fputs(", ", out);
        }
    fputs("NULL };\n", out);
    return id;
}

static const char *val(const struct record *r, const char *key)
{
    const struct field *f = get(r, key);

    return f ? f->val : NULL;
}

/* ---- codes ---- */

static int cmp_int(const void *a, const void *b)
{
    const int *x = a, *y = b;

    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static int parse_code_num(const char *s)
{
    if (strlen(s) != 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '9' ||
        s[2] < '0' || s[2] > '9')
        return -1;
    return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* parse_status - "5.7.26" or "X.7.26" into klass (0 = X), subject, detail */
static int parse_status(const char *s, int *k, int *sub, int *det)
{
    char *e;
    long a, b;

    if (s[0] == 'X' || s[0] == 'x')
        *k = 0;
    else if (s[0] == '2' || s[0] == '4' || s[0] == '5')
        *k = s[0] - '0';
    else
        return -1;
    if (s[1] != '.')
        return -1;
    errno = 0;
    a = strtol(s + 2, &e, 10);
    if (e == s + 2 || *e != '.' || a < 0 || a > 999)
        return -1;
    s = e + 1;
    b = strtol(s, &e, 10);
    if (e == s || *e != '\0' || b < 0 || b > 999)
        return -1;
    *sub = (int)a, *det = (int)b;
    return 0;
}

static void do_codes(void)
{
    size_t i, n = 0;
    int (*order)[2] = xmalloc(nrecs * sizeof(*order));
    unsigned long *sc = xmalloc(nrecs * sizeof(*sc) * 3);

    for (i = 0; i < nrecs; i++) {
        const struct record *r = &recs[i];
        int c;
        size_t j;

        if (strcmp(type_of(r), "code") != 0)
            continue;
        check_keys(r, code_keys);
        need(r, "title", 1), need(r, "meaning", 1), need(r, "actor", 1);
        need(r, "cause", 1), need(r, "step", 1), need(r, "ref", 1);
        if ((c = parse_code_num(r->f[0].val)) < 0) {
            defect(r->file, r->line, "bad reply code '%s'", r->f[0].val);
            continue;
        }
        for (j = 0; j < n; j++)
            if (order[j][0] == c)
                defect(r->file, r->line, "reply code '%s' defined twice", r->f[0].val);
        order[n][0] = c, order[n][1] = (int)i;
        n++;
    }
    qsort(order, n, sizeof(*order), cmp_int);
    for (i = 0; i < n; i++) {
        const struct record *r = &recs[order[i][1]];

        sc[3 * i] = list(r, "cause"), sc[3 * i + 1] = list(r, "step"), sc[3 * i + 2] = list(r, "ref");
    }
    if (out) {
        fprintf(out, "static const struct sdx_kb_code kb_codes[] = {\n");
        for (i = 0; i < n; i++) {
            const struct record *r = &recs[order[i][1]];

            fprintf(out, "  { %d, ", order[i][0]);
            cstr(val(r, "title")), fputs(", ", out);
            cstr(val(r, "meaning")), fputs(", ", out);
            cstr(val(r, "note"));
            fprintf(out, ", %d, %d, s%lu, s%lu, s%lu },\n", parse_reason(r, "reason"), parse_actor(r),
                    sc[3 * i], sc[3 * i + 1], sc[3 * i + 2]);
        }
        fprintf(out, "  { 0, NULL, NULL, NULL, -1, 0, NULL, NULL, NULL }\n};\n");
        fprintf(out, "#define KB_NCODES %zu\n\n", n);
    } else {
        for (i = 0; i < n; i++)
            parse_reason(&recs[order[i][1]], "reason"), parse_actor(&recs[order[i][1]]);
    }
    free(order);
    free(sc);
}

static void do_statuses(void)
{
    size_t i, n = 0;
    int (*order)[3] = xmalloc(nrecs * sizeof(*order));
    unsigned long *sc = xmalloc(nrecs * sizeof(*sc) * 3);

    for (i = 0; i < nrecs; i++) {
        const struct record *r = &recs[i];
        int k, sub, det;
        size_t j;

        if (strcmp(type_of(r), "status") != 0)
            continue;
        check_keys(r, status_keys);
        need(r, "title", 1), need(r, "meaning", 1), need(r, "actor", 1);
        need(r, "step", 1), need(r, "ref", 1);
        if (parse_status(r->f[0].val, &k, &sub, &det) || k != 0) {
            defect(r->file, r->line, "bad status '%s' (write X.s.d)", r->f[0].val);
            continue;
        }
        for (j = 0; j < n; j++)
            if (order[j][0] == sub * 1000 + det)
                defect(r->file, r->line, "status '%s' defined twice", r->f[0].val);
        order[n][0] = sub * 1000 + det, order[n][1] = (int)i;
        n++;
    }
    qsort(order, n, sizeof(*order), cmp_int);
    for (i = 0; i < n; i++) {
        const struct record *r = &recs[order[i][1]];

        sc[3 * i] = list(r, "cause"), sc[3 * i + 1] = list(r, "step"), sc[3 * i + 2] = list(r, "ref");
    }
    if (out)
        fprintf(out, "static const struct sdx_kb_status kb_statuses[] = {\n");
    for (i = 0; i < n; i++) {
        const struct record *r = &recs[order[i][1]];
        int rs = parse_reason(r, "reason"), rt = parse_reason(r, "reason-transient"), a = parse_actor(r);
        int ib = parse_reason(r, "if-bounced");

        if (out == NULL)
            continue;
        fprintf(out, "  { %d, %d, ", order[i][0] / 1000, order[i][0] % 1000);
        cstr(val(r, "title")), fputs(", ", out);
        cstr(val(r, "meaning"));
        fprintf(out, ", %d, %d, %d, %d, ", rs, rt, ib, a);
        cstr(val(r, "basic") ? val(r, "basic") : "");
        fprintf(out, ", s%lu, s%lu, s%lu },\n", sc[3 * i], sc[3 * i + 1], sc[3 * i + 2]);
    }
    if (out) {
        fprintf(out, "  { 0, 0, NULL, NULL, -1, -1, -1, 0, NULL, NULL, NULL, NULL }\n};\n");
        fprintf(out, "#define KB_NSTATUSES %zu\n\n", n);
    }
    free(order);
    free(sc);
}

static void do_reasons(void)
{
    size_t i, n = 0;
    int seen[SDX_REASON_COUNT] = { 0 };
    size_t *idx = xmalloc(nrecs * sizeof(*idx));
    unsigned long *sc = xmalloc(nrecs * sizeof(*sc) * 3);

    for (i = 0; i < nrecs; i++) {
        const struct record *r = &recs[i];
        int rs;

        if (strcmp(type_of(r), "reason") != 0)
            continue;
        check_keys(r, reason_keys);
        need(r, "title", 1), need(r, "meaning", 1), need(r, "actor", 1), need(r, "step", 1);
        rs = parse_reason(r, "reason");
        if (rs < 0)
            continue;
        if (seen[rs]++)
            defect(r->file, r->line, "reason '%s' described twice", r->f[0].val);
        idx[n] = i;
        sc[3 * n] = list(r, "cause"), sc[3 * n + 1] = list(r, "step"), sc[3 * n + 2] = list(r, "ref");
        n++;
    }
    if (out) {
        /* sorted by reason number, so a complete table is indexed directly */
        int (*ord)[2] = xmalloc((n + 1) * sizeof(*ord));

        for (i = 0; i < n; i++)
            ord[i][0] = parse_reason(&recs[idx[i]], "reason"), ord[i][1] = (int)i;
        qsort(ord, n, sizeof(*ord), cmp_int);
        fprintf(out, "static const struct sdx_kb_reason kb_reasons[] = {\n");
        for (size_t o = 0; o < n; o++) {
            size_t k = (size_t)ord[o][1];
            const struct record *r = &recs[idx[k]];

            fprintf(out, "  { %d, ", ord[o][0]);
            cstr(val(r, "title")), fputs(", ", out);
            cstr(val(r, "meaning"));
            fprintf(out, ", %d, s%lu, s%lu, s%lu },\n", parse_actor(r), sc[3 * k], sc[3 * k + 1], sc[3 * k + 2]);
        }
        free(ord);
        fprintf(out, "  { -1, NULL, NULL, 0, NULL, NULL, NULL }\n};\n#define KB_NREASONS %zu\n\n", n);
    }
    free(idx);
    free(sc);
}

/* providers, in file order; index used by patterns */
static const struct record **provs;
static size_t nprovs;

static int provider_index(const char *id)
{
    size_t i;

    for (i = 0; i < nprovs; i++)
        if (strcmp(provs[i]->f[0].val, id) == 0)
            return (int)i;
    return -1;
}

static void lower_check(const struct record *r, const char *key)
{
    int i;
    const char *p;

    for (i = 0; i < r->n; i++)
        if (strcmp(r->f[i].key, key) == 0)
            for (p = r->f[i].val; *p; p++)
                if (*p >= 'A' && *p <= 'Z') {
                    defect(r->file, r->f[i].line, "'%s:' must be lower case", key);
                    break;
                }
}

static void do_providers(void)
{
    size_t i, j;
    unsigned long *sc = xmalloc(nrecs * sizeof(*sc) * 3);

    provs = xmalloc(nrecs * sizeof(*provs));
    for (i = 0; i < nrecs; i++) {
        const struct record *r = &recs[i];

        if (strcmp(type_of(r), "provider") != 0 || get(r, "pattern"))
            continue;
        check_keys(r, provider_keys);
        need(r, "name", 1), need(r, "url", 1);
        lower_check(r, "host"), lower_check(r, "domain"), lower_check(r, "marker");
        for (j = 0; j < (size_t)r->n; j++) {
            char norm[LINE_MAX_KB];

            if (strcmp(r->f[j].key, "marker") != 0)
                continue;
            /* markers are matched like fragments: normal form, >= 4 bytes */
            if (sdx__norm(norm, sizeof(norm), r->f[j].val, strlen(r->f[j].val)) < FRAG_MIN)
                defect(r->file, r->f[j].line, "marker '%s' is shorter than 4 bytes", r->f[j].val);
            else if (strcmp(norm, r->f[j].val) != 0)
                defect(r->file, r->f[j].line, "marker '%s' is not in normal form (one space, lower case)",
                       r->f[j].val);
        }
        if (strcmp(r->f[0].val, "generic") == 0)
            defect(r->file, r->line, "'generic' is reserved%s", "");
        for (j = 0; j < nprovs; j++)
            if (strcmp(provs[j]->f[0].val, r->f[0].val) == 0)
                defect(r->file, r->line, "provider '%s' defined twice", r->f[0].val);
        sc[3 * nprovs] = list(r, "host"), sc[3 * nprovs + 1] = list(r, "domain");
        sc[3 * nprovs + 2] = list(r, "marker");
        provs[nprovs++] = r;
    }
    if (out) {
        fprintf(out, "static const struct sdx_kb_provider kb_providers[] = {\n");
        for (i = 0; i < nprovs; i++) {
            fputs("  { ", out);
            cstr(provs[i]->f[0].val), fputs(", ", out);
            cstr(val(provs[i], "name")), fputs(", ", out);
            cstr(val(provs[i], "url"));
            fprintf(out, ", s%lu, s%lu, s%lu },\n", sc[3 * i], sc[3 * i + 1], sc[3 * i + 2]);
        }
        fprintf(out, "  { NULL, NULL, NULL, NULL, NULL, NULL }\n};\n#define KB_NPROVIDERS %zu\n\n", nprovs);
    }
    free(sc);
}

/* split_match - fragments of one match: value, normalised; returns the count */
static unsigned split_match(const struct record *r, const struct field *f, char **frags)
{
    const char *p = f->val, *sep;
    unsigned n = 0;

    for (;;) {
        size_t len;
        char tmp[LINE_MAX_KB];

        sep = strstr(p, " ... ");
        len = sep ? (size_t)(sep - p) : strlen(p);
        if (n == FRAGS_MAX) {
            defect(r->file, f->line, "more than 16 fragments%s", "");
            break;
        }
        len = sdx__norm(tmp, sizeof(tmp), p, len);
        if (len < FRAG_MIN)
            defect(r->file, f->line, "fragment '%s' is shorter than 4 bytes", tmp);
        frags[n++] = xstrdup(tmp);
        if (sep == NULL)
            break;
        p = sep + 5;
    }
    return n;
}

/* next_word - the next word of a list separated by spaces or commas;
 * NUL-terminates it in place and advances *cur; NULL at the end */
static char *next_word(char **cur)
{
    char *p = *cur, *w;

    while (*p == ' ' || *p == ',')
        p++;
    if (*p == '\0')
        return NULL;
    w = p;
    while (*p && *p != ' ' && *p != ',')
        p++;
    if (*p)
        *p++ = '\0';
    *cur = p;
    return w;
}

static unsigned stage_mask(const struct record *r)
{
    unsigned m = 0;
    int i;

    for (i = 0; i < r->n; i++) {
        char *v, *tok, *save = NULL;

        if (strcmp(r->f[i].key, "stage") != 0)
            continue;
        v = xstrdup(r->f[i].val);
        for (save = v; (tok = next_word(&save)) != NULL;) {
            enum sdx_stage s;

            if (sdx_stage_parse(tok, strlen(tok), &s) != 0)
                defect(r->file, r->f[i].line, "unknown stage '%s'", tok);
            else
                m |= 1u << s;
        }
        free(v);
    }
    return m;
}

static void do_patterns(void)
{
    size_t i, j, np = 0;
    char **ids = xmalloc(nrecs * sizeof(*ids));

    if (out)
        fputs("/* patterns: constraints and alternatives */\n", out);
    /* first pass: per-pattern arrays */
    for (i = 0; i < nrecs; i++) {
        const struct record *r = &recs[i];
        const char *prov = val(r, "provider");
        int pi = -1, k, nal = 0, nrep = 0, nst = 0, generic;
        char *frags[64][FRAGS_MAX];
        unsigned nfr[64];
        unsigned long sc[4];
        const char *p;

        if (strcmp(type_of(r), "pattern") != 0)
            continue;
        check_keys(r, pattern_keys);
        for (p = r->f[0].val; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-')) {
                defect(r->file, r->line, "pattern id '%s' must be [a-z0-9.-]+", r->f[0].val);
                break;
            }
        for (j = 0; j < np; j++)
            if (strcmp(ids[j], r->f[0].val) == 0)
                defect(r->file, r->line, "pattern id '%s' used twice", r->f[0].val);
        ids[np++] = r->f[0].val;
        need(r, "provider", 1), need(r, "title", 1), need(r, "reason", 1), need(r, "example", 1);
        generic = prov && strcmp(prov, "generic") == 0;
        if (prov && !generic && (pi = provider_index(prov)) < 0)
            defect(r->file, r->line, "unknown provider '%s'", prov);
        if (!generic) {
            need(r, "meaning", 1), need(r, "actor", 1), need(r, "step", 1), need(r, "url", 1);
        }
        if (count(r, "match") == 0 && !get(r, "requires-provider") && count(r, "status") == 0)
            defect(r->file, r->line, "pattern '%s' without match: needs status: or requires-provider:",
                   r->f[0].val);
        if (get(r, "requires-provider") && strcmp(val(r, "requires-provider"), "yes") != 0)
            defect(r->file, r->line, "requires-provider: takes 'yes'%s", "");
        if (get(r, "requires-stage") && (strcmp(val(r, "requires-stage"), "yes") != 0 || !get(r, "stage")))
            defect(r->file, r->line, "requires-stage: takes 'yes' and needs stage:%s", "");
        if (get(r, "requires-provider") && generic)
            defect(r->file, r->line, "a generic pattern cannot require a provider%s", "");
        if (get(r, "perm") && strcmp(val(r, "perm"), "permanent") && strcmp(val(r, "perm"), "transient"))
            defect(r->file, r->line, "perm: takes permanent or transient, not '%s'", val(r, "perm"));
        parse_reason(r, "reason");
        parse_actor(r);
        (void)stage_mask(r);
        /* alternatives */
        for (k = 0; k < r->n && nal < 64; k++)
            if (strcmp(r->f[k].key, "match") == 0) {
                nfr[nal] = split_match(r, &r->f[k], frags[nal]);
                nal++;
            }
        /* every example must match one alternative (when there are any) */
        for (k = 0; k < r->n; k++) {
            char norm[LINE_MAX_KB];
            size_t nl;
            int a, ok = nal == 0;

            if (strcmp(r->f[k].key, "example") != 0)
                continue;
            nl = sdx__norm(norm, sizeof(norm), r->f[k].val, strlen(r->f[k].val));
            for (a = 0; a < nal && !ok; a++)
                ok = sdx__find_seq(norm, nl, (const char *const *)frags[a], NULL, nfr[a]) > 0;
            if (!ok)
                defect(r->file, r->f[k].line, "example matches none of the match: lines of '%s'",
                       r->f[0].val);
        }
        if (out) {
            int a;
            unsigned f;

            for (a = 0; a < nal; a++) {
                fprintf(out, "static const char *const p%zu_a%d[] = { ", np, a);
                for (f = 0; f < nfr[a]; f++)
                    cstr(frags[a][f]), fputs(", ", out);
                fputs("NULL };\n", out);
                fprintf(out, "static const unsigned short p%zu_l%d[] = { ", np, a);
                for (f = 0; f < nfr[a]; f++)
                    fprintf(out, "%zu, ", strlen(frags[a][f]));
                fputs("0 };\n", out);
            }
            fprintf(out, "static const struct sdx_kb_alt p%zu_alts[] = {", np);
            for (a = 0; a < nal; a++) {
                unsigned best = 0;

                for (f = 1; f < nfr[a]; f++)
                    if (strlen(frags[a][f]) > strlen(frags[a][best]))
                        best = f;
                fprintf(out, " { p%zu_a%d, p%zu_l%d, %u, %u },", np, a, np, a, nfr[a], best);
            }
            fputs(" { NULL, NULL, 0, 0 } };\n", out);
            fprintf(out, "static const struct sdx_kb_replyc p%zu_rep[] = {", np);
            for (k = 0; k < r->n; k++) {
                char *v, *tok, *save = NULL;

                if (strcmp(r->f[k].key, "reply") != 0)
                    continue;
                v = xstrdup(r->f[k].val);
                for (save = v; (tok = next_word(&save)) != NULL;) {
                    int c = parse_code_num(tok);

                    if (c >= 0)
                        fprintf(out, " { %d, %d },", c, c / 100);
                    else if (strlen(tok) == 3 && tok[0] >= '2' && tok[0] <= '5' &&
                             (tok[1] == 'x' || tok[1] == 'X') && (tok[2] == 'x' || tok[2] == 'X'))
                        fprintf(out, " { 0, %d },", tok[0] - '0');
                    else {
                        defect(r->file, r->f[k].line, "bad reply constraint '%s'", tok);
                        continue;
                    }
                    nrep++;
                }
                free(v);
            }
            fputs(" { 0, 0 } };\n", out);
            fprintf(out, "static const struct sdx_kb_statusc p%zu_st[] = {", np);
            for (k = 0; k < r->n; k++) {
                char *v, *tok, *save = NULL;

                if (strcmp(r->f[k].key, "status") != 0)
                    continue;
                v = xstrdup(r->f[k].val);
                for (save = v; (tok = next_word(&save)) != NULL;) {
                    int kl, sub, det;

                    if (parse_status(tok, &kl, &sub, &det)) {
                        defect(r->file, r->f[k].line, "bad status constraint '%s'", tok);
                        continue;
                    }
                    fprintf(out, " { %d, %d, %d },", kl, sub, det);
                    nst++;
                }
                free(v);
            }
            fputs(" { 0, 0, 0 } };\n", out);
            sc[0] = list(r, "cause"), sc[1] = list(r, "step"), sc[2] = list(r, "ref");
            sc[3] = list(r, "example");
            fprintf(out, "#define P%zu_INIT { ", np);
            cstr(r->f[0].val), fprintf(out, ", %d, ", pi);
            cstr(val(r, "title"));
            {
                enum sdx_reason rs = SDX_REASON_UNDEFINED;
                const char *pv = val(r, "perm");
                const char *rv = val(r, "reason");

                if (rv)
                    (void)sdx_reason_parse(rv, strlen(rv), &rs);
                fprintf(out, ", p%zu_rep, %d, p%zu_st, %d, %uu, %d, p%zu_alts, %d, %d, %d, %d, %d, %d, ", np,
                        nrep, np, nst, stage_mask(r), get(r, "requires-stage") != NULL, np, nal,
                        get(r, "requires-provider") != NULL,
                        (int)rs, pv == NULL ? 0 : strcmp(pv, "permanent") == 0 ? SDX_PERM_PERMANENT :
                        SDX_PERM_TRANSIENT, parse_reason(r, "if-bounced"), parse_actor(r));
            }
            cstr(val(r, "meaning")), fputs(", ", out);
            cstr(val(r, "differs")), fputs(", ", out);
            cstr(val(r, "url"));
            fprintf(out, ", s%lu, s%lu, s%lu, s%lu, \"%s:%lu\" }\n", sc[0], sc[1], sc[2], sc[3],
                    r->file, r->line);
        }
        for (k = 0; k < nal; k++) {
            unsigned f;

            for (f = 0; f < nfr[k]; f++)
                free(frags[k][f]);
        }
    }
    if (out) {
        fputs("static const struct sdx_kb_pattern kb_patterns[] = {\n", out);
        for (j = 1; j <= np; j++)
            fprintf(out, "  P%zu_INIT,\n", j);
        fprintf(out, "  { 0 }\n};\n#define KB_NPATTERNS %zu\n\n", np);
    }
    free(ids);
}

int main(int argc, char **argv)
{
    const char *outpath = NULL;
    int i, check = 0;
    size_t r;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--check") == 0)
            check = 1;
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            outpath = argv[++i];
        else {
            fprintf(stderr, "usage: kbgen [--check] [-o OUT.c] FILE.kb...\n");
            return 2;
        }
    }
    if (i == argc || (!check && outpath == NULL)) {
        fprintf(stderr, "usage: kbgen [--check] [-o OUT.c] FILE.kb...\n");
        return 2;
    }
    for (; i < argc; i++)
        read_file(argv[i]);
    for (r = 0; r < nrecs; r++) {
        const char *t = type_of(&recs[r]);

        if (strcmp(t, "code") && strcmp(t, "status") && strcmp(t, "reason") &&
            strcmp(t, "provider") && strcmp(t, "pattern"))
            defect(recs[r].file, recs[r].line, "unknown record type '%s'", t);
    }
    if (!check) {
        out = fopen(outpath, "w");
        if (out == NULL) {
            fprintf(stderr, "kbgen: cannot write '%s': %s\n", outpath, strerror(errno));
            return 2;
        }
        fputs("/* generated by tools/kbgen.c from data/kb: do not edit */\n"
              "#include <stddef.h>\n#include \"smtpdx/kb.h\"\n\n", out);
    }
    do_codes();
    do_statuses();
    do_reasons();
    do_providers();
    do_patterns();
    if (out) {
        fputs("const struct sdx_kb sdx__kb_data = {\n"
              "    kb_codes, KB_NCODES, kb_statuses, KB_NSTATUSES, kb_reasons, KB_NREASONS,\n"
              "    kb_providers, KB_NPROVIDERS, kb_patterns, KB_NPATTERNS\n};\n", out);
        if (fclose(out) != 0 || errors) {
            if (errors)
                fprintf(stderr, "kbgen: %d defect%s\n", errors, errors == 1 ? "" : "s");
            remove(outpath);
            return 1;
        }
        return 0;
    }
    if (errors)
        fprintf(stderr, "kbgen: %d defect%s\n", errors, errors == 1 ? "" : "s");
    else
        fprintf(stderr, "kbgen: %zu records, no defects\n", nrecs);
    return errors ? 1 : 0;
}
