#!/usr/bin/env bash
# harness.sh - integration harness: real Postfix, Exim and Sendmail on loopback
#
#   harness.sh setup|start|run|stop|all WORKDIR
#
# setup  install what is missing (postfix, swaks, dnsmasq-base; Exim's and
#        Sendmail's .debs unpacked with dpkg -x under /opt/smtpdx-it), create the network
#        namespace (loopback only) and write private configs under WORKDIR
# start  start, inside the namespace: dnsmasq (the .test zone), six smtp-sink
#        "remote" servers, Postfix (postfix -c WORKDIR/postfix/etc) and Exim
#        (exim -C WORKDIR/exim/exim.conf) and Sendmail (sendmail -C
#        WORKDIR/sendmail/sendmail.cf -bd, with a private /dev/log: below)
# run    drive every scenario, check that each one happened, and write
#        WORKDIR/expected.tsv (and accepted.tsv: messages delivered normally)
# stop   stop every server started here (by pid), remove the namespace
# all    setup, start, run, stop (stop also on error or interrupt)
#
# Logs for `smtpdx logs`: WORKDIR/postfix.log (Postfix maillog_file, written by
# postlogd; no syslog daemon) and WORKDIR/exim-main.log (a link to Exim's
# mainlog, WORKDIR/exim/log/mainlog) and WORKDIR/sendmail.log (Sendmail logs
# only through syslog(3): it runs in a mount namespace of its own whose /dev
# is a small tmpfs with /dev/log bound by tests/integration/syslogd.py, which
# writes each message as rsyslog would; nothing touches the machine's /dev).
# Client transcripts: WORKDIR/transcripts/<scenario>.txt.
#
# Everything runs inside a network namespace with only "lo" (127.0.0.0/8), so
# nothing started here can reach or be reached from another address.  The
# machine's own mail configuration is not used or changed: Postfix and Exim run
# with config, queue and logs under WORKDIR.  Needs root; exits 77 (skipped)
# saying why when it cannot run (STYLE.md section 9).
#
# Layout and approach copied in part from ../shared/mta-samples (generate.sh,
# configs/), written for this project: namespace with a local dnsmasq,
# Exim unpacked next to the postfix package, smtp-sink as a refusing remote.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$HERE/$(basename "${BASH_SOURCE[0]}")
OPT=/opt/smtpdx-it                      # unpacked Exim lives here
EXIM=$OPT/exim4/usr/sbin/exim4
SM=$OPT/sendmail/usr/libexec/sendmail/sendmail   # unpacked Sendmail

# listeners inside the namespace
PF_PORT=25          # Postfix smtpd, default smtpd_delay_reject=yes
PF_EARLY_PORT=2525  # Postfix smtpd with smtpd_delay_reject=no (syslog_name postfix/early)
PF_SMTPS_PORT=465   # Postfix smtpd with TLS from the first byte (postfix/smtps)
EX_PORT=2526        # Exim
DNSSEC_PORT=5353    # NSD with the signed dane.test (dnssec_zone.sh)
EX_AUTH_PASS=correct-horse-battery  # Exim's AUTH password for alice (probe tests)
SM_PORT=2527        # Sendmail
# smtp-sink "remote servers": address, reply, what they refuse
SINK_OK=127.0.10.1          # accepts everything (DSNs, local mail)
SINK_RCPT550=127.0.10.2     # 550 5.1.1 at RCPT
SINK_RCPT450=127.0.10.3     # 450 4.2.1 at RCPT
SINK_DATA554=127.0.10.4     # 554 5.7.1 at DATA
SINK_EOD554=127.0.10.5      # 554 5.7.0 at end of DATA
SINK_RCPT451=127.0.10.6     # 451 4.3.0 at RCPT (used for expiry)
R550='550 5.1.1 The email account that you tried to reach does not exist'
R450='450 4.2.1 The user you are trying to contact is receiving mail too quickly, try again later'
R554D='554 5.7.1 Service unavailable; sending host blocked by policy'
R554E='554 5.7.0 Message content rejected'
R451='451 4.3.0 Mail server temporarily rejected message'

log() { printf '[harness] %s\n' "$*" >&2; }
die() { printf '[harness] error: %s\n' "$*" >&2; exit 1; }
skip() { printf 'SKIPPED: %s\n' "$*"; exit 77; }

