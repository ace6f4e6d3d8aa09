/* bench_bounce.c - the bounce reader against Sisimai's expectations, and its speed
 * In:  the Sisimai corpus (../shared/corpus/sisimai: manifest.tsv and
 *      eml/), path as argv[1]; or, with --mta, the DSNs real MTAs wrote
 *      (../shared/mta-samples) and their scenarios.tsv.
 * Out: agreement per field (reason, status, reply code, hard bounce) and
 *      per expected reason, every disagreement with the rule that decided,
 *      and messages per second (the whole corpus read and parsed, files
 *      in memory, median of the repetitions).
 * Comparison rules (issue 6): records are matched by path and index (the
 *      order of the recipients); Sisimai's labels predate its December
 *      2025 renaming, so old names are mapped (sdx_reason_parse);
 *      Sisimai's pseudo statuses 5.0.9xx / 4.0.9xx stand where the bounce
 *      carried no status: our empty status agrees with them.
 * Usage: bench_bounce CORPUS_DIR [REPEAT [quiet]] */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/bounce.h"

#define FILES_MAX 1024
#define RECS_MAX  2048

struct rec {
    char  path[256];
    int   index;
    char  status[16], code[8], reason[32];
    int   hard;
};

struct file {
    char   path[256];
    char  *data;
    size_t len;
};

