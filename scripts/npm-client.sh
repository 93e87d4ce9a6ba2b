#!/usr/bin/env bash
# A real client that nobody here wrote, through the validating proxy (issue
# 20 §1): the published npm package clubhouse-client (pinned in
# examples/npm-client/package-lock.json) signs in and reads
# (examples/npm-client/client.js).
#
#   bash scripts/npm-client.sh    REPORT_DIR=DIR keeps the proxy's reports (DIR/clean, DIR/fault);
#                                 CHCONFORM=BIN uses that build of the command instead of this checkout's
#
# 1. the client straight against a fresh emulator: it must exit 0, so a
#    failure further on is the proxy's, not the client's or the emulator's;
# 2. the client through `chconform proxy` in front of a fresh emulator: the
#    proxy must exit 0 with 0 findings in its summary.json;
# 3. the same with the emulator's fault switch on (-fault
#    mistyped-field:$FAULT_OP, default me): the proxy must exit 1, print a
#    failure line naming the operation and response_schema_conformance, and
#    its summary.json must fail that operation.
# Exit 0 when all three hold, 1 when one does not, 2 when something could not
# run (no node or npm, the emulator or the proxy did not start, or this
# build has no `chconform proxy`).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
client_dir=$root/examples/npm-client
fault_op=${FAULT_OP:-me}
check=response_schema_conformance

work=$(mktemp -d "${TMPDIR:-/tmp}/chconform-npm-client.XXXXXX") || exit 2
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    if kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p" 2>/dev/null
      wait "$p" 2>/dev/null
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

say() { echo "npm-client: $*"; }
die() { echo "npm-client: $*" >&2; exit 2; }
fail() { echo "npm-client: FAILED: $*" >&2; exit 1; }

command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are needed (the client is an npm package)"

# The client from the committed lock, only when it is not installed yet (or
# the lock changed since). No install scripts: the client is plain
# JavaScript, and a dependency's postinstall would run with the checkout's
# (and CI's) access.
stamp=$client_dir/node_modules/.package-lock.json # npm writes it on every install
if [[ ! -f "$stamp" || "$client_dir/package-lock.json" -nt "$stamp" ]]; then
  say "installing clubhouse-client from examples/npm-client/package-lock.json (npm ci)"
  (cd "$client_dir" && npm ci --ignore-scripts --no-audit --no-fund) >&2 || die "npm ci failed"
fi

# CHCONFORM names another build of the command (a release, or a branch's).
bin=${CHCONFORM:-}
[ -n "$bin" ] || bin=$(go tool -n chconform) || die "building the command failed"

# wait_line FILE PID SED: the first line of FILE that SED prints, once the
# process PID has written it (10 s at most).
wait_line() {
  local line="" i
  for i in $(seq 1 100); do
    line=$(sed -n "$3" "$1" | head -n1)
    [ -n "$line" ] && break
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "$line"
}

# start_emulator NAME [ARGS...]: a fresh emulator; sets emulator_root
# (http://127.0.0.1:PORT, the API under /api).
start_emulator() {
  local name=$1
  shift
  "$bin" emulate -addr 127.0.0.1:0 -jwt-secret published "$@" >"$work/$name.emulator.out" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local base
  base=$(wait_line "$work/$name.emulator.out" "$pid" 's/^clubhouse-emulator listening on \(http:\/\/[^ ]*\)$/\1/p')
  [ -n "$base" ] || { cat "$work/$name.emulator.out" >&2; die "the emulator did not start"; }
  emulator_root=${base%/api}
}

# run_client BASE LOG: the client against BASE (the API root, ending in
# /api); its exit status.
run_client() {
  (cd "$client_dir" && CH_BASE_URL="$1" node client.js) >"$2" 2>&1
}

# summary_field DIR EXPR: EXPR (JavaScript, over s = DIR/summary.json).
summary_field() {
  node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1] + "/summary.json", "utf8")); console.log(eval(process.argv[2]))' "$1" "$2"
}

