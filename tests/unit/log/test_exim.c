/* test_exim.c - log/exim.c: real Exim main log lines to events
 * mainlog_short is examples/logs/exim-mainlog whole (Exim 4.96 in the
 * integration harness: no pids, no ports); mainlog_full is an excerpt of
 * ../shared/mta-samples/exim/logs/mainlog (lines 1, 52-56, 78-84, 105-110,
 * 228-233, 244-256, 264-270, 366-374, 403-406: pids, ports, TLS,
 * +sender_on_delivery), copied here so the test runs without ../shared.
 * Each event is checked field by field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/logs.h"
#include "smtpdx/syslog.h"
#include "events.h"

static const char *const mainlog_short[] = {
    "2026-11-27 21:10:41 exim 4.96 daemon started: pid=19249, no queue runs, listening for SMTP on [127.0.0.1]:2526",
    "2026-11-27 21:10:43 no host name found for IP address 127.0.3.9",
    "2026-11-27 21:10:43 1xX3DP-00052J-0r <= sender@client.test H=(mail.client.test) [127.0.3.9] P=esmtp S=522 id=ex-accept-inbound.1795813843@client.test",
    "2026-11-27 21:10:43 1xX3DP-00052J-0r => alice <alice@exim.test> R=localuser T=local_delivery",
    "2026-11-27 21:10:43 1xX3DP-00052J-0r Completed",
    "2026-11-27 21:10:43 1xX3DP-00052U-1k <= sender@client.test H=localhost (mail.client.test) [127.0.0.1] P=esmtp S=537 id=ex-accept-outbound.1795813843@client.test",
    "2026-11-27 21:10:43 1xX3DP-00052U-1k => friend@sink.test R=loopback_routes T=remote_smtp H=127.0.10.1 [127.0.10.1] C=\"250 2.0.0 Ok\"",
    "2026-11-27 21:10:43 1xX3DP-00052U-1k Completed",
    "2026-11-27 21:10:43 no host name found for IP address 127.0.3.1",
    "2026-11-27 21:10:43 H=[127.0.3.1] rejected connection in \"connect\" ACL: Your network is blocked by local policy",
    "2026-11-27 21:10:43 no host name found for IP address 127.0.3.2",
    "2026-11-27 21:10:43 H=(workstation42) [127.0.3.2] rejected EHLO or HELO workstation42: HELO/EHLO must contain a fully qualified domain name",
    "2026-11-27 21:10:43 H=(workstation42) [127.0.3.2] rejected EHLO or HELO workstation42: HELO/EHLO must contain a fully qualified domain name",
    "2026-11-27 21:10:44 no host name found for IP address 127.0.3.3",
    "2026-11-27 21:10:44 H=(mail.client.test) [127.0.3.3] rejected MAIL <spammer@client.test>: Sender spammer@client.test is blocked by local policy",
    "2026-11-27 21:10:44 no host name found for IP address 127.0.3.4",
    "2026-11-27 21:10:44 H=(mail.client.test) [127.0.3.4] F=<sender@client.test> rejected RCPT <nosuchuser@exim.test>: Unrouteable address",
    "2026-11-27 21:10:44 no host name found for IP address 127.0.3.5",
    "2026-11-27 21:10:44 H=(mail.client.test) [127.0.3.5] F=<sender@client.test> rejected RCPT <someone@elsewhere.test>: relay not permitted",
    "2026-11-27 21:10:45 no host name found for IP address 127.0.3.6",
    "2026-11-27 21:10:45 H=(mail.client.test) [127.0.3.6] F=<sender@client.test> temporarily rejected RCPT <greylist@exim.test>: Greylisted, please try again in 5 minutes",
    "2026-11-27 21:10:45 no host name found for IP address 127.0.3.7",
    "2026-11-27 21:10:45 1xX3DR-000539-1U H=(mail.client.test) [127.0.3.7] F=<sender@client.test> rejected after DATA: Message rejected: spam subject",
    "2026-11-27 21:10:45 1xX3DR-00053E-2W <= sender@sender.test H=localhost (mail.client.test) [127.0.0.1] P=esmtp S=530 id=ex-out-rcpt-550.1795813845@client.test",
    "2026-11-27 21:10:45 1xX3DR-00053E-2W ** user@rcpt550.test R=loopback_routes T=remote_smtp H=127.0.10.2 [127.0.10.2]: SMTP error from remote mail server after RCPT TO:<user@rcpt550.test>: 550 5.1.1 The email account that you tried to reach does not exist",
    "2026-11-27 21:10:45 1xX3DR-00053I-2g <= <> R=1xX3DR-00053E-2W U=Debian-exim P=local S=2056",
    "2026-11-27 21:10:45 1xX3DR-00053E-2W Completed",
    "2026-11-27 21:10:45 1xX3DR-00053I-2g => sender@sender.test R=loopback_routes T=remote_smtp H=127.0.10.1 [127.0.10.1] C=\"250 2.0.0 Ok\"",
    "2026-11-27 21:10:45 1xX3DR-00053I-2g Completed",
    "2026-11-27 21:10:46 1xX3DS-00053T-0L <= sender@sender.test H=localhost (mail.client.test) [127.0.0.1] P=esmtp S=530 id=ex-out-rcpt-450.1795813846@client.test",
    "2026-11-27 21:10:46 1xX3DS-00053T-0L == user@rcpt450.test R=loopback_routes T=remote_smtp defer (-44) H=127.0.10.3 [127.0.10.3]: SMTP error from remote mail server after RCPT TO:<user@rcpt450.test>: 450 4.2.1 The user you are trying to contact is receiving mail too quickly, try again later",
    "2026-11-27 21:10:46 1xX3DS-00053e-1K <= sender@sender.test H=localhost (mail.client.test) [127.0.0.1] P=esmtp S=530 id=ex-out-data-554.1795813846@client.test",
    "2026-11-27 21:10:46 1xX3DS-00053e-1K ** user@data554.test R=loopback_routes T=remote_smtp H=127.0.10.4 [127.0.10.4]: SMTP error from remote mail server after DATA: 554 5.7.1 Service unavailable; sending host blocked by policy",
    "2026-11-27 21:10:46 1xX3DS-00053i-1W <= <> R=1xX3DS-00053e-1K U=Debian-exim P=local S=2023",
    "2026-11-27 21:10:46 1xX3DS-00053e-1K Completed",
    "2026-11-27 21:10:46 1xX3DS-00053i-1W => sender@sender.test R=loopback_routes T=remote_smtp H=127.0.10.1 [127.0.10.1] C=\"250 2.0.0 Ok\"",
    "2026-11-27 21:10:46 1xX3DS-00053i-1W Completed",
    "2026-11-27 21:10:46 1xX3DS-00053t-2J <= sender@sender.test H=localhost (mail.client.test) [127.0.0.1] P=esmtp S=525 id=ex-out-expired.1795813846@client.test",
    "2026-11-27 21:10:46 1xX3DS-00053t-2J == user@expire.test R=loopback_routes T=remote_smtp defer (-44) H=127.0.10.6 [127.0.10.6]: SMTP error from remote mail server after RCPT TO:<user@expire.test>: 451 4.3.0 Mail server temporarily rejected message",
    "2026-11-27 21:10:50 1xX3DS-00053t-2J == user@expire.test R=loopback_routes T=remote_smtp defer (-44) H=127.0.10.6 [127.0.10.6]: SMTP error from remote mail server after RCPT TO:<user@expire.test>: 451 4.3.0 Mail server temporarily rejected message",
    "2026-11-27 21:10:50 1xX3DS-00053t-2J ** user@expire.test: retry timeout exceeded",
    "2026-11-27 21:10:51 1xX3DX-000545-01 <= <> R=1xX3DS-00053t-2J U=Debian-exim P=local S=2061",
    "2026-11-27 21:10:51 1xX3DS-00053t-2J Completed",
    "2026-11-27 21:10:51 1xX3DX-000545-01 => sender@sender.test R=loopback_routes T=remote_smtp H=127.0.10.1 [127.0.10.1] C=\"250 2.0.0 Ok\"",
    "2026-11-27 21:10:51 1xX3DX-000545-01 Completed",
};

static const char *const mainlog_full[] = {
    "2026-11-27 18:48:05.945 [6162] exim 4.96 daemon started: pid=6162, -q10s, listening for SMTP on [127.0.0.1]:2525",
    "2026-11-27 18:52:16.019 [6759] Start queue run: pid=6759",
    "2026-11-27 18:52:16.020 [6759] End queue run: pid=6759",
    "2026-11-27 18:52:25.430 [6162] SMTP connection from [127.0.0.1]:59783 I=[127.0.0.1]:2525 (TCP/IP connection count = 1)",
    "2026-11-27 18:52:25.495 [6763] H=(mx.smtpdx.test) [127.0.0.1]:59783 I=[127.0.0.1]:2525 X=TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256 CV=no F=<alice@smtpdx.test> rejected RCPT <nosuchuser@exim.test>: Unrouteable address",
    "2026-11-27 18:52:25.496 [6763] SMTP connection from (mx.smtpdx.test) [127.0.0.1]:59783 I=[127.0.0.1]:2525 closed by QUIT",
    "2026-11-27 18:52:42.259 [6162] SMTP connection from [127.0.2.104]:54007 I=[127.0.0.1]:2525 (TCP/IP connection count = 1)",
    "2026-11-27 18:52:42.261 [6784] no host name found for IP address 127.0.2.104",
    "2026-11-27 18:52:42.261 [6784] rejected MAIL FROM:<sender@client-b.test> H=(mail.client-a.test) [127.0.2.104]:54007 I=[127.0.0.1]:2525: message too big: size=5242880 max=204800",
    "2026-11-27 18:52:42.261 [6784] SMTP connection from (mail.client-a.test) [127.0.2.104]:54007 I=[127.0.0.1]:2525 closed by QUIT",
    "2026-11-27 18:52:43.973 [6162] SMTP connection from [127.0.2.5]:33575 I=[127.0.0.1]:2525 (TCP/IP connection count = 1)",
    "2026-11-27 18:52:43.984 [6785] 1xX13r-0001lR-39 rejected from <sender@client-b.test> H=smtp-5.client-b.test [127.0.2.5]:33575: message too big: read=260333 max=204800",
    "2026-11-27 18:52:43.984 [6785] SMTP connection from smtp-5.client-b.test [127.0.2.5]:33575 I=[127.0.0.1]:2525 closed by QUIT",
    "2026-11-27 18:52:50.937 [6791] SMTP connection from (mail.client-a.test) [127.0.2.108]:51287 I=[127.0.0.1]:2525 closed by QUIT",
    "2026-11-27 18:52:52.729 [6162] SMTP connection from [127.0.2.9]:43215 I=[127.0.0.1]:2525 (TCP/IP connection count = 1)",
    "2026-11-27 18:52:52.732 [6793] rejected EHLO from smtp-9.client-b.test [127.0.2.9]:43215 I=[127.0.0.1]:2525: syntactically invalid argument(s): bad_helo!host",
    "2026-11-27 18:52:52.732 [6793] rejected HELO from smtp-9.client-b.test [127.0.2.9]:43215 I=[127.0.0.1]:2525: syntactically invalid argument(s): bad_helo!host",
    "2026-11-27 18:52:52.732 [6793] SMTP connection from smtp-9.client-b.test [127.0.2.9]:43215 I=[127.0.0.1]:2525 closed by QUIT",
    "2026-11-27 18:52:52.933 [6793] no MAIL in SMTP connection from smtp-9.client-b.test [127.0.2.9]:43215 I=[127.0.0.1]:2525 D=0.201s C=EHLO,HELO,QUIT",
    "2026-11-27 18:53:57.756 [6162] SMTP connection from [127.0.2.32]:42873 I=[127.0.0.1]:2525 (TCP/IP connection count = 1)",
    "2026-11-27 18:53:57.759 [6853] unqualified verify rejected: <alice> H=smtp-32.client-b.test [127.0.2.32]:42873 I=[127.0.0.1]:2525",
    "2026-11-27 18:53:57.760 [6853] H=smtp-32.client-b.test [127.0.2.32]:42873 I=[127.0.0.1]:2525 rejected VRFY alice@exim.test: VRFY disabled",
    "2026-11-27 18:53:57.760 [6853] H=smtp-32.client-b.test [127.0.2.32]:42873 I=[127.0.0.1]:2525 rejected EXPN team",
    "2026-11-27 18:53:57.760 [6853] SMTP connection from smtp-32.client-b.test [127.0.2.32]:42873 I=[127.0.0.1]:2525 closed by QUIT",
    "2026-11-27 18:53:57.960 [6853] no MAIL in SMTP connection from smtp-32.client-b.test [127.0.2.32]:42873 I=[127.0.0.1]:2525 D=0.202s C=EHLO,VRFY,VRFY,EXPN,QUIT",
    "2026-11-27 18:54:03.108 [6860] 1xX159-0001me-0C <= sender@client-b.test H=smtp-35.client-b.test [127.0.2.35]:55593 I=[127.0.0.1]:2525 P=esmtp S=8511 id=ex-local-quota.805642965@smtp-35.client-b.test T=\"test Fri, 27 Nov 2026 18:54:03 +0000\" for fulluser@exim.test",
    "2026-11-27 18:54:03.110 [6860] SMTP connection from smtp-35.client-b.test [127.0.2.35]:55593 I=[127.0.0.1]:2525 closed by QUIT",
    "2026-11-27 18:54:03.122 [6861] 1xX159-0001me-0C == fulluser@exim.test R=localuser T=maildir_delivery defer (-22) DT=0.002s: mailbox is full (MTA-imposed quota exceeded while writing to tmp/1795805643.M120924P6862.exim.smtpdx.test)",
    "2026-11-27 18:54:03.124 [6861] 1xX159-0001me-0C ** fulluser@exim.test: retry timeout exceeded",
    "2026-11-27 18:54:03.136 [6864] 1xX159-0001mi-0Q <= <> R=1xX159-0001me-0C U=Debian-exim P=local S=1878 T=\"Mail delivery failed: returning message to sender\" for sender@client-b.test",
    "2026-11-27 18:54:03.139 [6861] 1xX159-0001me-0C Completed",
    "2026-11-27 18:54:03.154 [6865] 1xX159-0001mi-0Q => sender@client-b.test F=<> P=<> R=loopback_routes T=remote_smtp S=1937 H=127.0.10.25 [127.0.10.25]:25 I=[127.0.0.1]:57529 C=\"250 2.0.0 Ok: queued as 0D568AFBFB\" QT=0.018s DT=0.007s",
    "2026-11-27 18:54:03.155 [6865] 1xX159-0001mi-0Q Completed",
    "2026-11-27 18:54:04.827 [6162] SMTP connection from [127.0.0.1]:50403 I=[127.0.0.1]:2525 (TCP/IP connection count = 1)",
    "2026-11-27 18:54:04.834 [6868] 1xX15A-0001mm-2g <= alice@exim.test H=(localhost) [127.0.0.1]:50403 I=[127.0.0.1]:2525 P=esmtp S=530 id=ex-out-user-unknown.805644832@client.test T=\"smtpdx test ex-out-user-unknown\" for user-unknown@remote.test",
    "2026-11-27 18:54:04.836 [6868] SMTP connection from (localhost) [127.0.0.1]:50403 I=[127.0.0.1]:2525 closed by QUIT",
    "2026-11-27 18:54:04.851 [6869] 1xX15A-0001mm-2g ** user-unknown@remote.test F=<alice@exim.test> P=<alice@exim.test> R=loopback_routes T=remote_smtp H=127.0.10.25 [127.0.10.25]:25 I=[127.0.0.1]:48727: SMTP error from remote mail server after RCPT TO:<user-unknown@remote.test>: 550 5.1.1 <user-unknown@remote.test>: Recipient address rejected: User unknown in virtual mailbox table DT=0.000s",
    "2026-11-27 18:54:04.862 [6872] 1xX15A-0001mq-2m <= <> R=1xX15A-0001mm-2g U=Debian-exim P=local S=2159 T=\"Mail delivery failed: returning message to sender\" for alice@exim.test",
    "2026-11-27 18:54:06.029 [6877] End queue run: pid=6877",
    "2026-11-27 18:54:07.546 [6162] SMTP connection from [127.0.0.1]:46909 I=[127.0.0.1]:2525 (TCP/IP connection count = 1)",
    "2026-11-27 18:54:07.552 [6879] 1xX15D-0001mx-1m <= alice@exim.test H=(localhost) [127.0.0.1]:46909 I=[127.0.0.1]:2525 P=esmtp S=572 id=ex-out-gmail-style-unknown.805647550@client.test T=\"smtpdx test ex-out-gmail-style-unknown\" for gmail-style-unknown@remote.test",
    "2026-11-27 18:54:07.553 [6879] SMTP connection from (localhost) [127.0.0.1]:46909 I=[127.0.0.1]:2525 closed by QUIT",
    "2026-11-27 18:54:07.562 [6880] 1xX15D-0001mx-1m ** gmail-style-unknown@remote.test F=<alice@exim.test> P=<alice@exim.test> R=loopback_routes T=remote_smtp H=127.0.10.25 [127.0.10.25]:25 I=[127.0.0.1]:54679: SMTP error from remote mail server after RCPT TO:<gmail-style-unknown@remote.test>: 550-5.1.1 The email account that you tried to reach does not exist. Please try\\n550-5.1.1 double-checking the recipient's email address for typos or\\n550-5.1.1 unnecessary spaces. For more information, go to\\n550 5.1.1  https://support.example.test/mail/?p=NoSuchUser q1-20020a05B953C82F1D.7 - gsmtp DT=0.000s",
    "2026-11-27 18:54:07.571 [6883] 1xX15D-0001n1-1p <= <> R=1xX15D-0001mx-1m U=Debian-exim P=local S=2633 T=\"Mail delivery failed: returning message to sender\" for alice@exim.test",
    "2026-11-27 18:54:07.574 [6880] 1xX15D-0001mx-1m Completed",
    "2026-11-27 18:54:32.927 [6972] 1xX15c-0001oR-2w == greylist@remote.test R=loopback_routes T=remote_smtp defer (-54) DT=0.000s: retry time not reached for any host for 'remote.test'",
    "2026-11-27 18:54:34.627 [6162] SMTP connection from [127.0.0.1]:56115 I=[127.0.0.1]:2525 (TCP/IP connection count = 1)",
    "2026-11-27 18:54:34.634 [6975] 1xX15e-0001oV-22 <= alice@exim.test H=(localhost) [127.0.0.1]:56115 I=[127.0.0.1]:2525 P=esmtp S=522 id=ex-out-conn-refused.805674632@client.test T=\"smtpdx test ex-out-conn-refused\" for someone@refused.test",
    "2026-11-27 18:54:34.635 [6975] SMTP connection from (localhost) [127.0.0.1]:56115 I=[127.0.0.1]:2525 closed by QUIT",
    "2026-11-27 18:54:34.645 [6977] 1xX15e-0001oV-22 H=127.0.10.26 [127.0.10.26]:25 Connection refused",
    "2026-11-27 18:54:34.648 [6976] 1xX15e-0001oV-22 == someone@refused.test R=loopback_routes T=remote_smtp defer (111): Connection refused DT=0.000s",
    "2026-11-27 18:54:36.033 [6979] Start queue run: pid=6979",
    "2026-11-27 18:54:36.057 [6981] 1xX15e-0001oV-22 == someone@refused.test R=loopback_routes T=remote_smtp defer (-54) DT=0.000s: retry time not reached for any host for 'refused.test'",
    "2026-11-27 18:54:36.060 [6983] 1xX15b-0001oN-0b == drop-eod@remote.test R=loopback_routes T=remote_smtp defer (-54) DT=0.000s: retry time not reached for any host for 'remote.test'",
    "2026-11-27 18:54:43.022 [7012] 1xX15n-0001p6-04 <= alice@exim.test H=(localhost) [127.0.0.1]:47589 I=[127.0.0.1]:2525 P=esmtp S=508 id=ex-out-nxdomain.805683020@client.test T=\"smtpdx test ex-out-nxdomain\" for someone@nxdomain.test",
    "2026-11-27 18:54:43.023 [7012] SMTP connection from (localhost) [127.0.0.1]:47589 I=[127.0.0.1]:2525 closed by QUIT",
    "2026-11-27 18:54:43.033 [7013] 1xX15n-0001p6-04 ** someone@nxdomain.test F=<alice@exim.test>: Unrouteable address DT=0.000s",
    "2026-11-27 18:54:43.046 [7015] 1xX15n-0001p9-08 <= <> R=1xX15n-0001p6-04 U=Debian-exim P=local S=1759 T=\"Mail delivery failed: returning message to sender\" for alice@exim.test",
};

/* the harness's scenarios: ACL refusals (codes are Exim's defaults: deny
 * 550, defer 451), bounces, deferrals and an expiry */
