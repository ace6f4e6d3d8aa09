#!/bin/sh
# bench_bounce.sh - smtpdx bounce vs Sisimai on the Sisimai corpus, and
# against the DSNs real MTAs wrote; one run, medians
# Usage: bench/bench_bounce.sh [BUILD_DIR] [SHARED_DIR]   (RUNS=5 by default)
# Prints: agreement with the corpus's expectations per field (bench_bounce),
#   Sisimai 4.25's own agreement with the same expectations (its labels come
#   from a later Sisimai), messages/s of both parsers in the same run
#   (library: files in memory; command: `smtpdx bounce --ndjson` over the
#   files, process start and output included; Sisimai: Sisimai->make per
#   file, reading included), and the MTA-sample agreement.
set -u
build=${1:-build}
shared=${2:-../shared}
RUNS=${RUNS:-5}
here=$(cd "$(dirname "$0")" && pwd)
corpus=$shared/corpus/sisimai
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print 0}'; }

[ -f "$corpus/manifest.tsv" ] || { echo "bench_bounce.sh: no corpus at $corpus" >&2; exit 3; }
echo "== bounce: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
"$build/bench/bench_bounce" "$corpus" 1 > "$tmp/agree.txt"
sed -n '/^records/,/^smtpdx/p' "$tmp/agree.txt" | grep -v "^smtpdx"
for i in $(seq "$RUNS"); do "$build/bench/bench_bounce" "$corpus" 5 q | tail -1; done > "$tmp/lib.txt"
lib=$(sed -n 's/.*messages\/s: \([0-9]*\).*/\1/p' "$tmp/lib.txt" | median)
files=$(ls "$corpus"/eml/*.eml | wc -l)
for i in $(seq "$RUNS"); do
    s=$(date +%s.%N)
    "$build/smtpdx" bounce --ndjson -q "$corpus"/eml/*.eml > /dev/null
    e=$(date +%s.%N)
    awk "BEGIN {printf \"%.0f\n\", $files / ($e - $s)}"
done > "$tmp/cli.txt"
cli=$(median < "$tmp/cli.txt")
"$build/bench/bench_gmime" "$corpus"/eml/*.eml
echo "smtpdx library: $lib messages/s; smtpdx bounce --ndjson (command, $files files): $cli messages/s (medians of $RUNS)"
if ! perl -MSisimai -e1 2>/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsisimai-perl >/dev/null 2>&1
fi
if perl -MSisimai -e1 2>/dev/null; then
    perl "$here/peer/sisimai_bounce.pl" --repeat "$RUNS" --tsv "$tmp/sis.tsv" "$corpus"/eml/*.eml 2> "$tmp/sis.err"
    sis=$(sed -n 's/.*median messages\/s: \([0-9.]*\).*/\1/p' "$tmp/sis.err" | cut -d. -f1)
    # Sisimai 4.25's own agreement (old names mapped on both sides)
    awk -F'\t' -v c="$corpus/" '
        function norm(r) { if (r == "speeding" || r == "toomanyconn") return "ratelimited";
                           if (r == "mesgtoobig" || r == "exceedlimit") return "emailtoolarge"; return r }
        NR == FNR { sub(c, "", $1); got[$1 "#" $2] = norm($5) "\t" $3; next }
        FNR > 1 { n++; k = $1 "#" $4; split(got[k], g, "\t");
                  r += (g[1] == norm($7)); s += (g[2] == $5) }
        END { printf "sisimai 4.25 itself: reason %d = %.1f %%, status %d = %.1f %% of %d\n", r, 100*r/n, s, 100*s/n, n }' \
        "$tmp/sis.tsv" "$corpus/manifest.tsv"
    echo "sisimai Sisimai->make: $sis messages/s; smtpdx library $(awk "BEGIN {printf \"%.1f\", $lib / $sis}")x, command $(awk "BEGIN {printf \"%.1f\", $cli / $sis}")x"
else
    echo "sisimai: skipped (libsisimai-perl is not installed and we are not root)"
fi
/usr/bin/python3 "$here/bench_bounce_mta.py" "$build/smtpdx" "$shared" | tail -1
