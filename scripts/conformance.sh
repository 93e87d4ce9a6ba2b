#!/usr/bin/env bash
# Runs every suite against the configured target and writes the reports
# (ginkgo.json, summary.json, junit.xml, report.html, report.md, badge.json
# in CH_REPORT_DIR): `chconform run`, built once and cached by `go tool`.
# Exit status (DESIGN.md): 0 nothing failed, 1 the target broke the contract,
# 2 the run could not be made (configuration, harness, unreachable target).
# `make conformance` runs this; call it directly where the difference between
# 1 and 2 matters (make turns every failure into its own status 2).
#
# FILTER narrows by label (FILTER=group:auth); arguments go to `chconform
# run` (--shard 2/4, --seed N, ...). GINKGO_FLAGS (-p, --procs=N, ...) runs
# the same specs through the Ginkgo CLI instead, for what only it does:
# parallel processes.
set -uo pipefail
cd "$(dirname "$0")/.."

# `go tool -n` builds (or finds in the build cache) and names the binary
# without running it: `go tool chconform` would turn a failed build into
# exit 1, which reads as "not conformant".
chconform=$(go tool -n chconform) || { echo "chconform: building the command failed" >&2; exit 2; }

if [ -z "${GINKGO_FLAGS:-}" ]; then
  args=()
  [ -n "${FILTER:-}" ] && args+=(--filter "$FILTER")
  exec "$chconform" run "${args[@]}" "$@"
fi

# The Ginkgo CLI path: the same specs (suites/all) in N processes.
if [ "$#" -gt 0 ]; then
  echo "chconform: GINKGO_FLAGS runs the Ginkgo CLI, which takes no chconform run flags ($*): use one or the other" >&2
  exit 2
fi
report_dir=${CH_REPORT_DIR:-reports/latest}
export CH_RUN_STARTED=${CH_RUN_STARTED:-$(date +%s)}
# The suite processes run in their package folder: a path given relative to
# the checkout must keep its meaning.
for var in CH_FIXTURES CH_SPEC CH_CONFIG CH_RECORD CH_PROFILE; do
  value=${!var:-}
  if [ "$var" = CH_PROFILE ] && [[ "$value" != */* && "$value" != *.yaml && "$value" != *.yml ]]; then
    continue # a built-in profile name
  fi
  if [ -n "$value" ] && [ -e "$value" ]; then
    export "$var=$(cd "$(dirname "$value")" && pwd)/$(basename "$value")"
  fi
done
mkdir -p "$report_dir" || exit 2
report_dir=$(cd "$report_dir" && pwd)
export CH_REPORT_DIR=$report_dir
"$chconform" preflight || exit 2
bin_dir=$(mktemp -d) || exit 2
trap 'rm -rf "$bin_dir"' EXIT
go test -c -o "$bin_dir/all.test" ./suites/all || exit 2
(cd "$report_dir" && rm -f ginkgo.json summary.json junit.xml report.html report.md badge.json) || exit 2
# A failed spec is tried again as `chconform run` does (CH_RERUNS, default 2).
args=(--randomize-all --flake-attempts=$((1 + ${CH_RERUNS:-2})) --json-report=ginkgo.json --output-dir="$report_dir")
[ -n "${FILTER:-}" ] && args+=(--label-filter="$FILTER")
[ -t 1 ] || args+=(--no-color) # logs and CI pages show escape codes as noise
# shellcheck disable=SC2206 # GINKGO_FLAGS is a list of flags on purpose
args+=(${GINKGO_FLAGS})
go tool ginkgo "${args[@]}" "$bin_dir/all.test"
ginkgo_status=$?
"$chconform" report
code=$?
if [ "$code" -eq 0 ] && [ "$ginkgo_status" -ne 0 ]; then
  echo "chconform: ginkgo exited $ginkgo_status although no spec failed" >&2
  exit 2
fi
exit "$code"
