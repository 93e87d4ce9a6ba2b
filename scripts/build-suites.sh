#!/usr/bin/env bash
# Compiles every suite under suites/ into OUT/<group>/<group>.test.
#
# The Ginkgo CLI compiles into the package folders, so two runs in one
# checkout (a developer's run and `make test`, or the tests of `make test`
# among themselves) delete each other's binaries. Binaries built here live in
# a folder of the caller's own, and `go tool ginkgo OUT/*/*.test` runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: build-suites.sh OUT}
mkdir -p "$out"
pids=()
for pkg in suites/*/; do
  name=$(basename "$pkg")
  # suites/all holds every group at once (chconform run): built here too, it
  # would run every spec twice.
  [ "$name" = all ] && continue
  mkdir -p "$out/$name"
  go test -c -o "$out/$name/$name.test" "./$pkg" &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do
  wait "$pid" || status=2
done
exit $status