static void test_exim_short(void **state)
{
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    static const struct want want[] = {
        { 10, "inbound", "rejected", "connect", "550", "", "", "", "", "127.0.3.1", "" },
        { 12, "inbound", "rejected", "helo", "550", "", "", "", "", "127.0.3.2", "" },
        { 13, "inbound", "rejected", "helo", "550", "", "", "", "", "127.0.3.2", "" },
        { 15, "inbound", "rejected", "mail", "550", "", "spammer@client.test", "", "", "127.0.3.3", "" },
        { 17, "inbound", "rejected", "rcpt", "550", "", "sender@client.test", "nosuchuser@exim.test", "",
          "127.0.3.4", "" },
        { 19, "inbound", "rejected", "rcpt", "550", "", "sender@client.test", "someone@elsewhere.test", "",
          "127.0.3.5", "" },
        { 21, "inbound", "rejected", "rcpt", "451", "", "sender@client.test", "greylist@exim.test", "",
          "127.0.3.6", "" },
        /* the DATA ACL: the message has its id; the mainlog names no recipient */
        { 23, "inbound", "rejected", "end-of-data", "550", "", "sender@client.test", "", "1xX3DR-000539-1U",
          "127.0.3.7", "" },
        { 25, "outbound", "bounced", "rcpt", "550", "5.1.1", "sender@sender.test", "user@rcpt550.test",
          "1xX3DR-00053E-2W", "127.0.0.1", "127.0.10.2" },
        { 31, "outbound", "deferred", "rcpt", "450", "4.2.1", "sender@sender.test", "user@rcpt450.test",
          "1xX3DS-00053T-0L", "127.0.0.1", "127.0.10.3" },
        { 33, "outbound", "bounced", "data", "554", "5.7.1", "sender@sender.test", "user@data554.test",
          "1xX3DS-00053e-1K", "127.0.0.1", "127.0.10.4" },
        { 39, "outbound", "deferred", "rcpt", "451", "4.3.0", "sender@sender.test", "user@expire.test",
          "1xX3DS-00053t-2J", "127.0.0.1", "127.0.10.6" },
        { 40, "outbound", "deferred", "rcpt", "451", "4.3.0", "sender@sender.test", "user@expire.test",
          "1xX3DS-00053t-2J", "127.0.0.1", "127.0.10.6" },
        /* "retry timeout exceeded": the last deferral's reply */
        { 41, "outbound", "expired", "rcpt", "451", "4.3.0", "sender@sender.test", "user@expire.test",
          "1xX3DS-00053t-2J", "127.0.0.1", "127.0.10.6" },
    };

    (void)state;
    feed(mainlog_short, sizeof(mainlog_short) / sizeof(mainlog_short[0]), "mainlog", &c, &st);
    check(&c, want, sizeof(want) / sizeof(want[0]), "exim");
    /* what the message and the connection told before */
    assert_string_equal(c.ev[8].message_id, "ex-out-rcpt-550.1795813845@client.test");
    assert_int_equal(c.ev[8].size, 530);
    assert_string_equal(c.ev[8].helo, "mail.client.test");
    assert_string_equal(c.ev[1].helo, "workstation42");
    assert_true(c.ev[1].nstory >= 2);          /* "no host name found ..." first */
    assert_true(c.ev[13].nstory >= 3);         /* arrival, deferrals, expiry */
    assert_int_equal(st.events, 14);
    assert_int_equal(st.delivered, 5);
}

