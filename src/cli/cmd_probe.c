/* cmd_probe.c - smtpdx probe: one live SMTP session, timed, explained
 * In:  HOST[:PORT] ([v6]:PORT for an IPv6 literal), the sender and
 *      recipients to try, TLS wishes, timeouts.
 * Out: the timed transcript, the server's capabilities, the TLS facts, each
 *      refusal explained; --json for machines.
 * Exit: 0 the session ran and nothing was refused, 1 a refusal (a 4xx or
 *      5xx reply, a refused greeting, no STARTTLS when required), an
 *      unmet --need or a DANE failure, 2 usage,
 *      3 no session (name, connection, timeout, reset, not SMTP, TLS). */
#include <arpa/inet.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/explain.h"
#include "smtpdx/json.h"
#include "smtpdx/dane.h"
#include "smtpdx/mx.h"
#include "smtpdx/resolver.h"
#include "smtpdx/probe.h"
#include "smtpdx/replay.h"
#include "cmds.h"
#include "dnsopt.h"
#include "jsonout.h"
#include "probe_report.h"


#define PA(f) offsetof(struct probe_args, f)
const struct opt probe_opts[] = {
    { "mx",          'm', OPT_FLAG, NULL,    PA(mx),          "HOST is a mail domain: its MX hosts in preference order, tried until one answers", 0 },
    { "targets",     0,   OPT_STR,  "FILE",  PA(targets),
      "probe every target in FILE (- for stdin), one per line (# comments), side by side", 0 },
    { "concurrency", 'c', OPT_UINT, "N",     PA(concurrency), "at most N sessions at once with several targets (default 10)", 4096 },
    { "full",        0,   OPT_FLAG, NULL,    PA(full),        "with several targets: each one's whole report, not one line", 0 },
    { "helo",        'H', OPT_STR,  "NAME",  PA(helo),        "the name to send in EHLO/HELO (default: localhost)", 0 },
    { "from",        'f', OPT_STR,  "ADDR",  PA(from),        "the MAIL FROM address (default: <>, the null sender)", 0 },
    { "rcpt",        'r', OPT_STR,  "ADDRS", PA(rcpt),        "RCPT TO each of these, comma-separated (at most 32); no message is sent", 0 },
    { "size",        0,   OPT_UINT, "BYTES", PA(size),        "MAIL FROM with SIZE=BYTES (RFC 1870), advertised or not", 1000000000000UL },
    { "body",        0,   OPT_STR,  "TYPE",  PA(body),        "MAIL FROM with BODY=TYPE: 7BIT, 8BITMIME (RFC 6152) or BINARYMIME", 0 },
    { "smtputf8",    0,   OPT_FLAG, NULL,    PA(smtputf8),    "MAIL FROM with SMTPUTF8 (RFC 6531)", 0 },
    { "data",        0,   OPT_STR,  "FILE",  PA(data),
      "send the message in FILE (- for stdin) when a RCPT was accepted: it is DELIVERED", 0 },
    { "need",        'n', OPT_STR,  "LIST",  PA(need),
      "what the sender needs, comma-separated (SMTPUTF8,SIZE=30000000,...): the reply each unmet one causes", 0 },
    { "require-tls", 0,   OPT_FLAG, NULL,    PA(require_tls), "stop (exit 1) when the server offers no STARTTLS", 0 },
    { "no-tls",      0,   OPT_FLAG, NULL,    PA(no_tls),      "do not use STARTTLS even when offered", 0 },
    { "tls-on-connect", 'T', OPT_FLAG, NULL, PA(tls_on_connect), "TLS from the first byte, as on port 465 (RFC 8314); the default for :465", 0 },
    { "ca-file",     0,   OPT_STR,  "FILE",  PA(ca_file),     "verify the certificate against these CAs instead of the system's", 0 },
    { "dane",        0,   OPT_FLAG, NULL,    PA(dane),
      "authenticate the server by its DNSSEC-validated TLSA records (RFC 7672); the default with --mx", 0 },
    { "no-dane",     0,   OPT_FLAG, NULL,    PA(no_dane),     "with --mx: do not look up TLSA records", 0 },
    { "resolver",    0,   OPT_STR,  "ADDR[@PORT]", PA(resolver),
      "ask this DNS server for MX, TLSA and addresses (default: those of /etc/resolv.conf)", 0 },
    { "trust-anchor", 0,  OPT_STR,  "FILE",  PA(trust_anchor),
      "DNSSEC trust anchor (DS or DNSKEY lines; default " SDX_ROOT_KEY "; none: no validation)", 0 },
    { "auth-user",   'u', OPT_STR,  "USER",  PA(auth_user),
      "AUTH PLAIN as USER; the password from --auth-password-file or $SMTPDX_AUTH_PASSWORD", 0 },
    { "auth-password-file", 0, OPT_STR, "FILE", PA(auth_file), "read the AUTH password from the first line of FILE", 0 },
    { "auth-login",  0,   OPT_FLAG, NULL,    PA(auth_login),  "AUTH LOGIN instead of AUTH PLAIN", 0 },
    { "open-relay-test", 0, OPT_FLAG, NULL,  PA(relay),
      "try 4 forms of a foreign sender to a foreign recipient (no DATA: nothing is sent); exit 1 if relayed", 0 },
    { "source",      's', OPT_STR,  "ADDR",  PA(source),      "connect from this local address", 0 },
    { "timeout",     't', OPT_UINT, "SEC",   PA(timeout),     "seconds to wait for each reply (default 30; RFC 5321 allows up to 600)", 600 },
    { "deadline",    'd', OPT_UINT, "SEC",   PA(deadline),    "seconds for the whole session (default 120; 3600 with --rfc-timeouts)", 3600 },
    { "rfc-timeouts", 0,  OPT_FLAG, NULL,    PA(rfc_timeouts),
      "RFC 5321 4.5.3.2's timeouts: greeting, MAIL, RCPT 5 min, DATA 2, each block 3, the end 10", 0 },
    { "timeout-for", 0,   OPT_STR,  "LIST",  PA(timeout_for),
      "per reply: NAME=SEC,... (greeting ehlo starttls auth mail rcpt data block dot rset quit)", 0 },
    { "json",        'j', OPT_FLAG, NULL,    PA(json),        "print the session as one JSON object", 0 },
    { "color",       0,   OPT_STR,  "WHEN",  PA(color),       "colour: auto (default), always, never", 0 },
    { NULL, 0, 0, NULL, 0, NULL, 0 }
};

