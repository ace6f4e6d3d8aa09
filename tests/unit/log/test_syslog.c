/* test_syslog.c - log/syslog.c: every framing on real lines (mta-samples
 * Postfix maillog, Exim mainlog, OpenSMTPD maillog), the RFC 5424 §6.5
 * examples, ISO 8601 variants, journal JSON (escapes, surrogates, byte
 * arrays), RFC 3164 year inference across New Year both ways, malformed
 * lines, and sdx_time_format. Table-driven; a failing row names itself.
 * Every line is parsed from a heap copy of its exact length, so ASan sees
 * any read past the end. Expected times were computed by hand, e.g.
 * 2026-11-27T18:48:11Z: 2026-01-01 is 56*365 + 14 leap days = 20454 days
 * after the epoch; Nov 27 is day 304 + 26 = 330 of 2026; (20454 + 330) *
 * 86400 + 18*3600 + 48*60 + 11 = 1795805291 s (checked against Python's
 * calendar.timegm). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/syslog.h"

#define T_PF    INT64_C(1795805291000000)  /* 2026-11-27T18:48:11Z */
#define T_PF1   INT64_C(1795801691000000)  /* 2026-11-27T18:48:11+01:00 */

/* L - a literal and its length, NUL bytes inside included */
#define L(s) s, sizeof(s) - 1

struct row {
    const char      *name;
    const char      *line;
    size_t           len;
    long             off;       /* utc_offset of the context (year is 2026) */
    int              err;       /* 0 or SDX_EPARSE */
    enum sdx_framing framing;
    int64_t          when_us;
    int              tz_known;
    const char      *host;
    const char      *program;
    unsigned long    pid;
    const char      *msg;       /* NULL: the whole line (for errors) */
    size_t           msglen;    /* 0: strlen(msg) */
};

#define OK3164  0, SDX_FRAME_RFC3164
#define OK5424  0, SDX_FRAME_RFC5424
#define OKISO   0, SDX_FRAME_ISO8601
#define OKEXIM  0, SDX_FRAME_EXIM
#define OKJSON  0, SDX_FRAME_JOURNAL_JSON
#define BAD(name, line) { name, L(line), 0, SDX_EPARSE, SDX_FRAME_UNKNOWN, 0, 0, "", "", 0, NULL, 0 }

/* the journal entry postfix/smtpd 6239 writes, as journalctl -o json prints it */
#define J_HEAD "{\"__CURSOR\":\"s=2f1e;i=1a2b;b=9c0d;m=3e8;t=64a1;x=77\"," \
    "\"__REALTIME_TIMESTAMP\":\"1795805291123456\",\"__MONOTONIC_TIMESTAMP\":\"1000\"," \
    "\"_BOOT_ID\":\"9c0d\",\"PRIORITY\":\"6\",\"SYSLOG_FACILITY\":\"2\","
#define J_TAIL "\"_HOSTNAME\":\"mx\",\"_TRANSPORT\":\"syslog\"}"

