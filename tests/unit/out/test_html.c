/* test_html.c - out/html.c: the HTML escaper (injection attempts, control
 * bytes, invalid UTF-8), the timeline's buckets, and a page made from
 * hostile groups: well formed enough, no script, no load, every group */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/html.h"

static void test_esc(void **state)
{
    static const struct { const char *in; size_t n; const char *out; } rows[] = {
        { "plain text", 0, "plain text" },
        { "<script>alert(1)</script>", 0, "&lt;script&gt;alert(1)&lt;/script&gt;" },
        { "\"><img src=x onerror=alert(1)>", 0, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" },
        { "it's & <b>", 0, "it&#39;s &amp; &lt;b&gt;" },
        { "&amp;", 0, "&amp;amp;" },
        { "a\nb\tc\rd", 0, "a\xe2\x90\x8a" "b\xe2\x90\x89" "c\xe2\x90\x8d" "d" },   /* U+240A, U+2409, U+240D */
        { "\x1b[31mred", 0, "\xe2\x90\x9b[31mred" },                                /* ESC as U+241B */
        { "del\x7f", 0, "del\xe2\x90\xa1" },                                         /* U+2421 */
        { "nul\0x", 5, "nul\xe2\x90\x80x" },                                          /* U+2400, binary safe */
        { "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x93\xa7", 0, "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x93\xa7" }, /* UTF-8 kept */
        { "bad\xff\xfe!", 0, "bad\xef\xbf\xbd\xef\xbf\xbd!" },                      /* each invalid byte U+FFFD */
        { "\xc3", 0, "\xef\xbf\xbd" },                                                 /* cut sequence */
        { "\xc0\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd" },                                 /* overlong '/' */
        { "\xed\xa0\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },                 /* surrogate */
        { "\xe0\xbc\x3c", 0, "\xef\xbf\xbd\xef\xbf\xbd&lt;" },                          /* invalid, then '<' still escaped */
        { "x\xc2\x85y", 0, "x\\u0085y" },                                               /* C1 NEL */
        { "abc\xe2\x80\xae" "cba", 0, "abc\\u202ecba" },                                /* RLO override */
        { "\xe2\x81\xa6z", 0, "\\u2066z" },                                              /* LRI isolate */
        { "", 0, "" },
    };
    struct sdx_buf b;
    size_t i;

    (void)state;
    sdx_buf_init(&b, 4096);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        size_t n = rows[i].n ? rows[i].n : strlen(rows[i].in);

        sdx_buf_reset(&b);
        assert_int_equal(sdx_html_esc(&b, rows[i].in, n), 0);
        if (strcmp(b.data, rows[i].out) != 0)
            fail_msg("row %zu: '%s', want '%s'", i, b.data, rows[i].out);
    }
    /* bounded: what fits is kept, the error says it was cut */
    sdx_buf_release(&b);
    sdx_buf_init(&b, 6);
    assert_int_equal(sdx_html_esc(&b, "<<<<", 4), SDX_ETOOBIG);
    assert_true(b.len <= 6);
    sdx_buf_release(&b);
}

#define MIN_US ((int64_t)60 * 1000000)
#define T0     ((int64_t)1795800000 * 1000000)   /* 2026-11-28 (a minute boundary) */

static unsigned long tl_sum(const struct sdx_html_timeline *t)
{
    unsigned long s = 0;
    size_t i;

    for (i = 0; i < t->n; i++)
        s += t->count[i];
    return s;
}

static void test_timeline(void **state)
{
    static struct sdx_html_timeline t;
    int i;

    (void)state;
    memset(&t, 0, sizeof(t));
    sdx_html_timeline_add(&t, 0);
    assert_int_equal(t.undated, 1);
    assert_int_equal(t.n, 0);
    /* minutes */
    sdx_html_timeline_add(&t, T0 + 5 * 1000000);
    sdx_html_timeline_add(&t, T0 + 50 * 1000000);
    sdx_html_timeline_add(&t, T0 + 3 * MIN_US);
    assert_int_equal(t.unit_us, MIN_US);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.count[0], 2);
    assert_int_equal(t.count[3], 1);
    /* an earlier event (an older file read late) shifts the buckets */
    sdx_html_timeline_add(&t, T0 - 2 * MIN_US);
    assert_int_equal(t.n, 6);
    assert_int_equal(t.count[0], 1);
    assert_int_equal(t.count[2], 2);
    assert_true(t.origin_us == T0 - 2 * MIN_US);
    /* ten days later: minutes no longer fit, hours do */
    sdx_html_timeline_add(&t, T0 + 10 * 24 * 60 * MIN_US);
    assert_true(t.unit_us == 60 * MIN_US);
    assert_true(t.n <= SDX_HTML_TIMELINE_MAX);
    assert_int_equal(tl_sum(&t), 5);
    /* a year later: days */
    sdx_html_timeline_add(&t, T0 + (int64_t)400 * 24 * 60 * MIN_US);
    assert_true(t.unit_us == 24 * 60 * MIN_US);
    assert_int_equal(t.count[0], 4);
    assert_int_equal(tl_sum(&t), 6);
    /* decades: the ends absorb the rest, nothing is lost or overrun */
    for (i = 0; i < 10; i++)
        sdx_html_timeline_add(&t, T0 + (int64_t)(i + 1) * 3650 * 24 * 60 * MIN_US);
    assert_true(t.n <= SDX_HTML_TIMELINE_MAX);
    assert_int_equal(tl_sum(&t), 16);
    assert_int_equal(t.undated, 1);
}

