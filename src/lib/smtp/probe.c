/* probe.c - live SMTP sessions, timed and bounded, many at once (probe.h)
 * Each session is a small state machine: an I/O operation in progress
 * (connect, TLS handshake, write a command, read a reply) and a phase of
 * the dialogue (greeting, EHLO, STARTTLS, AUTH, MAIL, RCPT ...). An
 * operation runs until the socket would block; the session then waits in
 * one epoll(7) set with all the others, and the loop wakes it when its
 * socket is ready or its own time is up: the reply's timeout or the
 * session's deadline, whichever comes first. So no server behaviour
 * (silence, one byte a second, an endless reply) keeps a session longer,
 * and a thousand slow servers cost a thousand small structs, not a
 * thousand threads. (Postfix's smtp client and OpenSMTPD's mta are built
 * the same way: events, not a thread per connection.)
 *
 * TLS is OpenSSL 3 over the same non-blocking socket, one SSL_CTX shared by
 * the sessions that trust the same CAs. The chain is verified and the name
 * checked after the handshake, so that a bad certificate is reported, not
 * just refused. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
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
    r->dane.depth = -1;
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

/* what an operation says: it would block, it is complete, or the session
 * ends (an SDX_PROBE_END_* value, >= 0) */
#define AGAIN (-1)
#define OK    (-2)

enum op { OP_CONNECT, OP_HANDSHAKE, OP_WRITE, OP_READ };

/* the reply being waited for, or the handshake under way */
enum phase {
    PH_GREETING, PH_EHLO, PH_HELO, PH_STARTTLS, PH_TLS, PH_TLS_IMPLICIT, PH_EHLO_TLS,
    PH_AUTH_LOGIN, PH_AUTH_USER, PH_AUTH_DONE, PH_MAIL, PH_RCPT, PH_RSET,
    PH_RELAY_MAIL, PH_RELAY_RCPT, PH_RELAY_RSET, PH_DATA, PH_DOT, PH_QUIT
};

struct loop;

struct session {
    struct session              *next;      /* in the loop's active list */
    struct loop                 *loop;
    const struct sdx_probe_opts *o;
    struct sdx_probe_result     *r;
    void                        *user;
    int                          fd, registered;    /* in the epoll set, for events */
    unsigned                     events;
    SSL_CTX                     *own_ctx;   /* when its CAs differ from the loop's */
    SSL                         *ssl;
    struct addrinfo             *res, *ai;  /* the addresses, the one being tried */
    int64_t                      t0, deadline, reply_until, t_conn;
    enum op                      op;
    enum phase                   ph;
    size_t                       rcpt_i, accepted;  /* RCPTs sent, accepted (250, 251) */
    int                          relay_i, refused_before;
    int                          quit_end, quit_strict;
    char                         relay_addr[128];   /* the relay test's recipient */
    char                         out[1100];
    const char                  *wp;        /* what is being written: out, or body */
    size_t                       olen, ooff;
    char                        *body;      /* the message as sent after 354, with data */
    size_t                       blen;
    char                         in[4096];
    size_t                       ilen, ioff;
    struct sdx_smtp_reader       rd;
};

struct loop {
    int                ep;
    unsigned           limit, nactive;
    struct session    *active;
    SSL_CTX           *ctx;                 /* shared by the sessions trusting ctx_ca */
    const char        *ctx_ca;
    int                have_ctx;
    sdx_probe_done_fn  done;
    void              *arg;
};

/* what was not answered in time, by SDX_PROBE_WAIT_* */
static const char *const wait_text[SDX_PROBE_WAIT_COUNT] = {
    [SDX_PROBE_WAIT_GREETING] = "no greeting", [SDX_PROBE_WAIT_EHLO] = "no reply to EHLO/HELO",
    [SDX_PROBE_WAIT_STARTTLS] = "no reply to STARTTLS", [SDX_PROBE_WAIT_AUTH] = "no reply to AUTH",
    [SDX_PROBE_WAIT_MAIL] = "no reply to MAIL FROM", [SDX_PROBE_WAIT_RCPT] = "no reply to RCPT TO",
    [SDX_PROBE_WAIT_DATA] = "no reply to DATA", [SDX_PROBE_WAIT_BLOCK] = "the server did not take the message",
    [SDX_PROBE_WAIT_DOT] = "no reply to the message's end", [SDX_PROBE_WAIT_RSET] = "no reply to RSET",
    [SDX_PROBE_WAIT_QUIT] = "no reply to QUIT"
};

/* wait_of - what s waits for now (SDX_PROBE_WAIT_*) */
static int wait_of(const struct session *s)
{
    static const unsigned char of_phase[] = {
        [PH_GREETING] = SDX_PROBE_WAIT_GREETING, [PH_EHLO] = SDX_PROBE_WAIT_EHLO,
        [PH_HELO] = SDX_PROBE_WAIT_EHLO, [PH_STARTTLS] = SDX_PROBE_WAIT_STARTTLS,
        [PH_TLS] = SDX_PROBE_WAIT_STARTTLS, [PH_TLS_IMPLICIT] = SDX_PROBE_WAIT_STARTTLS,
        [PH_EHLO_TLS] = SDX_PROBE_WAIT_EHLO, [PH_AUTH_LOGIN] = SDX_PROBE_WAIT_AUTH,
        [PH_AUTH_USER] = SDX_PROBE_WAIT_AUTH, [PH_AUTH_DONE] = SDX_PROBE_WAIT_AUTH,
        [PH_MAIL] = SDX_PROBE_WAIT_MAIL, [PH_RCPT] = SDX_PROBE_WAIT_RCPT, [PH_RSET] = SDX_PROBE_WAIT_RSET,
        [PH_RELAY_MAIL] = SDX_PROBE_WAIT_MAIL, [PH_RELAY_RCPT] = SDX_PROBE_WAIT_RCPT,
        [PH_RELAY_RSET] = SDX_PROBE_WAIT_RSET, [PH_DATA] = SDX_PROBE_WAIT_DATA, [PH_DOT] = SDX_PROBE_WAIT_DOT,
        [PH_QUIT] = SDX_PROBE_WAIT_QUIT
    };

    return s->ph == PH_DOT && s->op == OP_WRITE ? SDX_PROBE_WAIT_BLOCK : of_phase[s->ph];
}

