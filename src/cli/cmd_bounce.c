/* cmd_bounce.c - smtpdx bounce: bounce messages to per-recipient verdicts
 * In:  messages: .eml files, mbox files (a file starting with "From "),
 *      Maildirs (cur/ and new/), directories of messages (walked to depth
 *      8, names sorted), or standard input ("-", or no operand).
 * Out: per message its kind (dsn, text, arf, autoreply, none) and per
 *      recipient the action, status, reply code, reason, permanence,
 *      remote MTA, diagnostic and the rule that decided; the original
 *      message's headers. Text for people, --json one object per message,
 *      --ndjson one event per recipient, --addresses the addresses that
 *      bounced hard (for list cleaning).
 * Exit: 0 all read and no hard bounce, 1 some recipient bounced hard (see
 *      bounce.h), 2 usage, 3 some input could not be read.
 * Files are mapped, not read: an mbox of any size is walked message by
 * message; each message is read up to --max-size bytes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/bounce.h"
#include "smtpdx/json.h"
#include "cmds.h"
#include "jsonout.h"
#include "render.h"

#define STDIN_MAX  (256u << 20)     /* bytes of standard input read */
#define DIR_DEPTH  8
#define READ_MAX   (64u << 20)      /* files up to this size are read, larger (mboxes) mapped */

struct bounce_args {
    int            json, ndjson, pretty, addresses, quiet;
    unsigned long  max_size;
    const char    *color;
};

#define BA(f) offsetof(struct bounce_args, f)
const struct opt bounce_opts[] = {
    { "json",      'j', OPT_FLAG, NULL,    BA(json),      "one JSON object per message, one per line", 0 },
    { "ndjson",    'n', OPT_FLAG, NULL,    BA(ndjson),    "one JSON event per recipient, one per line (the logs command's fields)", 0 },
    { "pretty",    0,   OPT_FLAG, NULL,    BA(pretty),    "indent the JSON (with --json)", 0 },
    { "addresses", 'a', OPT_FLAG, NULL,    BA(addresses),
      "print only the hard-bounced addresses (the address or domain does not exist), one per line", 0 },
    { "quiet",     'q', OPT_FLAG, NULL,    BA(quiet),     "no summary on standard error", 0 },
    { "max-size",  0,   OPT_UINT, "BYTES", BA(max_size),
      "read at most this much of each message (default 16777216; the rest is counted, not read)", 1ul << 31 },
    { "color",     0,   OPT_STR,  "WHEN",  BA(color),     "colour: auto (default), always, never", 0 },
    { NULL, 0, 0, NULL, 0, NULL, 0 }
};

const char bounce_summary[] = "classify bounce messages (DSNs) per recipient: why, hard or soft";
const char bounce_help[] =
    "Reads bounce messages and says, for every recipient, what happened\n"
    "(failed, delayed, delivered), the status and reply code, the reason in\n"
    "Sisimai's vocabulary (userunknown, mailboxfull, blocked, ...), whether\n"
    "the failure is permanent, the remote server, its words, and the rule\n"
    "that decided. The same classifier as `smtpdx explain` and `smtpdx logs`\n"
    "judges the reply.\n"
    "\n"
    "A hard bounce says the address or its domain does not exist: drop the\n"
    "address. A block or spam verdict is about the sender, not the address,\n"
    "and is not a hard bounce.\n"
    "\n"
    "Reads RFC 3464 delivery status notifications (also RFC 6533's\n"
    "message/global-delivery-status), bounces in an MTA's or provider's own\n"
    "words (Exim, qmail, Sendmail, Microsoft, Gmail, ...), ARF feedback\n"
    "reports (RFC 5965: reason feedback, with the feedback type) and\n"
    "auto-replies (reason vacation); says so when a message is none of them.\n"
    "\n"
    "Input: files (.eml), mbox files, Maildirs, directories of messages, or\n"
    "standard input (- or no FILE). MIME is read by GMime: base64,\n"
    "quoted-printable, charsets, broken boundaries.\n"
    "\n"
    "Exit status: 0 no hard bounce, 1 some recipient bounced hard, 2 usage,\n"
    "3 some input could not be read.\n"
    "\n"
    "Examples:\n"
    "  smtpdx bounce bounce.eml\n"
    "  smtpdx bounce ~/Maildir/.Bounces --ndjson | jq -r 'select(.reason==\"userunknown\").recipient'\n"
    "  smtpdx bounce --addresses /var/mail/bounces >> suppress.txt\n";

