#!/usr/bin/env bash
# The comparison matrix of this project's own targets (issue 14): the
# embedded fixtures, the emulator (recorded in record mode), the audit of
# that recording, and the audit of the real captures of ../shared/realdata
# where present, side by side in reports/matrix/matrix.html and matrix.md.
# Each target's reports stay in reports/matrix/<target>/ so every failed cell
# links to its transcript. Exit 0 when the page was made, whatever the
# targets' verdicts (the gates are elsewhere); 2 when it could not be.
set -uo pipefail
cd "$(dirname "$0")/.."
chconform=$(go tool -n chconform) || exit 2
out=reports/matrix
rm -rf "$out"
mkdir -p "$out"
summaries=()

CH_REPORT_DIR=$out/fixtures bash scripts/conformance.sh >"$out/fixtures.log" 2>&1
summaries+=("$out/fixtures/summary.json")

CH_REPORT_DIR=$out/emulator CH_RECORD=$out/recording bash scripts/conformance-emulator.sh >"$out/emulator.log" 2>&1
summaries+=("$out/emulator/summary.json")

shopt -s nullglob
recorded=("$out"/recording/*.har)
if [ ${#recorded[@]} -gt 0 ]; then
  CH_REPORT_DIR=$out/emulator-recording "$chconform" audit "${recorded[@]}" >"$out/emulator-recording.log" 2>&1
  summaries+=("$out/emulator-recording/summary.json")
fi
real=(../shared/realdata/*.har)
if [ ${#real[@]} -gt 0 ]; then
  CH_REPORT_DIR=$out/realdata "$chconform" audit "${real[@]}" >"$out/realdata.log" 2>&1
  summaries+=("$out/realdata/summary.json")
else
  echo "matrix: ../shared/realdata holds no HAR here: the real captures are not in the matrix"
fi

present=()
for s in "${summaries[@]}"; do
  if [ -f "$s" ]; then present+=("$s"); else echo "matrix: $s was not written (see ${s%/summary.json}.log)" >&2; fi
done
[ ${#present[@]} -gt 0 ] || exit 2
CH_REPORT_DIR=$out "$chconform" matrix "${present[@]}"
