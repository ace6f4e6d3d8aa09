/* probe.c - one live SMTP session, timed and bounded (probe.h)
 * A non-blocking socket and poll(2): every read and write waits at most
 * until the reply's own timeout or the session's deadline, whichever comes
 * first, so no server behaviour (silence, one byte a second, an endless
 * reply) keeps it longer. TLS is OpenSSL 3 over the same socket; the chain
 * is verified and the name checked after the handshake, so that a bad
 * certificate is reported, not just refused. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "smtpdx/classify.h"
#include "smtpdx/probe.h"
#include "smtpdx/replay.h"
#include "smtpdx/smtpread.h"

static const struct { const char *name, *text; } ends[] = {
#define X(e, name, text) { name, text },
    SDX_PROBE_ENDS(X)
#undef X
};

const char *sdx_probe_end_name(enum sdx_probe_end e)
{
    return (unsigned)e < SDX_PROBE_END_COUNT ? ends[e].name : "unknown";
}

const char *sdx_probe_end_text(enum sdx_probe_end e)
{
    return (unsigned)e < SDX_PROBE_END_COUNT ? ends[e].text : "";
}

void sdx_probe_result_init(struct sdx_probe_result *r)
{
    memset(r, 0, sizeof(*r));
    sdx_buf_init(&r->text, (size_t)SDX_PROBE_STEPS_MAX * 1024);
}

void sdx_probe_result_release(struct sdx_probe_result *r)
{
    free(r->step);
    sdx_buf_release(&r->text);
    memset(r, 0, sizeof(*r));
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct session {
    const struct sdx_probe_opts *o;
    struct sdx_probe_result     *r;
    int                          fd;
    SSL_CTX                     *ctx;
    SSL                         *ssl;
    int64_t                      t0, deadline, reply_until;
    char                         in[16384];
    size_t                       ilen, ioff;
    struct sdx_smtp_reader       rd;
};

static int step(struct session *s, enum sdx_probe_dir dir, int code, const char *p, size_t n)
{
    struct sdx_probe_result *r = s->r;
    struct sdx_probe_step *st;

    if (r->n == SDX_PROBE_STEPS_MAX)
        return 0;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;

        if ((st = realloc(r->step, cap * sizeof(*st))) == NULL)
            return SDX_ENOMEM;
        r->step = st;
        r->cap = cap;
    }
    st = &r->step[r->n];
    st->ms = now_ms() - s->t0;
    st->dir = dir;
    st->tls = s->ssl != NULL;
    st->code = code;
    st->off = r->text.len;
    if (sdx_buf_add(&r->text, p, n) == SDX_ENOMEM)
        return SDX_ENOMEM;
    st->len = r->text.len - st->off;
    r->n++;
    return 0;
}

/* note - "what value" as a note in the transcript */
static void note(struct session *s, const char *what, const char *value)
{
    char line[512];
    int n = snprintf(line, sizeof(line), "%s %s", what, value);

    if (step(s, SDX_PROBE_NOTE, 0, line, n < 0 ? 0 : (size_t)n >= sizeof(line) ? sizeof(line) - 1 : (size_t)n))
        s->r->end = SDX_PROBE_END_NOMEM;
}

/* wait_fd - poll fd for events until the reply's or the session's end:
 * 0 ready, or the end (TIMEOUT, DEADLINE, RESET) */
static int wait_fd(struct session *s, short events)
{
    for (;;) {
        int64_t now = now_ms(), until = s->reply_until < s->deadline ? s->reply_until : s->deadline;
        struct pollfd p = { s->fd, events, 0 };
        int rc;

        if (now >= until)
            return until == s->deadline ? SDX_PROBE_END_DEADLINE : SDX_PROBE_END_TIMEOUT;
        rc = poll(&p, 1, (int)(until - now));
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return SDX_PROBE_END_RESET;
        if (rc > 0)
            return 0;
    }
}

