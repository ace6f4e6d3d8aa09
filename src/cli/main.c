/* main.c - the smtpdx command: one table of subcommands, dispatch, help
 * The library holds all SMTP knowledge; src/cli/ turns argv into calls and
 * results into text or JSON, and is the only place that prints or picks
 * an exit code (0 ok, 1 problems found, 2 usage, 3 input/environment). */
#include <stdio.h>
#include <string.h>
#include "smtpdx/smtpdx.h"
#include "opt.h"
#include "cmds.h"

const struct cmd commands[] = {
    /* name       run           options         args              summary, help */
    { "explain",  cmd_explain,  explain_opts,   "[REPLY...]",     explain_summary, explain_help, 0 },
    { "logs",     cmd_logs,     logs_opts,      "[FILE...]",      logs_summary,    logs_help,    1 },
    { "address",  cmd_address,  address_opts,   "ADDRESS...",     address_summary, address_help, 0 },
    { "probe",    cmd_probe,    probe_opts,     "HOST[:PORT]... | --targets FILE", probe_summary, probe_help, 1 },
    { "check",    cmd_check,    check_opts,     "DOMAIN [--ip IPS] [--selector SELS]", check_summary, check_help, 1 },
    { "spf",      cmd_spf,      spf_opts,       "--ip IP --sender ADDR [--helo NAME]", spf_summary, spf_help, 0 },
    { "dnsbl",    cmd_dnsbl,    dnsbl_opts,     "IP|DOMAIN...",   dnsbl_summary,   dnsbl_help,   1 },
    { "bounce",   cmd_bounce,   bounce_opts,    "[FILE|DIR|-]...", bounce_summary, bounce_help, 1 },
    { "watch",    cmd_watch,    watch_opts,     "LOG...",         watch_summary,   watch_help,   1 },
    { "transcript", cmd_transcript, transcript_opts, "[FILE...]", transcript_summary, transcript_help, 1 },
    { NULL, NULL, NULL, NULL, NULL, NULL, 0 }
};

const struct cmd *cmd_find(const char *name)
{
    const struct cmd *c;

    for (c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static void usage(FILE *fp)
{
    const struct cmd *c;

    fputs("usage: smtpdx COMMAND [OPTIONS] [ARGS]\n"
          "       smtpdx help COMMAND | --help | --version\n\n"
          "smtpdx explains why mail was refused: what an SMTP reply means, whose\n"
          "side must act, and what to do about it.\n\nCommands:\n", fp);
    for (c = commands; c->name; c++)
        fprintf(fp, "  %-10s %s\n", c->name, c->summary);
    fputs("\nExamples:\n"
          "  smtpdx explain '550 5.7.26 This mail is unauthenticated'\n"
          "  smtpdx explain 5.7.1\n"
          "  smtpdx logs /var/log/mail.log\n"
          "  smtpdx address 'user@exämple.com'\n"
          "  smtpdx spf --ip 192.0.2.10 --sender bounce@example.com\n\n"
          "Run 'smtpdx help COMMAND' for a command's options; man smtpdx(1).\n", fp);
}

int main(int argc, char **argv)
{
    const struct cmd *c;

    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("smtpdx %s\n", sdx_version());
        return EXIT_OK;
    }
    if (strcmp(argv[1], "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return EXIT_OK;
        }
        if ((c = cmd_find(argv[2])) == NULL) {
            fputs("smtpdx: no command '", stderr);
            term_put_esc(stderr, argv[2], strlen(argv[2]));
            fputs("'; see 'smtpdx --help'\n", stderr);
            return EXIT_USAGE;
        }
        opt_help(c, stdout);
        return EXIT_OK;
    }
    if ((c = cmd_find(argv[1])) == NULL) {
        fputs("smtpdx: no command '", stderr);
        term_put_esc(stderr, argv[1], strlen(argv[1]));
        fputs("'; see 'smtpdx --help'\n", stderr);
        return EXIT_USAGE;
    }
    return c->run(c, argc - 1, argv + 1);
}
