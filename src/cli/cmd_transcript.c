/* cmd_transcript.c - smtpdx transcript: read a recorded SMTP session and say
 * what the client did wrong and why each refusal came
 * In:  transcript files (swaks output, C:/S: or >/< notation), or stdin.
 * Out: each command with the reply it got, the client's faults with their
 *      RFC rule and the reply a server gives for them, and for each refusal
 *      the knowledge base's explanation. Secrets are never shown: the
 *      argument of AUTH and every answer to a 334 challenge are replaced.
 *      --json: one object per file.
 * Exit: 0 no fault and no refusal, 1 some, 2 usage, 3 a file unreadable. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/explain.h"
#include "smtpdx/json.h"
#include "smtpdx/replay.h"
#include "smtpdx/transcript.h"
#include "cmds.h"
#include "jsonout.h"

#define FILE_MAX ((size_t)64 << 20)     /* a transcript larger than this is not one session */

struct transcript_args {
    int         json;
    const char *color;
};

#define TA(f) offsetof(struct transcript_args, f)
const struct opt transcript_opts[] = {
    { "json",  'j', OPT_FLAG, NULL,   TA(json),  "print one JSON object per transcript", 0 },
    { "color", 0,   OPT_STR,  "WHEN", TA(color), "colour: auto (default), always, never", 0 },
    { NULL, 0, 0, NULL, 0, NULL, 0 }
};

const char transcript_summary[] = "replay a recorded SMTP session: the client's faults, each refusal explained";
const char transcript_help[] =
    "Reads a recorded SMTP session and replays it: pairs each command with the\n"
    "reply that answered it (pipelined groups included), keeps what the server\n"
    "advertised in its EHLO reply, and names what the client did wrong, with\n"
    "the RFC rule and the reply a server gives for it: commands out of order\n"
    "(the usual cause of 503), malformed commands and addresses (500, 501, 555),\n"
    "parameters or extensions the server never advertised (504, 555), SIZE over\n"
    "the limit (552), pipelining without PIPELINING, no EHLO after STARTTLS,\n"
    "lines over 512 octets. Every refusal is explained as `smtpdx explain` does.\n"
    "\n"
    "Notations, told apart line by line: swaks output (\" -> \", \"<- \", \"<** \",\n"
    "and \" ~> \", \"<~ \" inside TLS), \"C: \"/\"S: \", \"> \"/\"< \", and tcpflow -c\n"
    "stream dumps (the side with the lower port is the server). The message\n"
    "sent after DATA is skipped. The argument of AUTH and the answers to its\n"
    "334 challenges are never printed.\n"
    "\n"
    "With no FILE, or with -, the transcript is read from standard input.\n"
    "\n"
    "Examples:\n"
    "  swaks -t bob@example.com -s mx.example.com > session.txt; smtpdx transcript session.txt\n"
    "  smtpdx transcript --json session.txt | jq '.exchanges[] | select(.faults | length > 0)'\n";

/* slurp - the whole of path ("-": stdin) into b; 0, or EXIT_INPUT after saying why */
static int slurp(const char *path, struct sdx_buf *b)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char chunk[65536];
    size_t got;

    if (f == NULL) {
        fprintf(stderr, "smtpdx transcript: cannot open '");
        term_put_esc(stderr, path, strlen(path));
        fprintf(stderr, "': %s\n", strerror(errno));
        return EXIT_INPUT;
    }
    sdx_buf_reset(b);
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (sdx_buf_add(b, chunk, got) != 0) {
            fprintf(stderr, "smtpdx transcript: '");
            term_put_esc(stderr, path, strlen(path));
            fprintf(stderr, "' is over %zu MB: not one SMTP session\n", FILE_MAX >> 20);
            if (f != stdin)
                fclose(f);
            return EXIT_INPUT;
        }
    if (ferror(f)) {
        fprintf(stderr, "smtpdx transcript: cannot read '");
        term_put_esc(stderr, path, strlen(path));
        fprintf(stderr, "'\n");
        if (f != stdin)
            fclose(f);
        return EXIT_INPUT;
    }
    if (f != stdin)
        fclose(f);
    return 0;
}

/* shown - the command as it may be shown: AUTH's argument and the answers
 * to a 334 challenge replaced (they carry credentials) */
static struct sdx_str shown(struct sdx_str c, int secret, char *tmp, size_t cap)
{
    size_t i;

