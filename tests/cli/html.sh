#!/bin/sh
# html.sh - `smtpdx logs --html` over a bundled log writes one page that is
# self-contained (no script, nothing loaded) and, when Debian's chromium is
# there (or can be installed, as root), renders to a screenshot of a
# readable size. Exit 77 (skipped) when no chromium can be had.
set -u
in=${1:?usage: html.sh LOG_FILE}
: "${SMTPDX:?set SMTPDX to the smtpdx binary}"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
page=$dir/report.html
"$SMTPDX" logs --year 2026 --utc --html "$page" "$in" > "$dir/text"
rc=$?
[ $rc -le 1 ] || { echo "smtpdx logs --html exited $rc"; exit 1; }
[ -s "$page" ] || { echo "no page written"; exit 1; }
head -c 15 "$page" | grep -q '^<!DOCTYPE html>' || { echo "not an HTML5 page"; exit 1; }
grep -q '<svg' "$page" || { echo "no chart"; exit 1; }
grep -q '</html>' "$page" || { echo "page cut short"; exit 1; }
if grep -Eiq '<script|<img|<iframe|<link|[[:space:]](src|href)=|url\(' "$page"; then
    echo "the page loads or runs something:"; grep -Eio '<script|<img|<iframe|<link|[[:space:]](src|href)=|url\(' "$page" | head
    exit 1
fi
# as many groups on the page as in the text report
want=$(grep -cE '^ *[0-9]+\. [0-9]+× ' "$dir/text")
got=$(grep -o 'class="group ' "$page" | wc -l)
[ "$want" -gt 0 ] && [ "$want" -eq "$got" ] || { echo "groups: text report $want, page $got"; exit 1; }
# --html with --ndjson is a usage error
"$SMTPDX" logs --ndjson --html "$dir/x.html" "$in" > /dev/null 2>&1
[ $? -eq 2 ] || { echo "--html --ndjson should exit 2"; exit 1; }
echo "cli.html: page of $(wc -c < "$page") bytes, $got groups"

# the screenshot: Debian's chromium, headless, nothing fetched
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium > "$dir/apt.log" 2>&1
    chrome=$(command -v chromium || true)
fi
if [ -z "$chrome" ]; then
    echo "cli.html: SKIPPED the screenshot: no chromium (not installed, not root or apt-get failed)"
    exit 77
fi
shot=${SMTPDX_HTML_SHOT:-$dir/report.png}
"$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$(mktemp -d -p "$dir")" --screenshot="$shot" \
    --window-size=1200,2000 "file://$page" > "$dir/chrome.log" 2>&1
size=$(wc -c < "$shot" 2>/dev/null || echo 0)
if [ "$size" -le 10240 ]; then
    echo "screenshot missing or too small ($size bytes):"; tail -5 "$dir/chrome.log"
    exit 1
fi
echo "cli.html: screenshot of $size bytes"