static const struct row rows[] = {
    /* ---- RFC 3164: the mta-samples logs -------------------------------- */
    { "postfix maillog reject",
      L("Nov 27 18:48:11 mx postfix/smtpd[6239]: NOQUEUE: reject: RCPT from smtp-2.client-a.test[127.0.1.2]: "
        "550 5.1.1 <nosuchuser@smtpdx.test>: Recipient address rejected: User unknown in local recipient table; "
        "from=<sender@client-a.test> to=<nosuchuser@smtpdx.test> proto=ESMTP helo=<smtp-2.client-a.test>"),
      0, OK3164, T_PF, 0, "mx", "postfix/smtpd", 6239,
      "NOQUEUE: reject: RCPT from smtp-2.client-a.test[127.0.1.2]: 550 5.1.1 <nosuchuser@smtpdx.test>: "
      "Recipient address rejected: User unknown in local recipient table; from=<sender@client-a.test> "
      "to=<nosuchuser@smtpdx.test> proto=ESMTP helo=<smtp-2.client-a.test>", 0 },
    { "postfix maillog, local zone UTC+1",
      L("Nov 27 18:48:11 mx postfix/qmgr[6158]: 5442B10C1AC: removed"),
      3600, OK3164, T_PF1, 0, "mx", "postfix/qmgr", 6158, "5442B10C1AC: removed", 0 },
    { "postfix maillog, local zone UTC-5",
      L("Nov 27 18:48:11 mx postfix/qmgr[6158]: 5442B10C1AC: removed"),
      -18000, OK3164, T_PF + INT64_C(18000000000), 0, "mx", "postfix/qmgr", 6158, "5442B10C1AC: removed", 0 },
    { "postfix postfix-script",
      L("Nov 27 18:48:05 mx postfix/postfix-script[6154]: starting the Postfix mail system"),
      0, OK3164, T_PF - 6000000, 0, "mx", "postfix/postfix-script", 6154, "starting the Postfix mail system", 0 },
    { "opensmtpd maillog failed-command",
      L("Nov 27 18:52:45 mx smtpd[6168]: 155b23530468afe6 smtp failed-command command=\"RCPT TO:"
        "<nosuchuser@opensmtpd.test> ORCPT=rfc822;nosuchuser@opensmtpd.test\" result=\"550 Invalid recipient: "
        "<nosuchuser@opensmtpd.test>\""),
      0, OK3164, INT64_C(1795805565000000), 0, "mx", "smtpd", 6168,
      "155b23530468afe6 smtp failed-command command=\"RCPT TO:<nosuchuser@opensmtpd.test> "
      "ORCPT=rfc822;nosuchuser@opensmtpd.test\" result=\"550 Invalid recipient: <nosuchuser@opensmtpd.test>\"", 0 },
    { "opensmtpd info",
      L("Nov 27 18:48:05 mx smtpd[6163]: info: OpenSMTPD 6.8.0p2 starting"),
      0, OK3164, T_PF - 6000000, 0, "mx", "smtpd", 6163, "info: OpenSMTPD 6.8.0p2 starting", 0 },
    { "multi-instance postfix",
      L("Nov 27 18:48:11 mail1.example.org postfix-out/smtp[31337]: 4F1A2: to=<a@b.test>, status=sent"),
      0, OK3164, T_PF, 0, "mail1.example.org", "postfix-out/smtp", 31337, "4F1A2: to=<a@b.test>, status=sent", 0 },
    { "sendmail sm-mta",
      L("Nov 27 18:48:11 mx sm-mta[4242]: 2ARIm1xA004242: from=<a@b.test>, size=10"),
      0, OK3164, T_PF, 0, "mx", "sm-mta", 4242, "2ARIm1xA004242: from=<a@b.test>, size=10", 0 },
    { "program with dot and underscore",
      L("Nov 27 18:48:11 mx spam_filter.v2[7]: ok"),
      0, OK3164, T_PF, 0, "mx", "spam_filter.v2", 7, "ok", 0 },
    { "space-padded day",
      L("Nov  7 09:01:02 mx postfix/smtpd[1]: x"),
      0, OK3164, INT64_C(1794042062000000), 0, "mx", "postfix/smtpd", 1, "x", 0 },
    { "unpadded day",
      L("Nov 7 09:01:02 mx postfix/smtpd[1]: x"),
      0, OK3164, INT64_C(1794042062000000), 0, "mx", "postfix/smtpd", 1, "x", 0 },
    { "tag without pid",
      L("Nov 27 18:48:11 mx kernel: [ 12.345678] eth0: link up"),
      0, OK3164, T_PF, 0, "mx", "kernel", 0, "[ 12.345678] eth0: link up", 0 },
    { "no host (first word is a tag)",
      L("Nov 27 18:48:11 postfix/smtpd[6239]: connect from x[192.0.2.1]"),
      0, OK3164, T_PF, 0, "", "postfix/smtpd", 6239, "connect from x[192.0.2.1]", 0 },
    { "no tag: all message",
      L("Nov 27 18:48:11 mx -- MARK --"),
      0, OK3164, T_PF, 0, "mx", "", 0, "-- MARK --", 0 },
    { "IPv6 host ending in a colon",
      L("Nov 27 18:48:11 2001:db8:: postfix/smtpd[5]: x"),
      0, OK3164, T_PF, 0, "2001:db8::", "postfix/smtpd", 5, "x", 0 },
    { "non-numeric pid: no tag",
      L("Nov 27 18:48:11 mx prog[abc]: x"),
      0, OK3164, T_PF, 0, "mx", "", 0, "prog[abc]: x", 0 },
    { "empty message",
      L("Nov 27 18:48:11 mx postfix/smtpd[6239]:"),
      0, OK3164, T_PF, 0, "mx", "postfix/smtpd", 6239, "", 0 },
    { "host only",
      L("Nov 27 18:48:11 mx"),
      0, OK3164, T_PF, 0, "mx", "", 0, "", 0 },
    { "fractional seconds",
      L("Nov 27 18:48:11.25 mx p[1]: x"),
      0, OK3164, T_PF + 250000, 0, "mx", "p", 1, "x", 0 },
    { "trailing CR dropped",
      L("Nov 27 18:48:11 mx p[1]: x\r"),
      0, OK3164, T_PF, 0, "mx", "p", 1, "x", 0 },
    { "NUL and high bytes in the message",
      L("Nov 27 18:48:11 mx p[1]: a\0b\xff"),
      0, OK3164, T_PF, 0, "mx", "p", 1, "a\0b\xff", 4 },
    { "raw packet with <PRI>",
      L("<22>Nov 27 18:48:11 mx postfix/smtpd[6239]: x"),
      0, OK3164, T_PF, 0, "mx", "postfix/smtpd", 6239, "x", 0 },
    { "leap day 29 Feb in a common year rolls over",   /* 2026-02-29 = 2026-03-01 */
      L("Feb 29 00:00:00 mx p: x"),
      0, OK3164, INT64_C(1772323200000000), 0, "mx", "p", 0, "x", 0 },

    /* ---- Exim's own log files ----------------------------------------- */
    { "exim mainlog reject, +pid +millisec",
      L("2026-11-27 18:52:25.495 [6763] H=(mx.smtpdx.test) [127.0.0.1]:59783 I=[127.0.0.1]:2525 "
        "F=<alice@smtpdx.test> rejected RCPT <nosuchuser@exim.test>: Unrouteable address"),
      0, OKEXIM, INT64_C(1795805545495000), 0, "", "exim", 6763,
      "H=(mx.smtpdx.test) [127.0.0.1]:59783 I=[127.0.0.1]:2525 F=<alice@smtpdx.test> rejected RCPT "
      "<nosuchuser@exim.test>: Unrouteable address", 0 },
    { "exim mainlog, local zone UTC+1",
      L("2026-11-27 18:48:11.000 [6171] Start queue run: pid=6171"),
      3600, OKEXIM, T_PF1, 0, "", "exim", 6171, "Start queue run: pid=6171", 0 },
    { "exim without pid and fraction",
      L("2026-11-27 18:54:04 1xX15A-0001mm-2g ** bob@example.test R=dnslookup: Unrouteable address"),
      0, OKEXIM, INT64_C(1795805644000000), 0, "", "exim", 0,
      "1xX15A-0001mm-2g ** bob@example.test R=dnslookup: Unrouteable address", 0 },
    { "exim log_timezone",
      L("2026-11-27 18:54:04 +0100 [6869] 1xX15A-0001mm-2g ** bob@example.test"),
      0, OKEXIM, INT64_C(1795802044000000), 1, "", "exim", 6869, "1xX15A-0001mm-2g ** bob@example.test", 0 },
    { "exim log_timezone, millisec, west",
      L("2026-11-27 18:54:04.851 -0500 1xX15A-0001mm-2g Completed"),
      0, OKEXIM, INT64_C(1795823644851000), 1, "", "exim", 0, "1xX15A-0001mm-2g Completed", 0 },
    { "exim message starting with an address in brackets",
      L("2026-11-27 18:54:04 [127.0.0.1] rejected"),
      0, OKEXIM, INT64_C(1795805644000000), 0, "", "exim", 0, "[127.0.0.1] rejected", 0 },
    { "exim pid and nothing else",
      L("2026-11-27 18:54:04 [42]"),
      0, OKEXIM, INT64_C(1795805644000000), 0, "", "exim", 42, "", 0 },

    /* ---- RFC 5424 (§6.5 examples 1-4, then Postfix) -------------------- */
    { "rfc5424 example 1 (BOM, nil procid)",
      L("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' failed "
        "for lonvick on /dev/pts/8"),
      0, OK5424, INT64_C(1065910455003000), 1, "mymachine.example.com", "su", 0,
      "'su root' failed for lonvick on /dev/pts/8", 0 },
    { "rfc5424 example 2 (microseconds, -07:00)",
      L("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts."),
      0, OK5424, INT64_C(1061727255000003), 1, "192.0.2.1", "myproc", 8710,
      "%% It's time to make the do-nuts.", 0 },
    { "rfc5424 example 3 (structured data)",
      L("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
        "eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBF" "An application event log entry..."),
      0, OK5424, INT64_C(1065910455003000), 1, "mymachine.example.com", "evntslog", 0,
      "An application event log entry...", 0 },
    { "rfc5424 example 4 (two SD elements, no message)",
      L("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
        "eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]"),
      0, OK5424, INT64_C(1065910455003000), 1, "mymachine.example.com", "evntslog", 0, "", 0 },
    { "rfc5424 postfix",
      L("<22>1 2026-11-27T18:48:11.123Z mx postfix/smtpd 6239 - - connect from x[192.0.2.1]"),
      0, OK5424, INT64_C(1795805291123000), 1, "mx", "postfix/smtpd", 6239, "connect from x[192.0.2.1]", 0 },
    { "rfc5424 escaped ] and quote in SD value",
      L("<22>1 2026-11-27T18:48:11Z mx app 1 - [a@1 k=\"x\\]y\\\"z] \"] msg"),
      0, OK5424, T_PF, 1, "mx", "app", 1, "msg", 0 },
    { "rfc5424 nil timestamp and host",
      L("<13>1 - - app - - - msg"),
      0, OK5424, 0, 0, "", "app", 0, "msg", 0 },

    /* ---- ISO 8601 (rsyslog RSYSLOG_FileFormat, journalctl -o short-iso) --- */
    { "debian 12 rsyslog",
      L("2026-11-27T18:48:11.123456+01:00 mx postfix/smtpd[6239]: connect from x"),
      0, OKISO, INT64_C(1795801691123456), 1, "mx", "postfix/smtpd", 6239, "connect from x", 0 },
    { "journalctl short-iso +hhmm",
      L("2026-11-27T18:48:11+0100 mx postfix/smtpd[6239]: connect from x"),
      0, OKISO, T_PF1, 1, "mx", "postfix/smtpd", 6239, "connect from x", 0 },
    { "Z",
      L("2026-11-27T18:48:11Z mx p[1]: x"),
      0, OKISO, T_PF, 1, "mx", "p", 1, "x", 0 },
    { "lower-case t and z",
      L("2026-11-27t18:48:11z mx p[1]: x"),
      0, OKISO, T_PF, 1, "mx", "p", 1, "x", 0 },
    { "half-hour zone west, one fraction digit",
      L("2026-11-27T18:48:11.5-05:30 mx p[1]: x"),
      0, OKISO, INT64_C(1795825091500000), 1, "mx", "p", 1, "x", 0 },
    { "nanoseconds cut to microseconds",
      L("2026-11-27T18:48:11.123456789+00:00 mx p[1]: x"),
      0, OKISO, T_PF + 123456, 1, "mx", "p", 1, "x", 0 },
    { "hours-only offset",
      L("2026-11-27T18:48:11+01 mx p[1]: x"),
      0, OKISO, T_PF1, 1, "mx", "p", 1, "x", 0 },
    { "no offset: local time",
      L("2026-11-27T18:48:11 mx p[1]: x"),
      3600, OKISO, T_PF1, 0, "mx", "p", 1, "x", 0 },
    { "29 Feb of a leap year",
      L("2028-02-29T00:00:00Z h p: x"),
      0, OKISO, INT64_C(1835395200000000), 1, "h", "p", 0, "x", 0 },
    { "leap second",
      L("2016-12-31T23:59:60Z h p: x"),
      0, OKISO, INT64_C(1483228800000000), 1, "h", "p", 0, "x", 0 },
    { "across New Year by the offset",
      L("2026-12-31T23:30:00-01:00 h p: x"),
      0, OKISO, INT64_C(1798763400000000), 1, "h", "p", 0, "x", 0 },
    { "last second of 9999",
      L("9999-12-31T23:59:59Z h p: x"),
      0, OKISO, INT64_C(253402300799000000), 1, "h", "p", 0, "x", 0 },
    { "ISO 8601 in a raw packet",
      L("<30>2026-11-27T18:48:11Z mx p[1]: x"),
      0, OKISO, T_PF, 1, "mx", "p", 1, "x", 0 },

    /* ---- journalctl -o json --------------------------------------------- */
    { "journal entry",
      L(J_HEAD "\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\",\"SYSLOG_PID\":\"6239\",\"_PID\":\"6239\","
        "\"_COMM\":\"smtpd\",\"MESSAGE\":\"connect from x[192.0.2.1]\"," J_TAIL),
      0, OKJSON, T_PF + 123456, 1, "mx", "postfix/smtpd", 6239, "connect from x[192.0.2.1]", 0 },
    { "journal escapes, surrogate pair, \\u0000",
      L("{\"__REALTIME_TIMESTAMP\":\"1795805291123456\",\"MESSAGE\":\"tab\\there \\\"q\\\" \\\\ \\/ "
        "\\u00e9 \\u20AC \\ud83d\\ude00 \\u0000end\\r\\n\\b\\f\"}"),
      0, OKJSON, T_PF + 123456, 1, "", "", 0,
      "tab\there \"q\" \\ / \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \0end\r\n\b\f",
      sizeof("tab\there \"q\" \\ / \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \0end\r\n\b\f") - 1 },
    { "journal lone surrogates become U+FFFD",
      L("{\"MESSAGE\":\"a\\ud800b\\udc00c\\ud83d\"}"),
      0, OKJSON, 0, 0, "", "", 0, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD", 0 },
    { "journal binary MESSAGE as a byte array",
      L("{\"__REALTIME_TIMESTAMP\":\"1795805291000000\",\"_PID\":\"77\",\"MESSAGE\":[104, 105,0,255 ,10]}"),
      0, OKJSON, T_PF, 1, "", "", 77, "hi\0\xff\n", 5 },
    { "journal empty byte array",
      L("{\"MESSAGE\":[]}"),
      0, OKJSON, 0, 0, "", "", 0, "", 0 },
    { "journal field logged twice: the first value",
      L("{\"MESSAGE\":[\"first\",\"sec\\u006fnd\",[1,2]],\"__REALTIME_TIMESTAMP\":\"1795805291000000\"}"),
      0, OKJSON, T_PF, 1, "", "", 0, "first", 0 },
    { "journal binary field logged twice",
      L("{\"MESSAGE\":[[111,107],[33]]}"),
      0, OKJSON, 0, 0, "", "", 0, "ok", 0 },
    { "journal SYSLOG_PID without _PID, _COMM without SYSLOG_IDENTIFIER",
      L("{\"_COMM\":\"master\",\"SYSLOG_PID\":\"6156\",\"MESSAGE\":\"daemon started\"}"),
      0, OKJSON, 0, 0, "", "master", 6156, "daemon started", 0 },
    { "journal null MESSAGE (too large), nested and odd fields skipped",
      L("{ \"X\" : {\"a\":[1,{\"b\":null}],\"c\":true} , \"MESSAGE\" : null ,"
        "\"__REALTIME_TIMESTAMP\" : 1795805291000000 , \"Y\":-1.5e3 } \r"),
      0, OKJSON, T_PF, 1, "", "", 0, "", 0 },
    { "journal duplicate key: the first",
      L("{\"MESSAGE\":\"one\",\"MESSAGE\":\"two\"}"),
      0, OKJSON, 0, 0, "", "", 0, "one", 0 },
    { "journal escaped quotes and empty containers in skipped fields",
      L("{\"X\":\"a\\\"b\\\\\",\"Y\":[ ],\"Z\":{},\"W\":\"\\\\\\\"\",\"MESSAGE\":\"m\"}"),
      0, OKJSON, 0, 0, "", "", 0, "m", 0 },
    { "journal timestamp beyond 9999: unknown time",
      L("{\"__REALTIME_TIMESTAMP\":\"9999999999999999999\",\"MESSAGE\":\"m\"}"),
      0, OKJSON, 0, 0, "", "", 0, "m", 0 },

    /* ---- not a framing smtpdx knows ------------------------------------- */
    BAD("empty", ""),
    BAD("CR only", "\r"),
    BAD("prose", "hello world"),
    BAD("rejectlog continuation", "Envelope-from: <sender@client-b.test>"),
    BAD("rejectlog header line", "  Date: Fri, 27 Nov 2026 18:52:43 +0000"),
    BAD("unknown month", "Foo 27 18:48:11 mx p: x"),
    BAD("day 32", "Nov 32 18:48:11 mx p: x"),
    BAD("day 0", "Nov 0 18:48:11 mx p: x"),
    BAD("31 November", "Nov 31 18:48:11 mx p: x"),
    BAD("hour 24", "Nov 27 24:00:00 mx p: x"),
    BAD("minute 60", "Nov 27 18:60:00 mx p: x"),
    BAD("no seconds", "Nov 27 18:48 mx p: x"),
    BAD("three-digit day", "Nov 270 18:48:11 mx p: x"),
    BAD("stamp glued to host", "Nov 27 18:48:11mx p: x"),
    BAD("NUL inside the stamp", "Nov 27 18:4\08:11 mx p: x"),
    BAD("cut stamp", "Nov 27 18:48:1"),
    BAD("month 13", "2026-13-01T00:00:00Z mx p: x"),
    BAD("29 Feb of a common year", "2026-02-29T00:00:00Z mx p: x"),
    BAD("before 1970", "1969-12-31T23:59:59Z mx p: x"),
    BAD("before 1970 by the offset", "1970-01-01T00:00:00+01:00 mx p: x"),
    BAD("offset hour 24", "2026-11-27T18:48:11+24:00 mx p: x"),
    BAD("offset minute 60", "2026-11-27T18:48:11+01:60 mx p: x"),
    BAD("ten fraction digits", "2026-11-27T18:48:11.1234567890Z mx p: x"),
    BAD("empty fraction", "2026-11-27T18:48:11.Z mx p: x"),
    BAD("junk after the stamp", "2026-11-27T18:48:11Zmx p: x"),
    BAD("neither T nor space", "2026-11-27X18:48:11Z mx p: x"),
    BAD("exim cut time", "2026-11-27 18:54"),
    BAD("exim offset hour 25", "2026-11-27 18:54:04 +2500 1xX15A-0001mm-2g Completed"),
    BAD("exim before 1970 by the offset", "1970-01-01 00:00:00 +0100 [1] x"),
    BAD("month, then no day", "Nov xx 18:48:11 mx p: x"),
    BAD("json escaped closing quote", "{\"MESSAGE\":\"x\\\""),
    BAD("exim junk after the time", "2026-11-27 18:54:04x msg"),
    BAD("pri 192", "<192>1 2026-11-27T18:48:11Z mx app - - - m"),
    BAD("pri not closed", "<22 1 2026-11-27T18:48:11Z mx app - - - m"),
    BAD("pri, then nothing known", "<22>hello"),
    BAD("rfc5424 without offset", "<34>1 2003-10-11T22:14:15.003 mymachine su - ID47 - m"),
    BAD("rfc5424 missing fields", "<34>1 2003-10-11T22:14:15.003Z mymachine su -"),
    BAD("rfc5424 unterminated SD", "<34>1 2003-10-11T22:14:15.003Z h su - ID47 [a b=\"]\" m"),
    BAD("rfc5424 junk after SD", "<34>1 2003-10-11T22:14:15.003Z h su - ID47 [a]x m"),
    BAD("rfc5424 SD neither - nor [", "<34>1 2003-10-11T22:14:15.003Z h su - ID47 x m"),
    BAD("json empty object", "{}"),
    BAD("json without time or message", "{\"_PID\":\"1\"}"),
    BAD("json trailing garbage", "{\"MESSAGE\":\"x\"} y"),
    BAD("json unterminated", "{\"MESSAGE\":\"x"),
    BAD("json backslash at the end", "{\"MESSAGE\":\"x\\"),
    BAD("json bad escape", "{\"MESSAGE\":\"\\x41\"}"),
    BAD("json short \\u", "{\"MESSAGE\":\"\\u12\"}"),
    BAD("json byte 256", "{\"MESSAGE\":[256]}"),
    BAD("json byte array with a string", "{\"MESSAGE\":[1,\"a\"]}"),
    BAD("json missing colon", "{\"MESSAGE\" \"x\"}"),
    BAD("json missing comma", "{\"MESSAGE\":\"x\" \"A\":\"b\"}"),
    BAD("json too deep",
        "{\"MESSAGE\":\"x\",\"A\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"),
    BAD("json deep array in a wanted field", "{\"MESSAGE\":[[[[[[[[[[1]]]]]]]]]]}"),
};

/* want_str - a field equals exp (binary safe) */
static int want_str(struct sdx_str got, const char *exp, size_t len)
{
    return got.p != NULL && got.len == len && (len == 0 || memcmp(got.p, exp, len) == 0);
}

static void test_rows(void **state)
{
    size_t i, n_ok = 0;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        struct sdx_syslog s;
        struct sdx_logline out;
        char *copy = malloc(r->len ? r->len : 1);
        const char *msg = r->msg ? r->msg : copy;
        size_t msglen = r->msg ? (r->msglen ? r->msglen : strlen(r->msg)) : r->len;
        int err;

        assert_non_null(copy);
        memcpy(copy, r->line, r->len);
        sdx_syslog_init(&s, 2026, r->off);
        err = sdx_syslog_parse(&s, copy, r->len, &out);
        if (err != r->err)
            fail_msg("row '%s': returned %d, expected %d", r->name, err, r->err);
        if (out.framing != r->framing)
            fail_msg("row '%s': framing %d, expected %d", r->name, (int)out.framing, (int)r->framing);
        if (out.when_us != r->when_us)
            fail_msg("row '%s': when_us %lld, expected %lld", r->name, (long long)out.when_us,
                     (long long)r->when_us);
        if (out.tz_known != r->tz_known)
            fail_msg("row '%s': tz_known %d", r->name, out.tz_known);
        if (!want_str(out.host, r->host, strlen(r->host)))
            fail_msg("row '%s': host '%.*s', expected '%s'", r->name, (int)out.host.len,
                     out.host.p ? out.host.p : "(null)", r->host);
        if (!want_str(out.program, r->program, strlen(r->program)))
            fail_msg("row '%s': program '%.*s', expected '%s'", r->name, (int)out.program.len,
                     out.program.p ? out.program.p : "(null)", r->program);
        if (out.pid != r->pid)
            fail_msg("row '%s': pid %lu, expected %lu", r->name, out.pid, r->pid);
        if (!want_str(out.msg, msg, msglen))
            fail_msg("row '%s': msg '%.*s' (%zu bytes), expected %zu bytes", r->name,
                     (int)out.msg.len, out.msg.p ? out.msg.p : "(null)", out.msg.len, msglen);
        if (s.lines != 1 || s.unparsed != (r->err == SDX_EPARSE))
            fail_msg("row '%s': counters %lu/%lu", r->name, s.lines, s.unparsed);
        n_ok += err == 0;
        sdx_syslog_release(&s);
        free(copy);
    }
    assert_true(n_ok > 50);
}

