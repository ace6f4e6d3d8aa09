#!/bin/sh
# deps.sh - install the Debian packages smtpdx needs to build and test
# Usage: scripts/deps.sh [build|test|fuzz]   (default: test)
# Installs only what is missing; as root it runs apt-get itself, otherwise
# it prints the command to run. Exit 3 when packages are missing and
# cannot be installed.
set -eu
what=${1:-test}
build="gcc make cmake pkg-config libidn2-dev libarchive-dev libssl-dev libunbound-dev libevent-dev libpsl-dev libcurl4-openssl-dev dns-root-data libgmime-3.0-dev libsqlite3-dev libmicrohttpd-dev"
test="$build libcmocka-dev jq gzip bzip2 xz-utils zstd chromium python3 python3-yaml openssl logrotate curl prometheus"
fuzz="$build clang libclang-rt-14-dev"
case $what in
    build) want=$build ;;
    test) want=$test ;;
    fuzz) want=$fuzz ;;
    *) echo "usage: deps.sh [build|test|fuzz]" >&2; exit 2 ;;
esac
missing=
for p in $want; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case $st in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "smtpdx: missing Debian packages:$missing" >&2
    echo "smtpdx: run as root: apt-get install -y$missing" >&2
    exit 3
fi
echo "smtpdx: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# prometheus (for promtool, which tests examples/prometheus) and
# prometheus-postfix-exporter (a benchmark peer) start servers of their own
# when installed: the tests want neither listening
pkill -x prometheus 2>/dev/null || true
