/* cmd_check.c - smtpdx check: a mail domain's DNS, as receivers see it
 * In:  DOMAIN, --ip (the addresses it sends from), --selector (DKIM).
 * Out: the findings (pass, info, warn, fail) by area, each with its
 *      evidence and the refusal it causes; --json; --nagios (one status
 *      line with perfdata, plugin exit codes).
 * Exit: 0 nothing failed or warned, 1 a warning or failure, 2 usage, 3
 *      the check could not run; with --nagios 0 OK, 1 WARNING, 2
 *      CRITICAL, 3 UNKNOWN. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/check.h"
#include "smtpdx/dkim.h"
#include "smtpdx/input.h"
#include "smtpdx/json.h"
#include "smtpdx/resolver.h"
#include "cmds.h"
#include "dnsopt.h"
#include "jsonout.h"

struct check_args {
    int         json, nagios, no_common, no_dnsbl, connect;
    const char *ip, *selector, *resolver, *trust_anchor, *color, *ca_file, *log;
};

#define CA(f) offsetof(struct check_args, f)
const struct opt check_opts[] = {
    { "ip",        'i', OPT_STR,  "IPS",   CA(ip),
      "the addresses the domain sends from, comma-separated: PTR, SPF and blocklists for each", 0 },
    { "selector",  's', OPT_STR,  "SELS",  CA(selector),  "DKIM selectors to check, comma-separated", 0 },
    { "log",       'l', OPT_STR,  "FILE",  CA(log),
      "take DKIM selectors from OpenDKIM's signing lines in this mail log (plain or compressed)", 0 },
    { "no-common-selectors", 0, OPT_FLAG, NULL, CA(no_common),
      "only the --selector ones, not the common provider selectors too", 0 },
    { "no-dnsbl",  0,   OPT_FLAG, NULL,    CA(no_dnsbl),    "do not ask blocklists about the --ip addresses", 0 },
    { "connect",   'c', OPT_FLAG, NULL,    CA(connect),     "also try a TCP connection to port 25 of each MX address (5 s each)", 0 },
    { "resolver",  0,   OPT_STR,  "ADDR[@PORT]", CA(resolver), "ask this DNS server (default: those of /etc/resolv.conf)", 0 },
    { "trust-anchor", 0, OPT_STR, "FILE",  CA(trust_anchor),
      "DNSSEC trust anchor (default " SDX_ROOT_KEY "; none: no validation)", 0 },
    { "ca-file",   0,   OPT_STR,  "FILE",  CA(ca_file),     "trust these CAs for the MTA-STS policy's HTTPS instead of the system's", 0 },
    { "json",      'j', OPT_FLAG, NULL,    CA(json),        "print the findings as one JSON object", 0 },
    { "nagios",    0,   OPT_FLAG, NULL,    CA(nagios),      "one monitoring-plugin status line with perfdata, plugin exit codes", 0 },
    { "color",     0,   OPT_STR,  "WHEN",  CA(color),       "colour: auto (default), always, never", 0 },
    { NULL, 0, 0, NULL, 0, NULL, 0 }
};

const char check_summary[] = "check a mail domain's DNS (MX, PTR, SPF, DKIM, DMARC, DANE, blocklists) as receivers see it";
const char check_help[] =
    "Looks at DOMAIN as a receiving mail server would, and names each fault\n"
    "with the refusal it causes: MX (none, null MX, an IP literal or alias as\n"
    "target, hosts without an address or with a private one, their reverse\n"
    "DNS, DANE TLSA), for each --ip its reverse DNS and forward confirmation,\n"
    "SPF check_host() and blocklist listings, the SPF record's syntax, DKIM\n"
    "keys (the --selector ones and common provider selectors: type, size,\n"
    "revoked, testing), DMARC (RFC 9989 and 7489: policy, removed tags,\n"
    "organizational domain by the public suffix list, external report\n"
    "addresses' authorization), TLS-RPT, MTA-STS (the policy fetched over\n"
    "HTTPS and each MX matched against it).\n"
    "\n"
    "Each finding is pass, info, warn or fail, with the record or answer it is\n"
    "based on and, for warn and fail, what receivers reply (\"Gmail: 550 5.7.25\",\n"
    "\"Outlook.com: 550 5.7.515\" ...).\n"
    "\n"
    "Exit status: 0 nothing failed or warned, 1 a warning or failure, 2 usage,\n"
    "3 the check could not run; with --nagios: 0 OK, 1 WARNING, 2 CRITICAL,\n"
    "3 UNKNOWN.\n"
    "\n"
    "Examples:\n"
    "  smtpdx check example.com\n"
    "  smtpdx check example.com --ip 192.0.2.25,2001:db8::25 --selector s2025\n"
    "  smtpdx check example.com --ip 192.0.2.25 --nagios\n"
    "  smtpdx check example.com --log /var/log/mail.log   # selectors OpenDKIM signed with\n";

/* split - "a,b,c" into at most max items (pointers into buf) */
static int split(char *buf, const char **out, size_t max, size_t *n, const char *what)
{
    char *t, *comma;

    for (t = buf; t; t = comma ? comma + 1 : NULL) {
        if ((comma = strchr(t, ',')) != NULL)
            *comma = '\0';
        if (*t == '\0')
            continue;
        if (*n == max) {
            fprintf(stderr, "smtpdx check: at most %zu %s\n", max, what);
            return EXIT_USAGE;
        }
        out[(*n)++] = t;
    }
    return 0;
}

