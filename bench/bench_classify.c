/* bench_classify.c - the classifier against Sisimai's expectations, and its speed
 * In:  the Sisimai corpus (../shared/corpus/sisimai: manifest.tsv and eml/),
 *      path given as argv[1]. Each sample's reply text is pulled out simply:
 *      its Diagnostic-Code fields (folded lines joined), else the first
 *      "said:"/"SMTP error from" rendering, else the first line that starts
 *      with a 4xx/5xx code (with its continuation lines). A Status: field
 *      fills in the enhanced status when the text has none, and the
 *      bounce's "(in reply to X command)" / "after X" wording gives the
 *      stage when the text has none, and Action: failed tells that the
 *      message bounced (the outcome in the context). No other parsing: that is the
 *      bounce command's job (issue 6).
 * Out: agreement per expected reason and overall, the disagreements, and
 *      throughput (replies classified per second on one core).
 * Usage: bench_classify [CORPUS_DIR [SECONDS [DUMP_FILE]]]; DUMP_FILE gets the
 *      extracted texts for the peer run (bench/peer/sisimai.pl).
 * Sisimai's labels predate its December 2025 renaming; the old names are
 * mapped (speeding, toomanyconn -> ratelimited; mesgtoobig, exceedlimit ->
 * emailtoolarge) by sdx_reason_parse(). */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "smtpdx/smtpdx.h"

#define FILE_MAX   (4u << 20)
#define DIAGS_MAX  16
#define TEXT_MAX   8192

struct sample {
    char            path[256];
    int             index;
    enum sdx_reason want;
    char            want_name[32];
    char           *text;           /* extracted reply text, NULL if none */
    enum sdx_reason got;
    char            rule[96];
    enum sdx_stage  stage;          /* from the bounce's wording, if any */
    int             failed;         /* the DSN's Action: is failed (a final bounce) */
};

static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    char *buf;

    if (!fp)
        return NULL;
    buf = malloc(FILE_MAX + 1);
    if (!buf) {
        fclose(fp);
        return NULL;
    }
    *n = fread(buf, 1, FILE_MAX, fp);
    buf[*n] = '\0';
    fclose(fp);
    return buf;
}

static int istarts(const char *line, const char *word)
{
    return strncasecmp(line, word, strlen(word)) == 0;
}

/* collect_para - the line at p and the lines after it up to a blank line */
static char *collect_para(const char *p)
{
    char *out = malloc(TEXT_MAX + 1);
    size_t o = 0;

    if (!out)
        return NULL;
    while (*p && o < TEXT_MAX) {
        const char *e = strchr(p, '\n');

        if (!e)
            e = p + strlen(p);
        if (e == p || (e == p + 1 && *p == '\r'))
            break;                          /* the blank line ends it */
        if (o)
            out[o++] = '\n';
        while (p < e && o < TEXT_MAX) {
            if (*p != '\r')
                out[o++] = *p;
            p++;
        }
        if (*e == '\0')
            break;
        p = e + 1;
    }
    out[o] = '\0';
    return out;
}

/* collect - the line at p plus its continuation lines (leading white space) */
static char *collect(const char *p, int join_codes)
{
    char *out = malloc(TEXT_MAX + 1);
    size_t o = 0;
    const char *e;

    if (!out)
        return NULL;
    for (;;) {
        e = strchr(p, '\n');
        if (!e)
            e = p + strlen(p);
        while (p < e && o < TEXT_MAX) {
            if (*p != '\r')
                out[o++] = *p;
            p++;
        }
        if (*e == '\0' || o >= TEXT_MAX)
            break;
        p = e + 1;
        /* folded header line, or the next line of a multi-line reply */
        if (*p == ' ' || *p == '\t' ||
            (join_codes && o >= 4 && out[o - 1] != '\0' && p[0] >= '2' && p[0] <= '5' &&
             p[3] != '\0' && (p[3] == ' ' || p[3] == '-') && strchr(out, '-') != NULL)) {
            out[o++] = '\n';
            continue;
        }
        break;
    }
    out[o] = '\0';
    return out;
}

