/* check_auth.c - `smtpdx check`'s SPF, DKIM, DMARC, TLS-RPT and MTA-STS
 * findings (check.h), from the parsers of spf.h, dkim.h and dmarc.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libpsl.h>
#include "smtpdx/dkim.h"
#include "smtpdx/dmarc.h"
#include "smtpdx/mtasts.h"
#include "smtpdx/mx.h"
#include "smtpdx/spf.h"
#include "check_int.h"

/* receivers' documented replies (ANCHORS.md: Gmail's, Microsoft's texts;
 * RFC 7372 for SPF) */
#define REF_AUTH  "Gmail: 550 5.7.26 (unauthenticated: neither SPF nor DKIM passed); " \
                  "Outlook.com: 550 5.7.515 (over 5,000 a day: SPF, DKIM and DMARC required)"
#define REF_SPF   "550 5.7.23 (SPF validation failed, RFC 7372); Gmail: 550 5.7.26 when DKIM does not pass either"
#define REF_PERM  "550 5.7.24 (SPF validation error, RFC 7372); receivers treat the domain as having no SPF"
#define REF_DMARC "Gmail and Yahoo (bulk senders): 550 5.7.26 without a DMARC record; " \
                  "Outlook.com: 550 5.7.515"

/* common selectors of mail providers and signing software */
static const char *const common_selectors[] = {
    "default", "dkim", "mail", "google", "selector1", "selector2", "k1", "s1", "s2", "smtp", "mx",
};

static void check_spf(struct sdx_resolver *rs, const struct sdx_check_opts *o, struct sdx_check_report *rep)
{
    enum sdx_dnssec sec = SDX_DNSSEC_INSECURE;
    check_txtrec *txt = malloc(4 * sizeof(*txt));
    char err[300];
    struct sdx_spf_record *rec = malloc(sizeof(*rec));
    struct sdx_spf_answer *ans = malloc(sizeof(*ans));
    size_t i;
    int n;

    if (txt == NULL || rec == NULL || ans == NULL)
        goto out;
    n = check_txt(rs, o->domain, "v=spf1", txt, 4, err, sizeof(err), &sec);
    if (n > 0) {
        /* "v=spf10 ..." shares the prefix but is no SPF record (RFC 7208
         * section 4.5): keep the real ones, in front */
        int kept = 0, j;

        for (j = 0; j < n && j < 4; j++)
            if (sdx_spf_is_record(txt[j], strlen(txt[j])))
                memmove(txt[kept++], txt[j], sizeof(txt[0]));
        n = kept + (n > 4 ? n - 4 : 0);
    }
    if (n < 0) {
        check_add(rep, SDX_CHECK_WARN, "spf", o->domain, "451 4.7.24 (SPF temperror)", "the TXT lookup failed: %s",
                  err);
        goto out;
    }
    if (n == 0) {
        check_add(rep, SDX_CHECK_FAIL, "spf", o->domain, REF_AUTH, "no SPF record");
        check_record(rep, "", sec);
        goto out;
    }
    if (n > 1) {
        check_add(rep, SDX_CHECK_FAIL, "spf", o->domain, REF_PERM,
                  "%d SPF records: RFC 7208 section 4.5 makes that a permerror", n);
        check_record(rep, txt[0], sec);
        goto out;
    }
    if (sdx_spf_parse(txt[0], strlen(txt[0]), rec) != 0) {
        check_add(rep, SDX_CHECK_FAIL, "spf", o->domain, REF_PERM, "the SPF record has a syntax error: %s",
                  rec->error);
        check_record(rep, txt[0], sec);
        goto out;
    }
    for (i = 0; i < rec->n; i++)
        if (rec->term[i].mech == SDX_SPF_ALL && (rec->term[i].qual == '+' || rec->term[i].qual == '?')) {
            check_add(rep, SDX_CHECK_WARN, "spf", o->domain, "Gmail: 5.7.24 (suspicious SPF entries)",
                      "the record ends with %call: it authorizes %s", rec->term[i].qual,
                      rec->term[i].qual == '+' ? "every host on the Internet" : "nothing and forbids nothing");
            check_record(rep, txt[0], sec);
        }
    check_add(rep, SDX_CHECK_PASS, "spf", o->domain, NULL, "one SPF record, valid syntax");
    check_record(rep, txt[0], sec);
    /* check_host() for each sending IP, as a receiver would */
    for (i = 0; i < o->nips; i++) {
        struct sdx_spf_query q;
        char sender[300];

        memset(&q, 0, sizeof(q));
        snprintf(sender, sizeof(sender), "postmaster@%s", o->domain);
        q.ip = o->ips[i], q.sender = sender, q.helo = o->domain;
        if (sdx_spf_check(rs, &q, ans) != 0)
            continue;
        switch (ans->result) {
        case SDX_SPF_PASS:
            check_add(rep, SDX_CHECK_PASS, "spf", o->ips[i], NULL, "SPF pass for %s (%s)", o->ips[i], ans->matched);
            break;
        case SDX_SPF_FAIL:
            check_add(rep, SDX_CHECK_FAIL, "spf", o->ips[i], REF_SPF, "SPF fail: %s is not authorized (%s)",
                      o->ips[i], ans->matched);
            break;
        case SDX_SPF_PERMERROR:
            check_add(rep, SDX_CHECK_FAIL, "spf", o->ips[i], REF_PERM, "SPF permerror for %s: %s", o->ips[i],
                      ans->problem);
            break;
        case SDX_SPF_TEMPERROR:
            check_add(rep, SDX_CHECK_WARN, "spf", o->ips[i], "451 4.7.24", "SPF temperror for %s: %s", o->ips[i],
                      ans->problem);
            break;
        default:
            check_add(rep, SDX_CHECK_WARN, "spf", o->ips[i], REF_AUTH, "SPF %s for %s: not authorized either way",
                      sdx_spf_result_name(ans->result), o->ips[i]);
            break;
        }
    }
out:
    free(txt);
    free(rec);
    free(ans);
}