/* log_selectors - the selectors OpenDKIM logged signing DOMAIN's mail
 * with ("DKIM-Signature field added (s=SEL, d=DOMAIN)"), added to o's;
 * 0, or the exit status after saying why */
static int log_selectors(const char *path, struct sdx_check_opts *o, char (*store)[64])
{
    struct sdx_input *in = NULL;
    struct sdx_input_stats st;
    struct sdx_diag d;
    struct sdx_str line;
    size_t found = 0, i;
    int rc;

    memset(&d, 0, sizeof(d));
    if (sdx_input_open(&in, &path, 1, &d) != 0) {
        fprintf(stderr, "smtpdx check: cannot read the log: %s\n", d.msg);
        return EXIT_INPUT;
    }
    while ((rc = sdx_input_next(in, &line, NULL, NULL, &d)) == 1) {
        char sel[64];
        int dup = 0;

        if (!sdx_dkim_log_selector(line.p, line.len, o->domain, sel, sizeof(sel)))
            continue;
        for (i = 0; i < o->nselectors; i++)
            dup |= strcmp(o->selectors[i], sel) == 0;
        if (dup)
            continue;
        if (o->nselectors == SDX_CHECK_SELECTORS_MAX) {
            fprintf(stderr, "smtpdx check: more than %d selectors; '%s' and later ones not checked\n",
                    SDX_CHECK_SELECTORS_MAX, sel);
            break;
        }
        memcpy(store[found], sel, sizeof(sel));
        o->selectors[o->nselectors++] = store[found++];
    }
    sdx_input_stats(in, &st);
    sdx_input_close(in);
    if (rc < 0) {
        fprintf(stderr, "smtpdx check: %s\n", d.msg[0] ? d.msg : sdx_strerror(rc));
        return EXIT_INPUT;
    }
    fprintf(stderr, "smtpdx check: %lu log lines read, %zu selector%s of %s found there%s\n", st.lines, found,
            found == 1 ? "" : "s", o->domain, st.cut ? " (some lines over 64 KB were cut)" : "");
    return 0;
}

