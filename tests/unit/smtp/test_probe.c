/* test_probe.c - what probe.c decides without a server: the needs of a
 * sender against advertised capabilities, option checks, names, and the
 * many-session loop against loopback sockets this test owns (a port nobody
 * listens on, a listener that never speaks). Sessions against a real
 * Postfix are in tests/integration; misbehaving servers in
 * tests/cli/probe_faults.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "smtpdx/probe.h"
#include "smtpdx/replay.h"

static void need(const char *s, unsigned caps, unsigned long long limit, int met, int code)
{
    struct sdx_probe_need n;

    assert_int_equal(sdx_probe_need(s, strlen(s), caps, limit, &n), 0);
    assert_true(n.known);
    if (n.met != met || n.reply_code != code)
        fail_msg("%s: met %d code %d, want %d %d", s, n.met, n.reply_code, met, code);
    assert_non_null(n.explanation);
}

static void test_needs(void **state)
{
    (void)state;
    need("SMTPUTF8", SDX_CAP_SMTPUTF8, 0, 1, 553);
    need("smtputf8", 0, 0, 0, 553);                     /* any case */
    need("8BITMIME", SDX_CAP_PIPELINING, 0, 0, 554);
    need("SIZE=30000000", SDX_CAP_SIZE, 102400, 0, 552);
    need("SIZE=1000", SDX_CAP_SIZE, 102400, 1, 552);
    need("SIZE=30000000", SDX_CAP_SIZE, 0, 1, 552);     /* SIZE without a number: no limit */
    need("SIZE=30000000", 0, 0, 1, 552);                /* no SIZE: no stated limit */
    need("SIZE", 0, 0, 0, 552);
    need("DSN", 0, 0, 0, 555);
    need("CHUNKING", SDX_CAP_CHUNKING, 0, 1, 502);
    need("STARTTLS", 0, 0, 0, 0);                        /* no refusal: mail in clear */
    need("REQUIRETLS", 0, 0, 0, 0);                      /* the sender's own bounce, 5.7.30 */
}

static void test_bad_needs(void **state)
{
    struct sdx_probe_need n;

    (void)state;
    assert_int_equal(sdx_probe_need("FOO", 3, 0, 0, &n), 0);
    assert_false(n.known);
    assert_int_equal(sdx_probe_need("SIZE=", 5, 0, 0, &n), SDX_EINVAL);
    assert_int_equal(sdx_probe_need("SIZE=12x", 8, 0, 0, &n), SDX_EINVAL);
    assert_int_equal(sdx_probe_need("DSN=1", 5, 0, 0, &n), SDX_EINVAL);
    assert_int_equal(sdx_probe_need("=1", 2, 0, 0, &n), SDX_EINVAL);
    assert_int_equal(sdx_probe_need("SIZE=99999999999999999999999", 28, 0, 0, &n), SDX_EINVAL);
    assert_int_equal(sdx_probe_need("AVERYLONGNEEDNAMEINDEED", 23, 0, 0, &n), SDX_EINVAL);
}

/* what goes on the wire is checked before anything is sent */
static void test_options(void **state)
{
    struct sdx_probe_opts o;
    struct sdx_probe_result r;

    (void)state;
    memset(&o, 0, sizeof(o));
    sdx_probe_result_init(&r);
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);        /* no host */
    o.host = "127.0.0.1";
    o.from = "a@b\r\nRCPT TO:<victim@example.net>";
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);        /* no command injection */
    o.from = NULL;
    o.helo = "x\ny";
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    o.helo = NULL;
    o.rcpt[0] = "a\n";
    o.nrcpt = 1;
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    o.nrcpt = 0;
    o.auth_user = "alice";
    o.auth_pass = "secret\r\nMAIL FROM:<x@example.org>";
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    o.auth_pass = "secret";
    o.auth_user = "";
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    o.auth_user = NULL;
    o.auth_pass = NULL;
    o.mail_body = "9BIT";                                       /* not a BODY value */
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    assert_string_equal(sdx_probe_check(&o), "BODY takes 7BIT, 8BITMIME or BINARYMIME");
    o.mail_body = "8bitmime";
    assert_null(sdx_probe_check(&o));                           /* any case */
    o.mail_body = "9BIT";
    o.mail_body = "binarymime";
    o.data = "x\n";
    o.data_len = 2;
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);        /* BINARYMIME needs BDAT */
    o.mail_body = NULL;
    o.data_len = SDX_PROBE_DATA_MAX + 1;
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    o.data = NULL;
    o.data_len = 5;
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    o.data_len = 0;
    o.wait_ms[SDX_PROBE_WAIT_RCPT] = -1;
    assert_int_equal(sdx_probe_run(&o, &r), SDX_EINVAL);
    assert_int_equal(r.n, 0);                                   /* nothing was sent */
    sdx_probe_result_release(&r);
    assert_string_equal(sdx_probe_end_name(SDX_PROBE_END_LONG_LINE), "line-too-long");
    assert_string_equal(sdx_probe_end_name(SDX_PROBE_END_COUNT), "unknown");
}

