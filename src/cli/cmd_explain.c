/* cmd_explain.c - smtpdx explain: what a reply means and what to do
 * In:  the arguments joined into one reply (so `smtpdx explain 550 5.1.1
 *      user unknown` works unquoted), each argument alone with --each, or
 *      with no arguments the replies on stdin: a multi-line reply
 *      ("550-...") is joined, a folded line (leading white space) continues
 *      the one before, and any other line starts a new reply.
 * Out: text for people, --brief one line each, or --json one object per
 *      reply per line. Exit: 0 every reply explained, 1 some input had no
 *      code and no known text, 2 usage (or nothing on stdin), 3 stdin
 *      unreadable or out of memory. A reply longer than the limit is cut,
 *      explained with the finding "truncated", and counted on stderr. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/json.h"
#include "cmds.h"
#include "render.h"

/* one reply read from stdin or joined from arguments; the parser reads at
 * most this much too (SDX_REPLY_INPUT_MAX in src/lib/core/limits.h) */
#define EXPLAIN_READ_MAX 65536

struct explain_args {
    int                 json, pretty, brief, each, why;
    const char         *stage, *host, *rcpt, *color;
};

#define EX(f) offsetof(struct explain_args, f)
const struct opt explain_opts[] = {
    /* long      short type      metavar    field         help */
    { "json",    'j',  OPT_FLAG, NULL,      EX(json),     "print one JSON object per reply, one per line", 0 },
    { "pretty",  0,    OPT_FLAG, NULL,      EX(pretty),   "indent the JSON (implies --json)", 0 },
    { "brief",   'b',  OPT_FLAG, NULL,      EX(brief),    "one tab-separated line per reply: code, status, reason, permanence, actor, summary", 0 },
    { "each",    'e',  OPT_FLAG, NULL,      EX(each),     "treat each argument as a reply of its own (default: join them)", 0 },
    { "why",     'w',  OPT_FLAG, NULL,      EX(why),      "also show which rule decided and where it is written", 0 },
    { "stage",   's',  OPT_STR,  "STAGE",   EX(stage),    "the command the reply answered: connect helo starttls auth mail rcpt data end-of-data", 0 },
    { "host",    'H',  OPT_STR,  "HOST",    EX(host),     "the remote server's host name (identifies providers such as Gmail)", 0 },
    { "rcpt",    'r',  OPT_STR,  "ADDRESS", EX(rcpt),     "the recipient address (its domain identifies providers)", 0 },
    { "color",   0,    OPT_STR,  "WHEN",    EX(color),    "colour: auto (default: only on a terminal, never with NO_COLOR), always, never", 0 },
    { NULL, 0, 0, NULL, 0, NULL, 0 }
};

const char explain_summary[] = "what an SMTP reply or code means, why, and what to do";
const char explain_help[] =
    "Give a reply as the servers send it or as logs and bounces show it, an\n"
    "enhanced status code (5.7.26) or a basic code (550). smtpdx names the\n"
    "reason (Sisimai's vocabulary), whether it is permanent, whose side must act,\n"
    "the likely causes and the steps to take, with references. Provider texts\n"
    "(Gmail, Microsoft, Yahoo, ...) are recognised; where a provider gives a code\n"
    "another meaning than the IANA registry, both are shown.\n"
    "\n"
    "With no REPLY, replies are read from standard input, one per line;\n"
    "multi-line replies (550-...) and folded lines are joined, lines starting\n"
    "with # are skipped.\n"
    "\n"
    "Examples:\n"
    "  smtpdx explain '550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown'\n"
    "  smtpdx explain 421 4.7.28\n"
    "  smtpdx explain --json 5.7.1\n"
    "  grep 'status=bounced' /var/log/mail.log | smtpdx explain --brief\n";

struct run {
    const struct explain_args *a;
    struct sdx_reply           reply;
    struct sdx_buf             out;
    enum sdx_stage             stage;
    int                        unknown;     /* inputs with no code and no known text */
    unsigned long              truncated;   /* replies cut by the reader */
    unsigned long              count;
};

