/* vocab.c - names of reasons, actors, stages and permanence
 * The names are the JSON values and the words users type; they come from
 * the X-macro lists in reason.h, so nothing here can drift from the enums.
 * Sisimai's pre-2025-12 reason names are accepted as input aliases. */
#include <string.h>
#include "smtpdx/reason.h"

static const char *const reason_names[] = {
#define X(e, name, def) name,
    SDX_REASONS(X)
#undef X
};
static const char *const reason_defs[] = {
#define X(e, name, def) def,
    SDX_REASONS(X)
#undef X
};
static const char *const actor_names[] = {
#define X(e, name, desc) name,
    SDX_ACTORS(X)
#undef X
};
static const char *const actor_descs[] = {
#define X(e, name, desc) desc,
    SDX_ACTORS(X)
#undef X
};
static const char *const stage_names[] = {
#define X(e, name) name,
    SDX_STAGES(X)
#undef X
};

/* Sisimai renamed these in its December 2025 releases (go-sisimai #307, #318) */
static const struct { const char *old; enum sdx_reason now; } reason_aliases[] = {
    { "speeding",    SDX_REASON_RATELIMITED },
    { "toomanyconn", SDX_REASON_RATELIMITED },
    { "mesgtoobig",  SDX_REASON_EMAILTOOLARGE },
    { "exceedlimit", SDX_REASON_EMAILTOOLARGE },
};

/* ieqn - s[0..n) equals the NUL-terminated name, ASCII case-insensitive */
static int ieqn(const char *s, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++) {
        int a = (unsigned char)s[i], b = (unsigned char)name[i];

        if (b == 0)
            return 0;
        if (a >= 'A' && a <= 'Z')
            a += 32;
        if (a != b)
            return 0;
    }
    return name[n] == '\0';
}

const char *sdx_reason_name(enum sdx_reason r)
{
    return (unsigned)r < SDX_REASON_COUNT ? reason_names[r] : "undefined";
}

const char *sdx_reason_desc(enum sdx_reason r)
{
    return (unsigned)r < SDX_REASON_COUNT ? reason_defs[r] : reason_defs[0];
}

int sdx_reason_parse(const char *s, size_t n, enum sdx_reason *out)
{
    size_t i;

    for (i = 0; i < SDX_REASON_COUNT; i++)
        if (ieqn(s, n, reason_names[i])) {
            *out = (enum sdx_reason)i;
            return 0;
        }
    for (i = 0; i < sizeof(reason_aliases) / sizeof(reason_aliases[0]); i++)
        if (ieqn(s, n, reason_aliases[i].old)) {
            *out = reason_aliases[i].now;
            return 0;
        }
    return SDX_ENOTFOUND;
}

const char *sdx_perm_name(enum sdx_perm p)
{
    switch (p) {
    case SDX_PERM_SUCCESS:   return "success";
    case SDX_PERM_TRANSIENT: return "transient";
    case SDX_PERM_PERMANENT: return "permanent";
    default:                 return "unknown";
    }
}

const char *sdx_actor_name(enum sdx_actor a)
{
    return (unsigned)a < SDX_ACTOR_COUNT ? actor_names[a] : "unknown";
}

const char *sdx_actor_desc(enum sdx_actor a)
{
    return (unsigned)a < SDX_ACTOR_COUNT ? actor_descs[a] : actor_descs[0];
}

int sdx_actor_parse(const char *s, size_t n, enum sdx_actor *out)
{
    size_t i;

    for (i = 0; i < SDX_ACTOR_COUNT; i++)
        if (ieqn(s, n, actor_names[i])) {
            *out = (enum sdx_actor)i;
            return 0;
        }
    return SDX_ENOTFOUND;
}

const char *sdx_stage_name(enum sdx_stage s)
{
    return (unsigned)s < SDX_STAGE_COUNT ? stage_names[s] : "unknown";
}

int sdx_stage_parse(const char *s, size_t n, enum sdx_stage *out)
{
    size_t i;

    for (i = 0; i < SDX_STAGE_COUNT; i++)
        if (ieqn(s, n, stage_names[i])) {
            *out = (enum sdx_stage)i;
            return 0;
        }
    return SDX_ENOTFOUND;
}
