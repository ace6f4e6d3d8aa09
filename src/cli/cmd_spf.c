/* cmd_spf.c - smtpdx spf: RFC 7208's check_host() for one client IP,
 * sender and HELO, with the evaluation tree
 * In:  --ip, --sender, --helo; where to ask DNS.
 * Out: the result, its meaning, the explanation of a fail, why an error,
 *      the term that decided, the tree of records and terms tried, and
 *      what receivers reply for such a result; --json for machines.
 * Exit: 0 pass, 1 any other result (fail, softfail, neutral, none,
 *      permerror), 2 usage, 3 temperror (DNS did not answer: no verdict). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/json.h"
#include "smtpdx/kb.h"
#include "smtpdx/resolver.h"
#include "smtpdx/spf.h"
#include "cmds.h"
#include "dnsopt.h"
#include "jsonout.h"

struct spf_args {
    int         json;
    const char *ip, *sender, *helo, *receiver, *default_exp, *resolver, *trust_anchor, *color, *batch;
};

#define SA(f) offsetof(struct spf_args, f)
const struct opt spf_opts[] = {
    { "ip",        'i', OPT_STR, "IP",     SA(ip),        "the client's address (IPv4 or IPv6)", 0 },
    { "sender",    's', OPT_STR, "ADDR",   SA(sender),    "the MAIL FROM address (default: none, the null sender: HELO is checked)", 0 },
    { "helo",      'H', OPT_STR, "NAME",   SA(helo),      "the HELO/EHLO name", 0 },
    { "receiver",  0,   OPT_STR, "NAME",   SA(receiver),  "the receiving host, for %{r} in explanations (default: unknown)", 0 },
    { "default-explanation", 0, OPT_STR, "TEXT", SA(default_exp),
      "the explanation of a fail whose domain gives none (default: DOMAIN does not designate IP ...)", 0 },
    { "resolver",  0,   OPT_STR, "ADDR[@PORT]", SA(resolver), "ask this DNS server (default: those of /etc/resolv.conf)", 0 },
    { "trust-anchor", 0, OPT_STR, "FILE",  SA(trust_anchor),
      "DNSSEC trust anchor (default " SDX_ROOT_KEY "; none: no validation)", 0 },
    { "batch",     'b', OPT_STR, "FILE",   SA(batch),
      "check each line of FILE (- for stdin): IP SENDER HELO, <> for the null sender", 0 },
    { "json",      'j', OPT_FLAG, NULL,    SA(json),      "print the result as one JSON object (with --batch: one per line)", 0 },
    { "color",     0,   OPT_STR, "WHEN",   SA(color),     "colour: auto (default), always, never", 0 },
    { NULL, 0, 0, NULL, 0, NULL, 0 }
};

const char spf_summary[] = "evaluate SPF (RFC 7208) for a client IP and sender, with the tree of terms";
const char spf_help[] =
    "Runs RFC 7208's check_host() as a receiver would for a message from --ip\n"
    "with MAIL FROM --sender (or, for the null sender, postmaster@--helo):\n"
    "the domain's SPF record, every mechanism (all include a mx ptr ip4 ip6\n"
    "exists) and modifier (redirect exp), macros, and the limits (10 terms\n"
    "that query DNS, 2 void lookups, 10 names per mx or ptr). Prints the\n"
    "result (none neutral pass fail softfail temperror permerror), what it\n"
    "means, the explanation of a fail, why an error happened, the term that\n"
    "decided, the records and terms tried (includes and redirects indented),\n"
    "and the replies receivers give for such a result. A DNS timeout or\n"
    "SERVFAIL is a temperror, never \"no record\".\n"
    "\n"
    "With --batch FILE, each line is IP SENDER HELO (<> for the null sender;\n"
    "# comments and blank lines skipped): one line of result each (NDJSON\n"
    "with --json), one resolver and its cache for all, a line that cannot be\n"
    "read named with FILE:LINE and counted.\n"
    "\n"
    "Exit status: 0 pass, 1 another result, 2 usage, 3 temperror (with\n"
    "--batch: the worst line's; 3 also for a line that cannot be read).\n"
    "\n"
    "Examples:\n"
    "  smtpdx spf --ip 192.0.2.10 --sender bounce@example.com --helo mail.example.com\n"
    "  smtpdx spf --ip 2001:db8::25 --helo mail.example.com --json\n"
    "  smtpdx spf --ip 192.0.2.10 --sender a@example.com --resolver 127.0.0.1@5353\n"
    "  smtpdx spf --batch connections.txt --json > spf.ndjson\n";

/* the replies receivers give for a result (RFC 7372's codes, with the
 * knowledge base's titles; Gmail's from its documented texts) */
