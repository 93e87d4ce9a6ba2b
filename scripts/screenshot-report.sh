#!/usr/bin/env bash
# Renders a report.html in headless Chromium and writes a PNG, so a person
# (or a review) can see what the report looks like without a browser at hand.
#
#   scripts/screenshot-report.sh [REPORT_HTML] [OUT_PNG]
#
# Defaults: $CH_REPORT_DIR/report.html (reports/latest) -> docs/report.png.
# Installs Debian's chromium package when no Chromium is on PATH (needs root
# and apt). Chromium runs fully offline: the report has no external assets,
# and every background fetch Chromium would make on its own is turned off.
set -euo pipefail
cd "$(dirname "$0")/.."

report=${1:-${CH_REPORT_DIR:-reports/latest}/report.html}
out=${2:-docs/report.png}
size=${SCREENSHOT_SIZE:-1400,2400}

if [ ! -f "$report" ]; then
  echo "screenshot-report: $report does not exist (run make conformance first)" >&2
  exit 2
fi

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
  echo "screenshot-report: installing Debian's chromium package" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  browser=chromium
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$out")"
abs_report=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
abs_out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

start=$(date +%s.%N)
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$abs_out" --window-size="$size" "file://$abs_report" >/dev/null 2>&1
end=$(date +%s.%N)
[ -s "$abs_out" ] || { echo "screenshot-report: $browser wrote no screenshot" >&2; exit 2; }
printf 'screenshot-report: %s -> %s (%.1fs)\n' "$report" "$out" "$(echo "$end - $start" | bc 2>/dev/null || echo 0)"