static void tls_detail(struct session *s, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[200];

    ERR_error_string_n(e, buf, sizeof(buf));
    snprintf(s->r->detail, sizeof(s->r->detail), "%s: %s", what, e ? buf : "the connection ended");
    ERR_clear_error();
}

/* io_read - some bytes into s->in; 0, or the end */
static int io_read(struct session *s)
{
    for (;;) {
        ssize_t got;
        int w;

        if (s->ssl) {
            int n = SSL_read(s->ssl, s->in, (int)sizeof(s->in)), e;

            if (n > 0) {
                s->ilen = (size_t)n, s->ioff = 0;
                return 0;
            }
            e = SSL_get_error(s->ssl, n);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                if ((w = wait_fd(s, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT)) != 0)
                    return w;
                continue;
            }
            if (e == SSL_ERROR_ZERO_RETURN)
                return SDX_PROBE_END_CLOSED;
            tls_detail(s, "reading over TLS");
            return e == SSL_ERROR_SYSCALL && errno == 0 ? SDX_PROBE_END_CLOSED : SDX_PROBE_END_RESET;
        }
        got = recv(s->fd, s->in, sizeof(s->in), 0);
        if (got > 0) {
            s->ilen = (size_t)got, s->ioff = 0;
            return 0;
        }
        if (got == 0)
            return SDX_PROBE_END_CLOSED;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            if ((w = wait_fd(s, POLLIN)) != 0)
                return w;
            continue;
        }
        snprintf(s->r->detail, sizeof(s->r->detail), "reading: %s", strerror(errno));
        return SDX_PROBE_END_RESET;
    }
}

/* io_write - all of p[0..n); 0, or the end */
static int io_write(struct session *s, const char *p, size_t n)
{
    while (n) {
        ssize_t put;
        int w;

        if (s->ssl) {
            int k = SSL_write(s->ssl, p, (int)n), e;

            if (k > 0) {
                p += k, n -= (size_t)k;
                continue;
            }
            e = SSL_get_error(s->ssl, k);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                if ((w = wait_fd(s, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT)) != 0)
                    return w;
                continue;
            }
            tls_detail(s, "writing over TLS");
            return SDX_PROBE_END_RESET;
        }
        put = send(s->fd, p, n, MSG_NOSIGNAL);
        if (put > 0) {
            p += put, n -= (size_t)put;
            continue;
        }
        if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if ((w = wait_fd(s, POLLOUT)) != 0)
                return w;
            continue;
        }
        snprintf(s->r->detail, sizeof(s->r->detail), "writing: %s", strerror(put < 0 ? errno : EPIPE));
        return put < 0 && errno == EPIPE ? SDX_PROBE_END_CLOSED : SDX_PROBE_END_RESET;
    }
    return 0;
}

