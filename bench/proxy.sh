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
#      default 40; N through chconform and straight, default 300), and per
#      body how many of the exchanges through chconform were judged whole
#      (the rest were judged by status and headers only); Prism's latency on
#      the 240 KB answer (PRISM_N requests);
#   2. the latency chconform adds to the real 240 KB get_channels answer (the
#      emulator's without ../shared/realdata), in ROUNDS rounds (default 3):
#      in each, for each pace of PACES (default "0 10ms": back to back, and a
#      pair every 10 ms, i.e. 100 requests/s through the proxy), LATENCY_N
#      requests (default 1000) straight and through a fresh proxy,
#      interleaved, for each binary in turn: BIN_A (an older build, when
#      given; BASE=<commit> builds one from git), the working tree's, and the
#      working tree's with --max-body 1 (nothing kept, nothing judged: the
#      floor of forwarding alone). Every run says how many of its exchanges
#      were judged whole; then the median of each over the rounds.
# Output: bench/out/proxy.txt. Loopback only. The measurements take
# /tmp/bench.lock themselves (BENCH_LOCK=other-file, or BENCH_LOCK= for
# none), the builds do not: do not wrap the script in flock on the same file.
#
#   bash bench/proxy.sh
#   SKIP_PRISM=1 SKIP_THROUGHPUT=1 BASE=6bea518 ROUNDS=5 bash bench/proxy.sh
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
bin_a=${BIN_A:-}
if [ -n "${BASE:-}" ]; then
  mkdir -p "$tmp/base"
  git archive "$BASE" | tar -x -C "$tmp/base"
  (cd "$tmp/base" && go build -o "$tmp/chconform-base" ./cmd/chconform)
  bin_a="$tmp/chconform-base"
fi
echo "# binaries: B = the working tree$([ -n "$bin_a" ] && echo "; A = ${BASE:-$bin_a}")"
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

lockfile=${BENCH_LOCK-/tmp/bench.lock}
lock() { if [ -n "$lockfile" ]; then exec 9>"$lockfile"; flock 9; fi; }
unlock() { if [ -n "$lockfile" ]; then flock -u 9; exec 9>&-; fi; }

# start_chc BIN LOG REPORTS [flags]: a proxy in front of the upstream; sets chc_pid, chc_port.
start_chc() {
  local bin=$1 log=$2 reports=$3; shift 3
  chc_port=$(free_port)
  "$bin" proxy --upstream "$up" --listen "127.0.0.1:$chc_port" --report-dir "$reports" "$@" >"$log" 2>&1 & chc_pid=$!
  pids+=($chc_pid)
  wait_port "$chc_port" "$log"
}
stop_chc() { kill -TERM "$chc_pid"; wait "$chc_pid" || true; }

# judged REPORTS [FIRST LAST]: "J of T" exchanges (numbered FIRST to LAST)
# judged whole, body and all; the others' reasons counted.
judged() {
  python3 - "$@" <<'PY'
import collections, json, sys
specs = json.load(open(sys.argv[1] + "/summary.json")).get("specs") or []
lo, hi = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (1, 1 << 62)
n, whole, why = 0, 0, collections.Counter()
for s in specs:
    loc = s.get("location", "")
    if not loc.startswith("proxy#") or not lo <= int(loc[6:]) <= hi:
        continue
    n += 1
    if s.get("outcome") in ("passed", "failed", "error"):
        whole += 1
    else:
        why[(s.get("reason") or s.get("outcome", "")).split(" (")[0]] += 1
print(f"{whole} of {n} judged whole" + "".join(f"; {c} {r}" for r, c in why.most_common(2)))
PY
}

# The real 240 KB get_channels answer when the real capture is there, else
# the emulator's.
latency_body=emulator_get_channels_200_large
[ -f "$tmp/get_channels_200_232KB.body" ] && latency_body=get_channels_200_232KB

