#!/usr/bin/env bash
# The audit of a long capture in bounded memory (issue 10): writes a HAR of
# N entries (default 100,000) from in-process emulator answers
# (bench/mkcapture; no real data), audits it with the built chconform, and
# prints the wall time and the peak RSS of the audit process (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./bench/mkcapture -n "$n" -o "$tmp/capture.har"
go build -o "$tmp/chconform" ./cmd/chconform
size=$(du -m "$tmp/capture.har" | cut -f1)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) nproc=$(nproc) $(go version | cut -d' ' -f3): auditing $n entries, ${size} MB"
if [ -x /usr/bin/time ]; then
  CH_REPORT_DIR="$tmp/reports" /usr/bin/time -v "$tmp/chconform" audit "$tmp/capture.har" >"$tmp/out.txt" 2>"$tmp/time.txt"
  head -n 1 "$tmp/out.txt"
  grep -E 'Elapsed|Maximum resident' "$tmp/time.txt" | sed 's/^\s*//'
else
  echo "(GNU time is not installed: apt-get install time; timing without peak RSS)"
  time CH_REPORT_DIR="$tmp/reports" "$tmp/chconform" audit "$tmp/capture.har" >"$tmp/out.txt"
  head -n 1 "$tmp/out.txt"
fi
ls -l "$tmp/reports" | awk 'NR>1{print $5, $9}'