/* reply - the next complete reply (its code in *code); 0, or the end */
static int reply(struct session *s, int *code)
{
    int rc;

    s->reply_until = now_ms() + (s->o->timeout_ms > 0 ? s->o->timeout_ms : 30000);
    sdx_smtp_reader_next(&s->rd);
    for (;;) {
        size_t used;

        if (s->ioff == s->ilen && (rc = io_read(s)) != 0) {
            if ((rc == SDX_PROBE_END_TIMEOUT || rc == SDX_PROBE_END_DEADLINE) && (s->rd.len || s->rd.nlines))
                snprintf(s->r->detail, sizeof(s->r->detail), "the reply had begun (%u complete lines and %zu "
                         "bytes) but did not end: the server sends too slowly", s->rd.nlines, s->rd.len);
            return rc;
        }
        rc = sdx_smtp_reader_feed(&s->rd, s->in + s->ioff, s->ilen - s->ioff, &used);
        s->ioff += used;
        if (rc == SDX_ENOMEM)
            return SDX_PROBE_END_NOMEM;
        if (rc < 0) {
            const char *l = s->rd.line;
            size_t k, n = s->rd.len < 40 ? s->rd.len : 40;

            if (s->rd.err == SDX_SMTP_E_SYNTAX) {
                /* what came, escaped: printable ASCII or \xNN */
                char *d = s->r->detail;

                d += snprintf(d, 32, "the line began: ");
                for (k = 0; k < n && (size_t)(d - s->r->detail) < sizeof(s->r->detail) - 5; k++)
                    d += (unsigned char)l[k] >= 0x20 && (unsigned char)l[k] < 0x7f ?
                         snprintf(d, 2, "%c", l[k]) : snprintf(d, 5, "\\x%02x", (unsigned char)l[k]);
            }
            return s->rd.err == SDX_SMTP_E_LINE ? SDX_PROBE_END_LONG_LINE :
                   s->rd.err == SDX_SMTP_E_LINES ? SDX_PROBE_END_ENDLESS : SDX_PROBE_END_NOT_SMTP;
        }
        if (rc == 1) {
            *code = s->rd.code;
            if (*code >= 400)
                s->r->refused++;
            if (step(s, SDX_PROBE_SERVER, *code, s->rd.reply.data, s->rd.reply.len) != 0)
                return SDX_PROBE_END_NOMEM;
            return 0;
        }
    }
}

/* command_as - send line, record shown in its place (credentials), and
 * read the reply; 0, or the end */
static int command_as(struct session *s, const char *line, const char *shown, int *code)
{
    char buf[1100];
    int n = snprintf(buf, sizeof(buf), "%s\r\n", line), rc;

    if (n < 0 || (size_t)n >= sizeof(buf))
        return SDX_PROBE_END_NOMEM;
    if (step(s, SDX_PROBE_CLIENT, 0, shown, strlen(shown)) != 0)
        return SDX_PROBE_END_NOMEM;
    s->reply_until = now_ms() + (s->o->timeout_ms > 0 ? s->o->timeout_ms : 30000);
    if ((rc = io_write(s, buf, (size_t)n)) != 0)
        return rc;
    rc = reply(s, code);
    OPENSSL_cleanse(buf, sizeof(buf));  /* it may have held a password */
    return rc;
}

/* command - send a command line and read its reply; 0, or the end */
static int command(struct session *s, const char *line, int *code)
{
    return command_as(s, line, line, code);
}

/* b64 - base64 of p[0..n) into out (cap >= 4 * (n + 2) / 3 + 1) */
static void b64(const char *p, size_t n, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)p, (int)n);
}

/* authenticate - AUTH PLAIN (RFC 4616) or LOGIN; the transcript shows the
 * mechanism and the user, never the password; 0, or the end */
static int authenticate(struct session *s, int *code)
{
    const struct sdx_probe_opts *o = s->o;
    char raw[600], enc[820], line[900], shown[400];
    size_t ul = strlen(o->auth_user), pl = o->auth_pass ? strlen(o->auth_pass) : 0;
    int rc;

    if (!(s->r->caps & SDX_CAP_AUTH))
        return SDX_PROBE_END_NO_AUTH;
    if (o->auth_login) {
        if ((rc = command(s, "AUTH LOGIN", code)) != 0)
            return rc;
        if (*code != 334)
            return SDX_PROBE_END_AUTH_FAILED;
        b64(o->auth_user, ul, enc);
        snprintf(shown, sizeof(shown), "(the user name %.200s, in base64)", o->auth_user);
        if ((rc = command_as(s, enc, shown, code)) != 0)
            return rc;
        if (*code != 334)
            return SDX_PROBE_END_AUTH_FAILED;
        b64(o->auth_pass ? o->auth_pass : "", pl, enc);
        rc = command_as(s, enc, "(the password: not shown)", code);
    } else {
        /* authzid NUL authcid NUL passwd */
        raw[0] = '\0';
        memcpy(raw + 1, o->auth_user, ul);
        raw[1 + ul] = '\0';
        memcpy(raw + 2 + ul, o->auth_pass ? o->auth_pass : "", pl);
        b64(raw, 2 + ul + pl, enc);
        snprintf(line, sizeof(line), "AUTH PLAIN %s", enc);
        snprintf(shown, sizeof(shown), "AUTH PLAIN (the user %.200s and the password: not shown)", o->auth_user);
        rc = command_as(s, line, shown, code);
        OPENSSL_cleanse(line, sizeof(line));
    }
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(enc, sizeof(enc));
    if (rc != 0)
        return rc;
    if (*code != 235)
        return SDX_PROBE_END_AUTH_FAILED;
    s->r->authed = 1;
    return 0;
}

