#!/usr/bin/env bash
# Benchmarks: generate catalogs in glue2dlf-sim, run glue2dlfd against them, record wall
# time, CPU, peak memory, snapshot size and requests per API, and (re)write BENCHMARKS.md.
#
#   tests/bench/run.sh [BUILD] [SCENARIO...]      SCENARIO: a b c d e f (default: all)
#   BENCH_QUICK=1 tests/bench/run.sh build        only (e), the quick one
#
# Scenarios (see BENCHMARKS.md): a/b/c share one simulator and one daemon (5,000,000
# partitions: first sync, unchanged cycle, 1% added + 0.5% changed + 0.5% dropped);
# d one table of 1,000,000 partitions; e the same as a/b/c at 200,000 partitions; f like
# e's first sync with 30 ms latency and request-rate quotas on both sides.
#
# Environment: BENCH_TIMEOUT (seconds per scenario, default 1800), BENCH_KEEP=1 (keep the
# work directory), BENCH_OUT (results directory, default bench-results), BENCH_MD (default
# BENCHMARKS.md), BENCH_F_GLUE_RPS / BENCH_F_DLF_RPS (quotas of f, default 40 / 40).
# Everything runs on 127.0.0.1; every process started here is stopped on exit.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-build}
[ $# -gt 0 ] && shift
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
OUT=${BENCH_OUT:-$ROOT/bench-results}
MD=${BENCH_MD:-$ROOT/BENCHMARKS.md}
TIMEOUT=${BENCH_TIMEOUT:-1800}
F_GLUE_RPS=${BENCH_F_GLUE_RPS:-40}
F_DLF_RPS=${BENCH_F_DLF_RPS:-40}
HZ=$(getconf CLK_TCK)
COMMAND="make bench${*:+ (tests/bench/run.sh $BUILD $*)}"
[ -n "${BENCH_QUICK:-}" ] && COMMAND="BENCH_QUICK=1 make bench"

if [ $# -gt 0 ]; then SCEN="$*"; elif [ -n "${BENCH_QUICK:-}" ]; then SCEN="e"; else
  SCEN="e f d a b c"; fi

for p in glue2dlfd glue2dlfctl glue2dlf-sim; do
  [ -x "$BUILD/$p" ] || { echo "bench: $BUILD/$p missing (run make)" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "bench: jq is required" >&2; exit 2; }

W=$(mktemp -d /tmp/g2d-bench.XXXXXX)
chmod 0700 "$W"
mkdir -p "$OUT"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
  if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }

# cpu_s PID: user+sys seconds of a live process (utime+stime of /proc/PID/stat).
cpu_s() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  s=${s##*) }
  # After "pid (comm) ", utime and stime are fields 12 and 13.
  echo "$s" | awk -v hz="$HZ" '{ printf "%.3f", ($12 + $13) / hz }'
}
# hwm_kib PID: peak resident set (VmHWM) in KiB.
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
now() { date +%s.%N; }
# calc EXPR: floating-point arithmetic without bc.
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }

# start_sim NAME ARGS...: sets SIM_PID, SIM_GLUE, SIM_DLF, SIM_GEN_S (start-up wall time).
start_sim() {
  local name=$1 t0; shift
  t0=$(now)
  "$BUILD/glue2dlf-sim" --bind 127.0.0.1 --port-file "$W/$name.ports" "$@" \
    >"$W/$name.sim.log" 2>&1 &
  SIM_PID=$!
  PIDS+=("$SIM_PID")
  for _ in $(seq 6000); do [ -s "$W/$name.ports" ] && break
    kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.05; done
  [ -s "$W/$name.ports" ] || { log "simulator did not start"; cat "$W/$name.sim.log" >&2; return 1; }
  SIM_GEN_S=$(calc "$(now) - $t0")
  SIM_GLUE="http://127.0.0.1:$(sed -n 's/^glue=//p' "$W/$name.ports")"
  SIM_DLF="http://127.0.0.1:$(sed -n 's/^dlf=//p' "$W/$name.ports")"
}

