#!/usr/bin/env bash
# SIGTERM while partition pages are being processed on the thread pool and partition
# batches are in flight: the daemon exits 0, every partition DLF holds has its result line,
# and the next run copies the rest.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 4 --databases 1 --tables-per-db 6 --partitions-per-table 3000 \
  --partition-keys 2 --plain || exit 1
DB=$(glue_names | tr -d " ")
tables() { sim_get "$1/tables/$DB" | jq -r '.Tables[] | (.Name // .TableName)' | sort; }
nparts() {
  local t n=0
  for t in $(tables "$1"); do
    n=$((n + $(sim_get "$1/partitions/$DB/$t" | jq '.Partitions | length')))
  done
  echo $n
}

# Slow pages and slow batches, so that the signal lands in the middle of both.
sim_post faults '{"side":"glue","action":"GetPartitions","kind":"latency","latency_ms":80,"count":-1}'
sim_post faults '{"side":"dlf","action":"BatchCreatePartitions","kind":"latency","latency_ms":80,"count":-1}'
CFG_DLF_EXTRA='  batch_size: 50' write_config "$T/g2d.yaml"
start_daemon d "$T/g2d.yaml" || exit 1
for _ in $(seq 400); do
  grep -q '"itemType":"partition"' "$T/results.jsonl" 2>/dev/null && break; sleep 0.05
done
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
check_eq "cancel: exit 0 with pages and batches in flight" 0 $?
copied=$(nparts dlf)
recorded=$(jq -s '[.[] | select(.itemType == "partition" and .isSuccess)] | length' "$T/results.jsonl")
check "cancel: the cycle stopped early" test "$copied" -gt 0 -a "$copied" -lt 18000
check_eq "cancel: every partition in DLF has its result line" "$copied" "$recorded"
check "cancel: the log says the running cycle was stopped cleanly" \
  grep -q "cancelling the running cycle, in-flight writes finish first" "$T/d.log"
sim_del faults
g2dd --config "$T/g2d.yaml" --once >"$T/after.log" 2>&1
check_eq "cancel: the next run exits 0" 0 $?
check_eq "cancel: the next run copies the rest" 18000 "$(nparts dlf)"

finish
