/* jsonout.h - one built JSON object out as one line, or why not: what
 * every command's --json ends with */
#ifndef SDX_CLI_JSONOUT_H
#define SDX_CLI_JSONOUT_H

#include "smtpdx/buf.h"
#include "smtpdx/json.h"

/* json_line - the object j built into out, as one line on stdout; 0, or
 * EXIT_INPUT after saying "smtpdx CMD: cannot write the JSON object: ..." */
int json_line(const char *cmd, const struct sdx_json *j, const struct sdx_buf *out);

#endif
