#!/usr/bin/env bash
# Runs the Go benchmarks of issue 7 and prints them with the machine they ran
# on: the contract load, one validation (get_channels, join_channel), whole
# suite runs (fixtures, in-process emulator) and the emulator's throughput.
# BENCHTIME (default 1x for the suite runs, 2s for the rest) and COUNT pass
# through. Output: bench/out/bench.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
out=bench/out/bench.txt
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\" mem=$(free -m | awk '/Mem:/{print $2}')MB $(go version | cut -d' ' -f3)"
  go test ./harness -run '^$' -bench 'LoadContract|Validate|EmulatorParallel' -benchmem -benchtime "${BENCHTIME:-2s}" -count "${COUNT:-1}"
  go test ./harness -run '^$' -bench 'Suites' -benchmem -benchtime "${SUITE_BENCHTIME:-3x}" -count 1 -timeout 20m
} 2>&1 | tee "$out"
# Peak memory (max RSS) of the benchmark binary itself, not of the go tool
# that compiles it: GNU time on the compiled harness tests running the
# validation and emulator benchmarks. The suite processes' peak is the
# peak-RSS-MB metric of the Suites benchmarks.
if [ -x /usr/bin/time ]; then
  tmp=$(mktemp -d)
  go test -c -o "$tmp/harness.test" ./harness
  (cd harness && /usr/bin/time -v "$tmp/harness.test" -test.run '^$' -test.bench 'Validate|EmulatorParallel' -test.benchtime 1s) 2>&1 |
    grep -E 'Maximum resident' | sed 's/^\s*/benchmark process (validation, emulator) /' | tee -a "$out"
  rm -rf "$tmp"
fi
