/* jsonout.c - one built JSON object out as one line (jsonout.h) */
#include <stdio.h>
#include "smtpdx/error.h"
#include "jsonout.h"
#include "opt.h"

int json_line(const char *cmd, const struct sdx_json *j, const struct sdx_buf *out)
{
    if (j->err) {
        fprintf(stderr, "smtpdx %s: cannot write the JSON object: %s\n", cmd, sdx_strerror(j->err));
        return EXIT_INPUT;
    }
    fwrite(out->data, 1, out->len, stdout);
    fputc('\n', stdout);
    return 0;
}