say "1/3: clubhouse-client straight against the emulator"
start_emulator direct
if ! run_client "$emulator_root/api" "$work/direct.client.out"; then
  cat "$work/direct.client.out" >&2
  fail "the client does not work against the emulator itself (an emulator bug, or the client's)"
fi
sed 's/^/  /' "$work/direct.client.out"

if ! "$bin" proxy --help >/dev/null 2>&1; then
  die "this build has no \`chconform proxy\` (go tool chconform proxy --help fails): the client was checked against the emulator only"
fi

# through NAME [EMULATOR ARGS...]: the client through a proxy in front of a
# fresh emulator; the proxy is stopped with SIGTERM once the client is done.
# Sets proxy_status, client_status and report (the proxy's report folder);
# the proxy's output is $work/NAME.proxy.out.
through() {
  local name=$1
  shift
  start_emulator "$name" "$@"
  report=${REPORT_DIR:+$REPORT_DIR/$name}
  report=${report:-$work/$name.reports}
  mkdir -p "$report"
  "$bin" proxy --upstream "$emulator_root" --listen 127.0.0.1:0 --report-dir "$report" >"$work/$name.proxy.out" 2>"$work/$name.proxy.err" &
  local pid=$!
  pids+=("$pid")
  local proxy
  proxy=$(wait_line "$work/$name.proxy.out" "$pid" 's/^chconform proxy listening on \(http:\/\/[^ ]*\)$/\1/p')
  [ -n "$proxy" ] || { cat "$work/$name.proxy.out" "$work/$name.proxy.err" >&2; die "the proxy did not start"; }
  run_client "${proxy%/}/api" "$work/$name.client.out"
  client_status=$?
  kill -TERM "$pid"
  local i
  for i in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    die "the proxy did not stop within 60 s of SIGTERM"
  fi
  wait "$pid"
  proxy_status=$?
  [ -f "$report/summary.json" ] || { cat "$work/$name.proxy.err" >&2; die "the proxy wrote no $report/summary.json (exit $proxy_status)"; }
}

say "2/3: clubhouse-client through chconform proxy in front of the emulator"
through clean
sed 's/^/  /' "$work/clean.client.out"
[ "$client_status" -eq 0 ] || fail "the client failed through the proxy (it did not against the emulator): the proxy changed something"
passed=$(summary_field "$report" 's.totals.passed')
findings=$(summary_field "$report" 's.totals.failed + s.totals.error')
say "proxy exit $proxy_status, $passed exchange(s) passed, $findings finding(s)"
[ "$proxy_status" -eq 0 ] || { cat "$work/clean.proxy.out" >&2; fail "the proxy exited $proxy_status, want 0"; }
[ "$findings" -eq 0 ] || fail "$findings finding(s), want 0"
[ "$passed" -gt 0 ] || fail "the proxy judged no exchange"

say "3/3: the same with the emulator's fault switch on (-fault mistyped-field:$fault_op)"
through fault -fault "mistyped-field:$fault_op"
# The client may or may not notice a mistyped field; the proxy must.
say "the client exited $client_status; the proxy exited $proxy_status and printed:"
[ "$client_status" -eq 0 ] || tail -n 1 "$work/fault.client.out" | sed 's/^/  (client) /'
grep -F -- "$check" "$work/fault.proxy.out" | sed 's/^/  /'
[ "$proxy_status" -eq 1 ] || { cat "$work/fault.proxy.out" >&2; fail "the proxy exited $proxy_status, want 1"; }
grep -F -- "$check" "$work/fault.proxy.out" | grep -Eq "(^|[^a-z_])$fault_op([^a-z_]|$)" ||
  fail "no failure line of the proxy names $fault_op and $check"
op_status=$(summary_field "$report" "(s.operations.find((o) => o.operation_id === '$fault_op') || {}).status")
[ "$op_status" = failed ] || fail "summary.json: $fault_op is $op_status, want failed"
say "the proxy passed clubhouse-client with 0 findings and named the injected fault ($fault_op, $check)"
exit 0
