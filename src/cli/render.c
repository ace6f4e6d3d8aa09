/* render.c - explain a verdict to a person
 * Layout: the reply (escaped), a block of facts (reason, permanence, who
 * must act, provider), then what it means, likely causes, steps, what the
 * codes themselves say (RFC 5321 digits, RFC 3463 class and subject, with
 * the provider's meaning beside the registry's where they differ), then
 * references and findings about the input. KB text is ours and trusted;
 * the reply text is not and is always escaped. */
#include <string.h>
#include "smtpdx/explain.h"
#include "render.h"
#include "term.h"

static void heading(FILE *fp, const char *h)
{
    fprintf(fp, "\n%s%s%s\n", term_bold(), h, term_reset());
}

static void fact(FILE *fp, const char *label, const char *value, const char *extra)
{
    fprintf(fp, "  %-11s %s%s%s\n", label, value, extra ? ": " : "", extra ? extra : "");
}

static void numbered(FILE *fp, const char *const *list)
{
    char buf[16];
    int i;

    for (i = 0; list && list[i]; i++) {
        char item[2048];

        snprintf(buf, sizeof(buf), "%d. ", i + 1);
        snprintf(item, sizeof(item), "%s%s", buf, list[i]);
        term_wrap(fp, item, 2, (int)strlen(buf));   /* hanging indent under the text */
    }
}

static const char *perm_words(const struct sdx_verdict *v)
{
    switch (v->perm) {
    case SDX_PERM_PERMANENT: return "permanent (do not retry unchanged)";
    case SDX_PERM_TRANSIENT: return "transient (the sender's server retries; it may clear by itself)";
    case SDX_PERM_SUCCESS:   return "success";
    default:                 return "unknown (no reply class)";
    }
}

static void codes_block(FILE *fp, const struct sdx_reply *r, const struct sdx_verdict *v)
{
    char line[512];

    if (r->code == 0 && r->status.klass == 0)
        return;
    heading(fp, "What the codes say");
    if (r->code) {
        int d1 = r->code / 100, d2 = r->code / 10 % 10;
        const char *s1 = sdx_code_digit_desc(1, d1), *s2 = sdx_code_digit_desc(2, d2);

        snprintf(line, sizeof(line), "%d  %s", r->code,
                 v->code ? v->code->title : "not defined by RFC 5321 or its extensions");
        term_wrap(fp, line, 2, 5);
        snprintf(line, sizeof(line), "first digit %d: %s; second digit %d: %s (RFC 5321 §4.2.1)",
                 d1, s1 ? s1 : "not a valid class", d2, s2 ? s2 : "not defined (must be 0-5)");
        term_wrap(fp, line, 7, 0);
        if (v->code && v->code->note)
            term_wrap(fp, v->code->note, 7, 0);
    }
    if (r->status.klass) {
        const char *cl = sdx_status_class_desc(r->status.klass);
        const char *sj = sdx_status_subject_desc(r->status.subject);

        snprintf(line, sizeof(line), "%s  %s", r->status_str,
                 v->status ? v->status->title : "not in the IANA enhanced status code registry");
        term_wrap(fp, line, 2, 5);
        snprintf(line, sizeof(line), "class %d: %s; subject %u: %s (RFC 3463 §3)", r->status.klass,
                 cl ? cl : "invalid", r->status.subject, sj ? sj : "not defined (must be 0-7)");
        term_wrap(fp, line, 7, 0);
        if (v->pattern && v->pattern->differs) {
            const char *name = v->provider ? v->provider->name : "the provider";

            snprintf(line, sizeof(line), "%s uses this code with another meaning than the registry:",
                     name);
            fprintf(fp, "       %s%s%s\n", term_yellow(), line, term_reset());
            term_wrap(fp, v->pattern->differs, 7, 0);
        }
    }
    if (r->flags & SDX_REPLY_F_CLASS_MISMATCH) {
        snprintf(line, sizeof(line), "The basic code (class %d) and the enhanced status (class %d) "
                 "disagree. The basic code wins: SMTP clients act on it (RFC 5321 §4.2.1), and "
                 "RFC 3463 §2 requires the classes to match, so the server is misconfigured. "
                 "The status subject and detail still tell what the problem is about.",
                 r->code / 100, r->status.klass);
        term_wrap(fp, line, 2, 0);
    }
}

