/* json.c - JSON writer and the verdict object shared by every subcommand
 * Out: RFC 8259 text; field names from the shared vocabulary
 *      (ARCHITECTURE.md "Conventions users see"). Not here: NDJSON framing
 *      and ECS aliases (the logs renderer adds those). */
#include <string.h>
#include "smtpdx/json.h"
#include "smtpdx/replay.h"
#include "smtpdx/esc.h"
#include "smtpdx/explain.h"
#include "smtpdx/syslog.h"

void sdx_json_init(struct sdx_json *j, struct sdx_buf *out, int pretty)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
    j->pretty = pretty;
}

static void put(struct sdx_json *j, const char *s, size_t n)
{
    if (j->err == 0)
        j->err = sdx_buf_add(j->out, s, n);
}

static void indent(struct sdx_json *j)
{
    int i;

    if (!j->pretty)
        return;
    put(j, "\n", 1);
    for (i = 0; i < j->depth; i++)
        put(j, "  ", 2);
}

/* member - comma, newline, indentation and "key": before a value */
static void member(struct sdx_json *j, const char *key)
{
    if (j->depth > 0) {
        if (j->count[j->depth - 1])
            put(j, ",", 1);
        if (j->count[j->depth - 1] < 255)
            j->count[j->depth - 1]++;
        indent(j);
    }
    if (key) {
        put(j, "\"", 1);
        if (j->err == 0)
            j->err = sdx_esc_json(j->out, key, strlen(key));
        put(j, j->pretty ? "\": " : "\":", j->pretty ? 3 : 2);
    }
}

static void open_(struct sdx_json *j, const char *key, const char *c)
{
    member(j, key);
    put(j, c, 1);
    if (j->depth >= SDX_JSON_DEPTH_MAX) {
        if (j->err == 0)
            j->err = SDX_ETOOBIG;
        return;
    }
    j->count[j->depth++] = 0;
}

void sdx_json_obj(struct sdx_json *j, const char *key) { open_(j, key, "{"); }
void sdx_json_arr(struct sdx_json *j, const char *key) { open_(j, key, "["); }

void sdx_json_end(struct sdx_json *j, int closer)
{
    char c = (char)closer;

    if (j->depth == 0)
        return;
    j->depth--;
    if (j->count[j->depth])
        indent(j);
    put(j, &c, 1);
}

void sdx_json_strn(struct sdx_json *j, const char *key, const char *s, size_t n)
{
    member(j, key);
    if (s == NULL) {
        put(j, "null", 4);
        return;
    }
    put(j, "\"", 1);
    if (j->err == 0)
        j->err = sdx_esc_json(j->out, s, n);
    put(j, "\"", 1);
}

void sdx_json_str(struct sdx_json *j, const char *key, const char *s)
{
    sdx_json_strn(j, key, s, s ? strlen(s) : 0);
}

void sdx_json_int(struct sdx_json *j, const char *key, int64_t v)
{
    member(j, key);
    if (j->err == 0)
        j->err = sdx_buf_addf(j->out, "%lld", (long long)v);
}

void sdx_json_bool(struct sdx_json *j, const char *key, int v)
{
    member(j, key);
    put(j, v ? "true" : "false", v ? 4 : 5);
}

void sdx_json_null(struct sdx_json *j, const char *key)
{
    member(j, key);
    put(j, "null", 4);
}

void sdx_json_strs(struct sdx_json *j, const char *key, const char *const *list)
{
    sdx_json_arr(j, key);
    for (; list && *list; list++)
        sdx_json_str(j, NULL, *list);
    sdx_json_end(j, ']');
}

static void str_or_null(struct sdx_json *j, const char *key, struct sdx_str s)
{
    if (s.len)
        sdx_json_strn(j, key, s.p, s.len);
    else
        sdx_json_null(j, key);
}