/* the timeout for what s waits for now: its own (wait_ms) or the one for all */
static int reply_timeout(const struct session *s)
{
    int w = wait_of(s);

    if (s->op != OP_CONNECT && s->o->wait_ms[w] > 0)
        return s->o->wait_ms[w];
    return s->o->timeout_ms > 0 ? s->o->timeout_ms : 30000;
}

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

/* note - "what value" as a note in the transcript; OK, or the end */
static int note(struct session *s, const char *what, const char *value)
{
    char line[512];
    int n = snprintf(line, sizeof(line), "%s %s", what, value);

    if (step(s, SDX_PROBE_NOTE, 0, line, n < 0 ? 0 : (size_t)n >= sizeof(line) ? sizeof(line) - 1 : (size_t)n))
        return SDX_PROBE_END_NOMEM;
    return OK;
}

static void tls_detail(struct session *s, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[200];

    ERR_error_string_n(e, buf, sizeof(buf));
    snprintf(s->r->detail, sizeof(s->r->detail), "%s: %s", what, e ? buf : "the connection ended");
    ERR_clear_error();
}

/* want - wait for events on s->fd (EPOLLIN, EPOLLOUT); AGAIN, or the end */
static int want(struct session *s, unsigned events)
{
    struct epoll_event ev;

    if (s->registered && s->events == events)
        return AGAIN;
    memset(&ev, 0, sizeof(ev));
    ev.events = events;
    ev.data.ptr = s;
    if (epoll_ctl(s->loop->ep, s->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s->fd, &ev) != 0) {
        snprintf(s->r->detail, sizeof(s->r->detail), "epoll: %s", strerror(errno));
        return SDX_PROBE_END_RESET;
    }
    s->registered = 1;
    s->events = events;
    return AGAIN;
}

static void close_fd(struct session *s)
{
    if (s->fd >= 0)
        close(s->fd);                   /* which also takes it out of the epoll set */
    s->fd = -1;
    s->registered = 0;
}

/* tls_want - what SSL_get_error asks for: AGAIN, or 0 for an error */
static int tls_want(struct session *s, int e)
{
    if (e == SSL_ERROR_WANT_READ)
        return want(s, EPOLLIN);
    if (e == SSL_ERROR_WANT_WRITE)
        return want(s, EPOLLOUT);
    return 0;
}

/* ---- the operations: each runs until it would block ---- */

/* try_connect - connect to s->ai or the addresses after it */
static int try_connect(struct session *s)
{
    char port[12];

    snprintf(port, sizeof(port), "%u", s->o->port ? s->o->port & 0xffff : 25);
    for (; s->ai; s->ai = s->ai->ai_next) {
        const struct addrinfo *a = s->ai;
        char host[INET6_ADDRSTRLEN];
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);

        if (fd < 0) {
            snprintf(s->r->detail, sizeof(s->r->detail), "socket: %s", strerror(errno));
            continue;
        }
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
        s->reply_until = now_ms() + reply_timeout(s);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
            return OK;
        if (errno == EINPROGRESS)
            return want(s, EPOLLOUT);
        snprintf(s->r->detail, sizeof(s->r->detail), "%s port %s: %s", host, port, strerror(errno));
        close_fd(s);
    }
    return SDX_PROBE_END_CONNECT;
}

/* op_connect - the connection under way is writable: connected, or on to
 * the next address */
static int op_connect(struct session *s)
{
    int err = 0;
    socklen_t el = sizeof(err);

    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
        return OK;
    snprintf(s->r->detail, sizeof(s->r->detail), "%s port %u: %s", s->r->address, s->o->port ? s->o->port : 25,
             strerror(err ? err : errno));
    close_fd(s);
    s->ai = s->ai->ai_next;
    return try_connect(s);
}

/* dane_facts - which TLSA record authenticated the server, or why none
 * did: with DANE on, OpenSSL's verification result is DANE's */
static void dane_facts(struct session *s)
{
    struct sdx_probe_dane *d = &s->r->dane;
    long v = SSL_get_verify_result(s->ssl);
    uint8_t usage, sel, mtype;
    const unsigned char *data;
    size_t dlen, i;

    d->depth = SSL_get0_dane_authority(s->ssl, NULL, NULL);
    if (v != X509_V_OK || d->depth < 0) {
        d->state = SDX_DANE_MISMATCH;
        d->depth = -1;
        snprintf(d->error, sizeof(d->error), "%s", X509_verify_cert_error_string(v));
        return;
    }
    d->state = SDX_DANE_MATCHED;
    if (SSL_get0_dane_tlsa(s->ssl, &usage, &sel, &mtype, &data, &dlen) >= 0) {
        d->usage = usage, d->selector = sel, d->mtype = mtype;
        for (i = 0; i < dlen && i < 64; i++)
            snprintf(d->data + 2 * i, 3, "%02x", data[i]);
    }
}

/* pkix_verify - the chain against the CAs, as without DANE: with DANE on,
 * the handshake's verification is DANE's, and the report gives both */
static void pkix_verify(struct session *s)
{
    struct sdx_probe_tlsinfo *ti = &s->r->tls;
    X509 *leaf = SSL_get0_peer_certificate(s->ssl);
    X509_STORE_CTX *x = X509_STORE_CTX_new();
    int ok = 0, e = X509_V_ERR_UNSPECIFIED;

    if (leaf && x && X509_STORE_CTX_init(x, SSL_CTX_get_cert_store(SSL_get_SSL_CTX(s->ssl)), leaf,
                                         SSL_get_peer_cert_chain(s->ssl)) == 1) {
        ok = X509_verify_cert(x) == 1;
        e = X509_STORE_CTX_get_error(x);
    }
    X509_STORE_CTX_free(x);
    ERR_clear_error();
    ti->verified = ok;
    snprintf(ti->verify_error, sizeof(ti->verify_error), "%s", X509_verify_cert_error_string(ok ? X509_V_OK : e));
}