/* the scripted run's log: pids, ports, TLS fields, F= on deliveries, local
 * deliveries, routing failures, non-ACL refusals with their fixed codes */
static void test_exim_full(void **state)
{
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    static const struct want want[] = {
        { 5, "inbound", "rejected", "rcpt", "550", "", "alice@smtpdx.test", "nosuchuser@exim.test", "",
          "127.0.0.1", "" },
        /* smtp_in.c: SIZE= over message_size_limit, 552 */
        { 9, "inbound", "rejected", "mail", "552", "", "sender@client-b.test", "", "", "127.0.2.104", "" },
        /* receive.c: the data outgrew the limit, 552 after the message */
        { 12, "inbound", "rejected", "end-of-data", "552", "", "sender@client-b.test", "", "1xX13r-0001lR-39",
          "127.0.2.5", "" },
        /* syntactically invalid HELO argument, 501 */
        { 16, "inbound", "rejected", "helo", "501", "", "", "", "", "127.0.2.9", "" },
        { 17, "inbound", "rejected", "helo", "501", "", "", "", "", "127.0.2.9", "" },
        /* VRFY without a domain is refused 501 (ex-in-vrfy); VRFY (line 22)
         * is answered 252: no event; EXPN is a refusal */
        { 21, "inbound", "rejected", "other", "501", "", "", "alice", "", "127.0.2.32", "" },
        { 23, "inbound", "rejected", "other", "550", "", "", "", "", "127.0.2.32", "" },
        /* a local delivery deferred, then given up on */
        { 28, "local", "deferred", "unknown", "0", "", "sender@client-b.test", "fulluser@exim.test",
          "1xX159-0001me-0C", "127.0.2.35", "" },
        { 29, "local", "expired", "unknown", "0", "", "sender@client-b.test", "fulluser@exim.test",
          "1xX159-0001me-0C", "127.0.2.35", "" },
        { 37, "outbound", "bounced", "rcpt", "550", "5.1.1", "alice@exim.test", "user-unknown@remote.test",
          "1xX15A-0001mm-2g", "127.0.0.1", "127.0.10.25" },
        /* a multi-line reply, Exim's literal "\n" between its lines */
        { 43, "outbound", "bounced", "rcpt", "550", "5.1.1", "alice@exim.test",
          "gmail-style-unknown@remote.test", "1xX15D-0001mx-1m", "127.0.0.1", "127.0.10.25" },
        /* no reply: the connection was refused (the "retry time not reached"
         * lines after it are no attempt and give no event) */
        { 51, "outbound", "deferred", "unknown", "0", "", "alice@exim.test", "someone@refused.test",
          "1xX15e-0001oV-22", "127.0.0.1", "" },
        /* a routing failure: no transport, no host */
        { 57, "local", "bounced", "unknown", "0", "", "alice@exim.test", "someone@nxdomain.test",
          "1xX15n-0001p6-04", "127.0.0.1", "" },
    };

    (void)state;
    feed(mainlog_full, sizeof(mainlog_full) / sizeof(mainlog_full[0]), "mainlog", &c, &st);
    check(&c, want, sizeof(want) / sizeof(want[0]), "exim");
    assert_true(c.ev[1].nstory >= 2);          /* "no host name found" of the same process */
    assert_string_equal(c.ev[1].helo, "mail.client-a.test");
    assert_string_equal(c.ev[9].message_id, "ex-out-user-unknown.805644832@client.test");
    assert_int_equal(c.ev[9].size, 530);
    assert_int_equal(c.ev[7].size, 8511);
}

