#!/usr/bin/env bash
# How the audit of a long capture scales from one core to two, measured so
# that the host's drift (the same one-core audit takes 13 s or 22 s in
# consecutive minutes here) cannot pass for a speed-up or hide one:
#
# - R rounds (default 6); in each, GOMAXPROCS=1 and GOMAXPROCS=2 run back to
#   back, which one first alternating by round, and the round's ratio is
#   one-core wall / two-core wall of those neighbouring runs. The summary is
#   the median ratio with its min and max, and best one-core / best two-core;
#   then the same median over the rounds no other work took a core from
#   ("contended") and over those where every one-core run kept its usual
#   speed ("steady"): a one-core run in a slow minute of the host makes a
#   round's ratio say more about the host than about the audit.
# - A control per round (CONTROL=0 skips it): two independent GOMAXPROCS=1
#   audits at once. Their aggregate MB/s over the round's one-core MB/s is
#   what the host itself gives an embarrassingly parallel load on its two
#   cores; the audit's ratio over it is the fraction of that it reaches.
# - BIN_A and BIN_B (two built chconform binaries) are measured in the same
#   rounds, their order alternating too; with neither, the working tree is
#   built. Every run's report files are compared (cmp) with the first run's.
# - Each round holds flock $LOCK (/tmp/bench.lock) so that no other
#   benchmark runs beside it, and releases it between rounds.
#
# Per run: wall, user+sys CPU, peak RSS (GNU time; the script installs
# nothing), MB/s of capture. Usage:
#   CAPTURE=/tmp/cap100k.har [R=6] [BIN_A=old BIN_B=new] [RUNS_OUT=file] bash bench/audit-scaling.sh
#   RUNS=file bash bench/audit-scaling.sh     # summarizes kept runs again
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${R:-6}
control=${CONTROL:-1}
lock=${LOCK:-/tmp/bench.lock}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# summarize RUNS NAMES: the per-round ratios and the medians.
summarize() {
  echo
  echo "# per round: ratio = one-core wall / two-core wall; host = (2 x capture / slower control run) / (capture / one-core run); audit/host = ratio / host"
  awk -v b="$bytes" -v names="$2" '
  # First pass: the best one-core time of every binary.
  NR == FNR {
    split($1, t, "-")
    if (t[3] != "p2" && (best[$2] == "" || $4 < best[$2])) best[$2] = $4
    next
  }
  {
    split($1, t, "-"); r = substr(t[1], 2); k = t[3]; w[r, $2, k] = $4
    # A round is steady when every one-core run in it (the control too)
    # took at most 12 % more than the best one-core run of its binary: the host
    # gave its usual speed on both cores that minute. Only then does the
    # ratio of the round say more about the audit than about the host.
    if (k != "p2" && $4 > 1.12 * best[$2]) unsteady[r] = unsteady[r] sprintf(" %s %s +%.0f%%", $2, k, 100 * ($4 / best[$2] - 1))
    # A run that got less of its cores than it could use (cpu / wall under
    # 0.9 per core on one, 0.8 on two, where the start and the end are
    # serial) shared them with something else: its round is "contended".
    share = $5 / $4 / (k == "p2" ? 2 : 1)
    if (share < (k == "p2" ? 0.8 : 0.9)) contended[r] = contended[r] sprintf(" %s %s %.2f", $2, k, share)
  }
  END {
    n = split(names, ns, " ")
    for (r = 1; w[r, ns[1], "p1"] != ""; r++) {
      line = "round " r ":"
      for (i = 1; i <= n; i++) {
        x = ns[i]; ratio = w[r, x, "p1"] / w[r, x, "p2"]
        line = line sprintf("  %s %.2fx", x, ratio)
        ratios[x] = ratios[x] " " ratio
        if (!(r in contended)) clean[x] = clean[x] " " ratio
        if (!(r in contended) && !(r in unsteady)) steady[x] = steady[x] " " ratio
        if (best1[x] == "" || w[r, x, "p1"] < best1[x]) best1[x] = w[r, x, "p1"]
        if (best2[x] == "" || w[r, x, "p2"] < best2[x]) best2[x] = w[r, x, "p2"]
      }
      if (w[r, ns[1], "c1"] != "") {
        slow = w[r, ns[1], "c1"]; if (w[r, ns[1], "c2"] > slow) slow = w[r, ns[1], "c2"]
        host = 2 * w[r, ns[1], "p1"] / slow
        line = line sprintf("  host %.2fx (control %.0f MB/s together, %s and %s s)", host, 2 * b / 1e6 / slow, w[r, ns[1], "c1"], w[r, ns[1], "c2"])
        hosts = hosts " " host
        for (i = 1; i <= n; i++) {
          x = ns[i]; f[x] = f[x] " " (w[r, x, "p1"] / w[r, x, "p2"]) / host
          line = line sprintf("  %s/host %.2f", x, (w[r, x, "p1"] / w[r, x, "p2"]) / host)
        }
      }
      if (r in contended) line = line "  (contended: cpu/wall per core" contended[r] ")"
      if (r in unsteady) line = line "  (unsteady: one core slower than its best by" unsteady[r] ")"
      print line
    }
    for (i = 1; i <= n; i++) {
      x = ns[i]
      printf "%s: median ratio %.2fx (min %.2fx, max %.2fx); best one core %.2f s / best two cores %.2f s = %.2fx", x, median(ratios[x]), lo, hi, best1[x], best2[x], best1[x] / best2[x]
      if (hosts != "") printf "; median audit/host %.2f", median(f[x])
      printf "\n"
      if (clean[x] != "") printf "%s, uncontended rounds only (%d): median ratio %.2fx (min %.2fx, max %.2fx)\n", x, split(clean[x], tmp, " "), median(clean[x]), lo, hi
      if (steady[x] != "") printf "%s, steady rounds only (%d): median ratio %.2fx (min %.2fx, max %.2fx)\n", x, split(steady[x], tmp, " "), median(steady[x]), lo, hi
    }
    if (hosts != "") printf "host control: median %.2fx (min %.2fx, max %.2fx)\n", median(hosts), lo, hi
  }
  # median of a space-separated list; sets lo and hi.
  function median(s,   v, m, i, j, t) {
    m = split(s, v, " ")
    for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    lo = v[1]; hi = v[m]
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
  }
' "$1" "$1"
}

