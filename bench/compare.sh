#!/usr/bin/env bash
# Peer comparison (issue 7): chconform, Dredd 14.1.0 and Prism 5.16.0 judge
# the same mutant catalogue (chconform mutate list), each mutant on a fresh emulator,
# one tool after the other on this machine, each timed. Installs the pinned
# tools from bench/package-lock.json (npm ci) when they are missing.
# Output: bench/out/<tool>/{summary.json,survivors.md} and bench/out/compare.txt.
# OPS / KINDS narrow the catalogue (comma-separated), WORKERS (default 2).
set -uo pipefail
cd "$(dirname "$0")/.."
workers=${WORKERS:-2}
sel=()
[ -n "${OPS:-}" ] && sel+=(-ops "$OPS")
[ -n "${KINDS:-}" ] && sel+=(-kinds "$KINDS")
mkdir -p bench/out
[ -x bench/node_modules/.bin/dredd ] && [ -x bench/node_modules/.bin/prism ] || (cd bench && npm ci --no-audit --no-fund) || exit 2
bin=$(mktemp -d) || exit 2
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/chconform" ./cmd/chconform || exit 2

out=bench/out/compare.txt
{
  echo "machine: nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\" mem=$(free -m | awk '/Mem:/{print $2}')MB $(go version | cut -d' ' -f3) node $(node --version)"
  echo "catalogue: $("$bin/chconform" mutate list "${sel[@]}" | wc -l) mutants; workers $workers"
} | tee "$out"

timed() { # name, command...
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" > "bench/out/$name.log" 2>&1
  local code=$?
  end=$(date +%s.%N)
  printf '%s: exit %d, wall %.1f s; %s\n' "$name" "$code" "$(echo "$end - $start" | bc)" "$(tail -n1 "bench/out/$name.log")" | tee -a "$out"
}

timed chconform "$bin/chconform" mutate run -workers "$workers" -out bench/out/chconform "${sel[@]}"
timed dredd "$bin/chconform" mutate peer -tool dredd -bin bench/node_modules/.bin/dredd -hooks bench/dredd-hooks.js -workers "$workers" -out bench/out/dredd "${sel[@]}"
timed prism "$bin/chconform" mutate peer -tool prism -bin bench/node_modules/.bin/prism -workers "$workers" -out bench/out/prism "${sel[@]}"
