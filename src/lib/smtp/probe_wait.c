/* probe_wait.c - what a probe waits for, and how long RFC 5321 says a
 * client should wait for each
 *
 * RFC 5321 section 4.5.3.2 gives a client's minimum timeouts: the greeting
 * 5 minutes, MAIL 5, RCPT 5, DATA (the 354) 2, each block of the message 3
 * (from each TCP send), the reply to its end 10. It names none for EHLO,
 * STARTTLS, AUTH, RSET or QUIT; these take 5, the value it gives a server
 * waiting for the next command. The probe's own default (30 s for every
 * reply) is shorter on purpose: a person is waiting. */
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include "smtpdx/probe.h"

static const char *const names[] = {
#define X(e, name) name,
    SDX_PROBE_WAITS(X)
#undef X
};

const char *sdx_probe_wait_name(enum sdx_probe_wait w)
{
    return (unsigned)w < SDX_PROBE_WAIT_COUNT ? names[w] : "unknown";
}

int sdx_probe_wait_find(const char *name, size_t len)
{
    int i;

    for (i = 0; i < SDX_PROBE_WAIT_COUNT; i++)
        if (strlen(names[i]) == len && strncasecmp(names[i], name, len) == 0)
            return i;
    return -1;
}

void sdx_probe_rfc_timeouts(struct sdx_probe_opts *o)
{
    int i;

    for (i = 0; i < SDX_PROBE_WAIT_COUNT; i++)
        o->wait_ms[i] = 5 * 60000;
    o->wait_ms[SDX_PROBE_WAIT_DATA] = 2 * 60000;
    o->wait_ms[SDX_PROBE_WAIT_BLOCK] = 3 * 60000;
    o->wait_ms[SDX_PROBE_WAIT_DOT] = 10 * 60000;
}
