#!/usr/bin/env bash
# Builds the emulator, starts it on a free loopback port, runs every suite
# against it (scripts/conformance.sh with CH_BASE_URL and CH_PROFILE=emulator),
# stops it and exits with the suite's status (0 pass, 1 fail, 2 error).
# FILTER and GINKGO_FLAGS pass through; EMULATOR_REQUEST_LOG keeps the
# emulator's request log (JSON lines) in that file.
set -uo pipefail
cd "$(dirname "$0")/.."

workdir=$(mktemp -d "${TMPDIR:-/tmp}/chconform-emulator.XXXXXX") || exit 2
out="$workdir/emulator.out"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

bin=$(go tool -n chconform) || { echo "chconform: building the command failed" >&2; exit 2; }

log_args=()
[ -n "${EMULATOR_REQUEST_LOG:-}" ] && log_args=(-request-log "$EMULATOR_REQUEST_LOG")
# The profile's JWTs are signed with the published test key: ask for it.
"$bin" emulate -addr 127.0.0.1:0 -jwt-secret published "${log_args[@]}" >"$out" 2>&1 &
pid=$!

base=""
for _ in $(seq 1 100); do
  base=$(sed -n 's/^clubhouse-emulator listening on \(http:\/\/[^ ]*\)$/\1/p' "$out" | head -n1)
  [ -n "$base" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "chconform: the emulator did not start:" >&2
  cat "$out" >&2
  exit 2
fi
root=${base%/api}
healthy=""
for _ in $(seq 1 100); do
  if curl -fsS "$root/healthz" >/dev/null 2>&1; then healthy=1; break; fi
  sleep 0.1
done
[ -n "$healthy" ] || { echo "chconform: the emulator at $root does not answer /healthz" >&2; exit 2; }
echo "chconform: emulator at $base"

CH_BASE_URL="$base" CH_PROFILE=emulator FILTER="${FILTER:-}" GINKGO_FLAGS="${GINKGO_FLAGS:-}" bash scripts/conformance.sh "$@"
exit $?
