#!/usr/bin/env bash
# dnssec_zone.sh - a DNSSEC-signed authoritative zone (NSD) for DANE tests
#
#   dnssec_zone.sh start NETNS WORKDIR CERT_PEM PORT
#   dnssec_zone.sh stop WORKDIR
#
# start  installs what is missing (nsd, ldnsutils, unbound-host, openssl), makes
#        a KSK and ZSK (ECDSAP256SHA256 = 13) for dane.test., signs it with
#        ldns-signzone (inception a day ago, expiry ten years ahead) and runs
#        a private NSD in the existing namespace NETNS on 127.0.0.1@PORT only:
#          dane.test. (signed)  ns mx badmx bogusmx nodane A 127.0.0.1,
#            good MX 10 mx; bogus MX 10 bogusmx; plain MX 10 nodane; _25._tcp.mx, _465._tcp.mx, _2526._tcp.mx (a port
#            whose server has no STARTTLS) TLSA 3 1 1 <SHA-256 of
#            CERT_PEM's SPKI>; _25._tcp.badmx TLSA 3 1 1 <wrong digest, but
#            signed: secure>; _25._tcp.bogusmx TLSA 3 1 1 <right digest, changed
#            after signing: bogus>; nodane has no TLSA
#          insecure.test. (unsigned)  mx A 127.0.0.1, _25._tcp.mx TLSA <right>
#        then checks through libunbound (unbound-host -C WORKDIR/dnssec/unbound.conf)
#        that each TLSA answer is secure, bogus or insecure as intended.
# stop   stops that NSD (WORKDIR/dnssec/nsd.pid); nothing else is touched.
#
# All files are in WORKDIR/dnssec/ (nsd.conf, nsd.pid, nsd.log, zones, keys,
# unbound.conf, trust-anchor.txt = the KSK's DS on one line).  The system's NSD
# is never started or changed: a temporary policy-rc.d keeps the package's
# postinst from starting it, and ours runs with -c WORKDIR/dnssec/nsd.conf (no
# database, no remote control, private zonelist/xfrd state, username "").
#
# libunbound equivalent of unbound.conf (checked with a C program; order
# matters, ub_ctx_zone_add() finalizes the context so it must come last):
#   ctx = ub_ctx_create();
#   ub_ctx_set_option(ctx, "do-not-query-localhost:", "no");
#   ub_ctx_set_stub(ctx, "dane.test", "127.0.0.1@PORT", 0);      /* same for */
#   ub_ctx_add_ta_file(ctx, "WORKDIR/dnssec/trust-anchor.txt"); /* insecure.test */
#   ub_ctx_zone_add(ctx, "dane.test", "transparent");           /* ditto */
#   ub_resolve(ctx, "_25._tcp.mx.dane.test", 52 /* TLSA */, 1 /* IN */, &res);
# gives havedata=1 secure=1 for mx (25, 465) and badmx; havedata=1 bogus=1 for
# bogusmx (why_bogus "ECDSA signature verification failed"); nxdomain=1
# secure=1 for _25._tcp.nodane; havedata=1 secure=0 bogus=0 (insecure) for
# mx.insecure.test.  Stub or forward: ub_ctx_set_fwd(ctx, "127.0.0.1@PORT")
# validates too, but it takes every name and sends RD=1; a stub queries NSD as
# the authoritative server it is (RD=0), per zone: use the stub.  Pitfall:
# "test." is a default local zone of unbound (NXDOMAIN, insecure) and a stub
# below it does not override it; a transparent local zone per served zone
# does (ub_ctx_set_option(ctx, "local-zone:", "dane.test. transparent") also
# works; "test. nodefault" works in a config file, not via ub_ctx_set_option).
# The default module-config is "validator iterator"; with no root anchor,
# names outside dane.test. are insecure without any domain-insecure.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

ZONE=dane.test
INSECURE=insecure.test

die() { echo "dnssec_zone.sh: error: $*" >&2; exit 1; }
log() { echo "dnssec_zone.sh: $*"; }

# Install packages that dpkg does not list as installed; no daemon is started.
ensure_packages() {
    local p missing=() rc_created=
    for p in nsd ldnsutils unbound-host openssl; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ ! -e /usr/sbin/policy-rc.d ]; then      # no daemon starts during install
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
        rc_created=1
    fi
    log "installing ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$D/apt.log" 2>&1; then
        [ -z "$rc_created" ] || rm -f /usr/sbin/policy-rc.d
        die "apt-get install ${missing[*]} failed (see $D/apt.log)"
    fi
    [ -z "$rc_created" ] || rm -f /usr/sbin/policy-rc.d
    [ ! -s /run/nsd/nsd.pid ] || log "system nsd running (pid $(cat /run/nsd/nsd.pid)): left alone"
}

