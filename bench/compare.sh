#!/usr/bin/env bash
# Peer comparison (issue 7): chconform, Dredd 14.1.0 and Prism 5.16.0 judge
# the same mutant catalogue (chconform mutate list), each mutant on a fresh emulator,
# one tool after the other on this machine, each timed. Installs the pinned
# tools from bench/package-lock.json (npm ci) when they are missing.
# Output: bench/out/<tool>/{summary.json,survivors.md} and bench/out/compare.txt.
# OPS / KINDS narrow the catalogue (comma-separated), WORKERS (default 2),
# TOOLS picks among chconform, dredd and prism (default all three).
# REQUESTS says what the peers are given: recorded (default, issue 18: every
# request chconform's suites send on a mutant of the operation, recorded once
# on the unmutated emulator into bench/out/requests.json and replayed; a
# mutant whose changed answers the peer already rejects unmutated is not
# judgeable) or documented (before: one request per documented response).
set -uo pipefail
cd "$(dirname "$0")/.."
workers=${WORKERS:-2}
tools=${TOOLS:-chconform dredd prism}
requests=${REQUESTS:-recorded}
case $requests in
recorded) suffix=-replay hooks=bench/dredd-replay-hooks.js ;;
documented) suffix= hooks=bench/dredd-hooks.js ;;
*) echo "REQUESTS is recorded or documented" >&2; exit 2 ;;
esac
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
  echo "catalogue: $("$bin/chconform" mutate list "${sel[@]}" | wc -l) mutants; workers $workers; commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/out' || echo ' (dirty)'); peers given the $requests requests"
} | tee "$out"
rm -f bench/out/requests.json # recorded afresh, then shared by both peers

timed() { # name, command...
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" > "bench/out/$name.log" 2>&1
  local code=$?
  end=$(date +%s.%N)
  printf '%s: exit %d, wall %.1f s; %s\n' "$name" "$code" "$(echo "$end - $start" | bc)" "$(tail -n1 "bench/out/$name.log")" | tee -a "$out"
}

peer=(-requests "$requests" -recording bench/out/requests.json -workers "$workers" "${sel[@]}")
for t in $tools; do
  case $t in
  chconform) timed chconform "$bin/chconform" mutate run -workers "$workers" -out bench/out/chconform "${sel[@]}" ;;
  dredd) timed "dredd$suffix" "$bin/chconform" mutate peer -tool dredd -bin bench/node_modules/.bin/dredd -hooks "$hooks" -out "bench/out/dredd$suffix" "${peer[@]}" ;;
  prism) timed "prism$suffix" "$bin/chconform" mutate peer -tool prism -bin bench/node_modules/.bin/prism -out "bench/out/prism$suffix" "${peer[@]}" ;;
  esac
done