static int connect_to(struct session *s)
{
    struct addrinfo hints, *res = NULL, *a;
    char port[12];
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(port, sizeof(port), "%u", s->o->port ? s->o->port & 0xffff : 25);
    if ((rc = getaddrinfo(s->o->host, port, &hints, &res)) != 0) {
        snprintf(s->r->detail, sizeof(s->r->detail), "%s: %s", s->o->host, gai_strerror(rc));
        return SDX_PROBE_END_RESOLVE;
    }
    for (a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol), w, err = 0;
        socklen_t el = sizeof(err);
        char host[INET6_ADDRSTRLEN];

        if (fd < 0)
            continue;
        if (s->o->source) {             /* connect from the address asked for */
            struct addrinfo sh, *src = NULL;

            memset(&sh, 0, sizeof(sh));
            sh.ai_family = a->ai_family;
            sh.ai_socktype = SOCK_STREAM;
            sh.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
            if (getaddrinfo(s->o->source, NULL, &sh, &src) != 0 || bind(fd, src->ai_addr, src->ai_addrlen) != 0) {
                snprintf(s->r->detail, sizeof(s->r->detail), "cannot connect from %s: %s", s->o->source,
                         src ? strerror(errno) : "not an address of this family");
                if (src)
                    freeaddrinfo(src);
                close(fd);
                continue;
            }
            freeaddrinfo(src);
        }
        getnameinfo(a->ai_addr, a->ai_addrlen, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
        snprintf(s->r->address, sizeof(s->r->address), "%s", host);
        s->fd = fd;
        s->reply_until = now_ms() + (s->o->timeout_ms > 0 ? s->o->timeout_ms : 30000);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 ||
            (errno == EINPROGRESS && (w = wait_fd(s, POLLOUT)) == 0 &&
             getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)) {
            freeaddrinfo(res);
            return 0;
        }
        snprintf(s->r->detail, sizeof(s->r->detail), "%s port %s: %s", host, port,
                 err ? strerror(err) : errno == EINPROGRESS ? "no answer within the timeout" : strerror(errno));
        close(fd);
        s->fd = -1;
    }
    freeaddrinfo(res);
    return SDX_PROBE_END_CONNECT;
}

/* tls_start - the handshake over the connected socket, then what the
 * certificate says; 0, or the end */