/* every prefix of every row, from an exact-size copy: no read past the end */
static void test_prefixes(void **state)
{
    struct sdx_syslog s;
    struct sdx_logline out;
    size_t i, k;

    (void)state;
    sdx_syslog_init(&s, 2026, 0);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        for (k = 0; k <= rows[i].len; k++) {
            char *copy = malloc(k ? k : 1);
            int err;

            assert_non_null(copy);
            memcpy(copy, rows[i].line, k);
            err = sdx_syslog_parse(&s, copy, k, &out);
            if (err != 0 && err != SDX_EPARSE)
                fail_msg("row '%s' cut at %zu: %d", rows[i].name, k, err);
            if (err == 0 && out.framing == SDX_FRAME_UNKNOWN)
                fail_msg("row '%s' cut at %zu: parsed without a framing", rows[i].name, k);
            free(copy);
        }
    }
    sdx_syslog_release(&s);
}

/* ---- RFC 3164 year inference: lines through one context ---------------- */

struct yrow {
    const char *name;
    int         year, ref_month;
    const char *lines[6];
    int64_t     when[6];    /* seconds */
    int         year_after;
};

static const struct yrow yrows[] = {
    { "New Year: Dec 31 -> Jan 1 is the next year", 2026, 0,
      { "Dec 31 23:59:59 mx p: a", "Jan  1 00:00:01 mx p: b", "Jan  1 00:00:02 mx p: c" },
      { 1798761599, 1798761601, 1798761602 }, 2027 },
    { "backward: a December line after January ones is last year", 2027, 0,
      { "Jan  2 00:00:00 mx p: a", "Dec 31 23:59:59 mx p: b", "Jan  3 00:00:00 mx p: c" },
      /* 2027-01-02, 2026-12-31T23:59:59, 2027-01-03 */
      { 1798761600 + 86400, 1798761599, 1798761600 + 2 * 86400 }, 2027 },
    { "late lines (one month back) keep the year", 2026, 0,
      { "Nov 30 23:59:59 mx p: a", "Dec  1 00:00:00 mx p: b", "Nov 30 23:59:58 mx p: c" },
      { 1796083199, 1796083200, 1796083198 }, 2026 },
    { "reference month January: December lines are last year", 2027, 1,
      { "Dec 28 10:00:00 mx p: a", "Jan  2 00:00:00 mx p: b" },
      /* 2026-12-28T10:00:00 = 2027-01-01 - 3 days 14 h */
      { 1798761600 - 3 * 86400 - 14 * 3600, 1798761600 + 86400 }, 2027 },
    { "reference month November: February is this year", 2026, 11,
      { "Feb  3 00:00:00 mx p: a", "Jul 27 18:48:11 mx p: b" },
      /* 2026-02-03 = 2026-01-01 + 33 days; 2026-01-01 = 20454 days;
       * 2026-07-27 is day 207 (Jan-Jun: 181 days, + 26) */
      { (20454 + 33) * INT64_C(86400), (20454 + 207) * INT64_C(86400) + 67691 }, 2026 },
    { "other framings leave the year alone", 2026, 0,
      { "Dec 31 23:59:59 mx p: a", "2027-01-01T00:00:01Z mx p: b", "Dec 31 23:59:59 mx p: c",
        "2026-11-27 18:48:11 [1] exim" },
      { 1798761599, 1798761601, 1798761599, 1795805291 }, 2026 },
    { "a year out of range is clamped", 0, 0,
      { "Jan  1 00:00:00 mx p: a" }, { 0 }, 1970 },
};

