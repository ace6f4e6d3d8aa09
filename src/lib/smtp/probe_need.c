/* probe_need.c - what a sender needs against what a server advertised
 * (probe.h): the reply each unmet need causes, with the RFC that says so */
#include <string.h>
#include "smtpdx/probe.h"
#include "smtpdx/replay.h"

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
