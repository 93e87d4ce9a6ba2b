#!/usr/bin/env bash
# Rewrites the committed baseline of a target kind from a fresh run, on
# purpose: review the diff (git diff reports/baseline/) before committing it.
#
#   scripts/baseline.sh [KIND]           KIND: fixtures (default) or emulator
#
# The baseline is summary.json without what changes from run to run (start
# time, tool revision, report directory), so it changes only when the verdict
# does. A run that could not be made (exit 2) never becomes a baseline.
set -uo pipefail
cd "$(dirname "$0")/.."

kind=${1:-fixtures}
case "$kind" in
  fixtures) run=(bash scripts/conformance.sh) ;;
  emulator)
    if [ ! -f scripts/conformance-emulator.sh ]; then
      echo "baseline: scripts/conformance-emulator.sh does not exist yet" >&2
      exit 2
    fi
    run=(bash scripts/conformance-emulator.sh) ;;
  *) echo "baseline: unknown target kind '$kind' (fixtures or emulator)" >&2; exit 2 ;;
esac
if [ -n "${FILTER:-}" ]; then
  # A baseline of part of the suite would make every other spec look new.
  echo "baseline: unset FILTER: a baseline covers the whole suite" >&2
  exit 2
fi

# The command from `go tool -n` (built once, cached): `go run` turns every
# non-zero exit into 1, and this script's callers must tell 1 from 2.
chconform=$(go tool -n chconform) || { echo "baseline: cannot build chconform" >&2; exit 2; }
CH_REPORT_DIR=$(mktemp -d)
trap 'rm -rf "$CH_REPORT_DIR"' EXIT
export CH_REPORT_DIR

"${run[@]}"
status=$?
if [ "$status" -ge 2 ]; then
  echo "baseline: the $kind run could not be made (exit $status); baseline unchanged" >&2
  exit 2
fi

out=reports/baseline/$kind/summary.json
mkdir -p "$(dirname "$out")"
"$chconform" report --stable --ginkgo "$CH_REPORT_DIR/ginkgo.json" --out "$out" \
  --html= --md= --junit= --badge= >/dev/null
rc=$?
# summary exits 1 when specs failed: a baseline may record known failures.
[ "$rc" -le 1 ] || { echo "baseline: chconform report failed (exit $rc)" >&2; exit 2; }
echo "baseline: wrote $out (status of that run: $status); review with: git diff $out"