static void test_years(void **state)
{
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof(yrows) / sizeof(yrows[0]); i++) {
        const struct yrow *y = &yrows[i];
        struct sdx_syslog s;
        struct sdx_logline out;

        sdx_syslog_init(&s, y->year, 0);
        s.ref_month = y->ref_month;
        for (k = 0; k < 6 && y->lines[k]; k++) {
            int err = sdx_syslog_parse(&s, y->lines[k], strlen(y->lines[k]), &out);

            if (y->year == 0 && k == 0) {
                /* 1970-01-01T00:00:00Z is when_us 0: "unknown", but parsed */
                if (err != 0)
                    fail_msg("row '%s': line %zu: %d", y->name, k, err);
                continue;
            }
            if (err != 0 || out.when_us != y->when[k] * 1000000)
                fail_msg("row '%s': line %zu: err %d, when_us %lld, expected %lld", y->name, k, err,
                         (long long)out.when_us, (long long)(y->when[k] * 1000000));
        }
        if (s.year != y->year_after)
            fail_msg("row '%s': year %d after, expected %d", y->name, s.year, y->year_after);
        sdx_syslog_release(&s);
    }
}

/* every month name, on the 15th at noon; and a stamp before 1970 */
static void test_months(void **state)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    struct sdx_syslog s;
    struct sdx_logline out;
    char line[64];
    int m, n;

    (void)state;
    for (m = 0; m < 12; m++) {
        sdx_syslog_init(&s, 2026, 0);
        n = snprintf(line, sizeof(line), "%.3s 15 12:00:00 h p: x", names + 3 * m);
        /* 2026-01-01 is day 20454; 2026 is a common year */
        if (sdx_syslog_parse(&s, line, (size_t)n, &out) != 0 ||
            out.when_us != ((20454 + before[m] + 14) * INT64_C(86400) + 43200) * 1000000)
            fail_msg("month '%.3s': when_us %lld", names + 3 * m, (long long)out.when_us);
        sdx_syslog_release(&s);
    }
    /* 1970-01-01T00:00:00 local at UTC+1 is before the epoch */
    sdx_syslog_init(&s, 1970, 3600);
    assert_int_equal(sdx_syslog_parse(&s, "Jan  1 00:00:00 h p: x", 22, &out), SDX_EPARSE);
    assert_int_equal(s.unparsed, 1);
    sdx_syslog_release(&s);
}