# SHA-256 (hex) of the DER SubjectPublicKeyInfo of a PEM certificate.
spki_sha256() {
    local der
    der=$(openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum) ||
        die "cannot read a public key from $1"
    echo "${der%% *}"
}

write_zones() {
    local good=$1 wrong=$2; cat >"$D/$ZONE.zone" <<EOF
\$ORIGIN $ZONE.
\$TTL 300
@               SOA   ns.$ZONE. hostmaster.$ZONE. 1 3600 600 86400 300
@               NS    ns.$ZONE.
ns              A     127.0.0.1
mx              A     127.0.0.1
good            MX    10 mx.$ZONE.
bogus           MX    10 bogusmx.$ZONE.
plain           MX    10 nodane.$ZONE.
_25._tcp.mx     TLSA  3 1 1 $good
_465._tcp.mx    TLSA  3 1 1 $good
_2526._tcp.mx   TLSA  3 1 1 $good
badmx           A     127.0.0.1
_25._tcp.badmx  TLSA  3 1 1 $wrong
bogusmx         A     127.0.0.1
_25._tcp.bogusmx TLSA 3 1 1 $good
nodane          A     127.0.0.1
EOF
    cat >"$D/$INSECURE.zone" <<EOF
\$ORIGIN $INSECURE.
\$TTL 300
@               SOA   ns.$INSECURE. hostmaster.$INSECURE. 1 3600 600 86400 300
@               NS    ns.$INSECURE.
ns              A     127.0.0.1
mx              A     127.0.0.1
_25._tcp.mx     TLSA  3 1 1 $good
EOF
}

# KSK + ZSK, sign, break bogusmx's TLSA, write the trust anchor (KSK's DS).
sign_zone() {
    local ksk zsk inception expiry good=$1 flipped; rm -rf "$D/keys"; mkdir "$D/keys"
    ksk=$(cd "$D/keys" && ldns-keygen -a ECDSAP256SHA256 -k "$ZONE.") || die "ldns-keygen (KSK) failed"
    zsk=$(cd "$D/keys" && ldns-keygen -a ECDSAP256SHA256 "$ZONE.") || die "ldns-keygen (ZSK) failed"
    inception=$(date -u -d '1 day ago' +%Y%m%d%H%M%S); expiry=$(date -u -d '10 years' +%Y%m%d%H%M%S)
    ldns-signzone -o "$ZONE." -i "$inception" -e "$expiry" -f "$D/$ZONE.zone.signed" \
        "$D/$ZONE.zone" "$D/keys/$zsk" "$D/keys/$ksk" || die "ldns-signzone failed"
    # one hex digit changed: the RRSIG no longer matches -> bogus
    flipped=$( [ "${good:0:1}" = 0 ] && echo 1 || echo 0 )${good:1}
    sed -i "/^_25\._tcp\.bogusmx\.$ZONE\.[[:space:]].*TLSA/s/$good/$flipped/I" "$D/$ZONE.zone.signed"
    grep -qi "$flipped" "$D/$ZONE.zone.signed" || die "could not alter bogusmx TLSA in the signed zone"
    tr -s ' \t' ' ' <"$D/keys/$ksk.ds" | head -n1 >"$D/trust-anchor.txt"
    grep -q " DS [0-9]* 13 2 " "$D/trust-anchor.txt" || die "unexpected DS: $(cat "$D/trust-anchor.txt")"
}

write_configs() {
    cat >"$D/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$PORT
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$D"
    database: ""
    zonelistfile: "$D/zone.list"
    xfrdfile: "$D/xfrd.state"
    xfrdir: "$D"
    pidfile: "$D/nsd.pid"
    logfile: "$D/nsd.log"
remote-control:
    control-enable: no
zone:
    name: "$ZONE"
    zonefile: "$D/$ZONE.zone.signed"
zone:
    name: "$INSECURE"
    zonefile: "$D/$INSECURE.zone"
EOF
    cat >"$D/unbound.conf" <<EOF
server:
    do-not-query-localhost: no
    trust-anchor-file: "$D/trust-anchor.txt"
    module-config: "validator iterator"
    local-zone: "$ZONE." transparent
    local-zone: "$INSECURE." transparent
stub-zone:
    name: "$ZONE"
    stub-addr: 127.0.0.1@$PORT
stub-zone:
    name: "$INSECURE"
    stub-addr: 127.0.0.1@$PORT
EOF
}