static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, got;

    *n = 0;
    if (!fp)
        return NULL;
    for (;;) {
        if (*n + 65536 > cap) {
            char *nb = realloc(buf, cap = cap * 2 + 65536);

            if (!nb)
                break;
            buf = nb;
        }
        got = fread(buf + *n, 1, cap - *n, fp);
        if (got == 0)
            break;
        *n += got;
    }
    fclose(fp);
    return buf;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void field(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* tabs - split line into at most max fields (in place) */
static int tabs(char *line, char **f, int max)
{
    int n = 0;

    while (n < max) {
        f[n++] = line;
        line = strchr(line, '\t');
        if (!line)
            break;
        *line++ = '\0';
    }
    return n;
}

static struct file files[FILES_MAX];
static struct rec recs[RECS_MAX];

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/corpus/sisimai";
    int repeat = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5, quiet = argc > 3, r;
    size_t nf = 0, nr = 0, i, k;
    char path[512], line[2048];
    FILE *fp;
    unsigned agree_reason = 0, agree_status = 0, agree_code = 0, agree_hard = 0, both = 0;
    unsigned per_total[SDX_REASON_COUNT] = { 0 }, per_agree[SDX_REASON_COUNT] = { 0 };
    double *secs;

    snprintf(path, sizeof(path), "%s/manifest.tsv", dir);
    if ((fp = fopen(path, "r")) == NULL) {
        fprintf(stderr, "bench_bounce: %s: cannot open\n", path);
        return 2;
    }
    while (fgets(line, sizeof(line), fp) && nr < RECS_MAX) {
        char *f[10];
        int n;

        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "path\t", 5) == 0)
            continue;
        n = tabs(line, f, 10);
        if (n < 8)
            continue;
        field(recs[nr].path, sizeof(recs[nr].path), f[0], strlen(f[0]));
        recs[nr].index = (int)strtol(f[3], NULL, 10);
        field(recs[nr].status, sizeof(recs[nr].status), f[4], strlen(f[4]));
        field(recs[nr].code, sizeof(recs[nr].code), f[5], strlen(f[5]));
        field(recs[nr].reason, sizeof(recs[nr].reason), f[6], strlen(f[6]));
        recs[nr].hard = (int)strtol(f[7], NULL, 10);
        for (k = 0; k < nf && strcmp(files[k].path, recs[nr].path) != 0; k++)
            ;
        if (k == nf && nf < FILES_MAX) {
            snprintf(path, sizeof(path), "%s/%s", dir, recs[nr].path);
            field(files[nf].path, sizeof(files[nf].path), recs[nr].path, strlen(recs[nr].path));
            files[nf].data = slurp(path, &files[nf].len);
            if (!files[nf].data) {
                fprintf(stderr, "bench_bounce: %s: cannot read\n", path);
                return 2;
            }
            nf++;
        }
        nr++;
    }
    fclose(fp);

    /* agreement */
    for (i = 0; i < nr; i++) {
        struct sdx_bounce b;
        const struct sdx_bounce_rcpt *got = NULL;
        enum sdx_reason want = SDX_REASON_UNDEFINED;
        char code[8] = "", status[16] = "";
        int ok_r, ok_s, ok_c, ok_h, pseudo;
        const char *gotreason;

        for (k = 0; k < nf && strcmp(files[k].path, recs[i].path) != 0; k++)
            ;
        /* a file may be an mbox of several messages (as the command reads
         * it): the records count on across them */
        {
            size_t off = 0, len, seen = 0;
            const char *msg;
            int idx = recs[i].index;

            memset(&b, 0, sizeof(b));
            while (sdx_mbox_next(files[k].data, files[k].len, &off, &msg, &len)) {
                if (files[k].len < 5 || memcmp(files[k].data, "From ", 5) != 0) {
                    msg = files[k].data, len = files[k].len, off = files[k].len;
                }
                if (sdx_bounce_parse(&b, msg, len, NULL) != 0) {
                    fprintf(stderr, "bench_bounce: out of memory\n");
                    return 2;
                }
                if (idx >= 1 && (size_t)idx <= seen + b.nrcpt) {
                    got = &b.rcpt[idx - 1 - seen];
                    break;
                }
                seen += b.nrcpt;
                if (off >= files[k].len)
                    break;
                sdx_bounce_release(&b);
            }
        }
        (void)sdx_reason_parse(recs[i].reason, strlen(recs[i].reason), &want);
        if (got) {
            if (got->reply.code)
                snprintf(code, sizeof(code), "%d", got->reply.code);
            snprintf(status, sizeof(status), "%s", got->reply.status_str);
        }
        gotreason = got ? sdx_reason_name(got->verdict.reason) : "-";
        ok_r = got && got->verdict.reason == want;
        pseudo = strlen(recs[i].status) >= 5 && recs[i].status[2] == '0' && recs[i].status[4] == '9';
        ok_s = strcmp(status, recs[i].status) == 0 || (pseudo && status[0] == '\0');
        ok_c = strcmp(code, recs[i].code) == 0;
        ok_h = got && got->hard == (recs[i].hard == 1);
        agree_reason += ok_r;
        agree_status += ok_s;
        agree_code += ok_c;
        agree_hard += ok_h;
        both += ok_r && ok_s;
        per_total[want]++;
        per_agree[want] += ok_r;
        if (!quiet && (!ok_r || !ok_s || !ok_c))
            printf("DIFF%s %s#%d want %s/%s/%s got %s/%s/%s kind=%s by=%s rule=%s diag=%.*s\n",
                   !ok_r || !ok_s ? "" : "-CODE", recs[i].path, recs[i].index, recs[i].reason,
                   recs[i].status[0] ? recs[i].status : "-", recs[i].code[0] ? recs[i].code : "-", gotreason,
                   status[0] ? status : "-", code[0] ? code : "-", sdx_bounce_kind_name(b.kind),
                   got ? got->found_by : b.decided_by, got ? got->verdict.rule : "-",
                   got ? (int)(got->diag.len > 160 ? 160 : got->diag.len) : 0, got ? got->diag.p : "");
        sdx_bounce_release(&b);
    }
    printf("records %zu, files %zu\n", nr, nf);
    printf("reason agree %u = %.1f %%\n", agree_reason, 100.0 * agree_reason / nr);
    printf("status agree %u = %.1f %%\n", agree_status, 100.0 * agree_status / nr);
    printf("reply code agree %u = %.1f %%\n", agree_code, 100.0 * agree_code / nr);
    printf("hard bounce agree %u = %.1f %%\n", agree_hard, 100.0 * agree_hard / nr);
    printf("reason and status agree %u = %.1f %%\n", both, 100.0 * both / nr);
    for (i = 0; i < SDX_REASON_COUNT; i++)
        if (per_total[i])
            printf("  %-16s %3u / %3u\n", sdx_reason_name((enum sdx_reason)i), per_agree[i], per_total[i]);

    /* speed: every file parsed, repeat times */
    if (repeat < 1)
        repeat = 1;
    secs = calloc((size_t)repeat, sizeof(*secs));
    for (r = 0; r < repeat && secs; r++) {
        double t0 = now();

        for (k = 0; k < nf; k++) {
            struct sdx_bounce b;
            size_t off = 0, len;
            const char *msg;

            if (files[k].len < 5 || memcmp(files[k].data, "From ", 5) != 0) {
                if (sdx_bounce_parse(&b, files[k].data, files[k].len, NULL) != 0)
                    return 2;
                sdx_bounce_release(&b);
                continue;
            }
            while (sdx_mbox_next(files[k].data, files[k].len, &off, &msg, &len)) {
                if (sdx_bounce_parse(&b, msg, len, NULL) != 0)
                    return 2;
                sdx_bounce_release(&b);
            }
        }
        secs[r] = now() - t0;
    }
    if (secs) {
        qsort(secs, (size_t)repeat, sizeof(*secs), cmpd);
        printf("smtpdx messages/s: %.0f (median of %d runs over %zu files)\n",
               (double)nf / secs[repeat / 2], repeat, nf);
    }
    free(secs);
    for (k = 0; k < nf; k++)
        free(files[k].data);
    return 0;
}
