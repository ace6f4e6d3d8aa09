/* opt.h - subcommands and their options, declared once as tables
 * One table of commands drives dispatch, `smtpdx --help`, `smtpdx help CMD`;
 * each command's option table drives parsing and its --help text, and a
 * test checks it against the command's man page (tests/cli). */
#ifndef SDX_CLI_OPT_H
#define SDX_CLI_OPT_H

#include <stddef.h>
#include <stdio.h>

enum opt_type {
    OPT_FLAG,       /* int field set to 1 */
    OPT_STR,        /* const char * field */
    OPT_UINT        /* unsigned long field, decimal, bounded by max */
};

struct opt {
    const char     *lng;        /* long name, without "--" */
    int             shrt;       /* short letter or 0 */
    enum opt_type   type;
    const char     *metavar;    /* for OPT_STR/OPT_UINT */
    size_t          field;      /* offsetof() in the command's args struct */
    const char     *help;
    unsigned long   max;        /* OPT_UINT upper bound */
};

struct cmd {
    const char        *name;
    int              (*run)(const struct cmd *self, int argc, char **argv);
    const struct opt  *opts;
    const char        *args;        /* "[REPLY...]" */
    const char        *summary;     /* one line */
    const char        *help;        /* paragraphs with examples, shown by --help */
    int                interleave;  /* options may follow operands ("logs mail.log --json"); off
                                     * where an operand may start with '-' (a reply, an address) */
};

/* exit codes (ARCHITECTURE.md): scripts rely on them */
enum { EXIT_OK = 0, EXIT_FOUND = 1, EXIT_USAGE = 2, EXIT_INPUT = 3 };

/* opt_parse - parse argv[1..] into args by c->opts. Returns -1 when parsing
 * went well (*first is the first operand), EXIT_OK after printing --help,
 * EXIT_USAGE after printing an error. */
int opt_parse(const struct cmd *c, int argc, char **argv, void *args, int *first);
void opt_help(const struct cmd *c, FILE *fp);
void opt_usage_line(const struct cmd *c, FILE *fp);

extern const struct cmd commands[];
const struct cmd *cmd_find(const char *name);

#endif
