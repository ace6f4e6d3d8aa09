/* syslog.c - split one log line into time, host, program, pid and message
 * In:  one line, any bytes (NUL too), no line end (one trailing CR is
 *      dropped). The first bytes choose the framing: '<' RFC 5424 (or a raw
 *      RFC 3164 packet that kept its <PRI>), '{' journalctl -o json,
 *      "YYYY-MM-DDT" ISO 8601 (rsyslog, journalctl -o short-iso),
 *      "YYYY-MM-DD " Exim's own log files, "Mmm " RFC 3164 (syslogd,
 *      rsyslog's traditional format, Postfix's maillog_file, journalctl -o short).
 * Out: struct sdx_logline borrowing from the line; JSON strings that needed
 *      unescaping are decoded into s->scratch; times as UTC microseconds
 *      from our own days-from-civil (no timegm, no TZ, no tzset, no localtime).
 * Limits: the SDX_SYSLOG_* below; every scan stops at the end of the line.
 * Not here: reading lines (input.c); what a message means (log/postfix.c,
 *      log/exim.c, ...).
 * RFC 3164 §4.1.2-4.1.3; RFC 5424 §6 (§6.2.3 TIMESTAMP, §6.3 SD, §6.4 BOM);
 * RFC 3339 §5.6; RFC 8259 §7 (strings, \u escapes, surrogate pairs);
 * systemd.journal-fields(7) and journalctl(1) "-o json" (binary fields as
 * byte arrays); Exim spec ch. "Log files" (log_timezone, +pid, +millisec). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "smtpdx/syslog.h"

/* RFC 3164 §4.1.3 caps a TAG at 32 alphanumerics; real ones carry '/', '-',
 * '.', '_' ("postfix-out/smtp") and a few run longer. A word longer than
 * this is message text, not a tag, and the scan for its end stops here. */
#define SDX_SYSLOG_TAG_MAX      128
/* journalctl -o json writes flat objects; fields holding several values
 * are arrays (of strings or of byte arrays). Nesting deeper than this is
 * not a journal line, and bounds the recursion of skip_value(). */
#define SDX_SYSLOG_JSON_DEPTH   16
/* Decoded JSON strings: never longer than the line itself (an escape
 * shrinks), and input.c caps lines at 64 KiB. What passes this is cut. */
#define SDX_SYSLOG_SCRATCH_MAX  (1024 * 1024)
/* Fraction digits read from a stamp: nanoseconds (journalctl, chrony); the
 * seventh digit on is read and dropped. */
#define SDX_SYSLOG_FRAC_MAX     9
/* A pid: Linux caps pid_max at 2^22, other systems stay in 32 bits. */
#define SDX_SYSLOG_PID_MAX      4294967295UL

#define US_PER_SEC  INT64_C(1000000)
/* 10000-01-01T00:00:00Z in seconds: stamps are four-digit years */
#define SECS_MAX    INT64_C(253402300800)
/* the largest caller offset believed: UTC+14 and UTC-12 with room to spare */
#define OFFSET_MAX  (26L * 3600)

static const char empty[1];     /* the bytes of every empty field */
#define EMPTY ((struct sdx_str){ empty, 0 })

/* ---- calendar -------------------------------------------------------- */

/* days_from_civil - days since 1970-01-01 of y-m-d, proleptic Gregorian
 * (H. Hinnant's algorithm; day 29 of a common February is March 1st) */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;                                /* 0..399 */
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;        /* 0..146096 */
    return era * 146097 + doe - 719468;
}

