/* cmds.h - the subcommands: run function, option table, help texts */
#ifndef SDX_CLI_CMDS_H
#define SDX_CLI_CMDS_H

#include "opt.h"
#include "term.h"

int cmd_explain(const struct cmd *self, int argc, char **argv);
extern const struct opt explain_opts[];
extern const char explain_summary[], explain_help[];

int cmd_address(const struct cmd *self, int argc, char **argv);
extern const struct opt address_opts[];
extern const char address_summary[], address_help[];

int cmd_logs(const struct cmd *self, int argc, char **argv);
extern const struct opt logs_opts[];
extern const char logs_summary[], logs_help[];

int cmd_transcript(const struct cmd *self, int argc, char **argv);
extern const struct opt transcript_opts[];
extern const char transcript_summary[], transcript_help[];

int cmd_probe(const struct cmd *self, int argc, char **argv);
extern const struct opt probe_opts[];
extern const char probe_summary[], probe_help[];

int cmd_spf(const struct cmd *self, int argc, char **argv);
extern const struct opt spf_opts[];
extern const char spf_summary[], spf_help[];

int cmd_dnsbl(const struct cmd *self, int argc, char **argv);
extern const struct opt dnsbl_opts[];
extern const char dnsbl_summary[], dnsbl_help[];

int cmd_check(const struct cmd *self, int argc, char **argv);
extern const struct opt check_opts[];
extern const char check_summary[], check_help[];

int cmd_bounce(const struct cmd *self, int argc, char **argv);
extern const struct opt bounce_opts[];
extern const char bounce_summary[], bounce_help[];

int cmd_watch(const struct cmd *self, int argc, char **argv);
extern const struct opt watch_opts[];
extern const char watch_summary[], watch_help[];

#endif