/* an ACL message that carries its own code is sent with it; syslog framing
 * with program exim4; the 23-character ids of Exim 4.97 */
static void test_exim_variants(void **state)
{
    static const char *const lines[] = {
        "Nov 27 18:53:07 mx exim4[6812]: H=(mail.client-a.test) [127.0.0.2] F=<s@client.test> rejected RCPT <a@exim.test>: 554 5.7.1 listed at rbl.test",
        "Nov 27 18:54:03 mx exim4[6860]: 1rZ3Wd-00000000Ghs-0Aua <= s@exim.test H=(localhost) [127.0.0.1] P=esmtp S=612 id=x@y",
        "Nov 27 18:54:04 mx exim4[6861]: 1rZ3Wd-00000000Ghs-0Aua ** a@remote.test <A@remote.test> R=dnslookup T=remote_smtp H=mx.remote.test [192.0.2.1]: SMTP error from remote mail server after end of data: 552 5.3.4 Message too big",
        "Nov 27 18:54:04 mx exim4[6861]: 1rZ3Wd-00000000Ghs-0Aua Completed",
    };
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    static const struct want want[] = {
        { 1, "inbound", "rejected", "rcpt", "554", "5.7.1", "s@client.test", "a@exim.test", "", "127.0.0.2", "" },
        { 3, "outbound", "bounced", "end-of-data", "552", "5.3.4", "s@exim.test", "a@remote.test",
          "1rZ3Wd-00000000Ghs-0Aua", "127.0.0.1", "192.0.2.1" },
    };

    (void)state;
    feed(lines, sizeof(lines) / sizeof(lines[0]), "mainlog", &c, &st);
    check(&c, want, sizeof(want) / sizeof(want[0]), "exim");
    assert_int_equal(c.ev[1].size, 612);
}

