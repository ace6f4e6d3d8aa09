#!/usr/bin/env bash
# run.sh - the integration test CTest runs: harness.sh all, then check.sh
#
#   run.sh SMTPDX_BINARY
#
# Runs the harness (real Postfix and Exim on loopback inside a network
# namespace) into a fresh WORKDIR, then compares `smtpdx logs --ndjson` with
# the scenarios it produced (check.sh), and `smtpdx bounce` with the DSNs
# the MTAs sent back for them (check_bounce.sh).  Exit 0 pass, 1 fail, 77 skipped (no root, no
# network namespaces, packages not installable, smtpdx without a logs
# command): the reason is printed.  The WORKDIR is removed after a pass or a
# skip and kept after a failure; SMTPDX_IT_KEEP=1 keeps it always.
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: run.sh SMTPDX_BINARY" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SMTPDX=$1
case $SMTPDX in /*) ;; *) SMTPDX=$PWD/$SMTPDX ;; esac

W=$(mktemp -d "${TMPDIR:-/tmp}/smtpdx-it.XXXXXX") || exit 1
finish() {
    if [ "$1" -eq 0 ] || [ "$1" -eq 77 ]; then
        if [ "${SMTPDX_IT_KEEP:-0}" = 1 ]; then echo "run.sh: workdir kept: $W"; else rm -rf "$W"; fi
    else
        echo "run.sh: workdir kept for inspection: $W" >&2
    fi
    exit "$1"
}

# smtpdx watch follows the logs while the real MTAs write them (they do
# not exist yet: it waits for them); compared below with smtpdx logs
WPORT=$((20000 + ($$ + 7) % 20000))
"$SMTPDX" watch --from-start --state none --listen "127.0.0.1:$WPORT" \
    "$W/postfix.log" "$W/exim/log/mainlog" > /dev/null 2> "$W/watch.err" &
WPID=$!

# (SMTPDX_PROBE: the harness also runs smtpdx probe against its servers)
SMTPDX_PROBE=$SMTPDX bash "$HERE/harness.sh" all "$W"
rc=$?
[ "$rc" -eq 0 ] || { kill "$WPID" 2>/dev/null; finish "$rc"; }
# live counts = one-shot counts over the same lines
wmetric() { curl -s "http://127.0.0.1:$WPORT/metrics" | awk -v n="$1" 'index($1, n) == 1 { s += $2 } END { print s + 0 }'; }
want_lines=$(cat "$W/postfix.log" "$W/exim/log/mainlog" | wc -l)
for i in $(seq 100); do [ "$(wmetric smtpdx_lines_read_total)" -ge "$want_lines" ] && break; sleep 0.1; done
live=$(wmetric smtpdx_refusals_total)
once=$("$SMTPDX" logs --json "$W/postfix.log" "$W/exim/log/mainlog" 2>/dev/null | sed -n 's/^  "events": \([0-9]*\),$/\1/p')
kill -TERM "$WPID"; wait "$WPID"
echo "watch live: $want_lines lines; refusals live $live, smtpdx logs $once"
if [ -z "$once" ] || [ "$live" != "$once" ]; then
    echo "FAIL: smtpdx watch, following the logs as Postfix and Exim wrote them, counted $live refusals; smtpdx logs counts $once" >&2
    sed 's/^/  watch: /' "$W/watch.err" >&2
    rc=1
fi
live_rc=$rc
bash "$HERE/check.sh" "$W" "$SMTPDX"
rc=$?
[ "$live_rc" -ne 0 ] && rc=1
# the bounces the same run's MTAs wrote, through smtpdx bounce
bash "$HERE/check_bounce.sh" "$W" "$SMTPDX"
brc=$?
[ "$rc" -eq 0 ] && [ "$brc" -ne 0 ] && [ "$brc" -ne 77 ] && rc=$brc
finish $rc
