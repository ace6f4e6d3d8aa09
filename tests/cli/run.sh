#!/bin/sh
# run.sh - golden tests of the smtpdx command
# Each case is a folder under cases/: `args` (one argument per line), and
# optionally `stdin`, the expected `stdout`, `stderr` and `exit` (default 0).
# REGEN=1 rewrites the expected files from what the command does now:
# review the diff before committing it (make regen-golden).
set -u
dir=${1:?usage: run.sh CASES_DIR}
: "${SMTPDX:?set SMTPDX to the smtpdx binary}"
pass=0 fail=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1 COLUMNS=80 LC_ALL=C.UTF-8
case $SMTPDX in /*) ;; *) SMTPDX=$PWD/$SMTPDX ;; esac
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
# cases name files relative to the source tree (examples/...): run from there
cd "$dir/../../.." || exit 1
for case in "$dir"/*/; do
    name=$(basename "$case")
    set --
    while IFS= read -r a || [ -n "$a" ]; do set -- "$@" "$a"; done < "$case/args"
    if [ -f "$case/stdin" ]; then
        "$SMTPDX" "$@" < "$case/stdin" > "$tmp/out" 2> "$tmp/err"; rc=$?
    else
        "$SMTPDX" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"; rc=$?
    fi
    if [ "${REGEN:-0}" = 1 ]; then
        cp "$tmp/out" "$case/stdout"; cp "$tmp/err" "$case/stderr"; echo "$rc" > "$case/exit"
        continue
    fi
    want=0; [ -f "$case/exit" ] && want=$(cat "$case/exit")
    ok=1
    [ "$rc" = "$want" ] || { echo "FAIL $name: exit $rc, want $want"; ok=0; }
    if [ -f "$case/stdout" ] && ! cmp -s "$tmp/out" "$case/stdout"; then
        echo "FAIL $name: stdout differs"; diff -u "$case/stdout" "$tmp/out" | head -40; ok=0
    fi
    if [ -f "$case/stderr" ] && ! cmp -s "$tmp/err" "$case/stderr"; then
        echo "FAIL $name: stderr differs"; diff -u "$case/stderr" "$tmp/err" | head -20; ok=0
    fi
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
[ "${REGEN:-0}" = 1 ] && { echo "regenerated"; exit 0; }
echo "cli.golden: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
