#!/bin/sh
# promtool.sh - the shipped Prometheus alerting rules (examples/prometheus)
# are valid and fire as their unit tests say: promtool check rules, then
# promtool test rules. Exit 0 pass, 1 fail, 77 skipped (no promtool and not
# root to install Debian's prometheus package).
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=$here/../../examples/prometheus
if ! command -v promtool >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1
    # the package starts a server: this test does not want one
    pkill -x prometheus 2>/dev/null
fi
command -v promtool >/dev/null 2>&1 || { echo "SKIPPED: promtool is not installed (package prometheus) and we are not root"; exit 77; }
cd "$dir" || exit 1
promtool check rules smtpdx-rules.yml && promtool test rules smtpdx-rules.test.yml