const char probe_summary[] = "run a live SMTP session: capabilities, STARTTLS, MAIL/RCPT, each reply explained";
const char probe_help[] =
    "Connects to HOST (port 25 unless :PORT is given; [2001:db8::1]:587 for IPv6;\n"
    "TLS from the first byte on :465 or with --tls-on-connect),\n"
    "reads the greeting, sends EHLO (HELO if EHLO is refused), STARTTLS when the\n"
    "server offers it (then EHLO again), MAIL FROM and RCPT TO for each\n"
    "recipient, RSET and QUIT. No message is sent (unless --data FILE: then\n"
    "DATA, the message, and its reply): RCPT answers whether the server would\n"
    "take mail for the address. --size, --body and --smtputf8 add those MAIL\n"
    "FROM parameters, to see the server's answer. Prints the transcript with the\n"
    "milliseconds since the start, the capabilities, the TLS protocol and\n"
    "cipher, the certificate's subject, issuer and expiry, whether its chain\n"
    "verifies and whether it names HOST (and why not), and explains every\n"
    "refusal as `smtpdx explain` does. With --need, says for each thing the\n"
    "sender needs whether the server offers it, and if not, the reply a sender\n"
    "needing it would get (553 5.6.7 without SMTPUTF8, 552 5.3.4 over SIZE ...).\n"
    "\n"
    "With --dane (the default with --mx), the certificate is also checked\n"
    "against the host's DNSSEC-validated TLSA records (RFC 7672): the report\n"
    "says which record matched, or why DANE does not apply (insecure, none)\n"
    "or fails (bogus, error, mismatch, no-tls: a DANE sender defers, exit 1).\n"
    "\n"
    "A server that hangs, drips, resets or sends endless or over-long replies\n"
    "ends the session within the per-reply timeout or the overall deadline,\n"
    "with a named diagnosis (timeout, deadline, reset, closed, line-too-long,\n"
    "endless-reply, not-smtp, tls-failed). Each reply gets 30 s by default (a\n"
    "person is waiting); --rfc-timeouts waits as long as RFC 5321 asks of a\n"
    "mail server (up to 10 minutes), --timeout-for sets any one.\n"
    "\n"
    "Several targets (on the command line, or --targets FILE) run side by side\n"
    "in one event loop, at most --concurrency at a time, each with its own\n"
    "timeouts; each gets one line as it ends (--full: its whole report; --json:\n"
    "one JSON object per line), then a summary. The exit status is the worst\n"
    "of the targets'.\n"
    "\n"
    "Examples:\n"
    "  smtpdx probe mx.example.com --from me@example.org --rcpt someone@example.com\n"
    "  smtpdx probe 127.0.0.1:2525 --require-tls --json\n"
    "  smtpdx probe mx.example.com --need SMTPUTF8,8BITMIME,SIZE=30000000\n"
    "  smtpdx probe --mx example.com --rcpt someone@example.com\n"
    "  smtpdx probe mx.example.com --dane --json\n"
    "  smtpdx probe mx.example.com --from me@example.org --rcpt you@example.com --data msg.eml\n"
    "  smtpdx probe mx.example.com --rfc-timeouts --timeout-for greeting=60\n"
    "  smtpdx probe --targets mailhosts.txt --concurrency 50 --require-tls --json\n";

int probe_refusal_end(enum sdx_probe_end e)
{
    return e == SDX_PROBE_END_REFUSED || e == SDX_PROBE_END_NO_TLS || e == SDX_PROBE_END_NO_AUTH ||
           e == SDX_PROBE_END_AUTH_FAILED;
}

int probe_dane_failed(const struct sdx_probe_result *r)
{
    enum sdx_dane_state d = r->dane.state;

    return d == SDX_DANE_BOGUS || d == SDX_DANE_ERROR || d == SDX_DANE_MISMATCH || d == SDX_DANE_NO_TLS;
}

int probe_status(const struct sdx_probe_result *r, int unmet)
{
    return r->end == SDX_PROBE_END_DONE ?
               (r->refused || unmet || r->relay_open || probe_dane_failed(r) ? EXIT_FOUND : EXIT_OK) :
           probe_refusal_end(r->end) ? EXIT_FOUND : EXIT_INPUT;
}

