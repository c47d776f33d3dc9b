#!/usr/bin/env bash
# Request-rate quotas on both sides: the daemon is throttled, slows down to the quota, and
# no item fails because of it.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 21 --databases 2 --tables-per-db 5 --partitions-per-table 300 \
  --partition-keys 2 --glue-rps 25 --dlf-rps 15 || exit 1
CFG_DLF_EXTRA='  batch_size: 50' write_config "$T/g2d.yaml"
sed -i 's/max_concurrency: 8/max_concurrency: 32/' "$T/g2d.yaml"
g2dd --config "$T/g2d.yaml" --once >"$T/once.log" 2>&1
check_eq "quota: --once exits 0" 0 $?
check "quota: Glue really throttled us" test "$(sim_get stats | jq '.throttled.glue // .glue.throttled // 0')" -gt 0
check "quota: DLF really throttled us" test "$(sim_get stats | jq '.throttled.dlf // .dlf.throttled // 0')" -gt 0
check_eq "quota: no item failed" 0 "$(jq -s '[.[] | select(.isSuccess == false)] | length' "$T/results.jsonl")"
want=$(for db in db_0000 db_0001; do for t in $(sim_get "glue/tables/$db" | jq -r '.Tables[].Name'); do
  sim_get "glue/partitions/$db/$t" | jq '.Partitions | length'; done; done | awk '{s+=$1} END {print s}')
check "quota: the catalog has partitions" test "$want" -gt 1000
check_eq "quota: every partition copied" "$want" \
  "$(jq -s '[.[] | select(.itemType == "partition" and .isSuccess)] | length' "$T/results.jsonl")"
finish
