#!/usr/bin/env bash
# Times whole commands as a user runs them (issue 12, section 5): wall time
# and peak RSS of `make conformance` on the embedded fixtures and of the
# emulator run, warm (the chconform binary already in the build cache), each
# RUNS times (min / median / max); then the first run in a fresh clone with an
# new clone, with this machine's build cache and with an empty one.
#
#   bash bench/commands.sh [RUNS]      RUNS defaults to 5
#
# Writes nothing into the checkout but reports under a temporary folder.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure LABEL CMD...: one line of min/median/max wall seconds and peak RSS.
measure() {
  local label=$1
  shift
  local walls=() rss=()
  for _ in $(seq 1 "$runs"); do
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/out" 2>&1
    local code=$?
    if [ "$code" -gt 1 ]; then
      echo "$label: exit $code" >&2
      cat "$tmp/out" >&2
      exit 2
    fi
    read -r wall kb <"$tmp/time"
    walls+=("$wall")
    rss+=("$kb")
  done
  local sorted_w sorted_r
  sorted_w=$(printf '%s\n' "${walls[@]}" | sort -g)
  sorted_r=$(printf '%s\n' "${rss[@]}" | sort -g)
  local mid=$(((runs + 1) / 2))
  printf '%-44s wall s min %s median %s max %s | peak RSS MiB median %s max %s\n' "$label" \
    "$(sed -n 1p <<<"$sorted_w")" "$(sed -n "${mid}p" <<<"$sorted_w")" "$(sed -n "${runs}p" <<<"$sorted_w")" \
    "$(($(sed -n "${mid}p" <<<"$sorted_r") / 1024))" "$(($(sed -n "${runs}p" <<<"$sorted_r") / 1024))"
}

echo "== $(go version), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
# Warm the cache once: these lines measure runs, not the first build.
go tool -n chconform >/dev/null || exit 2
export CH_REPORT_DIR=$tmp/reports
# /usr/bin/time measures make and its children: the peak is the largest
# single process (Linux getrusage of children reports the maximum).
measure "make conformance (fixtures, warm)" make -s conformance
measure "chconform run (fixtures, warm, binary only)" "$(go tool -n chconform)" run
measure "conformance against the emulator (warm)" bash scripts/conformance-emulator.sh

# First run in a fresh clone, twice: with this machine's build cache (what a
# second clone on a developer's machine or a CI cache sees: dependencies
# compiled, the clone's own packages not, since their path is new) and with
# an empty one (a machine that never built Go). The module cache is kept
# either way: modules download once per machine, not per run.
runs_saved=$runs
runs=1
git clone -q . "$tmp/clone1" || exit 2
measure "make conformance (fresh clone, warm GOCACHE)" make -s -C "$tmp/clone1" conformance
# A machine that has built Go before, but not this project: the standard
# library in the cache (Go ships it uncompiled), no dependency of ours.
git clone -q . "$tmp/clone2" || exit 2
GOCACHE="$tmp/gocache-std" go build std || exit 2
measure "make conformance (fresh clone, only std cached)" env GOCACHE="$tmp/gocache-std" make -s -C "$tmp/clone2" conformance
git clone -q . "$tmp/clone3" || exit 2
measure "make conformance (fresh clone, empty GOCACHE)" env GOCACHE="$tmp/gocache" make -s -C "$tmp/clone3" conformance
runs=$runs_saved