/* password - the AUTH password: the first line of file, or
 * $SMTPDX_AUTH_PASSWORD (never an argument: ps would show it); 0, or the
 * exit status after saying why */
static int probe_password(const char *file, char *out, size_t cap)
{
    const char *env = getenv("SMTPDX_AUTH_PASSWORD");
    size_t n;

    out[0] = '\0';
    if (file) {
        FILE *f = fopen(file, "r");

        if (f == NULL || fgets(out, (int)cap, f) == NULL) {
            fprintf(stderr, "smtpdx probe: cannot read the password from '");
            term_put_esc(stderr, file, strlen(file));
            fprintf(stderr, "'\n");
            if (f)
                fclose(f);
            return EXIT_INPUT;
        }
        fclose(f);
    } else if (env) {
        snprintf(out, cap, "%s", env);
    } else {
        fprintf(stderr, "smtpdx probe: --auth-user needs a password: --auth-password-file FILE or "
                "SMTPDX_AUTH_PASSWORD\n");
        return EXIT_USAGE;
    }
    n = strlen(out);
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return 0;
}

/* target - "host", "host:port", "[v6]:port", "v6" into host/port */
int probe_target(const char *t, char *host, size_t cap, unsigned *port)
{
    const char *colon = strrchr(t, ':'), *p;
    size_t n;

    *port = 25;
    if (t[0] == '[') {
        const char *rb = strchr(t, ']');

        if (rb == NULL || (rb[1] != '\0' && rb[1] != ':'))
            return -1;
        n = (size_t)(rb - t - 1);
        colon = rb[1] == ':' ? rb + 1 : NULL;
        t++;
    } else if (colon && strchr(t, ':') != colon) {
        colon = NULL;                   /* a bare IPv6 literal */
        n = strlen(t);
    } else {
        n = colon ? (size_t)(colon - t) : strlen(t);
    }
    if (n == 0 || n >= cap)
        return -1;
    memcpy(host, t, n);
    host[n] = '\0';
    if (colon) {
        unsigned long v = 0;

        for (p = colon + 1; *p >= '0' && *p <= '9' && v <= 65535; p++)
            v = v * 10 + (unsigned long)(*p - '0');
        if (p == colon + 1 || *p || v == 0 || v > 65535)
            return -1;
        *port = (unsigned)v;
    }
    return 0;
}

void probe_explain_reply(const char *text, size_t n, char *out, size_t cap, struct sdx_verdict *v, int *ok)
{
    struct sdx_reply r;
    struct sdx_explanation x;

    *ok = 0;
    out[0] = '\0';
    sdx_reply_init(&r);
    if (sdx_reply_parse(&r, text, n) == 0 && sdx_classify(&r, NULL, v) == 0) {
        sdx_explain_verdict(v, &x);
        snprintf(out, cap, "%s: %s (%s, %s)", sdx_reason_name(v->reason), x.summary, sdx_perm_name(v->perm),
                 sdx_actor_name(v->actor));
        *ok = 1;
    }
    sdx_reply_release(&r);
}

/* each_need - call fn on every item of the comma-separated list; the
 * first non-zero it returns */
int probe_each_need(const char *list, int (*fn)(void *arg, const char *p, size_t n), void *arg)
{
    const char *p = list;

    while (p && *p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        int rc;

        if (n && (rc = fn(arg, p, n)) != 0)
            return rc;
        p = c ? c + 1 : NULL;
    }
    return 0;
}

static int need_valid(void *arg, const char *p, size_t n)
{
    struct sdx_probe_need nd;

    (void)arg;
    if (sdx_probe_need(p, n, 0, 0, &nd) != 0 || !nd.known) {
        fprintf(stderr, "smtpdx probe: --need: not a need: '");
        term_put_esc(stderr, p, n);
        fprintf(stderr, "' (%s)\n", nd.explanation);
        return EXIT_USAGE;
    }
    return 0;
}

struct needs_out {
    const struct sdx_probe_result *r;
    struct sdx_json               *j;       /* JSON, or text when NULL */
    int                            unmet;
};

static int need_report(void *arg, const char *p, size_t n)
{
    struct needs_out *o = arg;
    struct sdx_probe_need nd;
    char line[1024];

    if (sdx_probe_need(p, n, o->r->caps, o->r->size_limit, &nd) != 0)
        return 0;
    if (!nd.met)
        o->unmet++;
    if (o->j) {
        sdx_json_obj(o->j, NULL);
        sdx_json_strn(o->j, "need", p, n);
        sdx_json_bool(o->j, "met", nd.met);
        if (!nd.met && nd.reply_code)
            sdx_json_int(o->j, "reply_code", nd.reply_code);
        else
            sdx_json_null(o->j, "reply_code");
        sdx_json_str(o->j, "status", !nd.met && nd.status[0] ? nd.status : NULL);
        sdx_json_str(o->j, "explanation", nd.met ? NULL : nd.explanation);
        sdx_json_end(o->j, '}');
        return 0;
    }
    if (nd.met && nd.size && !(o->r->caps & SDX_CAP_SIZE))
        snprintf(line, sizeof(line), "need: %.*s: no SIZE limit advertised (one it does not state can still "
                 "refuse the message at the end of DATA)", (int)n, p);
    else if (nd.met && nd.size)
        snprintf(line, sizeof(line), "need: %.*s: within the advertised limit (SIZE %llu)", (int)n, p,
                 o->r->size_limit);
    else if (nd.met)
        snprintf(line, sizeof(line), "need: %.*s: offered", (int)n, p);
    else if (nd.reply_code)
        snprintf(line, sizeof(line), "need: %.*s: NOT %s: a sender needing it gets %d %s; %s", (int)n, p,
                 nd.size ? "within the advertised limit" : "offered", nd.reply_code, nd.status, nd.explanation);
    else
        snprintf(line, sizeof(line), "need: %.*s: NOT offered: %s", (int)n, p, nd.explanation);
    term_wrap(stdout, line, 2, 6);
    return 0;
}