/* dane_begin - DANE on the new SSL when the session has usable records
 * (RFC 7672 section 3): the host is the TLSA base domain and the SNI name,
 * DANE-EE matches ignore names and dates (RFC 7672 section 3.1.1); a
 * record OpenSSL cannot use is skipped. OK, or the end. */
static int dane_begin(struct session *s)
{
    const struct sdx_tlsa_result *t = s->o->tlsa;
    size_t i, added = 0;

    if (t == NULL || t->state != SDX_DANE_USABLE)
        return OK;
    if (SSL_dane_enable(s->ssl, s->o->host) <= 0) {
        tls_detail(s, "DANE set-up");
        return SDX_PROBE_END_TLS;
    }
    SSL_dane_set_flags(s->ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
    for (i = 0; i < t->n; i++)
        if (sdx_tlsa_usable(&t->rr[i]) &&
            SSL_dane_tlsa_add(s->ssl, (uint8_t)t->rr[i].usage, (uint8_t)t->rr[i].selector,
                              (uint8_t)t->rr[i].mtype, t->rr[i].data, t->rr[i].len) > 0)
            added++;
    ERR_clear_error();
    if (added == 0) {
        s->r->dane.state = SDX_DANE_UNUSABLE;
        snprintf(s->r->dane.error, sizeof(s->r->dane.error), "OpenSSL could use none of the %zu records", t->n);
    }
    return OK;
}

/* tls_facts - what the certificate says, after the handshake */
static void tls_facts(struct session *s, int is_ip)
{
    struct sdx_probe_tlsinfo *ti = &s->r->tls;
    X509 *cert;

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
    if (SSL_get0_dane(s->ssl) != NULL && s->r->dane.state == SDX_DANE_USABLE) {
        dane_facts(s);
        pkix_verify(s);
        return;
    }
    ti->verified = SSL_get_verify_result(s->ssl) == X509_V_OK && SSL_get0_peer_certificate(s->ssl) != NULL;
    snprintf(ti->verify_error, sizeof(ti->verify_error), "%s",
             X509_verify_cert_error_string(SSL_get_verify_result(s->ssl)));
}

static SSL_CTX *new_ctx(const char *ca_file)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (ctx == NULL)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1 : SSL_CTX_set_default_verify_paths(ctx) != 1)
        ERR_clear_error();              /* then nothing verifies: reported after the handshake */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);     /* verified after it, to say why not */
    /* DANE is then possible per SSL (SSL_dane_enable); sessions without
     * TLSA records are unaffected */
    if (SSL_CTX_dane_enable(ctx) <= 0)
        ERR_clear_error();
    /* a session idle between replies holds no 34 KB of TLS buffers */
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    return ctx;
}

/* tls_begin - an SSL over the connected socket, sharing the loop's SSL_CTX
 * when the session trusts the same CAs; OK, or the end */
