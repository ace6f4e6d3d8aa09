/* event.c - the shared failure event: defaults, names, classification
 * with the context the event carries (stage, server host, recipient). */
#include <string.h>
#include "smtpdx/event.h"

void sdx_event_init(struct sdx_event *e, const struct sdx_reply *reply)
{
    memset(e, 0, sizeof(*e));
    e->delay_ms = -1;
    e->reply = reply;
    if (reply) {
        e->stage = reply->stage;
        e->server.host = sdx_str_from(reply->host);
        e->server.addr = sdx_str_from(reply->addr);
    }
}

const char *sdx_event_recipient_domain(const struct sdx_event *e, char *out, size_t cap)
{
    const char *at = NULL;
    size_t i, n = 0;

    if (cap == 0)
        return out;
    for (i = 0; i < e->recipient.len; i++)
        if (e->recipient.p[i] == '@')
            at = e->recipient.p + i;
    if (at) {
        const char *end = e->recipient.p + e->recipient.len;

        at++;
        while (at < end && *at != '>' && n + 1 < cap)
            out[n++] = *at++;
    }
    out[n] = '\0';
    return out;
}

int sdx_event_classify(const struct sdx_event *e, struct sdx_verdict *v)
{
    struct sdx_classify_ctx ctx = { e->stage, NULL, NULL, e->outcome };
    char host[256], dom[256];
    size_t n;

    if (e->server.host.len) {
        n = e->server.host.len < sizeof(host) - 1 ? e->server.host.len : sizeof(host) - 1;
        memcpy(host, e->server.host.p, n);
        host[n] = '\0';
        ctx.remote_host = host;
    }
    if (*sdx_event_recipient_domain(e, dom, sizeof(dom)))
        ctx.recipient_domain = dom;
    return sdx_classify(e->reply, &ctx, v);
}

const char *sdx_mta_name(enum sdx_mta m)
{
    static const char *const n[] = { "unknown", "postfix", "exim", "sendmail", "opensmtpd", "other" };

    return (unsigned)m < sizeof(n) / sizeof(n[0]) ? n[m] : "unknown";
}

const char *sdx_direction_name(enum sdx_direction d)
{
    static const char *const n[] = { "unknown", "inbound", "outbound", "local" };

    return (unsigned)d < sizeof(n) / sizeof(n[0]) ? n[d] : "unknown";
}

const char *sdx_outcome_name(enum sdx_outcome o)
{
    static const char *const n[] = { "unknown", "rejected", "bounced", "deferred", "expired", "delivered" };

    return (unsigned)o < sizeof(n) / sizeof(n[0]) ? n[o] : "unknown";
}

const char *sdx_reply_source_name(enum sdx_reply_source s)
{
    static const char *const n[] = { "logged", "reconstructed", "inferred" };

    return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "logged";
}