void sdx_json_verdict(struct sdx_json *j, const struct sdx_event *e, const struct sdx_verdict *v)
{
    const struct sdx_reply *r = e->reply;
    struct sdx_explanation x;
    unsigned bit;

    sdx_explain_verdict(v, &x);
    if (r->code)
        sdx_json_int(j, "reply_code", r->code);
    else
        sdx_json_null(j, "reply_code");
    sdx_json_str(j, "status", r->status_str[0] ? r->status_str : NULL);
    sdx_json_strn(j, "text", r->text.data, r->text.len);
    sdx_json_str(j, "stage", v->stage == SDX_STAGE_UNKNOWN ? NULL : sdx_stage_name(v->stage));
    sdx_json_str(j, "reason", sdx_reason_name(v->reason));
    if (v->perm == SDX_PERM_PERMANENT || v->perm == SDX_PERM_TRANSIENT)
        sdx_json_bool(j, "permanent", v->perm == SDX_PERM_PERMANENT);
    else
        sdx_json_null(j, "permanent");
    sdx_json_str(j, "permanence", sdx_perm_name(v->perm));
    sdx_json_str(j, "actor", sdx_actor_name(v->actor));
    sdx_json_str(j, "summary", x.summary);
    sdx_json_str(j, "meaning", x.meaning);
    sdx_json_strs(j, "causes", x.causes);
    sdx_json_strs(j, "steps", x.steps);
    sdx_json_arr(j, "references");
    for (const char *const *rf = x.refs; *rf; rf++)
        sdx_json_str(j, NULL, *rf);
    if (x.url)
        sdx_json_str(j, NULL, x.url);
    sdx_json_end(j, ']');
    sdx_json_str(j, "rule", v->rule);
    if (v->provider) {
        sdx_json_obj(j, "provider");
        sdx_json_str(j, "id", v->provider->id);
        sdx_json_str(j, "name", v->provider->name);
        sdx_json_str(j, "identified_by", v->provider_by);
        sdx_json_str(j, "url", x.url ? x.url : v->provider->url);
        sdx_json_end(j, '}');
    } else {
        sdx_json_null(j, "provider");
    }
    if (v->pattern) {
        sdx_json_obj(j, "pattern");
        sdx_json_str(j, "id", v->pattern->id);
        sdx_json_str(j, "title", v->pattern->title);
        sdx_json_str(j, "differs_from_registry", v->pattern->differs);
        sdx_json_str(j, "source", v->pattern->source);
        sdx_json_end(j, '}');
    } else {
        sdx_json_null(j, "pattern");
    }
    if (v->status) {
        sdx_json_obj(j, "registry");
        sdx_json_str(j, "status", r->status_str);
        sdx_json_str(j, "title", v->status->title);
        sdx_json_str(j, "meaning", v->status->meaning);
        sdx_json_strs(j, "references", v->status->refs);
        sdx_json_end(j, '}');
    } else {
        sdx_json_null(j, "registry");
    }
    if (v->code) {
        sdx_json_obj(j, "code_info");
        sdx_json_int(j, "code", v->code->code);
        sdx_json_str(j, "title", v->code->title);
        sdx_json_str(j, "meaning", v->code->meaning);
        sdx_json_str(j, "note", v->code->note);
        sdx_json_end(j, '}');
    } else {
        sdx_json_null(j, "code_info");
    }
    sdx_json_arr(j, "findings");
    for (bit = 1; bit && bit <= 0x8000u; bit <<= 1)
        if (r->flags & bit)
            sdx_json_str(j, NULL, sdx_reply_flag_name(bit));
    if (v->flags & SDX_VERDICT_F_PROVIDER_DIFFERS)
        sdx_json_str(j, NULL, "provider-differs-from-registry");
    if (v->flags & SDX_VERDICT_F_STAGE_ADJUSTED)
        sdx_json_str(j, NULL, "stage-adjusted");
    if (v->flags & SDX_VERDICT_F_UNKNOWN_CODE)
        sdx_json_str(j, NULL, "unknown-code");
    if (v->flags & SDX_VERDICT_F_UNKNOWN_STATUS)
        sdx_json_str(j, NULL, "unknown-status");
    if (v->flags & SDX_VERDICT_F_STATUS_REFINES)
        sdx_json_str(j, NULL, "status-refines-text");
    if (v->flags & SDX_VERDICT_F_EXPIRED)
        sdx_json_str(j, NULL, "expired-after-transient-reply");
    sdx_json_end(j, ']');
    if (e->server.host.len || e->server.addr.len) {
        sdx_json_obj(j, "server");
        str_or_null(j, "host", e->server.host);
        str_or_null(j, "address", e->server.addr);
        sdx_json_end(j, '}');
    } else {
        sdx_json_null(j, "server");
    }
    str_or_null(j, "recipient", e->recipient);
    if (e->source)
        sdx_json_str(j, "source", e->source);
    if (e->line)
        sdx_json_int(j, "line", (int64_t)e->line);
}