if [ -z "${SKIP_THROUGHPUT:-}" ]; then
  start_chc "$tmp/chconform" "$tmp/chconform.log" "$tmp/reports"
  prism_args=()
  if [ -z "${SKIP_PRISM:-}" ]; then
    [ -x bench/node_modules/.bin/prism ] || (cd bench && npm ci --no-audit --no-fund) || { echo "Prism could not be installed (npm ci in bench/)"; exit 2; }
    prism_port=$(free_port)
    bench/node_modules/.bin/prism proxy "$tmp/api.yaml" "$up" --errors --host 127.0.0.1 --port "$prism_port" >"$tmp/prism.log" 2>&1 & pids+=($!)
    wait_port "$prism_port" "$tmp/prism.log"
    prism_args=(-prism "http://127.0.0.1:$prism_port")
  fi
  lock
  # The latency of this part is Prism's (and chconform's right after the
  # throughput runs, its judge perhaps still behind); part 2 is the measure.
  "$tmp/proxyload" client -bodies "$tmp" -upstream "$up" -chconform "http://127.0.0.1:$chc_port" "${prism_args[@]}" \
    -n "${N:-300}" -prism-n "${PRISM_N:-40}" -latency-n "${PRISM_N:-40}" -latency-body "$latency_body" -ranges "$tmp/ranges"
  unlock
  peak=$(grep VmHWM "/proc/$chc_pid/status" | awk '{print $2 " " $3}')
  stop_chc
  echo
  echo "## Through chconform, per body: exchanges judged whole (body and all); the rest by status and headers only"
  while read -r name first last _; do
    printf '%-44s %s\n' "$name" "$(judged "$tmp/reports" "$first" "$last")"
  done <"$tmp/ranges"
  echo
  echo "## chconform proxy's own account (its failure lines are the answers that break today's contract)"
  grep -v '^FAILED' "$tmp/chconform.log" || true
  echo "failure lines: $(grep -c '^FAILED' "$tmp/chconform.log" || true); peak RSS of the proxy: $peak"
fi

echo
echo "## Latency added to $latency_body, ms: ${LATENCY_N:-1000} requests straight and through a fresh proxy, interleaved, per run"
echo "(pace 0: back to back; 10ms: a pair every 10 ms, 100 requests/s through the proxy. floor: B with --max-body 1, nothing kept or judged)"
printf '%-5s %-5s %-6s %-20s %-20s %-20s %s\n' round pace bin "straight p50/90/99" "through p50/90/99" "added p50/90/99" "judged"
configs=(B floor)
[ -n "$bin_a" ] && configs=(A B floor)
: >"$tmp/latency"
for round in $(seq "${ROUNDS:-3}"); do
  for pace in ${PACES:-0 10ms}; do
    for cfg in "${configs[@]}"; do
      bin=$tmp/chconform flags=()
      case $cfg in A) bin=$bin_a ;; floor) flags=(--max-body 1) ;; esac
      rm -rf "$tmp/lat-reports"
      start_chc "$bin" "$tmp/lat.log" "$tmp/lat-reports" "${flags[@]}"
      lock
      line=$("$tmp/proxyload" client -bodies "$tmp" -upstream "$up" -chconform "http://127.0.0.1:$chc_port" -n 0 \
        -latency-n "${LATENCY_N:-1000}" -latency-pace "$pace" -latency-body "$latency_body" -latency-tag "$round $pace $cfg" | grep '^LATENCY')
      unlock
      stop_chc
      read -r _ r p c _ s50 s90 s99 _ t50 t90 t99 _ a50 a90 a99 <<<"$line"
      j=$(judged "$tmp/lat-reports")
      echo "$r $p $c $a50 $a90 $a99 $s99" >>"$tmp/latency"
      printf '%-5s %-5s %-6s %-20s %-20s %-20s %s\n' "$r" "$p" "$c" "$s50/$s90/$s99" "$t50/$t90/$t99" "$a50/$a90/$a99" "$j"
    done
  done
done
echo
echo "## Median over the rounds, ms added (p50 / p90 / p99), and the straight path's own p99"
python3 - "$tmp/latency" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r, p, c, *v = line.split()
    rows[(p, c)].append([float(x) for x in v])
for (p, c), vs in rows.items():
    med = [statistics.median(col) for col in zip(*vs)]
    print(f"pace {p:5} {c:6} added {med[0]:.3f} / {med[1]:.3f} / {med[2]:.3f}   straight p99 {med[3]:.3f}   ({len(vs)} rounds; p99 by round: {', '.join(f'{v[2]:.2f}' for v in vs)})")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