usage() { echo "usage: harness.sh setup|start|run|stop|all WORKDIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
CMD=$1
mkdir -p "$2"
W=$(cd "$2" && pwd)
PFCF=$W/postfix/etc
EXCF=$W/exim/exim.conf
SMD=$W/sendmail
SMCF=$SMD/sendmail.cf
RUN=$W/run

ns_name() { cat "$W/netns" 2>/dev/null || true; }
REG=/run/smtpdx-it           # namespaces of "all" runs: name -> WORKDIR

# reap_stale: stop what a killed "all" run left (its pid, in the namespace's
# name, is gone); called with the lock held, so no other "all" is running
reap_stale() {
    local f ns pid
    for f in "$REG"/smtpdx-it-*; do
        [ -e "$f" ] || continue
        ns=$(basename "$f")
        pid=${ns#smtpdx-it-}
        if kill -0 "$pid" 2>/dev/null; then continue; fi
        log "cleaning up after an interrupted run ($ns, $(cat "$f"))"
        if [ -f "$(cat "$f")/netns" ]; then
            bash "$SELF" stop "$(cat "$f")" || true
        elif ip netns list | grep -qw "$ns"; then
            ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
            ip netns del "$ns" || true
            rm -rf "/etc/netns/$ns"
        fi
        rm -f "$f"
    done
}
# (fd 9 is the lock of "all": servers must not inherit it)
nsx() { ip netns exec "$(ns_name)" "$@" 9>&-; }

# ---------------------------------------------------------------- checks
preflight() {
    [ "$(id -u)" = 0 ] || skip "needs root (network namespace, Postfix and Exim daemons)"
    command -v ip >/dev/null 2>&1 || skip "no ip command (iproute2)"
    if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        skip "not a Debian system (needs apt-get and dpkg to install Postfix and Exim)"
    fi
    command -v flock >/dev/null 2>&1 || skip "no flock (util-linux)"
    local probe=smtpdx-it-probe-$$
    if ! ip netns add "$probe" 2>/dev/null; then
        skip "no network namespace support (ip netns add failed)"
    fi
    ip netns del "$probe" 2>/dev/null || true
}

# ---------------------------------------------------------------- install
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

do_install() {
    local want=(postfix swaks dnsmasq-base jq openssl) missing=() p rc_created=
    for p in "${want[@]}"; do installed "$p" || missing+=("$p"); done
    export DEBIAN_FRONTEND=noninteractive
    if [ ${#missing[@]} -gt 0 ] || [ ! -x "$EXIM" ] || [ ! -x "$SM" ]; then
        log "apt-get update"
        apt-get update -qq >/dev/null 2>&1 || skip "apt-get update failed (no package archive reachable)"
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        # never let a package script start a daemon on the machine's network
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
            chmod 755 /usr/sbin/policy-rc.d
            rc_created=1
        fi
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
        log "installing ${missing[*]}"
        if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$W/apt.log" 2>&1; then
            [ -z "$rc_created" ] || rm -f /usr/sbin/policy-rc.d
            skip "cannot install ${missing[*]}: $(tail -n1 "$W/apt.log")"
        fi
        [ -z "$rc_created" ] || rm -f /usr/sbin/policy-rc.d
    fi
    # Exim conflicts with postfix as a Debian package (both provide
    # mail-transport-agent): unpack exim4-daemon-light next to it, install its
    # library dependencies, run it with -C and a private config.
    if [ ! -x "$EXIM" ]; then
        local deps
        deps=$(apt-cache show --no-all-versions exim4-daemon-light | sed -n 's/^Depends: //p' |
               tr ',' '\n' | sed 's/([^)]*)//g; s/|.*//; s/[[:space:]]//g' |
               grep -v -e '^exim4-base$' -e '^debconf' -e '^$' || true)
        [ -n "$deps" ] || skip "exim4-daemon-light not found in the package archive"
        log "installing Exim's libraries: $(tr '\n' ' ' <<<"$deps")"
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $deps >"$W/apt.log" 2>&1 ||
            skip "cannot install Exim's libraries: $(tail -n1 "$W/apt.log")"
        mkdir -p "$OPT/pkgs"
        chmod 755 "$OPT" "$OPT/pkgs"
        (cd "$OPT/pkgs" && rm -f exim4-daemon-light_*.deb &&
            apt-get download exim4-daemon-light >"$W/apt.log" 2>&1) ||
            skip "cannot download exim4-daemon-light: $(tail -n1 "$W/apt.log")"
        rm -rf "$OPT/exim4"
        dpkg -x "$OPT"/pkgs/exim4-daemon-light_*.deb "$OPT/exim4"
    fi
    # Sendmail conflicts with both (mail-transport-agent): the same way
    if [ ! -x "$SM" ]; then
        local smdeps
        smdeps=$(apt-cache show --no-all-versions sendmail-bin sendmail-base sendmail-cf |
                 sed -n 's/^Depends: //p' | tr ',' '\n' | sed 's/([^)]*)//g; s/|.*//; s/[[:space:]]//g' |
                 grep -v -e '^sendmail' -e '^debconf' -e '^adduser$' -e '^perl:any$' -e '^$' | sort -u || true)
        [ -n "$smdeps" ] || skip "sendmail-bin not found in the package archive"
        [ -n "$(apt-cache policy python3 | sed -n 's/^ *Candidate: //p')" ] || skip "no python3 package"
        log "installing Sendmail's libraries and tools: $(tr '\n' ' ' <<<"$smdeps")python3"
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $smdeps python3 >"$W/apt.log" 2>&1 ||
            skip "cannot install Sendmail's libraries: $(tail -n1 "$W/apt.log")"
        mkdir -p "$OPT/pkgs"
        chmod 755 "$OPT" "$OPT/pkgs"
        (cd "$OPT/pkgs" && rm -f sendmail-*.deb &&
            apt-get download sendmail-bin sendmail-base sendmail-cf >"$W/apt.log" 2>&1) ||
            skip "cannot download sendmail-bin: $(tail -n1 "$W/apt.log")"
        rm -rf "$OPT/sendmail"
        for p in "$OPT"/pkgs/sendmail-*.deb; do dpkg -x "$p" "$OPT/sendmail"; done
    fi
    # the Debian Exim binary looks its compiled-in user up before reading any
    # config: create it as exim4-base's postinst would
    if ! id Debian-exim >/dev/null 2>&1; then
        log "creating system user Debian-exim"
        useradd --system -M -d /nonexistent -s /usr/sbin/nologin -U Debian-exim
    fi
}

# ---------------------------------------------------------------- configs
write_postfix_config() {
    mkdir -p "$PFCF" "$W/postfix/spool" "$W/postfix/data" "$W/tls"
    chown postfix: "$W/postfix/data"
    # a self-signed certificate for mx.smtpdx.test and 127.0.0.1, valid 30 days
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/tls/key.pem" -out "$W/tls/cert.pem" -days 30 \
        -subj /CN=mx.smtpdx.test -addext "subjectAltName=DNS:mx.smtpdx.test,IP:127.0.0.1" \
        >"$RUN/openssl.out" 2>&1 || die "openssl req failed: $(cat "$RUN/openssl.out")"
    chmod 600 "$W/tls/key.pem"
    cat > "$PFCF/main.cf" <<EOF
# Postfix main.cf for the smtpdx integration harness (tests/integration/harness.sh).
# Private instance: config, queue, data and log under $W; run with
# "postfix -c $PFCF".  Adapted from ../shared/mta-samples/configs/postfix/main.cf.
compatibility_level = 3.6
config_directory = $PFCF
queue_directory = $W/postfix/spool
data_directory = $W/postfix/data
myhostname = mx.smtpdx.test
mydomain = smtpdx.test
myorigin = \$mydomain
mydestination = \$mydomain, \$myhostname, localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
relayhost =
relay_domains =
# nothing ever leaves loopback: every next hop is an smtp-sink on 127.0.10.x
default_transport = smtp:[$SINK_OK]:25
relay_transport = smtp:[$SINK_OK]:25
local_transport = smtp:[$SINK_OK]:25
transport_maps = texthash:$PFCF/transport
smtp_bind_address = 127.0.0.1
alias_maps =
alias_database =
local_recipient_maps = texthash:$PFCF/local_users
biff = no
append_dot_mydomain = no
# straight to a file through postlogd: no syslog daemon needed
maillog_file = $W/postfix.log
maillog_file_prefixes = $W
message_size_limit = 102400
smtpd_banner = \$myhostname ESMTP Postfix (Debian/GNU)
# STARTTLS offered (not required) with a certificate made for the run
smtpd_tls_cert_file = $W/tls/cert.pem
smtpd_tls_key_file = $W/tls/key.pem
smtpd_tls_security_level = may
smtpd_helo_required = yes
disable_vrfy_command = yes
unknown_address_reject_code = 550
smtpd_client_restrictions =
    check_client_access cidr:$PFCF/client_access.cidr,
    permit
smtpd_helo_restrictions =
    permit_mynetworks,
    reject_invalid_helo_hostname,
    reject_non_fqdn_helo_hostname,
    permit
smtpd_sender_restrictions =
    reject_non_fqdn_sender,
    reject_unknown_sender_domain,
    permit
smtpd_relay_restrictions =
    permit_mynetworks,
    reject_unauth_destination
smtpd_recipient_restrictions =
    check_recipient_access texthash:$PFCF/recipient_access,
    permit
smtpd_data_restrictions =
    reject_multi_recipient_bounce,
    permit
header_checks = regexp:$PFCF/header_checks
# no inflow pause: cleanup(8) waits in_flow_delay (1 s) for a token before
# taking a message when messages arrive faster than they are delivered, and
# the probe tests open many transactions (RCPT, then RSET) that are never
# delivered: with 8 to 80 sessions at once, RCPT replies stalled 1 s
in_flow_delay = 0
# short queue timers; the expiry scenario lowers the lifetimes at run time
queue_run_delay = 5s
minimal_backoff_time = 60s
maximal_backoff_time = 120s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
smtp_connect_timeout = 5s
EOF
    # no chroot anywhere, so the namespace's /etc/resolv.conf and hosts apply
    cat > "$PFCF/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PF_PORT inet n - n - - smtpd
127.0.0.1:$PF_EARLY_PORT inet n - n - - smtpd
  -o syslog_name=postfix/early
  -o smtpd_delay_reject=no
127.0.0.1:$PF_SMTPS_PORT inet n - n - - smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
        -o syslog_name=postfix/\$service_name
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    cat > "$PFCF/transport" <<EOF
rcpt550.test    smtp:[$SINK_RCPT550]:25
rcpt450.test    smtp:[$SINK_RCPT450]:25
data554.test    smtp:[$SINK_DATA554]:25
eod554.test     smtp:[$SINK_EOD554]:25
expire.test     smtp:[$SINK_RCPT451]:25
EOF
    printf '%s ok\n' alice bob carol dave erin frank greylist postmaster > "$PFCF/local_users"
    cat > "$PFCF/client_access.cidr" <<EOF
127.0.1.5/32    REJECT Your network is blocked by local policy (ticket 4711)
127.0.2.1/32    REJECT Your network is blocked by local policy (ticket 4712)
EOF
    cat > "$PFCF/recipient_access" <<EOF
greylist@smtpdx.test    DEFER Greylisted, please try again in 5 minutes
EOF
    cat > "$PFCF/header_checks" <<EOF
/^Subject:.*cheap watches/    REJECT 5.7.1 Message rejected: spam subject
EOF
    postfix -c "$PFCF" check
}

# Sendmail: a config made by m4 from Debian's sendmail-cf, every path under
# $SMD; the access map refuses what the scenarios need, the mailertable sends
# each remote domain to its smtp-sink (cf/README of sendmail-cf: access_db,
# mailertable, DAEMON_OPTIONS, confMAX_MESSAGE_SIZE).
write_sendmail_config() {
    local cfm4=$OPT/sendmail/usr/share/sendmail/cf/m4/cf.m4 mk=$OPT/sendmail/usr/libexec/sendmail/makemap
    mkdir -p "$SMD/mqueue"
    chmod 700 "$SMD/mqueue"
    cat > "$SMD/sendmail.mc" <<EOF
divert(-1)
# sendmail.mc for the smtpdx integration harness (tests/integration/harness.sh)
divert(0)dnl
include(\`$cfm4')dnl
VERSIONID(\`smtpdx integration harness')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`sm.smtpdx.test')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confLOG_LEVEL', \`9')dnl
define(\`QUEUE_DIR', \`$SMD/mqueue')dnl
define(\`ALIAS_FILE', \`$SMD/aliases')dnl
define(\`confPID_FILE', \`$RUN/sendmail.pid')dnl
define(\`STATUS_FILE', \`$SMD/statistics')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SMD/service.switch')dnl
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit,GroupWritableDirPathSafe,GroupReadableKeyFile')dnl
define(\`confMAX_MESSAGE_SIZE', \`20000')dnl
define(\`LOCAL_MAILER_PATH', \`/usr/bin/tee')dnl
define(\`LOCAL_MAILER_ARGS', \`tee -a $SMD/local.mbox')dnl
define(\`confCLIENT_OPTIONS', \`Addr=127.0.0.1')dnl
FEATURE(\`access_db', \`hash -T<TMPF> $SMD/access')dnl
FEATURE(\`mailertable', \`hash $SMD/mailertable')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`blocklist_recipients')dnl
DAEMON_OPTIONS(\`Port=$SM_PORT, Addr=127.0.0.1, Name=MTA')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
    m4 "$SMD/sendmail.mc" > "$SMCF" 2>"$RUN/m4.out" || die "m4 sendmail.mc failed: $(cat "$RUN/m4.out")"
    printf 'hosts dns files\naliases files\n' > "$SMD/service.switch"
    printf 'alice: root\nbob: root\ngreylist: root\npostmaster: root\nMAILER-DAEMON: root\nroot: %s/local.mbox\n' "$SMD" \
        > "$SMD/aliases"
    : > "$SMD/local.mbox"
    chmod 666 "$SMD/local.mbox"
    printf '%s\t%s\n' Connect:127.0.0.1 RELAY Connect:127.0.4.66 REJECT From:spammer.test REJECT \
        To:greylist@sm.smtpdx.test '451 4.7.1 Greylisted, please try again later' > "$SMD/access"
    printf '%s\tsmtp:[%s]\n' rcpt550.test "$SINK_RCPT550" rcpt450.test "$SINK_RCPT450" \
        data554.test "$SINK_DATA554" expire.test "$SINK_RCPT451" sink.test "$SINK_OK" \
        sender.test "$SINK_OK" > "$SMD/mailertable"
    # (their "World writable directory /tmp" warnings go to $RUN: TrustStickyBit allows it)
    "$mk" -C "$SMCF" hash "$SMD/access" < "$SMD/access" 2>"$RUN/makemap.out" ||
        die "makemap access failed: $(cat "$RUN/makemap.out")"
    "$mk" -C "$SMCF" hash "$SMD/mailertable" < "$SMD/mailertable" 2>"$RUN/makemap.out" ||
        die "makemap mailertable failed: $(cat "$RUN/makemap.out")"
}

write_exim_config() {
    mkdir -p "$W/exim/spool" "$W/exim/mail" "$W/exim/log"
    printf '%s: quota=0\n' alice bob carol greylist postmaster > "$W/exim/users"
    cat > "$EXCF" <<EOF
# Exim 4.96 configuration for the smtpdx integration harness
# (tests/integration/harness.sh); adapted from
# ../shared/mta-samples/configs/exim/exim4.conf.  Run with -C; spool and
# log under $W; listens on 127.0.0.1:$EX_PORT inside the namespace only.
primary_hostname = exim.smtpdx.test
qualify_domain = exim.test
exim_path = $EXIM
spool_directory = $W/exim/spool
log_file_path = $W/exim/log/%slog
write_rejectlog = false
pid_file_path = $RUN/exim.pid
daemon_smtp_ports = $EX_PORT
local_interfaces = <; 127.0.0.1
disable_ipv6 = true
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
trusted_users = root
keep_environment =
tls_advertise_hosts =
host_lookup = *
rfc1413_hosts =
log_selector = +smtp_protocol_error +smtp_syntax_error

domainlist local_domains = exim.test : exim.smtpdx.test
domainlist relay_to_domains =
hostlist   relay_from_hosts = <; 127.0.0.1

acl_smtp_connect = acl_check_connect
acl_smtp_helo = acl_check_helo
acl_smtp_mail = acl_check_mail
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_data = acl_check_data

begin acl

acl_check_connect:
  deny    hosts = 127.0.3.1
          message = Your network is blocked by local policy
  accept

acl_check_helo:
  accept  hosts = : +relay_from_hosts
  deny    condition = \${if !match{\$sender_helo_name}{\\N\\.\\N}}
          message = HELO/EHLO must contain a fully qualified domain name
  accept

acl_check_mail:
  deny    senders = spammer@client.test
          message = Sender \$sender_address is blocked by local policy
  accept

acl_check_rcpt:
  accept  hosts = :
  defer   local_parts = greylist
          domains = +local_domains
          message = Greylisted, please try again in 5 minutes
  deny    domains = +local_domains
          !verify = recipient
  accept  domains = +local_domains
  accept  hosts = +relay_from_hosts
  require message = relay not permitted
          domains = +local_domains : +relay_to_domains
  accept

acl_check_data:
  deny    condition = \${if match{\$h_subject:}{(?i)cheap watches}}
          message = Message rejected: spam subject
  accept

begin routers

# every remote domain goes to an smtp-sink on loopback
loopback_routes:
  driver = manualroute
  domains = ! +local_domains
  transport = remote_smtp
  route_list = rcpt550.test $SINK_RCPT550 ; \\
               rcpt450.test $SINK_RCPT450 ; \\
               data554.test $SINK_DATA554 ; \\
               eod554.test  $SINK_EOD554 ; \\
               expire.test  $SINK_RCPT451 ; \\
               *            $SINK_OK

localuser:
  driver = accept
  local_parts = lsearch,ret=key;$W/exim/users
  transport = local_delivery

begin transports

remote_smtp:
  driver = smtp
  interface = 127.0.0.1
  port = 25
  hosts_try_chunking =
  connect_timeout = 5s

local_delivery:
  driver = appendfile
  file = $W/exim/mail/\${local_part_data}
  user = Debian-exim
  group = Debian-exim

begin authenticators
# for smtpdx probe --auth-user: alice / the password of the run (Exim's own
# plaintext driver, no SASL library), offered without TLS here
plain_server:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and {{eq{\$auth2}{alice}}{eq{\$auth3}{$EX_AUTH_PASS}}}}
  server_set_id = \$auth2
  server_advertise_condition = true
login_server:
  driver = plaintext
  public_name = LOGIN
  server_prompts = "Username:: : Password::"
  server_condition = \${if and {{eq{\$auth1}{alice}}{eq{\$auth2}{$EX_AUTH_PASS}}}}
  server_set_id = \$auth1
  server_advertise_condition = true

begin retry
# the expiry scenario: give up after 3 seconds
expire.test     *       F,3s,1s
*               *       F,2h,15m; G,16h,1h,1.5; F,4d,6h
EOF
    chown -R Debian-exim:Debian-exim "$W/exim/spool" "$W/exim/mail" "$W/exim/log"
    # Exim writes its logs as Debian-exim, so they live in a directory of its
    # own; WORKDIR/exim-main.log is the name `smtpdx logs` is given
    ln -sfn exim/log/mainlog "$W/exim-main.log"
    "$EXIM" -C "$EXCF" -bV >/dev/null
}

do_setup() {
    preflight
    do_install
    chmod 755 "$W"
    mkdir -p "$RUN" "$W/transcripts"
    # the daemons drop to their own users: they must reach WORKDIR
    setpriv --reuid=postfix --regid=postfix --clear-groups test -x "$W" ||
        die "user postfix cannot enter $W (a parent directory is not world-searchable)"
    local ns
    ns=$(ns_name)
    if [ -z "$ns" ] || ! ip netns list | grep -qw "$ns"; then
        ns=smtpdx-it-$$
        ip netns add "$ns"
        echo "$ns" > "$W/netns"
        # an "all" run registers its namespace, so that the next one can clean
        # up after it if it was killed (e.g. SIGKILL on a CTest timeout)
        if [ -n "${HARNESS_ALL:-}" ]; then
            mkdir -p "$REG"
            echo "$W" > "$REG/$ns"
        fi
    fi
    ip -n "$ns" link set lo up
    # the namespace's own resolver and hosts (bind-mounted by ip netns exec)
    [ -d /etc/netns ] || { mkdir -p /etc/netns; touch "$RUN/etc-netns.created"; }
    mkdir -p "/etc/netns/$ns"
    printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n' > "/etc/netns/$ns/resolv.conf"
    # Sendmail waits until the machine's own name resolves
    printf '127.0.0.1\tlocalhost\n127.0.0.1\t%s.smtpdx.test %s\n' "$(uname -n)" "$(uname -n)" \
        > "/etc/netns/$ns/hosts"
    write_postfix_config
    write_exim_config
    write_sendmail_config
    log "setup done: namespace $ns, workdir $W"
}

# ---------------------------------------------------------------- start/stop
start_bg() {  # start_bg NAME CMD...: run in the namespace, record the pid
    local name=$1; shift
    # the inner shell writes its own pid, then becomes the command; the
    # background subshell becomes ip itself and drops the lock of "all" (fd 9)
    # shellcheck disable=SC2016
    ( exec 9>&- </dev/null >"$RUN/$name.out" 2>&1
      exec ip netns exec "$(ns_name)" bash -c 'echo $$ > "$0"; exec "$@"' "$RUN/$name.pid" "$@" ) &
}

wait_port() {  # wait_port ADDR PORT (asks ss, so no probe shows up in a log)
    local i
    for i in $(seq 100); do
        nsx ss -Hltn 2>/dev/null | awk '{print $4}' | grep -qx "$1:$2" && return 0
        sleep 0.1
    done
    die "nothing listens on $1:$2"
}

# Exim re-executes itself to deliver, as the Exim user, passing -C on; it
# keeps root (and logs no "exim user lost privilege for using -C option")
# only for a config named in its compiled-in TRUSTED_CONFIG_LIST.  Add ours
# for the run; untrust_exim_config (in stop) puts the file back as it was.
TRUSTED=/etc/exim4/trusted_configs
trust_exim_config() {
    [ ! -e "$RUN/trusted.state" ] || return 0
    if [ -e "$TRUSTED" ]; then
        cp -p "$TRUSTED" "$RUN/trusted_configs.orig"
        echo restore > "$RUN/trusted.state"
    elif [ -d /etc/exim4 ]; then
        echo remove-file > "$RUN/trusted.state"
    else
        mkdir -p /etc/exim4
        echo remove-dir > "$RUN/trusted.state"
    fi
    echo "$EXCF" >> "$TRUSTED"
    chmod 644 "$TRUSTED"
}
untrust_exim_config() {
    [ -e "$RUN/trusted.state" ] || return 0
    case $(cat "$RUN/trusted.state") in
        restore) cp -p "$RUN/trusted_configs.orig" "$TRUSTED" ;;
        remove-file) rm -f "$TRUSTED" ;;
        remove-dir) rm -f "$TRUSTED"; rmdir /etc/exim4 2>/dev/null || true ;;
    esac
    rm -f "$RUN/trusted.state"
}

do_start() {
    local ns
    ns=$(ns_name)
    if [ -z "$ns" ] || ! ip netns list | grep -qw "$ns"; then die "no namespace: run setup first"; fi
    nsx ip -4 addr show lo | grep -q 'inet 127.0.0.1' || die "namespace has no loopback address"
    # DNS for the .test zone only, no upstream: NXDOMAIN for everything else
    start_bg dnsmasq dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
        --listen-address=127.0.0.1 --bind-interfaces --port=53 --user=nobody --group=nogroup \
        --pid-file= --log-facility=- \
        --local=/test/ --local=/in-addr.arpa/ \
        --host-record=client.test,$SINK_OK --host-record=sender.test,$SINK_OK \
        --host-record=localhost,127.0.0.1 \
        --host-record=mx.smtpdx.test,127.0.0.1 --host-record=down.smtpdx.test,127.0.0.99 \
        --mx-host=mxtest.test,down.smtpdx.test,5 --mx-host=mxtest.test,mx.smtpdx.test,10 \
        --host-record=implicit.test,127.0.0.1
    # the refusing "remote" servers (Postfix's smtp-sink)
    # the accepting sink keeps what it receives (the bounces to sender.test
    # among it) for check_bounce.sh: a file per message in $W/sink
    mkdir -p "$W/sink" && chown nobody "$W/sink" && chmod o+x "$W"
    start_bg sink-ok smtp-sink -u nobody -d "$W/sink/%H%M%S." -h mx.sink.test "$SINK_OK:25" 64
    start_bg sink-rcpt550 smtp-sink -u nobody -h mx.rcpt550.test -f RCPT -B "$R550" "$SINK_RCPT550:25" 64
    start_bg sink-rcpt450 smtp-sink -u nobody -h mx.rcpt450.test -r RCPT -b "$R450" "$SINK_RCPT450:25" 64
    start_bg sink-data554 smtp-sink -u nobody -h mx.data554.test -f DATA -B "$R554D" "$SINK_DATA554:25" 64
    start_bg sink-eod554 smtp-sink -u nobody -h mx.eod554.test -f . -B "$R554E" "$SINK_EOD554:25" 64
    start_bg sink-rcpt451 smtp-sink -u nobody -h mx.expire.test -r RCPT -b "$R451" "$SINK_RCPT451:25" 64
    for a in $SINK_OK $SINK_RCPT550 $SINK_RCPT450 $SINK_DATA554 $SINK_EOD554 $SINK_RCPT451; do
        wait_port "$a" 25
    done
    nsx postfix -c "$PFCF" start 2>"$RUN/postfix.out" || die "postfix start failed: $(cat "$RUN/postfix.out")"
    trust_exim_config
    nsx "$EXIM" -C "$EXCF" -bd 2>"$RUN/exim.out" || die "exim -bd failed: $(cat "$RUN/exim.out")"
    # (in the namespace: Sendmail needs its own name to resolve, or it
    # sleeps a minute and retries)
    nsx "$SM" -C "$SMCF" -bi >"$RUN/newaliases.out" 2>&1 || die "newaliases failed: $(cat "$RUN/newaliases.out")"
    # Sendmail logs only through syslog(3), to /dev/log: it runs in a mount
    # namespace of its own whose /dev is a small tmpfs with the devices it
    # opens and the socket of syslogd.py (writing $SMLOG); the machine's
    # /dev is not touched
    # shellcheck disable=SC2016
    start_bg sendmail-ns unshare --mount --propagation private bash -c '
        set -e
        mount -t tmpfs -o mode=755,size=1m smtpdx-dev /dev
        mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5
        mknod -m 666 /dev/random c 1 8; mknod -m 666 /dev/urandom c 1 9
        python3 "$0" /dev/log "$1" & echo $! > "$2"
        for i in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
        [ -S /dev/log ] || { echo "syslogd.py did not start" >&2; exit 1; }
        "$3" -C "$4" -bd -L sm-mta
        wait' "$HERE/syslogd.py" "$W/sendmail.log" "$RUN/syslogd.pid" "$SM" "$SMCF"
    wait_port 127.0.0.1 "$PF_PORT"
    wait_port 127.0.0.1 "$PF_EARLY_PORT"
    wait_port 127.0.0.1 "$PF_SMTPS_PORT"
    wait_port 127.0.0.1 "$EX_PORT"
    wait_port 127.0.0.1 "$SM_PORT"
    # a signed zone with TLSA records for the harness's certificate, served
    # by NSD in the namespace: DANE (issue 4) and DNSSEC (issue 5) checks
    bash "$HERE/dnssec_zone.sh" start "$ns" "$W" "$W/tls/cert.pem" "$DNSSEC_PORT" > "$RUN/dnssec.out" 2>&1 ||
        die "dnssec_zone.sh start failed: $(tail -n5 "$RUN/dnssec.out")"
    log "started in namespace $ns: Postfix 127.0.0.1:$PF_PORT,$PF_EARLY_PORT,$PF_SMTPS_PORT, Exim 127.0.0.1:$EX_PORT, Sendmail 127.0.0.1:$SM_PORT, smtp-sink 127.0.10.1-6:25"
}

kill_pidfile() {  # kill_pidfile FILE NAME
    local pid
    [ -s "$1" ] || return 0
    pid=$(head -n1 "$1")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null && log "stopped $2 (pid $pid)"
    fi
    rm -f "$1"
}

do_stop() {
    local ns pids i
    ns=$(ns_name)
    kill_pidfile "$RUN/scenarios.pid" "the scenario run"
    if [ -f "$PFCF/main.cf" ] && [ -s "$W/postfix/spool/pid/master.pid" ]; then
        if postfix -c "$PFCF" stop >/dev/null 2>&1; then log "stopped postfix"; fi
    fi
    kill_pidfile "$RUN/exim.pid" exim
    [ ! -s "$W/dnssec/nsd.pid" ] || bash "$HERE/dnssec_zone.sh" stop "$W" || true
    for f in "$RUN"/*.pid; do
        [ -e "$f" ] || continue
        kill_pidfile "$f" "$(basename "$f" .pid)"
    done
    untrust_exim_config
    if [ -n "$ns" ] && ip netns list | grep -qw "$ns"; then
        # anything still running in our namespace was started by this harness
        for i in $(seq 50); do
            pids=$(ip netns pids "$ns" 2>/dev/null || true)
            [ -z "$pids" ] && break
            # shellcheck disable=SC2086
            if [ "$i" = 30 ]; then
                log "terminating leftover pids in $ns: $(tr '\n' ' ' <<<"$pids")"
                kill $pids 2>/dev/null || true
            elif [ "$i" = 45 ]; then
                kill -9 $pids 2>/dev/null || true
            fi
            sleep 0.1
        done
        ip netns del "$ns" && log "removed namespace $ns"
    fi
    [ -z "$ns" ] || rm -rf "/etc/netns/$ns"
    if [ -e "$RUN/etc-netns.created" ]; then
        rmdir /etc/netns 2>/dev/null || true
        rm -f "$RUN/etc-netns.created"
    fi
    rm -f "$W/netns"
    [ -z "$ns" ] || rm -f "$REG/$ns"
    rmdir "$REG" 2>/dev/null || true
}

# ---------------------------------------------------------------- scenarios
# Everything below runs inside the namespace ("harness.sh _run WORKDIR").

EXP=$W/expected.tsv
T=$W/transcripts
PFLOG=$W/postfix.log
EXLOG=$W/exim/log/mainlog
SMLOG=$W/sendmail.log
FAILED=0

# expect ID MTA DIRECTION STAGE CODE STATUS SENDER RECIPIENT QUEUE_ID OUTCOME CLIENT DESCRIPTION
expect() {
    local IFS=$'\t'
    printf '%s\n' "$*" >> "$EXP"
}

bad() { log "scenario $1: $2"; FAILED=$((FAILED + 1)); }

# ordinary traffic between the refusals: messages that are accepted and
# delivered (to the accepting smtp-sink, or Exim's local mailbox).  They go to
# accepted.tsv (scenario, mta, sender, recipient, queue id): check.sh fails if
# smtpdx reports a refusal for one of them.
ACC=$W/accepted.tsv
accepted() {  # accepted ID MTA PORT CLIENT RCPT LOGMARK
    local id=$1 mta=$2 port=$3 client=$4 to=$5 mark=${6:-} qid re f
    sw "$id" --server 127.0.0.1 --port "$port" --local-interface "$client" \
        --from sender@client.test --to "$to"
    qid=$(qid_from_swaks "$id")
    if [ -z "$qid" ]; then
        bad "$id" "message not accepted (transcript $T/$id.txt)"
    else
        # Exim logs a local delivery as "=> alice <alice@exim.test> R=..."
        case $mta in
            postfix) re="$qid: to=<$to>, .*status=sent" f=$PFLOG ;;
            sendmail) re="$qid: to=.*stat=Sent" f=$SMLOG ;;     # alice is an alias: to=<file>
            *) re="$qid $mark ([^ ]+ <)?$to>? R=" f=$EXLOG ;;
        esac
        wait_log "$f" "$re" >/dev/null ||
            bad "$id" "no delivery line for $qid"
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$mta" sender@client.test "$to" "$qid" >> "$ACC"
}

# wait_log FILE ERE [SECONDS]: wait until a line matches, print the first one
wait_log() {
    local f=$1 re=$2 n=$(( ${3:-20} * 10 )) i line
    for ((i = 0; i < n; i++)); do
        if [ -f "$f" ] && line=$(grep -E -m1 -- "$re" "$f"); then
            printf '%s\n' "$line"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# saw ID CODE: the client saw CODE as an error reply
saw() { grep -qE "^<\*\* +$2[ -]" "$T/$1.txt"; }

sw() {  # sw ID swaks-args...: run swaks, keep the transcript
    local id=$1; shift
    swaks --timeout 15 --helo mail.client.test --header "X-Smtpdx-Scenario: $id" \
        --header "Message-Id: <$id.$(date +%s)@client.test>" \
        --header "Subject: smtpdx integration scenario $id" "$@" >"$T/$id.txt" 2>&1 || true
}

# raw ID PORT CMD...: a minimal SMTP client in bash (for what swaks cannot
# send, e.g. the SIZE parameter); transcript in swaks notation, from 127.0.0.1
raw() {
    local id=$1 port=$2 line c; shift 2
    {
        exec 3<>"/dev/tcp/127.0.0.1/$port"
        rd() {
            while IFS= read -r -t 15 line <&3; do
                line=${line%$'\r'}
                case $line in [45]*) echo "<** $line" ;; *) echo "<-  $line" ;; esac
                [[ $line =~ ^[0-9]{3}\  ]] && break
            done
        }
        rd
        for c in "$@"; do
            printf '%s\r\n' "$c" >&3
            echo " -> $c"
            rd
        done
        exec 3>&-
    } >"$T/$id.txt" 2>&1 || true
}

# Postfix "queued as ID", Exim "id=ID", Sendmail "250 2.0.0 ID Message accepted"
qid_from_swaks() {
    sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p; s/.* id=\([0-9A-Za-z-]*\).*/\1/p
            s/.* 250 2\.0\.0 \([0-9A-Za-z]\{14\}\) Message accepted.*/\1/p' "$T/$1.txt" | head -n1
}
qid_from_pf_line() { sed -n 's/^.*postfix\/[a-z/]*\[[0-9]*\]: \([0-9A-F]\{6,\}\|[0-9A-Za-z]\{12,\}\): .*/\1/p' <<<"$1"; }

# --- Postfix inbound, port 25 (smtpd_delay_reject = yes: everything at RCPT)
pf_in() {  # pf_in ID CLIENT STAGE CODE STATUS SENDER RCPT DESCRIPTION LOGRE swaks-args...
    local id=$1 client=$2 stage=$3 code=$4 status=$5 from=$6 to=$7 desc=$8 re=$9 line qid=-
    shift 9
    sw "$id" --server 127.0.0.1 --port "$PF_PORT" --local-interface "$client" "$@"
    saw "$id" "$code" || bad "$id" "client did not see $code (transcript $T/$id.txt)"
    if line=$(wait_log "$PFLOG" "$re"); then
        case $line in *NOQUEUE:*) ;; *) qid=$(qid_from_pf_line "$line") ;; esac
    else
        bad "$id" "no log line matching: $re"
    fi
    expect "$id" postfix inbound "$stage" "$code" "$status" "$from" "$to" "$qid" rejected "$client" "$desc"
}

run_postfix_inbound() {
    accepted pf-accept-inbound postfix "$PF_PORT" 127.0.1.9 alice@smtpdx.test
    accepted pf-accept-outbound postfix "$PF_PORT" 127.0.0.1 friend@sink.test
    pf_in pf-in-unknown-user 127.0.1.1 rcpt 550 5.1.1 sender@client.test nosuchuser@smtpdx.test \
        "RCPT to a nonexistent local user" \
        'reject: RCPT from [^ ]*\[127\.0\.1\.1\]: 550 5\.1\.1 <nosuchuser@smtpdx\.test>' \
        --from sender@client.test --to nosuchuser@smtpdx.test
    pf_in pf-in-relay-denied 127.0.1.2 rcpt 554 5.7.1 sender@client.test someone@elsewhere.test \
        "external client tries to relay to a foreign domain" \
        'reject: RCPT from [^ ]*\[127\.0\.1\.2\]: 554 5\.7\.1 <someone@elsewhere\.test>: Relay access denied' \
        --from sender@client.test --to someone@elsewhere.test
    pf_in pf-in-greylist 127.0.1.3 rcpt 450 4.7.1 sender@client.test greylist@smtpdx.test \
        "check_recipient_access DEFER (greylisting-like 450)" \
        'reject: RCPT from [^ ]*\[127\.0\.1\.3\]: 450 4\.7\.1 <greylist@smtpdx\.test>' \
        --from sender@client.test --to greylist@smtpdx.test
    pf_in pf-in-sender-domain-delayed 127.0.1.4 rcpt 550 5.1.8 bob@no-such-domain.test alice@smtpdx.test \
        "sender domain not in DNS, rejected at RCPT (smtpd_delay_reject=yes)" \
        'reject: RCPT from [^ ]*\[127\.0\.1\.4\]: 550 5\.1\.8 <bob@no-such-domain\.test>' \
        --from bob@no-such-domain.test --to alice@smtpdx.test
    pf_in pf-in-client-blocked-delayed 127.0.1.5 rcpt 554 5.7.1 sender@client.test bob@smtpdx.test \
        "client in a check_client_access map, rejected at RCPT (smtpd_delay_reject=yes)" \
        'reject: RCPT from [^ ]*\[127\.0\.1\.5\]: 554 5\.7\.1 .*Client host rejected' \
        --from sender@client.test --to bob@smtpdx.test
    pf_in pf-in-multi-rcpt-bounce 127.0.1.6 data 550 5.5.3 '<>' - \
        "null sender with two recipients (reject_multi_recipient_bounce)" \
        'reject: DATA from [^ ]*\[127\.0\.1\.6\]: 550 5\.5\.3' \
        --from '<>' --to carol@smtpdx.test,dave@smtpdx.test
    pf_in pf-in-header-reject 127.0.1.7 end-of-data 550 5.7.1 sender@client.test erin@smtpdx.test \
        "header_checks REJECT on the Subject" \
        'reject: header Subject: .*cheap watches.* from [^ ]*\[127\.0\.1\.7\]' \
        --from sender@client.test --to erin@smtpdx.test --header 'Subject: cheap watches here'

    # message too big: SIZE= above message_size_limit (swaks cannot send SIZE)
    local id=pf-in-size-declared
    raw "$id" "$PF_PORT" "EHLO mail.client.test" "MAIL FROM:<big@client.test> SIZE=5000000" QUIT
    saw "$id" 552 || bad "$id" "client did not see 552"
    wait_log "$PFLOG" 'reject: MAIL from [^ ]*\[127\.0\.0\.1\]: 552 5\.3\.4 .*from=<big@client\.test>' >/dev/null ||
        bad "$id" "no reject line for MAIL SIZE"
    expect "$id" postfix inbound mail 552 5.3.4 big@client.test - - rejected 127.0.0.1 \
        "MAIL FROM with SIZE= above message_size_limit"
}

# --- Postfix inbound, port 2525 (smtpd_delay_reject = no: each check at its own stage)
pf_early() {
    local id=$1 client=$2 stage=$3 code=$4 status=$5 from=$6 to=$7 desc=$8 re=$9
    shift 9
    sw "$id" --server 127.0.0.1 --port "$PF_EARLY_PORT" --local-interface "$client" "$@"
    saw "$id" "$code" || bad "$id" "client did not see $code (transcript $T/$id.txt)"
    wait_log "$PFLOG" "$re" >/dev/null || bad "$id" "no log line matching: $re"
    expect "$id" postfix inbound "$stage" "$code" "$status" "$from" "$to" - rejected "$client" "$desc"
}

run_postfix_early() {
    pf_early pf-in-client-blocked 127.0.2.1 connect 554 5.7.1 - - \
        "client in a check_client_access map, rejected at connect (smtpd_delay_reject=no)" \
        'postfix/early/smtpd\[[0-9]+\]: NOQUEUE: reject: CONNECT from [^ ]*\[127\.0\.2\.1\]: 554 5\.7\.1' \
        --from sender@client.test --to alice@smtpdx.test
    pf_early pf-in-helo-rejected 127.0.2.2 helo 504 5.5.2 - - \
        "HELO with a non-FQDN hostname (reject_non_fqdn_helo_hostname)" \
        'postfix/early/smtpd\[[0-9]+\]: NOQUEUE: reject: (HELO|EHLO) from [^ ]*\[127\.0\.2\.2\]: 504 5\.5\.2' \
        --helo workstation42 --from sender@client.test --to alice@smtpdx.test
    pf_early pf-in-sender-domain-not-found 127.0.2.3 mail 550 5.1.8 nobody@no-such-domain.test - \
        "sender domain not in DNS, rejected at MAIL (smtpd_delay_reject=no)" \
        'postfix/early/smtpd\[[0-9]+\]: NOQUEUE: reject: MAIL from [^ ]*\[127\.0\.2\.3\]: 550 5\.1\.8' \
        --from nobody@no-such-domain.test --to alice@smtpdx.test
}

# --- Postfix outbound: inject from 127.0.0.1 (mynetworks), smtp-sink refuses
PF_DEFERRED_QID=
pf_out() {  # pf_out ID RCPT STAGE CODE STATUS OUTCOME DESCRIPTION
    local id=$1 to=$2 stage=$3 code=$4 status=$5 outcome=$6 desc=$7 qid re
    sw "$id" --server 127.0.0.1 --port "$PF_PORT" --local-interface 127.0.0.1 \
        --from sender@sender.test --to "$to"
    qid=$(qid_from_swaks "$id")
    [ -n "$qid" ] || { bad "$id" "message not accepted (transcript $T/$id.txt)"; qid=; }
    local st=$outcome
    [ "$outcome" = expired ] && st=deferred
    re="$qid: to=<$to>, relay=.* dsn=${status//./\\.}, status=$st \(host .* said: $code "
    [ -n "$qid" ] && { wait_log "$PFLOG" "$re" >/dev/null || bad "$id" "no log line matching: $re"; }
    if [ "$outcome" = expired ] && [ -n "$qid" ]; then
        # lifetimes are 1s now; flush until qmgr gives up on the message
        local i
        for i in 1 2 3 4 5 6 7 8 9 10; do
            grep -qE "$qid: from=<.*>, status=expired" "$PFLOG" && break
            sleep 1
            postqueue -c "$PFCF" -f
        done
        wait_log "$PFLOG" "$qid: from=<sender@sender\.test>, status=expired, returned to sender" 10 >/dev/null ||
            bad "$id" "message $qid did not expire"
    fi
    expect "$id" postfix outbound "$stage" "$code" "$status" sender@sender.test "$to" "$qid" "$outcome" \
        127.0.0.1 "$desc"
    [ "$id" != pf-out-rcpt-450 ] || PF_DEFERRED_QID=$qid
}

run_postfix_outbound() {
    pf_out pf-out-rcpt-550 user@rcpt550.test rcpt 550 5.1.1 bounced "remote server rejects RCPT with 550 5.1.1"
    pf_out pf-out-rcpt-450 user@rcpt450.test rcpt 450 4.2.1 deferred "remote server rejects RCPT with 450 4.2.1"
    pf_out pf-out-data-554 user@data554.test data 554 5.7.1 bounced "remote server rejects DATA with 554 5.7.1"
    pf_out pf-out-eod-554 user@eod554.test end-of-data 554 5.7.0 bounced \
        "remote server rejects the message after end of DATA with 554 5.7.0"
    # expiry: keep the deferred message of pf-out-rcpt-450 out of it (hold),
    # then lower the queue lifetimes to 1s and deliver to a 451-refusing server
    [ -z "$PF_DEFERRED_QID" ] || postsuper -c "$PFCF" -h "$PF_DEFERRED_QID" 2>/dev/null
    postconf -c "$PFCF" -e maximal_queue_lifetime=1s bounce_queue_lifetime=1s queue_run_delay=1s \
        minimal_backoff_time=1s maximal_backoff_time=2s
    postfix -c "$PFCF" reload 2>/dev/null
    sleep 1
    pf_out pf-out-expired user@expire.test rcpt 451 4.3.0 expired \
        "remote server keeps answering 451 4.3.0 until maximal_queue_lifetime (1s) expires the message"
}

# --- Exim inbound
ex_in() {  # ex_in ID CLIENT STAGE CODE SENDER RCPT DESCRIPTION LOGRE swaks-args...
    local id=$1 client=$2 stage=$3 code=$4 from=$5 to=$6 desc=$7 re=$8
    shift 8
    sw "$id" --server 127.0.0.1 --port "$EX_PORT" --local-interface "$client" "$@"
    saw "$id" "$code" || bad "$id" "client did not see $code (transcript $T/$id.txt)"
    wait_log "$EXLOG" "$re" >/dev/null || bad "$id" "no log line matching: $re"
    # Exim sends no enhanced status code unless the ACL message has one; a
    # refusal after DATA has a message id already (not checked: "")
    local q=-
    [ "$stage" = end-of-data ] && q=""
    expect "$id" exim inbound "$stage" "$code" - "$from" "$to" "$q" rejected "$client" "$desc"
}

run_exim_inbound() {
    accepted ex-accept-inbound exim "$EX_PORT" 127.0.3.9 alice@exim.test '=>'
    accepted ex-accept-outbound exim "$EX_PORT" 127.0.0.1 friend@sink.test '=>'
    ex_in ex-in-connect-deny 127.0.3.1 connect 550 - - "connect ACL denies the client" \
        '\[127\.0\.3\.1\].* rejected connection in "connect" ACL' \
        --from sender@client.test --to alice@exim.test
    ex_in ex-in-helo-nonfqdn 127.0.3.2 helo 550 - - "HELO ACL denies a non-FQDN name" \
        '\[127\.0\.3\.2\].* rejected (EHLO|HELO)' \
        --helo workstation42 --from sender@client.test --to alice@exim.test
    ex_in ex-in-sender-blocked 127.0.3.3 mail 550 spammer@client.test - "MAIL ACL denies a listed sender" \
        '\[127\.0\.3\.3\].* rejected MAIL <spammer@client\.test>' \
        --from spammer@client.test --to alice@exim.test
    ex_in ex-in-unknown-user 127.0.3.4 rcpt 550 sender@client.test nosuchuser@exim.test \
        "RCPT to a nonexistent local user (Unrouteable address)" \
        '\[127\.0\.3\.4\].* rejected RCPT <nosuchuser@exim\.test>: Unrouteable address' \
        --from sender@client.test --to nosuchuser@exim.test
    ex_in ex-in-relay-denied 127.0.3.5 rcpt 550 sender@client.test someone@elsewhere.test \
        "external client tries to relay (relay not permitted)" \
        '\[127\.0\.3\.5\].* rejected RCPT <someone@elsewhere\.test>: relay not permitted' \
        --from sender@client.test --to someone@elsewhere.test
    ex_in ex-in-greylist 127.0.3.6 rcpt 451 sender@client.test greylist@exim.test \
        "RCPT ACL defer (greylisting-like 451)" \
        '\[127\.0\.3\.6\].* temporarily rejected RCPT <greylist@exim\.test>' \
        --from sender@client.test --to greylist@exim.test
    # Exim's mainlog names no recipient for a refusal after DATA (only its
    # rejectlog would): the recipient is not checked ("")
    ex_in ex-in-spam-subject 127.0.3.7 end-of-data 550 sender@client.test "" \
        "DATA ACL rejects a spam subject" \
        '\[127\.0\.3\.7\].* rejected after DATA' \
        --from sender@client.test --to bob@exim.test --header 'Subject: cheap watches here'
}

# --- Exim outbound
ex_out() {  # ex_out ID RCPT STAGE CODE STATUS OUTCOME DESCRIPTION LOGMARK
    local id=$1 to=$2 stage=$3 code=$4 status=$5 outcome=$6 desc=$7 mark=$8 qid
    sw "$id" --server 127.0.0.1 --port "$EX_PORT" --local-interface 127.0.0.1 \
        --from sender@sender.test --to "$to"
    qid=$(qid_from_swaks "$id")
    [ -n "$qid" ] || bad "$id" "message not accepted (transcript $T/$id.txt)"
    if [ -n "$qid" ]; then
        wait_log "$EXLOG" "$qid (\*\*|==) $to .*: $code " >/dev/null || bad "$id" "no delivery failure line for $qid"
        if [ "$outcome" = expired ]; then
            # F,3s,1s: force a delivery after the cutoff, Exim gives up
            sleep 4
            "$EXIM" -C "$EXCF" -M "$qid" >/dev/null 2>&1 || true
        fi
        wait_log "$EXLOG" "$qid $mark ${to}[ :]" >/dev/null || bad "$id" "no '$mark' line for $qid"
    fi
    expect "$id" exim outbound "$stage" "$code" "$status" sender@sender.test "$to" "$qid" "$outcome" \
        127.0.0.1 "$desc"
}

run_exim_outbound() {
    ex_out ex-out-rcpt-550 user@rcpt550.test rcpt 550 5.1.1 bounced "remote server rejects RCPT with 550 5.1.1" '\*\*'
    ex_out ex-out-rcpt-450 user@rcpt450.test rcpt 450 4.2.1 deferred "remote server rejects RCPT with 450 4.2.1" '=='
    ex_out ex-out-data-554 user@data554.test data 554 5.7.1 bounced "remote server rejects DATA with 554 5.7.1" '\*\*'
    ex_out ex-out-expired user@expire.test rcpt 451 4.3.0 expired \
        "remote server keeps answering 451 4.3.0 past the retry rule's cutoff (F,3s,1s)" '\*\*'
}

# --- Sendmail (every log line through syslogd.py into $SMLOG)
# sm_in ID CLIENT STAGE CODE STATUS SENDER RCPT DESCRIPTION LOGRE swaks-args...
# The queue id is the one Sendmail names in its refusal line (it opens one at
# MAIL), or none for a refusal before MAIL.
sm_in() {
    local id=$1 client=$2 stage=$3 code=$4 status=$5 from=$6 to=$7 desc=$8 re=$9 line qid=-
    shift 9
    sw "$id" --server 127.0.0.1 --port "$SM_PORT" --local-interface "$client" "$@"
    saw "$id" "$code" || bad "$id" "client did not see $code (transcript $T/$id.txt)"
    if line=$(wait_log "$SMLOG" "$re"); then
        qid=$(sed -n 's/^.* sm-mta\[[0-9]*\]: \([0-9A-Za-z]\{14\}\): .*/\1/p' <<<"$line")
        [ -n "$qid" ] || qid=-
    else
        bad "$id" "no log line matching: $re"
    fi
    expect "$id" sendmail inbound "$stage" "$code" "$status" "$from" "$to" "$qid" rejected "$client" "$desc"
}

run_sendmail_inbound() {
    accepted sm-accept-inbound sendmail "$SM_PORT" 127.0.4.9 alice@sm.smtpdx.test
    accepted sm-accept-outbound sendmail "$SM_PORT" 127.0.0.1 friend@sink.test
    sm_in sm-in-unknown-user 127.0.4.1 rcpt 550 5.1.1 sender@client.test nosuchuser@sm.smtpdx.test \
        "RCPT to a nonexistent local user" 'nosuchuser@sm\.smtpdx\.test>\.\.\. User unknown' \
        --from sender@client.test --to nosuchuser@sm.smtpdx.test
    sm_in sm-in-relay-denied 127.0.4.2 rcpt 550 5.7.1 sender@client.test someone@elsewhere.test \
        "external client tries to relay" 'relay=.*\[127\.0\.4\.2\].*Relaying denied' \
        --from sender@client.test --to someone@elsewhere.test
    sm_in sm-in-connect-reject 127.0.4.66 connect 550 5.7.1 - - \
        "access map refuses the client (Connect: REJECT)" 'ruleset=check_relay, .*127\.0\.4\.66.*reject=550' \
        --from sender@client.test --to alice@sm.smtpdx.test
    sm_in sm-in-sender-reject 127.0.4.3 mail 550 5.7.1 x@spammer.test - \
        "access map refuses the sender's domain (From: REJECT)" 'ruleset=check_mail, arg1=<x@spammer\.test>' \
        --from x@spammer.test --to alice@sm.smtpdx.test
    sm_in sm-in-sender-nxdomain 127.0.4.4 mail 553 5.1.8 sender@nx.test - \
        "the sender's domain does not resolve" 'ruleset=check_mail, arg1=<sender@nx\.test>' \
        --from sender@nx.test --to alice@sm.smtpdx.test
    sm_in sm-in-greylist 127.0.4.5 rcpt 451 4.7.1 sender@client.test greylist@sm.smtpdx.test \
        "access map defers a recipient (To: 451)" 'arg1=<greylist@sm\.smtpdx\.test>.*reject=451' \
        --from sender@client.test --to greylist@sm.smtpdx.test
    head -c 30000 /dev/zero | tr '\0' 'x' | fold -w 76 > "$W/big.txt"
    sm_in sm-in-too-big 127.0.4.6 end-of-data 552 5.2.3 sender@client.test "" \
        "message over MaxMessageSize (20000)" ': message size \([0-9]+\) exceeds maximum \(20000\)' \
        --from sender@client.test --to alice@sm.smtpdx.test --body "$W/big.txt"
}

# sm_out ID RCPT STAGE CODE STATUS OUTCOME DESCRIPTION
sm_out() {
    local id=$1 to=$2 stage=$3 code=$4 status=$5 outcome=$6 desc=$7 qid
    sw "$id" --server 127.0.0.1 --port "$SM_PORT" --local-interface 127.0.0.1 \
        --from sender@sender.test --to "$to"
    qid=$(qid_from_swaks "$id")
    [ -n "$qid" ] || bad "$id" "message not accepted (transcript $T/$id.txt)"
    if [ -n "$qid" ]; then
        wait_log "$SMLOG" "$qid: to=<$to>, .*reply=$code " >/dev/null || bad "$id" "no delivery line for $qid"
        if [ "$outcome" = expired ]; then
            # a queue run that holds every message older than a second too old
            sleep 2
            # (in the daemon's mount namespace: its /dev/log is the one read)
            nsenter --mount --target "$(head -n1 "$RUN/sendmail.pid")" \
                "$SM" -C "$SMCF" -O Timeout.queuereturn=1s -qI"$qid" >/dev/null 2>&1 || true
            wait_log "$SMLOG" "$qid: [0-9A-Za-z]+: DSN: Cannot send message for" >/dev/null ||
                bad "$id" "no expiry DSN for $qid"
        fi
    fi
    expect "$id" sendmail outbound "$stage" "$code" "$status" sender@sender.test "$to" "$qid" "$outcome" \
        127.0.0.1 "$desc"
}

# Sendmail logs no stage for a remote refusal (its DSN has the transcript):
# the stage is not checked ("")
run_sendmail_outbound() {
    sm_out sm-out-rcpt-550 user@rcpt550.test "" 550 5.1.1 bounced "remote server rejects RCPT with 550 5.1.1"
    sm_out sm-out-rcpt-450 user@rcpt450.test "" 450 4.2.1 deferred "remote server rejects RCPT with 450 4.2.1"
    sm_out sm-out-data-554 user@data554.test "" 554 5.7.1 bounced "remote server rejects DATA with 554 5.7.1"
    sm_out sm-out-expired user@expire.test "" 451 4.3.0 expired \
        "remote server answers 451 4.3.0 until a queue run with Timeout.queuereturn=1s returns the message"
}

# --- smtpdx probe against the running servers (when run.sh names the
# binary): the Done-when of issue 4, "probe ... against the harness's Postfix
# shows the 550 5.1.1 refusal with its explanation and the STARTTLS details;
# --json parses"
run_probe() {
    [ -n "${SMTPDX_PROBE:-}" ] || return 0
    local out=$W/probe-postfix.json rc
    # (the sender's domain must resolve here: reject_unknown_sender_domain,
    # and the namespace's DNS knows only .test)
    "$SMTPDX_PROBE" probe "127.0.0.1:$PF_PORT" --from sender@client.test --rcpt nobody@localhost \
        --ca-file "$W/tls/cert.pem" --json > "$out" 2>"$W/probe-postfix.err" || true
    "$SMTPDX_PROBE" probe "127.0.0.1:$PF_PORT" --from sender@client.test --rcpt nobody@localhost \
        --ca-file "$W/tls/cert.pem" > "$W/probe-postfix.txt" 2>&1 || true
    jq -e '.end == "done" and .refused == 1 and .tls.verified == true and .tls.name_matches == true
           and (.tls.protocol | startswith("TLSv1"))
           and ([.steps[] | select(.reply_code == 550 and .reason == "userunknown"
                 and (.text | startswith("550 5.1.1")) and (.explanation | length > 0))] | length == 1)
           and ([.steps[] | select(.tls and .from == "client")] | length >= 4)' "$out" >/dev/null ||
        bad probe-postfix "smtpdx probe: not the expected session (see $out, $W/probe-postfix.txt)"
    grep -q 'chain     verified' "$W/probe-postfix.txt" ||
        bad probe-postfix "smtpdx probe: no TLS details in the text report ($W/probe-postfix.txt)"
    # port 465: TLS from the first byte (RFC 8314)
    "$SMTPDX_PROBE" probe "127.0.0.1:$PF_SMTPS_PORT" --from sender@client.test --rcpt alice@smtpdx.test \
        --ca-file "$W/tls/cert.pem" --json > "$W/probe-smtps.json" 2>&1 || true
    jq -e '.end == "done" and .refused == 0 and .tls.verified == true
           and ([.steps[] | select(.from == "server" and (.tls | not))] | length == 0)' \
        "$W/probe-smtps.json" >/dev/null ||
        bad probe-smtps "smtpdx probe :465: not a TLS-from-the-start session (see $W/probe-smtps.json)"
    # --mx: mxtest.test has MX 5 down.smtpdx.test (nothing listens) and MX 10
    # mx.smtpdx.test (Postfix); implicit.test has only an address; nx.test none
    "$SMTPDX_PROBE" probe --mx "mxtest.test:$PF_PORT" --from sender@client.test --rcpt alice@smtpdx.test \
        --ca-file "$W/tls/cert.pem" --json > "$W/probe-mx.json" 2>&1 || true
    jq -e '.mx.kind == "mx" and .mx.hosts[0].host == "down.smtpdx.test" and .mx.hosts[0].preference == 5
           and .mx.hosts[1].host == "mx.smtpdx.test" and .server == "mx.smtpdx.test" and .end == "done"
           and .tls.name_matches == true' "$W/probe-mx.json" >/dev/null ||
        bad probe-mx "smtpdx probe --mx: not MX order with fall-through (see $W/probe-mx.json)"
    "$SMTPDX_PROBE" probe --mx "implicit.test:$PF_PORT" --no-tls --json > "$W/probe-implicit.json" 2>&1 || true
    jq -e '.mx.kind == "implicit-mx" and .server == "implicit.test" and .end == "done"' \
        "$W/probe-implicit.json" >/dev/null ||
        bad probe-mx "smtpdx probe --mx: no implicit MX (see $W/probe-implicit.json)"
    rc=0
    "$SMTPDX_PROBE" probe --mx nx.test --json > "$W/probe-nx.json" 2>&1 || rc=$?
    [ "$rc" -eq 1 ] && jq -e '.mx.kind == "nxdomain"' "$W/probe-nx.json" >/dev/null ||
        bad probe-mx "smtpdx probe --mx nx.test: not nxdomain with exit 1 (see $W/probe-nx.json)"
    # --open-relay-test: Postfix relays for mynetworks (127.0.0.1) and for no
    # one else; nothing is sent (no DATA)
    rc=0
    "$SMTPDX_PROBE" probe "127.0.0.1:$PF_PORT" --no-tls --from sender@client.test --open-relay-test \
        --json > "$W/probe-relay-open.json" 2>&1 || rc=$?
    [ "$rc" -eq 1 ] && jq -e '.relay_test.verdict == "open" and .relay_test.accepted == 4' \
        "$W/probe-relay-open.json" >/dev/null ||
        bad probe-relay "smtpdx probe --open-relay-test from 127.0.0.1: not open (see $W/probe-relay-open.json)"
    rc=0
    "$SMTPDX_PROBE" probe "127.0.0.1:$PF_PORT" --no-tls --source 127.0.3.77 --helo mail.client.test \
        --from sender@client.test --open-relay-test --json > "$W/probe-relay-closed.json" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] && jq -e '.relay_test.verdict == "closed" and .relay_test.refused_as_relaying == 4' \
        "$W/probe-relay-closed.json" >/dev/null ||
        bad probe-relay "smtpdx probe --open-relay-test from 127.0.3.77: not closed (see $W/probe-relay-closed.json)"
    # AUTH PLAIN and LOGIN against Exim: accepted with the right password,
    # 535 with a wrong one; the password is in no output
    printf '%s\n' "$EX_AUTH_PASS" > "$W/auth-pass"
    printf 'wrong-%s\n' "$EX_AUTH_PASS" > "$W/auth-wrong"
    "$SMTPDX_PROBE" probe "127.0.0.1:$EX_PORT" --auth-user alice --auth-password-file "$W/auth-pass" \
        --json > "$W/probe-auth.json" 2>&1 || true
    "$SMTPDX_PROBE" probe "127.0.0.1:$EX_PORT" --auth-user alice --auth-password-file "$W/auth-pass" \
        --auth-login --json > "$W/probe-auth-login.json" 2>&1 || true
    rc=0
    "$SMTPDX_PROBE" probe "127.0.0.1:$EX_PORT" --auth-user alice --auth-password-file "$W/auth-wrong" \
        > "$W/probe-auth-wrong.txt" 2>&1 || rc=$?
    jq -e '.authenticated == true and .end == "done"' "$W/probe-auth.json" >/dev/null &&
    jq -e '.authenticated == true and .end == "done"' "$W/probe-auth-login.json" >/dev/null &&
    [ "$rc" -eq 1 ] && grep -q 'auth-failed' "$W/probe-auth-wrong.txt" && grep -q '535' "$W/probe-auth-wrong.txt" ||
        bad probe-auth "smtpdx probe --auth-user: not accepted/refused as expected (see $W/probe-auth*.json)"
    if grep -q -e "$EX_AUTH_PASS" "$W"/probe-auth*; then
        bad probe-auth "smtpdx probe printed the AUTH password"
    fi
    # Exim offers no STARTTLS here: --require-tls stops with no-starttls
    rc=0
    "$SMTPDX_PROBE" probe "127.0.0.1:$EX_PORT" --require-tls --json > "$W/probe-exim.json" 2>&1 || rc=$?
    [ "$rc" -eq 1 ] && jq -e '.end == "no-starttls" and .tls == null' "$W/probe-exim.json" >/dev/null ||
        bad probe-exim "smtpdx probe --require-tls: not no-starttls (see $W/probe-exim.json)"
    # --data: a message whose lines begin with "." (dot-stuffed on the way,
    # else Postfix would read "hidden" as a command) and whose last line has
    # no newline is queued (250), SIZE declared from the file; one whose
    # Subject header_checks refuses gets 550 5.7.1 at its end, explained
    printf 'From: sender@client.test\nTo: alice@smtpdx.test\nSubject: smtpdx probe\n\none\n.\n..two\n.hidden\nlast' \
        > "$W/probe-msg.eml"
    printf 'From: sender@client.test\nSubject: cheap watches\n\nbuy\n' > "$W/probe-spam.eml"
    rc=0
    "$SMTPDX_PROBE" probe "127.0.0.1:$PF_PORT" --from sender@client.test --rcpt alice@smtpdx.test \
        --ca-file "$W/tls/cert.pem" --data "$W/probe-msg.eml" --json > "$W/probe-data.json" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] && jq -e --arg size "$(wc -c < "$W/probe-msg.eml")" '
        .end == "done" and .refused == 0 and .message.accepted == true and .message.reply_code == 250
        and .message.bytes == 110
        and any(.steps[]; .from == "client" and .text == "MAIL FROM:<sender@client.test> SIZE=\($size)")
        and any(.steps[]; .from == "server" and (.text | startswith("250 2.0.0 Ok: queued as")))' \
        "$W/probe-data.json" >/dev/null ||
        bad probe-data "smtpdx probe --data: not queued with 250 (exit $rc, see $W/probe-data.json)"
    rc=0
    "$SMTPDX_PROBE" probe "127.0.0.1:$PF_PORT" --from sender@client.test --rcpt alice@smtpdx.test \
        --no-tls --data "$W/probe-spam.eml" > "$W/probe-spam.txt" 2>&1 || rc=$?
    [ "$rc" -eq 1 ] && grep -q 'message   refused: .* replied 550' "$W/probe-spam.txt" &&
        grep -q 'spam subject' "$W/probe-spam.txt" ||
        bad probe-data "smtpdx probe --data: the spam subject not refused at the end of data (see $W/probe-spam.txt)"
    # MAIL parameters as asked: SIZE over message_size_limit gets 552 5.3.4
    rc=0
    "$SMTPDX_PROBE" probe "127.0.0.1:$PF_PORT" --no-tls --from sender@client.test --rcpt alice@smtpdx.test \
        --size 200000 --body 8BITMIME --json > "$W/probe-size.json" 2>&1 || rc=$?
    [ "$rc" -eq 1 ] && jq -e '
        any(.steps[]; .from == "client" and .text == "MAIL FROM:<sender@client.test> SIZE=200000 BODY=8BITMIME")
        and any(.steps[]; .reply_code == 552 and (.text | contains("5.3.4")))' "$W/probe-size.json" >/dev/null ||
        bad probe-size "smtpdx probe --size 200000: no 552 5.3.4 (exit $rc, see $W/probe-size.json)"
    # many targets at once (--targets, one event loop): 24 sessions against
    # Postfix (STARTTLS, verified) and 6 against Exim, 8 at a time; each one
    # runs to its end with the 250 for alice; one NDJSON line per target
    : > "$W/probe-targets"
    for i in $(seq 24); do echo "127.0.0.1:$PF_PORT" >> "$W/probe-targets"; done
    for i in $(seq 6); do echo "127.0.0.1:$EX_PORT" >> "$W/probe-targets"; done
    rc=0
    "$SMTPDX_PROBE" probe --targets "$W/probe-targets" -c 8 --from sender@client.test --rcpt alice@smtpdx.test \
        --ca-file "$W/tls/cert.pem" --json > "$W/probe-many.json" 2>"$W/probe-many.err" || rc=$?
    [ "$rc" -eq 0 ] && [ "$(wc -l < "$W/probe-many.json")" -eq 30 ] &&
    jq -s -e --arg pf "127.0.0.1:$PF_PORT" --arg ex "127.0.0.1:$EX_PORT" '
        length == 30 and all(.[]; .end == "done" and .refused == 0) and
        ([.[] | select(.target == $pf and .tls.verified == true)] | length) == 24 and
        ([.[] | select(.target == $ex and .tls == null)] | length) == 6' \
        "$W/probe-many.json" >/dev/null ||
        bad probe-many "smtpdx probe --targets: not 30 sessions run to their end (exit $rc, see $W/probe-many.json)"
    log "smtpdx probe: Postfix with STARTTLS (verified, name matches, 550 5.1.1 explained), on 465 with TLS from the start, --mx in MX order, open-relay test (open for mynetworks, closed otherwise), AUTH PLAIN/LOGIN with Exim, Exim without STARTTLS, --data (dot-stuffed, queued; refused at its end), SIZE over the limit, 30 targets 8 at a time"
}

# run_dane - smtpdx probe --dane against Postfix (and Exim without
# STARTTLS) with the TLSA records of dnssec_zone.sh's signed dane.test,
# asked of its NSD with its trust anchor: each outcome of RFC 7672
run_dane() {
    [ -n "${SMTPDX_PROBE:-}" ] || return 0
    local d=("--resolver" "127.0.0.1@$DNSSEC_PORT" "--trust-anchor" "$W/dnssec/trust-anchor.txt") rc
    dane_case() {   # dane_case NAME TARGET WANT_EXIT JQ_TEST [ARGS...]
        local name=$1 target=$2 want=$3 test=$4 rc=0
        shift 4
        "$SMTPDX_PROBE" probe "$target" "${d[@]}" --from sender@client.test --rcpt alice@smtpdx.test --json "$@" \
            > "$W/dane-$name.json" 2>"$W/dane-$name.err" || rc=$?
        [ "$rc" -eq "$want" ] && jq -e "$test" "$W/dane-$name.json" >/dev/null ||
            bad "dane-$name" "smtpdx probe $target --dane: exit $rc (want $want) or not $test (see $W/dane-$name.json)"
    }
    dane_case matched "mx.dane.test:$PF_PORT" 0 '.end == "done" and .address == "127.0.0.1" and
        .dane.state == "matched" and .dane.matched.usage == 3 and .dane.matched.depth == 0 and
        .dane.sender_defers == false and .tls.verified == false' --dane
    dane_case smtps "mx.dane.test:$PF_SMTPS_PORT" 0 '.dane.state == "matched" and .tls.protocol != null' --dane
    dane_case mismatch "badmx.dane.test:$PF_PORT" 1 '.end == "done" and .dane.state == "mismatch" and
        .dane.sender_defers == true and (.dane.detail | test("TLSA"))' --dane
    dane_case bogus "bogusmx.dane.test:$PF_PORT" 1 '.dane.state == "bogus" and (.dane.detail | test("bogusmx"))' --dane
    dane_case none "nodane.dane.test:$PF_PORT" 0 '.end == "done" and .dane.state == "none"' --dane
    dane_case insecure "mx.insecure.test:$PF_PORT" 0 '.end == "done" and .dane.state == "insecure"' --dane
    dane_case notls "mx.dane.test:$EX_PORT" 1 '.end == "done" and .tls == null and .dane.state == "no-tls" and
        (.dane.detail | test("STARTTLS"))' --dane
    # --mx: DANE by default; the MX answer validated
    dane_case mx "good.dane.test:$PF_PORT" 0 '.mx.dnssec == true and .server == "mx.dane.test" and
        .dane.state == "matched"' --mx
    # several targets at once, each with its own TLSA lookup
    rc=0
    printf 'mx.dane.test:%s\nbadmx.dane.test:%s\nnodane.dane.test:%s\nmx.dane.test:%s\n' \
        "$PF_PORT" "$PF_PORT" "$PF_PORT" "$EX_PORT" > "$W/dane-targets"
    "$SMTPDX_PROBE" probe --targets "$W/dane-targets" -c 4 "${d[@]}" --dane --json > "$W/dane-many.json" \
        2>"$W/dane-many.err" || rc=$?
    [ "$rc" -eq 1 ] && jq -s -e --arg pf "$PF_PORT" --arg ex "$EX_PORT" '
        length == 4 and
        ([.[] | select(.target == ("mx.dane.test:" + $pf))][0].dane.state == "matched") and
        ([.[] | select(.target == ("badmx.dane.test:" + $pf))][0].dane.state == "mismatch") and
        ([.[] | select(.target == ("nodane.dane.test:" + $pf))][0].dane.state == "none") and
        ([.[] | select(.target == ("mx.dane.test:" + $ex))][0].dane.state == "no-tls")' "$W/dane-many.json" >/dev/null ||
        bad dane-many "smtpdx probe --targets --dane: not matched/mismatch/none/no-tls, or exit $rc != 1 (see $W/dane-many.json)"
    # the CA-verified view is kept beside DANE's: with --ca-file the chain verifies
    dane_case pkix "mx.dane.test:$PF_PORT" 0 '.dane.state == "matched" and .tls.verified == true' --dane \
        --ca-file "$W/tls/cert.pem"
    # text: the matched record and the DANE-EE note
    rc=0
    "$SMTPDX_PROBE" probe "mx.dane.test:$PF_PORT" "${d[@]}" --dane --color never > "$W/dane.txt" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] && grep -q 'DANE      matched TLSA 3 1 1 (DANE-EE) at depth 0' "$W/dane.txt" ||
        bad dane-text "smtpdx probe --dane: no 'matched TLSA 3 1 1' line (exit $rc, see $W/dane.txt)"
    log "smtpdx probe --dane: matched (25, 465, --mx), mismatch, bogus, none, insecure, no STARTTLS, CA view kept, 4 targets at once"
}

do_run_inside() {
    printf '#%s\n' "$(printf '%s\t' scenario mta direction stage reply_code status sender recipient \
        queue_id outcome client description | sed 's/\t$//')" > "$EXP"
    printf '#scenario\tmta\tsender\trecipient\tqueue_id\n' > "$ACC"
    run_postfix_inbound
    run_postfix_early
    run_exim_inbound
    run_exim_outbound
    run_sendmail_inbound
    run_sendmail_outbound
    run_postfix_outbound
    run_probe
    run_dane
    # let the DSNs of the bounces reach the sink
    sleep 1
    if [ -s "$W/exim/log/paniclog" ]; then bad exim "panic log is not empty: $(head -n3 "$W/exim/log/paniclog")"; fi
    local n
    n=$(grep -vc '^#' "$EXP" || true)
    if [ "$FAILED" -gt 0 ]; then
        die "$FAILED check(s) failed; $n scenarios in $EXP"
    fi
    log "ran $n refusal scenarios ($EXP) and $(grep -vc '^#' "$ACC") accepted messages ($ACC)"
}

do_run() {
    local ns
    ns=$(ns_name)
    if [ -z "$ns" ] || ! ip netns list | grep -qw "$ns"; then die "no namespace: run setup and start first"; fi
    # in the background, so that a signal reaches our trap at once; the
    # inner shell records its pid, so that stop can end a run in progress
    # shellcheck disable=SC2016
    ( exec 9>&-
      exec ip netns exec "$(ns_name)" bash -c 'echo $$ > "$0"; exec bash "$1" _run "$2"' \
          "$RUN/scenarios.pid" "$SELF" "$W" ) &
    wait $!
    rm -f "$RUN/scenarios.pid"
}

case $CMD in
    setup) do_setup ;;
    start) do_start ;;
    run) do_run ;;
    _run) do_run_inside ;;
    stop) do_stop ;;
    all)
        # one "all" at a time on a machine (shared: apt, /opt/smtpdx-it,
        # /etc/exim4/trusted_configs); a second one waits for the first
        lockf=/run/lock/smtpdx-it.lock
        [ -d /run/lock ] && [ -w /run/lock ] || lockf=/tmp/smtpdx-it.lock
        exec 9>"$lockf"
        if ! flock -w 600 9 2>/dev/null; then
            [ "$(id -u)" = 0 ] || skip "needs root (network namespace, Postfix and Exim daemons)"
            die "another harness run holds the lock for over 10 minutes"
        fi
        t0=$(date +%s)
        export HARNESS_ALL=1
        [ "$(id -u)" != 0 ] || reap_stale
        trap 'do_stop || true' EXIT
        trap 'exit 130' INT TERM
        do_setup
        do_start
        do_run
        do_stop
        trap - EXIT
        log "all done in $(( $(date +%s) - t0 ))s"
        ;;
    *) usage ;;
esac
