#!/bin/sh
# bench_watch.sh - smtpdx watch under load, against postfix_exporter, same run
# Usage: bench/bench_watch.sh [BUILD_DIR] [SHARED_DIR] [LINES]   (default 1000000)
# Generates a Postfix log of LINES lines (../shared/bench/gen-maillog.py,
# seed 42), starts each follower on an empty file, appends the whole log at
# once and times until the follower has read it all:
#   smtpdx watch   until smtpdx_lines_read_total reaches LINES;
#   postfix_exporter (Debian's prometheus-postfix-exporter, the named peer)
#                  until postfix_cleanup_messages_processed_total reaches
#                  the number of cleanup message-id lines (it exports no
#                  line count; cleanup lines are spread over the whole log).
# Reports lines/s, peak RSS (VmHWM), smtpdx's lag at the end; medians of RUNS.
# SKIP_PEER=1 times smtpdx alone (the peer takes minutes on large logs).
set -u
build=${1:-build}
shared=${2:-../shared}
n=${3:-1000000}
RUNS=${RUNS:-3}
work=${WORK:-/tmp/smtpdx-bench-watch}
mkdir -p "$work"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
log=$work/gen-$n.log
[ -s "$log" ] || python3 "$shared/bench/gen-maillog.py" --lines "$n" --seed 42 > "$log"
cat "$log" > /dev/null                                   # warm the page cache
cleanups=$(grep -c 'postfix/cleanup\[[0-9]*\]: [0-9A-Za-z]*: message-id=' "$log")

metric() { curl -s "$1/metrics" | awk -v m="$2" '$1 == m || index($1, m "{") == 1 { s += $2 } END { print s + 0 }'; }

# follow LABEL URL METRIC WANT CMD...: start CMD, append, wait, print "secs rss_kb"
follow() {
    label=$1 url=$2 m=$3 want=$4; shift 4
    : > "$work/$label.log"
    "$@" > "$work/$label.out" 2>&1 &
    pid=$!
    i=0
    until curl -s "$url/metrics" > /dev/null 2>&1; do i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1; done
    t0=$(now)
    cat "$log" >> "$work/$label.log"
    while [ "$(metric "$url" "$m")" -lt "$want" ]; do
        sleep 0.05
        if [ "$(echo "$(now) - $t0 > 300" | bc)" = 1 ]; then echo "$label: timeout" >&2; break; fi
    done
    t1=$(now)
    rss=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
    lag=$(metric "$url" smtpdx_lag_seconds)
    kill "$pid"; wait "$pid" 2>/dev/null
    echo "$(echo "$t1 - $t0" | bc) $rss $lag"
}

echo "== watch: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); $n lines, $RUNS runs"
: > "$work/smtpdx.times"; : > "$work/peer.times"
for i in $(seq "$RUNS"); do
    follow smtpdx http://127.0.0.1:19633 smtpdx_lines_read_total "$n" \
        "$build/smtpdx" watch --state none --from-start --listen 127.0.0.1:19633 "$work/smtpdx.log" >> "$work/smtpdx.times"
    if [ "${SKIP_PEER:-0}" != 1 ] && command -v prometheus-postfix-exporter > /dev/null 2>&1; then
        follow peer http://127.0.0.1:19154 postfix_cleanup_messages_processed_total "$cleanups" \
            prometheus-postfix-exporter --web.listen-address=127.0.0.1:19154 \
            --postfix.logfile_path="$work/peer.log" >> "$work/peer.times"
    fi
done
s=$(awk '{print $1}' "$work/smtpdx.times" | median); r=$(awk '{print $2}' "$work/smtpdx.times" | median)
lag=$(awk '{print $3}' "$work/smtpdx.times" | median)
echo "smtpdx watch: $(echo "$n / $s" | bc) lines/s, peak RSS $((r / 1024)) MB (median of $RUNS: ${s}s); smtpdx_lag_seconds at the end ${lag} (the generated log's stamps are old: lag is now minus the last line's time)"
if [ -s "$work/peer.times" ]; then
    ps=$(awk '{print $1}' "$work/peer.times" | median); pr=$(awk '{print $2}' "$work/peer.times" | median)
    echo "postfix_exporter: $(echo "$n / $ps" | bc) lines/s, peak RSS $((pr / 1024)) MB (median of $RUNS: ${ps}s)"
    echo "ratio: smtpdx $(echo "scale=1; $ps / $s" | bc)x faster"
else
    echo "postfix_exporter: skipped (SKIP_PEER=1, or prometheus-postfix-exporter is not installed)"
fi
