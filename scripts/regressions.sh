#!/usr/bin/env bash
# The regression gate: runs the suites against a target kind and compares the
# verdict with the committed baseline of that kind.
#
#   scripts/regressions.sh [KIND]        KIND: fixtures (default) or emulator
#
# Exit status: 0 no regression, 1 a regression (a spec that passed now fails,
# a check of an operation that passed now fails, coverage lost, an operation
# removed; chconform diff prints which operation and check), 2 the run or the
# comparison could not be made. A target that fails specs it already failed
# in the baseline is not a regression: that is what the baseline records.
#
# BASELINE overrides the baseline file; CH_REPORT_DIR where the run's reports
# go (a temporary directory by default); FORMAT text|md|json the diff's form.
# FILTER, GINKGO_FLAGS, CH_FIXTURES... reach the run as for conformance.sh.
set -uo pipefail
cd "$(dirname "$0")/.."

kind=${1:-fixtures}
baseline=${BASELINE:-reports/baseline/$kind/summary.json}
if [ ! -f "$baseline" ]; then
  echo "regressions: no baseline $baseline (make baseline KIND=$kind writes one)" >&2
  exit 2
fi

case "$kind" in
  fixtures) run=(bash scripts/conformance.sh) ;;
  emulator)
    if [ ! -f scripts/conformance-emulator.sh ]; then
      echo "regressions: scripts/conformance-emulator.sh does not exist yet" >&2
      exit 2
    fi
    run=(bash scripts/conformance-emulator.sh) ;;
  *) echo "regressions: unknown target kind '$kind' (fixtures or emulator)" >&2; exit 2 ;;
esac

# The command from `go tool -n` (built once, cached): `go run` turns every
# non-zero exit into 1, and this script's callers must tell 1 from 2.
chconform=$(go tool -n chconform) || { echo "regressions: cannot build chconform" >&2; exit 2; }
cleanup=()
if [ -z "${CH_REPORT_DIR:-}" ]; then
  CH_REPORT_DIR=$(mktemp -d)
  cleanup+=("$CH_REPORT_DIR")
fi
trap 'rm -rf "${cleanup[@]}"' EXIT
export CH_REPORT_DIR

"${run[@]}"
status=$?
if [ "$status" -ge 2 ] || [ ! -s "$CH_REPORT_DIR/summary.json" ]; then
  echo "regressions: the $kind run could not be made (exit $status)" >&2
  exit 2
fi

echo "--- regressions against $baseline"
"$chconform" diff --format "${FORMAT:-text}" "$baseline" "$CH_REPORT_DIR/summary.json"
