#!/bin/sh
# run.sh - every benchmark and its peer in one run; medians of RUNS runs
# Usage: bench/run.sh [BUILD_DIR] [SHARED_DIR]   (make bench)
# Peers: Sisimai (Debian libsisimai-perl, Sisimai::Reason->match on the same
# reply texts) and isemail (npm, on the same address tables). They are
# installed when missing and we are root; otherwise they are skipped, said.
# Machine noise: each figure is the median of RUNS runs of SECONDS each.
set -u
build=${1:-build}
shared=${2:-../shared}
RUNS=${RUNS:-5}
SECONDS_EACH=${SECONDS_EACH:-1}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT

[ -d "$shared/corpus/sisimai" ] || { echo "run.sh: no corpus at $shared/corpus (give SHARED_DIR)" >&2; exit 3; }

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print 0}'; }
rate() { sed -n "s/.*= \([0-9]*\) [a-z]*\/s ($1.*/\1/p"; }

echo "== machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(uname -r)"
echo "== runs: $RUNS x ${SECONDS_EACH}s, medians"
echo

# ---- classifier vs Sisimai ---------------------------------------------------
"$build/bench/bench_classify" "$shared/corpus/sisimai" "$SECONDS_EACH" "$tmp/texts.tsv" > "$tmp/classify.txt"
grep -E "^records|^agreement" "$tmp/classify.txt"
for i in $(seq "$RUNS"); do "$build/bench/bench_classify" "$shared/corpus/sisimai" "$SECONDS_EACH"; done > "$tmp/cl.txt"
pc=$(rate "parse" < "$tmp/cl.txt" | median)
co=$(rate "classify only" < "$tmp/cl.txt" | median)
echo "smtpdx parse+classify: $pc replies/s; classify only: $co replies/s"
if ! perl -MSisimai -e1 2>/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsisimai-perl >/dev/null 2>&1
fi
if perl -MSisimai -e1 2>/dev/null; then
    perl "$here/peer/sisimai.pl" "$tmp/texts.tsv" "$SECONDS_EACH" | head -1
    for i in $(seq "$RUNS"); do perl "$here/peer/sisimai.pl" "$tmp/texts.tsv" "$SECONDS_EACH" | tail -1; done > "$tmp/sis.txt"
    ps=$(sed -n 's/.*= \([0-9]*\) replies\/s.*/\1/p' "$tmp/sis.txt" | median)
    echo "sisimai Sisimai::Reason->match: $ps replies/s; smtpdx parse+classify is $(awk "BEGIN {printf \"%.0f\", $pc / $ps}")x faster"
else
    echo "sisimai: skipped (libsisimai-perl is not installed and we are not root)"
fi
echo

# ---- address validator vs isemail ----------------------------------------------
"$build/bench/bench_address" "$shared/corpus/address" "$SECONDS_EACH" > "$tmp/address.txt"
grep -E "^(overall|three-way|isemail|skeggse)" "$tmp/address.txt" | head -8
for i in $(seq "$RUNS"); do "$build/bench/bench_address" "$shared/corpus/address" "$SECONDS_EACH" | grep "all 655"; done > "$tmp/ad.txt"
pa=$(sed -n 's/.*: \([0-9]*\) addresses\/s.*/\1/p' "$tmp/ad.txt" | median)
echo "smtpdx address, all 655 rows: $pa addresses/s"
if [ ! -d "$here/peer/node_modules/isemail" ] && command -v npm >/dev/null 2>&1; then
    (cd "$here/peer" && npm install --no-audit --no-fund --silent >/dev/null 2>&1)
fi
if [ -d "$here/peer/node_modules/isemail" ] && command -v node >/dev/null 2>&1; then
    node "$here/peer/isemail.js" "$shared/corpus/address" "$SECONDS_EACH" | head -1
    for i in $(seq "$RUNS"); do node "$here/peer/isemail.js" "$shared/corpus/address" "$SECONDS_EACH" | tail -1; done > "$tmp/ie.txt"
    pi=$(sed -n 's/.*= \([0-9]*\) addresses\/s.*/\1/p' "$tmp/ie.txt" | median)
    echo "isemail: $pi addresses/s; smtpdx is $(awk "BEGIN {printf \"%.1f\", $pa / $pi}")x faster"
else
    echo "isemail: skipped (no node/npm, or the package could not be installed)"
fi

# ---- bounce messages vs Sisimai (issue 6) -----------------------------------------
echo
RUNS=$RUNS sh "$here/bench_bounce.sh" "$build" "$shared"