static int tls_begin(struct session *s)
{
    struct loop *l = s->loop;
    const char *ca = s->o->ca_file;
    struct in6_addr a6;
    struct in_addr a4;
    SSL_CTX *ctx;
    int rc;

    if (!l->have_ctx) {
        l->ctx = new_ctx(ca);
        l->ctx_ca = ca;
        l->have_ctx = 1;
    }
    if ((ca == NULL) == (l->ctx_ca == NULL) && (ca == NULL || strcmp(ca, l->ctx_ca) == 0))
        ctx = l->ctx;
    else
        ctx = s->own_ctx = new_ctx(ca);
    /* plaintext the server sent after its 220 to STARTTLS is not part of
     * the TLS session: reading it as such is the STARTTLS command injection
     * of CVE-2011-0411 turned round (RFC 3207 section 4.2) */
    if (s->ioff < s->ilen) {
        char n[128];

        snprintf(n, sizeof(n), "%zu bytes the server sent before TLS began, discarded", s->ilen - s->ioff);
        if ((rc = note(s, "warning:", n)) != OK)
            return rc;
        s->ioff = s->ilen = 0;
    }
    if (ctx == NULL || (s->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(s->ssl, s->fd) != 1) {
        tls_detail(s, "TLS set-up");
        return SDX_PROBE_END_TLS;
    }
    if (inet_pton(AF_INET, s->o->host, &a4) != 1 && inet_pton(AF_INET6, s->o->host, &a6) != 1)
        SSL_set_tlsext_host_name(s->ssl, s->o->host);
    if ((rc = dane_begin(s)) != OK)
        return rc;
    s->reply_until = now_ms() + reply_timeout(s);
    s->op = OP_HANDSHAKE;
    return OK;
}

static int op_handshake(struct session *s)
{
    struct in6_addr a6;
    struct in_addr a4;
    int rc = SSL_connect(s->ssl), w;

    if (rc != 1) {
        if ((w = tls_want(s, SSL_get_error(s->ssl, rc))) != 0)
            return w;
        tls_detail(s, "TLS handshake");
        return SDX_PROBE_END_TLS;
    }
    tls_facts(s, inet_pton(AF_INET, s->o->host, &a4) == 1 || inet_pton(AF_INET6, s->o->host, &a6) == 1);
    return note(s, "TLS started:", s->r->tls.protocol);
}

/* op_write - the rest of s->out */
static int op_write(struct session *s)
{
    while (s->ooff < s->olen) {
        const char *p = s->wp + s->ooff;
        size_t n = s->olen - s->ooff;
        ssize_t put;

        if (s->ssl) {
            int k = SSL_write(s->ssl, p, (int)n), w;

            if (k <= 0) {
                if ((w = tls_want(s, SSL_get_error(s->ssl, k))) != 0)
                    return w;
                tls_detail(s, "writing over TLS");
                return SDX_PROBE_END_RESET;
            }
            put = k;
        } else {
            put = send(s->fd, p, n, MSG_NOSIGNAL);
        }
        if (put > 0) {
            s->ooff += (size_t)put;
            if (s->wp == s->body)       /* the block timeout runs from each write */
                s->reply_until = now_ms() + reply_timeout(s);
            continue;
        }
        if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return want(s, EPOLLOUT);
        if (put < 0 && errno == EINTR)
            continue;
        snprintf(s->r->detail, sizeof(s->r->detail), "writing: %s", strerror(put < 0 ? errno : EPIPE));
        return put < 0 && errno == EPIPE ? SDX_PROBE_END_CLOSED : SDX_PROBE_END_RESET;
    }
    OPENSSL_cleanse(s->out, sizeof(s->out));    /* it may have held a password */
    return OK;
}

/* fill - some bytes into s->in; OK, or AGAIN, or the end */
static int fill(struct session *s)
{
    for (;;) {
        ssize_t got;

        if (s->ssl) {
            int n = SSL_read(s->ssl, s->in, (int)sizeof(s->in)), e, w;

            if (n > 0) {
                s->ilen = (size_t)n, s->ioff = 0;
                return OK;
            }
            e = SSL_get_error(s->ssl, n);
            if ((w = tls_want(s, e)) != 0)
                return w;
            if (e == SSL_ERROR_ZERO_RETURN)
                return SDX_PROBE_END_CLOSED;
            tls_detail(s, "reading over TLS");
            return e == SSL_ERROR_SYSCALL && errno == 0 ? SDX_PROBE_END_CLOSED : SDX_PROBE_END_RESET;
        }
        got = recv(s->fd, s->in, sizeof(s->in), 0);
        if (got > 0) {
            s->ilen = (size_t)got, s->ioff = 0;
            return OK;
        }
        if (got == 0)
            return SDX_PROBE_END_CLOSED;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return want(s, EPOLLIN);
        if (errno == EINTR)
            continue;
        snprintf(s->r->detail, sizeof(s->r->detail), "reading: %s", strerror(errno));
        return SDX_PROBE_END_RESET;
    }
}

/* op_read - until a complete reply (s->rd.code); OK, AGAIN, or the end */
static int op_read(struct session *s)
{
    for (;;) {
        size_t used;
        int rc;

        if (s->ioff == s->ilen && (rc = fill(s)) != OK)
            return rc;
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
            if (s->rd.code >= 400)
                s->r->refused++;
            if (step(s, SDX_PROBE_SERVER, s->rd.code, s->rd.reply.data, s->rd.reply.len) != 0)
                return SDX_PROBE_END_NOMEM;
            return OK;
        }
    }
}

/* ---- the dialogue: what to do when an operation is complete ---- */

/* expect - read the next reply, for phase ph */
static int expect(struct session *s, enum phase ph)
{
    s->ph = ph;
    s->op = OP_READ;
    s->reply_until = now_ms() + reply_timeout(s);
    sdx_smtp_reader_next(&s->rd);
    return OK;
}

/* send_as - send line (recording shown in its place: credentials), then
 * read the reply for phase ph */
static int send_as(struct session *s, const char *line, const char *shown, enum phase ph)
{
    int n = snprintf(s->out, sizeof(s->out), "%s\r\n", line);

    if (n < 0 || (size_t)n >= sizeof(s->out))
        return SDX_PROBE_END_NOMEM;
    if (step(s, SDX_PROBE_CLIENT, 0, shown, strlen(shown)) != 0)
        return SDX_PROBE_END_NOMEM;
    s->wp = s->out;
    s->olen = (size_t)n;
    s->ooff = 0;
    s->op = OP_WRITE;
    s->ph = ph;
    s->reply_until = now_ms() + reply_timeout(s);
    return OK;
}

static int send_line(struct session *s, const char *line, enum phase ph)
{
    return send_as(s, line, line, ph);
}

/* quit - QUIT, then end as end; strict: an I/O failure on the way is the
 * end instead (but a server closing after QUIT is just done) */
static int quit(struct session *s, int end, int strict)
{
    s->quit_end = end;
    s->quit_strict = strict;
    return send_line(s, "QUIT", PH_QUIT);
}

static int send_hello(struct session *s, const char *verb, enum phase ph)
{
    char line[300];

    snprintf(line, sizeof(line), "%s %s", verb, s->o->helo ? s->o->helo : "localhost");
    return send_line(s, line, ph);
}

/* b64 - base64 of p[0..n) into out (cap >= 4 * (n + 2) / 3 + 1) */
static void b64(const char *p, size_t n, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)p, (int)n);
}

/* auth_start - AUTH PLAIN (RFC 4616) or LOGIN; the transcript shows the
 * mechanism and the user, never the password */
static int auth_start(struct session *s)
{
    const struct sdx_probe_opts *o = s->o;
    char raw[600], enc[820], line[900], shown[400];
    size_t ul = strlen(o->auth_user), pl = o->auth_pass ? strlen(o->auth_pass) : 0;
    int rc;

    if (!(s->r->caps & SDX_CAP_AUTH))
        return quit(s, SDX_PROBE_END_NO_AUTH, 0);
    if (o->auth_login)
        return send_line(s, "AUTH LOGIN", PH_AUTH_LOGIN);
    /* authzid NUL authcid NUL passwd */
    raw[0] = '\0';
    memcpy(raw + 1, o->auth_user, ul);
    raw[1 + ul] = '\0';
    memcpy(raw + 2 + ul, o->auth_pass ? o->auth_pass : "", pl);
    b64(raw, 2 + ul + pl, enc);
    snprintf(line, sizeof(line), "AUTH PLAIN %s", enc);
    snprintf(shown, sizeof(shown), "AUTH PLAIN (the user %.200s and the password: not shown)", o->auth_user);
    rc = send_as(s, line, shown, PH_AUTH_DONE);
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(enc, sizeof(enc));
    OPENSSL_cleanse(line, sizeof(line));
    return rc;
}