struct run {
    const struct bounce_args *a;
    struct sdx_bounce_opts    o;
    struct sdx_buf            out;
    unsigned long messages, bounces, rcpts, hard, autoreplies, reports, none, unreadable;
    unsigned long truncated;
    int           rc;
    char         *rbuf;             /* the read buffer, reused */
    size_t        rcap;
};

static int hard(const struct sdx_bounce_rcpt *r)
{
    return r->hard;
}

static const char *fate(const struct sdx_bounce_rcpt *r)
{
    switch (r->outcome) {
    case SDX_OUT_DELIVERED: return "delivered";
    case SDX_OUT_DEFERRED:  return "delayed";
    default:                return r->verdict.perm == SDX_PERM_TRANSIENT ? "failed, temporary error" :
                                   "failed";
    }
}

/* put_str - "    label value": the value's lines (a multi-line reply)
 * under each other, control characters escaped */
static void put_str(FILE *fp, const char *label, struct sdx_str s)
{
    size_t i = 0, indent = 5 + strlen(label);

    if (!s.len)
        return;
    fprintf(fp, "    %s%s%s ", term_dim(), label, term_reset());
    while (i < s.len) {
        const char *nl = memchr(s.p + i, '\n', s.len - i);
        size_t e = nl ? (size_t)(nl - s.p) : s.len;

        term_put_esc(fp, s.p + i, e - i);
        fputc('\n', fp);
        i = e + 1;
        if (nl && i < s.len)
            fprintf(fp, "%*s", (int)indent, "");
    }
}

static void text_message(struct run *run, const char *name, unsigned long idx,
                         const struct sdx_bounce *b)
{
    size_t i, k;

    fprintf(stdout, "%s", term_bold());
    term_put_esc(stdout, name, strlen(name));
    if (idx)
        fprintf(stdout, " #%lu", idx);
    fprintf(stdout, "%s: %s (%s)\n", term_reset(), sdx_bounce_kind_desc(b->kind), b->decided_by);
    for (k = 1; k <= SDX_BOUNCE_F_ATTACHED_DSN; k <<= 1)
        if (b->flags & k)
            fprintf(stdout, "  %snote:%s %s\n", term_yellow(), term_reset(), sdx_bounce_flag_desc((unsigned)k));
    if (b->skipped)
        fprintf(stdout, "  %snote:%s %zu bytes beyond --max-size not read\n", term_yellow(), term_reset(),
                b->skipped);
    if (b->rcpt_dropped)
        fprintf(stdout, "  %snote:%s %zu more recipients not kept\n", term_yellow(), term_reset(),
                b->rcpt_dropped);
    for (i = 0; i < b->nrcpt; i++) {
        const struct sdx_bounce_rcpt *r = &b->rcpt[i];
        const char *col = hard(r) ? term_red() : r->verdict.perm == SDX_PERM_SUCCESS ? term_green() : term_yellow();

        fputs("  ", stdout);
        if (r->recipient.len)
            term_put_esc(stdout, r->recipient.p, r->recipient.len);
        else
            fputs("(no recipient named)", stdout);
        fprintf(stdout, "  %s%s%s", col, sdx_reason_name(r->verdict.reason), term_reset());
        fprintf(stdout, "  %s%s", fate(r), hard(r) ? ", hard bounce" : "");
        if (r->reply.status_str[0])
            fprintf(stdout, "  %s", r->reply.status_str);
        if (r->reply.code)
            fprintf(stdout, "  %d", r->reply.code);
        fputc('\n', stdout);
        put_str(stdout, "action:", r->action);
        put_str(stdout, "remote:", r->remote_mta.len ? r->remote_mta : sdx_str_from(r->reply.host));
        put_str(stdout, "said:  ", r->diag);
        if (r->verdict.reason_kb)
            fprintf(stdout, "    %swhy:%s    %s\n", term_dim(), term_reset(), sdx_reason_desc(r->verdict.reason));
        fprintf(stdout, "    %srule:%s   %s (recipient by %s)\n", term_dim(), term_reset(), r->verdict.rule,
                r->found_by);
    }
    if (b->feedback_type.len)
        put_str(stdout, "feedback-type:", b->feedback_type);
    if (b->orig_message_id.len || b->orig_subject.len) {
        fprintf(stdout, "  %soriginal message%s\n", term_dim(), term_reset());
        put_str(stdout, "message-id:", b->orig_message_id);
        put_str(stdout, "from:      ", b->orig_from);
        put_str(stdout, "to:        ", b->orig_to);
        put_str(stdout, "subject:   ", b->orig_subject);
        put_str(stdout, "date:      ", b->orig_date);
    }
    (void)run;
}