void render_verdict(FILE *fp, const struct sdx_event *e, const struct sdx_verdict *v, int why)
{
    const struct sdx_reply *r = e->reply;
    struct sdx_explanation x;
    char buf[512];
    unsigned bit;

    sdx_explain_verdict(v, &x);
    fputs(term_bold(), fp);
    if (r->code)
        fprintf(fp, "%d", r->code);
    if (r->status_str[0])
        fprintf(fp, "%s%s", r->code ? " " : "", r->status_str);
    fputs(term_reset(), fp);
    if ((r->code || r->status_str[0]) && r->text.len)
        fputc(' ', fp);
    term_put_esc(fp, r->text.data, r->text.len > 600 ? 600 : r->text.len);
    if (r->text.len > 600)
        fputs("...", fp);
    fputc('\n', fp);
    if (r->code == 0 && r->status.klass == 0)
        fprintf(fp, "%s  no reply code or enhanced status code was found in this input%s\n",
                term_yellow(), term_reset());

    fputc('\n', fp);
    fact(fp, "summary", x.summary, NULL);
    snprintf(buf, sizeof(buf), "%s%s%s", term.color ? "\033[1m" : "", sdx_reason_name(v->reason),
             term_reset());
    fact(fp, "reason", buf, sdx_reason_desc(v->reason));
    fact(fp, "permanence", perm_words(v), NULL);
    fact(fp, "who acts", sdx_actor_name(v->actor), sdx_actor_desc(v->actor));
    if (v->stage != SDX_STAGE_UNKNOWN)
        fact(fp, "stage", sdx_stage_name(v->stage), NULL);
    if (r->host[0] || r->addr[0]) {
        snprintf(buf, sizeof(buf), "%s%s%s%s", r->host, r->addr[0] ? " [" : "", r->addr,
                 r->addr[0] ? "]" : "");
        fact(fp, "server", buf, NULL);
    }
    if (v->provider) {
        snprintf(buf, sizeof(buf), "%s (recognised by its %s)", v->provider->name,
                 v->provider_by ? v->provider_by : "text");
        fact(fp, "provider", buf, NULL);
    }
    if (why)
        fact(fp, "rule", v->rule, x.from);

    if (x.meaning) {
        heading(fp, "What it means");
        term_wrap(fp, x.meaning, 2, 0);
    }
    if (x.causes[0]) {
        heading(fp, "Likely causes, most likely first");
        numbered(fp, x.causes);
    }
    if (x.steps[0]) {
        heading(fp, "What to do, in order");
        numbered(fp, x.steps);
    }
    codes_block(fp, r, v);
    if (x.refs[0] || x.url) {
        int i;

        heading(fp, "References");
        for (i = 0; x.refs[i]; i++)
            fprintf(fp, "  %s\n", x.refs[i]);
        if (x.url)
            fprintf(fp, "  %s\n", x.url);
    }
    if (why && v->pattern) {
        heading(fp, "Decided by");
        fprintf(fp, "  pattern %s (%s)\n", v->pattern->id, v->pattern->source);
    }
    if (r->flags & ~(unsigned)(SDX_REPLY_F_BARE_CODE | SDX_REPLY_F_CLASS_MISMATCH)) {
        heading(fp, "About the input");
        for (bit = 1; bit <= 0x8000u; bit <<= 1)
            if ((r->flags & bit) && bit != SDX_REPLY_F_BARE_CODE && bit != SDX_REPLY_F_CLASS_MISMATCH)
                fprintf(fp, "  %s: %s\n", sdx_reply_flag_name(bit), sdx_reply_flag_desc(bit));
        if (r->skipped)
            fprintf(fp, "  %zu bytes beyond the limits were not read\n", r->skipped);
    }
}

void render_brief(FILE *fp, const struct sdx_event *e, const struct sdx_verdict *v)
{
    const struct sdx_reply *r = e->reply;
    struct sdx_explanation x;

    sdx_explain_verdict(v, &x);
    fprintf(fp, "%s\t%s\t%s\t%s\t%s\t%s\n", r->code ? (char[4]){ (char)('0' + r->code / 100),
            (char)('0' + r->code / 10 % 10), (char)('0' + r->code % 10), 0 } : "-",
            r->status_str[0] ? r->status_str : "-", sdx_reason_name(v->reason),
            sdx_perm_name(v->perm), sdx_actor_name(v->actor), x.summary);
}
