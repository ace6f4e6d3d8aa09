#!/bin/bash
# bench_probe.sh - smtpdx probe against swaks: N sessions (EHLO, STARTTLS,
# EHLO, MAIL, RCPT accepted, QUIT; smtpdx also RSET) against the
# integration harness's Postfix, in its loopback-only namespace. Needs root
# (the harness).
#
#   bench/bench_probe.sh BUILD_DIR [N [CONCURRENCY]]   (defaults 1000, 50)
#   RUNS=3 (default): runs of each; the table gives the median
#
# smtpdx runs the N sessions as one `probe --targets FILE -c CONCURRENCY`
# (one process, one epoll loop); swaks, which has no many-target mode, runs
# them one after another, a process each (what a person scripting swaks
# does). For reference, smtpdx is also run one session per process, like
# swaks. Memory: peak RSS (GNU time's %M) of the one many-target process,
# and of the same run with concurrency 1: the difference divided by
# CONCURRENCY is what a session in flight costs.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
n=${2:-1000}
conc=${3:-50}
runs=${RUNS:-3}
here=$(cd "$(dirname "$0")" && pwd)
# the peer and the meter, from Debian: swaks, Net::SSLeay for its --tls, GNU time
missing=()
for p in swaks libnet-ssleay-perl time; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || { echo "bench_probe: needs root, and ${missing[*]} (apt-get install)" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null ||
        { echo "bench_probe: apt-get install ${missing[*]} failed" >&2; exit 1; }
fi
W=$(mktemp -d /tmp/smtpdx-bench-probe.XXXXXX)
trap 'bash "$here/../tests/integration/harness.sh" stop "$W" >/dev/null 2>&1 || true; rm -rf "$W"' EXIT
bash "$here/../tests/integration/harness.sh" setup "$W" >/dev/null 2>&1
bash "$here/../tests/integration/harness.sh" start "$W" >/dev/null 2>&1
ns=$(cat "$W/netns")
for i in $(seq "$n"); do echo 127.0.0.1; done > "$W/targets"
common=( --from sender@client.test --rcpt alice@smtpdx.test --ca-file "$W/tls/cert.pem" )
sx=( "$build/smtpdx" probe 127.0.0.1 "${common[@]}" )
sw=( swaks --server 127.0.0.1 --from sender@client.test --to alice@smtpdx.test --tls --quit-after RCPT
     --helo localhost )
# both must really do the TLS session once
out=$(ip netns exec "$ns" "${sx[@]}" 2>&1 || true)
grep -q 'chain     verified' <<<"$out" || { echo "bench_probe: smtpdx probe did not verify TLS: $out" >&2; exit 1; }
out=$(ip netns exec "$ns" "${sw[@]}" 2>&1 || true)
grep -q 'TLS started' <<<"$out" || { echo "bench_probe: swaks did not STARTTLS: $out" >&2; exit 1; }

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
sequential() {  # sequential CMD...: N processes one after another; prints "seconds ok"
    local t0 ok
    t0=$(now)
    ok=$(ip netns exec "$ns" bash -c 'ok=0; for i in $(seq "$0"); do "$@" >/dev/null 2>&1 && ok=$((ok + 1)); done; echo $ok' \
         "$n" "$@")
    echo "$(secs "$t0" "$(now)") $ok"
}
many() {  # many C: one --targets run; prints "seconds ok peak-RSS-KB"
    local t0 s rss ok
    t0=$(now)
    ip netns exec "$ns" /usr/bin/time -f %M -o "$W/rss" "$build/smtpdx" probe --targets "$W/targets" -c "$1" \
        "${common[@]}" --json > "$W/many.json" 2>"$W/many.err" || true
    s=$(secs "$t0" "$(now)")
    rss=$(tail -1 "$W/rss")
    ok=$(grep -c '"end":"done","detail":null' "$W/many.json" || true)
    echo "$s $ok $rss"
}
: > "$W/t_many"; : > "$W/t_seq"; : > "$W/t_sw"; : > "$W/r_many"; : > "$W/r_one"
for r in $(seq "$runs"); do
    read -r s ok rss <<<"$(many "$conc")"
    [ "$ok" = "$n" ] || { echo "bench_probe: smtpdx --targets: $ok of $n sessions done ($W/many.json)" >&2; exit 1; }
    echo "$s" >> "$W/t_many"; echo "$rss" >> "$W/r_many"
    read -r s ok rss <<<"$(many 1)"
    [ "$ok" = "$n" ] || { echo "bench_probe: smtpdx --targets -c 1: $ok of $n sessions done" >&2; exit 1; }
    echo "$rss" >> "$W/r_one"
    read -r s ok <<<"$(sequential "${sx[@]}")"
    [ "$ok" = "$n" ] || { echo "bench_probe: smtpdx sequential: $ok of $n sessions exited 0" >&2; exit 1; }
    echo "$s" >> "$W/t_seq"
    read -r s ok <<<"$(sequential "${sw[@]}")"
    [ "$ok" = "$n" ] || { echo "bench_probe: swaks: $ok of $n sessions exited 0" >&2; exit 1; }
    echo "$s" >> "$W/t_sw"
    echo "run $r: smtpdx -c $conc $(tail -1 "$W/t_many") s, smtpdx sequential $(tail -1 "$W/t_seq") s, swaks $s s" >&2
done
t_many=$(median < "$W/t_many"); t_seq=$(median < "$W/t_seq"); t_sw=$(median < "$W/t_sw")
r_many=$(median < "$W/r_many"); r_one=$(median < "$W/r_one")
r_sw=$(ip netns exec "$ns" /usr/bin/time -f %M "${sw[@]}" 2>&1 >/dev/null | tail -1)
r_sx=$(ip netns exec "$ns" /usr/bin/time -f %M "${sx[@]}" 2>&1 >/dev/null | tail -1)
echo "$n sessions, median of $runs runs"
printf '| tool | how | wall s | sessions/s | peak RSS (KB) |\n|---|---|---|---|---|\n'
awk -v n="$n" -v c="$conc" -v s="$t_many" -v r="$r_many" \
    'BEGIN { printf "| smtpdx probe | one process, --targets, -c %d | %.2f | %.0f | %d |\n", c, s, n / s, r }'
awk -v n="$n" -v s="$t_seq" -v r="$r_sx" \
    'BEGIN { printf "| smtpdx probe | a process per session, one after another | %.2f | %.0f | %d (each) |\n", s, n / s, r }'
awk -v n="$n" -v s="$t_sw" -v r="$r_sw" \
    'BEGIN { printf "| swaks | a process per session, one after another | %.2f | %.0f | %d (each) |\n", s, n / s, r }'
awk -v a="$t_many" -v b="$t_sw" -v c="$t_seq" \
    'BEGIN { printf "smtpdx --targets is %.1fx faster than swaks in total (%.1fx one process per session)\n", b / a, b / c }'
awk -v m="$r_many" -v o="$r_one" -v c="$conc" \
    'BEGIN { printf "per concurrent session: (%d - %d KB at -c 1) / %d = %.1f KB\n", m, o, c, (m - o) / c }'