/* send_mail - MAIL FROM with the parameters asked for; SIZE is the
 * message's own with data when the server advertises SIZE (RFC 1870
 * section 6) and none was given */
static int send_mail(struct session *s)
{
    const struct sdx_probe_opts *o = s->o;
    unsigned long long size = o->mail_size;
    char line[1100];
    int n;

    if (size == 0 && o->data && (s->r->caps & SDX_CAP_SIZE))
        size = o->data_len;
    n = snprintf(line, sizeof(line), "MAIL FROM:<%.1000s>", o->from ? o->from : "");
    if (size)
        n += snprintf(line + n, sizeof(line) - (size_t)n, " SIZE=%llu", size);
    if (o->mail_body)
        n += snprintf(line + n, sizeof(line) - (size_t)n, " BODY=%.12s", o->mail_body);
    if (o->mail_smtputf8)
        snprintf(line + n, sizeof(line) - (size_t)n, " SMTPUTF8");
    return send_line(s, line, PH_MAIL);
}

/* body_put - the message as it goes after 354 into b (NULL: only count):
 * every line ended by CRLF (a bare LF becomes CRLF; a final line without
 * one gets it), a line that begins with "." gets another (RFC 5321 section
 * 4.5.2), then ".CRLF"; the length */
static size_t body_put(const char *p, size_t len, char *b)
{
    const char *e = p + len;
    size_t n = 0;

    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;

        if (le > p && le[-1] == '\r')
            le--;
        if (le > p && *p == '.' && b)
            b[n] = '.';
        n += le > p && *p == '.';
        if (b) {
            memcpy(b + n, p, (size_t)(le - p));
            memcpy(b + n + (le - p), "\r\n", 2);
        }
        n += (size_t)(le - p) + 2;
        p = nl ? nl + 1 : e;
    }
    if (b)
        memcpy(b + n, ".\r\n", 3);
    return n + 3;
}

/* send_body - after 354: the message, then its end's reply */
static int send_body(struct session *s)
{
    char shown[120];

    s->blen = body_put(s->o->data, s->o->data_len, NULL);
    if ((s->body = malloc(s->blen)) == NULL)
        return SDX_PROBE_END_NOMEM;
    body_put(s->o->data, s->o->data_len, s->body);
    snprintf(shown, sizeof(shown), "(the message: %zu bytes as sent, its end \".\")", s->blen);
    if (step(s, SDX_PROBE_CLIENT, 0, shown, strlen(shown)) != 0)
        return SDX_PROBE_END_NOMEM;
    s->wp = s->body;
    s->olen = s->blen;
    s->ooff = 0;
    s->ph = PH_DOT;
    s->op = OP_WRITE;
    s->reply_until = now_ms() + reply_timeout(s);
    return OK;
}

/* after_hello - STARTTLS when offered (or required), else on */
static int after_hello(struct session *s)
{
    const struct sdx_probe_opts *o = s->o;

    if (o->tls == SDX_PROBE_TLS_REQUIRE && !(s->r->caps & SDX_CAP_STARTTLS))
        return quit(s, SDX_PROBE_END_NO_TLS, 0);
    if (o->tls != SDX_PROBE_TLS_NEVER && o->tls != SDX_PROBE_TLS_IMPLICIT && (s->r->caps & SDX_CAP_STARTTLS))
        return send_line(s, "STARTTLS", PH_STARTTLS);
    return o->auth_user ? auth_start(s) : send_mail(s);
}

static void caps_of(struct session *s)
{
    s->r->caps = sdx_ehlo_caps(s->rd.reply.data, s->rd.reply.len, &s->r->size_limit, NULL, 0);
}

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

/* The relay test: would the server relay for a foreign sender to a foreign
 * recipient? Each variant is MAIL FROM a domain the server cannot be
 * responsible for (example.org, RFC 2606) and RCPT TO one in example.net,
 * then RSET: no DATA, so nothing is ever sent on. The variants are the
 * address forms relay checks have historically missed: plain, the "%" hack,
 * an RFC 5321 appendix C source route, and a quoted local part holding "@".
 * The forms after the first name the server by its own address. */
static int relay_mail(struct session *s)
{
    char line[400];

    snprintf(line, sizeof(line), "MAIL FROM:<%.300s>",
             s->o->from && s->o->from[0] ? s->o->from : "smtpdx-relay-test@example.org");
    return send_line(s, line, PH_RELAY_MAIL);
}

static int relay_rcpt(struct session *s)
{
    /* the server's own address around each form: before, after */
    static const char *const form[][2] = {
        { "relay-test@example.net", "" }, { "relay-test%example.net@[", "]" },
        { "@[", "]:relay-test@example.net" }, { "\"relay-test@example.net\"@[", "]" }
    };
    char line[400];

    snprintf(s->relay_addr, sizeof(s->relay_addr), "%s%s%s", form[s->relay_i][0],
             s->relay_i ? s->r->address : "", form[s->relay_i][1]);
    snprintf(line, sizeof(line), "RCPT TO:<%s>", s->relay_addr);
    return send_line(s, line, PH_RELAY_RCPT);
}

/* relay_judge - the reply to a relay RCPT */
static void relay_judge(struct session *s)
{
    int code = s->rd.code;

    s->r->relay_tried++;
    if (code == 250 || code == 251) {
        if (!s->r->relay_open++)
            snprintf(s->r->relay_how, sizeof(s->r->relay_how), "<%s>", s->relay_addr);
    } else if (refused_as_relaying(s)) {
        s->r->relay_closed++;
    } else {
        unclear(s);
    }
}

/* transaction_over - after RSET, or the message's end: the relay test
 * when asked, else QUIT */