static const struct {
    enum sdx_spf_result r;
    const char *reply, *status;
    int subject, detail;
    const char *who;
} receivers[] = {
    { SDX_SPF_FAIL,      "550", "5.7.23", 7, 23, "receivers enforcing SPF (RFC 7372)" },
    { SDX_SPF_FAIL,      "550", "5.7.26", 7, 26, "Gmail, when DKIM does not pass either" },
    { SDX_SPF_SOFTFAIL,  "550", "5.7.26", 7, 26, "Gmail, when DKIM does not pass either" },
    { SDX_SPF_NEUTRAL,   "550", "5.7.26", 7, 26, "Gmail, when DKIM does not pass either" },
    { SDX_SPF_NONE,      "550", "5.7.26", 7, 26, "Gmail, when DKIM does not pass either" },
    { SDX_SPF_PERMERROR, "550", "5.7.24", 7, 24, "receivers enforcing SPF (RFC 7372)" },
    { SDX_SPF_TEMPERROR, "451", "4.7.24", 7, 24, "receivers enforcing SPF (RFC 7372)" },
};

static void text_report(const struct spf_args *a, const struct sdx_spf_answer *ans)
{
    size_t i;
    int good = ans->result == SDX_SPF_PASS;
    int bad = ans->result == SDX_SPF_FAIL || ans->result == SDX_SPF_PERMERROR || ans->result == SDX_SPF_TEMPERROR;
    char line[1400];

    printf("%sSPF %s%s%s for ", term_bold(), bad ? term_red() : good ? term_green() : term_yellow(),
           sdx_spf_result_name(ans->result), term_reset());
    term_put_esc(stdout, a->ip, strlen(a->ip));
    printf(" as %s ", ans->identity);
    term_put_esc(stdout, ans->domain, strlen(ans->domain));
    putchar('\n');
    snprintf(line, sizeof(line), "%s", sdx_spf_result_text(ans->result));
    term_wrap(stdout, line, 2, 2);
    if (ans->matched[0]) {
        printf("  decided by ");
        term_put_esc(stdout, ans->matched, strlen(ans->matched));
        putchar('\n');
    }
    if (ans->explanation[0]) {
        printf("  explanation: ");
        term_put_esc(stdout, ans->explanation, strlen(ans->explanation));
        putchar('\n');
    }
    if (ans->problem[0]) {
        printf("  why: ");
        term_put_esc(stdout, ans->problem, strlen(ans->problem));
        putchar('\n');
    }
    printf("  %d of 10 DNS-querying terms, %d of 2 void lookups\n", ans->dns_terms, ans->void_lookups);
    if (ans->nstep)
        printf("\n");
    for (i = 0; i < ans->nstep; i++) {
        const struct sdx_spf_step *s = &ans->step[i];

        printf("  %*s", s->depth * 2, "");
        term_put_esc(stdout, s->domain, strlen(s->domain));
        printf(": ");
        term_put_esc(stdout, s->what, strlen(s->what));
        putchar('\n');
    }
    if (ans->steps_lost)
        printf("  (%zu more steps not kept)\n", ans->steps_lost);
    for (i = 0; i < sizeof(receivers) / sizeof(receivers[0]); i++) {
        const struct sdx_kb_status *st;

        if (receivers[i].r != ans->result)
            continue;
        st = sdx_kb_status(receivers[i].subject, receivers[i].detail);
        printf("  receivers: %s %s %s%s%s(%s)\n", receivers[i].reply, receivers[i].status, st ? "\"" : "",
               st ? st->title : "", st ? "\" " : "", receivers[i].who);
    }
}

