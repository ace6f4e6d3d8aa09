#!/usr/bin/env bash
# check_bounce.sh - smtpdx bounce on the DSNs the harness's real MTAs wrote
#
#   check_bounce.sh WORKDIR SMTPDX_BINARY
#
# The harness's accepting smtp-sink (the next hop for sender.test, where the
# bounces go) dumps every message it receives into WORKDIR/sink/. Postfix,
# Exim and Sendmail bounce the outbound scenarios of expected.tsv to
# sender@sender.test; this runs `smtpdx bounce --ndjson WORKDIR/sink` and,
# for every outbound row whose outcome is bounced or expired, looks for a
# DSN recipient with the row's recipient and checks its reply code, status
# and outcome (bounced or expired). Messages in the sink that are no bounce
# (the accepted traffic) must be said to be none.
# One line per row (ok, MISSING, WRONG), then "integration.bounce: N passed,
# M failed". Exit 0 all pass, 1 otherwise, 77 when there is no sink dump
# (a harness without it) or jq is missing, 2 on usage errors.
set -uo pipefail

[ $# -eq 2 ] || { echo "usage: check_bounce.sh WORKDIR SMTPDX_BINARY" >&2; exit 2; }
W=$1
SMTPDX=$2
EXP=$W/expected.tsv
[ -s "$EXP" ] || { echo "check_bounce.sh: no $EXP" >&2; exit 2; }
command -v jq >/dev/null 2>&1 || { echo "SKIPPED: jq is not installed"; exit 77; }
[ -d "$W/sink" ] || { echo "SKIPPED: no $W/sink (the harness did not dump the sink's mail)"; exit 77; }

rc=0
"$SMTPDX" bounce --ndjson "$W/sink" > "$W/bounce.ndjson" 2> "$W/bounce.stderr" || rc=$?
# 0 no hard bounce, 1 hard bounces (smtpdx-bounce(1)); more is an error
if [ "$rc" -gt 1 ]; then
    echo "check_bounce.sh: smtpdx bounce exited $rc:" >&2
    sed 's/^/  /' "$W/bounce.stderr" >&2
    exit 1
fi
sed 's/^/  /' "$W/bounce.stderr"

prog=$(cat <<'JQ'
def s: if . == null then "" else tostring end;
($exp | split("\n") | map(select(length > 0 and (startswith("#") | not)) | split("\t"))) as $rows
| [ $rows[] | select(.[2] == "outbound" and (.[9] == "bounced" or .[9] == "expired"))
    | { id: .[0], mta: .[1], code: .[4], status: .[5], rcpt: (.[7] | ascii_downcase), outcome: .[9] } as $x
    | [ $ev[] | select((.recipient | s | ascii_downcase) == $x.rcpt and .bounce.kind == "dsn") ] as $c
    | if ($c | length) == 0 then { ok: false, line: "MISSING \($x.id): no DSN recipient \($x.rcpt) (want \($x.code) \($x.status) \($x.outcome))" }
      else
        [ $c[] | [ (if (.reply_code | s) != $x.code then "reply_code=\(.reply_code | s) (want \($x.code))" else empty end),
                   (if (.status | s) != $x.status then "status=\(.status | s) (want \($x.status))" else empty end),
                   (if (.outcome == "bounced" or .outcome == "expired") | not then "outcome=\(.outcome) (want \($x.outcome))" else empty end) ] ]
        | sort_by(length) | .[0] as $best
        | if ($best | length) == 0 then { ok: true, line: "ok      \($x.id) (\($x.mta) DSN: \($x.code) \($x.status))" }
          else { ok: false, line: "WRONG   \($x.id): \($best | join(", "))" } end
      end ] as $results
| ($results[] | .line),
  "integration.bounce: \([$results[] | select(.ok)] | length) passed, \([$results[] | select(.ok | not)] | length) failed"
JQ
)
out=$(jq -n -r --rawfile exp "$EXP" --slurpfile ev "$W/bounce.ndjson" "$prog") || {
    echo "check_bounce.sh: jq failed (output kept in $W/bounce.ndjson)" >&2
    exit 1
}
printf '%s\n' "$out"
case $(printf '%s\n' "$out" | tail -n1) in
    *" 0 failed") printf '%s\n' "$out" | grep -q '^ok' && exit 0; echo "check_bounce.sh: no row checked" >&2; exit 1 ;;
    *) exit 1 ;;
esac