/* ---- one context, many lines: counters, scratch reuse ------------------- */

static void test_stream(void **state)
{
    static const char *const lines[] = {
        "{\"MESSAGE\":\"a\\u00e9\",\"_HOSTNAME\":\"h\\u0031\"}",
        "garbage",
        "{\"MESSAGE\":\"plain\",\"_HOSTNAME\":\"h2\"}",
        "{\"MESSAGE\":[120,121],\"SYSLOG_IDENTIFIER\":\"p\\/q\"}",
        "Nov 27 18:48:11 mx postfix/smtpd[6239]: x",
    };
    struct sdx_syslog s;
    struct sdx_logline out;

    (void)state;
    sdx_syslog_init(&s, 2026, 0);
    assert_int_equal(sdx_syslog_parse(&s, lines[0], strlen(lines[0]), &out), 0);
    assert_true(want_str(out.msg, "a\xC3\xA9", 3));
    assert_true(want_str(out.host, "h1", 2));
    /* decoded strings live in the scratch */
    assert_true(out.msg.p >= s.scratch.data && out.msg.p + out.msg.len <= s.scratch.data + s.scratch.len);
    assert_int_equal(sdx_syslog_parse(&s, lines[1], strlen(lines[1]), &out), SDX_EPARSE);
    assert_ptr_equal(out.msg.p, lines[1]);
    assert_int_equal(out.msg.len, 7);
    /* strings without escapes are borrowed from the line */
    assert_int_equal(sdx_syslog_parse(&s, lines[2], strlen(lines[2]), &out), 0);
    assert_ptr_equal(out.msg.p, lines[2] + 12);
    assert_int_equal(sdx_syslog_parse(&s, lines[3], strlen(lines[3]), &out), 0);
    assert_true(want_str(out.msg, "xy", 2));
    assert_true(want_str(out.program, "p/q", 3));
    assert_int_equal(sdx_syslog_parse(&s, lines[4], strlen(lines[4]), &out), 0);
    assert_int_equal(sdx_syslog_parse(&s, NULL, 0, &out), SDX_EPARSE);
    assert_int_equal(s.lines, 6);
    assert_int_equal(s.unparsed, 2);
    sdx_syslog_release(&s);
    sdx_syslog_release(&s);         /* twice is harmless */
}