/* dane_text - DANE's outcome, and what a DANE sender (Postfix with
 * smtp_tls_security_level = dane, Exim with hosts_require_dane) does */
static void dane_text(const struct sdx_probe_result *r)
{
    const struct sdx_probe_dane *d = &r->dane;
    char line[1024];
    int bad = probe_dane_failed(r);

    if (d->state == SDX_DANE_MATCHED) {
        printf("  DANE      %smatched%s TLSA %u %u %u (%s) at depth %d (%s)\n", term_green(), term_reset(), d->usage,
               d->selector, d->mtype, sdx_dane_usage_name(d->usage), d->depth,
               d->depth == 0 ? "the server's own certificate" : "a certificate of its chain");
        printf("            %.64s%s\n", d->data, strlen(d->data) > 64 ? "..." : "");
        if (d->usage == 3)
            printf("            (DANE-EE: the certificate's names and dates are not checked, RFC 7672 "
                   "section 3.1.1)\n");
        return;
    }
    printf("  DANE      %s%s%s: ", bad ? term_red() : d->state == SDX_DANE_UNUSABLE ? term_yellow() : "",
           sdx_dane_state_name(d->state), bad || d->state == SDX_DANE_UNUSABLE ? term_reset() : "");
    snprintf(line, sizeof(line), "%s%s%s", sdx_dane_state_text(d->state), d->error[0] ? " - " : "", d->error);
    term_put_esc(stdout, line, strlen(line));
    putchar('\n');
}

void probe_text_report(const char *tgt, const struct sdx_probe_result *r, const char *need, int *unmet)
{
    char caps[256], line[1024];
    size_t i;
    int64_t total = r->elapsed_ms;

    printf("%ssmtpdx probe ", term_bold());
    term_put_esc(stdout, tgt, strlen(tgt));
    printf("%s", term_reset());
    if (r->address[0])
        printf(" (%s)", r->address);
    printf(": %s%s%s in %lld ms", r->end == SDX_PROBE_END_DONE ? term_green() : term_red(),
           sdx_probe_end_name(r->end), term_reset(), (long long)total);
    if (r->greeting_ms)
        printf("; greeting after %lld ms", (long long)r->greeting_ms);
    printf("; %d refusal%s\n", r->refused, r->refused == 1 ? "" : "s");
    if (r->end != SDX_PROBE_END_DONE) {
        snprintf(line, sizeof(line), "%s%s%s", sdx_probe_end_text(r->end), r->detail[0] ? ": " : "", r->detail);
        term_wrap(stdout, line, 2, 2);
    }
    if (r->caps) {
        sdx_cap_names(r->caps, caps, sizeof(caps));
        printf("  offers    %s", caps);
        if (r->size_limit)
            printf(" (SIZE %llu)", r->size_limit);
        putchar('\n');
    }
    if (need && r->n) {
        struct needs_out no = { r, NULL, 0 };

        (void)probe_each_need(need, need_report, &no);
        *unmet = no.unmet;
    }
    if (r->authed)
        printf("  AUTH      accepted (235)\n");
    if (r->data_code)
        printf("  message   %s%s%s: %zu bytes sent, the server replied %d\n",
               r->data_code == 250 ? term_green() : term_red(), r->data_code == 250 ? "accepted" : "refused",
               term_reset(), r->data_bytes, r->data_code);
    if (r->relay_tried && r->relay_open) {
        printf("  relay     %sOPEN%s: it accepted ", term_red(), term_reset());
        term_put_esc(stdout, r->relay_how, strlen(r->relay_how));
        printf(" from <smtpdx-relay-test@example.org>\n            (%d of %d forms; nothing was sent: "
               "no DATA) - for this client address\n", r->relay_open, r->relay_tried);
    } else if (r->relay_tried && r->relay_closed == r->relay_tried && r->relay_tried == 4) {
        printf("  relay     %sclosed%s: 4 forms of a foreign sender to a foreign recipient refused as "
               "relaying\n", term_green(), term_reset());
    } else if (r->relay_how[0] || r->relay_tried) {
        printf("  relay     %sunclear%s: %d of 4 forms refused as relaying; the others were refused for another "
               "reason: ", term_yellow(), term_reset(), r->relay_closed);
        term_put_esc(stdout, r->relay_how, strlen(r->relay_how) > 120 ? 120 : strlen(r->relay_how));
        printf("\n            (give --from an address the server accepts as a sender)\n");
    }
    if (r->tls.done) {
        printf("  TLS       %s, %s\n", r->tls.protocol, r->tls.cipher);
        printf("  cert      ");
        term_put_esc(stdout, r->tls.subject, strlen(r->tls.subject));
        printf("\n  issuer    ");
        term_put_esc(stdout, r->tls.issuer, strlen(r->tls.issuer));
        printf("\n  expires   %s (%s%d days)\n", r->tls.not_after, r->tls.days_left < 0 ? "expired " : "",
               r->tls.days_left < 0 ? -r->tls.days_left : r->tls.days_left);
        printf("  chain     %s%s%s\n", r->tls.verified ? term_green() : term_red(),
               r->tls.verified ? "verified" : r->tls.verify_error, term_reset());
        printf("  name      %s%s%s\n", r->tls.name_ok ? term_green() : term_red(),
               r->tls.name_ok ? "the certificate names the host" : "the certificate does NOT name the host",
               term_reset());
    }
    if (r->dane.state != SDX_DANE_OFF)
        dane_text(r);
    putchar('\n');
    for (i = 0; i < r->n; i++) {
        const struct sdx_probe_step *st = &r->step[i];
        const char *p = r->text.data + st->off, *end = p + st->len;
        const char *arrow = st->dir == SDX_PROBE_CLIENT ? (st->tls ? " ~>" : " ->") :
                            st->dir == SDX_PROBE_SERVER ? (st->tls ? "<~ " : "<- ") : "== ";
        int bad = st->dir == SDX_PROBE_SERVER && st->code >= 400;

        /* one printed line per reply line */
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;

            printf("  %s[%5lld ms]%s %s%s ", term_dim(), (long long)st->ms, term_reset(), bad ? term_red() : "",
                   arrow);
            term_put_esc(stdout, p, (size_t)(e - p) > 200 ? 200 : (size_t)(e - p));
            printf("%s\n", bad ? term_reset() : "");
            p = nl ? nl + 1 : end;
        }
        if (bad) {
            struct sdx_verdict v;
            int ok;

            probe_explain_reply(r->text.data + st->off, st->len, line, sizeof(line), &v, &ok);
            if (ok)
                term_wrap(stdout, line, 14, 2);
        }
    }
}