/* refusals Exim logs in its own words: the reply Exim sends is supplied
 * (lines from ../shared/mta-samples/exim/loglines: ex-in-bad-sequence,
 * ex-in-unknown-commands, ex-in-syntax-errors, ex-in-pipelining-sync,
 * ex-in-too-many-rcpts, ex-in-conn-limit, ex-in-auth-fail, ex-in-idle-timeout) */
static void test_exim_notices(void **state)
{
    static const char *const lines[] = {
        "2026-11-27 18:52:47.704 [6789] SMTP protocol error in \"RCPT TO:<alice@exim.test>\" H=smtp-6.client-b.test [127.0.2.6]:34579 I=[127.0.0.1]:2525 sender not yet given",
        "2026-11-27 18:52:49.420 [6790] SMTP syntax error in \"XYZZY\" H=smtp-7.client-b.test [127.0.2.7]:52037 I=[127.0.0.1]:2525 unrecognized command",
        "2026-11-27 18:52:50.937 [6791] SMTP syntax error in \"MAIL FROM:<sender with spaces@client-b.test>\" H=(mail.client-a.test) [127.0.2.108]:51287 I=[127.0.0.1]:2525 \"@\" or \".\" expected after \"sender\"",
        "2026-11-27 18:53:27.654 [6838] SMTP protocol synchronization error (next input sent too soon: pipelining was not advertised): rejected \"MAIL FROM:<sender@client-b.test>\" H=smtp-26.client-b.test [127.0.2.26]:48191 I=[127.0.0.1]:2525 next input=\"RCPT TO:<alice@exim.test>\\r\\n\"",
        "2026-11-27 18:53:29.185 [6839] too many recipients: message rejected: sender=<sender@client-b.test> H=smtp-27.client-b.test [127.0.2.27]:36577 I=[127.0.0.1]:2525",
        "2026-11-27 18:53:30.908 [6162] Connection from [127.0.2.128]:46321 I=[127.0.0.1]:2525 refused: too many connections from that IP address",
        "2026-11-27 18:53:33.028 [6843] plain_server authenticator failed for smtp-29.client-b.test [127.0.2.29]:33523 I=[127.0.0.1]:2525: 535 Incorrect authentication data (set_id=alice)",
        "2026-11-27 18:53:54.743 [6844] SMTP command timeout on connection from smtp-31.client-b.test [127.0.2.31]:45823 I=[127.0.0.1]:2525",
    };
    static const struct want want[] = {
        { 1, "inbound", "rejected", "rcpt", "503", "", "", "", "", "127.0.2.6", "" },
        { 2, "inbound", "rejected", "other", "500", "", "", "", "", "127.0.2.7", "" },
        { 3, "inbound", "rejected", "mail", "501", "", "", "", "", "127.0.2.108", "" },
        { 4, "inbound", "rejected", "mail", "554", "", "", "", "", "127.0.2.26", "" },
        { 5, "inbound", "rejected", "rcpt", "552", "", "sender@client-b.test", "", "", "127.0.2.27", "" },
        { 6, "inbound", "rejected", "connect", "421", "", "", "", "", "127.0.2.128", "" },
        { 7, "inbound", "rejected", "auth", "535", "", "", "", "", "127.0.2.29", "" },
        { 8, "inbound", "rejected", "other", "421", "", "", "", "", "127.0.2.31", "" },
    };
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;

    (void)state;
    feed(lines, sizeof(lines) / sizeof(lines[0]), "mainlog", &c, &st);
    check(&c, want, sizeof(want) / sizeof(want[0]), "exim");
    assert_string_equal(c.ev[2].helo, "mail.client-a.test");
}

