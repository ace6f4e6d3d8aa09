/* syslog.h - split one log line into time, host, program, pid and message
 * In:  one line (no line end) as MTAs and syslog daemons write it:
 *      RFC 3164 ("Nov 27 18:48:11 mx postfix/smtpd[6239]: msg"; no year:
 *      inferred, across New Year too), RFC 5424 ("<22>1 2026-11-27T18:48:11.123Z
 *      mx postfix/smtpd 6239 - - msg"), the ISO 8601 high-precision stamps of
 *      Debian 12's rsyslog ("2026-11-27T18:48:11.123456+01:00 mx prog[pid]: msg")
 *      and of `journalctl -o short-iso` ("2026-11-27T18:48:11+0100 ..."),
 *      `journalctl -o json` (one JSON object per line), Postfix's own
 *      maillog_file (as RFC 3164), and Exim's mainlog/rejectlog ("2026-11-27
 *      18:54:04.851 [6869] 1xX15A-0001mm-2g ** ...": program "exim").
 * Out: struct sdx_logline, strings borrowed from the line (or, for JSON,
 *      from the context's scratch buffer, valid until the next call; for
 *      Exim, program is the static string "exim"). An empty string has
 *      len 0 and a p that is never NULL.
 * Not here: what the message means (log/postfix.c, log/exim.c, ...). */
#ifndef SMTPDX_SYSLOG_H
#define SMTPDX_SYSLOG_H

#include <stdint.h>
#include "buf.h"

enum sdx_framing {
    SDX_FRAME_UNKNOWN = 0,
    SDX_FRAME_RFC3164,          /* "Mmm dd hh:mm:ss host prog[pid]: msg" */
    SDX_FRAME_RFC5424,          /* "<pri>1 ISO host app procid msgid sd msg" */
    SDX_FRAME_ISO8601,          /* "YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm|±hhmm) host prog[pid]: msg" */
    SDX_FRAME_JOURNAL_JSON,     /* journalctl -o json */
    SDX_FRAME_EXIM              /* Exim's own log files */
};

struct sdx_logline {
    int64_t          when_us;   /* microseconds since 1970-01-01 UTC; 0 when unknown */
    int              tz_known;  /* the line carried its UTC offset (else local time was assumed) */
    struct sdx_str   host;      /* syslog host name, may be empty */
    struct sdx_str   program;   /* "postfix/smtpd", "postfix-out/smtp", "exim", "smtpd", "sm-mta" */
    unsigned long    pid;       /* 0 when absent */
    struct sdx_str   msg;       /* the message after "prog[pid]: " (for Exim: after "[pid] ") */
    enum sdx_framing framing;
};

/* state across lines: the year for RFC 3164 stamps, the local offset */
struct sdx_syslog {
    int             year;       /* year of the last RFC 3164 line (inferred), 1970-9999 */
    int             last_month; /* 1-12 of the last RFC 3164 line, 0 none yet */
    int             ref_month;  /* 1-12: month of the time year came from (the file's
                                 * mtime, now), set by the caller after init; a first
                                 * line of a later month is from the year before
                                 * (December lines read in January). 0: unknown */
    long            utc_offset; /* seconds east of UTC assumed for stamps without offset */
    struct sdx_buf  scratch;    /* decoded JSON fields */
    unsigned long   lines, unparsed;   /* counters */
    unsigned long   details;    /* Exim rejectlog lines after a refusal: its envelope and
                                 * headers ("Envelope-from: <...>", "F From: ..."); known,
                                 * not framed, not counted in unparsed */
    int             in_exim;    /* the last framed line was Exim's own */
};

/* sdx_syslog_init - year: the year of the first RFC 3164 line (callers pass
 * the year of the file's mtime, or the current year, and may then set
 * s->ref_month to that time's month); utc_offset in seconds east of UTC (the
 * local zone's, or 0 for UTC; beyond +-26 h it is taken as 0) */
SDX_API void sdx_syslog_init(struct sdx_syslog *s, int year, long utc_offset);
SDX_API void sdx_syslog_release(struct sdx_syslog *s);
/* sdx_syslog_parse - 0 and *out filled, or SDX_EPARSE when the line has no
 * framing smtpdx knows (counted in s->unparsed; out->msg is then the whole
 * line, framing SDX_FRAME_UNKNOWN); SDX_ENOMEM. One trailing CR is ignored.
 * RFC 3164 years: a month that goes back by more than six (Dec -> Jan)
 * advances the year; one that jumps forward by more than six (a line of last
 * December after January lines) goes back one; smaller steps back (late
 * lines) keep it. Stamps without an offset are local time at s->utc_offset
 * (tz_known 0). when_us is 0 or in 1970..9999; earlier stamps are SDX_EPARSE. */
SDX_API SDX_NODISCARD int sdx_syslog_parse(struct sdx_syslog *s, const char *p, size_t n,
                                           struct sdx_logline *out);
/* sdx_time_format - RFC 3339 UTC ("2026-11-27T18:48:11.123456Z") into out
 * (at least 32 bytes); "" for 0 */
SDX_API void sdx_time_format(int64_t when_us, char *out, size_t cap);

#endif
