#!/usr/bin/env bash
# Compares the working api.yaml with the one at a git ref, with oasdiff:
# breaking changes first.
#
#   scripts/spec-diff.sh [REF] [FORMAT]  REF: any git ref (default HEAD), FORMAT text|md|json
#
# Exit status: 0 no breaking change, 1 a breaking change, 2 the comparison
# could not be made (unknown ref, unreadable contract).
set -uo pipefail
cd "$(dirname "$0")/.."
ref=${1:-HEAD}
# A built chreport, not `go run`: go run turns every non-zero exit into 1,
# and this script's callers must tell 1 from 2.
bin=$(mktemp -d)
go build -o "$bin/chreport" ./cmd/chreport || { echo "spec-diff: cannot build chreport" >&2; exit 2; }
chreport="$bin/chreport"
trap 'rm -rf "$bin"' EXIT
"$chreport" spec-diff --format "${2:-text}" "$ref:api.yaml" api.yaml
