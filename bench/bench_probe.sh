#!/bin/bash
# bench_probe.sh - smtpdx probe against swaks: N sessions (EHLO, STARTTLS,
# EHLO, MAIL, RCPT, QUIT) one after another against the integration
# harness's Postfix, in its loopback-only namespace. Needs root (the
# harness). Reports total wall time, sessions/s, peak RSS of one session,
# and the ratio. smtpdx has no many-target event loop yet, so both run
# their sessions sequentially, a process each.
# Usage: bench/bench_probe.sh BUILD_DIR [N]   (default N 1000)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
n=${2:-1000}
here=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d /tmp/smtpdx-bench-probe.XXXXXX)
trap 'bash "$here/../tests/integration/harness.sh" stop "$W" >/dev/null 2>&1 || true; rm -rf "$W"' EXIT
bash "$here/../tests/integration/harness.sh" setup "$W" >/dev/null 2>&1
bash "$here/../tests/integration/harness.sh" start "$W" >/dev/null 2>&1
ns=$(cat "$W/netns")
run() {  # run LABEL CMD...: N times in the namespace; prints "seconds sessions-that-exited-0"
    local t0 t1 ok
    shift
    t0=$(date +%s%N)
    ok=$(ip netns exec "$ns" bash -c 'ok=0; for i in $(seq "$0"); do "$@" >/dev/null 2>&1 && ok=$((ok + 1)); done; echo $ok' \
         "$n" "$@")
    t1=$(date +%s%N)
    awk -v a="$t0" -v b="$t1" -v ok="$ok" 'BEGIN { printf "%.2f %d", (b - a) / 1e9, ok }'
}
rss() {  # peak RSS in KB of one session
    ip netns exec "$ns" /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
}
sx=( "$build/smtpdx" probe 127.0.0.1 --from sender@client.test --rcpt alice@smtpdx.test --ca-file "$W/tls/cert.pem" )
sw=( swaks --server 127.0.0.1 --from sender@client.test --to alice@smtpdx.test --tls --quit-after RCPT
     --helo localhost )
# both must really do the TLS session once
out=$(ip netns exec "$ns" "${sx[@]}" 2>&1 || true)
grep -q 'chain     verified' <<<"$out" || { echo "bench_probe: smtpdx probe did not verify TLS: $out" >&2; exit 1; }
out=$(ip netns exec "$ns" "${sw[@]}" 2>&1 || true)
grep -q 'TLS started' <<<"$out" || { echo "bench_probe: swaks did not STARTTLS: $out" >&2; exit 1; }
read -r s_sx ok_sx <<<"$(run smtpdx "${sx[@]}")"
read -r s_sw ok_sw <<<"$(run swaks "${sw[@]}")"
# every session must have run to its end (exit 0): a rate limit or a
# refusal would make the figures meaningless
if [ "$ok_sx" != "$n" ] || [ "$ok_sw" != "$n" ]; then
    echo "bench_probe: sessions that completed: smtpdx $ok_sx, swaks $ok_sw of $n" >&2
    exit 1
fi
r_sx=$(rss "${sx[@]}")
r_sw=$(rss "${sw[@]}")
printf '| tool | sessions | wall s | sessions/s | peak RSS of one session (KB) |\n|---|---|---|---|---|\n'
awk -v n="$n" -v s="$s_sx" -v r="$r_sx" 'BEGIN { printf "| smtpdx probe | %d | %.2f | %.0f | %d |\n", n, s, n / s, r }'
awk -v n="$n" -v s="$s_sw" -v r="$r_sw" 'BEGIN { printf "| swaks | %d | %.2f | %.0f | %d |\n", n, s, n / s, r }'
awk -v a="$s_sx" -v b="$s_sw" 'BEGIN { printf "smtpdx probe is %.1fx faster than swaks in total\n", b / a }'
