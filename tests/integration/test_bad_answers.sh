#!/usr/bin/env bash
# A bad answer is never believed (issue 17): every damaged-answer fault kind of the
# simulator, and truncated and reset answers, on every listing of both sides and on the
# partition batches, with permissive guards (max_fraction: 1) so that only the answer
# checking protects the data. Each run ends in bounded time, reports the failure, sends
# DLF no delete and no write that was not asked for, and records no success DLF did not
# confirm.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 17 --databases 2 --tables-per-db 3 --partitions-per-table 30 \
  --functions-per-db 2 --partition-keys 2 || exit 1
write_config "$T/g2d.yaml" 'deletes:
  max_fraction: 1'
g2dd --config "$T/g2d.yaml" --once >"$T/setup.log" 2>&1
check_eq "setup: a full copy exits 0" 0 $?
stat_of() { sim_get stats | jq -r ".dlf.$1 // 0"; }
deletes() { echo $(($(stat_of DeleteDatabase) + $(stat_of DeleteTable) + $(stat_of DeleteFunction) + $(stat_of BatchDeletePartitions))); }

# run_bad SIDE OP KIND [EXTRA]: the whole run against one damaged operation, for good.
run_bad() {
  local side=$1 op=$2 kind=$3 extra=${4:-} w0 d0 rc name="$1 $2 $3${4:+ $4}"
  sim_del faults
  sim_post faults "{\"side\":\"$side\",\"action\":\"$op\",\"kind\":\"$kind\",\"count\":-1$extra}"
  w0=$(dlf_writes) d0=$(deletes)
  rm -f "$T/results.jsonl"
  timeout 120 "$BUILD/glue2dlfd" --config "$T/g2d.yaml" --once >"$T/bad.log" 2>&1
  rc=$?
  sim_del faults
  check "$name: ends by itself, reporting failure (exit 1)" test "$rc" -eq 1
  check_eq "$name: no DLF write, no delete" "$w0 $d0" "$(dlf_writes) $(deletes)"
  check "$name: no success recorded" bash -c \
    "! [ -s '$T/results.jsonl' ] || ! jq -e -s 'any(.[]; .isSuccess)' '$T/results.jsonl' >/dev/null"
  check "$name: the failure names the operation" grep -q "$op" "$T/bad.log" "$T/results.jsonl"
}

for op in GetDatabases GetTables GetPartitions GetUserDefinedFunctions; do
  for kind in drop_member null_member dup_member error200 truncate reset; do run_bad glue "$op" "$kind"; done
  run_bad glue "$op" wrong_type ',"as":"object"'
  run_bad glue "$op" wrong_type ',"as":"string"'
done
for op in ListDatabases ListTables ListFunctions ListPartitions; do
  for kind in drop_member null_member dup_member error200 no_success truncate reset; do run_bad dlf "$op" "$kind"; done
  run_bad dlf "$op" wrong_type ',"as":"object"'
done
# Only one database's tables: its deletes are held back, the rest of the catalog syncs.
run_bad glue GetTables drop_member ',"database":"db_0001"'

# Partition batches whose answer is not the documented shape: the items fail, are retried
# on the next run, and are never recorded as done.
for kind in bad_item_errors no_success error200; do
  sim_post "glue/partitions/db_0000/tbl_0000" \
    "{\"Partitions\":[{\"Values\":[\"2031-01-01\",\"$kind\"]},{\"Values\":[\"2031-01-02\",\"$kind\"]}]}"
  sim_post faults "{\"side\":\"dlf\",\"action\":\"BatchCreatePartitions\",\"kind\":\"$kind\",\"count\":-1}"
  rm -f "$T/results.jsonl"
  timeout 120 "$BUILD/glue2dlfd" --config "$T/g2d.yaml" --once >"$T/batch.log" 2>&1
  rc=$?
  sim_del faults
  check "batch $kind: exit 1" test "$rc" -eq 1
  check "batch $kind: no partition recorded as created" bash -c \
    "! jq -e -s 'any(.[]; .itemType == \"partition\" and .isSuccess)' '$T/results.jsonl' >/dev/null"
  check "batch $kind: both reported failed" bash -c \
    "[ \"\$(jq -s '[.[] | select(.itemType == \"partition\" and (.isSuccess | not))] | length' '$T/results.jsonl')\" -eq 2 ]"
  g2dd --config "$T/g2d.yaml" --once >"$T/batch2.log" 2>&1
  check_eq "batch $kind: the next run creates them, exit 0" 0 $?
done
finish