static int tls_start(struct session *s)
{
    struct sdx_probe_tlsinfo *ti = &s->r->tls;
    struct in6_addr a6;
    struct in_addr a4;
    int is_ip = inet_pton(AF_INET, s->o->host, &a4) == 1 || inet_pton(AF_INET6, s->o->host, &a6) == 1, w;
    X509 *cert;

    if ((s->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
        tls_detail(s, "TLS set-up");
        return SDX_PROBE_END_TLS;
    }
    SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION);
    if (s->o->ca_file ? SSL_CTX_load_verify_locations(s->ctx, s->o->ca_file, NULL) != 1 :
                        SSL_CTX_set_default_verify_paths(s->ctx) != 1)
        ERR_clear_error();              /* then nothing verifies: reported below */
    SSL_CTX_set_verify(s->ctx, SSL_VERIFY_NONE, NULL);  /* verified below, to say why not */
    if ((s->ssl = SSL_new(s->ctx)) == NULL || SSL_set_fd(s->ssl, s->fd) != 1) {
        tls_detail(s, "TLS set-up");
        return SDX_PROBE_END_TLS;
    }
    if (!is_ip)
        SSL_set_tlsext_host_name(s->ssl, s->o->host);
    s->reply_until = now_ms() + (s->o->timeout_ms > 0 ? s->o->timeout_ms : 30000);
    for (;;) {
        int rc = SSL_connect(s->ssl), e;

        if (rc == 1)
            break;
        e = SSL_get_error(s->ssl, rc);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            if ((w = wait_fd(s, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT)) != 0)
                return w;
            continue;
        }
        tls_detail(s, "TLS handshake");
        return SDX_PROBE_END_TLS;
    }
    ti->done = 1;
    snprintf(ti->protocol, sizeof(ti->protocol), "%s", SSL_get_version(s->ssl));
    snprintf(ti->cipher, sizeof(ti->cipher), "%s", SSL_get_cipher_name(s->ssl));
    if ((cert = SSL_get1_peer_certificate(s->ssl)) != NULL) {
        const ASN1_TIME *na = X509_get0_notAfter(cert);
        BIO *b = BIO_new(BIO_s_mem());
        int days = 0, secs = 0;

        X509_NAME_oneline(X509_get_subject_name(cert), ti->subject, sizeof(ti->subject));
        X509_NAME_oneline(X509_get_issuer_name(cert), ti->issuer, sizeof(ti->issuer));
        if (b && ASN1_TIME_print(b, na) == 1) {
            int n = BIO_read(b, ti->not_after, (int)sizeof(ti->not_after) - 1);

            ti->not_after[n > 0 ? n : 0] = '\0';
        }
        BIO_free(b);
        if (ASN1_TIME_diff(&days, &secs, NULL, na) == 1)
            ti->days_left = days;
        ti->name_ok = is_ip ? X509_check_ip_asc(cert, s->o->host, 0) == 1 :
                              X509_check_host(cert, s->o->host, 0, 0, NULL) == 1;
        X509_free(cert);
    }
    ti->verified = SSL_get_verify_result(s->ssl) == X509_V_OK && SSL_get0_peer_certificate(s->ssl) != NULL;
    snprintf(ti->verify_error, sizeof(ti->verify_error), "%s",
             X509_verify_cert_error_string(SSL_get_verify_result(s->ssl)));
    note(s, "TLS started:", ti->protocol);
    return 0;
}

/* caps_of - the capabilities of the EHLO reply just read */
static void caps_of(struct session *s)
{
    s->r->caps = sdx_ehlo_caps(s->rd.reply.data, s->rd.reply.len, &s->r->size_limit, NULL, 0);
}

/* relay_test - would the server relay for a foreign sender to a foreign
 * recipient? Each variant is MAIL FROM a domain the server cannot be
 * responsible for (example.org, RFC 2606) and RCPT TO one in example.net,
 * then RSET: no DATA, so nothing is ever sent on. The variants are the
 * address forms relay checks have historically missed: plain, the "%" hack,
 * an RFC 5321 section C source route, and a quoted local part holding "@".
 * 0, or the end */
/* refused_as_relaying - the last reply refused relaying, not something
 * else (the sender's domain, a greylist): classified as norelaying */
static int refused_as_relaying(struct session *s)
{
    struct sdx_reply rp;
    struct sdx_verdict v;
    struct sdx_classify_ctx ctx;
    int yes = 0;

    memset(&ctx, 0, sizeof(ctx));
    ctx.stage = SDX_STAGE_RCPT;
    sdx_reply_init(&rp);
    if (sdx_reply_parse(&rp, s->rd.reply.data, s->rd.reply.len) == 0 && sdx_classify(&rp, &ctx, &v) == 0)
        yes = v.reason == SDX_REASON_NORELAYING;
    sdx_reply_release(&rp);
    return yes;
}

