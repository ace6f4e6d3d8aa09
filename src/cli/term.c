/* term.c - colour decision, wrapping and escaping for the command's output */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "smtpdx/esc.h"
#include "term.h"

struct term term = { 0, 80 };

int term_setup(const char *when)
{
    const char *cols = getenv("COLUMNS"), *t = getenv("TERM"), *nc = getenv("NO_COLOR");

    if (cols) {
        char *e;
        long w = strtol(cols, &e, 10);

        if (e != cols && *e == '\0' && w >= 40 && w <= 500)
            term.width = (int)w;
    }
    if (term.width > 100)
        term.width = 100;       /* long lines are hard to read even on wide terminals */
    if (when == NULL || strcmp(when, "auto") == 0)
        term.color = isatty(STDOUT_FILENO) && !(nc && *nc) && !(t && strcmp(t, "dumb") == 0);
    else if (strcmp(when, "always") == 0)
        term.color = 1;
    else if (strcmp(when, "never") == 0)
        term.color = 0;
    else
        return -1;
    return 0;
}

const char *term_bold(void)   { return term.color ? "\033[1m" : ""; }
const char *term_dim(void)    { return term.color ? "\033[2m" : ""; }
const char *term_red(void)    { return term.color ? "\033[31m" : ""; }
const char *term_yellow(void) { return term.color ? "\033[33m" : ""; }
const char *term_green(void)  { return term.color ? "\033[32m" : ""; }
const char *term_reset(void)  { return term.color ? "\033[0m" : ""; }

void term_put_esc(FILE *fp, const char *p, size_t n)
{
    struct sdx_buf b;

    sdx_buf_init(&b, n * 4 + 16);
    if (sdx_esc_text(&b, p, n, 0) == 0 || b.len)
        fwrite(b.data, 1, b.len, fp);
    sdx_buf_release(&b);
}

void term_wrap(FILE *fp, const char *text, int indent, int hang)
{
    int width = term.width - indent, col = 0;
    const char *p = text;

    if (width < 20)
        width = 20;
    fprintf(fp, "%*s", indent, "");
    while (*p) {
        const char *w = p;
        int len;

        while (*w && *w != ' ')
            w++;
        len = (int)(w - p);
        if (col > 0 && col + 1 + len > width) {
            fprintf(fp, "\n%*s", indent + hang, "");
            col = hang;
        } else if (col > 0) {
            fputc(' ', fp);
            col++;
        }
        fwrite(p, 1, (size_t)len, fp);
        col += len;
        p = w;
        while (*p == ' ')
            p++;
    }
    fputc('\n', fp);
}
