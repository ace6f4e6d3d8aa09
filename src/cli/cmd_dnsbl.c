/* cmd_dnsbl.c - smtpdx dnsbl: IP addresses and domains against DNS
 * blocklists, every question at once
 * In:  targets; the lists (the defaults, or --lists); the resolver.
 * Out: per target, the lists that list it with the code's meaning and the
 *      list's reason, the answers that are no verdict (a public resolver
 *      refused by Spamhaus, a dead list answering everything, a timeout),
 *      and how many lists were asked; --json for machines.
 * Exit: 0 listed nowhere, 1 listed somewhere, 2 usage, 3 no verdict from
 *      some list (and listed nowhere). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/smtpdx.h"
#include "smtpdx/dnsbl.h"
#include "smtpdx/json.h"
#include "smtpdx/resolver.h"
#include "cmds.h"
#include "dnsopt.h"
#include "jsonout.h"

struct dnsbl_args {
    int           json, all;
    const char   *lists, *resolver, *trust_anchor, *color;
    unsigned long timeout;
};

#define DA(f) offsetof(struct dnsbl_args, f)
const struct opt dnsbl_opts[] = {
    { "lists",    'l', OPT_STR,  "LIST",  DA(lists),
      "ask these lists instead of the defaults: ZONE[:ip|:domain],... (ip when not said)", 0 },
    { "all",      'a', OPT_FLAG, NULL,    DA(all),      "show every list asked, not only those with something to say", 0 },
    { "timeout",  't', OPT_UINT, "SEC",   DA(timeout),  "seconds to wait for all the answers (default 5)", 120 },
    { "resolver", 0,   OPT_STR,  "ADDR[@PORT]", DA(resolver),
      "ask this DNS server (default: those of /etc/resolv.conf; not a public resolver: lists refuse them)", 0 },
    { "trust-anchor", 0, OPT_STR, "FILE", DA(trust_anchor),
      "DNSSEC trust anchor (default " SDX_ROOT_KEY "; none: no validation)", 0 },
    { "json",     'j', OPT_FLAG, NULL,    DA(json),     "one JSON object per target (NDJSON)", 0 },
    { "color",    0,   OPT_STR,  "WHEN",  DA(color),    "colour: auto (default), always, never", 0 },
    { NULL, 0, 0, NULL, 0, NULL, 0 }
};

const char dnsbl_summary[] = "check IP addresses and domains against DNS blocklists, all lists at once";
const char dnsbl_help[] =
    "Asks every list for every target at the same time (RFC 5782 form: IPv4\n"
    "octets or IPv6 nibbles reversed, domains as they are), so the whole check\n"
    "takes about one round trip. Prints the lists that list each target, the\n"
    "meaning of each answer (Spamhaus's codes decoded: SBL, CSS, XBL, PBL,\n"
    "DROP, DBL ...) and the list's own reason (its TXT record), and says when\n"
    "an answer is no verdict at all: Spamhaus's 127.255.255.254 (queried through\n"
    "a public resolver), .252 and .255, an answer outside 127.0.0.0/8 (a list\n"
    "that has shut down answers everything), a timeout or SERVFAIL.\n"
    "\n"
    "Default lists: Spamhaus ZEN and DBL, Barracuda, SpamCop, PSBL, Mailspike,\n"
    "UCEPROTECT level 1, s5h, SURBL and URIBL (the domain lists only for domains).\n"
    "\n"
    "Exit status: 0 listed nowhere, 1 listed, 2 usage, 3 some list gave no\n"
    "verdict (and none listed).\n"
    "\n"
    "Examples:\n"
    "  smtpdx dnsbl 192.0.2.25\n"
    "  smtpdx dnsbl 192.0.2.25 2001:db8::25 example.com --json\n"
    "  smtpdx dnsbl 192.0.2.25 --lists zen.spamhaus.org,bl.spamcop.net,dbl.spamhaus.org:domain\n";

static void json_target(const char *tgt, const struct sdx_dnsbl_result *r, size_t nl, int *rc)
{
    struct sdx_buf out;
    struct sdx_json j;
    size_t l, k, listed = 0;

    sdx_buf_init(&out, 1u << 20);
    sdx_json_init(&j, &out, 0);
    sdx_json_obj(&j, NULL);
    sdx_json_str(&j, "target", tgt);
    for (l = 0; l < nl; l++)
        listed += r[l].state == SDX_DNSBL_LISTED;
    sdx_json_int(&j, "listed_on", (int64_t)listed);
    sdx_json_arr(&j, "lists");
    for (l = 0; l < nl; l++) {
        if (r[l].state == SDX_DNSBL_SKIPPED)
            continue;
        sdx_json_obj(&j, NULL);
        sdx_json_str(&j, "list", r[l].list->name);
        sdx_json_str(&j, "zone", r[l].list->zone);
        sdx_json_str(&j, "query", r[l].query);
        sdx_json_str(&j, "state", sdx_dnsbl_state_name(r[l].state));
        sdx_json_arr(&j, "answers");
        for (k = 0; k < r[l].nans; k++) {
            char a[20];

            snprintf(a, sizeof(a), "%u.%u.%u.%u", r[l].ans[k].code[0], r[l].ans[k].code[1], r[l].ans[k].code[2],
                     r[l].ans[k].code[3]);
            sdx_json_obj(&j, NULL);
            sdx_json_str(&j, "code", a);
            sdx_json_str(&j, "meaning", r[l].ans[k].meaning);
            sdx_json_end(&j, '}');
        }
        sdx_json_end(&j, ']');
        sdx_json_str(&j, "reason", r[l].reason[0] ? r[l].reason : NULL);
        sdx_json_str(&j, "error", r[l].error[0] ? r[l].error : NULL);
        sdx_json_end(&j, '}');
    }
    sdx_json_end(&j, ']');
    sdx_json_end(&j, '}');
    if (json_line("dnsbl", &j, &out) != 0)
        *rc = EXIT_INPUT;
    sdx_buf_release(&out);
}

static void text_target(const char *tgt, const struct sdx_dnsbl_result *r, size_t nl, int all)
{
    size_t l, k, asked = 0, listed = 0, quiet = 0;

    for (l = 0; l < nl; l++) {
        asked += r[l].state != SDX_DNSBL_SKIPPED;
        listed += r[l].state == SDX_DNSBL_LISTED;
    }
    printf("%s", term_bold());
    term_put_esc(stdout, tgt, strlen(tgt));
    printf("%s: %s%s%s on %zu of %zu lists\n", term_reset(), listed ? term_red() : term_green(),
           listed ? "LISTED" : "not listed", term_reset(), listed, asked);
    for (l = 0; l < nl; l++) {
        const struct sdx_dnsbl_result *x = &r[l];

        if (x->state == SDX_DNSBL_SKIPPED)
            continue;
        if (x->state == SDX_DNSBL_NOT_LISTED && !all) {
            quiet++;
            continue;
        }
        /* a list's name may come from --lists: escaped, then padded */
        printf("  ");
        term_put_esc(stdout, x->list->name, strlen(x->list->name));
        printf("%*s", strlen(x->list->name) < 22 ? (int)(22 - strlen(x->list->name)) : 0, "");
        printf(" %s%-13s%s",
               x->state == SDX_DNSBL_LISTED ? term_red() : x->state == SDX_DNSBL_NOT_LISTED ? "" : term_yellow(),
               sdx_dnsbl_state_name(x->state), term_reset());
        for (k = 0; k < x->nans; k++)
            printf(" %u.%u.%u.%u %s%s", x->ans[k].code[0], x->ans[k].code[1], x->ans[k].code[2], x->ans[k].code[3],
                   x->ans[k].meaning, k + 1 < x->nans ? ";" : "");
        if (x->error[0])
            printf(" %s", x->error);
        putchar('\n');
        if (x->reason[0]) {
            printf("  %-22s ", "");
            term_put_esc(stdout, x->reason, strlen(x->reason));
            putchar('\n');
        }
    }
    if (quiet)
        printf("  not listed on the other %zu (--all to show them)\n", quiet);
}

