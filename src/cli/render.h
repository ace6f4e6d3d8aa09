/* render.h - human-readable rendering of one event and its verdict */
#ifndef SDX_CLI_RENDER_H
#define SDX_CLI_RENDER_H

#include <stdio.h>
#include "smtpdx/event.h"

/* render_verdict - the full explanation; why: also show the rule and every KB layer */
void render_verdict(FILE *fp, const struct sdx_event *e, const struct sdx_verdict *v, int why);
/* render_brief - one line: code status reason permanence actor summary */
void render_brief(FILE *fp, const struct sdx_event *e, const struct sdx_verdict *v);

#endif
