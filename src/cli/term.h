/* term.h - what the command prints on: colour, width, escaping
 * Colour only on a terminal, never with NO_COLOR (no-color.org) or
 * TERM=dumb, unless --color=always. Untrusted bytes always go through
 * term_put_esc(): control characters never reach the terminal raw. */
#ifndef SDX_CLI_TERM_H
#define SDX_CLI_TERM_H

#include <stddef.h>
#include <stdio.h>

struct term {
    int color;      /* emit SGR sequences */
    int width;      /* columns to wrap at */
};
extern struct term term;

/* term_setup - decide colour for stdout; when is "auto", "always", "never"
 * or NULL (auto). Returns 0, or -1 for an unknown word. */
int term_setup(const char *when);
const char *term_bold(void);
const char *term_dim(void);
const char *term_red(void);
const char *term_yellow(void);
const char *term_green(void);
const char *term_reset(void);
/* term_put_esc - print untrusted bytes with control characters escaped */
void term_put_esc(FILE *fp, const char *p, size_t n);
/* term_wrap - print trusted text wrapped at term.width, every line indented */
void term_wrap(FILE *fp, const char *text, int indent, int hang);
#endif