    if (secret)
        return sdx_str_from("(an answer to the server's 334 challenge: not shown)");
    if (c.len > 5 && (c.p[0] == 'A' || c.p[0] == 'a') && (c.p[1] == 'U' || c.p[1] == 'u') &&
        (c.p[2] == 'T' || c.p[2] == 't') && (c.p[3] == 'H' || c.p[3] == 'h') && c.p[4] == ' ') {
        for (i = 5; i < c.len && c.p[i] != ' '; i++)
            ;
        if (i < c.len) {
            snprintf(tmp, cap, "%.*s (credentials: not shown)", (int)(i > 64 ? 64 : i), c.p);
            return sdx_str_from(tmp);
        }
    }
    return c;
}

/* reply_text - the lines of reply x joined with spaces, into b */
static void reply_text(const struct sdx_transcript *t, size_t a, size_t z, struct sdx_buf *b)
{
    size_t i;

    sdx_buf_reset(b);
    for (i = a; i <= z && i < t->n; i++) {
        if (i > a && sdx_buf_addc(b, '\n') != 0)
            return;
        if (sdx_buf_add(b, t->turn[i].text.p, t->turn[i].text.len) != 0)
            return;
    }
}

/* stage_of - the SMTP stage a command's reply answers: the greeting's is
 * CONNECT, the final "." of a message END-OF-DATA */
static enum sdx_stage stage_of(struct sdx_str c)
{
    if (c.p == NULL)
        return SDX_STAGE_CONNECT;
    if (c.len == 1 && c.p[0] == '.')
        return SDX_STAGE_EOD;
    return sdx_stage_of_command(c.p, c.len);
}

/* classify_reply - the verdict of reply text, in the stage of its command */
static int classify_reply(const char *text, size_t n, struct sdx_str cmd, struct sdx_verdict *v, struct sdx_reply *r)
{
    struct sdx_classify_ctx ctx;

    memset(&ctx, 0, sizeof(ctx));
    if (sdx_reply_parse(r, text, n) != 0)
        return -1;
    ctx.stage = stage_of(cmd);
    return sdx_classify(r, &ctx, v);
}

/* early_next - the command after exchange i was pipelined without PIPELINING
 * (a server that checks refuses the command before it: Exim's 554) */
static int early_next(const struct sdx_replay *rp, size_t i)
{
    size_t k;

    if (i + 1 >= rp->n)
        return 0;
    for (k = 0; k < rp->ex[i + 1].nfault; k++)
        if (rp->ex[i + 1].fault[k] == SDX_FAULT_PIPELINING_NOT_OFFERED)
            return 1;
    return 0;
}

static void text_report(const char *path, const struct sdx_transcript *t, const struct sdx_replay *rp,
                        struct sdx_buf *tmpb, size_t refused)
{
    char caps[256], tmp[128];
    struct sdx_reply reply;
    size_t i, k;
    int secret = 0;

