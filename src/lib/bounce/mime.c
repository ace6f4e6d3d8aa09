/* mime.c - the parts of a bounce that matter, read with GMime 3
 * In:  one message's bytes (untrusted; the caller bounded the size).
 * Out: struct bmail: top-level headers, the delivery-status and
 *      feedback-report contents, the first human-readable text (converted
 *      to UTF-8 by GMime from its charset, transfer encoding undone), and
 *      the header block of the original message.
 * GMime does the MIME (boundaries, base64, quoted-printable, RFC 2047,
 * charsets); this file only walks the tree it builds. GMime itself stops
 * nesting at a depth of its own (about 1,000 multiparts, 512 messages,
 * found by test); the walk here stops at SDX_BOUNCE_DEPTH_MAX and says so.
 * A message/delivery-status part is a leaf to GMime: its fields are read
 * by dsn.c. */
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <gmime/gmime.h>
#include "smtpdx/error.h"
#include "bounce_int.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
    g_mime_init();
}

static const char *const bh_names[BH_COUNT] = {
    "From", "To", "Subject", "Date", "Auto-Submitted", "X-Autoreply", "X-Autorespond",
    "Precedence", "X-Failed-Recipients", "Return-Path", "Feedback-Type"
};

struct walk {
    struct bmem  *m;
    struct bmail *bm;
    int           err;
    int           html_only;        /* bm->text came from text/html */
    GByteArray   *dsn[2];           /* delivery-status parts: [0] the message's own,
                                     * [1] those inside attached messages */
    unsigned      ndsn;             /* parts seen, to the cap */
};

#define DSN_PARTS_MAX 64            /* delivery-status parts read per message */

static void warned(gint64 offset, GMimeParserWarning errcode, const gchar *item, gpointer arg)
{
    struct bmail *bm = arg;

    (void)offset;
    (void)item;
    /* duplicate headers and the like are everyday; count the rest */
    if (errcode != GMIME_WARN_DUPLICATED_HEADER && errcode != GMIME_WARN_DUPLICATED_PARAMETER)
        bm->warnings++;
}

/* keep - copy at most cap bytes of p into dst (first occurrence wins) */
static void keep(struct walk *w, struct sdx_str *dst, const char *p, size_t n, size_t cap)
{
    int err = 0;

    if (dst->len || p == NULL || n == 0)
        return;
    if (n > cap) {
        n = cap;
        w->bm->flags |= SDX_BOUNCE_F_TEXT_CUT;
    }
    *dst = bmem_str(w->m, p, n, &err);
    if (err)
        w->err = SDX_ENOMEM;
}

/* append - add a delivery-status part's bytes to the gathered ones (one
 * growing buffer: the arena gets one copy at the end, not one per part) */
static void append(struct walk *w, int attached, const char *p, size_t n)
{
    GByteArray *a = w->dsn[attached];

    if (++w->ndsn > DSN_PARTS_MAX || a->len + n + 2 > SDX_BOUNCE_TEXT_MAX) {
        w->bm->flags |= SDX_BOUNCE_F_TEXT_CUT;
        return;
    }
    if (a->len)
        g_byte_array_append(a, (const guint8 *)"\n\n", 2);
    g_byte_array_append(a, (const guint8 *)p, (guint)n);
}

/* content - the decoded bytes of a leaf part (transfer encoding undone) */
static GByteArray *content(GMimePart *part, GMimeStream **keep_stream)
{
    GMimeDataWrapper *dw = g_mime_part_get_content(part);
    GMimeStream *s;

    *keep_stream = NULL;
    if (!dw)
        return NULL;
    s = g_mime_stream_mem_new();
    if (g_mime_data_wrapper_write_to_stream(dw, s) < 0) {
        g_object_unref(s);
        return NULL;
    }
    *keep_stream = s;
    return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
}

/* html_text - the text of HTML, crudely: tags dropped, <br>/<p>/<div>/<tr>
 * as line ends, a few entities. Bounces from Microsoft 365 and others come
 * as HTML only; their words are what is read, not their layout. */
