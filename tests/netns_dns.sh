#!/usr/bin/env bash
# netns_dns.sh - run a Python test or benchmark that serves its own DNS
# zones (unbound on 127.0.0.1:53, tests/spf/run_suite.py's Unbound) inside a
# network namespace made for it, whose resolv.conf names 127.0.0.1
#   netns_dns.sh SCRIPT SMTPDX [--peers] [SCRIPT'S OPTIONS]
# SCRIPT is called as SCRIPT --smtpdx SMTPDX [options], with SMTPDX_NETNS
# set to the namespace's name: tests/spf/run_suite.py (the RFC 7208 suite,
# also as tests/spf/run.sh), tests/dnsbl/run_dnsbl.py,
# tests/check/run_check.py, bench/bench_spf.py, bench/bench_dnsbl.py.
# Needs root; exits 77 (skipped, with the reason) without it. Installs
# unbound and python3-yaml when missing, and with --peers python3-spf and
# spfquery; no daemon is started by the packages.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SCRIPT=$(readlink -f "${1:?usage: netns_dns.sh SCRIPT SMTPDX [--peers] [options]}")
SMTPDX=$(readlink -f "${2:?usage: netns_dns.sh SCRIPT SMTPDX [--peers] [options]}")
shift 2
if [ "$(id -u)" != 0 ]; then
    echo "$(basename "$SCRIPT"): SKIPPED: needs root (a network namespace with unbound on 127.0.0.1:53)"
    exit 77
fi
want=(unbound python3-yaml)
case " $* " in *" --peers "*) want+=(python3-spf spfquery) ;; esac
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    rc_created=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
        rc_created=1
    fi
    echo "$(basename "$SCRIPT"): installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" > /tmp/smtpdx-dns-apt.log 2>&1 ||
        { [ -z "$rc_created" ] || rm -f /usr/sbin/policy-rc.d; echo "apt-get failed: see /tmp/smtpdx-dns-apt.log"; exit 3; }
    [ -z "$rc_created" ] || rm -f /usr/sbin/policy-rc.d
fi
NS=smtpdx-dns-$$
cleanup() {
    ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "/etc/netns/$NS"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
# the peers' stub resolvers read resolv.conf: inside, it names our unbound
mkdir -p "/etc/netns/$NS"
echo "nameserver 127.0.0.1" > "/etc/netns/$NS/resolv.conf"
export SMTPDX_NETNS=$NS
ip netns exec "$NS" /usr/bin/python3 "$SCRIPT" --smtpdx "$SMTPDX" "$@"