int probe_json_report(const char *tgt, const struct sdx_probe_result *r, const char *need, int *unmet,
                       const struct sdx_mx_result *mx, const char *server)
{
    struct sdx_buf out;
    struct sdx_json j;
    size_t i;
    int rc;

    sdx_buf_init(&out, (size_t)64 << 20);
    sdx_json_init(&j, &out, 0);
    sdx_json_obj(&j, NULL);
    sdx_json_str(&j, "target", tgt);
    if (mx) {
        size_t k;

        sdx_json_obj(&j, "mx");
        sdx_json_str(&j, "kind", sdx_mx_kind_name(mx->kind));
        sdx_json_bool(&j, "dnssec", mx->secure);
        sdx_json_arr(&j, "hosts");
        for (k = 0; k < mx->n && mx->kind != SDX_MX_NULL; k++) {
            sdx_json_obj(&j, NULL);
            sdx_json_str(&j, "host", mx->mx[k].host);
            sdx_json_int(&j, "preference", mx->mx[k].pref);
            sdx_json_end(&j, '}');
        }
        sdx_json_end(&j, ']');
        sdx_json_str(&j, "error", mx->error[0] ? mx->error : NULL);
        sdx_json_end(&j, '}');
        sdx_json_str(&j, "server", server);
    }
    sdx_json_str(&j, "address", r->address[0] ? r->address : NULL);
    sdx_json_str(&j, "end", sdx_probe_end_name(r->end));
    sdx_json_str(&j, "detail", r->detail[0] ? r->detail : NULL);
    sdx_json_int(&j, "elapsed_ms", r->elapsed_ms);
    sdx_json_int(&j, "greeting_ms", r->greeting_ms);
    sdx_json_int(&j, "refused", r->refused);
    sdx_json_bool(&j, "authenticated", r->authed);
    if (r->data_code) {
        sdx_json_obj(&j, "message");
        sdx_json_int(&j, "bytes", (long long)r->data_bytes);
        sdx_json_int(&j, "reply_code", r->data_code);
        sdx_json_bool(&j, "accepted", r->data_code == 250);
        sdx_json_end(&j, '}');
    } else {
        sdx_json_null(&j, "message");
    }
    if (r->relay_tried || r->relay_how[0]) {
        sdx_json_obj(&j, "relay_test");
        sdx_json_str(&j, "verdict", r->relay_open ? "open" : r->relay_closed == 4 ? "closed" : "unclear");
        sdx_json_int(&j, "tried", r->relay_tried);
        sdx_json_int(&j, "accepted", r->relay_open);
        sdx_json_int(&j, "refused_as_relaying", r->relay_closed);
        sdx_json_str(&j, r->relay_open ? "first_accepted" : "other_refusal", r->relay_how[0] ? r->relay_how : NULL);
        sdx_json_end(&j, '}');
    } else {
        sdx_json_null(&j, "relay_test");
    }
    sdx_json_caps(&j, r->caps, (unsigned long long)r->size_limit);
    sdx_json_arr(&j, "needs");
    if (need && r->n) {
        struct needs_out no = { r, &j, 0 };

        (void)probe_each_need(need, need_report, &no);
        *unmet = no.unmet;
    }
    sdx_json_end(&j, ']');
    if (r->tls.done) {
        sdx_json_obj(&j, "tls");
        sdx_json_str(&j, "protocol", r->tls.protocol);
        sdx_json_str(&j, "cipher", r->tls.cipher);
        sdx_json_str(&j, "subject", r->tls.subject);
        sdx_json_str(&j, "issuer", r->tls.issuer);
        sdx_json_str(&j, "not_after", r->tls.not_after);
        sdx_json_int(&j, "days_left", r->tls.days_left);
        sdx_json_bool(&j, "verified", r->tls.verified);
        sdx_json_str(&j, "verify_error", r->tls.verified ? NULL : r->tls.verify_error);
        sdx_json_bool(&j, "name_matches", r->tls.name_ok);
        sdx_json_end(&j, '}');
    } else {
        sdx_json_null(&j, "tls");
    }
    if (r->dane.state != SDX_DANE_OFF) {
        sdx_json_obj(&j, "dane");
        sdx_json_str(&j, "state", sdx_dane_state_name(r->dane.state));
        sdx_json_str(&j, "meaning", sdx_dane_state_text(r->dane.state));
        sdx_json_bool(&j, "sender_defers", probe_dane_failed(r));
        if (r->dane.state == SDX_DANE_MATCHED) {
            sdx_json_obj(&j, "matched");
            sdx_json_int(&j, "usage", r->dane.usage);
            sdx_json_str(&j, "usage_name", sdx_dane_usage_name(r->dane.usage));
            sdx_json_int(&j, "selector", r->dane.selector);
            sdx_json_int(&j, "matching_type", r->dane.mtype);
            sdx_json_str(&j, "data", r->dane.data);
            sdx_json_int(&j, "depth", r->dane.depth);
            sdx_json_end(&j, '}');
        }
        sdx_json_str(&j, "detail", r->dane.error[0] ? r->dane.error : NULL);
        sdx_json_end(&j, '}');
    }
    sdx_json_arr(&j, "steps");
    for (i = 0; i < r->n; i++) {
        const struct sdx_probe_step *st = &r->step[i];

        sdx_json_obj(&j, NULL);
        sdx_json_int(&j, "ms", st->ms);
        sdx_json_str(&j, "from", st->dir == SDX_PROBE_CLIENT ? "client" : st->dir == SDX_PROBE_SERVER ? "server" :
                                 "note");
        sdx_json_bool(&j, "tls", st->tls);
        sdx_json_strn(&j, "text", r->text.data + st->off, st->len);
        if (st->dir == SDX_PROBE_SERVER) {
            sdx_json_int(&j, "reply_code", st->code);
            if (st->code >= 400) {
                struct sdx_verdict v;
                char line[1024];
                int ok;

                probe_explain_reply(r->text.data + st->off, st->len, line, sizeof(line), &v, &ok);
                if (ok) {
                    sdx_json_str(&j, "reason", sdx_reason_name(v.reason));
                    sdx_json_bool(&j, "permanent", v.perm == SDX_PERM_PERMANENT);
                    sdx_json_str(&j, "explanation", line);
                }
            }
        }
        sdx_json_end(&j, '}');
    }
    sdx_json_end(&j, ']');
    sdx_json_end(&j, '}');
    rc = json_line("probe", &j, &out);
    sdx_buf_release(&out);
    return rc;
}