static void check_dkim(struct sdx_resolver *rs, const struct sdx_check_opts *o, struct sdx_check_report *rep)
{
    enum sdx_dnssec sec = SDX_DNSSEC_INSECURE;
    check_txtrec *txt = malloc(2 * sizeof(*txt));
    char name[300], err[300];
    struct sdx_dkim_key key;
    size_t i, nsel = o->nselectors + (o->no_common_selectors ? 0 : sizeof(common_selectors) / sizeof(char *));
    int found = 0;

    if (txt == NULL)
        return;
    for (i = 0; i < nsel; i++) {
        int given = i < o->nselectors, n;
        const char *sel = given ? o->selectors[i] : common_selectors[i - o->nselectors];
        size_t j, dup = 0;

        /* a common selector also given, or given twice: once */
        for (j = 0; j < o->nselectors && j < i; j++)
            dup |= strcasecmp(o->selectors[j], sel) == 0;
        if (dup)
            continue;

        snprintf(name, sizeof(name), "%s._domainkey.%s", sel, o->domain);
        /* a DKIM key record need not start with v=DKIM1: take every TXT */
        n = check_txt(rs, name, "", txt, 2, err, sizeof(err), &sec);
        if (n < 0) {
            if (given)
                check_add(rep, SDX_CHECK_WARN, "dkim", name, NULL, "the lookup failed: %s", err);
            continue;
        }
        if (n == 0) {
            if (given)
                check_add(rep, SDX_CHECK_FAIL, "dkim", name, "signatures with s=%s fail: receivers see no "
                          "DKIM (Gmail 550 5.7.26 if SPF fails too)", "no key record for selector %s", sel);
            continue;
        }
        found++;
        if (sdx_dkim_key_parse(txt[0], strlen(txt[0]), &key) != 0) {
            check_add(rep, SDX_CHECK_FAIL, "dkim", name, "signatures with this selector fail (dkim=permerror)",
                      "selector %s: %s", sel, key.error);
        } else if (key.revoked) {
            check_add(rep, SDX_CHECK_WARN, "dkim", name, NULL, "selector %s: the key is revoked (empty p=)", sel);
        } else {
            size_t w;

            check_add(rep, SDX_CHECK_PASS, "dkim", name, NULL, "selector %s: %s key of %d bits", sel, key.k,
                      key.bits);
            for (w = 0; w < key.nwarn; w++)
                check_add(rep, SDX_CHECK_WARN, "dkim", name, NULL, "selector %s: %s", sel, key.warn[w]);
        }
        check_record(rep, txt[0], sec);
    }
    if (!found)
        check_add(rep, SDX_CHECK_WARN, "dkim", o->domain, REF_AUTH,
                  "no DKIM key found for the %zu selectors tried (give the ones your signer uses: --selector)", nsel);
    free(txt);
}

/* tree_walk - RFC 9989's DNS tree walk (its section 4.10): from domain up,
 * the first name whose _dmarc holds exactly one DMARC record, asking at
 * most 5 names (a name of 5 or more labels jumps to its last 4); into
 * found. 1 found, 0 none, -1 a lookup failed */
