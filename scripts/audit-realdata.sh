#!/usr/bin/env bash
# The real server is the final judge: audit every real capture in
# ../shared/realdata (third-party data, read in place, never copied into the
# project) against the contract. Any verdict but "passed" fails: exit 1 when
# a real answer breaks the contract, 2 when a capture cannot be read. Where
# the folder is absent (a clone outside this workplace) it says so and
# passes, since there is nothing to judge.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=${REALDATA_DIR:-../shared/realdata}
shopt -s nullglob
files=("$dir"/*.har)
if [ ${#files[@]} -eq 0 ]; then
  echo "audit-realdata: no HAR file in $dir: the audit of real traffic is skipped"
  exit 0
fi
export CH_REPORT_DIR=${CH_REPORT_DIR:-reports/realdata}
chconform=$(go tool -n chconform) || exit 2
"$chconform" audit "${files[@]}"