static char *html_text(const char *p, size_t n, size_t *outn)
{
    char *o = g_malloc(n + 1);
    size_t i = 0, k = 0;

    while (i < n) {
        if (p[i] == '<') {
            size_t j = i + 1;
            int br;

            while (j < n && p[j] != '>')
                j++;
            br = (j - i >= 2) && (g_ascii_strncasecmp(p + i + 1, "br", 2) == 0 ||
                                  g_ascii_strncasecmp(p + i + 1, "p", 1) == 0 ||
                                  g_ascii_strncasecmp(p + i + 1, "/p", 2) == 0 ||
                                  g_ascii_strncasecmp(p + i + 1, "div", 3) == 0 ||
                                  g_ascii_strncasecmp(p + i + 1, "/div", 4) == 0 ||
                                  g_ascii_strncasecmp(p + i + 1, "tr", 2) == 0 ||
                                  g_ascii_strncasecmp(p + i + 1, "/tr", 3) == 0);
            if (br)
                o[k++] = '\n';
            else if (k && o[k - 1] != ' ' && o[k - 1] != '\n')
                o[k++] = ' ';
            i = j < n ? j + 1 : n;
            continue;
        }
        if (p[i] == '&') {
            static const struct { const char *e; char c; } ent[] = {
                { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&nbsp;", ' ' }, { "&quot;", '"' },
                { "&#39;", '\'' }
            };
            size_t e;

            for (e = 0; e < sizeof(ent) / sizeof(ent[0]); e++) {
                size_t el = strlen(ent[e].e);

                if (n - i >= el && g_ascii_strncasecmp(p + i, ent[e].e, el) == 0) {
                    o[k++] = ent[e].c;
                    i += el;
                    break;
                }
            }
            if (e < sizeof(ent) / sizeof(ent[0]))
                continue;
        }
        o[k++] = p[i++];
    }
    *outn = k;
    return o;
}

static void text_part(struct walk *w, GMimeObject *o, GMimeContentType *ct)
{
    char *t;
    size_t n;

    if (w->bm->text.len && !w->html_only)
        return;
    if (!GMIME_IS_TEXT_PART(o))
        return;
    t = g_mime_text_part_get_text(GMIME_TEXT_PART(o));     /* UTF-8, charset converted */
    if (!t)
        return;
    n = strlen(t);
    if (g_mime_content_type_is_type(ct, "text", "html")) {
        size_t hn;
        char *h;

        if (w->bm->text.len) {
            g_free(t);
            return;
        }
        h = html_text(t, n, &hn);
        keep(w, &w->bm->text, h, hn, SDX_BOUNCE_TEXT_MAX);
        w->html_only = 1;
        g_free(h);
    } else if (n) {
        w->bm->text = (struct sdx_str){ "", 0 };
        w->html_only = 0;
        keep(w, &w->bm->text, t, n, SDX_BOUNCE_TEXT_MAX);
    }
    g_free(t);
}

static void walk(struct walk *w, GMimeObject *o, int depth, int in_original);

static void original(struct walk *w, GMimeMessage *msg, int depth)
{
    char *h;

    if (!msg)
        return;
    h = g_mime_object_get_headers(GMIME_OBJECT(msg), NULL);
    if (h) {
        keep(w, &w->bm->orig_headers, h, strlen(h), SDX_BOUNCE_TEXT_MAX);
        g_free(h);
    }
    /* a forwarded bounce: the attached message's delivery-status parts
     * are gathered apart (in_original) */
    walk(w, g_mime_message_get_mime_part(msg), depth + 1, 1);
}

static void walk(struct walk *w, GMimeObject *o, int depth, int in_original)
{
    GMimeContentType *ct;

    if (!o || w->err)
        return;
    if (depth > SDX_BOUNCE_DEPTH_MAX) {
        w->bm->flags |= SDX_BOUNCE_F_DEEP;
        return;
    }
    ct = g_mime_object_get_content_type(o);
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        int i, count = g_mime_multipart_get_count(mp);

        if (ct && !in_original && g_mime_content_type_is_type(ct, "multipart", "report") && !w->bm->report_type.len) {
            const char *rt = g_mime_content_type_get_parameter(ct, "report-type");

            if (rt)
                keep(w, &w->bm->report_type, rt, strlen(rt), 64);
        }
        for (i = 0; i < count && !w->err; i++)
            walk(w, g_mime_multipart_get_part(mp, i), depth + 1, in_original);
        return;
    }
    if (GMIME_IS_MESSAGE_PART(o)) {
        original(w, g_mime_message_part_get_message(GMIME_MESSAGE_PART(o)), depth);
        return;
    }
    if (!GMIME_IS_PART(o) || !ct)
        return;
    if (g_mime_content_type_is_type(ct, "message", "delivery-status") ||
        g_mime_content_type_is_type(ct, "message", "global-delivery-status") ||
        g_mime_content_type_is_type(ct, "text", "delivery-status") ||
        g_mime_content_type_is_type(ct, "message", "feedback-report") ||
        g_mime_content_type_is_type(ct, "text", "rfc822-headers") ||
        g_mime_content_type_is_type(ct, "message", "rfc822-headers") ||
        g_mime_content_type_is_type(ct, "message", "global-headers")) {
        GMimeStream *s;
        GByteArray *ba = content(GMIME_PART(o), &s);

        if (ba && ba->len) {
            const char *p = (const char *)ba->data;

            if (g_mime_content_type_is_type(ct, "message", "feedback-report")) {
                if (!in_original)               /* an attached report is not this one */
                    keep(w, &w->bm->arf, p, ba->len, SDX_BOUNCE_TEXT_MAX);
            }
            else if (g_mime_content_type_is_type(ct, "text", "rfc822-headers") ||
                     g_mime_content_type_is_type(ct, "message", "rfc822-headers") ||
                     g_mime_content_type_is_type(ct, "message", "global-headers"))
                keep(w, &w->bm->orig_headers, p, ba->len, SDX_BOUNCE_TEXT_MAX);
            else {
                /* a DSN inside an attached message (a forwarded bounce, or
                 * any mail with one attached) is kept apart: bounce.c uses
                 * it only when the message has none of its own */
                append(w, in_original, p, ba->len);
                if (g_mime_content_type_is_type(ct, "message", "global-delivery-status"))
                    w->bm->dsn_global = 1;
            }
        }
        if (s)
            g_object_unref(s);
        return;
    }
    if (!in_original && g_mime_content_type_is_type(ct, "text", "*"))
        text_part(w, o, ct);
}