static int tree_walk(struct sdx_resolver *rs, const char *domain, char *found, size_t cap, check_txtrec *txt)
{
    enum sdx_dnssec sec = SDX_DNSSEC_INSECURE;
    const char *target = domain;
    char name[300], err[300];

    for (;;) {
        size_t x = 1;
        const char *p;
        int n;

        snprintf(name, sizeof(name), "_dmarc.%s", target);
        if ((n = check_txt(rs, name, "v=DMARC1", txt, 2, err, sizeof(err), &sec)) < 0)
            return -1;
        if (n == 1) {
            snprintf(found, cap, "%s", target);
            return 1;
        }
        for (p = target; *p; p++)
            x += *p == '.';
        if (x <= 1)
            return 0;
        if (x < 5) {
            target = strchr(target, '.') + 1;
        } else {
            while (x-- > 4)
                target = strchr(target, '.') + 1;
        }
    }
}

static void check_dmarc(struct sdx_resolver *rs, const struct sdx_check_opts *o, struct sdx_check_report *rep)
{
    enum sdx_dnssec sec = SDX_DNSSEC_INSECURE;
    /* row 0 the record; rows 1-2 the tree walk's and the report checks' */
    check_txtrec *txt = malloc(3 * sizeof(*txt));
    char name[300], err[300], org[256];
    struct sdx_dmarc_record *d = malloc(sizeof(*d));
    const psl_ctx_t *psl = psl_builtin();
    const char *reg;
    size_t i, w;
    int n;

    if (txt == NULL || d == NULL)
        goto out;
    /* the organizational domain by the public suffix list, as RFC 7489
     * receivers find it (RFC 9989's tree walk is compared below) */
    reg = psl ? psl_registrable_domain(psl, o->domain) : NULL;
    snprintf(org, sizeof(org), "%s", reg ? reg : o->domain);
    snprintf(name, sizeof(name), "_dmarc.%s", o->domain);
    n = check_txt(rs, name, "v=DMARC1", txt, 2, err, sizeof(err), &sec);
    if (n > 1 && strcasecmp(org, o->domain) != 0)
        check_add(rep, SDX_CHECK_WARN, "dmarc", name, NULL, "%d DMARC records: receivers ignore them and look at "
                  "the organizational domain %s (RFC 7489 section 6.6.3)", n, org);
    /* not exactly one record: receivers go up to the organizational domain */
    if (n >= 0 && n != 1 && strcasecmp(org, o->domain) != 0) {
        snprintf(name, sizeof(name), "_dmarc.%s", org);
        n = check_txt(rs, name, "v=DMARC1", txt, 2, err, sizeof(err), &sec);
        if (n > 0)
            check_add(rep, SDX_CHECK_INFO, "dmarc", o->domain, NULL,
                      "no record of its own: the organizational domain %s's applies (sp= for subdomains)", org);
    }
    /* RFC 9989 receivers find the record by the DNS tree walk: where it
     * disagrees with the public suffix list, the two kinds of receiver
     * apply different policies */
    if (n >= 0) {
        char walked[256], psl_at[256];
        int wk = tree_walk(rs, o->domain, walked, sizeof(walked), txt + 1);

        snprintf(psl_at, sizeof(psl_at), "%.253s", n > 0 ? name + 7 : "");
        if (wk == 1 && strcasecmp(walked, psl_at) != 0)
            check_add(rep, SDX_CHECK_WARN, "dmarc", o->domain, NULL,
                      "RFC 9989 receivers (DNS tree walk) apply the record at _dmarc.%s; RFC 7489 receivers (public "
                      "suffix list) %s%s", walked, psl_at[0] ? "the one at _dmarc." : "find none", psl_at);
        else if (wk == 0 && n > 0)
            check_add(rep, SDX_CHECK_WARN, "dmarc", o->domain, NULL,
                      "RFC 9989 receivers (DNS tree walk) find no record; RFC 7489 receivers use _dmarc.%s", psl_at);
        else if (wk == 1)
            check_add(rep, SDX_CHECK_INFO, "dmarc", o->domain, NULL,
                      "the DNS tree walk (RFC 9989) and the public suffix list (RFC 7489) find the same record: "
                      "_dmarc.%s", walked);
    }
    if (n < 0) {
        check_add(rep, SDX_CHECK_WARN, "dmarc", name, "Gmail: 451 4.7.26 (temporary DNS failure)",
                  "the lookup failed: %s", err);
        goto out;
    }
    if (n == 0) {
        check_add(rep, SDX_CHECK_FAIL, "dmarc", name, REF_DMARC, "no DMARC record");
        check_record(rep, "", sec);     /* a secure answer proves the absence */
        goto out;
    }
    if (n > 1) {
        check_add(rep, SDX_CHECK_FAIL, "dmarc", name, REF_DMARC,
                  "%d DMARC records: receivers use none of them (RFC 7489 section 6.6.3)", n);
        goto out;
    }
    if (sdx_dmarc_parse(txt[0], strlen(txt[0]), d) != 0) {
        check_add(rep, SDX_CHECK_FAIL, "dmarc", name, REF_DMARC, "the record is not used: %s", d->error);
        check_record(rep, txt[0], sec);
        goto out;
    }
    if (d->p == SDX_DMARC_NONE)
        check_add(rep, SDX_CHECK_WARN, "dmarc", name, NULL,
                  "p=none: monitoring only; spoofed mail is still delivered (enough for Gmail's and Yahoo's "
                  "bulk-sender rules)");
    else
        check_add(rep, d->p == SDX_DMARC_UNSET ? SDX_CHECK_WARN : SDX_CHECK_PASS, "dmarc", name, NULL,
                  "policy p=%s%s%s", sdx_dmarc_policy_name(d->p), d->sp != SDX_DMARC_UNSET ? ", sp=" : "",
                  d->sp != SDX_DMARC_UNSET ? sdx_dmarc_policy_name(d->sp) : "");
    check_record(rep, txt[0], sec);
    for (w = 0; w < d->nwarn; w++)
        check_add(rep, SDX_CHECK_WARN, "dmarc", name, NULL, "%s", d->warn[w]);
    if (d->nrua == 0)
        check_add(rep, SDX_CHECK_INFO, "dmarc", name, NULL, "no rua=: you receive no aggregate reports");
    /* RFC 9990 (RFC 7489 section 7.1): a report address in another
     * organizational domain must be authorized by a record at
     * DOMAIN._report._dmarc.DESTINATION, or receivers send nothing there */
    for (i = 0; i < d->nrua + d->nruf; i++) {
        const char *uri = i < d->nrua ? d->rua[i] : d->ruf[i - d->nrua];
        char dest[256], dorg[256], q[600];
        const char *dreg;

        sdx_dmarc_uri_domain(uri, dest, sizeof(dest));
        if (!dest[0])
            continue;
        dreg = psl ? psl_registrable_domain(psl, dest) : NULL;
        snprintf(dorg, sizeof(dorg), "%s", dreg ? dreg : dest);
        if (strcasecmp(dorg, org) == 0)
            continue;
        /* RFC 7489 section 7.1: the domain the policy was found at */
        snprintf(q, sizeof(q), "%s._report._dmarc.%s", name + 7, dest);
        n = check_txt(rs, q, "v=DMARC1", txt + 1, 1, err, sizeof(err), &sec);
        if (n > 0)
            check_add(rep, SDX_CHECK_PASS, "dmarc", uri, NULL, "the external report address is authorized (%s)", q);
        else
            check_add(rep, SDX_CHECK_WARN, "dmarc", uri, NULL,
                      "the report address is in another domain (%s) and not authorized: receivers send it no "
                      "reports (RFC 9990; no v=DMARC1 record at %s)", dest, q);
    }
out:
    free(txt);
    free(d);
}

