#!/usr/bin/env bash
# The audit of a long capture in bounded memory (issue 10): writes a HAR of
# N entries (default 100,000) from in-process emulator answers
# (bench/mkcapture; no real data), audits it with the built chconform, and
# prints the wall time, the CPU time and the peak RSS of the audit process
# (GNU time), on one core (GOMAXPROCS=1) and on all of them, with the load
# average: the machine may be shared, and then the wall time mostly measures
# the others (the CPU time less so).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# CAPTURE=FILE audits that file instead (one capture, several commits).
capture=${CAPTURE:-$tmp/capture.har}
[ -n "${CAPTURE:-}" ] || go run ./bench/mkcapture -n "$n" -o "$capture"
go build -o "$tmp/chconform" ./cmd/chconform
size=$(du -m "$capture" | cut -f1)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) nproc=$(nproc) $(go version | cut -d' ' -f3) commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'): auditing ${CAPTURE:-$n entries}, ${size} MB"
bytes=$(stat -c %s "$capture")
for procs in 1 "$(nproc)"; do
  echo "## GOMAXPROCS=$procs, $(uptime | sed 's/.*load/load/')"
  if [ -x /usr/bin/time ]; then
    GOMAXPROCS=$procs CH_REPORT_DIR="$tmp/reports" /usr/bin/time -f '%e %M %U %S' -o "$tmp/time.txt" "$tmp/chconform" audit "$capture" >"$tmp/out.txt" || true
    head -n 1 "$tmp/out.txt"
    read -r wall rss user sys <"$tmp/time.txt"
    awk -v b="$bytes" -v w="$wall" -v r="$rss" -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f s wall, %.0f MB/s of capture, %.0f MB peak RSS; %.2f s user + %.2f s sys CPU, %.0f MB of capture per CPU-second\n", w, b/1e6/w, r/1024, u, s, b/1e6/(u+s)}'
  else
    echo "(GNU time is not installed: apt-get install time; timing without peak RSS)"
    time GOMAXPROCS=$procs CH_REPORT_DIR="$tmp/reports" "$tmp/chconform" audit "$capture" >"$tmp/out.txt" || true
    head -n 1 "$tmp/out.txt"
  fi
done
ls -l "$tmp/reports" | awk 'NR>1{print $5, $9}'
