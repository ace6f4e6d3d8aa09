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

# (SMTPDX_PROBE: the harness also runs smtpdx probe against its servers)
SMTPDX_PROBE=$SMTPDX bash "$HERE/harness.sh" all "$W"
rc=$?
[ "$rc" -eq 0 ] || finish "$rc"
bash "$HERE/check.sh" "$W" "$SMTPDX"
rc=$?
# the bounces the same run's MTAs wrote, through smtpdx bounce
bash "$HERE/check_bounce.sh" "$W" "$SMTPDX"
brc=$?
[ "$rc" -eq 0 ] && [ "$brc" -ne 0 ] && [ "$brc" -ne 77 ] && rc=$brc
finish $rc