/* extract - the k-th (1-based) reply text of a sample, simply */
static char *extract(const char *buf, int k, char *status, size_t scap, int *failed)
{
    const char *diags[DIAGS_MAX], *statuses[DIAGS_MAX], *actions[DIAGS_MAX], *p;
    int nd = 0, ns = 0, na = 0;
    char *t = NULL;

    status[0] = '\0';
    *failed = 0;
    for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (istarts(p, "Diagnostic-Code:") && nd < DIAGS_MAX)
            diags[nd++] = p;
        else if (istarts(p, "Status:") && ns < DIAGS_MAX)
            statuses[ns++] = p;
        else if (istarts(p, "Action:") && na < DIAGS_MAX)
            actions[na++] = p;
    }
    if (na) {
        const char *a = actions[k <= na ? k - 1 : na - 1] + 7;

        while (*a == ' ' || *a == '\t')
            a++;
        *failed = istarts(a, "failed");
    }
    if (ns) {
        const char *s = statuses[k <= ns ? k - 1 : ns - 1] + 7;
        size_t i = 0;

        while (*s == ' ' || *s == '\t')
            s++;
        while (i + 1 < scap && ((*s >= '0' && *s <= '9') || *s == '.'))
            status[i++] = *s++;
        status[i] = '\0';
    }
    if (nd)
        return collect(diags[k <= nd ? k - 1 : nd - 1], 1);
    {
        int seen = 0;
        const char *last = NULL;

        for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
            const char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);

            if (memmem(p, len, " said: ", 7) || memmem(p, len, "SMTP error from remote", 22)) {
                last = p;
                if (++seen == k)
                    break;
            }
        }
        /* "said:" carries the reply on its line and the indented ones after
         * it (what follows is the bounce's own prose, e.g. qmail's "Giving
         * up"); Exim-style "SMTP error from" puts it a few lines below */
        if (last) {
            const char *e = strchr(last, '\n');
            size_t len = e ? (size_t)(e - last) : strlen(last);

            t = memmem(last, len, " said: ", 7) ? collect(last, 1) : collect_para(last);
            if (t != NULL)
                return t;
        }
    }
    /* OpenSMTPD: "rcpt@example.com: 550 5.1.1 ..." one line per recipient */
    {
        int seen = 0;
        const char *last = NULL;

        for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
            const char *c = strstr(p, ": "), *e = strchr(p, '\n');

            if (c && (!e || c < e) && c > p && memchr(p, '@', (size_t)(c - p)) && !memchr(p, ' ', (size_t)(c - p)) &&
                (c[2] == '4' || c[2] == '5') && c[3] >= '0' && c[3] <= '9' && c[4] >= '0' && c[4] <= '9' && c[5] == ' ') {
                last = c + 2;
                if (++seen == k)
                    break;
            }
        }
        if (last)
            return collect(last, 0);
    }
    for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        const char *s = p;

        while (*s == ' ' || *s == '\t' || *s == '>')
            s++;
        if ((s[0] == '4' || s[0] == '5') && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
            (s[3] == ' ' || s[3] == '-'))
            return collect(s, 1);
    }
    return NULL;
}

/* bounce_stage - the SMTP command the bounce says the reply answered:
 * Postfix "(in reply to X command)", Exim "after X". First mention wins. */
static enum sdx_stage bounce_stage(const char *buf)
{
    static const struct { const char *s; enum sdx_stage st; } m[] = {
        { "in reply to end of DATA", SDX_STAGE_EOD }, { "in reply to DATA", SDX_STAGE_DATA },
        { "in reply to RCPT TO", SDX_STAGE_RCPT }, { "in reply to MAIL FROM", SDX_STAGE_MAIL },
        { "after end of data", SDX_STAGE_EOD }, { "after RCPT TO", SDX_STAGE_RCPT },
        { "after pipelined RCPT TO", SDX_STAGE_RCPT }, { "after MAIL FROM", SDX_STAGE_MAIL },
        { "after initial connection", SDX_STAGE_CONNECT }, { "after DATA", SDX_STAGE_DATA },
        { "after EHLO", SDX_STAGE_HELO }, { "after HELO", SDX_STAGE_HELO },
        { "refused to talk to me", SDX_STAGE_CONNECT },
    };
    const char *best = NULL;
    enum sdx_stage st = SDX_STAGE_UNKNOWN;
    size_t i;

    for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        const char *h = strstr(buf, m[i].s);

        if (h && (best == NULL || h < best))
            best = h, st = m[i].st;
    }
    return st;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* dump - the extracted texts for a peer (bench/peer/sisimai.pl): one line
 * each, "path#index TAB expected TAB stage TAB text", with \n, \t and \\
 * escaped so every record stays on one line */