static int json_report(const struct spf_args *a, const struct sdx_spf_answer *ans)
{
    struct sdx_buf out;
    struct sdx_json j;
    size_t i;
    int rc;

    sdx_buf_init(&out, 1u << 22);
    sdx_json_init(&j, &out, 0);
    sdx_json_obj(&j, NULL);
    sdx_json_str(&j, "ip", a->ip);
    sdx_json_str(&j, "sender", a->sender ? a->sender : "");
    sdx_json_str(&j, "helo", a->helo);
    sdx_json_str(&j, "identity", ans->identity);
    sdx_json_str(&j, "domain", ans->domain);
    sdx_json_str(&j, "result", sdx_spf_result_name(ans->result));
    sdx_json_str(&j, "meaning", sdx_spf_result_text(ans->result));
    sdx_json_str(&j, "explanation", ans->explanation[0] ? ans->explanation : NULL);
    sdx_json_str(&j, "problem", ans->problem[0] ? ans->problem : NULL);
    sdx_json_str(&j, "matched", ans->matched[0] ? ans->matched : NULL);
    sdx_json_int(&j, "dns_terms", ans->dns_terms);
    sdx_json_int(&j, "void_lookups", ans->void_lookups);
    sdx_json_arr(&j, "tree");
    for (i = 0; i < ans->nstep; i++) {
        sdx_json_obj(&j, NULL);
        sdx_json_int(&j, "depth", ans->step[i].depth);
        sdx_json_str(&j, "domain", ans->step[i].domain);
        sdx_json_str(&j, "step", ans->step[i].what);
        sdx_json_end(&j, '}');
    }
    sdx_json_end(&j, ']');
    sdx_json_int(&j, "steps_lost", (int64_t)ans->steps_lost);
    sdx_json_arr(&j, "receivers");
    for (i = 0; i < sizeof(receivers) / sizeof(receivers[0]); i++) {
        if (receivers[i].r != ans->result)
            continue;
        sdx_json_obj(&j, NULL);
        sdx_json_str(&j, "reply", receivers[i].reply);
        sdx_json_str(&j, "status", receivers[i].status);
        sdx_json_str(&j, "who", receivers[i].who);
        sdx_json_end(&j, '}');
    }
    sdx_json_end(&j, ']');
    sdx_json_end(&j, '}');
    rc = json_line("spf", &j, &out);
    sdx_buf_release(&out);
    return rc;
}

static int status_of(enum sdx_spf_result r)
{
    return r == SDX_SPF_PASS ? EXIT_OK : r == SDX_SPF_TEMPERROR ? EXIT_INPUT : EXIT_FOUND;
}

static int worse(int a, int b)
{
    return a == EXIT_INPUT || b == EXIT_INPUT ? EXIT_INPUT : a > b ? a : b;
}

/* batch_say - "smtpdx spf: FILE:LINE: why" with FILE escaped (stdin for -) */
static void batch_say(const char *file, unsigned long lineno, const char *why)
{
    fprintf(stderr, "smtpdx spf: ");
    if (strcmp(file, "-") == 0)
        fprintf(stderr, "stdin");
    else
        term_put_esc(stderr, file, strlen(file));
    fprintf(stderr, ":%lu: %s\n", lineno, why);
}

/* batch - one check per line of a->batch through one resolver */
static int batch(struct spf_args *a, struct sdx_resolver *rs, struct sdx_spf_answer *ans)
{
    FILE *f = strcmp(a->batch, "-") == 0 ? stdin : fopen(a->batch, "r");
    char line[1200];
    unsigned long lineno = 0, done = 0, bad = 0;
    int rc = EXIT_OK;

    if (f == NULL) {
        fprintf(stderr, "smtpdx spf: cannot open '");
        term_put_esc(stderr, a->batch, strlen(a->batch));
        fprintf(stderr, "'\n");
        return EXIT_INPUT;
    }
    while (fgets(line, sizeof(line), f)) {
        char *field[4], *p;
        struct sdx_spf_query q;
        size_t n = strlen(line), nf = 0;
        int r;

        lineno++;
        if (n && line[n - 1] != '\n' && !feof(f)) {
            int c;

            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
            batch_say(a->batch, lineno, "line over 1199 bytes, skipped");
            bad++;
            rc = EXIT_INPUT;
            continue;
        }
        /* fields separated by blanks, each NUL-terminated in place */
        for (p = line; *p && nf < 4;) {
            while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
                p++;
            if (*p == '\0')
                break;
            field[nf++] = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
                p++;
            if (*p)
                *p++ = '\0';
        }
        if (nf == 0 || field[0][0] == '#')
            continue;
        if (nf != 3) {
            batch_say(a->batch, lineno, "want IP SENDER HELO, skipped");
            bad++;
            rc = EXIT_INPUT;
            continue;
        }
        memset(&q, 0, sizeof(q));
        q.ip = field[0];
        q.sender = strcmp(field[1], "<>") == 0 ? "" : field[1];
        q.helo = field[2];
        q.receiver = a->receiver;
        q.default_exp = a->default_exp;
        if ((r = sdx_spf_check(rs, &q, ans)) != 0) {
            batch_say(a->batch, lineno, r == SDX_EINVAL ? "not an IP address, or a name over its length, skipped" :
                      "the check failed, skipped");
            bad++;
            rc = EXIT_INPUT;
            continue;
        }
        done++;
        a->ip = q.ip, a->sender = q.sender, a->helo = q.helo;
        if (a->json) {
            if ((r = json_report(a, ans)) != 0) {
                rc = r;
                break;
            }
        } else {
            term_put_esc(stdout, q.ip, strlen(q.ip));
            putchar(' ');
            term_put_esc(stdout, q.sender[0] ? q.sender : "<>", strlen(q.sender[0] ? q.sender : "<>"));
            putchar(' ');
            term_put_esc(stdout, q.helo, strlen(q.helo));
            printf(" %s", sdx_spf_result_name(ans->result));
            if (ans->matched[0] || ans->problem[0]) {
                printf(" (");
                term_put_esc(stdout, ans->matched[0] ? ans->matched : ans->problem,
                             strlen(ans->matched[0] ? ans->matched : ans->problem));
                putchar(')');
            }
            putchar('\n');
        }
        rc = worse(rc, status_of(ans->result));
    }
    if (ferror(f)) {
        batch_say(a->batch, lineno, "reading failed here");
        rc = EXIT_INPUT;
    }
    if (f != stdin)
        fclose(f);
    if (!a->json || bad)
        fprintf(stderr, "smtpdx spf: %lu checked, %lu lines skipped\n", done, bad);
    return rc;
}

