#!/bin/sh
# probe_faults.sh - smtpdx probe against a server that misbehaves on purpose
# (tests/cli/faultd.py on 127.0.0.1): each fault ends with its named
# diagnosis, within its bound (per-reply timeout 2 s, deadline 4 s; the
# drip once more with a 10 s timeout, so that the 3 s deadline ends it), and
# the exit status says "no session" (3) or "refused" (1); then all of
# them at once from a --targets file (one event loop: the slowest bounds the
# run, not the sum).
# Exit 0 pass, 1 fail, 77 skipped (no python3).
set -u
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null 2>&1 || { echo "SKIPPED: python3 is not installed (it runs faultd.py)"; exit 77; }
: "${SMTPDX:?set SMTPDX to the smtpdx binary}"
base=$((20000 + $$ % 20000))
out=$(mktemp -d) || exit 1
python3 "$here/faultd.py" "$base" > "$out/faultd.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$out"' EXIT
i=0
while [ $i -lt 50 ] && ! grep -q ready "$out/faultd.out" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
grep -q ready "$out/faultd.out" || { echo "faultd.py did not start: $(cat "$out/faultd.out")"; exit 1; }
fail=0
check() {  # check PORT_OFFSET MODE WANT_END WANT_EXIT MAX_SECONDS [TIMEOUT DEADLINE]
    t0=$(date +%s%N)
    "$SMTPDX" probe "127.0.0.1:$((base + $1))" --timeout "${6:-2}" --deadline "${7:-4}" --json \
        > "$out/$2.json" 2> "$out/$2.err"
    rc=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    end=$(sed -n 's/.*"end":"\([a-z-]*\)".*/\1/p' "$out/$2.json")
    if [ "$end" != "$3" ] || [ "$rc" != "$4" ] || [ "$ms" -gt $(($5 * 1000)) ]; then
        echo "FAIL $2: end '$end' (want $3), exit $rc (want $4), ${ms} ms (at most ${5}000)"
        fail=1
    else
        echo "ok   $2: $end, exit $rc, ${ms} ms"
    fi
}
check 0 hang timeout 3 4
check 1 drip timeout 3 3
check 1 drip deadline 3 4 10 3
check 2 reset reset 3 3
check 3 longline line-too-long 3 3
check 4 endless endless-reply 3 3
check 5 garbage not-smtp 3 3
check 6 refuse refused 1 3
check 7 tlsbad tls-failed 3 3
# nothing listens: the connection is refused at once
check 9 closed-port connect 3 2
# --data to a server that never answers the message's end: the "dot"
# timeout of --timeout-for (1 s), not the general one (10 s), ends it
printf 'Subject: t\n\n.leading dot\nbody\n' > "$out/msg"
t0=$(date +%s%N)
"$SMTPDX" probe "127.0.0.1:$((base + 8))" --from a@example.org --rcpt b@example.net --data "$out/msg" \
    --timeout 10 --timeout-for dot=1 --deadline 8 --json > "$out/slowdot.json" 2> "$out/slowdot.err"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
end=$(sed -n 's/.*"end":"\([a-z-]*\)".*/\1/p' "$out/slowdot.json")
if [ "$end" = timeout ] && [ "$rc" = 3 ] && [ "$ms" -lt 3000 ] && grep -q '"text":"354 go ahead"' "$out/slowdot.json"; then
    echo "ok   slowdot: $end at the message's end after ${ms} ms (--timeout-for dot=1)"
else
    echo "FAIL slowdot: end '$end' (want timeout), exit $rc (want 3), ${ms} ms (under 3000)"
    fail=1
fi

# All of them at once from a --targets file, with a line that is not a
# target: one event loop, so the run takes about as long as the slowest
# (the drip and the hang: the 2 s timeout), not the sum (over 10 s); each
# target still gets its own end; the bad line is named file:line.
{
    echo "# every fault of faultd.py"
    for i in 0 1 2 3 4 5 6 7 9; do echo "127.0.0.1:$((base + i))"; done
    echo "not a target at all"
} > "$out/targets"
t0=$(date +%s%N)
"$SMTPDX" probe --targets "$out/targets" --timeout 2 --deadline 4 --json \
    > "$out/many.json" 2> "$out/many.err"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
got=$(sed -n 's/.*"target":"127.0.0.1:\([0-9]*\)".*"end":"\([a-z-]*\)".*/\1 \2/p' "$out/many.json" | sort -n | \
      while read -r port end; do printf '%s=%s ' $((port - base)) "$end"; done)
want="0=timeout 1=timeout 2=reset 3=line-too-long 4=endless-reply 5=not-smtp 6=refused 7=tls-failed 9=connect "
if [ "$got" != "$want" ] || [ "$rc" != 3 ] || [ "$ms" -gt 3500 ] ||
   ! grep -q "targets:11: not a target: 'not a target at all'" "$out/many.err"; then
    echo "FAIL parallel: ends '$got' (want '$want'), exit $rc (want 3), ${ms} ms (at most 3500)"
    cat "$out/many.err"
    fail=1
else
    echo "ok   parallel: 9 targets at once, ${ms} ms, exit $rc, bad line named"
fi
# the text form ends with a summary that counts every end
"$SMTPDX" probe --targets "$out/targets" --timeout 2 --deadline 4 -c 3 \
    > "$out/many.txt" 2>/dev/null
if grep -q "^9 targets in .* (at most 3 at once): 0 ran to the end, 0 of them with refusals; 1 refused the session; 8 without a session (connect 1, timeout 2, reset 1, line-too-long 1, endless-reply 1, not-smtp 1, tls-failed 1); 1 line not a target" "$out/many.txt"; then
    echo "ok   summary: $(tail -1 "$out/many.txt")"
else
    echo "FAIL summary: $(tail -1 "$out/many.txt")"
    fail=1
fi
exit $fail
