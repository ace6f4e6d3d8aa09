#!/bin/sh
# check_scenarios.sh - does smtpdx logs find every refusal of the shared
# MTA samples? For each scenario of ../shared/mta-samples/scenarios.tsv that
# an MTA refused (rejected_by: our-server-inbound, remote-server-outbound,
# our-server-local-delivery, our-server-dns-routing), runs `smtpdx logs
# --ndjson` on the scenario's own log lines and looks for an event with the
# observed reply code (when one was observed), the observed enhanced status
# (when one was observed: the reply's own, or the one the MTA decided, its
# dsn=) and, when the event names a queue id, one of the scenario's queue
# ids. Reports found/missing per MTA and lists the misses.
# Usage: bench/check_scenarios.sh BUILD_DIR SHARED_DIR [MTA...]
set -u
build=${1:-build}
shared=${2:-../shared}
shift 2 2>/dev/null || true
mtas=${*:-postfix exim opensmtpd}
dir=$shared/mta-samples
command -v jq >/dev/null 2>&1 || { echo "check_scenarios: jq is needed" >&2; exit 3; }
tmp=$(mktemp) || exit 3
trap 'rm -f "$tmp" "$tmp.rows"' EXIT
total=0 found=0
for mta in $mtas; do
    n=0 ok=0 misses=""
    # awk keeps empty columns (a tab-separated read would merge them)
    awk -F'\t' 'NR > 1 { printf "%s|%s|%s|%s|%s|%s|%s\n", $1, $2, $8, ($9 == "" ? "-" : $9), ($10 == "" ? "-" : $10), ($15 == "" ? "-" : $15), ($12 == "" ? "-" : $12) }' \
        "$dir/scenarios.tsv" > "$tmp.rows"
    while IFS='|' read -r id m by ocode osc loglines qids; do
        [ "$m" = "$mta" ] || continue
        [ "$ocode" = - ] && ocode=
        [ "$osc" = - ] && osc=
        [ "$qids" = - ] && qids=
        case $by in our-server-inbound|remote-server-outbound|our-server-local-delivery|our-server-dns-routing) ;; *) continue ;; esac
        n=$((n + 1))
        if [ "$loglines" = - ]; then misses="$misses $id(no-log-lines)"; continue; fi
        # the loglines files prefix each line with the log it came from ("mainlog: ")
        sed -e '/^#/d' -e 's/^[a-z]*log: //' "$dir/$loglines" |
            "$build/smtpdx" logs --ndjson --year 2026 --utc > "$tmp" 2>/dev/null
        # the observed code and status, when the scenario saw them
        hit=$(jq -r --arg c "$ocode" --arg s "$osc" --arg q " $qids " \
            'select(($c == "" or ((.reply_code // 0) | tostring) == $c) and
                    ($s == "" or (.status // "") == $s or (.dsn // "") == $s) and
                    (.queue_id as $id | $id == null or ($q | contains(" " + $id + " ")))) | .outcome' \
            "$tmp" 2>/dev/null | head -1)
        if [ -n "$hit" ]; then ok=$((ok + 1)); else misses="$misses $id($ocode/$osc)"; fi
    done < "$tmp.rows"
    echo "$mta: $ok of $n refusal scenarios found with the observed code and status"
    [ -n "$misses" ] && echo "  missing:$misses" | fold -s -w 100 | sed '2,$s/^/    /'
    total=$((total + n)) found=$((found + ok))
done
echo "scenarios: $found of $total found"
