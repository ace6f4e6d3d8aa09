/* test_input.c - log/input.c: reading order of rotated sets, decompression
 * by content (gzip, bzip2, xz, zstd), line ends, over-long lines, NUL bytes,
 * empty, missing and unreadable files, stdin (a file and a pipe), stats.
 * Files live in a mkdtemp() directory removed at the end. Compressed files
 * are made with the gzip, bzip2, xz and zstd commands; a compressor that is
 * missing skips its test, and the run then exits 77 (SKIP_RETURN_CODE) if
 * nothing failed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "smtpdx/input.h"

static char dir[64];            /* the temp directory */
static int skipped_tools;       /* compressors that could not be had */

/* ---- helpers ------------------------------------------------------------ */

/* path_of - dir/name in a rotating set of static buffers */
static const char *path_of(const char *name)
{
    static char paths[16][256];
    static unsigned k;
    char *p = paths[k++ % 16];

    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

/* put - write n bytes to dir/name */
static void put(const char *name, const void *data, size_t n)
{
    FILE *f = fopen(path_of(name), "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void puts_file(const char *name, const char *s)
{
    put(name, s, strlen(s));
}

/* have_tool - is the command on PATH */
static int have_tool(const char *tool)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* compress_to - run "tool -c dir/src > dir/dst"; 0, or -1 when tool is missing */
static int compress_to(const char *tool, const char *src, const char *dst)
{
    char cmd[700];

    if (!have_tool(tool))
        return -1;
    snprintf(cmd, sizeof(cmd), "%s -c '%s' > '%s'", tool, path_of(src), path_of(dst));
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* slurp - read paths to the end into out: each line as "line\n", or with
 * names as "name:lineno:line\n" (name without dir); each error as
 * "!<msg>\n"; stats in *st. Returns the number of errors. */
static int slurp(const char *const *paths, size_t n, int names, struct sdx_buf *out,
                 struct sdx_input_stats *st)
{
    struct sdx_input *in;
    struct sdx_diag d = { 0 };
    struct sdx_str line;
    const char *src;
    unsigned long ln;
    int rc, errors = 0;

    sdx_buf_init(out, 64 << 20);
    assert_int_equal(sdx_input_open(&in, paths, n, &d), 0);
    while ((rc = sdx_input_next(in, &line, &src, &ln, &d)) != 0) {
        if (rc < 0) {
            assert_int_equal(rc, SDX_EIO);
            assert_int_equal(d.code, SDX_EIO);
            assert_non_null(d.source);
            assert_non_null(strstr(d.msg, d.source));   /* the name is in the message */
            assert_int_equal(sdx_buf_addf(out, "!%s\n", d.msg), 0);
            errors++;
            continue;
        }
        if (names) {
            const char *base = strrchr(src, '/');

            assert_int_equal(sdx_buf_addf(out, "%s:%lu:", base ? base + 1 : src, ln), 0);
        }
        assert_int_equal(sdx_buf_add(out, line.p, line.len), 0);
        assert_int_equal(sdx_buf_addc(out, '\n'), 0);
    }
    /* the end stays the end */
    assert_int_equal(sdx_input_next(in, &line, &src, &ln, &d), 0);
    if (st != NULL)
        sdx_input_stats(in, st);
    sdx_input_close(in);
    return errors;
}

/* slurp1 - one path, plain lines */
static int slurp1(const char *path, struct sdx_buf *out, struct sdx_input_stats *st)
{
    const char *paths[1] = { path };

    return slurp(paths, 1, 0, out, st);
}

/* with_stdin - run slurp1("-") with fd 0 replaced by fd */
static int with_stdin(int fd, struct sdx_buf *out, struct sdx_input_stats *st)
{
    int saved = dup(STDIN_FILENO), errors;

    assert_true(saved >= 0);
    assert_true(dup2(fd, STDIN_FILENO) >= 0);
    close(fd);
    errors = slurp1("-", out, st);
    assert_true(dup2(saved, STDIN_FILENO) >= 0);
    close(saved);
    return errors;
}

static int setup(void **state)
{
    const char *tmp = getenv("TMPDIR");

    (void)state;
    snprintf(dir, sizeof(dir), "%s/sdx-input-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- order: names only, files need not exist ------------------------------ */

struct order_case {
    const char *name;
    const char *in[10];         /* NULL-terminated */
    const char *out[10];        /* the order expected */
};

static const struct order_case order_cases[] = {
    { "numbered oldest first",
      { "mail.log", "mail.log.1", "mail.log.3.gz", "mail.log.2.gz", NULL },
      { "mail.log.3.gz", "mail.log.2.gz", "mail.log.1", "mail.log", NULL } },
    { "dated in date order before the live file",
      { "mail.log", "mail.log-20261102", "mail.log-20261101.gz", "mail.log-20261030.gz", NULL },
      { "mail.log-20261030.gz", "mail.log-20261101.gz", "mail.log-20261102", "mail.log", NULL } },
    { "set at its first member, unrelated files keep their order",
      { "b.txt", "mail.log", "a.txt", "mail.log.1", "other", NULL },
      { "b.txt", "mail.log.1", "mail.log", "a.txt", "other", NULL } },
    { "two sets interleaved",
      { "mail.err", "mail.log.1", "mail.err.1", "mail.log", "mail.err.2.gz", NULL },
      { "mail.err.2.gz", "mail.err.1", "mail.err", "mail.log.1", "mail.log", NULL } },
    { "directories make different sets",
      { "a/mail.log", "b/mail.log.1", "a/mail.log.1", "b/mail.log", NULL },
      { "a/mail.log.1", "a/mail.log", "b/mail.log.1", "b/mail.log", NULL } },
    { "numbers compare as numbers, .0 newest of them",
      { "maillog.0.bz2", "maillog.10", "maillog.9", "maillog", "maillog.2", NULL },
      { "maillog.10", "maillog.9", "maillog.2", "maillog.0.bz2", "maillog", NULL } },
    { "dashed dates and dates with hours",
      { "x.log", "x.log-2026-11-02", "x.log-2026-11-01", "y-2026110112", "y-2026110109", NULL },
      { "x.log-2026-11-01", "x.log-2026-11-02", "x.log", "y-2026110109", "y-2026110112", NULL } },
    { "numbered before dated in one set",
      { "m.log-20261101", "m.log", "m.log.1", NULL },
      { "m.log.1", "m.log-20261101", "m.log", NULL } },
    { "equal rotations and duplicates keep their order",
      { "m.log.1.gz", "m.log", "m.log.1", "m.log", NULL },
      { "m.log.1.gz", "m.log.1", "m.log", "m.log", NULL } },
    { "stdin is never in a set",
      { "-", "-.1", "m.log", "-", "m.log.1", NULL },
      { "-", "-.1", "m.log.1", "m.log", "-", NULL } },
    { "not rotations: short digits, no separator, long numbers",
      { "log2", "app-1234", "f.1234567", "log2.1", NULL },
      { "log2.1", "log2", "app-1234", "f.1234567", NULL } },
    { "compressed name without rotation is live",
      { "mail.log", "mail.log.gz", "mail.log.1", NULL },
      { "mail.log.1", "mail.log", "mail.log.gz", NULL } },
    { "no key left",
      { "7", ".1", "dir/.gz", "dir/-20261101", "dir/.1", NULL },
      { "7", ".1", "dir/.gz", "dir/-20261101", "dir/.1", NULL } },
};

static void test_order(void **state)
{
    size_t i, k, n;

    (void)state;
    for (i = 0; i < sizeof(order_cases) / sizeof(order_cases[0]); i++) {
        const struct order_case *c = &order_cases[i];
        struct sdx_input *in;
        struct sdx_diag d = { 0 };
        const size_t *ord;

        for (n = 0; c->in[n] != NULL; n++)
            ;
        assert_int_equal(sdx_input_open(&in, c->in, n, &d), 0);
        ord = sdx_input_order(in);
        for (k = 0; k < n; k++)
            if (strcmp(c->in[ord[k]], c->out[k]) != 0)
                fail_msg("%s: position %zu is '%s', expected '%s'", c->name, k, c->in[ord[k]],
                         c->out[k]);
        sdx_input_close(in);
    }
}

static void test_nothing(void **state)
{
    struct sdx_input *in;
    struct sdx_diag d = { 0 };
    struct sdx_str line;
    struct sdx_input_stats st;

    (void)state;
    assert_int_equal(sdx_input_open(&in, NULL, 0, &d), 0);
    assert_int_equal(sdx_input_next(in, &line, NULL, NULL, &d), 0);
    sdx_input_stats(in, &st);
    assert_int_equal(st.files, 0);
    assert_int_equal(st.lines, 0);
    sdx_input_close(in);
    sdx_input_close(NULL);
    assert_int_equal(sdx_input_open(&in, NULL, 2, &d), SDX_EINVAL);
}

/* ---- reading ------------------------------------------------------------- */

static void test_plain(void **state)
{
    struct sdx_buf out;
    struct sdx_input_stats st;
    const char *paths[2];

    (void)state;
    puts_file("plain.log", "one\ntwo\n\nfour\n");
    paths[0] = path_of("plain.log");
    assert_int_equal(slurp(paths, 1, 1, &out, &st), 0);
    assert_string_equal(out.data, "plain.log:1:one\nplain.log:2:two\nplain.log:3:\nplain.log:4:four\n");
    assert_int_equal(st.files, 1);
    assert_int_equal(st.lines, 4);
    assert_int_equal(st.bytes, 14);
    assert_int_equal(st.cut, 0);
    assert_int_equal(st.nul, 0);
    sdx_buf_release(&out);
}

static void test_line_ends(void **state)
{
    static const struct {
        const char *name, *data, *want;
    } rows[] = {
        { "crlf", "a\r\nb\r\n", "a\nb\n" },
        { "no newline at end", "a\nlast", "a\nlast\n" },
        { "crlf, last without", "a\r\nb\r", "a\nb\n" },
        { "only the \\r before \\n goes", "a\r\r\n\rb\n", "a\r\n\rb\n" },
        { "bare cr inside", "a\rb\n", "a\rb\n" },
        { "empty lines", "\n\r\n\n", "\n\n\n" },
        { "one newline", "\n", "\n" },
        { "one byte", "x", "x\n" },
    };
    struct sdx_buf out;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        puts_file("ends.log", rows[i].data);
        assert_int_equal(slurp1(path_of("ends.log"), &out, NULL), 0);
        if (strcmp(out.data, rows[i].want) != 0)
            fail_msg("%s: got '%s'", rows[i].name, out.data);
        sdx_buf_release(&out);
    }
}

static void test_empty(void **state)
{
    struct sdx_buf out;
    struct sdx_input_stats st;
    const char *paths[3];

    (void)state;
    put("empty.log", "", 0);
    puts_file("after.log", "x\n");
    paths[0] = path_of("empty.log");
    paths[1] = path_of("after.log");
    assert_int_equal(slurp(paths, 2, 1, &out, &st), 0);
    assert_string_equal(out.data, "after.log:1:x\n");
    assert_int_equal(st.files, 2);
    assert_int_equal(st.lines, 1);
    assert_int_equal(st.bytes, 2);
    sdx_buf_release(&out);
}

/* long lines: exactly at the limit, one over, the limit plus CRLF, 1 MB with
 * a normal line after it, and an over-long last line without \n */
static void test_long_lines(void **state)
{
    const size_t max = SDX_INPUT_LINE_MAX, big = 1 << 20;
    struct sdx_input *in;
    struct sdx_diag d = { 0 };
    struct sdx_input_stats st;
    struct sdx_str line;
    const char *paths[1];
    unsigned long ln;
    char *data;
    size_t n = 0;

    (void)state;
    data = malloc(4 * big);
    assert_non_null(data);
    memset(data, 'a', max), n += max, data[n++] = '\n';                     /* 1: at the limit */
    memset(data + n, 'b', max + 1), n += max + 1, data[n++] = '\n';         /* 2: one over */
    memset(data + n, 'c', max), n += max, data[n++] = '\r', data[n++] = '\n'; /* 3: limit + CRLF */
    memset(data + n, 'd', big), n += big, data[n++] = '\n';                 /* 4: 1 MB */
    memcpy(data + n, "normal\n", 7), n += 7;                                /* 5 */
    memset(data + n, 'e', big), n += big;                                   /* 6: 1 MB, no \n */
    put("long.log", data, n);

    paths[0] = path_of("long.log");
    assert_int_equal(sdx_input_open(&in, paths, 1, &d), 0);
    assert_int_equal(sdx_input_next(in, &line, NULL, &ln, &d), 1);
    assert_int_equal(line.len, max);
    assert_int_equal(line.p[0], 'a');
    assert_int_equal(line.p[max - 1], 'a');
    assert_int_equal(sdx_input_next(in, &line, NULL, &ln, &d), 1);
    assert_int_equal(line.len, max);
    assert_int_equal(line.p[max - 1], 'b');
    assert_int_equal(sdx_input_next(in, &line, NULL, &ln, &d), 1);
    assert_int_equal(line.len, max);
    assert_int_equal(line.p[max - 1], 'c');
    assert_int_equal(sdx_input_next(in, &line, NULL, &ln, &d), 1);
    assert_int_equal(line.len, max);
    assert_int_equal(line.p[0], 'd');
    assert_int_equal(line.p[max - 1], 'd');
    assert_int_equal(ln, 4);
    assert_int_equal(sdx_input_next(in, &line, NULL, &ln, &d), 1);
    assert_int_equal(line.len, 6);
    assert_memory_equal(line.p, "normal", 6);
    assert_int_equal(ln, 5);
    assert_int_equal(sdx_input_next(in, &line, NULL, &ln, &d), 1);
    assert_int_equal(line.len, max);
    assert_int_equal(line.p[0], 'e');
    assert_int_equal(ln, 6);
    assert_int_equal(sdx_input_next(in, &line, NULL, &ln, &d), 0);
    sdx_input_stats(in, &st);
    assert_int_equal(st.lines, 6);
    assert_int_equal(st.cut, 3);        /* 2, 4, 6 */
    assert_int_equal(st.bytes, n);
    sdx_input_close(in);
    free(data);
}

/* lines crossing the read buffer, of every length up to a few KiB, against
 * their expected content; also through gzip */
static void test_many_lines(void **state)
{
    struct sdx_buf want, out;
    struct sdx_input_stats st;
    unsigned long i;
    unsigned seed = 7;

    (void)state;
    sdx_buf_init(&want, 16 << 20);
    for (i = 0; i < 6000; i++) {
        size_t len = (seed = seed * 1103515245u + 12345u) >> 20, k;   /* 0 .. 4095 */

        assert_int_equal(sdx_buf_addf(&want, "%lu ", i), 0);
        for (k = 0; k < len; k++)
            assert_int_equal(sdx_buf_addc(&want, 'A' + (int)((i + k) % 26)), 0);
        assert_int_equal(sdx_buf_addc(&want, '\n'), 0);
    }
    put("many.log", want.data, want.len);
    assert_int_equal(slurp1(path_of("many.log"), &out, &st), 0);
    assert_int_equal(out.len, want.len);
    assert_memory_equal(out.data, want.data, want.len);
    assert_int_equal(st.lines, 6000);
    sdx_buf_release(&out);
    if (compress_to("gzip", "many.log", "many.log.gz") == 0) {
        assert_int_equal(slurp1(path_of("many.log.gz"), &out, &st), 0);
        assert_int_equal(out.len, want.len);
        assert_memory_equal(out.data, want.data, want.len);
        assert_int_equal(st.bytes, want.len);
        sdx_buf_release(&out);
    }
    sdx_buf_release(&want);
}

static void test_nul(void **state)
{
    static const char data[] = "a\0b\nclean\n\0\nend\0";
    struct sdx_input *in;
    struct sdx_diag d = { 0 };
    struct sdx_input_stats st;
    struct sdx_str line;
    const char *paths[1];
    char *big;
    const size_t bign = 200000;

    (void)state;
    put("nul.log", data, sizeof(data) - 1);
    paths[0] = path_of("nul.log");
    assert_int_equal(sdx_input_open(&in, paths, 1, &d), 0);
    assert_int_equal(sdx_input_next(in, &line, NULL, NULL, &d), 1);
    assert_int_equal(line.len, 3);
    assert_memory_equal(line.p, "a\0b", 3);
    assert_int_equal(sdx_input_next(in, &line, NULL, NULL, &d), 1);
    assert_int_equal(line.len, 5);
    assert_int_equal(sdx_input_next(in, &line, NULL, NULL, &d), 1);
    assert_int_equal(line.len, 1);
    assert_int_equal(line.p[0], '\0');
    assert_int_equal(sdx_input_next(in, &line, NULL, NULL, &d), 1);
    assert_int_equal(line.len, 4);
    assert_memory_equal(line.p, "end\0", 4);
    assert_int_equal(sdx_input_next(in, &line, NULL, NULL, &d), 0);
    sdx_input_stats(in, &st);
    assert_int_equal(st.lines, 4);
    assert_int_equal(st.nul, 3);
    sdx_input_close(in);

    /* a NUL only in the skipped tail of an over-long line still counts */
    big = malloc(bign + 8);
    assert_non_null(big);
    memset(big, 'x', bign);
    big[bign - 10] = '\0';
    memcpy(big + bign, "\nok\n", 4);
    put("nultail.log", big, bign + 4);
    assert_int_equal(sdx_input_open(&in, (const char *const[]){ path_of("nultail.log") }, 1, &d), 0);
    assert_int_equal(sdx_input_next(in, &line, NULL, NULL, &d), 1);
    assert_int_equal(line.len, SDX_INPUT_LINE_MAX);
    assert_null(memchr(line.p, '\0', line.len));
    assert_int_equal(sdx_input_next(in, &line, NULL, NULL, &d), 1);
    assert_int_equal(sdx_input_next(in, &line, NULL, NULL, &d), 0);
    sdx_input_stats(in, &st);
    assert_int_equal(st.nul, 1);
    assert_int_equal(st.cut, 1);
    sdx_input_close(in);
    free(big);
}

/* binary garbage, 1 MB: read to the end, every byte accounted for */
static void test_garbage(void **state)
{
    const size_t n = 1 << 20;
    struct sdx_buf out;
    struct sdx_input_stats st;
    unsigned char *g;
    unsigned seed = 1;
    size_t i;

    (void)state;
    g = malloc(n);
    assert_non_null(g);
    g[0] = 0x1f;                /* looks like gzip for one byte, then not */
    g[1] = 0x00;
    for (i = 2; i < n; i++)
        g[i] = (unsigned char)((seed = seed * 1103515245u + 12345u) >> 23);
    put("garbage.bin", g, n);
    assert_int_equal(slurp1(path_of("garbage.bin"), &out, &st), 0);
    assert_int_equal(st.bytes, n);
    assert_true(st.lines > 1000);
    assert_true(st.nul > 0);
    sdx_buf_release(&out);
    free(g);
}

/* ---- compression ----------------------------------------------------------- */

static void compressed_one(const char *tool, const char *ext)
{
    static const char text[] = "Nov 27 18:48:11 mx postfix/smtp[1]: one\r\ntwo\nlast";
    char gz[64], odd[64];
    struct sdx_buf out;
    struct sdx_input_stats st;

    puts_file("c.log", text);
    snprintf(gz, sizeof(gz), "c.log.1.%s", ext);
    snprintf(odd, sizeof(odd), "%s-named.txt", tool);
    if (compress_to(tool, "c.log", gz) != 0) {
        skipped_tools++;
        skip();
    }
    assert_int_equal(slurp1(path_of(gz), &out, &st), 0);
    assert_string_equal(out.data, "Nov 27 18:48:11 mx postfix/smtp[1]: one\ntwo\nlast\n");
    assert_int_equal(st.bytes, sizeof(text) - 1);
    assert_int_equal(st.lines, 3);
    sdx_buf_release(&out);
    /* by content, not by name */
    assert_int_equal(compress_to(tool, "c.log", odd), 0);
    assert_int_equal(slurp1(path_of(odd), &out, NULL), 0);
    assert_string_equal(out.data, "Nov 27 18:48:11 mx postfix/smtp[1]: one\ntwo\nlast\n");
    sdx_buf_release(&out);
    /* a compressed empty file */
    put("e.log", "", 0);
    assert_int_equal(compress_to(tool, "e.log", "e.log.cmp"), 0);
    assert_int_equal(slurp1(path_of("e.log.cmp"), &out, &st), 0);
    assert_string_equal(out.data, "");
    assert_int_equal(st.files, 1);
    assert_int_equal(st.lines, 0);
    sdx_buf_release(&out);
}

static void test_gzip(void **state)  { (void)state; compressed_one("gzip", "gz"); }
static void test_bzip2(void **state) { (void)state; compressed_one("bzip2", "bz2"); }
static void test_xz(void **state)    { (void)state; compressed_one("xz", "xz"); }
static void test_zstd(void **state)  { (void)state; compressed_one("zstd", "zst"); }

/* a plain file named .gz is plain; concatenated gzip members are one stream */
static void test_gzip_oddities(void **state)
{
    struct sdx_buf out;
    char cmd[512];

    (void)state;
    puts_file("fake.log.gz", "not compressed\n");
    assert_int_equal(slurp1(path_of("fake.log.gz"), &out, NULL), 0);
    assert_string_equal(out.data, "not compressed\n");
    sdx_buf_release(&out);
    /* gzip's magic without a gzip header after it: no filter takes it, text */
    puts_file("magic.log", "\x1f\x8bhello\nworld\n");
    assert_int_equal(slurp1(path_of("magic.log"), &out, NULL), 0);
    assert_string_equal(out.data, "\x1f\x8bhello\nworld\n");
    sdx_buf_release(&out);
    /* zstd's magic and a broken frame: the filter takes it and fails */
    puts_file("bad.zst", "\x28\xb5\x2f\xfdjunkjunk\n");
    assert_int_equal(slurp1(path_of("bad.zst"), &out, NULL), 1);
    assert_non_null(strstr(out.data, "!cannot decompress '"));
    assert_non_null(strstr(out.data, "bad.zst': "));
    sdx_buf_release(&out);
    if (!have_tool("gzip")) {
        skipped_tools++;
        skip();
    }
    puts_file("p1", "first\nsplit ");
    puts_file("p2", "line\nsecond\n");
    snprintf(cmd, sizeof(cmd), "cd '%s' && gzip -c p1 > cat.gz && gzip -c p2 >> cat.gz", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(slurp1(path_of("cat.gz"), &out, NULL), 0);
    assert_string_equal(out.data, "first\nsplit line\nsecond\n");
    sdx_buf_release(&out);
}

/* a truncated gzip: the lines before the damage, then the error, then the
 * next file */
static void test_corrupt(void **state)
{
    struct sdx_buf want, out;
    const char *paths[2];
    char cmd[512];
    struct stat sb;
    unsigned long i;

    (void)state;
    if (!have_tool("gzip")) {
        skipped_tools++;
        skip();
    }
    sdx_buf_init(&want, 8 << 20);
    for (i = 0; i < 100000; i++)
        assert_int_equal(sdx_buf_addf(&want, "line %lu of a log that will be cut short\n", i), 0);
    put("trunc.log", want.data, want.len);
    sdx_buf_release(&want);
    assert_int_equal(compress_to("gzip", "trunc.log", "trunc.gz"), 0);
    assert_int_equal(stat(path_of("trunc.gz"), &sb), 0);
    snprintf(cmd, sizeof(cmd), "truncate -s %lld '%s'", (long long)sb.st_size / 2, path_of("trunc.gz"));
    assert_int_equal(system(cmd), 0);
    puts_file("next.log", "next\n");
    paths[0] = path_of("trunc.gz");
    paths[1] = path_of("next.log");
    assert_int_equal(slurp(paths, 2, 1, &out, NULL), 1);
    assert_non_null(strstr(out.data, "trunc.gz:1:line 0 of"));
    assert_non_null(strstr(out.data, "!cannot decompress '"));
    assert_non_null(strstr(out.data, "trunc.gz': "));
    /* the error comes after the file's lines, before the next file */
    assert_true(strstr(out.data, "!cannot") > strstr(out.data, "trunc.gz:1000:"));
    assert_non_null(strstr(out.data, "next.log:1:next\n"));
    assert_true(strstr(out.data, "next.log:1:next\n") > strstr(out.data, "!cannot"));
    sdx_buf_release(&out);
}

/* ---- sets, errors, stdin ------------------------------------------------------ */

/* a rotated set given shuffled, with an unrelated file and a dated set */
static void test_rotated_set(void **state)
{
    static const char *const names[] = { "mail.log.1", "other.log", "mail.log", "mail.log.3.gz",
                                         "d-20261102", "mail.log.2.gz", "d", "d-20261101.gz" };
    const char *paths[8];
    struct sdx_buf out;
    struct sdx_input_stats st;
    struct sdx_input *in;
    struct sdx_diag d = { 0 };
    const size_t *ord;
    size_t i;

    (void)state;
    if (!have_tool("gzip")) {
        skipped_tools++;
        skip();
    }
    puts_file("mail.log", "live 1\nlive 2\n");
    puts_file("mail.log.1", "one 1\none 2\n");
    puts_file("two", "two 1\n");
    puts_file("three", "three 1\nthree 2\nthree 3\n");
    puts_file("other.log", "other 1\n");
    puts_file("d", "d live\n");
    puts_file("d-20261102", "d 02\n");
    puts_file("d1", "d 01\n");
    assert_int_equal(compress_to("gzip", "two", "mail.log.2.gz"), 0);
    assert_int_equal(compress_to("gzip", "three", "mail.log.3.gz"), 0);
    assert_int_equal(compress_to("gzip", "d1", "d-20261101.gz"), 0);
    for (i = 0; i < 8; i++)
        paths[i] = path_of(names[i]);

    assert_int_equal(sdx_input_open(&in, paths, 8, &d), 0);
    ord = sdx_input_order(in);
    {
        static const size_t want[] = { 3, 5, 0, 2, 1, 7, 4, 6 };

        for (i = 0; i < 8; i++)
            if (ord[i] != want[i])
                fail_msg("position %zu: '%s'", i, names[ord[i]]);
    }
    sdx_input_close(in);

    assert_int_equal(slurp(paths, 8, 1, &out, &st), 0);
    assert_string_equal(out.data,
                        "mail.log.3.gz:1:three 1\nmail.log.3.gz:2:three 2\nmail.log.3.gz:3:three 3\n"
                        "mail.log.2.gz:1:two 1\n"
                        "mail.log.1:1:one 1\nmail.log.1:2:one 2\n"
                        "mail.log:1:live 1\nmail.log:2:live 2\n"
                        "other.log:1:other 1\n"
                        "d-20261101.gz:1:d 01\nd-20261102:1:d 02\nd:1:d live\n");
    assert_int_equal(st.files, 8);
    assert_int_equal(st.lines, 12);
    sdx_buf_release(&out);
}

/* a missing file and a directory: an error naming each, then the next file */
static void test_missing(void **state)
{
    const char *paths[4];
    struct sdx_buf out;
    struct sdx_input_stats st;
    char want[1024];
    struct sdx_input *in;
    struct sdx_diag d = { 0 };
    struct sdx_str line;
    const char *src;
    unsigned long ln;

    (void)state;
    puts_file("here.log", "here\n");
    puts_file("there.log", "there\n");
    mkdir(path_of("adir"), 0700);
    paths[0] = path_of("missing.log");
    paths[1] = path_of("here.log");
    paths[2] = path_of("adir");
    paths[3] = path_of("there.log");
    assert_int_equal(slurp(paths, 4, 1, &out, &st), 2);
    snprintf(want, sizeof(want),
             "!cannot open '%s/missing.log': no such file or directory\n"
             "here.log:1:here\n"
             "!cannot read '%s/adir': is a directory\n"
             "there.log:1:there\n", dir, dir);
    assert_string_equal(out.data, want);
    assert_int_equal(st.files, 3);      /* the directory opens, then fails */
    assert_int_equal(st.lines, 2);
    sdx_buf_release(&out);

    /* the diag: code, source, line */
    assert_int_equal(sdx_input_open(&in, paths, 2, &d), 0);
    assert_int_equal(sdx_input_next(in, &line, &src, &ln, &d), SDX_EIO);
    assert_int_equal(d.code, SDX_EIO);
    assert_string_equal(d.source, paths[0]);
    assert_int_equal(d.line, 0);
    assert_int_equal(sdx_input_next(in, &line, &src, &ln, NULL), 1);
    assert_string_equal(src, paths[1]);
    assert_int_equal(sdx_input_next(in, &line, &src, &ln, NULL), 0);
    sdx_input_close(in);
}

static void test_stdin(void **state)
{
    struct sdx_buf out;
    struct sdx_input_stats st;
    int fd;

    (void)state;
    puts_file("in.log", "from\r\nstdin");
    fd = open(path_of("in.log"), O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(with_stdin(fd, &out, &st), 0);
    assert_string_equal(out.data, "from\nstdin\n");
    assert_int_equal(st.files, 1);
    sdx_buf_release(&out);

    if (compress_to("xz", "in.log", "in.log.xz") != 0) {
        skipped_tools++;
        skip();
    }
    fd = open(path_of("in.log.xz"), O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(with_stdin(fd, &out, NULL), 0);
    assert_string_equal(out.data, "from\nstdin\n");
    sdx_buf_release(&out);
}

/* stdin a pipe, its first bytes written one at a time: the magic is read
 * across short reads and replayed to libarchive */
static void test_stdin_pipe(void **state)
{
    struct sdx_buf want, out;
    int p[2], status;
    pid_t pid;
    unsigned long i;

    (void)state;
    sdx_buf_init(&want, 8 << 20);
    for (i = 0; i < 50000; i++)
        assert_int_equal(sdx_buf_addf(&want, "piped line %lu\n", i), 0);
    put("pipe.log", want.data, want.len);
    /* any compressor will do; zstd's test covers zstd itself */
    if (compress_to("zstd", "pipe.log", "pipe.log.zst") != 0 &&
        compress_to("gzip", "pipe.log", "pipe.log.zst") != 0) {
        sdx_buf_release(&want);
        skipped_tools++;
        skip();
    }
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char b[4096];
        ssize_t r;
        int fd = open(path_of("pipe.log.zst"), O_RDONLY), k;

        close(p[0]);
        for (k = 0; k < 8 && read(fd, b, 1) == 1; k++) {
            if (write(p[1], b, 1) != 1)
                _exit(1);
            nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
        }
        while ((r = read(fd, b, sizeof(b))) > 0)
            if (write(p[1], b, (size_t)r) != r)
                _exit(1);
        _exit(0);
    }
    close(p[1]);
    assert_int_equal(with_stdin(p[0], &out, NULL), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(out.len, want.len);
    assert_memory_equal(out.data, want.data, want.len);
    sdx_buf_release(&out);
    sdx_buf_release(&want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_nothing),
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_many_lines),
        cmocka_unit_test(test_nul),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_bzip2),
        cmocka_unit_test(test_xz),
        cmocka_unit_test(test_zstd),
        cmocka_unit_test(test_gzip_oddities),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_rotated_set),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_stdin_pipe),
    };
    int failed = cmocka_run_group_tests_name("unit.input", tests, setup, teardown);

    if (failed == 0 && skipped_tools > 0)
        return 77;              /* a compressor could not be had: SKIP_RETURN_CODE */
    return failed;
}