static void json_strs(struct sdx_json *j, const char *key, struct sdx_str s)
{
    if (s.len)
        sdx_json_strn(j, key, s.p, s.len);
    else
        sdx_json_null(j, key);
}

static void json_bounce_fields(struct sdx_json *j, const char *name, unsigned long idx,
                               const struct sdx_bounce *b)
{
    unsigned k;

    sdx_json_str(j, "file", name);
    if (idx)
        sdx_json_int(j, "message_index", (int64_t)idx);
    sdx_json_str(j, "kind", sdx_bounce_kind_name(b->kind));
    sdx_json_str(j, "decided_by", b->decided_by);
    sdx_json_arr(j, "flags");
    for (k = 1; k <= SDX_BOUNCE_F_ATTACHED_DSN; k <<= 1)
        if (b->flags & k)
            sdx_json_str(j, NULL, sdx_bounce_flag_name(k));
    sdx_json_end(j, ']');
    sdx_json_int(j, "skipped_bytes", (int64_t)b->skipped);
    json_strs(j, "feedback_type", b->feedback_type);
    json_strs(j, "reporting_mta", b->reporting_mta);
    sdx_json_obj(j, "original");
    json_strs(j, "message_id", b->orig_message_id);
    json_strs(j, "from", b->orig_from);
    json_strs(j, "to", b->orig_to);
    json_strs(j, "subject", b->orig_subject);
    json_strs(j, "date", b->orig_date);
    sdx_json_end(j, '}');
}

static void json_rcpt_fields(struct sdx_json *j, const struct sdx_bounce_rcpt *r)
{
    json_strs(j, "action", r->action);
    json_strs(j, "dsn_status", r->status);
    json_strs(j, "remote_mta", r->remote_mta);
    json_strs(j, "diagnostic", r->diag);
    json_strs(j, "last_attempt", r->last_attempt);
    sdx_json_bool(j, "hard", hard(r));
    sdx_json_bool(j, "permanent", r->verdict.perm == SDX_PERM_PERMANENT);
    sdx_json_str(j, "found_by", r->found_by);
}

