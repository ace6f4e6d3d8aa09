/* bench_address.c - agreement of sdx_address_check() with the isemail tables,
 *                   and its throughput
 * In:  argv[1] = directory of the address corpus (default
 *      ../shared/corpus/address): isemail/tests.tsv, isemail/tests-original.tsv
 *      (id, address_c, category, diagnosis, dns_dependent) and
 *      skeggse-isemail/tests.tsv (id, address_c, diagnosis); address_c is the
 *      body of a C string literal (see the corpus README). argv[2], optional:
 *      seconds per throughput run (default 1).
 * Out: per table and overall, how often our yes/no answer to "usable as an SMTP
 *      envelope address?" matches isemail's, every disagreement, the rows
 *      whose expectation came from live DNS (scored apart), and addresses/s.
 * Mapping: isemail says yes when its diagnosis value is below 16 (meta.xml:
 *      VALID, DNSWARN_*, RFC5321_*, which is is_email's boolean threshold);
 *      skeggse likewise (valid, dnsWarn*, rfc5321*; its deprecatedIPv6 is 39,
 *      not 13 as in the PHP suite). We say yes for SDX_ADDR_VALID_SMTP and
 *      SDX_ADDR_VALID_SMTPUTF8. The two NUL rows of skeggse's test driver are
 *      added by hand. Exit 0 always unless a file cannot be read (3). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L   /* clock_gettime() under -std=c17 */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "smtpdx/address.h"

#define FILE_MAX  (1u << 20)    /* the corpus files are < 100 KiB */
#define ROWS_MAX  1024
#define ADDR_MAX  4096

enum kind { ISEMAIL, SKEGGSE };

struct row {
    const char *table;
    char id[16];
    char addr[ADDR_MAX];
    size_t len;
    char expect[64];        /* isemail's diagnosis name */
    int yes;                /* isemail: usable as envelope address */
    int level;              /* isemail: 0 SMTP, 1 header only (16-127), 2 invalid (>= 128) */
    int dns;                /* expectation came from live DNS */
};

static struct row rows[ROWS_MAX];
static size_t nrows;