static void text_report(const char *domain, const struct sdx_check_report *rep)
{
    static const char *const mark[] = { "pass", "info", "WARN", "FAIL" };
    size_t i;

    printf("%ssmtpdx check ", term_bold());
    term_put_esc(stdout, domain, strlen(domain));
    printf("%s: %zu fail, %zu warn, %zu pass, %zu info\n\n", term_reset(), rep->count[SDX_CHECK_FAIL],
           rep->count[SDX_CHECK_WARN], rep->count[SDX_CHECK_PASS], rep->count[SDX_CHECK_INFO]);
    for (i = 0; i < rep->n; i++) {
        const struct sdx_finding *f = &rep->f[i];
        const char *col = f->level == SDX_CHECK_FAIL ? term_red() : f->level == SDX_CHECK_WARN ? term_yellow() :
                          f->level == SDX_CHECK_PASS ? term_green() : term_dim();

        printf("  %s%s%s  %-7s ", col, mark[f->level], term_reset(), f->area);
        term_put_esc(stdout, f->what, strlen(f->what));
        putchar('\n');
        if (f->evidence[0] && f->level != SDX_CHECK_PASS) {
            printf("        %s", term_dim());
            term_put_esc(stdout, f->evidence, strlen(f->evidence) > 200 ? 200 : strlen(f->evidence));
            if (f->dnssec[0] && strcmp(f->dnssec, "insecure") != 0)
                printf("  (DNSSEC %s)", f->dnssec);
            printf("%s\n", term_reset());
        }
        if (f->refusal[0]) {
            printf("        -> ");
            term_put_esc(stdout, f->refusal, strlen(f->refusal));
            putchar('\n');
        }
    }
}

static int json_report(const char *domain, const struct sdx_check_report *rep)
{
    struct sdx_buf out;
    struct sdx_json j;
    size_t i;
    int rc = 0;

    sdx_buf_init(&out, 1u << 22);
    sdx_json_init(&j, &out, 0);
    sdx_json_obj(&j, NULL);
    sdx_json_str(&j, "domain", domain);
    sdx_json_obj(&j, "counts");
    for (i = 0; i < 4; i++)
        sdx_json_int(&j, sdx_check_level_name((enum sdx_check_level)i), (int64_t)rep->count[i]);
    sdx_json_end(&j, '}');
    sdx_json_arr(&j, "findings");
    for (i = 0; i < rep->n; i++) {
        const struct sdx_finding *f = &rep->f[i];

        sdx_json_obj(&j, NULL);
        sdx_json_str(&j, "level", sdx_check_level_name(f->level));
        sdx_json_str(&j, "area", f->area);
        sdx_json_str(&j, "subject", f->subject);
        sdx_json_str(&j, "what", f->what);
        sdx_json_str(&j, "evidence", f->evidence[0] ? f->evidence : NULL);
        sdx_json_str(&j, "refusal", f->refusal[0] ? f->refusal : NULL);
        sdx_json_str(&j, "dnssec", f->dnssec[0] ? f->dnssec : NULL);
        sdx_json_end(&j, '}');
    }
    sdx_json_end(&j, ']');
    sdx_json_end(&j, '}');
    rc = json_line("check", &j, &out);
    sdx_buf_release(&out);
    return rc;
}

/* nagios - the monitoring-plugin form: STATUS - text | perfdata */
static int nagios(const char *domain, const struct sdx_check_report *rep)
{
    size_t nf = rep->count[SDX_CHECK_FAIL], nw = rep->count[SDX_CHECK_WARN], i;
    const char *st = nf ? "CRITICAL" : nw ? "WARNING" : "OK";
    int shown = 0;

    printf("SMTPDX CHECK %s - ", st);
    term_put_esc(stdout, domain, strlen(domain));
    printf(": %zu fail, %zu warn", nf, nw);
    for (i = 0; i < rep->n && shown < 3; i++)
        if (rep->f[i].level == (nf ? SDX_CHECK_FAIL : SDX_CHECK_WARN)) {
            printf("%s%s: ", shown++ ? "; " : " (", rep->f[i].area);
            term_put_esc(stdout, rep->f[i].what, strlen(rep->f[i].what) > 100 ? 100 : strlen(rep->f[i].what));
        }
    printf("%s | fail=%zu warn=%zu pass=%zu info=%zu\n", shown ? ")" : "", nf, nw, rep->count[SDX_CHECK_PASS],
           rep->count[SDX_CHECK_INFO]);
    return nf ? 2 : nw ? 1 : 0;
}

