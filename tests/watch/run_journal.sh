#!/usr/bin/env bash
# run_journal.sh - smtpdx watch --journal against a real systemd-journald
#
#   run_journal.sh SMTPDX_BINARY
#
# Refusals are written to the journal (systemd-cat, as postfix/smtpd); the
# daemon reads them through journalctl -f -o json; killed with -9 after a
# checkpoint, two more refusals written while it is down, restarted on the
# same state: it resumes after the saved cursor, so it counts 5, not 3 and
# not 5 plus the old ones. When no journald runs (a container), one is
# started for the test (as root) and stopped after.
# Exit 0 pass, 1 fail, 77 skipped (no journald and not root), 2 usage.
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: run_journal.sh SMTPDX_BINARY" >&2; exit 2; }
SMTPDX=$1
case $SMTPDX in /*) ;; *) SMTPDX=$PWD/$SMTPDX ;; esac
command -v journalctl >/dev/null && command -v systemd-cat >/dev/null && command -v curl >/dev/null ||
    { echo "SKIPPED: journalctl, systemd-cat or curl missing"; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/smtpdx-journal.XXXXXX") || exit 1
JPID= PID=
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; [ -n "$JPID" ] && kill "$JPID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; sed 's/^/  watch: /' "$W/watch.err" 2>/dev/null; exit 1; }

TAG=postfix/smtpd
if ! echo "smtpdx journal probe" | systemd-cat -t smtpdx-probe 2>/dev/null; then
    [ "$(id -u)" = 0 ] && [ -x /lib/systemd/systemd-journald ] || { echo "SKIPPED: no journald, and not root to start one"; exit 77; }
    mkdir -p /run/systemd/journal /run/log/journal
    /lib/systemd/systemd-journald > "$W/journald.log" 2>&1 &
    JPID=$!
    for i in $(seq 50); do echo probe | systemd-cat -t smtpdx-probe 2>/dev/null && break; sleep 0.1; done
fi
PORT=$((20000 + ($$ + 11) % 20000))
URL=http://127.0.0.1:$PORT
refuse() {  # refuse N: N refusals in the journal, as Postfix's smtpd logs them
    local i
    for i in $(seq "$1"); do
        echo "NOQUEUE: reject: RCPT from unknown[192.0.2.$i]: 550 5.1.1 <u$i-$$@example.test>: Recipient address rejected: User unknown in local recipient table; from=<s@example.org> to=<u$i-$$@example.test> proto=ESMTP helo=<h$i>" |
            systemd-cat -t "$TAG"
    done
}
start() {
    "$SMTPDX" watch --journal "-t $TAG" --state "$W/state.db" --checkpoint 1 --listen "127.0.0.1:$PORT" \
        >/dev/null 2>>"$W/watch.err" &
    PID=$!
    for i in $(seq 50); do curl -sf "$URL/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
    fail "smtpdx watch --journal did not answer"
}
count() { curl -s "$URL/metrics" | awk '/^smtpdx_refusals_total/ { s += $2 } END { print s + 0 }'; }
wait_count() {
    local i got=0
    for i in $(seq 100); do got=$(count); [ "$got" -ge "$1" ] && return 0; sleep 0.1; done
    fail "refusals counted $got, want $1"
}

start
sleep 1                                 # journalctl started with -n 0: only new lines
refuse 3
wait_count 3
sleep 1.5                               # a checkpoint with the cursor
kill -9 "$PID"; wait "$PID" 2>/dev/null; PID=
refuse 2                                # while smtpdx is down
start
wait_count 5
sleep 1
got=$(count)
[ "$got" -eq 5 ] || fail "after the restart: $got refusals, want 5 (3 before, 2 while down)"
kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
[ "$rc" -eq 0 ] || fail "exit $rc on SIGTERM"
echo "journal: 3 refusals, kill -9, 2 more while down, restart after the cursor: 5 counted"
exit 0