/* "unqualified verify rejected" (ex-in-vrfy): the 501 Exim sent */
static void test_exim_unqualified(void **state)
{
    static const char *const lines[] = {
        "2026-11-27 18:53:57.759 [6853] unqualified verify rejected: <alice> H=smtp-32.client-b.test [127.0.2.32]:42873 I=[127.0.0.1]:2525",
        "2026-11-27 18:53:58.001 [6854] unqualified sender rejected: <bob> H=smtp-33.client-b.test [127.0.2.33]:42874 I=[127.0.0.1]:2525",
    };
    static const struct want want[] = {
        { 1, "inbound", "rejected", "other", "501", "", "", "alice", "", "127.0.2.32", "" },
        { 2, "inbound", "rejected", "mail", "501", "", "bob", "", "", "127.0.2.33", "" },
    };
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;

    (void)state;
    feed(lines, sizeof(lines) / sizeof(lines[0]), "mainlog", &c, &st);
    check(&c, want, sizeof(want) / sizeof(want[0]), "exim");
    assert_string_equal(c.ev[0].text, "alice: recipient address must contain a domain");
    assert_string_equal(c.ev[0].from, "reconstructed");
    assert_string_equal(c.ev[1].text, "bob: sender address must contain a domain");
}

/* read_two - the mainlog and the rejectlog (../shared/mta-samples/exim/logs,
 * cut), in the order given; the rejectlog's envelope and header lines are
 * framed as Exim's details, not as unknown lines */
