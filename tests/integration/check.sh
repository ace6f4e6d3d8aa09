#!/usr/bin/env bash
# check.sh - compare `smtpdx logs --ndjson` with the harness's expected.tsv
#
#   check.sh WORKDIR SMTPDX_BINARY
#
# Runs SMTPDX logs --ndjson WORKDIR/*.log (the logs harness.sh produced),
# keeps the output in WORKDIR/smtpdx.ndjson, and for each row of
# WORKDIR/expected.tsv looks for an event that matches it:
#
#   candidates  events of the same mta (when the event names one), of the same
#               client address (inbound rows, when the event has one), and
#               with the row's queue_id; or, without a queue id, its recipient;
#               or, without one, its sender; or else its stage and reply code
#   fields      reply_code, status, stage, direction, sender, recipient,
#               queue_id, outcome; in expected.tsv "-" means the event must
#               not have the field (null or ""), "<>" is the null sender
#               (null, "" or "<>"), an empty cell is not checked; addresses
#               compare case-insensitively
#
# WORKDIR/accepted.tsv (when present) lists messages that were accepted and
# delivered; each passes when no refusal (rejected, bounced, deferred,
# expired) is reported for its queue id.
#
# One line per scenario (ok, MISSING, WRONG with the differences), then
# "integration: N passed, M failed".  Exit 0 when all pass, 1 otherwise,
# 77 when smtpdx has no logs command (or jq is missing), 2 on usage errors.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: check.sh WORKDIR SMTPDX_BINARY" >&2; exit 2; }
W=$1
SMTPDX=$2
EXP=$W/expected.tsv
ACC=$W/accepted.tsv

[ -s "$EXP" ] || { echo "check.sh: no $EXP (run harness.sh first)" >&2; exit 2; }
[ -x "$SMTPDX" ] || { echo "check.sh: $SMTPDX is not an executable" >&2; exit 2; }
command -v jq >/dev/null 2>&1 || { echo "SKIPPED: jq is not installed"; exit 77; }
if ! "$SMTPDX" logs --help >/dev/null 2>&1; then
    echo "SKIPPED: smtpdx has no logs command yet"
    exit 77
fi

# SMTPDX_IT_MTAS: the MTAs whose rows are checked (default: all). Rows of
# the others are listed as not checked, never counted as passed.
if [ -n "${SMTPDX_IT_MTAS:-}" ]; then
    awk -F'\t' -v keep=" ${SMTPDX_IT_MTAS//,/ } " \
        '/^#/ || index(keep, " " $2 " ") { print; next } { skipped[$2]++ }
         END { for (m in skipped) printf "not checked: %d %s scenario(s) (SMTPDX_IT_MTAS=%s)\n", skipped[m], m, keep > "/dev/stderr" }' \
        "$EXP" > "$W/expected.checked.tsv"
    EXP=$W/expected.checked.tsv
fi

