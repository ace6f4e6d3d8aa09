/* opt.c - parse options from a command's table, and print its help
 * getopt_long(3) does the parsing; the tables give names, types, fields
 * and help, so no option needs code of its own. --help and -h are implicit. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "opt.h"
#include "term.h"

#define OPTS_MAX 48

void opt_usage_line(const struct cmd *c, FILE *fp)
{
    fprintf(fp, "usage: smtpdx %s [OPTIONS] %s\n", c->name, c->args ? c->args : "");
}

void opt_help(const struct cmd *c, FILE *fp)
{
    const struct opt *o;

    opt_usage_line(c, fp);
    fprintf(fp, "\n%s\n", c->summary);
    if (c->help)
        fprintf(fp, "\n%s", c->help);
    fputs("\nOptions:\n", fp);
    for (o = c->opts; o && o->lng; o++) {
        char left[64];

        if (o->shrt)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", o->shrt, o->lng, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", o->lng, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "");
        fprintf(fp, "  %-26s %s\n", left, o->help);
    }
    fprintf(fp, "  %-26s %s\n", "-h, --help", "show this help");
    fprintf(fp, "\nExit status: 0 ok, 1 problems found, 2 usage error, 3 input or environment error.\n"
                "See smtpdx-%s(1).\n", c->name);
}

int opt_parse(const struct cmd *c, int argc, char **argv, void *args, int *first)
{
    struct option lo[OPTS_MAX + 2];
    char so[OPTS_MAX * 2 + 4];
    const struct opt *o;
    size_t n = 0, sl = 0;
    int ch, idx;

    if (!c->interleave)
        so[sl++] = '+';         /* stop at the first operand: "-ERR" in a reply is not an option */
    so[sl++] = ':';
    for (o = c->opts; o && o->lng && n < OPTS_MAX; o++, n++) {
        lo[n].name = o->lng;
        lo[n].has_arg = o->type == OPT_FLAG ? no_argument : required_argument;
        lo[n].flag = NULL;
        lo[n].val = 256 + (int)n;
        if (o->shrt) {
            so[sl++] = (char)o->shrt;
            if (o->type != OPT_FLAG)
                so[sl++] = ':';
        }
    }
    lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
    lo[n + 1] = (struct option){ NULL, 0, NULL, 0 };
    so[sl++] = 'h';
    so[sl] = '\0';
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, so, lo, &idx)) != -1) {
        const struct opt *hit = NULL;

        if (ch == 'h') {
            opt_help(c, stdout);
            return EXIT_OK;
        }
        if (ch == '?' || ch == ':') {
            /* getopt_long leaves the offending short letter in optopt (0
             * for long options); optind may not have moved past a cluster */
            const char *bad = argv[optind - 1 < argc ? optind - 1 : argc - 1];
            char shortopt[3] = { '-', (char)optopt, 0 };
            const char *eq = strchr(bad, '=');

            if (optopt > 0 && optopt < 256)
                bad = shortopt;
            fprintf(stderr, "smtpdx %s: ", c->name);
            if (ch == ':')
                fputs("missing value for option '", stderr);
            else if ((optopt == 0 || optopt >= 256) && eq != NULL && strncmp(bad, "--", 2) == 0)
                fputs("option takes no value: '", stderr);
            else
                fputs("unknown option '", stderr);
            term_put_esc(stderr, bad, strlen(bad));
            fputs("'\n", stderr);
            opt_usage_line(c, stderr);
            fprintf(stderr, "try 'smtpdx %s --help'\n", c->name);
            return EXIT_USAGE;
        }
        if (ch >= 256)
            hit = &c->opts[ch - 256];
        else
            for (o = c->opts; o && o->lng; o++)
                if (o->shrt == ch)
                    hit = o;
        if (hit == NULL)
            continue;
        switch (hit->type) {
        case OPT_FLAG:
            *(int *)((char *)args + hit->field) = 1;
            break;
        case OPT_STR:
            *(const char **)((char *)args + hit->field) = optarg;
            break;
        case OPT_UINT: {
            char *end;
            unsigned long v;

            errno = 0;
            v = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' || v > hit->max) {
                fprintf(stderr, "smtpdx %s: --%s takes a whole number from 0 to %lu, not '",
                        c->name, hit->lng, hit->max);
                term_put_esc(stderr, optarg, strlen(optarg));
                fputs("'\n", stderr);
                return EXIT_USAGE;
            }
            *(unsigned long *)((char *)args + hit->field) = v;
            break;
        }
        }
    }
    *first = optind;
    return -1;
}