static void read_two(const char *const *a, size_t na, const char *sa, const char *const *b, size_t nb,
                     const char *sb, struct collect *c, struct sdx_logs_stats *st, struct sdx_syslog *sl)
{
    struct sdx_logs *l;
    size_t i;

    assert_int_equal(sdx_logs_new(&l), 0);
    sdx_syslog_init(sl, 2026, 0);
    for (i = 0; i < na + nb; i++) {
        const char *line = i < na ? a[i] : b[i - na];
        struct sdx_logline ll;

        if (sdx_syslog_parse(sl, line, strlen(line), &ll) == 0)
            assert_int_equal(sdx_logs_line(l, &ll, i < na ? sa : sb, i + 1, on_event, c), 0);
    }
    sdx_logs_stats(l, st);
    sdx_logs_free(l);
    sdx_syslog_release(sl);
}

static void test_exim_rejectlog(void **state)
{
    static const char *const mainlog[] = {
        "2026-11-27 18:53:57.760 [6853] H=smtp-32.client-b.test [127.0.2.32]:42873 I=[127.0.0.1]:2525 rejected EXPN team",
        "2026-11-27 18:53:19.402 [6830] 1xX14R-0001mA-1V H=smtp-18.client-b.test [127.0.2.18]:58093 I=[127.0.0.1]:2525 F=<sender@client-b.test> rejected after DATA: spam subject",
        "2026-11-27 18:53:20.000 [6831] H=smtp-19.client-b.test [127.0.2.19]:58094 I=[127.0.0.1]:2525 F=<sender@client-b.test> rejected RCPT <nobody@exim.test>: Unrouteable address",
    };
    static const char *const rejectlog[] = {
        "2026-11-27 18:53:57.760 [6853] H=smtp-32.client-b.test [127.0.2.32]:42873 I=[127.0.0.1]:2525 rejected EXPN team",
        "2026-11-27 18:53:19.402 [6830] 1xX14R-0001mA-1V H=smtp-18.client-b.test [127.0.2.18]:58093 I=[127.0.0.1]:2525 F=<sender@client-b.test> rejected after DATA: spam subject",
        "Envelope-from: <sender@client-b.test>",
        "Envelope-to: <alice@exim.test>",
        "P Received: from smtp-18.client-b.test ([127.0.2.18]:58093)",
        "\tby exim.smtpdx.test with esmtp (Exim 4.96)",
        "  Date: Fri, 27 Nov 2026 18:53:19 +0000",
        "T To: alice@exim.test",
        "F From: sender@client-b.test",
        "  Subject: cheap viagra online",
        "this line is in no format at all",
    };
    const size_t nm = sizeof(mainlog) / sizeof(mainlog[0]), nr = sizeof(rejectlog) / sizeof(rejectlog[0]);
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    struct sdx_syslog sl;

    (void)state;
    read_two(mainlog, nm, "/var/log/exim4/mainlog", rejectlog, nr, "/var/log/exim4/rejectlog", &c, &st, &sl);
    assert_int_equal(c.n, 3);
    assert_int_equal(st.duplicates, 2);
    assert_int_equal(sl.details, 8);
    assert_int_equal(sl.unparsed, 1);       /* the last line: not a detail */
    /* the other order: the mainlog's copies are the duplicates */
    c.n = 0;
    read_two(rejectlog, nr, "rejectlog.1", mainlog, nm, "mainlog.1", &c, &st, &sl);
    assert_int_equal(c.n, 3);
    assert_int_equal(st.duplicates, 2);
    /* read alone, each gives all its events */
    c.n = 0;
    read_two(rejectlog, nr, "exim-rejectlog", NULL, 0, NULL, &c, &st, &sl);
    assert_int_equal(c.n, 2);
    assert_int_equal(st.duplicates, 0);
}