const char *probe_no_mail_text(const struct sdx_mx_result *mx)
{
    switch (mx->kind) {
    case SDX_MX_NULL:
        return "the domain publishes a null MX: it accepts no mail (RFC 7505); senders get 556 5.1.10";
    case SDX_MX_NXDOMAIN:
        return "the domain does not exist: senders bounce mail for it (5.1.2, Postfix 5.4.4)";
    case SDX_MX_NONE:
        return "no MX and no address: mail to the domain cannot be delivered (5.1.2)";
    case SDX_MX_ERROR:
        return mx->error;
    default:
        return "";
    }
}

int probe_lookup(struct sdx_resolver *rs, int dane, struct sdx_probe_opts *o, struct sdx_tlsa_result *tlsa,
                 char *addr, size_t addrcap, char *err, size_t errcap)
{
    unsigned char bin[16];
    enum sdx_dnssec sec;
    int rc;

    o->address = NULL;
    o->tlsa = NULL;
    o->resolve_error = NULL;
    if (rs == NULL || inet_pton(AF_INET, o->host, bin) == 1 || inet_pton(AF_INET6, o->host, bin) == 1)
        return 0;
    addr[0] = err[0] = '\0';
    if (dane) {
        if ((rc = sdx_tlsa_lookup(rs, o->host, o->port ? o->port : 25, tlsa)) != 0)
            return rc;
        o->tlsa = tlsa;
        snprintf(addr, addrcap, "%s", tlsa->address);
        snprintf(err, errcap, "%s", tlsa->error);
    } else if ((rc = sdx_resolver_address(rs, o->host, addr, addrcap, &sec, err, errcap)) == 0) {
        snprintf(err, errcap, "%.253s: no address (no such name, or no A or AAAA record)", o->host);
    }
    if (addr[0] == '\0')
        o->resolve_error = err;
    else
        o->address = addr;
    return 0;
}

/* probe_host - one session with o->host (the target, or an MX host), its
 * address (and TLSA records) from the resolver when there is one. 0 (r
 * is the session's), or an SDX_E* */
static int probe_host(struct sdx_resolver *rs, int dane, struct sdx_probe_opts *o, struct sdx_tlsa_result *tlsa,
                      struct sdx_probe_result *r)
{
    char addr[64], err[700];
    int rc;