static void headers(struct walk *w, GMimeMessage *msg)
{
    GMimeObject *o = GMIME_OBJECT(msg);
    size_t i;

    for (i = 0; i < BH_COUNT; i++) {
        const char *v = g_mime_object_get_header(o, bh_names[i]);

        if (!v)
            continue;
        /* GMime 3 returns the value unfolded and RFC 2047-decoded */
        keep(w, &w->bm->hdr[i], v, strlen(v), 4096);
    }
}

int bounce_mime(struct bmem *m, const char *p, size_t n, struct bmail *bm)
{
    struct walk w = { m, bm, 0, 0, { NULL, NULL }, 0 };
    GMimeParserOptions *po;
    GMimeStream *s;
    GMimeParser *parser;
    GMimeMessage *msg;
    GByteArray *ba;

    pthread_once(&gmime_once, gmime_start);
    memset(bm, 0, sizeof(*bm));
    w.dsn[0] = g_byte_array_new();
    w.dsn[1] = g_byte_array_new();
    /* the caller's bytes, not a copy: a GByteArray around them that the
     * stream does not own (g_byte_array_free(.., FALSE) below leaves the
     * bytes alone); the parser keeps parts as offsets into it (persistent
     * stream) instead of copying every part's content */
    ba = g_byte_array_new_take((guint8 *)(uintptr_t)p, n);
    s = g_mime_stream_mem_new_with_byte_array(ba);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(s), FALSE);
    parser = g_mime_parser_new_with_stream(s);
    g_mime_parser_set_persist_stream(parser, TRUE);
    po = g_mime_parser_options_new();
    g_mime_parser_options_set_warning_callback(po, warned, bm);
    msg = g_mime_parser_construct_message(parser, po);
    if (!msg) {
        bm->flags |= SDX_BOUNCE_F_NOT_MIME;
    } else {
        headers(&w, msg);
        walk(&w, g_mime_message_get_mime_part(msg), 0, 0);
        g_object_unref(msg);
    }
    if (bm->warnings)
        bm->flags |= SDX_BOUNCE_F_MIME_DEFECT;
    if (!w.err && w.dsn[0]->len)
        keep(&w, &bm->dsn, (const char *)w.dsn[0]->data, w.dsn[0]->len, SDX_BOUNCE_TEXT_MAX);
    if (!w.err && w.dsn[1]->len)
        keep(&w, &bm->dsn_attached, (const char *)w.dsn[1]->data, w.dsn[1]->len, SDX_BOUNCE_TEXT_MAX);
    g_byte_array_free(w.dsn[0], TRUE);
    g_byte_array_free(w.dsn[1], TRUE);
    g_mime_parser_options_free(po);
    g_object_unref(parser);
    g_object_unref(s);
    g_byte_array_free(ba, FALSE);
    return w.err;
}