/* garbage and cut lines: counted, never a crash; other programs left alone */
static void test_exim_garbage(void **state)
{
    struct collect c = { .n = 0 };
    struct sdx_logs_stats st;
    static const char *const junk[] = {
        "2026-11-27 18:48:05 frobnicated the flux capacitor",
        "2026-11-27 18:48:05 H=",
        "2026-11-27 18:48:05 H=(x",
        "2026-11-27 18:48:05 H=[1.2.3.4 rejected ",
        "2026-11-27 18:48:05 rejected ",
        "2026-11-27 18:48:05 H=x [1.2.3.4] rejected RCPT <",
        "2026-11-27 18:48:05 H=x [1.2.3.4] temporarily rejected EHLO or HELO ",
        "2026-11-27 18:48:05 1xX15A-0001mm-2g ** ",
        "2026-11-27 18:48:05 1xX15A-0001mm-2g == a@b R=",
        "2026-11-27 18:48:05 1xX15A-0001mm-2g ** a@b <",
        "2026-11-27 18:48:05 1xX15A-0001mm-2g ** a@b: retry timeout exceeded",
        "2026-11-27 18:48:05 1xX15A-0001mm-2g <= ",
        "2026-11-27 18:48:05 1xX15A-0001mm-2g <= <> H=(",
        "2026-11-27 18:48:05 1xX15A-0001mm-2g mystery",
        "Nov 27 18:48:11 mx eximstats[1]: not Exim's log",
    };
    (void)state;
    feed_any(junk, sizeof(junk) / sizeof(junk[0]), "junk", &c, &st);
    assert_true(st.unparsed >= 2);
    assert_int_equal(st.mta_lines, sizeof(junk) / sizeof(junk[0]) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exim_short),
        cmocka_unit_test(test_exim_full),
        cmocka_unit_test(test_exim_variants),
        cmocka_unit_test(test_exim_notices),
        cmocka_unit_test(test_exim_unqualified),
        cmocka_unit_test(test_exim_rejectlog),
        cmocka_unit_test(test_exim_garbage),
    };
    return cmocka_run_group_tests_name("unit.exim", tests, NULL, NULL);
}