    sdx_probe_result_init(r);
    if ((rc = probe_lookup(rs, dane, o, tlsa, addr, sizeof(addr), err, sizeof(err))) != 0)
        return rc;
    rc = sdx_probe_run(o, r);
    o->address = NULL, o->resolve_error = NULL;
    return rc;
}

/* probe_mx - the MX hosts of domain, in order, until one answers (RFC 5321
 * section 5.1: a host that cannot be reached sends the client to the next) */
static int probe_mx(const struct probe_args *a, struct sdx_resolver *rs, int dane, struct sdx_tlsa_result *tlsa,
                    struct sdx_probe_opts *o, const char *tgt, const char *domain)
{
    struct sdx_mx_result mx;
    struct sdx_probe_result r;
    size_t k;
    int rc, unmet = 0, tried = 0;

    if ((rc = sdx_mx_resolve(rs, domain, &mx)) != 0) {
        fprintf(stderr, "smtpdx probe: %s\n", rc == SDX_EINVAL ? "not a domain name" : sdx_strerror(rc));
        return rc == SDX_EINVAL ? EXIT_USAGE : EXIT_INPUT;
    }
    if (!a->json) {
        printf("%sMX of ", term_bold());
        term_put_esc(stdout, domain, strlen(domain));
        printf("%s: %s%s\n", term_reset(), sdx_mx_kind_name(mx.kind), mx.secure ? " (DNSSEC-validated)" : "");
        for (k = 0; k < mx.n && mx.kind != SDX_MX_NULL; k++) {
            printf("  %5u  ", mx.mx[k].pref);
            term_put_esc(stdout, mx.mx[k].host, strlen(mx.mx[k].host));
            putchar('\n');
        }
        if (mx.kind != SDX_MX_FOUND && mx.kind != SDX_MX_IMPLICIT)
            printf("  %s\n", probe_no_mail_text(&mx));
        else if (mx.kind == SDX_MX_IMPLICIT)
            printf("  (no MX record: the domain's own address is its mail host, RFC 5321 section 5.1)\n");
    }
    if (mx.kind != SDX_MX_FOUND && mx.kind != SDX_MX_IMPLICIT) {
        if (a->json) {
            struct sdx_probe_result none;

            sdx_probe_result_init(&none);
            none.end = SDX_PROBE_END_RESOLVE;
            (void)probe_json_report(tgt, &none, NULL, &unmet, &mx, NULL);
            sdx_probe_result_release(&none);
        }
        return mx.kind == SDX_MX_ERROR ? EXIT_INPUT : EXIT_FOUND;
    }
    for (k = 0; k < mx.n; k++) {
        o->host = mx.mx[k].host;
        if ((rc = probe_host(rs, dane, o, tlsa, &r)) != 0) {
            sdx_probe_result_release(&r);
            continue;
        }
        tried++;
        /* an MX host that cannot be reached: the next one (RFC 5321 section 5.1) */
        if ((r.end == SDX_PROBE_END_RESOLVE || r.end == SDX_PROBE_END_CONNECT) && k + 1 < mx.n) {
            if (!a->json) {
                printf("  ");
                term_put_esc(stdout, mx.mx[k].host, strlen(mx.mx[k].host));
                printf(": %s (%s); trying the next\n", sdx_probe_end_name(r.end), r.detail);
            }
            sdx_probe_result_release(&r);
            continue;
        }
        if (a->json)
            rc = probe_json_report(tgt, &r, a->need, &unmet, &mx, mx.mx[k].host);
        else {
            putchar('\n');
            probe_text_report(mx.mx[k].host, &r, a->need, &unmet);
            rc = 0;
        }
        if (rc == 0)
            rc = probe_status(&r, unmet);
        sdx_probe_result_release(&r);
        return rc;
    }
    fprintf(stderr, "smtpdx probe: no MX host of %s could be tried (%d tried)\n", domain, tried);
    return EXIT_INPUT;
}