static int json_message(struct run *run, const char *name, unsigned long idx, const struct sdx_bounce *b)
{
    struct sdx_json j;
    struct sdx_event e;
    size_t i;
    int rc;

    sdx_buf_reset(&run->out);
    sdx_json_init(&j, &run->out, run->a->pretty);
    sdx_json_obj(&j, NULL);
    json_bounce_fields(&j, name, idx, b);
    sdx_json_int(&j, "rcpt_dropped", (int64_t)b->rcpt_dropped);
    sdx_json_arr(&j, "recipients");
    for (i = 0; i < b->nrcpt; i++) {
        sdx_bounce_event(b, i, &e);
        e.source = name;
        sdx_json_obj(&j, NULL);
        sdx_json_event(&j, &e, &b->rcpt[i].verdict);
        json_rcpt_fields(&j, &b->rcpt[i]);
        sdx_json_end(&j, '}');
    }
    sdx_json_end(&j, ']');
    sdx_json_end(&j, '}');
    if ((rc = json_line("bounce", &j, &run->out)) != 0)
        return rc;
    return 0;
}

static int ndjson_message(struct run *run, const char *name, unsigned long idx, const struct sdx_bounce *b)
{
    struct sdx_json j;
    struct sdx_event e;
    size_t i;
    int rc;

    for (i = 0; i < b->nrcpt; i++) {
        sdx_buf_reset(&run->out);
        sdx_json_init(&j, &run->out, 0);
        sdx_json_obj(&j, NULL);
        sdx_bounce_event(b, i, &e);
        e.source = name;
        sdx_json_event(&j, &e, &b->rcpt[i].verdict);
        json_rcpt_fields(&j, &b->rcpt[i]);
        sdx_json_obj(&j, "bounce");
        json_bounce_fields(&j, name, idx, b);
        sdx_json_end(&j, '}');
        sdx_json_end(&j, '}');
        if ((rc = json_line("bounce", &j, &run->out)) != 0)
            return rc;
    }
    return 0;
}

static void one(struct run *run, const char *name, unsigned long idx, const char *p, size_t n)
{
    struct sdx_bounce b;
    size_t i;

    run->messages++;
    if (sdx_bounce_parse(&b, p, n, &run->o) != 0) {
        fprintf(stderr, "smtpdx bounce: ");
        term_put_esc(stderr, name, strlen(name));
        fprintf(stderr, ": out of memory\n");
        run->unreadable++;
        sdx_bounce_release(&b);
        return;
    }
    if (b.flags & SDX_BOUNCE_F_TRUNCATED)
        run->truncated++;
    switch (b.kind) {
    case SDX_BOUNCE_DSN: case SDX_BOUNCE_TEXT: run->bounces++; break;
    case SDX_BOUNCE_ARF: run->reports++; break;
    case SDX_BOUNCE_AUTOREPLY: run->autoreplies++; break;
    default: run->none++; break;
    }
    for (i = 0; i < b.nrcpt; i++) {
        run->rcpts++;
        if (hard(&b.rcpt[i])) {
            run->hard++;
            if (run->a->addresses && b.rcpt[i].recipient.len) {
                term_put_esc(stdout, b.rcpt[i].recipient.p, b.rcpt[i].recipient.len);
                fputc('\n', stdout);
            }
        }
    }
    if (run->a->addresses)
        ;
    else if (run->a->ndjson) {
        if (ndjson_message(run, name, idx, &b) != 0)
            run->unreadable++;
    } else if (run->a->json) {
        if (json_message(run, name, idx, &b) != 0)
            run->unreadable++;
    } else
        text_message(run, name, idx, &b);
    sdx_bounce_release(&b);
}

/* buffer - one input's bytes: an mbox is split, a message read whole */
static void buffer(struct run *run, const char *name, const char *p, size_t n)
{
    if (n >= 5 && memcmp(p, "From ", 5) == 0) {
        size_t off = 0, len;
        const char *msg;
        unsigned long idx = 0;
        int many;

        {   /* more than one message: number them */
            size_t o2 = 0, l2;
            const char *m2;

            many = sdx_mbox_next(p, n, &o2, &m2, &l2) && o2 < n;
        }
        while (sdx_mbox_next(p, n, &off, &msg, &len)) {
            one(run, name, many ? ++idx : 0, msg, len);
            idx += !many;
        }
        if (idx == 0) {
            fprintf(stderr, "smtpdx bounce: ");
            term_put_esc(stderr, name, strlen(name));
            fprintf(stderr, ": an mbox without messages\n");
        }
        return;
    }
    one(run, name, 0, p, n);
}