# RUNS=FILE (a file RUNS_OUT kept) summarizes those runs again, measuring
# nothing; CAPTURE names the capture they read, for its size (or BYTES).
if [ -n "${RUNS:-}" ]; then
  bytes=${BYTES:-$(stat -c %s "${CAPTURE:-/tmp/cap100k.har}")}
  summarize "$RUNS" "$(cut -d' ' -f2 "$RUNS" | awk '!seen[$0]++' | tr '\n' ' ')"
  exit 0
fi

if [ ! -x /usr/bin/time ] || ! /usr/bin/time -f %e true 2>/dev/null; then
  echo "GNU time (/usr/bin/time) is not installed: this script needs it for the CPU time and peak RSS (apt-get install time)" >&2
  exit 2
fi
command -v flock >/dev/null || { echo "flock is not installed (util-linux)" >&2; exit 2; }

capture=${CAPTURE:-/tmp/cap100k.har}
if [ ! -f "$capture" ]; then
  echo "# $capture is missing: writing it (bench/mkcapture -n ${N:-100000})"
  go run ./bench/mkcapture -n "${N:-100000}" -o "$capture"
fi
bytes=$(stat -c %s "$capture")

names=() bins=()
if [ -n "${BIN_A:-}" ]; then
  names+=(A) bins+=("$BIN_A")
  [ -z "${BIN_B:-}" ] || { names+=(B) bins+=("$BIN_B"); }
else
  go build -o "$tmp/chconform" ./cmd/chconform
  names+=(tree) bins+=("$tmp/chconform")
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cpus, $(go version | cut -d' ' -f3), tree at $commit; capture $capture, $bytes bytes; $rounds rounds"
for i in "${!names[@]}"; do
  echo "# ${names[$i]} = ${bins[$i]} ($(sha256sum "${bins[$i]}" | cut -c1-12))"
done

# run NAME BIN PROCS TAG: one audit; appends "tag name procs wall cpu rss_mb mbs" to $tmp/runs.
run() {
  local name=$1 bin=$2 procs=$3 tag=$4 out=$tmp/$4
  mkdir -p "$out"
  GOMAXPROCS=$procs CH_REPORT_DIR="$out/reports" /usr/bin/time -f '%e %M %U %S' -o "$out/time" \
    "$bin" audit "$capture" >"$out/stdout" 2>"$out/stderr" || true
  read -r wall rss user sys <"$out/time"
  local line
  line=$(awk -v t="$tag" -v n="$name" -v p="$procs" -v b="$bytes" -v w="$wall" -v r="$rss" -v u="$user" -v s="$sys" \
    'BEGIN{printf "%s %s %s %.2f %.2f %.0f %.1f", t, n, p, w, u+s, r/1024, b/1e6/w}')
  echo "$line" >>"$tmp/runs"
  same "$out/reports"
}

# same DIR: the four reports are byte for byte the first run's.
same() {
  if [ ! -d "$tmp/first" ]; then
    cp -r "$1" "$tmp/first"
    return
  fi
  local f
  for f in "$tmp"/first/*; do
    cmp -s "$f" "$1/$(basename "$f")" || echo "REPORTS DIFFER: $1/$(basename "$f")" | tee -a "$tmp/differ"
  done
}

echo '# run: p1 = GOMAXPROCS=1, p2 = GOMAXPROCS=2, c1 and c2 = the two one-core audits run at once (control); load after the round'
printf '%-5s %-4s %-5s %8s %8s %7s %8s  %s\n' round bin run wall cpu rss_MB MB/s load
for r in $(seq 1 "$rounds"); do
  # The order of the binaries and of 1 and 2 cores alternates by round.
  order=("${!names[@]}")
  [ $((r % 2)) -eq 0 ] && order=($(printf '%s\n' "${order[@]}" | sort -rn))
  exec 9>"$lock"
  flock 9
  for i in "${order[@]}"; do
    if [ $((r % 2)) -eq 1 ]; then procs="1 2"; else procs="2 1"; fi
    for p in $procs; do
      run "${names[$i]}" "${bins[$i]}" "$p" "r$r-${names[$i]}-p$p"
    done
  done
  if [ "$control" = 1 ]; then
    # Two one-core audits at once: the host's own two-core capacity.
    run "${names[0]}" "${bins[0]}" 1 "r$r-${names[0]}-c1" &
    run "${names[0]}" "${bins[0]}" 1 "r$r-${names[0]}-c2" &
    wait
  fi
  flock -u 9
  exec 9>&-
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  grep "^r$r-" "$tmp/runs" | while read -r tag name p wall cpu rss mbs; do
    printf '%-5s %-4s %-5s %7ss %7ss %7s %8s  %s\n' "$r" "$name" "${tag##*-}" "$wall" "$cpu" "$rss" "$mbs" "$load"
  done
done

summarize "$tmp/runs" "${names[*]}"
[ -z "${RUNS_OUT:-}" ] || cp "$tmp/runs" "$RUNS_OUT"
if [ -f "$tmp/differ" ]; then
  echo "the reports of some runs differ from the first run's (above)"
  exit 1
fi
echo "the report files of every run are byte for byte the first run's"