int cmd_dnsbl(const struct cmd *self, int argc, char **argv)
{
    struct dnsbl_args a = { 0 };
    struct sdx_dnsbl_list own[SDX_DNSBL_LISTS_MAX];
    const struct sdx_dnsbl_list *lists;
    struct sdx_resolver *rs = NULL;
    struct sdx_dnsbl_result *res = NULL;
    char *buf = NULL;
    size_t nl, nt, t, l;
    int first, rc, any_listed = 0, any_unsure = 0;

    if ((rc = opt_parse(self, argc, argv, &a, &first)) >= 0)
        return rc;
    if (term_setup(a.color) != 0) {
        fprintf(stderr, "smtpdx dnsbl: --color takes auto, always or never\n");
        return EXIT_USAGE;
    }
    nt = (size_t)(argc - first);
    if (nt == 0 || nt > SDX_DNSBL_TARGETS_MAX) {
        fprintf(stderr, "smtpdx dnsbl: give 1 to %d IP addresses or domains\n", SDX_DNSBL_TARGETS_MAX);
        opt_usage_line(self, stderr);
        return EXIT_USAGE;
    }
    lists = sdx_dnsbl_defaults(&nl);
    if (a.lists) {
        if ((buf = strdup(a.lists)) == NULL)
            return EXIT_INPUT;
        if ((rc = cli_dnsbl_lists("dnsbl", buf, own, &nl)) != 0) {
            free(buf);
            return rc;
        }
        lists = own;
    }
    if ((rc = cli_resolver("dnsbl", a.resolver, a.trust_anchor, &rs)) != 0) {
        free(buf);
        return rc;
    }
    if ((res = calloc(nt * nl, sizeof(*res))) == NULL) {
        rc = EXIT_INPUT;
        goto out;
    }
    rc = sdx_dnsbl_check(rs, (const char *const *)argv + first, nt, lists, nl,
                         a.timeout ? (int)a.timeout * 1000 : 5000, res);
    if (rc != 0) {
        fprintf(stderr, "smtpdx dnsbl: %s\n", sdx_strerror(rc));
        rc = rc == SDX_EINVAL ? EXIT_USAGE : EXIT_INPUT;
        goto out;
    }
    for (t = 0; t < nt; t++) {
        size_t asked = 0;

        for (l = 0; l < nl; l++) {
            enum sdx_dnsbl_state s = res[t * nl + l].state;

            asked += s != SDX_DNSBL_SKIPPED;
            any_listed |= s == SDX_DNSBL_LISTED;
            any_unsure |= s == SDX_DNSBL_ERROR || s == SDX_DNSBL_REFUSED_QUERY || s == SDX_DNSBL_BOGUS_ANSWER;
        }
        if (asked == 0) {
            fprintf(stderr, "smtpdx dnsbl: '");
            term_put_esc(stderr, argv[first + (int)t], strlen(argv[first + (int)t]));
            fprintf(stderr, "': not an IP address or domain any list given takes\n");
            any_unsure = 1;
        }
        if (a.json)
            json_target(argv[first + (int)t], res + t * nl, nl, &rc);
        else
            text_target(argv[first + (int)t], res + t * nl, nl, a.all);
    }
    if (rc == 0)
        rc = any_listed ? EXIT_FOUND : any_unsure ? EXIT_INPUT : EXIT_OK;
out:
    free(res);
    free(buf);
    sdx_resolver_free(rs);
    return rc;
}
