#!/usr/bin/env bash
# End to end on the simulator: create times reach DLF's CreateTime (Glue's CreateTime of
# databases, tables and functions, CreationTime of partitions), and a new LastAnalyzedTime
# of a table or a partition is an update; a create time alone never causes one.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 3 --databases 0 || exit 1
write_config "$T/g2d.yaml"

DB=timed
table_json() { # table_json LAST_ANALYZED CREATE_TIME
  printf '{"Name":"t1","TableType":"EXTERNAL_TABLE","CreateTime":%s,"LastAnalyzedTime":%s,"PartitionKeys":[{"Name":"dt","Type":"string"}],"StorageDescriptor":{"Columns":[{"Name":"c","Type":"string"}],"Location":"s3://b/timed/t1","SerdeInfo":{"SerializationLibrary":"org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"}}}' "$2" "$1"
}
part_json() { # part_json LAST_ANALYZED CREATION_TIME
  printf '{"Partitions":[{"Values":["2024-01-01"],"CreationTime":%s,"LastAnalyzedTime":%s,"StorageDescriptor":{"Columns":[{"Name":"c","Type":"string"}],"Location":"s3://b/timed/t1/dt=2024-01-01"}}]}' "$2" "$1"
}
dlf_table() { sim_get "dlf/tables/$DB/t1"; }
dlf_part() { sim_get "dlf/partitions/$DB/t1" | jq -c '.Partitions[0]'; }
cycle() {
  ctl --json sync --wait >"$T/$1.json"
  check_eq "$1: cycle reports no failure" 0 "$(jq -r '.failed' "$T/$1.json")"
}

sim_put "glue/databases/$DB" '{"Name":"timed","LocationUri":"s3://b/timed.db/","CreateTime":1.600000001E9}'
sim_put "glue/tables/$DB/t1" "$(table_json 1.650000000E9 1.600000002E9)"
sim_put "glue/functions/$DB/f1" '{"FunctionName":"f1","ClassName":"com.example.F","OwnerName":"o","OwnerType":"USER","CreateTime":1600000003.75}'
sim_post "glue/partitions/$DB/t1" "$(part_json 1.650000001E9 1.600000004E9)"
start_daemon d1 "$T/g2d.yaml" || exit 1
cycle first
check_eq "create time: database" 1600000001 "$(sim_get "dlf/databases/$DB" | jq -r '.CreateTime')"
check_eq "create time: table" 1600000002 "$(dlf_table | jq -r '.CreateTime')"
check_eq "create time: function (truncated)" 1600000003 "$(sim_get "dlf/functions/$DB/f1" | jq -r '.CreateTime')"
check_eq "create time: partition (Glue CreationTime)" 1600000004 "$(dlf_part | jq -r '.CreateTime')"
check_eq "analysed: table" 1650000000 "$(dlf_table | jq -r '.LastAnalyzedTime')"
check_eq "analysed: partition" 1650000001 "$(dlf_part | jq -r '.LastAnalyzedTime')"

# Statistics recomputed in Glue: the new times reach DLF.
sim_put "glue/tables/$DB/t1" "$(table_json 1.700000000E9 1.600000002E9)"
sim_post "glue/partitions/$DB/t1" "$(part_json 1.700000001E9 1.600000004E9)"
sim_post stats/reset
cycle analysed
check_eq "analysed again: table and partition written" 2 "$(dlf_writes)"
check_eq "analysed again: table" 1700000000 "$(dlf_table | jq -r '.LastAnalyzedTime')"
check_eq "analysed again: partition" 1700000001 "$(dlf_part | jq -r '.LastAnalyzedTime')"

# A create time alone is not a change to copy.
sim_put "glue/tables/$DB/t1" "$(table_json 1.700000000E9 1.500000000E9)"
sim_post stats/reset
cycle created
check_eq "create time only: no DLF write" 0 "$(dlf_writes)"

# A restart lists DLF back into the snapshot: the times change nothing.
stop_daemon
sim_post stats/reset
g2dd --config "$T/g2d.yaml" --once >"$T/once.log" 2>&1
check_eq "restart: --once exits 0" 0 $?
check_eq "restart: no DLF write" 0 "$(dlf_writes)"
finish
