#!/usr/bin/env bash
# The mutation gate of every push: a fixed-size sample of the catalogue drawn
# with a seed taken from the commit (so each commit judges its own draw, the
# same draw every time it is run, and over many commits the whole catalogue),
# judged like `make mutation` judges all of it. About two minutes on the
# 2-core CI machine with a warm build cache.
#
#   bash scripts/mutation-sample.sh [N] [OUT]   N defaults to 250 mutants, OUT to a temporary folder
#
# Exit 0 when every exercised mutant of the sample was killed, 1 on a
# survivor or an errored mutant (survivors.md says which and how to draw the
# sample again), 2 when the run could not be made.
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-250}
out=${2:-$(mktemp -d)}
mkdir -p "$out" || exit 2
go tool chconform mutate run -workers 2 -sample "$n" -seed commit -out "$out" > "$out/run.log" 2>&1
code=$?
grep -E '^chconform mutate:' "$out/run.log"
if [ "$code" != 0 ]; then
  tail -n 20 "$out/run.log"
  [ -f "$out/survivors.md" ] && sed -n '/^## Survivors/,/^## Not exercised/p' "$out/survivors.md"
fi
exit "$code"