/* the timeouts RFC 5321 section 4.5.3.2 gives, and the names to set each */
static void test_waits(void **state)
{
    struct sdx_probe_opts o;

    (void)state;
    memset(&o, 0, sizeof(o));
    sdx_probe_rfc_timeouts(&o);
    assert_int_equal(o.wait_ms[SDX_PROBE_WAIT_GREETING], 300000);
    assert_int_equal(o.wait_ms[SDX_PROBE_WAIT_MAIL], 300000);
    assert_int_equal(o.wait_ms[SDX_PROBE_WAIT_RCPT], 300000);
    assert_int_equal(o.wait_ms[SDX_PROBE_WAIT_DATA], 120000);
    assert_int_equal(o.wait_ms[SDX_PROBE_WAIT_BLOCK], 180000);
    assert_int_equal(o.wait_ms[SDX_PROBE_WAIT_DOT], 600000);
    assert_int_equal(o.wait_ms[SDX_PROBE_WAIT_QUIT], 300000);
    assert_int_equal(sdx_probe_wait_find("RCPT", 4), SDX_PROBE_WAIT_RCPT);
    assert_int_equal(sdx_probe_wait_find("greeting=5", 8), SDX_PROBE_WAIT_GREETING);
    assert_int_equal(sdx_probe_wait_find("rcp", 3), -1);
    assert_int_equal(sdx_probe_wait_find("", 0), -1);
    assert_string_equal(sdx_probe_wait_name(SDX_PROBE_WAIT_DOT), "dot");
    assert_string_equal(sdx_probe_wait_name(SDX_PROBE_WAIT_COUNT), "unknown");
}

/* a loopback listener on a free port; *port gets its number */
static int listener(unsigned *port)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

#define MANY 7

struct many {
    struct sdx_probe_opts   o[MANY];
    struct sdx_probe_result r[MANY];
    size_t                  given, done;
    int                     seen[MANY];
};

static int many_next(void *arg, const struct sdx_probe_opts **o, struct sdx_probe_result **r, void **user)
{
    struct many *m = arg;

    if (m->given == MANY)
        return 0;
    sdx_probe_result_init(&m->r[m->given]);
    *o = &m->o[m->given];
    *r = &m->r[m->given];
    *user = &m->seen[m->given];
    m->given++;
    return 1;
}

static void many_done(void *arg, const struct sdx_probe_opts *o, struct sdx_probe_result *r, void *user)
{
    struct many *m = arg;

    assert_ptr_equal(o, &m->o[r - m->r]);
    assert_ptr_equal(user, &m->seen[r - m->r]);
    m->seen[r - m->r]++;
    m->done++;
}

/* sessions side by side: every one given is ended and handed to done once;
 * bad options end as "invalid" with nothing sent; a silent listener times
 * out on its own timer while the others go on, so four silent ones, two at
 * a time, take two timeouts, not four */
static void test_many(void **state)
{
    static struct many m;
    unsigned silent_port, closed_port;
    int silent = listener(&silent_port);
    int closed = listener(&closed_port);
    struct timespec t0, t1;
    long ms;
    size_t i;

    (void)state;
    close(closed);                      /* nothing listens there now */
    memset(&m, 0, sizeof(m));
    for (i = 0; i < MANY; i++) {
        m.o[i].host = "127.0.0.1";
        m.o[i].port = silent_port;
        m.o[i].timeout_ms = 300;
        m.o[i].deadline_ms = 5000;
    }
    m.o[1].from = "a@b\r\nDATA";        /* refused before connecting */
    m.o[3].port = closed_port;
    m.o[5].host = NULL;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(sdx_probe_many(2, many_next, many_done, &m), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_int_equal(m.given, MANY);
    assert_int_equal(m.done, MANY);
    for (i = 0; i < MANY; i++) {
        assert_int_equal(m.seen[i], 1);
        if (i == 1 || i == 5) {
            assert_int_equal(m.r[i].end, SDX_PROBE_END_INVALID);
            assert_int_equal(m.r[i].n, 0);
        } else if (i == 3) {
            assert_int_equal(m.r[i].end, SDX_PROBE_END_CONNECT);
        } else {
            assert_int_equal(m.r[i].end, SDX_PROBE_END_TIMEOUT);
            assert_true(m.r[i].elapsed_ms >= 300);
        }
        sdx_probe_result_release(&m.r[i]);
    }
    /* 4 silent sessions, 2 at a time: about 600 ms; one after another
     * would be 1200 */
    assert_true(ms >= 550);
    assert_true(ms < 1100);
    close(silent);
}

/* the greeting's own timeout is the one that counts, not the general one */
static void test_wait_used(void **state)
{
    struct sdx_probe_opts o;
    struct sdx_probe_result r;
    unsigned port;
    int fd = listener(&port);

    (void)state;
    memset(&o, 0, sizeof(o));
    o.host = "127.0.0.1";
    o.port = port;
    o.timeout_ms = 5000;
    o.wait_ms[SDX_PROBE_WAIT_GREETING] = 200;
    sdx_probe_result_init(&r);
    assert_int_equal(sdx_probe_run(&o, &r), 0);
    assert_int_equal(r.end, SDX_PROBE_END_TIMEOUT);
    assert_true(r.elapsed_ms >= 200);
    assert_true(r.elapsed_ms < 1500);
    sdx_probe_result_release(&r);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_needs),
        cmocka_unit_test(test_bad_needs),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_waits),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_wait_used),
    };
    return cmocka_run_group_tests_name("unit.probe", tests, NULL, NULL);
}