/* unclear - a refusal for another reason: keep the first, the test says so */
static void unclear(struct session *s)
{
    if (s->r->relay_open == 0 && s->r->relay_how[0] == '\0')
        snprintf(s->r->relay_how, sizeof(s->r->relay_how), "%.200s", s->rd.reply.data);
}

static int relay_test(struct session *s)
{
    char line[400], addr[128];
    int i, code, rc;

    for (i = 0; i < 4; i++) {
        snprintf(line, sizeof(line), "MAIL FROM:<%.300s>",
                 s->o->from && s->o->from[0] ? s->o->from : "smtpdx-relay-test@example.org");
        if ((rc = command(s, line, &code)) != 0)
            return rc;
        if (code != 250)
            unclear(s);
        if (code == 250) {
            /* the forms after the first name the server by its own address */
            if (i == 0)
                snprintf(addr, sizeof(addr), "relay-test@example.net");
            else if (i == 1)
                snprintf(addr, sizeof(addr), "relay-test%%example.net@[%s]", s->r->address);
            else if (i == 2)
                snprintf(addr, sizeof(addr), "@[%s]:relay-test@example.net", s->r->address);
            else
                snprintf(addr, sizeof(addr), "\"relay-test@example.net\"@[%s]", s->r->address);
            snprintf(line, sizeof(line), "RCPT TO:<%s>", addr);
            if ((rc = command(s, line, &code)) != 0)
                return rc;
            s->r->relay_tried++;
            if (code == 250 || code == 251) {
                if (!s->r->relay_open++)
                    snprintf(s->r->relay_how, sizeof(s->r->relay_how), "<%s>", addr);
            } else if (refused_as_relaying(s)) {
                s->r->relay_closed++;
            } else {
                unclear(s);
            }
        }
        if ((rc = command(s, "RSET", &code)) != 0)
            return rc;
    }
    return 0;
}

/* session - the dialog; the end */
static int session(struct session *s)
{
    const struct sdx_probe_opts *o = s->o;
    char line[1100];
    int code, rc, ehlo_ok;
    size_t i;
    int64_t t_conn;

    if ((rc = connect_to(s)) != 0)
        return rc;
    note(s, "connected to", s->r->address);
    if (o->tls == SDX_PROBE_TLS_IMPLICIT && (rc = tls_start(s)) != 0)
        return rc;
    t_conn = now_ms();
    if ((rc = reply(s, &code)) != 0)
        return rc;
    s->r->greeting_ms = now_ms() - t_conn;
    if (code != 220) {
        (void)command(s, "QUIT", &code);    /* RFC 5321 section 3.1: QUIT after a 554 greeting */
        return SDX_PROBE_END_REFUSED;
    }
    snprintf(line, sizeof(line), "EHLO %s", o->helo ? o->helo : "localhost");
    if ((rc = command(s, line, &code)) != 0)
        return rc;
    ehlo_ok = code == 250;
    if (ehlo_ok)
        caps_of(s);
    else {
        snprintf(line, sizeof(line), "HELO %s", o->helo ? o->helo : "localhost");
        if ((rc = command(s, line, &code)) != 0)
            return rc;
        if (code != 250) {
            (void)command(s, "QUIT", &code);
            return SDX_PROBE_END_REFUSED;
        }
    }
    if (o->tls == SDX_PROBE_TLS_REQUIRE && !(s->r->caps & SDX_CAP_STARTTLS)) {
        (void)command(s, "QUIT", &code);
        return SDX_PROBE_END_NO_TLS;
    }
    if (o->tls != SDX_PROBE_TLS_NEVER && o->tls != SDX_PROBE_TLS_IMPLICIT && (s->r->caps & SDX_CAP_STARTTLS)) {
        if ((rc = command(s, "STARTTLS", &code)) != 0)
            return rc;
        if (code == 220) {
            if ((rc = tls_start(s)) != 0)
                return rc;
            snprintf(line, sizeof(line), "EHLO %s", o->helo ? o->helo : "localhost");
            if ((rc = command(s, line, &code)) != 0)
                return rc;
            s->r->caps = 0;
            if (code == 250)
                caps_of(s);
        } else if (o->tls == SDX_PROBE_TLS_REQUIRE) {
            (void)command(s, "QUIT", &code);
            return SDX_PROBE_END_NO_TLS;
        }
    }
    if (o->auth_user && (rc = authenticate(s, &code)) != 0) {
        (void)command(s, "QUIT", &code);
        return rc;
    }
    snprintf(line, sizeof(line), "MAIL FROM:<%.1000s>", o->from ? o->from : "");
    if ((rc = command(s, line, &code)) != 0)
        return rc;
    if (code == 250)
        for (i = 0; i < o->nrcpt; i++) {
            snprintf(line, sizeof(line), "RCPT TO:<%.1000s>", o->rcpt[i]);
            if ((rc = command(s, line, &code)) != 0)
                return rc;
        }
    if ((rc = command(s, "RSET", &code)) != 0)
        return rc;
    if (o->relay_test) {
        int before = s->r->refused;     /* a refused relay is the good answer: not a refusal here */

        if ((rc = relay_test(s)) != 0)
            return rc;
        s->r->refused = before;
    }
    if ((rc = command(s, "QUIT", &code)) != 0)
        return rc == SDX_PROBE_END_CLOSED ? SDX_PROBE_END_DONE : rc;
    return SDX_PROBE_END_DONE;
}

