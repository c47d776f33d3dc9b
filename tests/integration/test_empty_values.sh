#!/usr/bin/env bash
# End to end on the simulator: an empty parameter value is a value (README "Empty values").
# It round-trips Glue -> DLF for databases, tables (table, SerDe and column parameters) and
# partitions, and adding one, changing to or from "", and removing it each reach DLF.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 9 --databases 0 || exit 1
write_config "$T/g2d.yaml"

DB=empties
table_json() { # table_json TABLE_PARAMS SERDE_PARAMS COLUMN_PARAMS
  printf '{"Name":"t1","TableType":"EXTERNAL_TABLE","Parameters":%s,"PartitionKeys":[{"Name":"dt","Type":"string"}],"StorageDescriptor":{"Columns":[{"Name":"c","Type":"string","Parameters":%s}],"Location":"s3://b/empties/t1","InputFormat":"org.apache.hadoop.mapred.TextInputFormat","OutputFormat":"org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat","SerdeInfo":{"SerializationLibrary":"org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe","Parameters":%s}}}' \
    "$1" "$3" "$2"
}
part_json() { # part_json PARAMS
  printf '{"Partitions":[{"Values":["2024-01-01"],"Parameters":%s,"StorageDescriptor":{"Columns":[{"Name":"c","Type":"string"}],"Location":"s3://b/empties/t1/dt=2024-01-01","SerdeInfo":{"SerializationLibrary":"org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe","Parameters":{}}}}]}' "$1"
}
dlf_db_param() { sim_get "dlf/databases/$DB" | jq -c ".Parameters"; }
dlf_table() { sim_get "dlf/tables/$DB/t1"; }
dlf_part_params() { sim_get "dlf/partitions/$DB/t1" | jq -c '.Partitions[0].Parameters'; }
cycle() { # cycle NAME: one cycle through the daemon, no failures
  ctl --json sync --wait >"$T/$1.json"
  check_eq "$1: cycle reports no failure" 0 "$(jq -r '.failed' "$T/$1.json")"
}

# 1. Empty values from the start.
sim_put "glue/databases/$DB" '{"Name":"empties","LocationUri":"s3://b/empties.db/","Parameters":{"a":"1","e":""}}'
sim_put "glue/tables/$DB/t1" "$(table_json '{"k":"v","e":""}' '{"serialization.null.format":""}' '{"ce":""}')"
sim_post "glue/partitions/$DB/t1" "$(part_json '{"pe":""}')"
start_daemon d1 "$T/g2d.yaml" || exit 1
cycle first
check_eq "round trip: database parameter \"\" in DLF" '{"a":"1","e":""}' "$(dlf_db_param)"
check_eq "round trip: table parameter \"\" in DLF" '""' "$(dlf_table | jq -c '.Parameters.e')"
check_eq "round trip: serialization.null.format \"\" in DLF" '{"serialization.null.format":""}' \
  "$(dlf_table | jq -c '.Sd.SerDeInfo.Parameters')"
check_eq "round trip: column parameter \"\" in DLF" '{"ce":""}' "$(dlf_table | jq -c '.Sd.Cols[0].Parameters')"
check_eq "round trip: partition parameter \"\" in DLF" '{"pe":""}' "$(dlf_part_params)"

# 2. An unchanged cycle writes nothing: what DLF lists back, "" included, fingerprints equal.
sim_post stats/reset
cycle unchanged
check_eq "unchanged: no DLF write" 0 "$(dlf_writes)"

# 3. A restart rebuilds the snapshot from DLF's listing (empty values and all): no write.
stop_daemon
sim_post stats/reset
g2dd --config "$T/g2d.yaml" --once >"$T/once.log" 2>&1
check_eq "restart: --once exits 0" 0 $?
check_eq "restart: no DLF write" 0 "$(dlf_writes)"
start_daemon d2 "$T/g2d.yaml" || exit 1
cycle warm

# 4. Changes to and from "": each reaches DLF.
sim_put "glue/databases/$DB" '{"Name":"empties","LocationUri":"s3://b/empties.db/","Parameters":{"a":"","e":"now set"}}'
sim_put "glue/tables/$DB/t1" "$(table_json '{"k":"","e":"x"}' '{"serialization.null.format":"\\N"}' '{"ce":"y"}')"
sim_post "glue/partitions/$DB/t1" "$(part_json '{"pe":"z","new":""}')"
sim_post stats/reset
cycle change
check_eq "change: database parameters" '{"a":"","e":"now set"}' "$(dlf_db_param)"
check_eq "change: table parameters" '{"e":"x","k":""}' "$(dlf_table | jq -c '.Parameters | del(.transient_lastDdlTime) | to_entries | sort_by(.key) | from_entries')"
check_eq "change: SerDe parameter from \"\"" '{"serialization.null.format":"\\N"}' \
  "$(dlf_table | jq -c '.Sd.SerDeInfo.Parameters')"
check_eq "change: column parameter from \"\"" '{"ce":"y"}' "$(dlf_table | jq -c '.Sd.Cols[0].Parameters')"
check_eq "change: partition parameters (one from \"\", one added as \"\")" '{"new":"","pe":"z"}' \
  "$(dlf_part_params | jq -c 'to_entries | sort_by(.key) | from_entries')"
check_eq "change: three writes (database, table, partition)" 3 "$(dlf_writes)"

# 5. Only an empty value added (nothing else changes): still an update.
sim_put "glue/tables/$DB/t1" "$(table_json '{"k":"","e":"x","added":""}' '{"serialization.null.format":"\\N"}' '{"ce":"y"}')"
sim_post stats/reset
cycle add_empty
check_eq "add \"\": the table is updated" 1 "$(dlf_writes)"
check_eq "add \"\": the empty value is in DLF" '""' "$(dlf_table | jq -c '.Parameters.added')"

# 6. Removing an empty value: an update too.
sim_post "glue/partitions/$DB/t1" "$(part_json '{"pe":"z"}')"
sim_post stats/reset
cycle remove_empty
check_eq "remove \"\": the partition is updated" 1 "$(dlf_writes)"
check_eq "remove \"\": gone from DLF" '{"pe":"z"}' "$(dlf_part_params)"

stop_daemon
finish