/* a long tag is message text; a long JSON message is decoded whole */
static void test_long(void **state)
{
    struct sdx_syslog s;
    struct sdx_logline out;
    struct sdx_buf b;
    int i;

    (void)state;
    sdx_syslog_init(&s, 2026, 0);
    sdx_buf_init(&b, 1 << 20);
    assert_int_equal(sdx_buf_adds(&b, "Nov 27 18:48:11 mx "), 0);
    for (i = 0; i < 200; i++)
        assert_int_equal(sdx_buf_addc(&b, 'a'), 0);
    assert_int_equal(sdx_buf_adds(&b, "[1]: x"), 0);
    assert_int_equal(sdx_syslog_parse(&s, b.data, b.len, &out), 0);
    assert_int_equal(out.program.len, 0);
    assert_int_equal(out.msg.len, 206);

    sdx_buf_reset(&b);
    assert_int_equal(sdx_buf_adds(&b, "{\"MESSAGE\":\""), 0);
    for (i = 0; i < 20000; i++)
        assert_int_equal(sdx_buf_adds(&b, "\\u00e9"), 0);
    assert_int_equal(sdx_buf_adds(&b, "\"}"), 0);
    assert_int_equal(sdx_syslog_parse(&s, b.data, b.len, &out), 0);
    assert_int_equal(out.msg.len, 40000);
    assert_int_equal((unsigned char)out.msg.p[39999], 0xA9);
    sdx_buf_release(&b);
    sdx_syslog_release(&s);
}

