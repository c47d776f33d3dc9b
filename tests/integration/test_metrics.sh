#!/usr/bin/env bash
# The scrape endpoint (metrics.listen) and the node_exporter text file (metrics.textfile):
# values checked against the simulator's own request counts, promtool lint where promtool
# is installed, OpenMetrics on request, a scrape during a running cycle, moved by a reload
# (TCP to a UNIX socket and off), IPv6, bad values refused at load.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 11 --databases 3 --tables-per-db 3 --partitions-per-table 40 \
  --functions-per-db 1 || exit 1

scrape() { curl -fsS "$@" "http://$ADDR/metrics"; }
# metric TEXT NAME{LABELS}: the value of one sample, or "missing"
metric() { awk -v k="$2" '$1 == k {print $2; f=1} END {if (!f) print "missing"}' <<<"$1"; }

# 1. Bad values: file:line:col and exit 2.
write_config "$T/bad1.yaml" "metrics:
  listen: metrics.example.com:9464"
g2dd --config "$T/bad1.yaml" --check-config >"$T/bad1.log" 2>&1
check_eq "metrics.listen with a host name: exit 2" 2 $?
check "metrics.listen with a host name: file:line:col and why" \
  grep -q "bad1.yaml:[0-9]*:[0-9]*: .*metrics.listen.*no name lookup" "$T/bad1.log"
write_config "$T/bad2.yaml" "metrics:
  textfile: $T/glue2dlf.txt"
g2dd --config "$T/bad2.yaml" --check-config >"$T/bad2.log" 2>&1
check_eq "metrics.textfile without .prom: exit 2" 2 $?
check "metrics.textfile without .prom: says why" grep -q "must end in .prom" "$T/bad2.log"
write_config "$T/bad3.yaml" "metrics:
  listen: 127.0.0.1:99999"
g2dd --config "$T/bad3.yaml" --check-config >"$T/bad3.log" 2>&1
check_eq "metrics.listen with port 99999: exit 2" 2 $?

# 2. A first sync, then the scrape compared with what the simulator counted.
mkdir -p "$T/tf"
CFG_SYNC_EXTRA='  run_on_start: false' write_config "$T/g.yaml" "metrics:
  listen: 127.0.0.1:0
  textfile: $T/tf/glue2dlf.prom"
start_daemon d "$T/g.yaml" || exit 1
ADDR=$(ctl status --json | jq -r '.metrics_listen // empty')
check "status names the bound address" test -n "$ADDR"
check "glue2dlfctl status shows it" bash -c "'$BUILD/glue2dlfctl' --socket '$T/control.sock' status | grep -q 'metrics.*$ADDR'"
check "the log names the endpoint" grep -q "metrics: serving http://$ADDR/metrics" "$T/d.log"
ctl sync --wait >/dev/null
M=$(scrape)
S=$(sim_get stats)
check_eq "requests (glue) equal the simulator's count" "$(jq -r .glue.total <<<"$S")" \
  "$(metric "$M" 'glue2dlf_http_requests_total{side="glue"}')"
check_eq "requests (dlf) equal the simulator's count" "$(jq -r .dlf.total <<<"$S")" \
  "$(metric "$M" 'glue2dlf_http_requests_total{side="dlf"}')"
bad=""
for side in glue dlf; do
  for api in $(jq -r --arg s $side '.[$s] | to_entries[] | select(.value > 0 and .key != "total"
      and .key != "writes" and .key != "partition_items") | .key' <<<"$S"); do
    want=$(jq -r --arg s $side --arg a "$api" '.[$s][$a]' <<<"$S")
    got=$(metric "$M" "glue2dlf_http_api_requests_total{side=\"$side\",api=\"$api\",outcome=\"ok\"}")
    [ "$want" == "$got" ] || bad+=" $side/$api:$want/$got"
    got=$(metric "$M" "glue2dlf_http_attempt_duration_seconds_count{side=\"$side\",api=\"$api\"}")
    [ "$want" == "$got" ] || bad+=" latency:$side/$api:$want/$got"
  done
done
check_eq "every operation's requests and latency count equal the simulator's" "" "$bad"
check_eq "partitions created, as the simulator holds them" \
  "$(jq -r '.dlf.partition_items' <<<"$S")" \
  "$(metric "$M" 'glue2dlf_items_total{type="partition",diff="glueNew",outcome="success"}')"
check_eq "cycles by outcome" 1 "$(metric "$M" 'glue2dlf_cycles_total{outcome="ok"}')"
check_eq "build info" 1 "$(metric "$M" 'glue2dlf_build_info{version="'"$("$BUILD/glue2dlfd" --version | awk '{print $2}')"'"}')"
check "replication lag is given" bash -c "[ '$(metric "$M" glue2dlf_replication_lag_seconds)' != missing ]"
check "process metrics are given" grep -q '^process_resident_memory_bytes [1-9]' <<<"$M"
check_eq "idle between cycles" 1 "$(metric "$M" 'glue2dlf_cycle_phase{phase="idle"}')"
if command -v promtool >/dev/null; then
  printf '%s\n' "$M" >"$T/scrape.txt"
  check "promtool check metrics: the scrape is clean" bash -c "promtool check metrics <'$T/scrape.txt'"
else
  echo "SKIP promtool is not installed"
fi