static int explain_one(struct run *run, const char *p, size_t n, const char *source, unsigned long line,
                       int cut)
{
    struct sdx_event e;
    struct sdx_verdict v;
    struct sdx_classify_ctx ctx = { run->stage, run->a->host, NULL, SDX_OUT_UNKNOWN };
    const char *at = run->a->rcpt ? strrchr(run->a->rcpt, '@') : NULL;
    int err;

    if ((err = sdx_reply_parse(&run->reply, p, n)) != 0) {
        fprintf(stderr, "smtpdx explain: %s\n", sdx_strerror(err));
        return EXIT_INPUT;
    }
    if (cut) {                      /* the reader cut it: say so like the parser would */
        run->reply.flags |= SDX_REPLY_F_TRUNCATED;
        run->truncated++;
    }
    sdx_event_init(&e, &run->reply);
    e.source = source;
    e.line = line;
    if (run->a->rcpt)
        e.recipient = sdx_str_from(run->a->rcpt);
    if (run->stage != SDX_STAGE_UNKNOWN)
        e.stage = run->stage;
    ctx.stage = e.stage;
    ctx.recipient_domain = at ? at + 1 : NULL;
    sdx_classify(&run->reply, &ctx, &v);
    if (run->reply.code == 0 && run->reply.status.klass == 0 && v.pattern == NULL)
        run->unknown++;
    if (run->a->json) {
        struct sdx_json j;

        sdx_buf_reset(&run->out);
        sdx_json_init(&j, &run->out, run->a->pretty);
        sdx_json_obj(&j, NULL);
        sdx_json_verdict(&j, &e, &v);
        sdx_json_end(&j, '}');
        if (j.err) {
            fprintf(stderr, "smtpdx explain: %s\n", sdx_strerror(j.err));
            return EXIT_INPUT;
        }
        fwrite(run->out.data, 1, run->out.len, stdout);
        fputc('\n', stdout);
    } else if (run->a->brief) {
        render_brief(stdout, &e, &v);
    } else {
        if (run->count)
            fputs("\n----------------------------------------------------------------------\n\n", stdout);
        render_verdict(stdout, &e, &v, run->a->why);
    }
    run->count++;
    return 0;
}

/* code_line - "DDD-" or "DDD " at the start of s; returns the separator or 0 */
static int code_line(const char *s, size_t n)
{
    if (n >= 4 && s[0] >= '2' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
        s[2] <= '9' && (s[3] == '-' || s[3] == ' '))
        return s[3];
    return 0;
}

/* read_stdin - group stdin lines into replies and explain each */
static int read_stdin(struct run *run)
{
    struct sdx_buf cur;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long ln = 0, first = 0;
    char open_code[3] = { 0 };
    int cur_cut = 0;
    int open_multi = 0, rc = 0, err;

    sdx_buf_init(&cur, EXPLAIN_READ_MAX);
    while ((got = getline(&line, &cap, stdin)) != -1) {
        size_t n = (size_t)got;

        ln++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (line[0] == '#' && !open_multi) {  /* a comment: ends a reply too */
            if (cur.len && (rc = explain_one(run, cur.data, cur.len, "stdin", first, cur_cut)) != 0)
                break;
            sdx_buf_reset(&cur);
            cur_cut = 0;
            continue;
        }
        if (n == 0) {                       /* a blank line ends a reply */
            if (cur.len && (rc = explain_one(run, cur.data, cur.len, "stdin", first, cur_cut)) != 0)
                break;
            sdx_buf_reset(&cur);
            cur_cut = 0;
            open_multi = 0;
            continue;
        }
        /* a multi-line reply goes on only with lines of the same code:
         * Postfix logs write a whole "550-... 550 ..." reply on one line,
         * so a line that opens with "550-" may well be complete */
        if (open_multi && (n < 3 || memcmp(line, open_code, 3) != 0))
            open_multi = 0;
        if (cur.len && !open_multi && line[0] != ' ' && line[0] != '\t') {
            if ((rc = explain_one(run, cur.data, cur.len, "stdin", first, cur_cut)) != 0)
                break;
            sdx_buf_reset(&cur);
            cur_cut = 0;
        }
        if (cur.len == 0)
            first = ln;
        else if ((err = sdx_buf_addc(&cur, '\n')) == SDX_ENOMEM)
            goto nomem;
        err = sdx_buf_add(&cur, line, n);
        if (err == SDX_ENOMEM)
            goto nomem;
        if (err == SDX_ETOOBIG)
            cur_cut = 1;
        if (code_line(line, n) == '-' && !open_multi)
            memcpy(open_code, line, 3);     /* the code the next lines must repeat */
        open_multi = code_line(line, n) == '-';
    }
    if (rc == 0 && ferror(stdin)) {
        fprintf(stderr, "smtpdx explain: cannot read standard input\n");
        rc = EXIT_INPUT;
    }
    if (rc == 0 && cur.len)
        rc = explain_one(run, cur.data, cur.len, "stdin", first, cur_cut);
    if (rc == 0 && run->count == 0) {
        fprintf(stderr, "smtpdx explain: no reply on standard input; try 'smtpdx explain --help'\n");
        rc = EXIT_USAGE;
    }
    if (run->truncated)
        fprintf(stderr, "smtpdx explain: %lu repl%s longer than %d bytes %s cut (finding 'truncated')\n",
                run->truncated, run->truncated == 1 ? "y" : "ies", EXPLAIN_READ_MAX,
                run->truncated == 1 ? "was" : "were");
    free(line);
    sdx_buf_release(&cur);
    return rc;
nomem:
    free(line);
    sdx_buf_release(&cur);
    fprintf(stderr, "smtpdx explain: out of memory\n");
    return EXIT_INPUT;
}