# write_config NAME [glue/dlf rps limits of the daemon]
write_config() {
  local name=$1 grps=${2:-0} drps=${3:-0}
  cat >"$W/$name.yaml" <<YAML
glue:
  region: us-east-1
  endpoint: $SIM_GLUE
  access_key_id: AKIDSIM
  secret_access_key: sim-glue-secret
  max_concurrency: 64
  max_requests_per_second: $grps
dlf:
  region: cn-hangzhou
  endpoint: $SIM_DLF
  access_key_id: LTAISIM
  access_key_secret: sim-dlf-secret
  max_concurrency: 64
  max_requests_per_second: $drps
  batch_size: 100
sync:
  interval: 24h
  run_on_start: false
deletes:
  max_count: 10000000
  max_fraction: 1
http:
  timeout: 2m
result:
  path: $W/$name.results.jsonl
control:
  socket: $W/$name.sock
log:
  target: stderr
  level: info
YAML
  chmod 0600 "$W/$name.yaml"
}

# start_daemon NAME: sets DPID.
start_daemon() {
  local name=$1
  "$BUILD/glue2dlfd" --config "$W/$name.yaml" >"$W/$name.daemon.log" 2>&1 &
  DPID=$!
  PIDS+=("$DPID")
  for _ in $(seq 600); do
    [ -S "$W/$name.sock" ] && "$BUILD/glue2dlfctl" -s "$W/$name.sock" status >/dev/null 2>&1 &&
      return 0
    sleep 0.05
  done
  log "daemon did not start"; cat "$W/$name.daemon.log" >&2; return 1
}

stop_pid() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

sim_get() { curl -fsS "$SIM_GLUE/_sim/$1"; }
sim_post() { curl -fsS -X POST -H 'Content-Type: application/json' --data "${2:-{\}}" "$SIM_GLUE/_sim/$1"; }