static void peer(struct sdx_json *j, const char *key, const struct sdx_peer *p)
{
    if (p->host.len == 0 && p->addr.len == 0) {
        sdx_json_null(j, key);
        return;
    }
    sdx_json_obj(j, key);
    str_or_null(j, "host", p->host);
    str_or_null(j, "address", p->addr);
    sdx_json_end(j, '}');
}

void sdx_json_event(struct sdx_json *j, const struct sdx_event *e, const struct sdx_verdict *v)
{
    char when[40];

    sdx_time_format(e->when_us, when, sizeof(when));
    sdx_json_str(j, "time", when[0] ? when : NULL);
    sdx_json_str(j, "mta", sdx_mta_name(e->mta));
    str_or_null(j, "program", e->program);
    sdx_json_str(j, "direction", sdx_direction_name(e->dir));
    sdx_json_str(j, "outcome", sdx_outcome_name(e->outcome));
    str_or_null(j, "sender", e->sender);
    str_or_null(j, "orig_recipient", e->orig_recipient);
    str_or_null(j, "queue_id", e->queue_id);
    str_or_null(j, "message_id", e->message_id);
    str_or_null(j, "helo", e->helo);
    str_or_null(j, "tls", e->tls);
    str_or_null(j, "sasl_user", e->sasl_user);
    str_or_null(j, "relay", e->relay);
    str_or_null(j, "dsn", e->dsn);
    if (e->delay_ms >= 0)
        sdx_json_int(j, "delay_ms", e->delay_ms);
    else
        sdx_json_null(j, "delay_ms");
    str_or_null(j, "delays", e->delays);
    sdx_json_str(j, "reply_source", sdx_reply_source_name(e->reply_from));
    if (e->size)
        sdx_json_int(j, "size", (int64_t)e->size);
    else
        sdx_json_null(j, "size");
    peer(j, "client", &e->client);
    sdx_json_verdict(j, e, v);      /* reply, verdict, server, recipient, source, line */
    /* Elastic Common Schema (ECS 8): the same facts under its names */
    if (when[0])
        sdx_json_str(j, "@timestamp", when);
    sdx_json_str(j, "event.kind", "event");
    sdx_json_str(j, "event.category", "email");
    sdx_json_str(j, "event.outcome", e->outcome == SDX_OUT_DELIVERED ? "success" : "failure");
    sdx_json_str(j, "event.reason", sdx_reason_name(v->reason));
    if (e->delay_ms >= 0)
        sdx_json_int(j, "event.duration", e->delay_ms * 1000000);     /* ECS: nanoseconds */
    sdx_json_str(j, "email.direction", e->dir == SDX_DIR_INBOUND ? "inbound" :
                                       e->dir == SDX_DIR_OUTBOUND ? "outbound" : "internal");
    if (e->sender.len)
        sdx_json_strn(j, "email.from.address", e->sender.p, e->sender.len);
    if (e->recipient.len)
        sdx_json_strn(j, "email.to.address", e->recipient.p, e->recipient.len);
    if (e->message_id.len)
        sdx_json_strn(j, "email.message_id", e->message_id.p, e->message_id.len);
    if (e->client.addr.len)
        sdx_json_strn(j, "source.ip", e->client.addr.p, e->client.addr.len);
    if (e->client.host.len)
        sdx_json_strn(j, "source.domain", e->client.host.p, e->client.host.len);
    if (e->server.addr.len)
        sdx_json_strn(j, "destination.ip", e->server.addr.p, e->server.addr.len);
    if (e->server.host.len)
        sdx_json_strn(j, "destination.domain", e->server.host.p, e->server.host.len);
    if (e->source)
        sdx_json_str(j, "log.file.path", e->source);
    if (e->program.len)
        sdx_json_strn(j, "process.name", e->program.p, e->program.len);
}

void sdx_json_caps(struct sdx_json *j, unsigned caps, unsigned long long size_limit)
{
    char names[256], *p = names, *sp;

    sdx_json_arr(j, "capabilities");
    sdx_cap_names(caps, names, sizeof(names));
    while (*p) {
        sp = strchr(p, ' ');
        sdx_json_strn(j, NULL, p, sp ? (size_t)(sp - p) : strlen(p));
        if (sp == NULL)
            break;
        p = sp + 1;
    }
    sdx_json_end(j, ']');
    if (size_limit)
        sdx_json_int(j, "size_limit", (int64_t)size_limit);
    else
        sdx_json_null(j, "size_limit");
}
