#!/usr/bin/env bash
# Throughput of response validation on large answers (issue 10, part 3), in
# MB/s of validated response body:
#   1. chconform's standard checks (Go benchmarks BenchmarkStandardChecks*,
#      one core), COUNT runs of BENCHTIME each, min / median / max per body;
#   2. Prism 5.16.0's validating proxy (`prism proxy api.yaml <upstream>
#      --errors`, bench/package-lock.json) in front of a loopback server that
#      answers with the same bodies: sequential requests through Prism, a
#      bounded number per body (PRISM_N, default 40, at most PRISM_SECONDS, default 30 s).
# The bodies are the real capture's (../shared/realdata, read only, written to
# a scratch folder outside the project and deleted) when present, and a
# get_channels answer of the emulator's shape grown to the real one's size.
# Loopback only. Output: bench/out/validate-throughput.txt.
#
#   bash bench/validate-throughput.sh              # both
#   SKIP_PRISM=1 bash bench/validate-throughput.sh # Go only
#   SKIP_GO=1 bash bench/validate-throughput.sh    # Prism only
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
out=bench/out/validate-throughput.txt
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

exec > >(tee "$out") 2>&1
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) load=$(cut -d' ' -f1-3 /proc/loadavg) nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\" $(go version | cut -d' ' -f3) node=$(node --version 2>/dev/null || echo none) rev=$(git rev-parse --short HEAD)"

if [ -z "${SKIP_GO:-}" ]; then
  echo "## chconform: harness.Verify(StandardChecks(false)) per body, one core (COUNT=${COUNT:-5}, BENCHTIME=${BENCHTIME:-1s})"
  go test ./harness -run '^$' -bench 'StandardChecks' -benchtime "${BENCHTIME:-1s}" -count "${COUNT:-5}" -cpu 1 >"$tmp/go.txt" 2>&1 || { cat "$tmp/go.txt"; exit 2; }
  grep -E '^(Benchmark|---|    perf)' "$tmp/go.txt" | grep -v '^--- BENCH' | sort -u | grep -v '^Benchmark' || true
  summarize() { # $1: the unit to read (MB/s or MB/cpu-s)
    awk -v unit="$1" '/^Benchmark/ { for (i = 1; i <= NF; i++) if ($(i+1) == unit) { n = $1; sub(/^BenchmarkStandardChecks/, "", n); sub(/-[0-9]+$/, "", n); v[n] = v[n] " " $i } }
      END { for (n in v) { c = split(substr(v[n], 2), a, " "); for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
          med = (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2; printf "%-58s %9.1f %9.1f %9.1f %d\n", n, a[1], med, a[c], c } }' "$tmp/go.txt" | sort |
      sed "1i body ($1 of response body, one core)                     min    median       max runs"
  }
  summarize MB/cpu-s
  summarize MB/s
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg). MB/s is wall time (it drops when other processes hold the core);"
  echo "MB/cpu-s divides by this process's CPU time (GC included): the per-core cost whatever the load."
fi

if [ -n "${SKIP_PRISM:-}" ]; then exit 0; fi
echo "## Prism 5.16.0 validating proxy (prism proxy api.yaml <upstream> --errors), sequential requests over loopback"
[ -x bench/node_modules/.bin/prism ] || (cd bench && npm ci --no-audit --no-fund) || { echo "Prism could not be installed (npm ci in bench/)"; exit 2; }
CH_THROUGHPUT_DUMP="$tmp" go test ./harness -run '^TestDumpThroughputBodies$' -count 1 >/dev/null
cp api.yaml "$tmp/api.yaml"

# The upstream: answers every request with the body chosen by GET /__use/<name>.
cat >"$tmp/upstream.js" <<'EOF'
const http = require('http'), fs = require('fs'), path = require('path');
const dir = process.argv[2], bodies = {};
for (const f of fs.readdirSync(dir)) if (f.endsWith('.body')) bodies[f.slice(0, -5)] = fs.readFileSync(path.join(dir, f));
let cur = null;
const srv = http.createServer((req, res) => {
  if (req.url.startsWith('/__use/')) { cur = bodies[req.url.slice(7)]; res.end(cur ? 'ok' : 'unknown'); return; }
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': cur.length }); res.end(cur); });
});
srv.keepAliveTimeout = 60000;
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
EOF
# The client: for each body, sequential requests through Prism (and, for
# reference, straight to the upstream), timed after two warm-up requests.
cat >"$tmp/client.js" <<'EOF'
const http = require('http'), fs = require('fs'), path = require('path');
const [dir, upPort, prismPort, N, maxSec] = [process.argv[2], +process.argv[3], +process.argv[4], +process.argv[5], +process.argv[6]];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function call(port, r) {
  return new Promise((resolve, reject) => {
    const body = r.body ? Buffer.from(r.body) : null;
    const headers = Object.assign({}, r.headers);
    if (body) headers['Content-Length'] = body.length;
    const rq = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path + (r.query ? '?' + r.query : ''), headers, agent }, res => {
      let n = 0; res.on('data', c => n += c.length);
      res.on('end', () => resolve({ status: res.statusCode, bytes: n, violations: res.headers['sl-violations'] || '' }));
    });
    rq.on('error', reject); if (body) rq.write(body); rq.end();
  });
}
(async () => {
  const names = fs.readdirSync(dir).filter(f => f.endsWith('.req.json')).map(f => f.slice(0, -9)).sort();
  console.log(['body', 'bytes', 'status', 'violations', 'requests', 'Prism MB/s', 'ms/req', 'upstream alone MB/s'].join('\t'));
  for (const name of names) {
    const r = JSON.parse(fs.readFileSync(path.join(dir, name + '.req.json')));
    const size = fs.statSync(path.join(dir, name + '.body')).size;
    await call(upPort, { method: 'GET', path: '/__use/' + name, headers: {} });
    const up = Object.assign({}, r, { path: '/api' + r.path });
    const time = async (port, req) => {
      let last; for (let i = 0; i < 2; i++) last = await call(port, req);
      const t0 = process.hrtime.bigint(); let n = 0;
      while (n < N && Number(process.hrtime.bigint() - t0) / 1e9 < maxSec) { last = await call(port, req); n++; }
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      return { last, n, s };
    };
    const p = await time(prismPort, r), d = await time(upPort, up);
    const v = p.last.violations ? p.last.violations.slice(0, 120).replace(/\s+/g, ' ') : '-';
    console.log([name, size, p.last.status, v, p.n, (size * p.n / p.s / 1e6).toFixed(2), (1000 * p.s / p.n).toFixed(1), (size * d.n / d.s / 1e6).toFixed(1)].join('\t'));
  }
})().catch(e => { console.error(e); process.exit(2); });
EOF
node "$tmp/upstream.js" "$tmp" >"$tmp/up.port" & pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/up.port" ] && break; sleep 0.1; done
up=$(cat "$tmp/up.port")
prism_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bench/node_modules/.bin/prism proxy "$tmp/api.yaml" "http://127.0.0.1:$up/api" --errors --host 127.0.0.1 --port "$prism_port" >"$tmp/prism.log" 2>&1 & pids+=($!)
for _ in $(seq 600); do
  (exec 3<>/dev/tcp/127.0.0.1/"$prism_port") 2>/dev/null && break
  sleep 0.1
done
(exec 3<>/dev/tcp/127.0.0.1/"$prism_port") 2>/dev/null || { echo "Prism did not start:"; tail -20 "$tmp/prism.log"; exit 2; }
node "$tmp/client.js" "$tmp" "$up" "$prism_port" "${PRISM_N:-40}" "${PRISM_SECONDS:-30}" | column -t -s $'\t'
