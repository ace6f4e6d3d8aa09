/* cmd_address.c - smtpdx address: would an SMTP server take this address?
 * In:  addresses as arguments, or one per line on stdin.
 * Out: the verdict (RFC 5321 Mailbox, RFC 6531 SMTPUTF8, RFC 5322-only,
 *      invalid), the findings with their RFC sections, the IDNA2008 A-label
 *      form of the domain, and the reply a strict server would likely give.
 *      --json: one object per address per line.
 * Exit: 0 every address is usable in SMTP (with --smtputf8, SMTPUTF8 ones
 *      count), 1 some is not, 2 usage, 3 stdin unreadable. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/address.h"
#include "smtpdx/json.h"
#include "cmds.h"
#include "jsonout.h"

struct address_args {
    int         json, smtputf8, sender, path, quiet;
    const char *color;
};

#define AD(f) offsetof(struct address_args, f)
const struct opt address_opts[] = {
    { "json",     'j', OPT_FLAG, NULL,   AD(json),     "print one JSON object per address, one per line", 0 },
    { "smtputf8", 'u', OPT_FLAG, NULL,   AD(smtputf8), "the server offers SMTPUTF8 (RFC 6531): non-ASCII addresses are usable", 0 },
    { "sender",   'S', OPT_FLAG, NULL,   AD(sender),   "check as a MAIL FROM address: <> is valid, refusals are 501 5.1.7", 0 },
    { "path",     'p', OPT_FLAG, NULL,   AD(path),     "the input is an SMTP path in angle brackets, <user@example.com>", 0 },
    { "quiet",    'q', OPT_FLAG, NULL,   AD(quiet),    "print nothing; the exit status says it all", 0 },
    { "color",    0,   OPT_STR,  "WHEN", AD(color),    "colour: auto (default), always, never", 0 },
    { NULL, 0, 0, NULL, 0, NULL, 0 }
};

const char address_summary[] = "check an address against RFC 5321, 5322 and 6531 (SMTPUTF8, IDN)";
const char address_help[] =
    "Says whether an SMTP server would accept the address in MAIL FROM or\n"
    "RCPT TO (RFC 5321 Mailbox), whether it needs SMTPUTF8 (RFC 6531), or is\n"
    "only valid in a message header (RFC 5322 addr-spec), and why, with the RFC\n"
    "section. International domains are checked and converted with libidn2\n"
    "(IDNA2008). Length limits: 64 octets local part, 255 domain, 254 address.\n"
    "For each problem it names the reply a strict server would likely give\n"
    "(501 5.1.3, 553 5.1.3, 553 5.6.7 ...).\n"
    "\n"
    "With no ADDRESS, addresses are read from standard input, one per line.\n"
    "\n"
    "Examples:\n"
    "  smtpdx address 'first.last@example.com'\n"
    "  smtpdx address '\"john smith\"@example.com' 'user@exämple.com'\n"
    "  smtpdx address --smtputf8 --json 'δοκιμή@παράδειγμα.δοκιμή'\n"
    "  cut -f1 recipients.tsv | smtpdx address --quiet || echo 'some are bad'\n";

static int usable(const struct address_args *a, const struct sdx_address *ad)
{
    return ad->verdict == SDX_ADDR_VALID_SMTP || (a->smtputf8 && ad->verdict == SDX_ADDR_VALID_SMTPUTF8);
}

static void print_text(const char *p, size_t n, const struct sdx_address *ad, const struct address_args *a)
{
    const struct sdx_addr_info *f[64];
    size_t nf, i;
    const char *colour = usable(a, ad) ? term_green() : ad->verdict == SDX_ADDR_INVALID ? term_red()
                                                                                         : term_yellow();

    fputs(term_bold(), stdout);
    term_put_esc(stdout, p, n);
    fprintf(stdout, "%s\n", term_reset());
    fprintf(stdout, "  %-12s%s%s%s\n", "verdict", colour, sdx_address_verdict_name(ad->verdict), term_reset());
    if (ad->local.p) {
        fprintf(stdout, "  %-12s", "local part");
        term_put_esc(stdout, ad->local.p, ad->local.len);
        fprintf(stdout, " (%zu octets; RFC 5321 allows 64)\n", ad->local.len);
    }
    if (ad->domain.p) {
        fprintf(stdout, "  %-12s", "domain");
        term_put_esc(stdout, ad->domain.p, ad->domain.len);
        if (ad->domain_ascii[0] && (strlen(ad->domain_ascii) != ad->domain.len ||
                                    memcmp(ad->domain_ascii, ad->domain.p, ad->domain.len) != 0)) {
            fputs(" = ", stdout);
            term_put_esc(stdout, ad->domain_ascii, strlen(ad->domain_ascii));
            fputs(" (IDNA2008 A-labels)", stdout);
        }
        fputc('\n', stdout);
    }
    if (ad->reply_code)
        fprintf(stdout, "  %-12s%d %s: a strict server would likely answer this\n", "reply",
                ad->reply_code, ad->status);
    nf = sdx_address_findings(ad->flags, f, sizeof(f) / sizeof(f[0]));
    if (nf > sizeof(f) / sizeof(f[0]))
        nf = sizeof(f) / sizeof(f[0]);
    if (nf == 0) {
        term_wrap(stdout, ad->explanation, 2, 0);
    }
    for (i = 0; i < nf; i++) {
        char line[1024];

        snprintf(line, sizeof(line), "- %s (%s): %s", f[i]->name, sdx_address_class_name(f[i]->klass),
                 f[i]->explanation);
        term_wrap(stdout, line, 2, 2);
    }
}

static int print_json(struct sdx_buf *out, const char *p, size_t n, const struct sdx_address *ad,
                      const struct address_args *a)
{
    const struct sdx_addr_info *f[64];
    size_t nf, i;
    struct sdx_json j;

    sdx_buf_reset(out);
    sdx_json_init(&j, out, 0);
    sdx_json_obj(&j, NULL);
    sdx_json_strn(&j, "address", p, n);
    sdx_json_str(&j, "verdict", sdx_address_verdict_name(ad->verdict));
    sdx_json_bool(&j, "usable", usable(a, ad));
    if (ad->local.p)
        sdx_json_strn(&j, "local_part", ad->local.p, ad->local.len);
    else
        sdx_json_null(&j, "local_part");
    if (ad->domain.p)
        sdx_json_strn(&j, "domain", ad->domain.p, ad->domain.len);
    else
        sdx_json_null(&j, "domain");
    sdx_json_str(&j, "domain_ascii", ad->domain_ascii[0] ? ad->domain_ascii : NULL);
    if (ad->reply_code)
        sdx_json_int(&j, "reply_code", ad->reply_code);
    else
        sdx_json_null(&j, "reply_code");
    sdx_json_str(&j, "status", ad->status[0] ? ad->status : NULL);
    sdx_json_str(&j, "diagnosis", ad->diagnosis);
    sdx_json_str(&j, "summary", ad->explanation);
    sdx_json_arr(&j, "findings");
    nf = sdx_address_findings(ad->flags, f, sizeof(f) / sizeof(f[0]));
    if (nf > sizeof(f) / sizeof(f[0]))
        nf = sizeof(f) / sizeof(f[0]);
    for (i = 0; i < nf; i++) {
        sdx_json_obj(&j, NULL);
        sdx_json_str(&j, "name", f[i]->name);
        sdx_json_str(&j, "class", sdx_address_class_name(f[i]->klass));
        if (f[i]->reply_code)
            sdx_json_int(&j, "reply_code", f[i]->reply_code);
        else
            sdx_json_null(&j, "reply_code");
        sdx_json_str(&j, "status", f[i]->status[0] ? f[i]->status : NULL);
        sdx_json_str(&j, "reference", f[i]->rfc);
        sdx_json_str(&j, "explanation", f[i]->explanation);
        sdx_json_end(&j, '}');
    }
    sdx_json_end(&j, ']');
    sdx_json_end(&j, '}');
    return json_line("address", &j, out);
}

/* check_one - 0 usable, 1 not, 3 error */
static int check_one(const struct address_args *a, struct sdx_buf *out, const char *p, size_t n, int *count)
{
    struct sdx_address ad;
    unsigned opts = (a->smtputf8 ? SDX_ADDR_O_SMTPUTF8 : 0) | (a->sender ? SDX_ADDR_O_SENDER : 0) |
                    (a->path ? SDX_ADDR_O_ANGLE : 0);
    int err = sdx_address_check(p, n, opts, &ad);

    if (err) {
        fprintf(stderr, "smtpdx address: %s\n", sdx_strerror(err));
        return EXIT_INPUT;
    }
    if (!a->quiet) {
        if (a->json) {
            if (print_json(out, p, n, &ad, a) != 0)
                return EXIT_INPUT;
        }
        else {
            if ((*count)++)
                fputc('\n', stdout);
            print_text(p, n, &ad, a);
        }
    }
    return usable(a, &ad) ? EXIT_OK : EXIT_FOUND;
}

