#!/usr/bin/env bash
# run.sh - the RFC 7208 SPF suite against a real unbound in a network
# namespace of its own (run_suite.py says how); CTest's integration.spf
#   run.sh SMTPDX [--peers] [--json OUT] [--verbose] [--only TEST]
# Needs root (a namespace, unbound on 127.0.0.1:53 inside it); exits 77
# (skipped, with the reason) without it. Installs unbound
# and python3-yaml when missing, and with --peers python3-spf and
# spfquery; no daemon is started by the packages. SPF_SCRIPT=FILE runs
# another script in the same namespace (tests/dnsbl/run_dnsbl.py,
# bench/bench_spf.py, bench/bench_dnsbl.py).
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SMTPDX=$(readlink -f "${1:?usage: run.sh SMTPDX [--peers] [--json OUT]}")
shift
if [ "$(id -u)" != 0 ]; then
    echo "integration.spf: SKIPPED: needs root (a network namespace with unbound on 127.0.0.1:53)"
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
    echo "integration.spf: installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" > /tmp/smtpdx-spf-apt.log 2>&1 ||
        { [ -z "$rc_created" ] || rm -f /usr/sbin/policy-rc.d; echo "apt-get failed: see /tmp/smtpdx-spf-apt.log"; exit 3; }
    [ -z "$rc_created" ] || rm -f /usr/sbin/policy-rc.d
fi
NS=smtpdx-spf-$$
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
ip netns exec "$NS" /usr/bin/python3 "${SPF_SCRIPT:-$HERE/run_suite.py}" --smtpdx "$SMTPDX" "$@"
