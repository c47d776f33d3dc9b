#!/usr/bin/env bash
# `make demo`: run glue2dlf against the built-in simulator and show what it does.
#   1. start glue2dlf-sim with a generated Glue catalog (and an empty DLF),
#   2. start glue2dlfd, run a first cycle, show the results,
#   3. change the Glue side (update, add, delete), show the plan, sync again, show the diff.
# Everything stays on 127.0.0.1; files are left in ./demo-run for a look afterwards.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
run="$root/demo-run"
rm -rf "$run" && mkdir -p "$run" && chmod 0700 "$run"
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
ctl() { "$build/glue2dlfctl" --socket "$run/control.sock" "$@"; }

say "Starting the simulator (Glue + DLF on loopback) with a generated Glue catalog"
echo "4 databases x 4 tables (external, view, Iceberg, skewed) x 25 partitions, 1 function each"
"$build/glue2dlf-sim" --port-file "$run/ports" --seed 2026 --databases 4 --tables-per-db 4 \
  --partitions-per-table 25 --functions-per-db 1 \
  --glue-access-key-id AKIDDEMO --glue-secret-access-key demo-glue-secret \
  --dlf-access-key-id LTAIDEMO --dlf-access-key-secret demo-dlf-secret >"$run/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do [ -s "$run/ports" ] && break; sleep 0.05; done
glue="http://127.0.0.1:$(sed -n 's/^glue=//p' "$run/ports")"
dlf="http://127.0.0.1:$(sed -n 's/^dlf=//p' "$run/ports")"
echo "Glue API at $glue, DLF API at $dlf"

cat >"$run/glue2dlf.yaml" <<YAML
# Demo configuration: both clouds are the local simulator.
glue:
  region: us-east-1
  endpoint: $glue
  access_key_id: AKIDDEMO
  secret_access_key_env: DEMO_GLUE_SECRET
dlf:
  region: cn-hangzhou
  endpoint: $dlf
  access_key_id: LTAIDEMO
  access_key_secret_env: DEMO_DLF_SECRET
sync:
  interval: 1h
  run_on_start: false          # the demo starts each cycle itself
  location_map: {"s3://sim-bucket-2026/": "oss://demo-bucket/"}
result:
  path: $run/results.jsonl
control:
  socket: $run/control.sock
log:
  target: stderr
YAML
chmod 0600 "$run/glue2dlf.yaml"
export DEMO_GLUE_SECRET=demo-glue-secret DEMO_DLF_SECRET=demo-dlf-secret

say "Effective configuration (glue2dlfd --print-config; secrets masked)"
"$build/glue2dlfd" --config "$run/glue2dlf.yaml" --print-config | sed -n '1,14p'
echo "..."

say "Starting glue2dlfd (log: demo-run/glue2dlfd.log)"
"$build/glue2dlfd" --config "$run/glue2dlf.yaml" >"$run/glue2dlfd.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do ctl status >/dev/null 2>&1 && break; sleep 0.05; done

say "First cycle: glue2dlfctl sync --wait"
ctl sync --wait
say "What it did: glue2dlfctl results -n 5 (of $(wc -l <"$run/results.jsonl") result lines)"
ctl results -n 5

say "An unchanged catalog costs DLF nothing: second cycle"
curl -fsS -X POST "$glue/_sim/stats/reset" >/dev/null
ctl sync --wait
echo "DLF requests during that cycle: $(curl -fsS "$glue/_sim/stats" | jq '.dlf.total // 0')"

t=$(curl -fsS "$glue/_sim/glue/tables/db_0000" | jq -r '[.Tables[] | select((.PartitionKeys | length) > 0)][0].Name')
say "Changing Glue: update db_0001, add 'clickstream', drop db_0003 (with its tables), add a partition to db_0000.$t"
curl -fsS -X PUT -H 'Content-Type: application/json' "$glue/_sim/glue/databases/db_0001" \
  --data '{"Description":"orders, now with returns","LocationUri":"s3://sim-bucket-2026/db_0001.db/","Parameters":{"team":"sales"}}' >/dev/null
curl -fsS -X PUT -H 'Content-Type: application/json' "$glue/_sim/glue/databases/clickstream" \
  --data '{"Description":"web events","LocationUri":"s3://sim-bucket-2026/clickstream.db/"}' >/dev/null
for x in $(curl -fsS "$glue/_sim/glue/tables/db_0003" | jq -r '.Tables[].Name'); do
  curl -fsS -X DELETE "$glue/_sim/glue/tables/db_0003/$x" >/dev/null
done
for x in $(curl -fsS "$glue/_sim/glue/functions/db_0003" | jq -r '.Functions[].FunctionName'); do
  curl -fsS -X DELETE "$glue/_sim/glue/functions/db_0003/$x" >/dev/null
done
curl -fsS -X DELETE "$glue/_sim/glue/databases/db_0003" >/dev/null
curl -fsS -X POST -H 'Content-Type: application/json' "$glue/_sim/glue/partitions/db_0000/$t" \
  --data '{"Partitions":[{"Values":["2030-01-01","eu-west-1"],"StorageDescriptor":{"Location":"s3://sim-bucket-2026/new/dt=2030-01-01/region=eu-west-1"}}]}' >/dev/null

say "The plan (glue2dlfctl plan: a dry run, nothing written)"
ctl plan
say "Applying it: glue2dlfctl sync --wait"
ctl sync --wait
say "Result lines of that cycle (demo-run/results.jsonl)"
last=$(tail -n 1 "$run/results.jsonl" | jq .cycleId)
jq -c --argjson c "$last" 'select(.cycleId == $c)' "$run/results.jsonl"
say "DLF now holds"
for db in $(curl -fsS "$glue/_sim/dlf/databases" | jq -r '.Databases[].Name'); do
  printf '  %-12s %s\n' "$db" "$(curl -fsS "$glue/_sim/dlf/databases/$db" | jq -r .LocationUri)"
  for tb in $(curl -fsS "$glue/_sim/dlf/tables/$db" | jq -r '.Tables[].TableName'); do
    printf '    %-12s %3s partitions\n' "$tb" "$(curl -fsS "$glue/_sim/dlf/partitions/$db/$tb" | jq '.Partitions | length')"
  done
done
say "Status"
ctl status
echo
echo "Done. Files are in demo-run/ (config, results.jsonl, logs)."