# result_counts FILE CYCLE: {"<itemType>.<diffResult>.<ok|failed>": n, "throttle_failed": n}
result_counts() {
  awk -v pfx="{\"cycleId\":$2," '
    index($0, pfx) == 1 {
      t = $0; sub(/.*"itemType":"/, "", t); sub(/".*/, "", t)
      d = $0; sub(/.*"diffResult":"/, "", d); sub(/".*/, "", d)
      ok = ($0 ~ /"isSuccess":true/) ? "ok" : "failed"
      n[t "." d "." ok]++
      if (ok == "failed" && tolower($0) ~ /throttl|rate exceeded/) thr++
      if (ok == "failed" && nerr < 3) {
        e = $0; sub(/.*"errorMsg":"/, "", e); sub(/"[,}].*/, "", e); gsub(/[\\"]/, "", e)
        if (!(e in seen)) { seen[e] = 1; errs[nerr++] = e }
      }
    }
    END {
      printf "{"; s = ""
      for (k in n) { printf "%s\"%s\":%d", s, k, n[k]; s = "," }
      printf "%s\"throttle_failed\":%d,\"error_samples\":[", s, thr + 0
      for (i = 0; i < nerr; i++) printf "%s\"%s\"", i ? "," : "", substr(errs[i], 1, 300)
      printf "]}\n"
    }' "$1"
}

# measure_cycle SCEN STEP LABEL NAME PARTITIONS DEADLINE [EXTRA_JSON]: one measured cycle
# triggered with `glue2dlfctl sync --wait`; writes $OUT/SCEN-STEP.json. Returns 1 on timeout.
measure_cycle() {
  local scen=$1 step=$2 label=$3 name=$4 parts=$5 deadline=$6 extra=${7:-null}
  local left t0 t1 dc0 dc1 sc0 sc1 rc cyc status stats wall res timed_out=false
  left=$((deadline - $(date +%s)))
  [ "$left" -lt 1 ] && left=1
  sim_post stats/reset >/dev/null
  dc0=$(cpu_s "$DPID"); sc0=$(cpu_s "$SIM_PID"); t0=$(now)
  log "$scen/$step: $label (timeout ${left}s)"
  timeout "$left" "$BUILD/glue2dlfctl" -s "$W/$name.sock" --json sync --wait \
    >"$W/$name.cycle.json" 2>"$W/$name.ctl.err"
  rc=$?
  t1=$(now); dc1=$(cpu_s "$DPID"); sc1=$(cpu_s "$SIM_PID")
  wall=$(calc "$t1 - $t0")
  [ "$rc" -eq 124 ] && timed_out=true
  cyc=$(jq -c . "$W/$name.cycle.json" 2>/dev/null) || cyc=null
  [ -n "$cyc" ] || cyc=null
  status=$("$BUILD/glue2dlfctl" -s "$W/$name.sock" --json status 2>/dev/null) || status=null
  stats=$(sim_get stats) || stats=null
  res='{}'
  if [ "$cyc" != null ] && [ -f "$W/$name.results.jsonl" ]; then
    res=$(result_counts "$W/$name.results.jsonl" "$(echo "$cyc" | jq -r '.cycle_id')")
  fi
  jq -n --arg scen "$scen" --arg step "$step" --arg lbl "$label" \
    --argjson parts "$parts" --argjson wall "$wall" \
    --argjson dcpu "$(calc "$dc1 - $dc0")" --argjson scpu "$(calc "$sc1 - $sc0")" \
    --argjson dcpu_total "$dc1" --argjson hwm "$(hwm_kib "$DPID")" \
    --argjson rss "$(rss_kib "$DPID")" --argjson sim_rss "$(rss_kib "$SIM_PID")" \
    --argjson sim_hwm "$(hwm_kib "$SIM_PID")" \
    --argjson cycle "$cyc" --argjson status "$status" --argjson stats "$stats" \
    --argjson results "$res" --argjson timed_out "$timed_out" --argjson timeout "$left" \
    --argjson extra "$extra" --argjson rc "$rc" '
    {scenario: $scen, step: $step, "label": $lbl, partitions: $parts,
     timed_out: $timed_out, timeout_s: $timeout, ctl_exit: $rc,
     wall_s: $wall, daemon_cpu_s: $dcpu, daemon_cpu_total_s: $dcpu_total,
     cpu_us_per_partition: (if $parts > 0 then $dcpu * 1e6 / $parts else null end),
     daemon_peak_rss_kib: $hwm, daemon_rss_kib: $rss,
     sim_cpu_s: $scpu, sim_rss_kib: $sim_rss, sim_peak_rss_kib: $sim_hwm,
     snapshot_bytes: ($status.progress.snapshot_bytes // null),
     snapshot_items: ($status.progress.snapshot_items // null),
     snapshot_bytes_per_partition: (if ($status.progress.snapshot_bytes // null) != null
       and $parts > 0 then $status.progress.snapshot_bytes / $parts else null end),
     cycle: $cycle, daemon_http: {glue: ($status.glue // null), dlf: ($status.dlf // null)},
     sim_stats: $stats, results: $results, extra: $extra,
     measured_at: (now | todate)}' >"$OUT/$scen-$step.json"
  tail -n 200 "$W/$name.daemon.log" >"$OUT/$scen-$step.daemon-tail.log" 2>/dev/null
  if $timed_out; then log "$scen/$step: timed out after ${left}s"; return 1; fi
  jq -r '"bench: \(.scenario)/\(.step): wall \(.wall_s)s, daemon CPU \(.daemon_cpu_s)s (\(.cpu_us_per_partition|floor) us/partition), peak RSS \(.daemon_peak_rss_kib) KiB, sim CPU \(.sim_cpu_s)s, glue \(.sim_stats.glue.total) dlf \(.sim_stats.dlf.total) requests"' \
    "$OUT/$scen-$step.json" >&2
  return 0
}

# record_timeout SCEN STEP LABEL: a step that was not reached because an earlier one timed out.
record_skip() {
  jq -n --arg scen "$1" --arg step "$2" --arg lbl "$3" --arg why "$4" \
    '{scenario: $scen, step: $step, "label": $lbl, skipped: $why, measured_at: (now | todate)}' \
    >"$OUT/$1-$2.json"
}

# scenario_catalog KEY SIMARGS...: first sync (+ unchanged, + mutated) over one catalog.
# Steps: 1 first sync, 2 unchanged cycle, 3 mutated cycle (only when STEPS says so).
run_catalog() {
  local key=$1 parts=$2 steps=$3; shift 3
  local deadline=$(($(date +%s) + ${SCEN_TIMEOUT:-$TIMEOUT})) name=$key sc0 mut
  local s1=first s2=unchanged s3=changed
  log "scenario $key: $parts partitions, simulator $*"
  start_sim "$name" "$@" || return 1
  sc0=$(cpu_s "$SIM_PID")
  jq -n --arg key "$key" --argjson gen "$SIM_GEN_S" --argjson cpu "$sc0" \
    --argjson rss "$(rss_kib "$SIM_PID")" --arg args "$*" \
    '{scenario: $key, sim_args: $args, sim_start_wall_s: $gen, sim_start_cpu_s: $cpu,
      sim_rss_after_generation_kib: $rss}' >"$OUT/$key-setup.json"
  write_config "$name" "${DAEMON_GLUE_RPS:-0}" "${DAEMON_DLF_RPS:-0}"
  start_daemon "$name" || return 1
  if ! measure_cycle "$key" 1 "$s1" "$name" "$parts" "$deadline" "${EXTRA1:-null}"; then
    [[ $steps == *2* ]] && record_skip "$key" 2 "$s2" "first sync timed out"
    [[ $steps == *3* ]] && record_skip "$key" 3 "$s3" "first sync timed out"
    stop_pid "$DPID"; stop_pid "$SIM_PID"; return 0
  fi
  if [[ $steps == *2* ]]; then
    if ! measure_cycle "$key" 2 "$s2" "$name" "$parts" "$deadline"; then
      [[ $steps == *3* ]] && record_skip "$key" 3 "$s3" "unchanged cycle timed out"
      stop_pid "$DPID"; stop_pid "$SIM_PID"; return 0
    fi
  fi
  if [[ $steps == *3* ]]; then
    mut=$(sim_post glue/mutate '{"add":0.01,"change":0.005,"drop":0.005,"seed":7}') || mut=null
    log "$key: mutation $mut"
    measure_cycle "$key" 3 "$s3" "$name" "$parts" "$deadline" "{\"mutation\":$mut}"
  fi
  stop_pid "$DPID"
  stop_pid "$SIM_PID"
}

machine_json() {
  local cpu mem deb
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
  deb=$(cat /etc/debian_version 2>/dev/null || echo unknown)
  jq -n --arg nproc "$(nproc)" --arg cpu "$cpu" --argjson mem "$mem" --arg kernel "$(uname -r)" \
    --arg debian "$deb" --arg curl "$(pkg-config --modversion libcurl 2>/dev/null)" \
    --arg uv "$(pkg-config --modversion libuv 2>/dev/null)" \
    --arg jansson "$(pkg-config --modversion jansson 2>/dev/null)" \
    --arg commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)" \
    --arg dirty "$(git -C "$ROOT" status --porcelain -- lib daemon tests/sim 2>/dev/null | wc -l)" \
    '{nproc: ($nproc|tonumber), cpu: $cpu, mem_kib: $mem, kernel: $kernel, debian: $debian,
      libcurl: $curl, libuv: $uv, jansson: $jansson, commit: $commit,
      uncommitted_files: ($dirty|tonumber), date: (now | todate)}'
}

machine_json >"$OUT/machine.json"
jq -n --arg c "$COMMAND" '{command: $c}' >"$OUT/command.json"

want() { [[ " $SCEN " == *" $1 "* ]]; }
# The quick scenarios take about a minute each; give them 10 minutes at most.
QUICK_TIMEOUT=$((TIMEOUT < 600 ? TIMEOUT : 600))
if want e; then SCEN_TIMEOUT=$QUICK_TIMEOUT run_catalog e 200000 23 --plain --seed 1 --databases 2 --tables-per-db 100 \
  --partitions-per-table 1000 --partition-keys 2 --columns 12; fi
if want f; then
  SCEN_TIMEOUT=$QUICK_TIMEOUT EXTRA1="{\"glue_rps\":$F_GLUE_RPS,\"dlf_rps\":$F_DLF_RPS,\"latency_ms\":30}" \
    run_catalog f 200000 1 --plain --seed 1 --databases 2 --tables-per-db 100 \
    --partitions-per-table 1000 --partition-keys 2 --columns 12 --latency-ms 30 \
    --glue-rps "$F_GLUE_RPS" --dlf-rps "$F_DLF_RPS"
fi
if want d; then run_catalog d 1000000 2 --plain --seed 1 --databases 1 --tables-per-db 1 \
  --partitions-per-table 1000000 --partition-keys 2 --columns 12; fi
if want a || want b || want c; then
  st=1; { want b || want c; } && st=12; want c && st=123
  run_catalog a 5000000 "$st" --plain --seed 1 --databases 5 --tables-per-db 1000 \
    --partitions-per-table 1000 --partition-keys 2 --columns 12
fi

"$ROOT/tests/bench/report.sh" "$OUT" >"$MD.tmp" && mv "$MD.tmp" "$MD"
log "wrote $MD"
