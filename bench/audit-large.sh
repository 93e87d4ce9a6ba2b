#!/usr/bin/env bash
# The audit of a long capture in bounded memory (issue 10): writes a HAR of
# N entries (default 100,000) from in-process emulator answers
# (bench/mkcapture; no real data), audits it with the built chconform, and
# prints the wall time and the peak RSS of the audit process (GNU time), on
# one core (GOMAXPROCS=1) and on all of them, with the load average: the
# machine may be shared.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./bench/mkcapture -n "$n" -o "$tmp/capture.har"
go build -o "$tmp/chconform" ./cmd/chconform
size=$(du -m "$tmp/capture.har" | cut -f1)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) nproc=$(nproc) $(go version | cut -d' ' -f3) commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'): auditing $n entries, ${size} MB"
bytes=$(stat -c %s "$tmp/capture.har")
for procs in 1 "$(nproc)"; do
  echo "## GOMAXPROCS=$procs, $(uptime | sed 's/.*load/load/')"
  if [ -x /usr/bin/time ]; then
    GOMAXPROCS=$procs CH_REPORT_DIR="$tmp/reports" /usr/bin/time -f '%e %M' -o "$tmp/time.txt" "$tmp/chconform" audit "$tmp/capture.har" >"$tmp/out.txt" || true
    head -n 1 "$tmp/out.txt"
    read -r wall rss <"$tmp/time.txt"
    awk -v b="$bytes" -v w="$wall" -v r="$rss" 'BEGIN{printf "%.2f s wall, %.0f MB/s of capture, %.0f MB peak RSS\n", w, b/1e6/w, r/1024}'
  else
    echo "(GNU time is not installed: apt-get install time; timing without peak RSS)"
    time GOMAXPROCS=$procs CH_REPORT_DIR="$tmp/reports" "$tmp/chconform" audit "$tmp/capture.har" >"$tmp/out.txt" || true
    head -n 1 "$tmp/out.txt"
  fi
done
ls -l "$tmp/reports" | awk 'NR>1{print $5, $9}'
