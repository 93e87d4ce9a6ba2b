#!/usr/bin/env bash
# Shows that the suite itself is not flaky: the whole suite against a fresh
# emulator N times, each in random order and in parallel processes
# (GINKGO_FLAGS, default -p), with no re-run of a failed spec (CH_RERUNS=0), so
# a spec that depends on order, timing or another spec's state fails here.
#
#   bash scripts/flake-check.sh [N]     N defaults to 10 (CI runs 3; bench/RESULTS.md records 100)
#
# Prints one line per run and a total; exit 0 when every run passed, 1 when
# some did not (their failed specs are listed), 2 when a run could not be made.
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GINKGO_FLAGS=${GINKGO_FLAGS:--p} CH_RERUNS=0
failed=0
start=$(date +%s)
for i in $(seq 1 "$n"); do
  dir=$tmp/run-$i
  CH_REPORT_DIR=$dir bash scripts/conformance-emulator.sh >"$tmp/log" 2>&1
  code=$?
  seed=$(sed -n 's/^Random Seed: \([0-9]*\).*/\1/p' "$tmp/log" | head -n1)
  case $code in
    0) echo "run $i/$n: passed (seed ${seed:-?})" ;;
    1)
      failed=$((failed + 1))
      echo "run $i/$n: FAILED (seed ${seed:-?}):"
      grep -E '^  (FAILED|ERROR |FLAKY)' "$tmp/log" | head -n 10 | sed 's/^/  /'
      ;;
    *)
      echo "run $i/$n: could not be made (exit $code):" >&2
      tail -n 20 "$tmp/log" >&2
      exit 2
      ;;
  esac
done
echo "flake-check: $((n - failed)) of $n runs passed, $failed failed ($(($(date +%s) - start)) s; GINKGO_FLAGS=$GINKGO_FLAGS, random order, CH_RERUNS=0)"
[ "$failed" -eq 0 ]
