#!/usr/bin/env bash
# chconform proxy beside Prism 5.16.0's proxy (issue 20 §1), in one run, on
# the same bodies in front of the same upstream (bench/proxyload: a Go
# loopback server that answers every request with the body chosen), the
# bodies of bench/validate-throughput.sh (the real capture's large answers
# when ../shared/realdata is there, and a get_channels answer of the
# emulator's shape grown to the real one's 240 KB):
#   1. throughput: MB/s of answer body, sequential requests on one kept-alive
#      connection, straight to the upstream, through chconform proxy, through
#      `prism proxy api.yaml <upstream> --errors` (PRISM_N requests per body,
#      default 40; N through chconform and straight, default 300);
#   2. the latency chconform adds to the real 240 KB get_channels answer (the
#      emulator's without ../shared/realdata): LATENCY_N
#      requests (default 1000) straight and through the proxy, interleaved,
#      p50 / p90 / p99, and Prism's on PRISM_N requests;
#   3. what chconform's judge made of it (its closing line: every exchange
#      judged, or how many were not because the judge was behind).
# Output: bench/out/proxy.txt. Loopback only.
#
#   bash bench/proxy.sh
#   SKIP_PRISM=1 bash bench/proxy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
out=bench/out/proxy.txt
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

exec > >(tee "$out") 2>&1
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) load=$(cut -d' ' -f1-3 /proc/loadavg) nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\" $(go version | cut -d' ' -f3) node=$(node --version 2>/dev/null || echo none) rev=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/out' || echo '+dirty')"

go build -o "$tmp/chconform" ./cmd/chconform
go build -o "$tmp/proxyload" ./bench/proxyload
CH_THROUGHPUT_DUMP="$tmp" go test ./harness -run '^TestDumpThroughputBodies$' -count 1 >/dev/null
cp api.yaml "$tmp/api.yaml"

wait_port() { # $1 port, $2 log
  for _ in $(seq 600); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1:"; tail -20 "$2"; exit 2
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$tmp/proxyload" upstream "$tmp" >"$tmp/up.port" & pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/up.port" ] && break; sleep 0.1; done
up="http://127.0.0.1:$(cat "$tmp/up.port")/api"

chc_port=$(free_port)
"$tmp/chconform" proxy --upstream "$up" --listen "127.0.0.1:$chc_port" --report-dir "$tmp/reports" >"$tmp/chconform.log" 2>&1 & chc_pid=$!
pids+=($chc_pid)
wait_port "$chc_port" "$tmp/chconform.log"

prism_args=()
if [ -z "${SKIP_PRISM:-}" ]; then
  [ -x bench/node_modules/.bin/prism ] || (cd bench && npm ci --no-audit --no-fund) || { echo "Prism could not be installed (npm ci in bench/)"; exit 2; }
  prism_port=$(free_port)
  bench/node_modules/.bin/prism proxy "$tmp/api.yaml" "$up" --errors --host 127.0.0.1 --port "$prism_port" >"$tmp/prism.log" 2>&1 & pids+=($!)
  wait_port "$prism_port" "$tmp/prism.log"
  prism_args=(-prism "http://127.0.0.1:$prism_port")
fi

# The real 240 KB get_channels answer when the real capture is there, else
# the emulator's.
latency_body=emulator_get_channels_200_large
[ -f "$tmp/get_channels_200_232KB.body" ] && latency_body=get_channels_200_232KB
"$tmp/proxyload" client -bodies "$tmp" -upstream "$up" -chconform "http://127.0.0.1:$chc_port" "${prism_args[@]}" \
  -n "${N:-300}" -prism-n "${PRISM_N:-40}" -latency-n "${LATENCY_N:-1000}" -latency-body "$latency_body"

peak=$(grep VmHWM "/proc/$chc_pid/status" | awk '{print $2 " " $3}')
kill -TERM "$chc_pid"
wait "$chc_pid" || true
echo
echo "## chconform proxy's own account (its failure lines are the answers that break today's contract)"
grep -v '^FAILED' "$tmp/chconform.log" || true
echo "failure lines: $(grep -c '^FAILED' "$tmp/chconform.log" || true); peak RSS of the proxy: $peak"
grep -o 'not judged: [^"]*' "$tmp/reports/summary.json" | sed 's/([0-9]* bytes of bodies waiting/(… waiting/' | sort | uniq -c | sort -rn | head -5 || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
