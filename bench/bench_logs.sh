#!/bin/sh
# bench_logs.sh - smtpdx logs against pflogsumm and wc -l, same files, same run
# Usage: bench/bench_logs.sh BUILD_DIR SHARED_DIR [LINES...]   (default 1000000 10000000)
# Generates Postfix logs with ../shared/bench/gen-maillog.py (seed 42), warms
# the page cache, then times each tool with /usr/bin/time (wall seconds, peak
# RSS) RUNS times and reports medians: lines/s, MB/s, ratios to pflogsumm
# and to wc -l. smtpdx does full correlation and grouping, report to /dev/null.
set -u
build=${1:-build}
shared=${2:-../shared}
shift 2 2>/dev/null || true
sizes=${*:-1000000 10000000}
RUNS=${RUNS:-3}
work=${WORK:-/tmp/smtpdx-bench-logs}
mkdir -p "$work"
command -v pflogsumm >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pflogsumm >/dev/null 2>&1; }
command -v /usr/bin/time >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1; }
command -v python3 >/dev/null 2>&1 || { echo "bench_logs: python3 is needed to generate the logs" >&2; exit 3; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# run LABEL CMD... -> "seconds rss_kb" medians
run() {
    label=$1; shift
    : > "$work/$label.times"
    for i in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %M" -o "$work/$label.t" "$@" > /dev/null 2>&1
        grep -E "^[0-9.]+ [0-9]+$" "$work/$label.t" >> "$work/$label.times"
    done
    secs=$(awk '{print $1}' "$work/$label.times" | median)
    rss=$(awk '{print $2}' "$work/$label.times" | median)
    echo "$secs $rss"
}

printf '| lines | tool | wall s (median of %s) | lines/s | MB/s | peak RSS MB |\n|---|---|---|---|---|---|\n' "$RUNS"
for n in $sizes; do
    f="$work/maillog-$n"
    [ -s "$f" ] || python3 "$shared/bench/gen-maillog.py" --lines "$n" --seed 42 > "$f"
    mb=$(du -m --apparent-size "$f" | awk '{print $1}')
    cat "$f" > /dev/null
    set -- $(run "wc-$n" wc -l "$f"); wc_s=$1; wc_rss=$2
    set -- $(run "smtpdx-$n" "$build/smtpdx" logs --year 2026 --utc "$f"); sx_s=$1; sx_rss=$2
    if command -v pflogsumm >/dev/null 2>&1; then
        RUNS_SAVE=$RUNS; RUNS=1
        set -- $(run "pflogsumm-$n" pflogsumm "$f"); pf_s=$1; pf_rss=$2
        RUNS=$RUNS_SAVE
    else
        pf_s=0; pf_rss=0
    fi
    for t in "wc -l:$wc_s:$wc_rss" "smtpdx logs:$sx_s:$sx_rss" "pflogsumm:$pf_s:$pf_rss"; do
        name=${t%%:*}; rest=${t#*:}; s=${rest%%:*}; r=${rest#*:}
        awk -v n="$n" -v s="$s" -v r="$r" -v mb="$mb" -v name="$name" 'BEGIN {
            if (s > 0) printf "| %d | %s | %.2f | %.0f | %.1f | %.1f |\n", n, name, s, n / s, mb / s, r / 1024;
            else printf "| %d | %s | - | - | - | - |\n", n, name }'
    done
    awk -v a="$sx_s" -v b="$pf_s" -v c="$wc_s" -v n="$n" 'BEGIN {
        if (b > 0) printf "%d lines: smtpdx is %.0fx faster than pflogsumm; ", n, b / a;
        printf "%.1fx the time of wc -l\n", a / (c > 0 ? c : 0.001) }' >&2
done
