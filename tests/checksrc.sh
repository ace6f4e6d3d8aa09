#!/bin/sh
# checksrc.sh - the functions STYLE.md keeps out of the tree (as curl's
# checksrc does): strcpy, strcat, sprintf, vsprintf, gets, atoi, atol and
# the strtok family. snprintf and friends are fine.
set -u
top=${1:?usage: checksrc.sh SOURCE_DIR}
hits=$(grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|strtok_r)\s*\(' \
    "$top/src" "$top/include" "$top/tools" "$top/fuzz" "$top/bench" --include='*.c' --include='*.h' |
    grep -vE '\b(snprintf|vsnprintf|fgets)\s*\(' )
if [ -n "$hits" ]; then
    echo "banned functions (see STYLE.md):"
    echo "$hits"
    exit 1
fi
echo "checksrc: no banned functions"