/* add - one event with a reply text, a story and a time */
static void add(struct sdx_groups *g, const char *reply, const char *rcpt, enum sdx_direction dir,
                enum sdx_outcome out, int64_t when, const char *story)
{
    struct sdx_reply r;
    struct sdx_event e;
    struct sdx_verdict v;
    struct sdx_str st[2];

    sdx_reply_init(&r);
    assert_int_equal(sdx_reply_parse(&r, reply, strlen(reply)), 0);
    sdx_event_init(&e, &r);
    e.dir = dir;
    e.outcome = out;
    e.when_us = when;
    e.source = "mail.log";
    e.line = 7;
    e.recipient = sdx_str_from(rcpt);
    e.queue_id = sdx_str_from("4F2A1B");
    st[0] = sdx_str_from(story);
    st[1] = sdx_str_from("second line \xff\x01 of the story");
    e.story = st;
    e.nstory = 2;
    sdx_event_classify(&e, &v);
    assert_int_equal(sdx_groups_add(g, &e, &v), 0);
    sdx_reply_release(&r);
}

/* tags_clean - no tag loads or links anything, and no script element */
static void tags_clean(const char *page)
{
    const char *p = page;

    assert_null(strstr(page, "<script"));
    assert_null(strstr(page, "<img"));
    assert_null(strstr(page, "<iframe"));
    assert_null(strstr(page, "url("));
    assert_null(strstr(page, "@import"));
    while ((p = strchr(p, '<')) != NULL) {
        const char *e = strchr(p, '>');
        char tag[4096];
        size_t n;

        assert_non_null(e);
        n = (size_t)(e - p) < sizeof(tag) - 1 ? (size_t)(e - p) : sizeof(tag) - 1;
        memcpy(tag, p, n);
        tag[n] = '\0';
        if (strstr(tag, " src=") || strstr(tag, "href=") || strstr(tag, "http:") || strstr(tag, "https:") ||
            strstr(tag, " on"))
            fail_msg("tag loads, links or runs something: %s", tag);
        p = e;
    }
}