static void unreadable(struct run *run, const char *name, const char *why)
{
    fprintf(stderr, "smtpdx bounce: ");
    term_put_esc(stderr, name, strlen(name));
    fprintf(stderr, ": %s\n", why);
    run->unreadable++;
}

static void file(struct run *run, const char *path)
{
    struct stat sb;
    void *m;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        unreadable(run, path, strerror(errno));
        return;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        unreadable(run, path, "not a regular file");
        close(fd);
        return;
    }
    if (sb.st_size == 0) {
        unreadable(run, path, "empty file");
        close(fd);
        return;
    }
    if (sb.st_size <= READ_MAX) {
        /* read into one buffer kept for the run: cheaper than mapping a
         * few KiB, and a file truncated meanwhile (a mail client compacting
         * its mbox) reads short instead of raising SIGBUS */
        size_t want = (size_t)sb.st_size, got = 0;
        ssize_t r = 1;

        if (want > run->rcap) {
            char *nb = realloc(run->rbuf, want);

            if (!nb) {
                close(fd);
                unreadable(run, path, "out of memory");
                return;
            }
            run->rbuf = nb;
            run->rcap = want;
        }
        while (got < want && ((r = read(fd, run->rbuf + got, want - got)) > 0 || (r < 0 && errno == EINTR)))
            got += r > 0 ? (size_t)r : 0;
        close(fd);
        if (r < 0) {
            unreadable(run, path, strerror(errno));
            return;
        }
        buffer(run, path, run->rbuf, got);
        return;
    }
    /* a larger mbox is mapped (BUGS in smtpdx-bounce(1): truncating it
     * while it is read stops the run) */
    m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        unreadable(run, path, strerror(errno));
        return;
    }
    buffer(run, path, m, (size_t)sb.st_size);
    munmap(m, (size_t)sb.st_size);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(struct run *run, const char *dir, int depth);

static void read_fd(struct run *run, const char *name, int fd);

/* entry - one operand (depth 0: links followed, pipes and devices read
 * like standard input) or one directory entry (a link to a directory is
 * not followed: a loop of links must not walk the disk) */
static void entry(struct run *run, const char *path, int depth)
{
    struct stat sb;

    if ((depth ? lstat(path, &sb) : stat(path, &sb)) != 0) {
        unreadable(run, path, strerror(errno));
        return;
    }
    if (S_ISLNK(sb.st_mode)) {
        if (stat(path, &sb) != 0) {
            unreadable(run, path, strerror(errno));
            return;
        }
        if (S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "smtpdx bounce: ");
            term_put_esc(stderr, path, strlen(path));
            fprintf(stderr, ": a link to a directory, not followed (give it as an operand)\n");
            return;
        }
    }
    if (S_ISDIR(sb.st_mode))
        walk(run, path, depth + 1);
    else if (S_ISREG(sb.st_mode))
        file(run, path);
    else if (depth == 0) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0) {
            unreadable(run, path, strerror(errno));
            return;
        }
        read_fd(run, path, fd);
        close(fd);
    }
    /* sockets, pipes and devices inside a directory: not messages */
}