/* read_file - whole file into a malloc'ed, NUL-terminated buffer, or NULL */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (f == NULL)
        return NULL;
    if ((buf = malloc(FILE_MAX + 1)) == NULL) {
        fclose(f);
        return NULL;
    }
    n = fread(buf, 1, FILE_MAX, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* decode - the body of a C string literal s[0..n) into out (at most max bytes):
 * \\ \t \r \n \xNN, and the "" that separates \xNN from a following hex digit */
static size_t decode(const char *s, size_t n, char *out, size_t max)
{
    size_t i = 0, o = 0;

    while (i < n && o < max) {
        if (s[i] != '\\' || i + 1 >= n) {
            out[o++] = s[i++];
            continue;
        }
        switch (s[i + 1]) {
        case 't':  out[o++] = '\t'; i += 2; break;
        case 'r':  out[o++] = '\r'; i += 2; break;
        case 'n':  out[o++] = '\n'; i += 2; break;
        case '\\': out[o++] = '\\'; i += 2; break;
        case 'x':
            if (i + 3 < n && hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
                out[o++] = (char)(hexval(s[i + 2]) * 16 + hexval(s[i + 3]));
                i += 4;
                if (i + 2 < n && s[i] == '"' && s[i + 1] == '"' && hexval(s[i + 2]) >= 0)
                    i += 2;
                break;
            }
            /* fall through */
        default:
            out[o++] = s[i + 1];
            i += 2;
        }
    }
    return o;
}

/* expect_yes - isemail's answer: diagnosis value below 16 */
static int expect_yes(enum kind k, const char *diag)
{
    if (k == ISEMAIL)
        return strcmp(diag, "ISEMAIL_VALID") == 0 || strncmp(diag, "ISEMAIL_DNSWARN", 15) == 0 ||
               strncmp(diag, "ISEMAIL_RFC5321_", 16) == 0;
    return strcmp(diag, "valid") == 0 || strncmp(diag, "dnsWarn", 7) == 0 ||
           strncmp(diag, "rfc5321", 7) == 0;
}

/* expect_level - isemail's coarse class: 0 below 16, 1 for CFWS, DEPREC and
 * RFC5322 (header-only forms), 2 for ERR */
static int expect_level(enum kind k, const char *diag)
{
    if (expect_yes(k, diag))
        return 0;
    if (k == ISEMAIL)
        return strncmp(diag, "ISEMAIL_ERR", 11) == 0 ? 2 : 1;
    return strncmp(diag, "err", 3) == 0 ? 2 : 1;
}

/* load - the rows of one TSV table; returns 0 or -1 */
static int load(const char *dir, const char *rel, const char *table, enum kind k)
{
    char path[1024], *buf, *line, *next;
    int header = 1;

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    if ((buf = read_file(path)) == NULL) {
        fprintf(stderr, "bench_address: cannot read '%s'\n", path);
        return -1;
    }
    for (line = buf; *line; line = next) {
        char *f[5] = { 0 };
        size_t nf = 0;
        char *p, *eol = strchr(line, '\n');
        struct row *r;

        next = eol ? eol + 1 : line + strlen(line);
        if (eol)
            *eol = '\0';
        if (header) {
            header = 0;
            continue;
        }
        for (p = line, f[nf++] = p; *p && nf < 5; p++)
            if (*p == '\t') {
                *p = '\0';
                f[nf++] = p + 1;
            }
        if (nf < (k == ISEMAIL ? 5u : 3u) || nrows >= ROWS_MAX)
            continue;
        r = &rows[nrows++];
        r->table = table;
        snprintf(r->id, sizeof(r->id), "%s", f[0]);
        r->len = decode(f[1], strlen(f[1]), r->addr, sizeof(r->addr));
        snprintf(r->expect, sizeof(r->expect), "%s", k == ISEMAIL ? f[3] : f[2]);
        r->yes = expect_yes(k, r->expect);
        r->level = expect_level(k, r->expect);
        r->dns = k == ISEMAIL && strcmp(f[4], "1") == 0;
    }
    free(buf);
    return 0;
}

/* add - one hand-made row (skeggse's driver adds two with NUL) */
static void add(const char *table, const char *id, const char *addr, size_t len,
                const char *expect, enum kind k)
{
    struct row *r = &rows[nrows++];

    r->table = table;
    snprintf(r->id, sizeof(r->id), "%s", id);
    memcpy(r->addr, addr, len);
    r->len = len;
    snprintf(r->expect, sizeof(r->expect), "%s", expect);
    r->yes = expect_yes(k, expect);
    r->level = expect_level(k, expect);
    r->dns = 0;
}

/* show - print p[0..n) with C escapes for control bytes and backslash */
static void show(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c == '\\')
            fputs("\\\\", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c == '\r')
            fputs("\\r", stdout);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c < 0x20 || c == 0x7f)
            printf("\\x%02x", c);
        else if (c == 0xC2 && i + 1 < n && (unsigned char)p[i + 1] < 0xA0 &&
                 (unsigned char)p[i + 1] >= 0x80)
            printf("\\u%04x", (unsigned char)p[++i]);      /* C1 control */
        else
            putchar(c);
    }
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* throughput - addresses/s over repeated passes for about `secs` seconds;
 * ascii_only limits it to rows without non-ASCII bytes (no libidn2 calls) */