static void test_report(void **state)
{
    struct sdx_groups *g;
    struct sdx_buf b;
    static struct sdx_html_timeline tl;
    struct sdx_html_info info;
    const struct sdx_group *const *gs;
    size_t n, i;
    int k;

    (void)state;
    memset(&tl, 0, sizeof(tl));
    assert_int_equal(sdx_groups_new(&g), 0);
    for (k = 0; k < 5; k++) {
        add(g, "550 5.1.1 <script>alert(1)</script>: User unknown", "bob@example.com", SDX_DIR_OUTBOUND,
            SDX_OUT_BOUNCED, T0 + k * MIN_US, "postfix/smtp[1]: <script>alert('x')</script> said: 550");
        sdx_html_timeline_add(&tl, T0 + k * MIN_US);
    }
    add(g, "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked \"><img src=x onerror=alert(1)>",
        "carol@example.org", SDX_DIR_INBOUND, SDX_OUT_REJECTED, T0 + 90 * MIN_US,
        "postfix/smtpd[2]: NOQUEUE: reject: \x1b[2J <a href=\"http://evil.example/\">x</a>");
    sdx_html_timeline_add(&tl, T0 + 90 * MIN_US);
    add(g, "451 4.7.1 Try again later \xe2\x80\xae" "deliberately reversed", "dave@example.net", SDX_DIR_OUTBOUND,
        SDX_OUT_DEFERRED, T0 + 30 * MIN_US, "postfix/smtp[3]: deferred");
    sdx_html_timeline_add(&tl, T0 + 30 * MIN_US);

    memset(&info, 0, sizeof(info));
    info.title = "report for <mx1> & co";
    info.lines = 120, info.mta_lines = 100, info.files = 1, info.delivered = 3;
    info.first_us = T0, info.last_us = T0 + 90 * MIN_US;
    info.timeline = &tl;
    sdx_buf_init(&b, (size_t)4 << 20);
    assert_int_equal(sdx_html_report(&b, g, &info), 0);

    assert_memory_equal(b.data, "<!DOCTYPE html>", 15);
    assert_non_null(strstr(b.data, "<svg"));
    assert_non_null(strstr(b.data, "</html>\n"));
    assert_non_null(strstr(b.data, "Content-Security-Policy"));
    assert_non_null(strstr(b.data, "report for &lt;mx1&gt; &amp; co"));
    assert_non_null(strstr(b.data, "per minute"));                 /* 90 minutes: minute bars */
    assert_non_null(strstr(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert_non_null(strstr(b.data, "&lt;a href=&quot;http://evil.example/&quot;&gt;"));
    assert_non_null(strstr(b.data, "\xe2\x90\x9b[2J"));           /* ESC shown as a symbol */
    assert_non_null(strstr(b.data, "\\u202e"));
    assert_non_null(strstr(b.data, "second line \xef\xbf\xbd\xe2\x90\x81 of the story"));
    assert_null(strstr(b.data, "\x1b"));
    tags_clean(b.data);
    /* every group is on the page, with its count and fingerprint */
    n = sdx_groups_sorted(g, &gs);
    assert_int_equal(n, 3);
    for (i = 0; i < n; i++) {
        struct sdx_buf fp;
        char h[64];

        snprintf(h, sizeof(h), "id=\"g%zu\">\n<h3>%zu. %lu&times; ", i + 1, i + 1, gs[i]->count);
        assert_non_null(strstr(b.data, h));
        sdx_buf_init(&fp, 4096);
        assert_int_equal(sdx_html_esc(&fp, gs[i]->fingerprint, strlen(gs[i]->fingerprint)), 0);
        if (strstr(b.data, fp.data) == NULL)
            fail_msg("group %zu fingerprint missing: %s", i + 1, fp.data);
        sdx_buf_release(&fp);
    }
    /* the balance of the main elements */
    {
        static const char *const pairs[][2] = { { "<section", "</section>" }, { "<svg", "</svg>" },
                                                { "<pre>", "</pre>" }, { "<dl>", "</dl>" } };
        size_t q;

        for (q = 0; q < sizeof(pairs) / sizeof(pairs[0]); q++) {
            size_t o = 0, c = 0;
            const char *p;

            for (p = b.data; (p = strstr(p, pairs[q][0])) != NULL; p++)
                o++;
            for (p = b.data; (p = strstr(p, pairs[q][1])) != NULL; p++)
                c++;
            if (o != c || o == 0)
                fail_msg("%s: %zu opened, %zu closed", pairs[q][0], o, c);
        }
    }

    /* --limit 1: one group, and a note on the rest */
    sdx_buf_reset(&b);
    info.limit = 1;
    assert_int_equal(sdx_html_report(&b, g, &info), 0);
    assert_non_null(strstr(b.data, "id=\"g1\""));
    assert_null(strstr(b.data, "id=\"g2\""));
    assert_non_null(strstr(b.data, "2 more groups"));

    /* no info, no timeline: still a page */
    sdx_buf_reset(&b);
    assert_int_equal(sdx_html_report(&b, g, NULL), 0);
    assert_memory_equal(b.data, "<!DOCTYPE html>", 15);

    /* a ceiling too low: the error, and no overrun */
    sdx_buf_release(&b);
    sdx_buf_init(&b, 1000);
    assert_int_equal(sdx_html_report(&b, g, &info), SDX_ETOOBIG);
    assert_true(b.len <= 1000);
    sdx_buf_release(&b);
    sdx_groups_free(g);
}

static void test_empty(void **state)
{
    struct sdx_groups *g;
    struct sdx_buf b;

    (void)state;
    assert_int_equal(sdx_groups_new(&g), 0);
    sdx_buf_init(&b, 1 << 20);
    assert_int_equal(sdx_html_report(&b, g, NULL), 0);
    assert_non_null(strstr(b.data, "No refusal"));
    assert_null(strstr(b.data, "<svg"));        /* nothing to chart */
    sdx_buf_release(&b);
    sdx_groups_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esc),
        cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_empty),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