/* civil_from_days - the inverse of days_from_civil */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* mdays - days in month m (1-12) of year y; y 0: February has 29 */
static int mdays(int y, int m)
{
    static const unsigned char n[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return (m == 2 && y && !leap(y)) ? 28 : n[m - 1];
}

/* ---- small scanners: p is the cursor, e the end; NULL means no match -- */

/* d2 - the value of two ASCII digits at p (caller checked p + 2 <= e), or -1 */
static int d2(const char *p)
{
    unsigned a = (unsigned)((unsigned char)p[0] - '0'), b = (unsigned)((unsigned char)p[1] - '0');

    return (a <= 9 && b <= 9) ? (int)(a * 10 + b) : -1;
}

static int isdig(const char *p, const char *e)
{
    return p < e && (unsigned)((unsigned char)*p - '0') <= 9;
}

/* scan_pid - 1 to 10 digits, at most SDX_SYSLOG_PID_MAX */
static const char *scan_pid(const char *p, const char *e, unsigned long *pid)
{
    uint64_t v = 0;                     /* ten digits overflow a 32-bit long */
    int i;

    for (i = 0; i < 10 && isdig(p, e); i++, p++)
        v = v * 10 + (uint64_t)(*p - '0');
    if (i == 0 || isdig(p, e) || v > SDX_SYSLOG_PID_MAX)
        return NULL;
    *pid = (unsigned long)v;
    return p;
}

/* scan_hms - "hh:mm:ss" (second 60: a leap second, counted as the next) */
static const char *scan_hms(const char *p, const char *e, int64_t *sod)
{
    int h, m, s;

    if (e - p < 8 || p[2] != ':' || p[5] != ':' ||
        (h = d2(p)) < 0 || h > 23 || (m = d2(p + 3)) < 0 || m > 59 ||
        (s = d2(p + 6)) < 0 || s > 60)
        return NULL;
    *sod = h * 3600 + m * 60 + s;
    return p + 8;
}

/* scan_frac - optional ".d{1,9}" (ISO 8601 also allows ','): microseconds */
static const char *scan_frac(const char *p, const char *e, int32_t *us)
{
    int32_t v = 0;
    int i;

    *us = 0;
    if (p >= e || (*p != '.' && *p != ','))
        return p;
    p++;
    for (i = 0; i < SDX_SYSLOG_FRAC_MAX && isdig(p, e); i++, p++)
        if (i < 6)
            v = v * 10 + (*p - '0');
    if (i == 0 || isdig(p, e))
        return NULL;
    for (; i < 6; i++)
        v *= 10;
    *us = v;
    return p;
}

/* scan_offset - "Z", "+hh:mm", "+hhmm" or "+hh" (RFC 3339 §5.6, ISO 8601,
 * strftime's %z): seconds east of UTC */
static const char *scan_offset(const char *p, const char *e, long *off)
{
    int sign, h, m = 0;

    if (p < e && (*p == 'Z' || *p == 'z')) {
        *off = 0;
        return p + 1;
    }
    if (e - p < 3 || (*p != '+' && *p != '-') || (h = d2(p + 1)) < 0 || h > 23)
        return NULL;
    sign = *p == '-' ? -1 : 1;
    p += 3;
    if (e - p >= 3 && *p == ':') {
        if ((m = d2(p + 1)) < 0 || m > 59)
            return NULL;
        p += 3;
    } else if (e - p >= 2 && isdig(p, e)) {
        if ((m = d2(p)) < 0 || m > 59)
            return NULL;
        p += 2;
    }
    *off = sign * (h * 3600L + m * 60L);
    return p;
}

/* scan_date - "YYYY-MM-DD", 1970-9999: days since the epoch */
static const char *scan_date(const char *p, const char *e, int64_t *days)
{
    int y, m, d, hi, lo;

    if (e - p < 10 || p[4] != '-' || p[7] != '-' || (hi = d2(p)) < 0 ||
        (lo = d2(p + 2)) < 0 || (m = d2(p + 5)) < 1 || m > 12 || (d = d2(p + 8)) < 1)
        return NULL;
    y = hi * 100 + lo;
    if (y < 1970 || d > mdays(y, m))
        return NULL;
    *days = days_from_civil(y, m, d);
    return p + 10;
}

/* stamp - seconds, fraction and offset into out; SDX_EPARSE outside 1970..9999 */
static int stamp(struct sdx_logline *out, int64_t secs, int32_t us, long off, int tz_known)
{
    secs -= off;
    if (secs < 0 || secs >= SECS_MAX)
        return SDX_EPARSE;
    out->when_us = secs * US_PER_SEC + us;
    out->tz_known = tz_known;
    return 0;
}

static long local_offset(const struct sdx_syslog *s)
{
    return (s->utc_offset > OFFSET_MAX || s->utc_offset < -OFFSET_MAX) ? 0 : s->utc_offset;
}

/* ---- host, tag and message (RFC 3164 §4.1.3 and the ISO variants) ----- */

/* the bytes that end a tag's name */
static const unsigned char tag_stop[256] = { [' '] = 1, ['['] = 1, [':'] = 1 };

/* parse_tag - "prog[pid]: msg" or "prog: msg" at p; anything else is all message */
static void parse_tag(const char *p, const char *e, struct sdx_logline *out)
{
    const char *q = p, *lim = p + (e - p < SDX_SYSLOG_TAG_MAX ? e - p : SDX_SYSLOG_TAG_MAX);
    unsigned long pid = 0;

    while (q < lim && !tag_stop[(unsigned char)*q])
        q++;
    out->msg = (struct sdx_str){ p, (size_t)(e - p) };
    if (q == p || q == lim)
        return;
    if (*q == '[') {
        const char *r = scan_pid(q + 1, e, &pid);

        if (r == NULL || e - r < 2 || r[0] != ']' || r[1] != ':')
            return;
        out->program = (struct sdx_str){ p, (size_t)(q - p) };
        out->pid = pid;
        q = r + 2;
    } else if (*q == ':') {
        out->program = (struct sdx_str){ p, (size_t)(q - p) };
        q++;
    } else {
        return;                         /* a word, then a space: no tag */
    }
    if (q < e && *q == ' ')
        q++;
    out->msg = (struct sdx_str){ q, (size_t)(e - q) };
}

/* parse_tail - "host prog[pid]: msg" after a stamp and its space. The host is
 * absent (some local syslogds, hand-made logs) when the first word is itself
 * a tag: it ends in ':' and holds no other ':' (an IPv6 host would). */
static void parse_tail(const char *p, const char *e, struct sdx_logline *out)
{
    const char *sp = memchr(p, ' ', (size_t)(e - p)), *we = sp ? sp : e;

    if (we > p && we[-1] == ':' && memchr(p, ':', (size_t)(we - p)) == we - 1) {
        parse_tag(p, e, out);
        return;
    }
    out->host = (struct sdx_str){ p, (size_t)(we - p) };
    parse_tag(sp ? sp + 1 : e, e, out);
}

/* ---- RFC 3164 --------------------------------------------------------- */

/* month - 1-12 for "Jan".."Dec" at p (3 bytes), 0 otherwise; a switch on
 * the packed bytes, as this runs once per line */
#define M3(a, b, c) ((unsigned long)(a) << 16 | (unsigned long)(b) << 8 | (unsigned long)(c))
static int month(const char *p)
{
    switch (M3((unsigned char)p[0], (unsigned char)p[1], (unsigned char)p[2])) {
    case M3('J', 'a', 'n'): return 1;
    case M3('F', 'e', 'b'): return 2;
    case M3('M', 'a', 'r'): return 3;
    case M3('A', 'p', 'r'): return 4;
    case M3('M', 'a', 'y'): return 5;
    case M3('J', 'u', 'n'): return 6;
    case M3('J', 'u', 'l'): return 7;
    case M3('A', 'u', 'g'): return 8;
    case M3('S', 'e', 'p'): return 9;
    case M3('O', 'c', 't'): return 10;
    case M3('N', 'o', 'v'): return 11;
    case M3('D', 'e', 'c'): return 12;
    }
    return 0;
}

/* infer_year - the year of an RFC 3164 line of month m (see syslog.h) */
static int infer_year(struct sdx_syslog *s, int m)
{
    if (s->year < 1970 || s->year > 9999)
        s->year = s->year < 1970 ? 1970 : 9999;
    if (s->last_month < 1 || s->last_month > 12) {
        if (s->ref_month >= 1 && s->ref_month <= 12 && m > s->ref_month && s->year > 1970)
            s->year--;
    } else if (m < s->last_month - 6) {
        if (s->year < 9999)
            s->year++;
    } else if (m > s->last_month + 6) {
        if (s->year > 1970)
            s->year--;
    }
    s->last_month = m;
    return s->year;
}

/* parse_3164 - "Mmm dd hh:mm:ss[.frac] host prog[pid]: msg"; the day may be
 * space-padded ("Nov  7", RFC 3164) or not ("Nov 7", some writers) */
static int parse_3164(struct sdx_syslog *s, const char *p, const char *e, struct sdx_logline *out)
{
    int m, d, y;
    int64_t sod;
    int32_t us;

    if (e - p < 14 || (m = month(p)) == 0 || p[3] != ' ')
        return SDX_EPARSE;
    p += 4;
    if (*p == ' ')
        p++;
    if (!isdig(p, e))
        return SDX_EPARSE;
    d = *p++ - '0';
    if (isdig(p, e))
        d = d * 10 + (*p++ - '0');
    if (d < 1 || d > mdays(0, m) || p >= e || *p++ != ' ' ||
        (p = scan_hms(p, e, &sod)) == NULL || (p = scan_frac(p, e, &us)) == NULL ||
        (p < e && *p != ' '))
        return SDX_EPARSE;
    /* the line is RFC 3164 from here on: only now may it move the year */
    y = infer_year(s, m);
    if (stamp(out, days_from_civil(y, m, d) * 86400 + sod, us, local_offset(s), 0))
        return SDX_EPARSE;
    out->framing = SDX_FRAME_RFC3164;
    if (p < e)
        parse_tail(p + 1, e, out);
    return 0;
}

/* ---- ISO 8601 (rsyslog, journalctl -o short-iso) and Exim --------------- */

/* parse_iso - "YYYY-MM-DDThh:mm:ss[.frac][Z|+hh:mm|+hhmm] host prog[pid]: msg" */
static int parse_iso(struct sdx_syslog *s, const char *p, const char *e, struct sdx_logline *out)
{
    int64_t days, sod;
    int32_t us;
    long off = 0;
    int known = 0;

    if ((p = scan_date(p, e, &days)) == NULL || p >= e || (*p != 'T' && *p != 't') ||
        (p = scan_hms(p + 1, e, &sod)) == NULL || (p = scan_frac(p, e, &us)) == NULL)
        return SDX_EPARSE;
    if (p < e && *p != ' ') {
        if ((p = scan_offset(p, e, &off)) == NULL || (p < e && *p != ' '))
            return SDX_EPARSE;
        known = 1;
    }
    if (stamp(out, days * 86400 + sod, us, known ? off : local_offset(s), known))
        return SDX_EPARSE;
    out->framing = SDX_FRAME_ISO8601;
    if (p < e)
        parse_tail(p + 1, e, out);
    return 0;
}

/* parse_exim - "YYYY-MM-DD hh:mm:ss[.mmm][ +hhmm] [[pid] ]msg": Exim writes
 * local time, with its offset only under log_timezone; the offset is told
 * from a message by its form: sign, four digits, then a space or the end */
static int parse_exim(struct sdx_syslog *s, const char *p, const char *e, struct sdx_logline *out)
{
    int64_t days, sod;
    int32_t us;
    long off = 0;
    int known = 0;
    unsigned long pid;
    const char *r;

    if ((p = scan_date(p, e, &days)) == NULL || p >= e || *p != ' ' ||
        (p = scan_hms(p + 1, e, &sod)) == NULL || (p = scan_frac(p, e, &us)) == NULL ||
        (p < e && *p != ' '))
        return SDX_EPARSE;
    if (p < e)
        p++;
    if (e - p >= 5 && (*p == '+' || *p == '-') && isdig(p + 1, e) && isdig(p + 2, e) &&
        isdig(p + 3, e) && isdig(p + 4, e) && (e - p == 5 || p[5] == ' ')) {
        if ((r = scan_offset(p, p + 5, &off)) == NULL)
            return SDX_EPARSE;
        known = 1;
        p = r < e ? r + 1 : r;
    }
    if (stamp(out, days * 86400 + sod, us, known ? off : local_offset(s), known))
        return SDX_EPARSE;
    out->framing = SDX_FRAME_EXIM;
    out->program = SDX_STR_LIT("exim");
    /* "[pid] ": digits only, so "[127.0.0.1]:25 ..." stays message text */
    if (p < e && *p == '[' && (r = scan_pid(p + 1, e, &pid)) != NULL && r < e && *r == ']' &&
        (r + 1 == e || r[1] == ' ')) {
        out->pid = pid;
        p = r + 1 < e ? r + 2 : r + 1;
    }
    out->msg = (struct sdx_str){ p, (size_t)(e - p) };
    return 0;
}

/* ---- RFC 5424 ----------------------------------------------------------- */

/* field - one space-free RFC 5424 header field; "-" (NILVALUE) is empty */
static const char *field(const char *p, const char *e, struct sdx_str *f)
{
    const char *sp = memchr(p, ' ', (size_t)(e - p));

    if (sp == NULL || sp == p)
        return NULL;
    *f = (sp - p == 1 && *p == '-') ? EMPTY : (struct sdx_str){ p, (size_t)(sp - p) };
    return sp + 1;
}

/* skip_sd - "-" or "[id k="v" ...]..." (§6.3: in values, \" \\ \] escape) */
static const char *skip_sd(const char *p, const char *e)
{
    if (p < e && *p == '-')
        return p + 1;
    if (p >= e || *p != '[')
        return NULL;
    while (p < e && *p == '[') {
        int inq = 0;

        for (p++;; p++) {
            if (p >= e)
                return NULL;
            if (inq) {
                if (*p == '\\') {
                    if (++p >= e)
                        return NULL;
                } else if (*p == '"') {
                    inq = 0;
                }
            } else if (*p == '"') {
                inq = 1;
            } else if (*p == ']') {
                break;
            }
        }
        p++;
    }
    return p;
}

/* parse_5424 - "1 TIMESTAMP HOST APP PROCID MSGID SD[ MSG]" after "<pri>" */
static int parse_5424(const char *p, const char *e, struct sdx_logline *out)
{
    struct sdx_str app, procid, msgid;
    int64_t days, sod;
    int32_t us;
    long off = 0;
    unsigned long pid;
    const char *r;

    p += 2;                                     /* "1 " checked by the caller */
    if (p < e && *p == '-') {                   /* NILVALUE: time unknown */
        p++;
    } else {
        if ((p = scan_date(p, e, &days)) == NULL || p >= e || (*p != 'T' && *p != 't') ||
            (p = scan_hms(p + 1, e, &sod)) == NULL || (p = scan_frac(p, e, &us)) == NULL ||
            (p = scan_offset(p, e, &off)) == NULL ||
            stamp(out, days * 86400 + sod, us, off, 1))
            return SDX_EPARSE;
    }
    if (p >= e || *p++ != ' ' || (p = field(p, e, &out->host)) == NULL ||
        (p = field(p, e, &app)) == NULL || (p = field(p, e, &procid)) == NULL ||
        (p = field(p, e, &msgid)) == NULL || (p = skip_sd(p, e)) == NULL ||
        (p < e && *p != ' '))
        return SDX_EPARSE;
    out->program = app;
    if (procid.len && (r = scan_pid(procid.p, procid.p + procid.len, &pid)) != NULL &&
        r == procid.p + procid.len)
        out->pid = pid;
    if (p < e)
        p++;
    if (e - p >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3;                                 /* §6.4: the BOM says UTF-8, it is not text */
    out->msg = (struct sdx_str){ p, (size_t)(e - p) };
    out->framing = SDX_FRAME_RFC5424;
    return 0;
}

/* ---- journalctl -o json -------------------------------------------------- */

/* the fields taken from a journal entry, in the order of their keys below */
enum jf { JF_TIME, JF_HOST, JF_IDENT, JF_COMM, JF_PID, JF_SPID, JF_MSG, JF_COUNT };
static const struct { const char *key; size_t len; } jkeys[JF_COUNT] = {
    { "__REALTIME_TIMESTAMP", 20 }, { "_HOSTNAME", 9 }, { "SYSLOG_IDENTIFIER", 17 },
    { "_COMM", 5 }, { "_PID", 4 }, { "SYSLOG_PID", 10 }, { "MESSAGE", 7 },
};

/* one decoded value: borrowed from the line (p), or at off in the scratch */
struct jval {
    int         set;
    const char *p;          /* NULL: in the scratch at off */
    size_t      off, len;
};

/* same - n bytes equal; inline, as keys differ early ("_UID" and "_PID") */
static int same(const char *a, const char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* put - append to the scratch; a cut (SDX_ETOOBIG) keeps what fit */
static int put(struct sdx_buf *b, const void *p, size_t n)
{
    int err = sdx_buf_add(b, p, n);

    return err == SDX_ENOMEM ? err : 0;
}

/* string_end - the closing quote of a string whose opening quote was at
 * p - 1, or NULL; *esc: it holds an escape. memchr() finds the candidates
 * (journal lines are long); a quote is searched again only once an escape
 * has stepped past it, so every byte is looked at a bounded number of times. */
static const char *string_end(const char *p, const char *e, int *esc)
{
    const char *q = NULL, *bs;

    *esc = 0;
    for (;;) {
        if (q == NULL || q < p) {
            if ((q = memchr(p, '"', (size_t)(e - p))) == NULL)
                return NULL;
        }
        if ((bs = memchr(p, '\\', (size_t)(q - p))) == NULL)
            return q;
        *esc = 1;
        if (e - bs < 2)
            return NULL;
        p = bs + 2;                     /* past the escaped byte (maybe that quote) */
    }
}

/* skip_string - past the closing quote of a string whose quote was at p - 1:
 * the first quote after an even run of backslashes (one memchr() per string
 * in the common case; every byte is passed at most twice) */
static const char *skip_string(const char *p, const char *e)
{
    const char *q, *b;

    for (;;) {
        /* most journal values are short: look a few bytes ahead before
         * paying for a memchr() call */
        for (q = p; q < e && q - p < 16 && *q != '"'; q++)
            ;
        if (q < e && *q != '"' && (q = memchr(q, '"', (size_t)(e - q))) == NULL)
            return NULL;
        if (q >= e)
            return NULL;
        for (b = q; b > p && b[-1] == '\\'; b--)
            ;
        if ((q - b) % 2 == 0)
            return q + 1;
        p = q + 1;
    }
}

/* skip_value - past one JSON value; scalars are taken loosely (a run of
 * number and literal characters); depth bounds the recursion */
static const char *skip_value(const char *p, const char *e, int depth)
{
    char close;

    p = ws(p, e);
    if (p >= e)
        return NULL;
    if (*p == '"')
        return skip_string(p + 1, e);
    if (*p == '{' || *p == '[') {
        close = *p == '{' ? '}' : ']';
        if (depth >= SDX_SYSLOG_JSON_DEPTH)
            return NULL;
        p = ws(p + 1, e);
        if (p < e && *p == close)
            return p + 1;
        for (;;) {
            if (close == '}') {
                p = ws(p, e);
                if (p >= e || *p != '"' || (p = skip_string(p + 1, e)) == NULL ||
                    (p = ws(p, e)) >= e || *p++ != ':')
                    return NULL;
            }
            if ((p = skip_value(p, e, depth + 1)) == NULL || (p = ws(p, e)) >= e)
                return NULL;
            if (*p == close)
                return p + 1;
            if (*p++ != ',')
                return NULL;
        }
    }
    {
        const char *q = p;

        while (q < e && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
                         (*q >= 'A' && *q <= 'Z') || *q == '-' || *q == '+' || *q == '.'))
            q++;
        return q > p ? q : NULL;
    }
}

/* hex4 - four hex digits at p */
static int hex4(const char *p, const char *e, unsigned *v)
{
    int i;

    *v = 0;
    if (e - p < 4)
        return -1;
    for (i = 0; i < 4; i++) {
        unsigned c = (unsigned char)p[i];

        if (c >= '0' && c <= '9')
            c -= '0';
        else if ((c | 32) >= 'a' && (c | 32) <= 'f')
            c = (c | 32) - 'a' + 10;
        else
            return -1;
        *v = *v << 4 | c;
    }
    return 0;
}

/* utf8 - encode code point c (at most U+10FFFF) into o; its length */
static size_t utf8(unsigned c, unsigned char *o)
{
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | c >> 6);
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | c >> 12);
        o[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | c >> 18);
    o[1] = (unsigned char)(0x80 | (c >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* decode_string - the string whose quote was at *pp - 1 (RFC 8259 §7):
 * borrowed when it holds no escape, else decoded into b. A lone surrogate
 * becomes U+FFFD; \u0000 a NUL byte (journal fields may hold any byte). */
static int decode_string(struct sdx_buf *b, const char **pp, const char *e, struct jval *v)
{
    const char *p = *pp, *run, *q;
    unsigned char o[8];
    unsigned c, c2;
    int err, esc;

    if ((q = string_end(p, e, &esc)) == NULL)
        return SDX_EPARSE;
    if (!esc) {
        *v = (struct jval){ 1, p, 0, (size_t)(q - p) };
        *pp = q + 1;
        return 0;
    }
    *v = (struct jval){ 1, NULL, b->len, 0 };
    for (;;) {
        run = p;
        while (p < e && *p != '"' && *p != '\\')
            p++;
        if (p >= e)
            return SDX_EPARSE;
        if ((err = put(b, run, (size_t)(p - run))) != 0)
            return err;
        if (*p == '"')
            break;
        if (++p >= e)
            return SDX_EPARSE;
        switch (*p++) {
        case '"':  o[0] = '"'; c = 1; break;
        case '\\': o[0] = '\\'; c = 1; break;
        case '/':  o[0] = '/'; c = 1; break;
        case 'b':  o[0] = '\b'; c = 1; break;
        case 'f':  o[0] = '\f'; c = 1; break;
        case 'n':  o[0] = '\n'; c = 1; break;
        case 'r':  o[0] = '\r'; c = 1; break;
        case 't':  o[0] = '\t'; c = 1; break;
        case 'u':
            if (hex4(p, e, &c))
                return SDX_EPARSE;
            p += 4;
            if (c >= 0xD800 && c <= 0xDBFF) {
                if (e - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, e, &c2) == 0 &&
                    c2 >= 0xDC00 && c2 <= 0xDFFF) {
                    c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
                    p += 6;
                } else {
                    c = 0xFFFD;
                }
            } else if (c >= 0xDC00 && c <= 0xDFFF) {
                c = 0xFFFD;
            }
            c = (unsigned)utf8(c, o);
            break;
        default:
            return SDX_EPARSE;
        }
        if ((err = put(b, o, c)) != 0)
            return err;
    }
    v->len = b->len - v->off;
    *pp = p + 1;
    return 0;
}

/* decode_bytes - "[104, 105]" after its '[' at *pp - 1: a binary field */
static int decode_bytes(struct sdx_buf *b, const char **pp, const char *e, struct jval *v)
{
    const char *p = ws(*pp, e);
    unsigned val;
    int i, err;

    *v = (struct jval){ 1, NULL, b->len, 0 };
    if (p < e && *p == ']') {
        *pp = p + 1;
        return 0;
    }
    for (;;) {
        unsigned char ch;

        for (val = 0, i = 0; i < 3 && isdig(p, e); i++, p++)
            val = val * 10 + (unsigned)(*p - '0');
        if (i == 0 || isdig(p, e) || val > 255)
            return SDX_EPARSE;
        ch = (unsigned char)val;
        if ((err = put(b, &ch, 1)) != 0)
            return err;
        if ((p = ws(p, e)) >= e)
            return SDX_EPARSE;
        if (*p == ']')
            break;
        if (*p != ',')
            return SDX_EPARSE;
        p = ws(p + 1, e);
    }
    v->len = b->len - v->off;
    *pp = p + 1;
    return 0;
}

/* decode_value - a wanted field: a string, a bare number (kept as text), a
 * byte array, or an array of those (a field logged several times: the first
 * one; nested == 1 inside it, where arrays are byte arrays only); null and
 * the rest leave it unset */
static int decode_value(struct sdx_buf *b, const char **pp, const char *e, struct jval *v,
                        int nested)
{
    const char *p = ws(*pp, e), *q;
    int err;

    if (p >= e)
        return SDX_EPARSE;
    if (*p == '"') {
        *pp = p + 1;
        return decode_string(b, pp, e, v);
    }
    if (*p == '[') {
        q = ws(p + 1, e);
        if (isdig(q, e) || (q < e && *q == ']')) {
            *pp = p + 1;
            return decode_bytes(b, pp, e, v);
        }
        if (!nested && q < e && (*q == '"' || *q == '[')) {
            /* several values: decode the first, skip the others */
            *pp = q;
            if ((err = decode_value(b, pp, e, v, 1)) != 0)
                return err;
            p = ws(*pp, e);
            while (p < e && *p == ',')
                if ((p = skip_value(p + 1, e, 1)) == NULL || (p = ws(p, e)) >= e)
                    return SDX_EPARSE;
            if (p >= e || *p != ']')
                return SDX_EPARSE;
            *pp = p + 1;
            return 0;
        }
    }
    if ((q = skip_value(p, e, 0)) == NULL)
        return SDX_EPARSE;
    if (isdig(p, e))
        *v = (struct jval){ 1, p, 0, (size_t)(q - p) };
    *pp = q;
    return 0;
}

/* jstr - a decoded value as a string; the scratch has stopped moving */
static struct sdx_str jstr(const struct sdx_buf *b, const struct jval *v)
{
    if (!v->set || v->len == 0)
        return EMPTY;
    return (struct sdx_str){ v->p ? v->p : b->data + v->off, v->len };
}

/* jnum - a decimal string of at most 18 digits (year 9999 in microseconds
 * has 18), else -1 */
static int64_t jnum(struct sdx_str t)
{
    int64_t v = 0;
    size_t i;

    if (t.len == 0 || t.len > 18)
        return -1;
    for (i = 0; i < t.len; i++) {
        if (t.p[i] < '0' || t.p[i] > '9')
            return -1;
        v = v * 10 + (t.p[i] - '0');
    }
    return v;
}

/* parse_json - one journal entry: a flat object; other fields are skipped.
 * A JSON object without __REALTIME_TIMESTAMP or MESSAGE is not an entry. */
static int parse_json(struct sdx_syslog *s, const char *p, const char *e, struct sdx_logline *out)
{
    struct jval v[JF_COUNT], tmp;
    struct sdx_str t;
    const char *k;
    size_t klen;
    int64_t us;
    int i, err;

    memset(v, 0, sizeof(v));
    sdx_buf_reset(&s->scratch);
    p = ws(p + 1, e);
    if (p < e && *p == '}') {
        p++;
    } else {
        for (;;) {
            if (p >= e || *p != '"')
                return SDX_EPARSE;
            k = p + 1;
            if ((p = skip_string(k, e)) == NULL)
                return SDX_EPARSE;
            klen = (size_t)(p - 1 - k);
            if ((p = ws(p, e)) >= e || *p++ != ':')
                return SDX_EPARSE;
            for (i = 0; i < JF_COUNT; i++)
                if (klen == jkeys[i].len && same(k, jkeys[i].key, klen))
                    break;
            if (i < JF_COUNT && !v[i].set) {
                memset(&tmp, 0, sizeof(tmp));
                if ((err = decode_value(&s->scratch, &p, e, &tmp, 0)) != 0)
                    return err;
                v[i] = tmp;
            } else if ((p = skip_value(p, e, 1)) == NULL) {
                return SDX_EPARSE;
            }
            if ((p = ws(p, e)) >= e)
                return SDX_EPARSE;
            if (*p == '}') {
                p++;
                break;
            }
            if (*p++ != ',')
                return SDX_EPARSE;
            p = ws(p, e);
        }
    }
    if (ws(p, e) != e || (!v[JF_TIME].set && !v[JF_MSG].set))
        return SDX_EPARSE;
    /* the scratch holds everything now: its data no longer moves */
    us = jnum(jstr(&s->scratch, &v[JF_TIME]));
    if (us > 0 && us < SECS_MAX * US_PER_SEC) {
        out->when_us = us;
        out->tz_known = 1;
    }
    out->host = jstr(&s->scratch, &v[JF_HOST]);
    out->program = jstr(&s->scratch, &v[v[JF_IDENT].set ? JF_IDENT : JF_COMM]);
    for (i = JF_PID; i <= JF_SPID; i++) {
        t = jstr(&s->scratch, &v[i]);
        us = jnum(t);
        if (us > 0 && (unsigned long long)us <= SDX_SYSLOG_PID_MAX) {
            out->pid = (unsigned long)us;
            break;
        }
    }
    out->msg = jstr(&s->scratch, &v[JF_MSG]);
    out->framing = SDX_FRAME_JOURNAL_JSON;
    return 0;
}

/* ---- the entry points ------------------------------------------------------ */

void sdx_syslog_init(struct sdx_syslog *s, int year, long utc_offset)
{
    memset(s, 0, sizeof(*s));
    s->year = year < 1970 ? 1970 : year > 9999 ? 9999 : year;
    s->utc_offset = utc_offset;
    sdx_buf_init(&s->scratch, SDX_SYSLOG_SCRATCH_MAX);
}

void sdx_syslog_release(struct sdx_syslog *s)
{
    sdx_buf_release(&s->scratch);
}

/* after_pri - a raw syslog packet: "<pri>" and either RFC 5424's "1 " or an
 * RFC 3164 / ISO stamp (what a network capture or a relay writes) */
static int after_pri(struct sdx_syslog *s, const char *p, const char *e, struct sdx_logline *out)
{
    unsigned pri = 0;
    int i;

    for (p++, i = 0; i < 3 && isdig(p, e); i++, p++)
        pri = pri * 10 + (unsigned)(*p - '0');
    if (i == 0 || p >= e || *p++ != '>' || pri > 191)
        return SDX_EPARSE;
    if (e - p >= 2 && p[0] == '1' && p[1] == ' ')
        return parse_5424(p, e, out);
    if (e - p >= 11 && isdig(p, e) && (p[10] == 'T' || p[10] == 't'))
        return parse_iso(s, p, e, out);
    if (p < e && *p >= 'A' && *p <= 'Z')
        return parse_3164(s, p, e, out);
    return SDX_EPARSE;
}

/* exim_detail - a line Exim's rejectlog writes after a refusal: the
 * envelope, then each header line behind a flag letter or a space ("F From:",
 * "P Received:", "  Subject:"), or a folded header's continuation (spec.txt,
 * "Format of the reject log") */
static int exim_detail(const char *p, const char *e)
{
    if ((e - p >= 15 && memcmp(p, "Envelope-from: ", 15) == 0) ||
        (e - p >= 13 && memcmp(p, "Envelope-to: ", 13) == 0))
        return 1;
    if (p < e && (*p == '\t' || *p == ' '))
        return 1;
    return e - p >= 2 && p[0] != '\0' && p[1] == ' ' && strchr("*BCFIMNPRST", p[0]) != NULL;
}

int sdx_syslog_parse(struct sdx_syslog *s, const char *p, size_t n, struct sdx_logline *out)
{
    const char *e;
    int err;

    *out = (struct sdx_logline){ 0, 0, EMPTY, EMPTY, 0, EMPTY, SDX_FRAME_UNKNOWN };
    s->lines++;
    if (p == NULL || n == 0) {
        s->unparsed++;
        return SDX_EPARSE;
    }
    e = p + n;
    if (e[-1] == '\r')
        e--;
    if (p == e)
        err = SDX_EPARSE;
    else if (*p >= 'A' && *p <= 'Z')
        err = parse_3164(s, p, e, out);
    else if (*p >= '0' && *p <= '9' && e - p >= 11 && (p[10] == 'T' || p[10] == 't'))
        err = parse_iso(s, p, e, out);
    else if (*p >= '0' && *p <= '9' && e - p >= 11 && p[10] == ' ')
        err = parse_exim(s, p, e, out);
    else if (*p == '<')
        err = after_pri(s, p, e, out);
    else if (*p == '{')
        err = parse_json(s, p, e, out);
    else
        err = SDX_EPARSE;
    if (err) {
        *out = (struct sdx_logline){ 0, 0, EMPTY, EMPTY, 0, { p, n }, SDX_FRAME_UNKNOWN };
        if (err == SDX_EPARSE && s->in_exim && exim_detail(p, e))
            s->details++;
        else if (err == SDX_EPARSE)
            s->unparsed++;
    } else {
        s->in_exim = out->framing == SDX_FRAME_EXIM;
    }
    return err;
}

void sdx_time_format(int64_t when_us, char *out, size_t cap)
{
    int64_t secs, days, sod, y;
    int us, m, d;

    if (cap == 0)
        return;
    out[0] = '\0';
    if (when_us == 0)
        return;
    secs = when_us / US_PER_SEC;
    us = (int)(when_us % US_PER_SEC);
    if (us < 0)
        secs--, us += 1000000;
    days = secs / 86400;
    sod = secs % 86400;
    if (sod < 0)
        days--, sod += 86400;
    civil_from_days(days, &y, &m, &d);
    if (us)
        snprintf(out, cap, "%04lld-%02d-%02dT%02d:%02d:%02d.%06dZ", (long long)y, m, d,
                 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), us);
    else
        snprintf(out, cap, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
                 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
}