static int transaction_over(struct session *s)
{
    if (s->o->relay_test) {
        s->refused_before = s->r->refused;  /* a refused relay is the good answer */
        s->relay_i = 0;
        return relay_mail(s);
    }
    return quit(s, SDX_PROBE_END_DONE, 1);
}

/* on_reply - a complete reply for s->ph: what comes next */
static int on_reply(struct session *s)
{
    const struct sdx_probe_opts *o = s->o;
    int code = s->rd.code, rc;
    char line[1100];

    switch (s->ph) {
    case PH_GREETING:
        s->r->greeting_ms = now_ms() - s->t_conn;
        if (code != 220)                /* RFC 5321 section 3.1: QUIT after a 554 greeting */
            return quit(s, SDX_PROBE_END_REFUSED, 0);
        return send_hello(s, "EHLO", PH_EHLO);
    case PH_EHLO:
        if (code != 250)
            return send_hello(s, "HELO", PH_HELO);
        caps_of(s);
        return after_hello(s);
    case PH_HELO:
        if (code != 250)
            return quit(s, SDX_PROBE_END_REFUSED, 0);
        return after_hello(s);
    case PH_STARTTLS:
        if (code == 220) {
            s->ph = PH_TLS;
            return tls_begin(s);
        }
        if (o->tls == SDX_PROBE_TLS_REQUIRE)
            return quit(s, SDX_PROBE_END_NO_TLS, 0);
        return o->auth_user ? auth_start(s) : send_mail(s);
    case PH_EHLO_TLS:
        s->r->caps = 0;
        if (code == 250)
            caps_of(s);
        return o->auth_user ? auth_start(s) : send_mail(s);
    case PH_AUTH_LOGIN:
    case PH_AUTH_USER: {
        char enc[820], shown[400];
        const char *v = s->ph == PH_AUTH_LOGIN ? o->auth_user : o->auth_pass ? o->auth_pass : "";

        if (code != 334)
            return quit(s, SDX_PROBE_END_AUTH_FAILED, 0);
        b64(v, strlen(v), enc);
        if (s->ph == PH_AUTH_LOGIN)
            snprintf(shown, sizeof(shown), "(the user name %.200s, in base64)", o->auth_user);
        else
            snprintf(shown, sizeof(shown), "(the password: not shown)");
        rc = send_as(s, enc, shown, s->ph == PH_AUTH_LOGIN ? PH_AUTH_USER : PH_AUTH_DONE);
        OPENSSL_cleanse(enc, sizeof(enc));
        return rc;
    }
    case PH_AUTH_DONE:
        if (code != 235)
            return quit(s, SDX_PROBE_END_AUTH_FAILED, 0);
        s->r->authed = 1;
        return send_mail(s);
    case PH_MAIL:
    case PH_RCPT:
        if (s->ph == PH_MAIL) {
            s->rcpt_i = s->accepted = 0;
        } else {
            s->rcpt_i++;
            if (code == 250 || code == 251)
                s->accepted++;
        }
        if ((s->ph == PH_RCPT || code == 250) && s->rcpt_i < o->nrcpt) {
            snprintf(line, sizeof(line), "RCPT TO:<%.1000s>", o->rcpt[s->rcpt_i]);
            return send_line(s, line, PH_RCPT);
        }
        if (o->data && s->ph == PH_RCPT) {
            if (s->accepted)
                return send_line(s, "DATA", PH_DATA);
            if ((rc = note(s, "no recipient accepted:", "the message is not sent")) != OK)
                return rc;
        }
        return send_line(s, "RSET", PH_RSET);
    case PH_RSET:
        return transaction_over(s);
    case PH_DATA:
        if (code != 354)
            return send_line(s, "RSET", PH_RSET);
        return send_body(s);
    case PH_DOT:
        s->r->data_code = code;
        s->r->data_bytes = s->blen;
        return transaction_over(s);
    case PH_RELAY_MAIL:
        if (code != 250) {
            unclear(s);
            return send_line(s, "RSET", PH_RELAY_RSET);
        }
        return relay_rcpt(s);
    case PH_RELAY_RCPT:
        relay_judge(s);
        return send_line(s, "RSET", PH_RELAY_RSET);
    case PH_RELAY_RSET:
        if (++s->relay_i < 4)
            return relay_mail(s);
        s->r->refused = s->refused_before;
        return quit(s, SDX_PROBE_END_DONE, 1);
    case PH_QUIT:
        return s->quit_end;
    case PH_TLS:
    case PH_TLS_IMPLICIT:
        break;
    }
    return SDX_PROBE_END_NOT_SMTP;      /* not reached */
}

/* on_done - the operation in progress is complete */
static int on_done(struct session *s)
{
    int rc;

    switch (s->op) {
    case OP_CONNECT:
        if ((rc = note(s, "connected to", s->r->address)) != OK)
            return rc;
        if (s->o->tls == SDX_PROBE_TLS_IMPLICIT) {
            s->ph = PH_TLS_IMPLICIT;
            return tls_begin(s);
        }
        s->t_conn = now_ms();
        return expect(s, PH_GREETING);
    case OP_HANDSHAKE:
        if (s->ph == PH_TLS_IMPLICIT) {
            s->t_conn = now_ms();
            return expect(s, PH_GREETING);
        }
        return send_hello(s, "EHLO", PH_EHLO_TLS);
    case OP_WRITE:
        return expect(s, s->ph);
    case OP_READ:
        return on_reply(s);
    }
    return SDX_PROBE_END_NOT_SMTP;      /* not reached */
}

/* failed - an operation ended the session with end: what the session's
 * end is (a failure while saying QUIT after a refusal is still the refusal) */
static int failed(struct session *s, int end)
{
    if (s->ph == PH_QUIT && (!s->quit_strict || end == SDX_PROBE_END_CLOSED))
        return s->quit_end;
    return end;
}

