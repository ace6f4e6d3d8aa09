#!/usr/bin/env bash
# run.sh - smtpdx watch live: a log written while it runs, rotated by
# logrotate in both modes, the daemon killed with -9 and restarted
#
#   run.sh SMTPDX_BINARY
#
# The log is the Postfix and Exim logs of examples/logs (written by the
# integration harness's real MTAs), appended in four parts; between them
# logrotate (Debian's) rotates it with create, then with copytruncate, and
# the daemon is killed with SIGKILL after its first checkpoint and started
# again on the same state. At the end /metrics must count exactly what a
# one-shot `smtpdx logs` counts over the same lines: every line read once
# (smtpdx_lines_read_total), every event once (smtpdx_refusals_total).
# Exit 0 pass, 1 fail, 77 skipped (logrotate or curl missing and not
# installable), 2 usage.
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: run.sh SMTPDX_BINARY" >&2; exit 2; }
SMTPDX=$1
case $SMTPDX in /*) ;; *) SMTPDX=$PWD/$SMTPDX ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$HERE/../../examples/logs

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1
    fi
    command -v "$1" >/dev/null 2>&1 || { echo "SKIPPED: $1 is not installed (package $2) and we are not root"; exit 77; }
}
need logrotate logrotate
need curl curl
[ -f "$SRC/postfix-maillog" ] || { echo "run.sh: no $SRC/postfix-maillog" >&2; exit 2; }

W=$(mktemp -d "${TMPDIR:-/tmp}/smtpdx-watch.XXXXXX") || exit 1
PID=
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
LOG=$W/mail.log
PORT=$((20000 + $$ % 20000))
URL=http://127.0.0.1:$PORT
cat "$SRC/postfix-maillog" "$SRC/exim-mainlog" > "$W/all.log"
TOTAL=$(wc -l < "$W/all.log")
WANT=$("$SMTPDX" logs --json "$W/all.log" 2>/dev/null | sed -n 's/^  "events": \([0-9]*\),$/\1/p')
[ -n "$WANT" ] || { echo "run.sh: smtpdx logs gave no event count" >&2; exit 1; }
Q=$(( (TOTAL + 3) / 4 ))
split -l "$Q" -d "$W/all.log" "$W/part."

fail() { echo "FAIL: $*"; [ -f "$W/watch.err" ] && sed 's/^/  watch: /' "$W/watch.err"; exit 1; }
start() {
    "$SMTPDX" watch --from-start --state "$W/state.db" --checkpoint 1 --listen "127.0.0.1:$PORT" "$LOG" \
        >>"$W/watch.out" 2>>"$W/watch.err" &
    PID=$!
    local i
    for i in $(seq 50); do curl -sf "$URL/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
    fail "smtpdx watch did not answer on $URL/healthz"
}
metric() {  # metric NAME: the sum of its series
    curl -sf "$URL/metrics" | awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { print s + 0 }'
}
wait_lines() {  # wait_lines N: until N lines are read
    local i got=0
    for i in $(seq 100); do
        got=$(metric smtpdx_lines_read_total)
        [ "$got" -ge "$1" ] && return 0
        sleep 0.1
    done
    fail "lines read: $got, want $1"
}
rotate() {  # rotate create|copytruncate
    cat > "$W/logrotate.conf" <<CONF
$LOG {
    rotate 5
    nocompress
    missingok
    $1
}
CONF
    logrotate -f -s "$W/logrotate.state" "$W/logrotate.conf" || fail "logrotate ($1) failed"
}

: > "$LOG"
start
cat "$W/part.00" >> "$LOG"
wait_lines "$(cat "$W/part.00" | wc -l)"
rotate create
[ -f "$LOG.1" ] && [ -f "$LOG" ] || fail "logrotate create did not rotate"
cat "$W/part.01" >> "$LOG"
wait_lines "$(cat "$W"/part.0[01] | wc -l)"
# a checkpoint, more lines read, then SIGKILL: the restart must neither lose
# nor count twice the lines read after the checkpoint
sleep 1.5
cat "$W/part.02" >> "$LOG"
wait_lines "$(cat "$W"/part.0[012] | wc -l)"
kill -9 "$PID"; wait "$PID" 2>/dev/null; PID=
rotate copytruncate
[ -s "$LOG.1" ] && [ ! -s "$LOG" ] || fail "logrotate copytruncate did not truncate"
start
[ -f "$W/part.03" ] && cat "$W/part.03" >> "$LOG"
wait_lines "$TOTAL"
sleep 0.5
LINES=$(metric smtpdx_lines_read_total)
EVENTS=$(metric smtpdx_refusals_total)
# the status page, as a browser renders it (headless Chromium, Debian's):
# two SVG charts, the totals, the reasons
if command -v chromium >/dev/null 2>&1; then
    timeout 90 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$W/chromium" --dump-dom "$URL/" \
        > "$W/page.html" 2>/dev/null || fail "chromium could not load $URL/"
    [ "$(grep -c '<svg' "$W/page.html")" -eq 2 ] || fail "status page: want 2 SVG charts"
    grep -q '<polyline' "$W/page.html" || fail "status page: no chart line"
    grep -q "Refusals counted since start: <b>[0-9]*</b>" "$W/page.html" || fail "status page: no totals"
    grep -q '<td>userunknown</td>' "$W/page.html" || fail "status page: the reasons table lacks userunknown"
    echo "status page: rendered by headless Chromium, 2 SVG charts, totals, reasons"
else
    echo "status page: not checked (chromium is not installed)"
fi
kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
[ "$rc" -eq 0 ] || fail "smtpdx watch exited $rc on SIGTERM"
echo "lines read $LINES of $TOTAL; refusals counted $EVENTS, smtpdx logs counts $WANT"
[ "$LINES" -eq "$TOTAL" ] || fail "lines read $LINES, want $TOTAL (each line once)"
[ "$EVENTS" -eq "$WANT" ] || fail "refusals $EVENTS, want $WANT (smtpdx logs over the same lines)"
# a stream on standard input (journalctl -f -o json | smtpdx watch -): read
# live, and the end of the stream stops the daemon with status 3
mkfifo "$W/fifo"
"$SMTPDX" watch --state none --listen "127.0.0.1:$PORT" - < "$W/fifo" 2>"$W/stream.err" &
PID=$!
exec 7>"$W/fifo"
cat "$SRC/postfix-maillog" >&7
S=$(wc -l < "$SRC/postfix-maillog")
wait_lines "$S"
SE=$(metric smtpdx_refusals_total)
SW=$("$SMTPDX" logs --json "$SRC/postfix-maillog" 2>/dev/null | sed -n 's/^  "events": \([0-9]*\),$/\1/p')
exec 7>&-
wait "$PID"; rc=$?; PID=
[ "$SE" -eq "$SW" ] || fail "stream: refusals $SE, want $SW"
[ "$rc" -eq 3 ] || fail "stream: exit $rc when standard input closed, want 3"
echo "stream on standard input: $SE refusals; exit 3 at its end"
# alert rules from a configuration file: a command gets the alert as JSON
# on its standard input, a webhook (a local HTTP server) gets it POSTed
HOOK=$((PORT + 1))
cat > "$W/hook.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with open(sys.argv[2], 'ab') as f:
            f.write(body)
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
PY
python3 "$W/hook.py" "$HOOK" "$W/posted.json" &
HPID=$!
cat > "$W/watch.conf" <<CONF
# smtpdx watch settings, as in main.cf
logs = $SRC/postfix-maillog
state = none
alert_reason_userunknown = 1 per 1h
alert_refusals = 10
    per 1h
alert_command = cat >> $W/command.json
alert_url = http://127.0.0.1:$HOOK/alert
CONF
for i in $(seq 50); do curl -s "http://127.0.0.1:$HOOK/" >/dev/null 2>&1 && break; sleep 0.1; done
"$SMTPDX" watch --once --from-start --config "$W/watch.conf" > "$W/conf.metrics" 2> "$W/conf.err" ||
    { kill "$HPID"; fail "watch --config failed: $(cat "$W/conf.err")"; }
sleep 0.5
kill "$HPID" 2>/dev/null
grep -q '"alert":"alert_reason_userunknown"' "$W/command.json" || fail "alert_command did not get the alert as JSON"
grep -q '"alert":"alert_refusals"' "$W/posted.json" || fail "alert_url did not get the alert POSTed"
grep -q 'ALERT alert_refusals: 10 refusals' "$W/conf.err" || fail "the alert is not logged"
grep -q 'smtpdx_alerts_total{rule="alert_reason_userunknown"} 1' "$W/conf.metrics" || fail "smtpdx_alerts_total"
printf 'alert_reason_userunknown = often\n' > "$W/bad.conf"
"$SMTPDX" watch --once --config "$W/bad.conf" "$LOG" 2> "$W/bad.err"; rc=$?
[ "$rc" -eq 2 ] && grep -q 'bad.conf:1: alert_reason_userunknown takes N per DURATION' "$W/bad.err" ||
    fail "a bad rule: exit $rc, $(cat "$W/bad.err")"
echo "alerts: command and webhook got the alerts; a bad rule is named with its file and line"
# SIGHUP reads the file again: a new log is followed, a new rule counts
: > "$W/a.log"; : > "$W/b.log"
cat > "$W/hup.conf" <<CONF
logs = $W/a.log
state = none
listen = 127.0.0.1:$PORT
CONF
"$SMTPDX" watch --config "$W/hup.conf" 2> "$W/hup.err" &
PID=$!
for i in $(seq 50); do curl -sf "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
printf 'logs = %s/a.log, %s/b.log\nalert_refusals = 1 per 1h\n' "$W" "$W" >> "$W/hup.conf"
kill -HUP "$PID"
for i in $(seq 50); do grep -q 'now following' "$W/hup.err" && break; sleep 0.1; done
cat "$SRC/postfix-maillog" >> "$W/b.log"
wait_lines "$(wc -l < "$SRC/postfix-maillog")"
sleep 0.3
[ "$(metric smtpdx_alerts_total)" -ge 1 ] || fail "SIGHUP: the new rule did not count"
kill -TERM "$PID"; wait "$PID"; PID=
grep -q 'configuration read again (1 alert rules)' "$W/hup.err" || fail "SIGHUP: not reloaded: $(cat "$W/hup.err")"
echo "SIGHUP: the configuration read again: a new log followed, a new alert rule in force"
echo "watch: ok (rotations: create and copytruncate; kill -9 and restart; a stream; alerts)"
exit 0