int cmd_spf(const struct cmd *self, int argc, char **argv)
{
    struct spf_args a = { 0 };
    struct sdx_resolver *rs;
    struct sdx_spf_query q;
    struct sdx_spf_answer *ans;
    int first, rc;

    if ((rc = opt_parse(self, argc, argv, &a, &first)) >= 0)
        return rc;
    if (term_setup(a.color) != 0) {
        fprintf(stderr, "smtpdx spf: --color takes auto, always or never\n");
        return EXIT_USAGE;
    }
    if (first != argc) {
        fprintf(stderr, "smtpdx spf: no operands: give --ip, --sender and --helo\n");
        opt_usage_line(self, stderr);
        return EXIT_USAGE;
    }
    if (a.batch && (a.ip || a.sender || a.helo)) {
        fprintf(stderr, "smtpdx spf: --batch takes IP, sender and HELO from its lines, not --ip/--sender/--helo\n");
        return EXIT_USAGE;
    }
    if (!a.batch && (a.ip == NULL || ((a.sender == NULL || a.sender[0] == '\0') && a.helo == NULL))) {
        fprintf(stderr, "smtpdx spf: give --ip and --sender (or, for the null sender, --helo)\n");
        opt_usage_line(self, stderr);
        return EXIT_USAGE;
    }
    if ((rc = cli_resolver("spf", a.resolver, a.trust_anchor, &rs)) != 0)
        return rc;
    if ((ans = malloc(sizeof(*ans))) == NULL) {
        sdx_resolver_free(rs);
        fprintf(stderr, "smtpdx spf: out of memory\n");
        return EXIT_INPUT;
    }
    if (a.batch) {
        rc = batch(&a, rs, ans);
        free(ans);
        sdx_resolver_free(rs);
        return rc;
    }
    memset(&q, 0, sizeof(q));
    q.ip = a.ip;
    q.sender = a.sender;
    q.helo = a.helo ? a.helo : "";
    q.receiver = a.receiver;
    q.default_exp = a.default_exp;
    if ((rc = sdx_spf_check(rs, &q, ans)) != 0) {
        fprintf(stderr, "smtpdx spf: %s\n", rc == SDX_EINVAL ?
                "--ip is not an IPv4 or IPv6 address, or the sender (320) or HELO (255) is over its length" :
                sdx_strerror(rc));
        rc = rc == SDX_EINVAL ? EXIT_USAGE : EXIT_INPUT;
    } else {
        if (!a.helo)
            a.helo = "";
        rc = a.json ? json_report(&a, ans) : (text_report(&a, ans), 0);
        if (rc == 0)
            rc = status_of(ans->result);
    }
    free(ans);
    sdx_resolver_free(rs);
    return rc;
}
