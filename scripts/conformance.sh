#!/usr/bin/env bash
# Runs every suite against the configured target and writes the reports
# (ginkgo.json from Ginkgo; summary.json, junit.xml, report.html, report.md
# from chreport).
# Exit status (DESIGN.md): 0 nothing failed, 1 the target broke the contract,
# 2 the run could not be made (configuration, harness, unreachable target).
# `make conformance` runs this; call it directly where the difference between
# 1 and 2 matters (make turns every failure into its own status 2).
#
# FILTER narrows by label (FILTER=group:auth); GINKGO_FLAGS passes more flags.
set -uo pipefail
cd "$(dirname "$0")/.."

report_dir=${CH_REPORT_DIR:-reports/latest}
# Every suite process of this run counts CH_RUN_TIMEOUT from the same start.
export CH_RUN_STARTED=${CH_RUN_STARTED:-$(date +%s)}
export CH_REPORT_DIR=$report_dir

# A built binary, not `go run`: go run turns every non-zero exit into 1, and
# the difference between 1 and 2 is the point of this script.
bin_dir=$(mktemp -d) || exit 2
trap 'rm -rf "$bin_dir"' EXIT
go build -o "$bin_dir/chreport" ./cmd/chreport || exit 2
chreport="$bin_dir/chreport"

"$chreport" preflight || exit 2

mkdir -p "$report_dir" || exit 2
# The suites run with their own folder as working directory: paths given
# relative to the checkout must not change meaning on the way.
for var in CH_FIXTURES CH_SPEC CH_CONFIG CH_RECORD CH_REPORT_DIR CH_PROFILE; do
  value=${!var:-}
  # CH_PROFILE is a built-in name unless it looks like a path.
  if [ "$var" = CH_PROFILE ] && [[ "$value" != */* && "$value" != *.yaml && "$value" != *.yml ]]; then
    continue
  fi
  if [ -n "$value" ] && [ -e "$value" ]; then
    export "$var=$(cd "$(dirname "$value")" && pwd)/$(basename "$value")"
  fi
done
report_dir=$CH_REPORT_DIR

bash scripts/build-suites.sh "$bin_dir/suites" || exit 2

# Only the files a run writes are removed: CH_REPORT_DIR may be a folder
# that holds other things.
(cd "$report_dir" && rm -f ginkgo.json summary.json junit.xml report.html report.md) || exit 2
args=(--keep-going --randomize-all --json-report=ginkgo.json --output-dir="$report_dir")
[ -n "${FILTER:-}" ] && args+=(--label-filter="$FILTER")
[ -t 1 ] || args+=(--no-color) # logs and CI pages show escape codes as noise
# shellcheck disable=SC2206 # GINKGO_FLAGS is a list of flags on purpose
[ -n "${GINKGO_FLAGS:-}" ] && args+=(${GINKGO_FLAGS})

go tool ginkgo "${args[@]}" "$bin_dir"/suites/*/*.test
ginkgo_status=$?

"$chreport" summary
code=$?
if [ "$code" -eq 0 ] && [ "$ginkgo_status" -ne 0 ]; then
  echo "chconform: ginkgo exited $ginkgo_status although no spec failed" >&2
  exit 2
fi
exit "$code"