shopt -s nullglob
logs=("$W"/*.log)
[ ${#logs[@]} -gt 0 ] || { echo "check.sh: no log files in $W" >&2; exit 2; }

rc=0
"$SMTPDX" logs --ndjson "${logs[@]}" >"$W/smtpdx.ndjson" 2>"$W/smtpdx.stderr" || rc=$?
# 0: no refusal found, 1: refusals found (smtpdx-logs(1)); anything else is an error
if [ "$rc" -gt 1 ]; then
    echo "check.sh: smtpdx logs exited $rc:" >&2
    sed 's/^/  /' "$W/smtpdx.stderr" >&2
fi

# the comparison, in jq: one output line per scenario, then a tally line
# (program read from a here-document so that the shell does not touch it)
prog=$(cat <<'JQ'
def s: if . == null then "" else tostring end;
def lc: s | ascii_downcase;
def absent: . == null or . == "" ;
# want/got for one field: "" not checked, "-" must be absent, "<>" null sender
def differs($want; $got):
  if $want == "" then false
  elif $want == "-" then ($got | absent | not)
  elif $want == "<>" then (($got | absent) or ($got | s) == "<>") | not
  else ($got | lc) != ($want | ascii_downcase)
  end;
def fields: ["reply_code","status","stage","direction","sender","recipient","queue_id","outcome"];

($exp | split("\n") | map(select(length > 0 and (startswith("#") | not)) | split("\t"))) as $rows
| [ $rows[] as $r
    | { id: $r[0], mta: $r[1], direction: $r[2], stage: $r[3], reply_code: $r[4], status: $r[5],
        sender: $r[6], recipient: $r[7], queue_id: $r[8], outcome: $r[9], client: ($r[10] // "") } as $x
    | [ $ev[]
        | select(.mta == null or (.mta | lc) == ($x.mta | ascii_downcase))
        | select($x.direction != "inbound" or $x.client == ""
                 or (.client | type) != "object" or (.client.address | absent)
                 or .client.address == $x.client)
        | select(
            if ($x.queue_id != "" and $x.queue_id != "-") then (.queue_id | s) == $x.queue_id
            elif $x.recipient != "-" and $x.recipient != "" then (.recipient | lc) == ($x.recipient | ascii_downcase)
            elif $x.sender != "-" and $x.sender != "<>" and $x.sender != "" then (.sender | lc) == ($x.sender | ascii_downcase)
            else (.stage | s) == $x.stage and (.reply_code | s) == $x.reply_code and (.direction | s) == $x.direction
            end) ] as $cands
    | if ($cands | length) == 0 then
        { ok: false, line: ("MISSING \($x.id): no event with "
            + (if ($x.queue_id != "" and $x.queue_id != "-") then "queue_id \($x.queue_id)"
               elif $x.recipient != "-" and $x.recipient != "" then "recipient \($x.recipient)"
               elif $x.sender != "-" and $x.sender != "<>" and $x.sender != "" then "sender \($x.sender)"
               else "stage \($x.stage) and reply_code \($x.reply_code)" end)
            + " (want \($x.outcome) \($x.direction) \($x.stage) \($x.reply_code) \($x.status))") }
      else
        [ $cands[] as $e
          | [ fields[] as $f | select(differs($x[$f]; $e[$f]))
              | "\($f)=\($e[$f] | if . == null then "null" else tostring end) (want \($x[$f]))" ] ]
        | sort_by(length) | .[0] as $best
        | if ($best | length) == 0 then { ok: true, line: "ok      \($x.id)" }
          else { ok: false, line: ("WRONG   \($x.id): \($best | join(", "))"
                   + (if ($cands | length) > 1 then " [closest of \($cands | length) events]" else "" end)) }
          end
      end ] as $refusals
| [ $acc | split("\n") | map(select(length > 0 and (startswith("#") | not)) | split("\t"))[]
    | { id: .[0], mta: .[1], recipient: .[3], queue_id: .[4] } as $a
    | [ $ev[] | select($a.queue_id != "" and (.queue_id | s) == $a.queue_id)
        | select(.outcome as $o | ["rejected", "bounced", "deferred", "expired"] | index([$o]))
        | "\(.outcome) \(.reply_code | s) \(.status | s)" ] as $false
    | if ($false | length) == 0 then { ok: true, line: "ok      \($a.id) (accepted, no refusal reported)" }
      else { ok: false, line: ("WRONG   \($a.id): accepted and delivered, but reported as "
                               + ($false | join("; "))) }
      end ] as $accepted
| ($refusals + $accepted) as $results
| ($results[] | .line),
  "integration: \([$results[] | select(.ok)] | length) passed, \([$results[] | select(.ok | not)] | length) failed"
JQ
)

[ -f "$ACC" ] || ACC=/dev/null
out=$(jq -n -r --rawfile exp "$EXP" --rawfile acc "$ACC" --slurpfile ev "$W/smtpdx.ndjson" "$prog") || {
    echo "check.sh: jq failed on smtpdx's output (is it NDJSON? kept in $W/smtpdx.ndjson)" >&2
    n=$(grep -vc '^#' "$EXP" || true)
    echo "integration: 0 passed, $n failed"
    exit 1
}
printf '%s\n' "$out"
tally=$(printf '%s\n' "$out" | tail -n1)
case $tally in
    *" 0 failed") [ "$rc" -le 1 ] || exit 1; exit 0 ;;
    *) echo "check.sh: events in $W/smtpdx.ndjson, expectations in $EXP" >&2; exit 1 ;;
esac
