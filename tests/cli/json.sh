#!/bin/sh
# json.sh - every line of `smtpdx explain --json` over the bundled replies
# is valid JSON with the shared field names (checked by a real JSON parser:
# python3's json module, or jq when python3 is absent).
set -u
in=${1:?usage: json.sh REPLIES_FILE}
: "${SMTPDX:?set SMTPDX to the smtpdx binary}"
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$SMTPDX" explain --json < "$in" > "$out"
rc=$?
[ $rc -le 1 ] || { echo "smtpdx explain --json exited $rc"; exit 1; }
if command -v python3 >/dev/null 2>&1; then
    python3 - "$out" <<'PY' || exit 1
import json, sys
need = ["reply_code", "status", "reason", "permanent", "actor", "summary", "causes", "steps", "references", "stage", "rule", "text"]
n = 0
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    obj = json.loads(line)
    for k in need:
        if k not in obj:
            sys.exit("line %d lacks %s" % (i + 1, k))
    n += 1
if n < 20:
    sys.exit("only %d objects" % n)
print("cli.json: %d objects parsed" % n)
PY
elif command -v jq >/dev/null 2>&1; then
    jq -e 'has("reason") and has("permanent") and has("steps")' "$out" > /dev/null || exit 1
    echo "cli.json: parsed with jq"
else
    echo "cli.json: SKIPPED: neither python3 nor jq to parse JSON"; exit 77
fi