/* advance - run s until it would block (AGAIN) or ends (the end) */
static int advance(struct session *s)
{
    for (;;) {
        int rc = s->op == OP_CONNECT ? op_connect(s) : s->op == OP_HANDSHAKE ? op_handshake(s) :
                 s->op == OP_WRITE ? op_write(s) : op_read(s);

        if (rc == AGAIN)
            return AGAIN;
        if (rc == OK)
            rc = on_done(s);
        if (rc != OK)
            return rc == AGAIN ? AGAIN : failed(s, rc);
    }
}

/* timed_out - s's time is up: the reply's, or the session's */
static int timed_out(struct session *s, int64_t now)
{
    int end = now >= s->deadline ? SDX_PROBE_END_DEADLINE : SDX_PROBE_END_TIMEOUT;

    if (s->op == OP_CONNECT) {
        /* no answer from this address: the next one, within the deadline */
        snprintf(s->r->detail, sizeof(s->r->detail), "%s port %u: no answer within the %s", s->r->address,
                 s->o->port ? s->o->port : 25, end == SDX_PROBE_END_DEADLINE ? "deadline" : "timeout");
        close_fd(s);
        if (end == SDX_PROBE_END_DEADLINE || (s->ai = s->ai->ai_next) == NULL)
            return SDX_PROBE_END_CONNECT;
        end = try_connect(s);
        if (end == OK)
            end = on_done(s);
        return end == OK ? advance(s) : end == AGAIN ? AGAIN : failed(s, end);
    }
    if (s->op == OP_READ && (s->rd.len || s->rd.nlines))
        snprintf(s->r->detail, sizeof(s->r->detail), "the reply to %s had begun (%u complete lines and %zu "
                 "bytes) but did not end: the server sends too slowly", sdx_probe_wait_name(wait_of(s)),
                 s->rd.nlines, s->rd.len);
    else if (end == SDX_PROBE_END_TIMEOUT)
        snprintf(s->r->detail, sizeof(s->r->detail), "%s in %d ms (the \"%s\" timeout)",
                 s->op == OP_WRITE && s->ph != PH_DOT ? "the server did not take the command" :
                 s->op == OP_HANDSHAKE ? "no TLS handshake" : wait_text[wait_of(s)],
                 reply_timeout(s), sdx_probe_wait_name(wait_of(s)));
    return failed(s, end);
}

const char *sdx_probe_check(const struct sdx_probe_opts *o)
{
    size_t i;

    if (o->nrcpt > SDX_PROBE_RCPT_MAX)
        return "too many recipients";
    /* what goes on the wire: no CR, LF or NUL from the options */
    for (i = 0; i <= o->nrcpt; i++) {
        const char *v = i < o->nrcpt ? o->rcpt[i] : o->from;

        if (v && (strpbrk(v, "\r\n") || strlen(v) > 1000))
            return "an address holds a line break or is over 1000 bytes";
    }
    if (o->helo && (strpbrk(o->helo, "\r\n") || strlen(o->helo) > 255))
        return "the HELO name holds a line break or is over 255 bytes";
    /* AUTH: bounded, and nothing that would end the line early */
    if (o->auth_user && (o->auth_user[0] == '\0' || strpbrk(o->auth_user, "\r\n") || strlen(o->auth_user) > 255))
        return "the AUTH user is empty, holds a line break or is over 255 bytes";
    if (o->auth_pass && (strpbrk(o->auth_pass, "\r\n") || strlen(o->auth_pass) > 255))
        return "the AUTH password holds a line break or is over 255 bytes";
    /* BODY: a value RFC 6152 or 3030 defines; BINARYMIME needs BDAT, not DATA */
    if (o->mail_body && strcasecmp(o->mail_body, "7BIT") != 0 && strcasecmp(o->mail_body, "8BITMIME") != 0 &&
        strcasecmp(o->mail_body, "BINARYMIME") != 0)
        return "BODY takes 7BIT, 8BITMIME or BINARYMIME";
    if (o->mail_body && o->data && strcasecmp(o->mail_body, "BINARYMIME") == 0)
        return "BINARYMIME needs BDAT (RFC 3030), and a message is sent with DATA";
    if ((o->data == NULL && o->data_len) || o->data_len > SDX_PROBE_DATA_MAX)
        return "the message is over 64 MB";
    for (i = 0; i < SDX_PROBE_WAIT_COUNT; i++)
        if (o->wait_ms[i] < 0)
            return "a negative timeout";
    if (o->address) {
        unsigned char bin[16];

        if (inet_pton(AF_INET, o->address, bin) != 1 && inet_pton(AF_INET6, o->address, bin) != 1)
            return "the address to connect to is not an IPv4 or IPv6 address";
    }
    return NULL;
}

/* valid - a session can be run with o: a target, and sdx_probe_check's approval */
static int valid(const struct sdx_probe_opts *o)
{
    return o->host && o->host[0] && strlen(o->host) <= 255 && sdx_probe_check(o) == NULL;
}

/* end - s is over: close it, tell the caller, free it */
static void end(struct loop *l, struct session *s, int how)
{
    struct session **pp;

    s->r->end = (enum sdx_probe_end)how;
    s->r->elapsed_ms = now_ms() - s->t0;
    /* TLSA records, usable or not, make TLS mandatory (RFC 7672 section
     * 2.2): a session that never reached a TLS handshake carries no mail */
    if ((s->r->dane.state == SDX_DANE_USABLE || s->r->dane.state == SDX_DANE_UNUSABLE) && !s->r->tls.done &&
        how != SDX_PROBE_END_INVALID) {
        s->r->dane.state = SDX_DANE_NO_TLS;
        snprintf(s->r->dane.error, sizeof(s->r->dane.error), "%s", how == SDX_PROBE_END_TLS ?
                 "the TLS handshake failed" : s->r->caps && !(s->r->caps & SDX_CAP_STARTTLS) ?
                 "the server does not offer STARTTLS" : s->o->tls == SDX_PROBE_TLS_NEVER ?
                 "TLS was not used (--no-tls)" : "the session ended before TLS");
    }
    if (s->ssl) {
        SSL_shutdown(s->ssl);           /* best effort: one try, no wait */
        SSL_free(s->ssl);
    }
    SSL_CTX_free(s->own_ctx);
    close_fd(s);
    if (s->res)
        freeaddrinfo(s->res);
    sdx_smtp_reader_release(&s->rd);
    free(s->body);
    for (pp = &l->active; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            l->nactive--;
            break;
        }
    l->done(l->arg, s->o, s->r, s->user);
    free(s);
}