start_nsd() {
    if ! { nsd-checkconf "$D/nsd.conf" && nsd-checkzone "$ZONE" "$D/$ZONE.zone.signed" &&
           nsd-checkzone "$INSECURE" "$D/$INSECURE.zone"; } >/dev/null; then
        die "nsd-checkconf/nsd-checkzone failed"
    fi
    ip netns exec "$NETNS" nsd -c "$D/nsd.conf" || die "nsd did not start (see $D/nsd.log)"
    for _ in $(seq 50); do
        if ip netns exec "$NETNS" drill -Q -p "$PORT" @127.0.0.1 SOA "$ZONE" 2>/dev/null | grep -q .; then
            [ -s "$D/nsd.pid" ] || die "nsd answers but wrote no pid file"
            log "nsd (pid $(cat "$D/nsd.pid")) serves $ZONE and $INSECURE on 127.0.0.1@$PORT in $NETNS"
            return 0
        fi
        sleep 0.1
    done
    die "nsd does not answer on 127.0.0.1@$PORT in $NETNS (see $D/nsd.log)"
}

# NAME EXPECTED: resolve TLSA with unbound-host; it prints "(secure)",
# "(insecure)" or "(BOGUS (security failure))".
check_tlsa() {
    local out
    out=$(timeout 30 ip netns exec "$NETNS" unbound-host -C "$D/unbound.conf" -v -t TLSA "$1" 2>&1) || true
    printf '%s\n' "$out" | sed 's/^/  /'
    printf '%s\n' "$out" | grep -qiF "($2" || die "TLSA $1: expected ($2)"
}

stop_nsd() {
    local pid
    pid=$(cat "$D/nsd.pid" 2>/dev/null) || return 0
    if kill -0 "$pid" 2>/dev/null && grep -q nsd "/proc/$pid/comm" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        ! kill -0 "$pid" 2>/dev/null || die "nsd (pid $pid) did not exit"
        log "stopped nsd (pid $pid)"
    fi
    rm -f "$D/nsd.pid"
}

case "${1:-}" in
start)
    [ $# -eq 5 ] || die "usage: $0 start NETNS WORKDIR CERT_PEM PORT"
    NETNS=$2; D=$3/dnssec; CERT=$4; PORT=$5
    [ "$(id -u)" -eq 0 ] || die "needs root (ip netns exec, apt-get)"
    [[ "$PORT" =~ ^[1-9][0-9]{0,4}$ && "$PORT" -lt 65536 ]] || die "bad PORT: $PORT"
    [ -r "$CERT" ] || die "cannot read CERT_PEM $CERT"
    [ -e "/run/netns/$NETNS" ] || die "no network namespace $NETNS"
    mkdir -p "$D"; D=$(cd "$D" && pwd)
    stop_nsd
    ensure_packages
    good=$(spki_sha256 "$CERT")
    wrong=$(printf 'not the SPKI of CERT_PEM' | sha256sum); wrong=${wrong%% *}
    write_zones "$good" "$wrong"
    sign_zone "$good"
    write_configs
    start_nsd
    trap 'echo "dnssec_zone.sh: stopping nsd after the failure" >&2; stop_nsd' EXIT
    log "trust anchor: $(cat "$D/trust-anchor.txt")"
    log "validation through libunbound (unbound-host -C $D/unbound.conf):"
    check_tlsa "_25._tcp.mx.$ZONE" secure
    check_tlsa "_465._tcp.mx.$ZONE" secure
    check_tlsa "_25._tcp.badmx.$ZONE" secure
    check_tlsa "_25._tcp.bogusmx.$ZONE" bogus
    check_tlsa "_25._tcp.nodane.$ZONE" secure
    check_tlsa "_25._tcp.mx.$INSECURE" insecure
    trap - EXIT
    log "ready"
    ;;
stop)
    [ $# -eq 2 ] || die "usage: $0 stop WORKDIR"
    D=$2/dnssec; stop_nsd ;;
*)  die "usage: $0 start NETNS WORKDIR CERT_PEM PORT | stop WORKDIR" ;;
esac
