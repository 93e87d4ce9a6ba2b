#!/usr/bin/env bash
# Lints the contract (api.yaml) with the pinned Spectral (spectral:oas) and Redocly (spec ruleset),
# then the contract with the committed example of a suggested overlay applied
# (audit/testdata/suggested-overlay.yaml, what `chconform audit --suggest` writes for a drifting
# capture): a suggestion taken into api.yaml must still pass this lint.
# Runs from any directory; installs the pinned linters (npm ci) when node_modules is missing or
# older than package-lock.json. Exits non-zero when either linter reports an error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

stamp=node_modules/.package-lock.json # npm writes it on every install
if [[ ! -d node_modules || ! -f "$stamp" || package-lock.json -nt "$stamp" || package.json -nt "$stamp" ]]; then
  echo "lint-contract: installing the pinned linters (npm ci)" >&2
  # No install scripts: the linters are plain JavaScript, and a dependency's
  # postinstall would run with the checkout's (and CI's) access.
  npm ci --ignore-scripts --no-audit --no-fund
fi

status=0
echo "== Spectral (spectral:oas, .spectral.yaml)"
npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity=error api.yaml || status=1
echo "== Redocly (spec ruleset, redocly.yaml)"
npx --no-install redocly lint --config redocly.yaml --format=stylish api.yaml || status=1

overlaid="$(mktemp -d)"
trap 'rm -rf "$overlaid"' EXIT
echo "== api.yaml + audit/testdata/suggested-overlay.yaml (chconform overlay)"
if go tool chconform overlay -o "$overlaid/api.yaml" audit/testdata/suggested-overlay.yaml; then
  # The rulesets are the contract's own, read from the checkout.
  npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity=error "$overlaid/api.yaml" || status=1
  npx --no-install redocly lint --config redocly.yaml --format=stylish "$overlaid/api.yaml" || status=1
else
  status=1
fi
exit "$status"