int cmd_address(const struct cmd *self, int argc, char **argv)
{
    struct address_args a = { 0 };
    struct sdx_buf out;
    int first, rc, worst = EXIT_OK, count = 0, i, r;

    if ((rc = opt_parse(self, argc, argv, &a, &first)) >= 0)
        return rc;
    if (term_setup(a.color) != 0) {
        fprintf(stderr, "smtpdx address: --color takes auto, always or never\n");
        return EXIT_USAGE;
    }
    sdx_buf_init(&out, (size_t)1 << 20);
    if (first < argc) {
        for (i = first; i < argc && worst != EXIT_INPUT; i++)
            if ((r = check_one(&a, &out, argv[i], strlen(argv[i]), &count)) > worst)
                worst = r;
    } else {
        char *line = NULL;

        if (isatty(STDIN_FILENO))
            fprintf(stderr, "smtpdx address: reading addresses from the terminal, one per line; "
                    "end with Ctrl-D\n");
        size_t cap = 0;
        ssize_t got;
        unsigned long seen = 0;

        while ((got = getline(&line, &cap, stdin)) != -1 && worst != EXIT_INPUT) {
            size_t n = (size_t)got;

            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                n--;
            if (n == 0)
                continue;
            seen++;
            if ((r = check_one(&a, &out, line, n, &count)) > worst)
                worst = r;
        }
        if (ferror(stdin)) {
            fprintf(stderr, "smtpdx address: cannot read standard input\n");
            worst = EXIT_INPUT;
        } else if (seen == 0) {
            fprintf(stderr, "smtpdx address: no address given; try 'smtpdx address --help'\n");
            worst = EXIT_USAGE;
        }
        free(line);
    }
    sdx_buf_release(&out);
    return worst;
}