    sdx_reply_init(&reply);
    printf("%s", term_bold());
    term_put_esc(stdout, path, strlen(path));
    printf("%s: %s notation, %zu connection%s, %zu exchanges, %zu client fault%s, %zu refusal%s\n",
           term_reset(), t->notation, rp->sessions, rp->sessions == 1 ? "" : "s", rp->n, rp->faults,
           rp->faults == 1 ? "" : "s", refused, refused == 1 ? "" : "s");
    sdx_cap_names(rp->caps, caps, sizeof(caps));
    printf("  offers    %s", caps[0] ? caps : "(no EHLO reply with extensions)");
    if (rp->size_limit)
        printf(" (SIZE %llu)", (unsigned long long)rp->size_limit);
    if (rp->auth_mechs[0]) {
        printf(" (AUTH ");
        term_put_esc(stdout, rp->auth_mechs, strlen(rp->auth_mechs));
        putchar(')');
    }
    printf("%s\n", rp->tls ? "; TLS started" : "");
    if (t->cut || t->truncated || t->other)
        printf("  read      %lu lines: %lu in no notation (skipped), %lu cut at %d bytes%s\n", t->lines,
               t->other, t->cut, SDX_TRANSCRIPT_LINE_MAX, t->truncated ? ", turns beyond the limit dropped" : "");
    for (i = 0; i < rp->n; i++) {
        const struct sdx_exchange *x = &rp->ex[i];
        struct sdx_str c = x->cmd != (size_t)-1 ? t->turn[x->cmd].text :
                           sdx_str_from(x->greeting ? "(connected: the greeting)" : "(a reply to no command)");
        struct sdx_str s = shown(c, secret && x->cmd != (size_t)-1, tmp, sizeof(tmp));
        int bad = x->code >= 400;

        printf("\n  %sL%-4lu%s ", term_dim(), x->cmd != (size_t)-1 ? t->turn[x->cmd].line :
               (x->reply_first != (size_t)-1 ? t->turn[x->reply_first].line : 0), term_reset());
        term_put_esc(stdout, s.p, s.len > 70 ? 70 : s.len);
        if (x->reply_last != (size_t)-1) {
            const struct sdx_str rt = t->turn[x->reply_first].text;

            printf("\n        %s-> ", bad ? term_red() : "");
            term_put_esc(stdout, rt.p, rt.len > 90 ? 90 : rt.len);
            if (x->reply_last > x->reply_first)
                printf(" (+%zu lines)", x->reply_last - x->reply_first);
            printf("%s\n", bad ? term_reset() : "");
        } else {
            printf("\n        -> (no reply in the transcript)\n");
        }
        for (k = 0; k < x->nfault; k++) {
            const struct sdx_fault_info *f = sdx_fault_info(x->fault[k]);
            char line[1024];

            if (f->reply_code)
                snprintf(line, sizeof(line), "! %s (%s): %s A server answers %d%s%s%s.", f->name, f->rfc,
                         f->explanation, f->reply_code, f->status[0] ? " " : "", f->status,
                         x->code >= 200 && x->code < 400 ? "; this one let it pass" : "");
            else
                snprintf(line, sizeof(line), "! %s (%s): %s", f->name, f->rfc, f->explanation);
            fputs(term_yellow(), stdout);
            term_wrap(stdout, line, 8, 2);
            fputs(term_reset(), stdout);
        }
        if (bad && x->reply_last != (size_t)-1) {
            struct sdx_verdict v;
            struct sdx_explanation xp;
            char line[1024];

            reply_text(t, x->reply_first, x->reply_last, tmpb);
            if (classify_reply(tmpb->data, tmpb->len, x->cmd != (size_t)-1 ? c : (struct sdx_str){ NULL, 0 },
                               &v, &reply) == 0) {
                sdx_explain_verdict(&v, &xp);
                snprintf(line, sizeof(line), "%s: %s (%s, %s)%s", sdx_reason_name(v.reason), xp.summary,
                         sdx_perm_name(v.perm), sdx_actor_name(v.actor),
                         x->nfault ? "" : early_next(rp, i) ?
                         "; the next command was sent before this reply, without PIPELINING: that is "
                         "what the server refused" : "; no client fault found in the transcript: the "
                         "server's policy");
                term_wrap(stdout, line, 8, 2);
            }
        }
        secret = x->code == 334;
    }
    if (rp->unanswered)
        printf("\n  %zu command%s had no reply in the transcript (cut short, or the server closed)\n",
               rp->unanswered, rp->unanswered == 1 ? "" : "s");
    sdx_reply_release(&reply);
}

static int json_report(const char *path, const struct sdx_transcript *t, const struct sdx_replay *rp,
                       struct sdx_buf *tmpb, struct sdx_buf *out, size_t refused)
{
    struct sdx_json j;
    struct sdx_reply reply;
    char tmp[128];
    size_t i, k;
    int secret = 0;

    sdx_reply_init(&reply);
    sdx_buf_reset(out);
    sdx_json_init(&j, out, 0);
    sdx_json_obj(&j, NULL);
    sdx_json_str(&j, "source", path);
    sdx_json_str(&j, "notation", t->notation);
    sdx_json_int(&j, "lines", (int64_t)t->lines);
    sdx_json_int(&j, "lines_skipped", (int64_t)t->other);
    sdx_json_int(&j, "lines_cut", (int64_t)t->cut);
    sdx_json_int(&j, "faults", (int64_t)rp->faults);
    sdx_json_int(&j, "refused", (int64_t)refused);
    sdx_json_int(&j, "connections", (int64_t)rp->sessions);
    sdx_json_caps(&j, rp->caps, (unsigned long long)rp->size_limit);
    sdx_json_bool(&j, "tls", rp->tls);
    sdx_json_int(&j, "unanswered", (int64_t)rp->unanswered);
    sdx_json_arr(&j, "exchanges");
    for (i = 0; i < rp->n; i++) {
        const struct sdx_exchange *x = &rp->ex[i];
        struct sdx_str c = x->cmd != (size_t)-1 ? t->turn[x->cmd].text : (struct sdx_str){ NULL, 0 };
        struct sdx_str s = c.p ? shown(c, secret, tmp, sizeof(tmp)) : c;

        sdx_json_obj(&j, NULL);
        if (x->cmd != (size_t)-1)
            sdx_json_int(&j, "line", (int64_t)t->turn[x->cmd].line);
        else
            sdx_json_null(&j, "line");
        if (s.p)
            sdx_json_strn(&j, "command", s.p, s.len);
        else
            sdx_json_null(&j, "command");
        sdx_json_bool(&j, "greeting", x->greeting);
        sdx_json_bool(&j, "tls", x->tls);
        if (x->reply_last != (size_t)-1) {
            reply_text(t, x->reply_first, x->reply_last, tmpb);
            sdx_json_int(&j, "reply_code", x->code);
            sdx_json_strn(&j, "reply", tmpb->data, tmpb->len);
        } else {
            sdx_json_null(&j, "reply_code");
            sdx_json_null(&j, "reply");
        }
        sdx_json_arr(&j, "faults");
        for (k = 0; k < x->nfault; k++) {
            const struct sdx_fault_info *f = sdx_fault_info(x->fault[k]);

            sdx_json_obj(&j, NULL);
            sdx_json_str(&j, "name", f->name);
            sdx_json_str(&j, "reference", f->rfc);
            if (f->reply_code)
                sdx_json_int(&j, "reply_code", f->reply_code);
            else
                sdx_json_null(&j, "reply_code");
            sdx_json_str(&j, "status", f->status[0] ? f->status : NULL);
            sdx_json_str(&j, "explanation", f->explanation);
            sdx_json_end(&j, '}');
        }
        sdx_json_end(&j, ']');
        if (x->code >= 400 && x->reply_last != (size_t)-1) {
            struct sdx_verdict v;
            struct sdx_explanation xp;

            if (classify_reply(tmpb->data, tmpb->len, c, &v, &reply) == 0) {
                sdx_explain_verdict(&v, &xp);
                sdx_json_str(&j, "reason", sdx_reason_name(v.reason));
                sdx_json_str(&j, "summary", xp.summary);
                sdx_json_bool(&j, "permanent", v.perm == SDX_PERM_PERMANENT);
            }
        }
        sdx_json_end(&j, '}');
        secret = x->code == 334;
    }
    sdx_json_end(&j, ']');
    sdx_json_end(&j, '}');
    sdx_reply_release(&reply);
    return json_line("transcript", &j, out);
}