int sdx_probe_run(const struct sdx_probe_opts *o, struct sdx_probe_result *r)
{
    struct session *s;
    size_t i;

    if (o == NULL || r == NULL || o->host == NULL || o->host[0] == '\0' || o->nrcpt > SDX_PROBE_RCPT_MAX)
        return SDX_EINVAL;
    /* what goes on the wire: no CR, LF or NUL from the options */
    for (i = 0; i <= o->nrcpt; i++) {
        const char *v = i < o->nrcpt ? o->rcpt[i] : o->from;

        if (v && (strpbrk(v, "\r\n") || strlen(v) > 1000))
            return SDX_EINVAL;
    }
    if (o->helo && (strpbrk(o->helo, "\r\n") || strlen(o->helo) > 255))
        return SDX_EINVAL;
    /* AUTH: bounded, and nothing that would end the line early */
    if (o->auth_user && (o->auth_user[0] == '\0' || strpbrk(o->auth_user, "\r\n") || strlen(o->auth_user) > 255))
        return SDX_EINVAL;
    if (o->auth_pass && (strpbrk(o->auth_pass, "\r\n") || strlen(o->auth_pass) > 255))
        return SDX_EINVAL;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return SDX_ENOMEM;
    s->o = o;
    s->r = r;
    s->fd = -1;
    s->t0 = now_ms();
    s->deadline = s->t0 + (o->deadline_ms > 0 ? o->deadline_ms : 120000);
    sdx_smtp_reader_init(&s->rd);
    r->end = (enum sdx_probe_end)session(s);
    r->elapsed_ms = now_ms() - s->t0;
    if (s->ssl) {
        SSL_shutdown(s->ssl);           /* best effort: one try, no wait */
        SSL_free(s->ssl);
    }
    SSL_CTX_free(s->ctx);
    if (s->fd >= 0)
        close(s->fd);
    sdx_smtp_reader_release(&s->rd);
    free(s);
    return 0;
}