# 3. OpenMetrics on request; errors for other paths and methods.
H=$(curl -fsS -D - -o "$T/om.txt" -H 'Accept: application/openmetrics-text; version=1.0.0' \
  "http://$ADDR/metrics")
check "OpenMetrics: its content type" grep -qi '^content-type: application/openmetrics-text' <<<"$H"
check_eq "OpenMetrics: ends with # EOF" "# EOF" "$(tail -n 1 "$T/om.txt")"
check "OpenMetrics: counter families without _total" grep -q '^# TYPE glue2dlf_cycles counter$' "$T/om.txt"
check_eq "unknown path: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR/nope")"
check_eq "POST: 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$ADDR/metrics")"

# 4. The text file: written after the cycle, atomically, without process metrics.
check "textfile written after the cycle" test -s "$T/tf/glue2dlf.prom"
check_eq "textfile mode 0644" 644 "$(stat -c %a "$T/tf/glue2dlf.prom")"
check_eq "textfile: no temporary file left" "glue2dlf.prom" "$(ls "$T/tf" | tr '\n' ' ' | sed 's/ $//')"
check "textfile: no process_* families (node_exporter has its own)" \
  bash -c "! grep -q '^process_' '$T/tf/glue2dlf.prom'"
check "textfile: the cycle is in it" grep -q '^glue2dlf_cycles_total{outcome="ok"} 1$' "$T/tf/glue2dlf.prom"
if command -v promtool >/dev/null; then
  check "promtool check metrics: the text file is clean" bash -c "promtool check metrics <'$T/tf/glue2dlf.prom'"
fi

# 5. A scrape while a cycle runs shows it running, with its progress.
sim_post faults '{"side":"glue","action":"GetPartitions","kind":"latency","latency_ms":1500,"count":2}'
ctl sync >/dev/null
for _ in $(seq 100); do
  R=$(scrape)
  [ "$(metric "$R" 'glue2dlf_cycle_phase{phase="idle"}')" == 0 ] && break
  sleep 0.05
done
check_eq "during a cycle: not idle" 0 "$(metric "$R" 'glue2dlf_cycle_phase{phase="idle"}')"
check "during a cycle: progress gauges" grep -q '^glue2dlf_cycle_tables_total [1-9]' <<<"$R"
ctl sync --wait >/dev/null

# 6. Throttling counted per operation, as the simulator injected it.
sim_post faults '{"side":"dlf","action":"ListDatabases","kind":"throttle","count":2}'
ctl sync --wait --full >/dev/null
M=$(scrape)
check_eq "throttled answers counted per operation (the two injected)" 2 \
  "$(metric "$M" 'glue2dlf_http_api_throttled_total{side="dlf",api="ListDatabases"}')"
check_eq "throttled answers: status and code family" 2 \
  "$(metric "$M" 'glue2dlf_http_api_answers_total{side="dlf",api="ListDatabases",status="4xx",code="throttling"}')"

# 7. A reload moves the endpoint to a UNIX socket, then closes it.
OLD=$ADDR
write_config "$T/g.yaml" "metrics:
  listen: $T/metrics.sock"
ctl reload >/dev/null
check "reload: the UNIX socket answers" bash -c \
  "curl -fsS --unix-socket '$T/metrics.sock' http://localhost/metrics | grep -q '^glue2dlf_build_info'"
check_eq "reload: socket mode 0660" 660 "$(stat -c %a "$T/metrics.sock")"
check "reload: the old TCP port is closed" bash -c "! curl -fsS -m 2 http://$OLD/metrics >/dev/null 2>&1"
write_config "$T/g.yaml"
ctl reload >/dev/null
check "reload without metrics.listen: the socket is gone" test ! -e "$T/metrics.sock"
check "reload without metrics.listen: status names no endpoint" \
  bash -c "[ -z \"\$('$BUILD/glue2dlfctl' --socket '$T/control.sock' status --json | jq -r '.metrics_listen // empty')\" ]"

# 8. IPv6 loopback, where the machine has it.
if curl -fsS -m 1 -o /dev/null "http://[::1]:1" 2>&1 | grep -q "Couldn't connect\|Failed to connect" ||
  ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
  write_config "$T/g.yaml" "metrics:
  listen: '[::1]:0'"
  ctl reload >/dev/null
  ADDR=$(ctl status --json | jq -r '.metrics_listen // empty')
  check "IPv6: bound on [::1]" bash -c "[[ '$ADDR' == '[::1]:'* ]]"
  check "IPv6: scrape answers" bash -c "curl -fsS 'http://$ADDR/metrics' | grep -q '^glue2dlf_build_info'"
else
  echo "SKIP no IPv6 loopback"
fi

# 9. A port that is taken: the daemon refuses to start and says why.
stop_daemon
python3 -c 'import socket,time,sys; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)' >"$T/busy.port" &
BUSY_PID=$!
PIDS+=($BUSY_PID)
for _ in $(seq 100); do [ -s "$T/busy.port" ] && break; sleep 0.05; done
write_config "$T/busy.yaml" "metrics:
  listen: 127.0.0.1:$(cat "$T/busy.port")"
timeout 20 "$BUILD/glue2dlfd" --config "$T/busy.yaml" >"$T/busy.log" 2>&1
check_eq "port taken: the daemon exits 2 (a setup error)" 2 $?
check "port taken: the error names the key and the cause" grep -q "metrics.listen.*Address already in use" "$T/busy.log"
kill "$BUSY_PID" 2>/dev/null

finish
