# Shared helpers for the integration tests (sourced). Everything runs on 127.0.0.1 in a
# private temporary directory that is removed on exit; every process started is stopped.
set -u
: "${BUILD:?BUILD must point at the build directory}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d /tmp/g2d-it.XXXXXX)
chmod 0700 "$T"
PIDS=()
NPASS=0
NFAIL=0

cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
  if [ "$NFAIL" -gt 0 ] && [ -z "${G2D_KEEP:-}" ]; then
    echo "--- daemon logs of the failed run:"; tail -n 40 "$T"/*.log 2>/dev/null
  fi
  [ -n "${G2D_KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT

pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $*"; }
check() { # check NAME COMMAND... : PASS if the command succeeds
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
check_eq() { # check_eq NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}
finish() { [ "$NFAIL" -eq 0 ]; exit $?; }

GLUE_AK=AKIDTEST GLUE_SK=glue-test-secret DLF_AK=LTAITEST DLF_SK=dlf-test-secret

# start_sim NAME [sim options...]: starts the simulator, sets SIM_GLUE / SIM_DLF URLs.
start_sim() {
  local name=$1; shift
  rm -f "$T/$name.ports"
  "$BUILD/glue2dlf-sim" --port-file "$T/$name.ports" \
    --glue-access-key-id "$GLUE_AK" --glue-secret-access-key "$GLUE_SK" \
    --dlf-access-key-id "$DLF_AK" --dlf-access-key-secret "$DLF_SK" "$@" \
    >"$T/$name.log" 2>&1 &
  PIDS+=($!)
  SIM_PID=$!
  for _ in $(seq 200); do [ -s "$T/$name.ports" ] && break; sleep 0.05; done
  [ -s "$T/$name.ports" ] || { echo "simulator did not start"; cat "$T/$name.log"; return 1; }
  SIM_GLUE="http://127.0.0.1:$(sed -n 's/^glue=//p' "$T/$name.ports")"
  SIM_DLF="http://127.0.0.1:$(sed -n 's/^dlf=//p' "$T/$name.ports")"
}

# write_config FILE [extra YAML appended]: a config pointing at the simulator.
write_config() {
  local f=$1; shift
  cat >"$f" <<YAML
glue:
  region: us-east-1
  endpoint: $SIM_GLUE
  access_key_id: $GLUE_AK
  secret_access_key: ${CFG_GLUE_SK:-$GLUE_SK}
  max_concurrency: 8
dlf:
  region: cn-hangzhou
  endpoint: $SIM_DLF
  access_key_id: $DLF_AK
  access_key_secret: ${CFG_DLF_SK:-$DLF_SK}
  signature: ${CFG_DLF_SIG:-acs3}
  max_concurrency: 8
${CFG_DLF_EXTRA:-}
sync:
  interval: ${CFG_INTERVAL:-1h}
  jitter: 1s
${CFG_SYNC_EXTRA:-}
http:
  connect_timeout: 2s
  timeout: 10s
  max_attempts: 3
result:
  path: $T/results.jsonl
control:
  socket: $T/control.sock
log:
  target: stderr
  level: ${CFG_LOG_LEVEL:-info}
${*:-}
YAML
  chmod 0600 "$f"
}

sim_get() { curl -fsS "$SIM_GLUE/_sim/$1"; }
sim_put() { curl -fsS -X PUT -H 'Content-Type: application/json' --data "$2" "$SIM_GLUE/_sim/$1" >/dev/null; }
sim_post() { curl -fsS -X POST -H 'Content-Type: application/json' --data "${2:-{\}}" "$SIM_GLUE/_sim/$1" >/dev/null; }
sim_del() { curl -fsS -X DELETE "$SIM_GLUE/_sim/$1" >/dev/null; }
dlf_names() { sim_get dlf/databases | jq -r '.Databases[].Name' | sort | tr '\n' ' '; }
glue_names() { sim_get glue/databases | jq -r '.DatabaseList[].Name' | sort | tr '\n' ' '; }
dlf_writes() { sim_get stats | jq -r '.dlf.writes // 0'; }
dlf_total() { sim_get stats | jq -r '.dlf.total // 0'; }

# dlf_dump SIM-URL: what that simulator's DLF holds, times and ids aside, sorted, one line per
# object ("D json", "T db json", "P db.table json", "F db json").
dlf_dump() {
  local base=$1/_sim db t
  local strip='walk(if type == "object" then del(.CreateTime, .UpdateTime, .TableId, .ArchivedVersions, .LastAccessTime) else . end)'
  for db in $(curl -fsS "$base/dlf/databases" | jq -r '.Databases[].Name' | sort); do
    echo "D $(curl -fsS "$base/dlf/databases/$db" | jq -S -c "$strip")"
    for t in $(curl -fsS "$base/dlf/tables/$db" | jq -r '.Tables[].TableName' | sort); do
      echo "T $db $(curl -fsS "$base/dlf/tables/$db/$t" | jq -S -c "$strip")"
      curl -fsS "$base/dlf/partitions/$db/$t" | jq -S -c --arg t "$db.$t" \
        ".Partitions | map($strip) | sort_by(.Values) | .[] | \"P \\(\$t) \\(tojson)\"" | jq -r .
    done
    curl -fsS "$base/dlf/functions/$db" | jq -S -c ".Functions | map($strip) | sort_by(.FunctionName) | .[]" |
      sed "s/^/F $db /"
  done
}

ctl() { "$BUILD/glue2dlfctl" --socket "$T/control.sock" "$@"; }

# The daemon, optionally under a wrapper (make check-valgrind sets
# G2D_DAEMON_WRAPPER="valgrind ... --error-exitcode=99").
g2dd() { ${G2D_DAEMON_WRAPPER:-} "$BUILD/glue2dlfd" "$@"; }

# start_daemon NAME CONFIG [daemon options]: runs glue2dlfd in the background, waits for the
# control socket.
start_daemon() {
  local name=$1 cfg=$2; shift 2
  ${G2D_DAEMON_WRAPPER:-} "$BUILD/glue2dlfd" --config "$cfg" "$@" >"$T/$name.log" 2>&1 &
  DAEMON_PID=$!
  PIDS+=($DAEMON_PID)
  for _ in $(seq 600); do [ -S "$T/control.sock" ] && ctl status >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "daemon did not start"; cat "$T/$name.log"; return 1
}

stop_daemon() {
  kill -TERM "$DAEMON_PID" 2>/dev/null
  wait "$DAEMON_PID"
}

# results_of CYCLE: the result lines of one cycle, without the time field, sorted.
results_of() {
  jq -c --argjson c "$1" 'select(.cycleId == $c) | del(.time)' "$T/results.jsonl" | sort
}