/* ---- sdx_time_format ----------------------------------------------------- */

static void test_time_format(void **state)
{
    static const struct { int64_t when; const char *out; } t[] = {
        { 0, "" },
        { INT64_C(1795805291123456), "2026-11-27T18:48:11.123456Z" },
        { INT64_C(1795805291000000), "2026-11-27T18:48:11Z" },
        { INT64_C(1795805291000001), "2026-11-27T18:48:11.000001Z" },
        { INT64_C(951782400000000), "2000-02-29T00:00:00Z" },
        { INT64_C(1798761599000000), "2026-12-31T23:59:59Z" },
        { INT64_C(1798761600000000), "2027-01-01T00:00:00Z" },
        { 1, "1970-01-01T00:00:00.000001Z" },
        { -1, "1969-12-31T23:59:59.999999Z" },
        { INT64_C(253402300799000000), "9999-12-31T23:59:59Z" },
        { INT64_C(4107542400000000), "2100-03-01T00:00:00Z" },  /* 2100 is not leap */
    };
    char buf[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        memset(buf, 'x', sizeof(buf));
        sdx_time_format(t[i].when, buf, sizeof(buf));
        if (strcmp(buf, t[i].out) != 0)
            fail_msg("time %lld: '%s', expected '%s'", (long long)t[i].when, buf, t[i].out);
    }
    /* extremes stay inside 32 bytes */
    sdx_time_format(INT64_MAX, buf, sizeof(buf));
    assert_true(strlen(buf) < sizeof(buf));
    sdx_time_format(INT64_MIN, buf, sizeof(buf));
    assert_true(strlen(buf) < sizeof(buf));
    /* a short buffer is cut, still terminated */
    sdx_time_format(INT64_C(1795805291123456), buf, 5);
    assert_string_equal(buf, "2026");
    buf[0] = 'x';
    sdx_time_format(INT64_C(1795805291123456), buf, 0);
    assert_int_equal(buf[0], 'x');
}

/* parse then format gives back the stamp, over the whole calendar */
static void test_round_trip(void **state)
{
    struct sdx_syslog s;
    struct sdx_logline out;
    char line[64], back[32];
    int64_t days;
    int n;

    (void)state;
    sdx_syslog_init(&s, 2026, 0);
    for (days = 1; days < 2932896; days += 997) {    /* 1970-01-02 .. 9999-12-31 */
        int64_t us = days * INT64_C(86400000000) + (days % 86400) * 1000000 + days % 7 * 100000;

        sdx_time_format(us, back, sizeof(back));
        n = snprintf(line, sizeof(line), "%s mx p[1]: x", back);
        assert_true(n > 0 && (size_t)n < sizeof(line));
        if (sdx_syslog_parse(&s, line, (size_t)n, &out) != 0 || out.when_us != us)
            fail_msg("round trip of '%s': got %lld, expected %lld", back, (long long)out.when_us,
                     (long long)us);
    }
    sdx_syslog_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_years),
        cmocka_unit_test(test_months),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests_name("unit.syslog", tests, NULL, NULL);
}