/* what a sender with each need gets from a server without it (RFCs named) */
static const struct {
    const char *name;
    unsigned    cap;
    int         code;
    const char *status, *text;
} needs[] = {
    { "SMTPUTF8", SDX_CAP_SMTPUTF8, 553, "5.6.7", "non-ASCII addresses need SMTPUTF8: the sender gets 553 5.6.7 "
      "for them, or must downgrade (RFC 6531 section 3.4, RFC 6532)" },
    { "8BITMIME", SDX_CAP_8BITMIME, 554, "5.6.1", "an 8-bit body needs 8BITMIME, or the sender must convert it to "
      "7 bits; a server that checks refuses it (RFC 6152 section 3; RFC 3463 5.6.1)" },
    { "SIZE", SDX_CAP_SIZE, 552, "5.3.4", "a message over the advertised SIZE limit is refused at MAIL FROM with "
      "SIZE= or at the end of DATA (RFC 1870 section 6)" },
    { "STARTTLS", SDX_CAP_STARTTLS, 0, "", "no STARTTLS: the mail goes in clear, or a sender that requires TLS "
      "(MTA-STS, DANE, a TLS policy) does not deliver (RFC 3207, RFC 8461)" },
    { "DSN", SDX_CAP_DSN, 555, "5.5.4", "NOTIFY=, ORCPT=, RET= and ENVID= are refused without DSN (RFC 3461 "
      "section 4; RFC 5321 section 4.1.1.11)" },
    { "CHUNKING", SDX_CAP_CHUNKING, 502, "5.5.1", "BDAT is not implemented without CHUNKING: the sender must use "
      "DATA (RFC 3030 section 2)" },
    { "BINARYMIME", SDX_CAP_BINARYMIME, 555, "5.5.4", "BODY=BINARYMIME is refused without BINARYMIME (RFC 3030 "
      "section 3)" },
    { "PIPELINING", SDX_CAP_PIPELINING, 0, "", "without PIPELINING the sender waits for each reply: slower, no "
      "refusal (RFC 2920)" },
    { "AUTH", SDX_CAP_AUTH, 503, "5.5.1", "no AUTH offered (here, or before STARTTLS): a client that must "
      "authenticate cannot (RFC 4954 section 4)" },
    { "REQUIRETLS", SDX_CAP_REQUIRETLS, 0, "", "a sending MTA that honours REQUIRETLS does not relay the message "
      "through a server that does not advertise it, and returns it to its sender with 5.7.30 (RFC 8689 sections "
      "4 and 5)" },
};

int sdx_probe_need(const char *need, size_t len, unsigned caps, unsigned long long size_limit,
                   struct sdx_probe_need *n)
{
    size_t i, nl = 0;
    const char *eq = memchr(need, '=', len);

    memset(n, 0, sizeof(*n));
    n->status = "";
    n->explanation = "not a need smtpdx knows: SMTPUTF8, 8BITMIME, SIZE=n, STARTTLS, DSN, CHUNKING, "
                     "BINARYMIME, PIPELINING, AUTH, REQUIRETLS";
    nl = eq ? (size_t)(eq - need) : len;
    if (nl == 0 || nl >= sizeof(n->name))
        return SDX_EINVAL;
    for (i = 0; i < nl; i++)
        n->name[i] = need[i] >= 'a' && need[i] <= 'z' ? (char)(need[i] - 32) : need[i];
    n->name[nl] = '\0';
    if (eq) {
        const char *p = eq + 1, *end = need + len;

        if (strcmp(n->name, "SIZE") != 0 || p == end)
            return SDX_EINVAL;
        for (; p < end; p++) {
            if (*p < '0' || *p > '9' || n->size > (~0ULL - 9) / 10)
                return SDX_EINVAL;
            n->size = n->size * 10 + (unsigned long long)(*p - '0');
        }
    }
    for (i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
        if (strcmp(n->name, needs[i].name) != 0)
            continue;
        n->known = 1;
        n->met = (caps & needs[i].cap) != 0;
        /* SIZE=n: met when the server takes n bytes (no limit, or a larger one) */
        if (needs[i].cap == SDX_CAP_SIZE && n->size)
            n->met = !(caps & SDX_CAP_SIZE) ? 1 : size_limit == 0 || n->size <= size_limit;
        n->reply_code = needs[i].code;
        n->status = needs[i].status;
        n->explanation = needs[i].text;
        return 0;
    }
    return 0;
}
