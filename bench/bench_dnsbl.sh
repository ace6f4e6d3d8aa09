#!/usr/bin/env bash
# bench_dnsbl.sh - smtpdx dnsbl: one IP against 20 lists, 50 ms added to
# every answer (bench_dnsbl.py says how), in a network namespace of its own
#   RUNS=5 DELAY=50 bench/bench_dnsbl.sh [BUILD_DIR]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${1:-build}
exec bash "$HERE/../tests/netns_dns.sh" "$HERE/bench_dnsbl.py" "$BUILD/smtpdx" \
    --runs "${RUNS:-5}" --delay "${DELAY:-50}" --json "${JSON:-/tmp/smtpdx-bench-dnsbl.json}"