int cmd_check(const struct cmd *self, int argc, char **argv)
{
    struct check_args a = { 0 };
    struct sdx_check_opts o;
    struct sdx_check_report rep;
    struct sdx_resolver *rs = NULL;
    char *ips = NULL, *sels = NULL, logsel[SDX_CHECK_SELECTORS_MAX][64];
    int first, rc, nagios_ran = 0;

    if ((rc = opt_parse(self, argc, argv, &a, &first)) >= 0)
        return rc;
    if (term_setup(a.color) != 0) {
        fprintf(stderr, "smtpdx check: --color takes auto, always or never\n");
        return EXIT_USAGE;
    }
    if (argc - first != 1) {
        fprintf(stderr, "smtpdx check: give one DOMAIN\n");
        opt_usage_line(self, stderr);
        rc = EXIT_USAGE;
        goto out;
    }
    if (a.json && a.nagios) {
        fprintf(stderr, "smtpdx check: --json or --nagios, not both\n");
        rc = EXIT_USAGE;
        goto out;
    }
    memset(&o, 0, sizeof(o));
    o.domain = argv[first];
    o.no_common_selectors = a.no_common;
    o.no_dnsbl = a.no_dnsbl;
    o.ca_file = a.ca_file;
    o.connect = a.connect;
    rc = EXIT_INPUT;                    /* for strdup */
    if (a.ip && ((ips = strdup(a.ip)) == NULL || (rc = split(ips, o.ips, SDX_CHECK_IPS_MAX, &o.nips, "addresses")) != 0))
        goto out;
    rc = EXIT_INPUT;
    if (a.selector &&
        ((sels = strdup(a.selector)) == NULL ||
         (rc = split(sels, o.selectors, SDX_CHECK_SELECTORS_MAX, &o.nselectors, "selectors")) != 0))
        goto out;
    rc = 0;
    if (a.log && (rc = log_selectors(a.log, &o, logsel)) != 0)
        goto out;
    for (size_t i = 0; i < o.nips; i++) {
        unsigned char b[16];

        if (inet_pton(AF_INET, o.ips[i], b) != 1 && inet_pton(AF_INET6, o.ips[i], b) != 1) {
            fprintf(stderr, "smtpdx check: '");
            term_put_esc(stderr, o.ips[i], strlen(o.ips[i]));
            fprintf(stderr, "' is not an IPv4 or IPv6 address\n");
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if ((rc = cli_resolver("check", a.resolver, a.trust_anchor, &rs)) != 0)
        goto out;
    if ((rc = sdx_check_domain(rs, &o, &rep)) != 0) {
        fprintf(stderr, "smtpdx check: %s\n", rc == SDX_EINVAL ? "not a domain name" : sdx_strerror(rc));
        rc = rc == SDX_EINVAL ? EXIT_USAGE : EXIT_INPUT;
        goto out;
    }
    if (a.nagios)
        rc = nagios(o.domain, &rep), nagios_ran = 1;
    else if ((rc = a.json ? json_report(o.domain, &rep) : (text_report(o.domain, &rep), 0)) == 0)
        rc = rep.count[SDX_CHECK_FAIL] || rep.count[SDX_CHECK_WARN] ? EXIT_FOUND : EXIT_OK;
    sdx_check_report_release(&rep);
out:
    sdx_resolver_free(rs);
    free(ips);
    free(sels);
    /* a monitoring system reads anything but 0-2 as UNKNOWN: a check that
     * did not run must not look CRITICAL */
    return a.nagios && !nagios_ran ? 3 : rc;
}