/* mta_sts_policy - the policy of an MTA-STS domain fetched (RFC 8461
 * section 3.3), read, and its mx patterns held against the MX hosts */
static void mta_sts_policy(struct sdx_resolver *rs, const struct sdx_check_opts *o, struct sdx_check_report *rep,
                           const char *record)
{
    char host[300], addr[64], err[300], *text = malloc(SDX_MTASTS_POLICY_MAX);
    struct sdx_mtasts_policy *p = malloc(sizeof(*p));
    struct sdx_mx_result *mx = malloc(sizeof(*mx));
    enum sdx_dnssec sec;
    size_t len, k, w;

    if (text == NULL || p == NULL || mx == NULL)
        goto out;
    snprintf(host, sizeof(host), "mta-sts.%s", o->domain);
    if (sdx_resolver_address(rs, host, addr, sizeof(addr), &sec, err, sizeof(err)) != 1) {
        check_add(rep, SDX_CHECK_FAIL, "mta-sts", host, "new senders treat the domain as without MTA-STS",
                  "the record announces a policy, but %s has no address", host);
        check_evidence(rep, record);
        goto out;
    }
    if (sdx_mtasts_fetch(o->domain, addr, o->ca_file, text, SDX_MTASTS_POLICY_MAX, &len, err, sizeof(err)) != 0) {
        check_add(rep, SDX_CHECK_FAIL, "mta-sts", host, "new senders treat the domain as without MTA-STS; those "
                  "with a cached policy keep it until max_age", "the policy cannot be fetched: %s", err);
        check_evidence(rep, record);
        goto out;
    }
    if (sdx_mtasts_parse(text, len, p) != 0) {
        check_add(rep, SDX_CHECK_FAIL, "mta-sts", host, "senders ignore the policy", "the policy is not valid: %s",
                  p->error);
        check_evidence(rep, text);
        goto out;
    }
    check_add(rep, strcmp(p->mode, "enforce") == 0 ? SDX_CHECK_PASS : SDX_CHECK_INFO, "mta-sts", host, NULL,
              "policy mode %s, max_age %ld, %zu mx pattern%s%s", p->mode, p->max_age, p->nmx, p->nmx == 1 ? "" : "s",
              strcmp(p->mode, "testing") == 0 ? " (testing: failures are reported, not enforced)" : "");
    check_evidence(rep, text);
    for (w = 0; w < p->nwarn; w++)
        check_add(rep, SDX_CHECK_WARN, "mta-sts", host, NULL, "%s", p->warn[w]);
    if (sdx_mx_resolve(rs, o->domain, mx) == 0 && mx->kind == SDX_MX_FOUND)
        for (k = 0; k < mx->n; k++)
            if (!sdx_mtasts_match(p, mx->mx[k].host))
                check_add(rep, strcmp(p->mode, "enforce") == 0 && !p->mx_lost ? SDX_CHECK_FAIL : SDX_CHECK_WARN,
                          "mta-sts",
                          mx->mx[k].host, "senders enforcing MTA-STS do not deliver to this MX: the mail waits in "
                          "their queue, then bounces", "the MX host %s matches no mx: line of the policy",
                          mx->mx[k].host);
out:
    free(text);
    free(p);
    free(mx);
}

