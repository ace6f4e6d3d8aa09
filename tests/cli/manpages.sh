#!/bin/sh
# manpages.sh - the option tables and the man pages list the same options,
# both ways (as Postfix checks its parameters against postconf(5)), and
# every subcommand has a man page and a --help.
set -u
docs=${1:?usage: manpages.sh DOCS_DIR}
: "${SMTPDX:?set SMTPDX to the smtpdx binary}"
fail=0 checked=0
cmds=$("$SMTPDX" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF>1 {print $1}')
[ -n "$cmds" ] || { echo "no commands in smtpdx --help"; exit 1; }
[ -f "$docs/smtpdx.1" ] || { echo "missing $docs/smtpdx.1"; fail=1; }
for c in $cmds; do
    page="$docs/smtpdx-$c.1"
    if [ ! -f "$page" ]; then echo "missing man page $page"; fail=1; continue; fi
    grep -q "smtpdx-$c" "$docs/smtpdx.1" || { echo "smtpdx.1 does not mention smtpdx-$c"; fail=1; }
    # options from --help: "  -j, --json ..." or "      --color WHEN ..."
    "$SMTPDX" help "$c" | sed -n 's/^  *\(-., \)\{0,1\}--\([a-z0-9-]*\).*/\2/p' | sort -u > /tmp/sdx-help.$$
    # options in the man page: lines starting .BR/.B \-\-name or \fB\-\-name
    sed -n 's/.*\\-\\-\([a-z0-9-]*\).*/\1/p' "$page" | sort -u > /tmp/sdx-man.$$
    for o in $(cat /tmp/sdx-help.$$); do
        checked=$((checked + 1))
        grep -qx "$o" /tmp/sdx-man.$$ || { echo "smtpdx-$c.1 does not document --$o"; fail=1; }
    done
    for o in $(cat /tmp/sdx-man.$$); do
        grep -qx "$o" /tmp/sdx-help.$$ || { echo "smtpdx-$c.1 documents --$o, which smtpdx $c does not have"; fail=1; }
    done
done
rm -f /tmp/sdx-help.$$ /tmp/sdx-man.$$
echo "cli.manpages: $checked options checked"
exit $fail