static double throughput(double secs, int ascii_only, size_t *count)
{
    struct sdx_address a;
    double t0 = now(), t;
    size_t i, j, n = 0;
    unsigned long sink = 0;

    do {
        for (i = 0; i < nrows; i++) {
            if (ascii_only) {
                for (j = 0; j < rows[i].len && (unsigned char)rows[i].addr[j] < 0x80; j++)
                    ;
                if (j < rows[i].len)
                    continue;
            }
            if (sdx_address_check(rows[i].addr, rows[i].len, SDX_ADDR_O_SMTPUTF8, &a) == 0)
                sink += (unsigned long)a.verdict;
            n++;
        }
        t = now() - t0;
    } while (t < secs);
    *count = n + (sink & 0);
    return (double)n / t;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *rel, *name;
        enum kind k;
    } tables[] = {
        { "isemail/tests.tsv", "isemail/tests", ISEMAIL },
        { "isemail/tests-original.tsv", "isemail/tests-original", ISEMAIL },
        { "skeggse-isemail/tests.tsv", "skeggse-isemail/tests", SKEGGSE },
    };
    const char *dir = argc > 1 ? argv[1] : "../shared/corpus/address";
    double secs = argc > 2 ? strtod(argv[2], NULL) : 1.0;
    size_t t, i, all = 0, all_agree = 0, dns = 0, dns_agree = 0, cnt;
    double rate;

    for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        if (load(dir, tables[t].rel, tables[t].name, tables[t].k))
            return 3;
    add("skeggse-isemail/tests", "nul-1", "test@[\0", 7, "errExpectingDTEXT", SKEGGSE);
    add("skeggse-isemail/tests", "nul-2", "(\0)test@example.com", 19, "errExpectingCTEXT", SKEGGSE);

    printf("# address validator vs isemail: \"usable as an SMTP envelope address?\"\n\n");
    printf("## disagreements (table id: address | isemail | ours)\n\n");
    for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        size_t n = 0, agree = 0, dn = 0, dagree = 0;

        for (i = 0; i < nrows; i++) {
            struct sdx_address a;
            int ours;

            if (strcmp(rows[i].table, tables[t].name) != 0)
                continue;
            if (sdx_address_check(rows[i].addr, rows[i].len, SDX_ADDR_O_SMTPUTF8, &a) != 0) {
                fprintf(stderr, "bench_address: out of memory\n");
                return 3;
            }
            ours = a.verdict == SDX_ADDR_VALID_SMTP || a.verdict == SDX_ADDR_VALID_SMTPUTF8;
            if (rows[i].dns) {
                dn++;
                dagree += ours == rows[i].yes;
                printf("- %s %s [dns]: `", tables[t].name, rows[i].id);
                show(rows[i].addr, rows[i].len);
                printf("` | %s (%s, from live DNS) | %s (%s)\n", rows[i].expect,
                       rows[i].yes ? "yes" : "no", a.diagnosis, sdx_address_verdict_name(a.verdict));
                continue;
            }
            n++;
            if (ours == rows[i].yes) {
                agree++;
                continue;
            }
            printf("- %s %s: `", tables[t].name, rows[i].id);
            show(rows[i].addr, rows[i].len);
            printf("` | %s (%s) | %s (%s)\n", rows[i].expect, rows[i].yes ? "yes" : "no",
                   a.diagnosis, sdx_address_verdict_name(a.verdict));
        }
        printf("\n%s: %zu/%zu agree (%.1f%%)", tables[t].name, agree, n,
               n ? 100.0 * (double)agree / (double)n : 0.0);
        if (dn)
            printf("; DNS-dependent rows apart: %zu, %zu agree", dn, dagree);
        printf("\n\n");
        all += n;
        all_agree += agree;
        dns += dn;
        dns_agree += dagree;
    }
    printf("overall: %zu/%zu agree (%.1f%%); DNS-dependent rows: %zu, %zu agree\n\n", all_agree,
           all, all ? 100.0 * (double)all_agree / (double)all : 0.0, dns, dns_agree);

    /* Three-way: SMTP / header only / invalid. isemail's "header only" is its
     * CFWS, DEPREC and RFC5322 categories, ours SDX_ADDR_VALID_5322_ONLY. */
    {
        static const char *const lv[] = { "smtp", "header-only", "invalid" };
        size_t n3 = 0, a3 = 0;

        printf("## three-way (smtp / header-only / invalid) disagreements, DNS rows left out\n\n");
        for (i = 0; i < nrows; i++) {
            struct sdx_address a;
            int ours;

            if (rows[i].dns)
                continue;
            if (sdx_address_check(rows[i].addr, rows[i].len, SDX_ADDR_O_SMTPUTF8, &a) != 0)
                return 3;
            ours = a.verdict == SDX_ADDR_INVALID ? 2 : a.verdict == SDX_ADDR_VALID_5322_ONLY ? 1 : 0;
            n3++;
            if (ours == rows[i].level) {
                a3++;
                continue;
            }
            printf("- %s %s: `", rows[i].table, rows[i].id);
            show(rows[i].addr, rows[i].len);
            printf("` | %s (%s) | %s (%s)\n", rows[i].expect, lv[rows[i].level], a.diagnosis,
                   lv[ours]);
        }
        printf("\nthree-way overall: %zu/%zu agree (%.1f%%)\n\n", a3, n3,
               n3 ? 100.0 * (double)a3 / (double)n3 : 0.0);
    }

    rate = throughput(secs, 0, &cnt);
    printf("throughput, all %zu rows (IDN rows call libidn2): %.0f addresses/s (%zu checks)\n",
           nrows, rate, cnt);
    rate = throughput(secs, 1, &cnt);
    printf("throughput, ASCII rows only: %.0f addresses/s (%zu checks)\n", rate, cnt);
    return 0;
}