static void walk(struct run *run, const char *dir, int depth)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL, path[4096];
    size_t n = 0, cap = 0, i;
    int maildir;

    if (depth > DIR_DEPTH) {
        unreadable(run, dir, "directories nested deeper than 8 levels are not read");
        return;
    }
    snprintf(path, sizeof(path), "%s/cur", dir);
    maildir = access(path, F_OK) == 0;
    snprintf(path, sizeof(path), "%s/new", dir);
    maildir = maildir && access(path, F_OK) == 0;
    if ((d = opendir(dir)) == NULL) {
        unreadable(run, dir, strerror(errno));
        return;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;                       /* ., .., and Maildir++ folders: given by name */
        if (maildir && strcmp(de->d_name, "cur") != 0 && strcmp(de->d_name, "new") != 0)
            continue;                       /* tmp/ holds messages being written */
        if (n == cap) {
            char **nn = realloc(names, (cap = cap * 2 + 64) * sizeof(*nn));

            if (!nn)
                break;
            names = nn;
        }
        if ((names[n] = strdup(de->d_name)) == NULL)
            break;
        n++;
    }
    closedir(d);
    if (names)
        qsort(names, n, sizeof(*names), by_name);
    for (i = 0; i < n; i++) {
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) < sizeof(path))
            entry(run, path, depth);
        else
            unreadable(run, names[i], "path too long");
        free(names[i]);
    }
    free(names);
}

/* read_fd - a pipe, a device or standard input, read whole (bounded) */
static void read_fd(struct run *run, const char *name, int fd)
{
    struct sdx_buf in;
    char chunk[65536];
    ssize_t got;

    sdx_buf_init(&in, STDIN_MAX);
    while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            unreadable(run, name, strerror(errno));
            sdx_buf_release(&in);
            return;
        }
        if (sdx_buf_add(&in, chunk, (size_t)got) != 0) {
            fprintf(stderr, "smtpdx bounce: ");
            term_put_esc(stderr, name, strlen(name));
            fprintf(stderr, ": more than %u bytes; the rest is not read\n", STDIN_MAX);
            break;
        }
    }
    if (in.len == 0)
        unreadable(run, name, "nothing to read");
    else
        buffer(run, name, in.data, in.len);
    sdx_buf_release(&in);
}

int cmd_bounce(const struct cmd *self, int argc, char **argv)
{
    struct bounce_args a = { 0 };
    struct run run;
    int first, rc, i;

    if ((rc = opt_parse(self, argc, argv, &a, &first)) >= 0)
        return rc;
    if (term_setup(a.color) != 0) {
        fprintf(stderr, "smtpdx bounce: --color takes auto, always or never\n");
        return EXIT_USAGE;
    }
    if (a.pretty)
        a.json = 1;
    if (a.json + a.ndjson + a.addresses > 1) {
        fprintf(stderr, "smtpdx bounce: choose one of --json, --ndjson and --addresses\n");
        return EXIT_USAGE;
    }
    if (first == argc && isatty(STDIN_FILENO)) {
        fprintf(stderr, "smtpdx bounce: give FILE, DIR or - (standard input is a terminal)\n");
        opt_usage_line(self, stderr);
        return EXIT_USAGE;
    }
    memset(&run, 0, sizeof(run));
    run.a = &a;
    run.o.max_size = a.max_size;
    sdx_buf_init(&run.out, 64u << 20);
    if (first == argc)
        read_fd(&run, "stdin", STDIN_FILENO);
    for (i = first; i < argc; i++) {
        if (strcmp(argv[i], "-") == 0)
            read_fd(&run, "stdin", STDIN_FILENO);
        else
            entry(&run, argv[i], 0);
    }
    sdx_buf_release(&run.out);
    free(run.rbuf);
    fflush(stdout);
    if (!a.quiet)
        fprintf(stderr, "smtpdx bounce: %lu messages: %lu bounces (%lu recipients, %lu hard), "
                "%lu feedback reports, %lu auto-replies, %lu not bounces; %lu unreadable%s\n",
                run.messages, run.bounces, run.rcpts, run.hard, run.reports, run.autoreplies, run.none,
                run.unreadable, run.truncated ? "; some messages cut at --max-size" : "");
    fflush(stdout);
    if (run.unreadable)
        return EXIT_INPUT;
    return run.hard ? EXIT_FOUND : EXIT_OK;
}
