/* smtpread.c - SMTP replies out of a byte stream, bounded (smtpread.h)
 * A line is collected in a fixed buffer; at its LF it is checked and added
 * to the reply. Nothing grows with what the server sends but the reply
 * buffer, which SDX_SMTP_LINES_MAX lines of SDX_SMTP_LINE_MAX bytes bound. */
#include <string.h>
#include "smtpdx/smtpread.h"

void sdx_smtp_reader_init(struct sdx_smtp_reader *r)
{
    memset(r, 0, sizeof(*r));
    sdx_buf_init(&r->reply, (size_t)SDX_SMTP_LINES_MAX * (SDX_SMTP_LINE_MAX + 1));
}

void sdx_smtp_reader_release(struct sdx_smtp_reader *r)
{
    sdx_buf_release(&r->reply);
}

void sdx_smtp_reader_next(struct sdx_smtp_reader *r)
{
    sdx_buf_reset(&r->reply);
    r->nlines = 0;
    r->code = 0;
    r->done = 0;
}

const char *sdx_smtp_err_name(enum sdx_smtp_err e)
{
    static const char *const n[] = { "ok", "line-too-long", "endless-reply", "not-smtp" };

    return (unsigned)e < sizeof(n) / sizeof(n[0]) ? n[e] : "unknown";
}

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

/* line_done - the collected line ends: check it, add it; 1 when it ends the reply */
static int line_done(struct sdx_smtp_reader *r)
{
    const char *l = r->line;
    size_t n = r->len;
    int c, last;

    if (n && l[n - 1] == '\r')
        n--;
    if (n < 3 || !digit(l[0]) || !digit(l[1]) || !digit(l[2]) || l[0] < '1' || l[0] > '5' ||
        (n > 3 && l[3] != ' ' && l[3] != '-')) {
        r->err = SDX_SMTP_E_SYNTAX;
        return SDX_EPARSE;
    }
    c = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
    if (r->nlines == 0)
        r->code = c;
    else if (c != r->code) {
        r->err = SDX_SMTP_E_SYNTAX;     /* RFC 5321 section 4.2.1: one code per reply */
        return SDX_EPARSE;
    }
    if (++r->nlines > SDX_SMTP_LINES_MAX) {
        r->err = SDX_SMTP_E_LINES;
        return SDX_EPARSE;
    }
    if ((r->nlines > 1 && sdx_buf_addc(&r->reply, '\n') != 0) || sdx_buf_add(&r->reply, l, n) != 0)
        return SDX_ENOMEM;
    last = n == 3 || l[3] == ' ';
    r->len = 0;
    return last;
}

int sdx_smtp_reader_feed(struct sdx_smtp_reader *r, const char *p, size_t n, size_t *used)
{
    size_t i = 0;
    int rc;

    *used = 0;
    if (r->err)
        return SDX_EPARSE;
    if (r->done)
        return 1;
    while (i < n) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t take = nl ? (size_t)(nl - (p + i)) : n - i;

        if (r->len + take > SDX_SMTP_LINE_MAX) {
            r->err = SDX_SMTP_E_LINE;
            *used = i;
            return SDX_EPARSE;
        }
        memcpy(r->line + r->len, p + i, take);
        r->len += take;
        i += take;
        if (nl == NULL)
            break;
        i++;                            /* the LF */
        if ((rc = line_done(r)) < 0) {
            *used = i;
            return rc;
        }
        if (rc == 1) {
            r->done = 1;
            *used = i;
            return 1;
        }
    }
    *used = i;
    return 0;
}