/* begin - a new session: resolve, connect; into the active list */
static int begin(struct loop *l, const struct sdx_probe_opts *o, struct sdx_probe_result *r, void *user)
{
    struct session *s;
    struct addrinfo hints;
    char port[12];
    int rc;

    if (!valid(o)) {
        r->end = SDX_PROBE_END_INVALID;
        l->done(l->arg, o, r, user);
        return 0;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        r->end = SDX_PROBE_END_NOMEM;
        l->done(l->arg, o, r, user);
        return SDX_ENOMEM;
    }
    s->loop = l;
    s->o = o;
    s->r = r;
    s->user = user;
    s->fd = -1;
    s->t0 = now_ms();
    s->deadline = s->t0 + (o->deadline_ms > 0 ? o->deadline_ms : 120000);
    s->op = OP_CONNECT;
    sdx_smtp_reader_init(&s->rd);
    s->next = l->active;
    l->active = s;
    l->nactive++;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(port, sizeof(port), "%u", o->port ? o->port & 0xffff : 25);
    if (o->tlsa) {
        r->dane.state = o->tlsa->state;
        snprintf(r->dane.error, sizeof(r->dane.error), "%s", o->tlsa->error);
    }
    if (o->resolve_error) {
        snprintf(r->detail, sizeof(r->detail), "%s", o->resolve_error);
        s->res = NULL;
        end(l, s, SDX_PROBE_END_RESOLVE);
        return 0;
    }
    if (o->address)
        hints.ai_flags |= AI_NUMERICHOST;
    if ((rc = getaddrinfo(o->address ? o->address : o->host, port, &hints, &s->res)) != 0) {
        snprintf(r->detail, sizeof(r->detail), "%s: %s", o->host, gai_strerror(rc));
        s->res = NULL;
        end(l, s, SDX_PROBE_END_RESOLVE);
        return 0;
    }
    s->ai = s->res;
    rc = try_connect(s);
    if (rc == OK)
        rc = on_done(s);
    if (rc == OK)
        rc = advance(s);
    if (rc != AGAIN)
        end(l, s, failed(s, rc));
    return 0;
}

int sdx_probe_many(unsigned concurrency, sdx_probe_next_fn next, sdx_probe_done_fn done, void *arg)
{
    struct loop l;
    struct epoll_event ev[64];
    int more = 1, err = 0;

    memset(&l, 0, sizeof(l));
    l.limit = concurrency ? concurrency : 1;
    l.done = done;
    l.arg = arg;
    if ((l.ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
        return SDX_EIO;
    for (;;) {
        int64_t now, until = INT64_MAX;
        struct session *s, *nx;
        int n, i;

        while (more && !err && l.nactive < l.limit) {
            const struct sdx_probe_opts *o;
            struct sdx_probe_result *r;
            void *user;

            if ((more = next(arg, &o, &r, &user)) == 1)
                err = begin(&l, o, r, user);
        }
        if (l.nactive == 0)
            break;
        now = now_ms();
        for (s = l.active; s; s = s->next) {
            int64_t t = s->reply_until < s->deadline ? s->reply_until : s->deadline;

            if (t < until)
                until = t;
        }
        n = epoll_wait(l.ep, ev, (int)(sizeof(ev) / sizeof(ev[0])), until <= now ? 0 : (int)(until - now));
        if (n < 0 && errno != EINTR) {
            err = SDX_EIO;              /* end every session: nothing can wait any more */
            while (l.active) {
                snprintf(l.active->r->detail, sizeof(l.active->r->detail), "epoll_wait: %s", strerror(errno));
                end(&l, l.active, SDX_PROBE_END_RESET);
            }
            break;
        }
        /* a session ends only on its own event (one per batch) or its own
         * time, so no event below points at a session already freed */
        for (i = 0; i < n; i++) {
            int rc;

            s = ev[i].data.ptr;
            if ((rc = advance(s)) != AGAIN)
                end(&l, s, rc);
        }
        now = now_ms();
        for (s = l.active; s; s = nx) {
            int rc;

            nx = s->next;
            if (now >= s->reply_until || now >= s->deadline) {
                if ((rc = timed_out(s, now)) != AGAIN)
                    end(&l, s, rc);     /* frees s alone: nx stays valid */
            }
        }
    }
    if (l.have_ctx)
        SSL_CTX_free(l.ctx);
    close(l.ep);
    return err;
}

/* one session: sdx_probe_many with a next that gives it once */
struct one {
    const struct sdx_probe_opts *o;
    struct sdx_probe_result     *r;
    int                          given;
};

static int one_next(void *arg, const struct sdx_probe_opts **o, struct sdx_probe_result **r, void **user)
{
    struct one *x = arg;

    if (x->given++)
        return 0;
    *o = x->o;
    *r = x->r;
    *user = NULL;
    return 1;
}

static void one_done(void *arg, const struct sdx_probe_opts *o, struct sdx_probe_result *r, void *user)
{
    (void)arg, (void)o, (void)r, (void)user;
}

int sdx_probe_run(const struct sdx_probe_opts *o, struct sdx_probe_result *r)
{
    struct one x = { o, r, 0 };
    int rc;

    if (o == NULL || r == NULL || !valid(o))
        return SDX_EINVAL;
    rc = sdx_probe_many(1, one_next, one_done, &x);
    return rc == SDX_EIO ? 0 : rc;      /* r->end says what happened */
}
