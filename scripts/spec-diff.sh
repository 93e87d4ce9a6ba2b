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
# The command from `go tool -n` (built once, cached): `go run` turns every
# non-zero exit into 1, and this script's callers must tell 1 from 2.
chconform=$(go tool -n chconform) || { echo "spec-diff: cannot build chconform" >&2; exit 2; }
"$chconform" spec-diff --format "${2:-text}" "$ref:api.yaml" api.yaml