int cmd_explain(const struct cmd *self, int argc, char **argv)
{
    struct explain_args a = { 0 };
    struct run run;
    int first, rc, i;

    if ((rc = opt_parse(self, argc, argv, &a, &first)) >= 0)
        return rc;
    if (a.pretty)
        a.json = 1;
    if (term_setup(a.color) != 0) {
        fprintf(stderr, "smtpdx explain: --color takes auto, always or never\n");
        return EXIT_USAGE;
    }
    memset(&run, 0, sizeof(run));
    run.a = &a;
    run.stage = SDX_STAGE_UNKNOWN;
    if (a.stage && sdx_stage_parse(a.stage, strlen(a.stage), &run.stage) != 0) {
        fprintf(stderr, "smtpdx explain: unknown stage '");
        term_put_esc(stderr, a.stage, strlen(a.stage));
        fprintf(stderr, "'; use connect, helo, starttls, auth, mail, rcpt, data or end-of-data\n");
        return EXIT_USAGE;
    }
    sdx_reply_init(&run.reply);
    sdx_buf_init(&run.out, (size_t)1 << 20);

    if (first >= argc) {
        if (isatty(STDIN_FILENO))
            fprintf(stderr, "smtpdx explain: reading replies from the terminal, one per line; "
                    "end with Ctrl-D (or give the reply as arguments)\n");
        rc = read_stdin(&run);
    } else if (a.each) {
        for (i = first, rc = 0; i < argc && rc == 0; i++)
            rc = explain_one(&run, argv[i], strlen(argv[i]), "argv", (unsigned long)(i - first + 1), 0);
    } else {
        struct sdx_buf joined;

        sdx_buf_init(&joined, EXPLAIN_READ_MAX);
        int cut = 0;

        for (i = first; i < argc; i++) {
            int e1 = i > first ? sdx_buf_addc(&joined, ' ') : 0, e2 = sdx_buf_adds(&joined, argv[i]);

            if (e1 == SDX_ENOMEM || e2 == SDX_ENOMEM) {
                fprintf(stderr, "smtpdx explain: out of memory\n");
                sdx_buf_release(&joined);
                return EXIT_INPUT;
            }
            cut |= e1 == SDX_ETOOBIG || e2 == SDX_ETOOBIG;
        }
        rc = explain_one(&run, joined.data, joined.len, "argv", 0, cut);
        sdx_buf_release(&joined);
    }
    if (rc == 0 && run.unknown) {
        fprintf(stderr, "smtpdx explain: %d input%s had no reply code, no enhanced status code and "
                "no text smtpdx knows; is it an SMTP reply?\n", run.unknown, run.unknown == 1 ? "" : "s");
        rc = EXIT_FOUND;
    }
    if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, "smtpdx explain: cannot write standard output\n");
        rc = EXIT_INPUT;
    }
    sdx_reply_release(&run.reply);
    sdx_buf_release(&run.out);
    return rc;
}