static void dump(const char *path, const struct sample *s, size_t ns)
{
    FILE *fp = fopen(path, "w");
    size_t i;

    if (fp == NULL) {
        fprintf(stderr, "bench_classify: cannot write '%s'\n", path);
        return;
    }
    for (i = 0; i < ns; i++) {
        const char *t;

        if (s[i].text == NULL)
            continue;
        fprintf(fp, "%s#%d\t%s\t%s\t", s[i].path, s[i].index, s[i].want_name, sdx_stage_name(s[i].stage));
        for (t = s[i].text; *t; t++) {
            if (*t == '\n')
                fputs("\\n", fp);
            else if (*t == '\t')
                fputs("\\t", fp);
            else if (*t == '\\')
                fputs("\\\\", fp);
            else if (*t != '\r')
                fputc(*t, fp);
        }
        fputc('\n', fp);
    }
    fclose(fp);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/corpus/sisimai";
    double seconds = argc > 2 ? atof(argv[2]) : 3.0;
    const char *dumpto = argc > 3 ? argv[3] : NULL;
    char path[512], line[2048];
    FILE *mf;
    struct sample *s = NULL;
    size_t ns = 0, cap = 0, i;
    int per_want[SDX_REASON_COUNT] = { 0 }, per_ok[SDX_REASON_COUNT] = { 0 };
    int per_text[SDX_REASON_COUNT] = { 0 };
    int with_text = 0, ok_text = 0, ok_all = 0;
    struct sdx_reply rp;
    struct sdx_verdict v;

    snprintf(path, sizeof(path), "%s/manifest.tsv", dir);
    if ((mf = fopen(path, "r")) == NULL) {
        fprintf(stderr, "bench_classify: cannot open '%s' (give the corpus folder as argument)\n", path);
        return 3;
    }
    sdx_reply_init(&rp);
    while (fgets(line, sizeof(line), mf)) {
        char *f[10], *q = line;
        int nf = 0;

        line[strcspn(line, "\r\n")] = '\0';
        while (nf < 10 && q) {
            f[nf++] = q;
            q = strchr(q, '\t');
            if (q)
                *q++ = '\0';
        }
        if (nf < 7 || strcmp(f[0], "path") == 0)
            continue;
        if (ns == cap) {
            cap = cap ? cap * 2 : 512;
            s = realloc(s, cap * sizeof(*s));
            if (!s)
                return 3;
        }
        memset(&s[ns], 0, sizeof(s[ns]));
        snprintf(s[ns].path, sizeof(s[ns].path), "%s", f[0]);
        s[ns].index = (int)strtol(f[3], NULL, 10);
        snprintf(s[ns].want_name, sizeof(s[ns].want_name), "%s", f[6]);
        if (sdx_reason_parse(f[6], strlen(f[6]), &s[ns].want) != 0) {
            fprintf(stderr, "bench_classify: unknown expected reason '%s'\n", f[6]);
            continue;
        }
        ns++;
    }
    fclose(mf);

    for (i = 0; i < ns; i++) {
        size_t n;
        char *buf, status[16];

        snprintf(path, sizeof(path), "%s/%s", dir, s[i].path);
        if ((buf = slurp(path, &n)) == NULL) {
            fprintf(stderr, "bench_classify: cannot read '%s'\n", path);
            continue;
        }
        s[i].text = extract(buf, s[i].index > 0 ? s[i].index : 1, status, sizeof(status), &s[i].failed);
        s[i].stage = bounce_stage(buf);
        free(buf);
        if (s[i].text && status[0]) {
            /* the DSN's Status: field supplies a missing enhanced status */
            if (sdx_reply_parse(&rp, s[i].text, strlen(s[i].text)) == 0 && rp.status.klass == 0) {
                char *t = malloc(strlen(s[i].text) + 32);

                if (t) {
                    const char *semi = istarts(s[i].text, "Diagnostic-Code:") ? strchr(s[i].text, ';') : NULL;

                    if (rp.code)
                        snprintf(t, strlen(s[i].text) + 32, "%d %s %s", rp.code, status, rp.text.data);
                    else if (semi)      /* keep the diagnostic type in front */
                        snprintf(t, strlen(s[i].text) + 32, "%.*s %s %s", (int)(semi - s[i].text + 1),
                                 s[i].text, status, semi + 1);
                    else
                        snprintf(t, strlen(s[i].text) + 32, "%s %s", status, s[i].text);
                    free(s[i].text);
                    s[i].text = t;
                }
            }
        } else if (!s[i].text && status[0]) {
            s[i].text = strdup(status);
        }
        per_want[s[i].want]++;
        if (s[i].text) {
            struct sdx_classify_ctx ctx = { SDX_STAGE_UNKNOWN, NULL, NULL, SDX_OUT_UNKNOWN };

            if (sdx_reply_parse(&rp, s[i].text, strlen(s[i].text)) == 0 && rp.stage == SDX_STAGE_UNKNOWN)
                ctx.stage = s[i].stage;
            if (s[i].failed)        /* Action: failed: the message bounced */
                ctx.outcome = SDX_OUT_BOUNCED;
            sdx_classify_text(s[i].text, strlen(s[i].text), &ctx, &rp, &v);
            per_text[s[i].want]++;
            s[i].got = v.reason;
            snprintf(s[i].rule, sizeof(s[i].rule), "%s", v.rule);
            with_text++;
            if (v.reason == s[i].want)
                ok_text++, ok_all++, per_ok[s[i].want]++;
        } else {
            s[i].got = SDX_REASON_UNDEFINED;
            snprintf(s[i].rule, sizeof(s[i].rule), "no reply text extracted");
            if (s[i].want == SDX_REASON_UNDEFINED)
                ok_all++, per_ok[s[i].want]++;
        }
    }

    printf("# smtpdx classifier vs Sisimai expectations (%s)\n\n", dir);
    printf("%-16s %8s %6s %6s %7s\n", "reason", "records", "texts", "agree", "share");
    for (i = 0; i < SDX_REASON_COUNT; i++)
        if (per_want[i])
            printf("%-16s %8d %6d %6d %6.1f%%\n", sdx_reason_name((enum sdx_reason)i), per_want[i],
                   per_text[i], per_ok[i], per_text[i] ? 100.0 * per_ok[i] / per_text[i] : 0.0);
    printf("\nrecords: %zu; with a reply text: %d; agreement on those: %d/%d = %.1f%%\n", ns, with_text,
           ok_text, with_text, with_text ? 100.0 * ok_text / with_text : 0.0);
    printf("agreement on all records (no text counts as a miss): %d/%zu = %.1f%%\n\n", ok_all, ns,
           ns ? 100.0 * ok_all / ns : 0.0);
    printf("## disagreements (path#index: expected -> got [rule] text)\n");
    for (i = 0; i < ns; i++)
        if (s[i].got != s[i].want) {
            struct sdx_buf e;

            sdx_buf_init(&e, 400);
            if (s[i].text)
                if (sdx_esc_text(&e, s[i].text, strlen(s[i].text) > 160 ? 160 : strlen(s[i].text), 0)) {
                    /* cut at the ceiling: what fits is shown */
                }
            printf("%s#%d: %s -> %s [%s] %s\n", s[i].path, s[i].index, s[i].want_name,
                   sdx_reason_name(s[i].got), s[i].rule, s[i].text ? e.data : "-");
            sdx_buf_release(&e);
        }

    if (dumpto)
        dump(dumpto, s, ns);

    /* throughput: parse + classify the extracted texts round-robin, one core */
    {
        size_t count = 0, k;
        double t0 = now(), t1;
        const char **texts = malloc(ns * sizeof(*texts));
        size_t *lens = malloc(ns * sizeof(*lens)), nt = 0, bytes = 0;

        for (k = 0; k < ns; k++)
            if (s[k].text) {
                lens[nt] = strlen(s[k].text);
                bytes += lens[nt];
                texts[nt++] = s[k].text;
            }
        if (nt) {
            printf("\n%zu texts, %.0f bytes on average\n", nt, (double)bytes / nt);
            do {
                for (k = 0; k < nt; k++)
                    sdx_classify_text(texts[k], lens[k], NULL, &rp, &v);
                count += nt;
                t1 = now();
            } while (t1 - t0 < seconds);
            printf("\nthroughput: %zu replies in %.2f s = %.0f replies/s (parse + classify, one core)\n",
                   count, t1 - t0, count / (t1 - t0));
            /* the classifier alone, on replies parsed once (a log reader
             * parses each reply once and may classify it again with more
             * context) */
            {
                struct sdx_reply *pr = calloc(nt, sizeof(*pr));

                if (pr) {
                    for (k = 0; k < nt; k++) {
                        sdx_reply_init(&pr[k]);
                        if (sdx_reply_parse(&pr[k], texts[k], lens[k]) != 0)
                            break;
                    }
                    count = 0;
                    t0 = now();
                    do {
                        for (k = 0; k < nt; k++)
                            sdx_classify(&pr[k], NULL, &v);
                        count += nt;
                        t1 = now();
                    } while (t1 - t0 < seconds);
                    printf("throughput: %zu replies in %.2f s = %.0f replies/s (classify only, one core)\n",
                           count, t1 - t0, count / (t1 - t0));
                    for (k = 0; k < nt; k++)
                        sdx_reply_release(&pr[k]);
                    free(pr);
                }
            }
        }
        free(texts);
        free(lens);
    }
    for (i = 0; i < ns; i++)
        free(s[i].text);
    free(s);
    sdx_reply_release(&rp);
    return 0;
}
