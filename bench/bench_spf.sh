#!/usr/bin/env bash
# bench_spf.sh - SPF evaluations per second over the RFC 7208 suite:
# smtpdx vs pyspf and libspf2 in the same run, against one unbound per
# scenario in a network namespace (bench_spf.py says how)
#   RUNS=5 REPEAT=1 bench/bench_spf.sh [BUILD_DIR]
# Root needed (tests/netns_dns.sh makes the namespace and installs unbound,
# python3-yaml, python3-spf and spfquery when missing).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${1:-build}
exec bash "$HERE/../tests/netns_dns.sh" "$HERE/bench_spf.py" "$BUILD/smtpdx" --peers \
    --runs "${RUNS:-5}" --repeat "${REPEAT:-1}" --json "${JSON:-/tmp/smtpdx-bench-spf.json}"