/* tls_records - TLS-RPT (RFC 8460) and MTA-STS (RFC 8461) TXT records */
static void tls_records(struct sdx_resolver *rs, const struct sdx_check_opts *o, struct sdx_check_report *rep)
{
    enum sdx_dnssec sec = SDX_DNSSEC_INSECURE;
    check_txtrec *txt = malloc(2 * sizeof(*txt));
    char name[300], err[300];
    int n;

    if (txt == NULL)
        return;
    snprintf(name, sizeof(name), "_smtp._tls.%s", o->domain);
    n = check_txt(rs, name, "v=TLSRPTv1", txt, 2, err, sizeof(err), &sec);
    if (n == 0)
        check_add(rep, SDX_CHECK_INFO, "tls-rpt", name, NULL, "no TLS-RPT record: senders cannot report TLS "
                  "failures to you (RFC 8460)");
    else if (n == 1 && strstr(txt[0], "rua=") && (strstr(txt[0], "mailto:") || strstr(txt[0], "https:")))
        check_add(rep, SDX_CHECK_PASS, "tls-rpt", name, NULL, "TLS-RPT record with a report address");
    else if (n > 0)
        check_add(rep, SDX_CHECK_WARN, "tls-rpt", name, NULL, n > 1 ? "%d TLS-RPT records: senders use none" :
                  "%d record without a valid rua= (mailto: or https:)", n);
    if (n > 0)
        check_record(rep, txt[0], sec);
    snprintf(name, sizeof(name), "_mta-sts.%s", o->domain);
    n = check_txt(rs, name, "v=STSv1", txt, 2, err, sizeof(err), &sec);
    if (n == 0)
        check_add(rep, SDX_CHECK_INFO, "mta-sts", name, NULL, "no MTA-STS record (RFC 8461)");
    else if (n == 1 && strstr(txt[0], "id="))
        mta_sts_policy(rs, o, rep, txt[0]);
    else if (n > 0)
        check_add(rep, SDX_CHECK_WARN, "mta-sts", name, NULL, n > 1 ? "%d MTA-STS records: senders use none" :
                  "%d record without id=: senders ignore it (RFC 8461 section 3.1)", n);
    if (n > 1 || (n == 1 && !strstr(txt[0], "id=")))
        check_record(rep, txt[0], sec);
    free(txt);
}

void check_auth(struct sdx_resolver *rs, const struct sdx_check_opts *o, struct sdx_check_report *rep)
{
    check_spf(rs, o, rep);
    check_dkim(rs, o, rep);
    check_dmarc(rs, o, rep);
    tls_records(rs, o, rep);
}