int cmd_probe(const struct cmd *self, int argc, char **argv)
{
    struct probe_args a = { 0 };
    struct sdx_probe_opts o;
    struct sdx_probe_result r;
    char host[256], *rcpts = NULL, pass[300], *data = NULL;
    const char *why;
    int first, rc, unmet = 0, many, dane;
    struct sdx_resolver *rs = NULL;
    struct sdx_tlsa_result *tlsa = NULL;

    if ((rc = opt_parse(self, argc, argv, &a, &first)) >= 0)
        return rc;
    if (term_setup(a.color) != 0) {
        fprintf(stderr, "smtpdx probe: --color takes auto, always or never\n");
        return EXIT_USAGE;
    }
    many = a.targets || argc - first > 1;
    if (first == argc && !a.targets) {
        fprintf(stderr, "smtpdx probe: give a target, HOST[:PORT], several, or --targets FILE\n");
        opt_usage_line(self, stderr);
        return EXIT_USAGE;
    }
    memset(&o, 0, sizeof(o));
    if (!many && probe_target(argv[first], host, sizeof(host), &o.port) != 0) {
        fprintf(stderr, "smtpdx probe: not a target: '");
        term_put_esc(stderr, argv[first], strlen(argv[first]));
        fprintf(stderr, "' (HOST, HOST:PORT, [IPv6]:PORT)\n");
        return EXIT_USAGE;
    }
    if (a.need && (rc = probe_each_need(a.need, need_valid, NULL)) != 0)
        return rc;
    if (a.require_tls + a.no_tls + a.tls_on_connect > 1) {
        fprintf(stderr, "smtpdx probe: --require-tls, --no-tls and --tls-on-connect exclude each other\n");
        return EXIT_USAGE;
    }
    if (a.full && !many) {
        fprintf(stderr, "smtpdx probe: --full is for several targets (one target is always shown in full)\n");
        return EXIT_USAGE;
    }
    if (a.data && a.targets && strcmp(a.data, "-") == 0 && strcmp(a.targets, "-") == 0) {
        fprintf(stderr, "smtpdx probe: --data and --targets cannot both read stdin\n");
        return EXIT_USAGE;
    }
    if ((rc = probe_wait_opts(a.timeout_for, a.rfc_timeouts, &o)) != 0)
        return rc;
    /* OpenSSL writes with write(2): a server closing mid-TLS must not kill us */
    signal(SIGPIPE, SIG_IGN);
    pass[0] = '\0';
    if (a.auth_user) {
        if ((rc = probe_password(a.auth_file, pass, sizeof(pass))) != 0)
            return rc;
        o.auth_user = a.auth_user;
        o.auth_pass = pass;
        o.auth_login = a.auth_login;
    }
    o.host = host;
    o.helo = a.helo;
    o.source = a.source;
    o.relay_test = a.relay;
    o.from = a.from;
    o.tls = a.require_tls ? SDX_PROBE_TLS_REQUIRE : a.no_tls ? SDX_PROBE_TLS_NEVER :
            a.tls_on_connect || o.port == 465 ? SDX_PROBE_TLS_IMPLICIT : SDX_PROBE_TLS_AUTO;
    o.timeout_ms = a.timeout ? (int)a.timeout * 1000 : 0;
    o.deadline_ms = a.deadline ? (int)a.deadline * 1000 : a.rfc_timeouts ? 3600 * 1000 : 0;
    o.ca_file = a.ca_file;
    o.mail_size = a.size;
    o.mail_body = a.body;
    o.mail_smtputf8 = a.smtputf8;
    if (a.data) {
        if ((rc = probe_read_data(a.data, &data, &o.data_len)) != 0)
            goto out;
        o.data = data;
    }
    if (a.rcpt) {
        char *t, *comma;

        if ((rcpts = strdup(a.rcpt)) == NULL) {
            fprintf(stderr, "smtpdx probe: out of memory\n");
            rc = EXIT_INPUT;
            goto out;
        }
        for (t = rcpts; t; t = comma ? comma + 1 : NULL) {
            if ((comma = strchr(t, ',')) != NULL)
                *comma = '\0';
            if (*t == '\0')
                continue;               /* "a,,b" or a trailing comma */
            if (o.nrcpt == SDX_PROBE_RCPT_MAX) {
                fprintf(stderr, "smtpdx probe: at most %d recipients\n", SDX_PROBE_RCPT_MAX);
                rc = EXIT_USAGE;
                goto out;
            }
            o.rcpt[o.nrcpt++] = t;
        }
    }
    /* the library's own checks, said before anything is read or sent */
    if ((why = sdx_probe_check(&o)) != NULL) {
        fprintf(stderr, "smtpdx probe: %s\n", why);
        rc = EXIT_USAGE;
        goto out;
    }
    /* DANE: asked for, or by default with --mx (RFC 7672 is about MX
     * hosts); not without TLS */
    dane = a.dane || (a.mx && !a.no_dane && o.tls != SDX_PROBE_TLS_NEVER);
    if (a.dane && (a.no_dane || o.tls == SDX_PROBE_TLS_NEVER)) {
        fprintf(stderr, "smtpdx probe: --dane needs TLS: not with --no-dane or --no-tls\n");
        rc = EXIT_USAGE;
        goto out;
    }
    if (dane || a.mx || a.resolver || a.trust_anchor) {
        if ((rc = cli_resolver("probe", a.resolver, a.trust_anchor, &rs)) != 0)
            goto out;
        if (dane && (tlsa = malloc(sizeof(*tlsa))) == NULL) {
            fprintf(stderr, "smtpdx probe: out of memory\n");
            rc = EXIT_INPUT;
            goto out;
        }
    }
    if (many) {
        o.host = NULL;
        rc = probe_many(&a, &o, rs, dane, argc, argv, first);
        goto out;
    }
    if (a.mx) {
        rc = probe_mx(&a, rs, dane, tlsa, &o, argv[first], host);
        goto out;
    }
    if ((rc = probe_host(rs, dane, &o, tlsa, &r)) != 0) {
        fprintf(stderr, "smtpdx probe: %s\n", rc == SDX_EINVAL ? "the host name is empty or over 255 bytes" :
                sdx_strerror(rc));
        sdx_probe_result_release(&r);
        rc = rc == SDX_EINVAL ? EXIT_USAGE : EXIT_INPUT;
        goto out;
    }
    OPENSSL_cleanse(pass, sizeof(pass));
    rc = a.json ? probe_json_report(argv[first], &r, a.need, &unmet, NULL, NULL) :
                  (probe_text_report(argv[first], &r, a.need, &unmet), 0);
    if (rc == 0)
        rc = probe_status(&r, unmet);
    sdx_probe_result_release(&r);
out:
    OPENSSL_cleanse(pass, sizeof(pass));
    sdx_resolver_free(rs);
    free(tlsa);
    free(rcpts);
    free(data);
    return rc;
}
