#!/usr/bin/env bash
# run.sh - the RFC 7208 SPF suite (run_suite.py) against a real unbound in
# a network namespace of its own; CTest's integration.spf
#   run.sh SMTPDX [--peers] [--json OUT] [--verbose] [--only TEST]
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$HERE/../netns_dns.sh" "$HERE/run_suite.py" "$@"
