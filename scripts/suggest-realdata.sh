#!/usr/bin/env bash
# How close does `chconform audit --suggest` come to the corrections made by
# hand? Audits the real capture of ../shared/realdata (read in place, never
# copied into the project) against api.yaml as it stood before the
# real-traffic corrections (BASE, the parent of 630dd98), writes the
# suggested overlay, audits again with it applied, and audits the contract as
# corrected by hand (HAND, 8bb66d7, the last correction the capture
# motivated) beside it. docs/auditing.md compares the two field by field.
# Skipped with a message where the capture or the history is absent.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=${REALDATA_DIR:-../shared/realdata}
capture="$dir/clubhouse-postman-2021-04.har"
base=${BASE:-8a86bd7}
hand=${HAND:-8bb66d7}
if [ ! -f "$capture" ]; then
  echo "suggest-realdata: no $capture: the comparison is skipped"
  exit 0
fi
if ! git cat-file -e "$base:api.yaml" 2>/dev/null || ! git cat-file -e "$hand:api.yaml" 2>/dev/null; then
  echo "suggest-realdata: commits $base and $hand are not in this clone's history: the comparison is skipped"
  exit 0
fi
# OUT keeps the contracts, the overlay and the reports; by default they go.
if [ -n "${OUT:-}" ]; then
  out=$OUT
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
git show "$base:api.yaml" >"$out/api-base.yaml"
git show "$hand:api.yaml" >"$out/api-hand.yaml"
chconform=$(go tool -n chconform) || exit 2

echo "== the contract before the corrections ($base), with the overlay it suggests: $out/suggested.yaml"
"$chconform" audit --spec "$out/api-base.yaml" --report-dir "$out/base" --suggest "$out/suggested.yaml" "$capture" | grep -v '^  FAILED'
echo "== the same contract with the suggested overlay applied"
"$chconform" audit --spec "$out/api-base.yaml" --overlay "$out/suggested.yaml" --report-dir "$out/overlaid" "$capture"
status=$?
echo "== the contract corrected by hand ($hand)"
"$chconform" audit --spec "$out/api-hand.yaml" --report-dir "$out/hand" "$capture"
echo "== the suggested actions"
grep -E '^  - target:|^    description:|^    remove:' "$out/suggested.yaml" | sed 's/^    /      /'
grep -A20 '^x-chconform-left-out:' "$out/suggested.yaml"
# The overlaid contract must judge every entry of the capture a pass.
exit "$status"
