/* probe_input.c - what `smtpdx probe` takes beyond the target: the message
 * for --data (a file, bounded), the per-reply timeouts of --timeout-for and
 * --rfc-timeouts */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/probe.h"
#include "opt.h"
#include "probe_report.h"
#include "term.h"

static void say_file(const char *file, const char *what)
{
    fprintf(stderr, "smtpdx probe: --data '");
    term_put_esc(stderr, file, strlen(file));
    fprintf(stderr, "': %s\n", what);
}

int probe_read_data(const char *file, char **out, size_t *len)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    size_t cap = 64 * 1024, n = 0;
    char *b;

    *out = NULL;
    *len = 0;
    if (f == NULL) {
        say_file(file, strerror(errno));
        return EXIT_INPUT;
    }
    if ((b = malloc(cap)) == NULL) {
        say_file(file, "out of memory");
        goto fail;
    }
    for (;;) {
        size_t got;

        if (n == cap) {
            char *nb;

            if (cap > SDX_PROBE_DATA_MAX) {
                char msg[96];

                snprintf(msg, sizeof(msg), "over %u MB: smtpdx sends at most that", SDX_PROBE_DATA_MAX >> 20);
                say_file(file, msg);
                goto fail;
            }
            if ((nb = realloc(b, cap * 2)) == NULL) {
                say_file(file, "out of memory");
                goto fail;
            }
            b = nb;
            cap *= 2;
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        say_file(file, strerror(errno));
        goto fail;
    }
    if (n > SDX_PROBE_DATA_MAX) {
        say_file(file, "too large");
        goto fail;
    }
    if (f != stdin)
        fclose(f);
    *out = b;
    *len = n;
    return 0;
fail:
    free(b);
    if (f != stdin)
        fclose(f);
    return EXIT_INPUT;
}

int probe_wait_opts(const char *list, int rfc, struct sdx_probe_opts *o)
{
    const char *p = list;

    if (rfc)
        sdx_probe_rfc_timeouts(o);
    while (p && *p) {
        const char *comma = strchr(p, ','), *e = comma ? comma : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(e - p));
        char *end;
        unsigned long sec = 0;
        int w = eq ? sdx_probe_wait_find(p, (size_t)(eq - p)) : -1;

        if (e > p) {
            if (w >= 0) {
                errno = 0;
                sec = strtoul(eq + 1, &end, 10);
                if (end != e || eq + 1 == e || errno || sec == 0 || sec > 600)
                    w = -2;
            }
            if (w < 0) {
                int i;

                fprintf(stderr, "smtpdx probe: --timeout-for: not NAME=SECONDS (1 to 600): '");
                term_put_esc(stderr, p, (size_t)(e - p));
                fprintf(stderr, "'\n  names:");
                for (i = 0; i < SDX_PROBE_WAIT_COUNT; i++)
                    fprintf(stderr, " %s", sdx_probe_wait_name((enum sdx_probe_wait)i));
                fprintf(stderr, "\n");
                return EXIT_USAGE;
            }
            o->wait_ms[w] = (int)sec * 1000;
        }
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}
