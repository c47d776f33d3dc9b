#!/usr/bin/env bash
# Failures in the middle of a cycle: the cycle still ends, reports what failed, writes what
# it could, and deletes nothing it did not fully see.
source "$(dirname "$0")/lib.sh"

# 1. One segment of a table fails for good while its other segments are still in flight
#    (they are slowed down, and there is no other table): the cycle must still end.
start_sim one --seed 31 --databases 1 --tables-per-db 1 --partitions-per-table 200 \
  --partition-keys 2 || exit 1
write_config "$T/g2d.yaml"
sim_post faults '{"side":"glue","action":"GetPartitions","kind":"deny","count":1}'
sim_post faults '{"side":"glue","action":"GetPartitions","kind":"latency","latency_ms":300,"count":30}'
timeout 60 "$BUILD/glue2dlfd" --config "$T/g2d.yaml" --once >"$T/once1.log" 2>&1
rc=$?
kill "$SIM_PID" 2>/dev/null

# The rest on a catalog of three tables.
start_sim sim --seed 31 --databases 1 --tables-per-db 3 --partitions-per-table 200 \
  --partition-keys 2 || exit 1
write_config "$T/g2d.yaml"
rm -f "$T/results.jsonl.1"; mv "$T/results.jsonl" "$T/results.jsonl.1" 2>/dev/null
check "segment failure: the cycle ends (no hang)" test "$rc" -ne 124
check_eq "segment failure: --once exits 1" 1 "$rc"
check "segment failure: the table's failure is reported" bash -c \
  "jq -e -s 'any(.[]; .isSuccess == false and (.errorMsg | test(\"AccessDenied\")))' '$T/results.jsonl.1' >/dev/null"

# 2. A full copy of the three-table catalog (the setup for 3).
g2dd --config "$T/g2d.yaml" --once >"$T/once2.log" 2>&1
check_eq "setup: a full copy exits 0" 0 $?

# 3. A database whose table listing fails keeps its DLF tables (nothing is deleted below a
#    listing that did not complete), and the cycle reports it.
curl -fsS -X PUT -H 'Content-Type: application/json' "$SIM_GLUE/_sim/dlf/tables/db_0000/only_in_dlf" \
  --data '{"TableName":"only_in_dlf","TableType":"EXTERNAL_TABLE"}' >/dev/null
sim_post faults '{"side":"glue","action":"GetTables","kind":"deny","count":1}'
rm -f "$T/results.jsonl"
g2dd --config "$T/g2d.yaml" --once >"$T/once3.log" 2>&1
check_eq "failed table listing: --once exits 1" 1 $?
check "failed table listing: the DLF-only table is not deleted" bash -c \
  "curl -fsS '$SIM_GLUE/_sim/dlf/tables/db_0000' | jq -e 'any(.Tables[]; .TableName == \"only_in_dlf\")' >/dev/null"
check "failed table listing: reported against the database" bash -c \
  "jq -e -s 'any(.[]; .itemType == \"database\" and .isSuccess == false and (.errorMsg | test(\"listing Glue tables failed\")))' '$T/results.jsonl' >/dev/null"
sim_del faults
finish