static int one(const struct transcript_args *a, const char *path, struct sdx_buf *in, struct sdx_buf *out,
               struct sdx_buf *tmpb, int *count)
{
    struct sdx_transcript t;
    struct sdx_replay rp;
    size_t i, refused = 0;
    int rc;

    if ((rc = slurp(path, in)) != 0)
        return rc;
    sdx_transcript_init(&t);
    sdx_replay_init(&rp);
    if (sdx_transcript_parse(&t, in->data, in->len) != 0 || sdx_replay_run(&t, &rp) != 0) {
        fprintf(stderr, "smtpdx transcript: out of memory\n");
        rc = EXIT_INPUT;
        goto done;
    }
    if (t.n == 0) {
        fprintf(stderr, "smtpdx transcript: '");
        term_put_esc(stderr, path, strlen(path));
        fprintf(stderr, "': no line in a notation smtpdx reads (swaks, C:/S:, >/<, tcpflow -c); see smtpdx "
                "transcript --help\n");
        rc = EXIT_INPUT;
        goto done;
    }
    for (i = 0; i < rp.n; i++)
        if (rp.ex[i].code >= 400)
            refused++;
    if (a->json) {
        if ((rc = json_report(path, &t, &rp, tmpb, out, refused)) != 0)
            goto done;
    } else {
        if ((*count)++)
            putchar('\n');
        text_report(path, &t, &rp, tmpb, refused);
    }
    rc = rp.faults || refused ? EXIT_FOUND : EXIT_OK;
done:
    sdx_replay_release(&rp);
    sdx_transcript_release(&t);
    return rc;
}

int cmd_transcript(const struct cmd *self, int argc, char **argv)
{
    struct transcript_args a = { 0 };
    struct sdx_buf in, out, tmpb;
    int first, rc, worst = EXIT_OK, count = 0, i, r;
    static char *const stdin_only[] = { "-" };
    char *const *files;
    int nfiles;

    if ((rc = opt_parse(self, argc, argv, &a, &first)) >= 0)
        return rc;
    if (term_setup(a.color) != 0) {
        fprintf(stderr, "smtpdx transcript: --color takes auto, always or never\n");
        return EXIT_USAGE;
    }
    files = first < argc ? argv + first : stdin_only;
    nfiles = first < argc ? argc - first : 1;
    if (first >= argc && isatty(STDIN_FILENO))
        fprintf(stderr, "smtpdx transcript: reading the transcript from the terminal; end with Ctrl-D\n");
    sdx_buf_init(&in, FILE_MAX);
    sdx_buf_init(&out, (size_t)64 << 20);
    sdx_buf_init(&tmpb, (size_t)1 << 20);
    for (i = 0; i < nfiles; i++)
        if ((r = one(&a, files[i], &in, &out, &tmpb, &count)) > worst)
            worst = r;
    sdx_buf_release(&in);
    sdx_buf_release(&out);
    sdx_buf_release(&tmpb);
    return worst;
}
