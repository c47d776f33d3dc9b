#!/usr/bin/env bash
# The whole catalog end to end on the simulator: databases, tables (external, views,
# Iceberg, skewed and bucketed), partitions (multi-key, own schemas) and functions —
# creates, updates of each kind, deletes in dependency order, no churn, restarts.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 5 --databases 2 --tables-per-db 7 --partitions-per-table 40 \
  --functions-per-db 2 --partition-keys 2 || exit 1
CFG_DLF_EXTRA='  batch_size: 7' \
  CFG_SYNC_EXTRA='  location_map: {"s3://sim-bucket-5/": "oss://copy-bucket/"}' \
  write_config "$T/g2d.yaml"

glue_tables() { sim_get "glue/tables/$1" | jq -r '.Tables[].Name' | sort | tr '\n' ' '; }
dlf_tables() { sim_get "dlf/tables/$1" | jq -r '.Tables[].TableName' | sort | tr '\n' ' '; }
glue_fns() { sim_get "glue/functions/$1" | jq -r '.Functions[].FunctionName' | sort | tr '\n' ' '; }
dlf_fns() { sim_get "dlf/functions/$1" | jq -r '.Functions[].FunctionName' | sort | tr '\n' ' '; }
parts() { sim_get "$1/partitions/$2/$3" | jq -r '.Partitions[].Values | join("/")' | sort | tr '\n' ' '; }
nresults() { jq -s --arg t "$1" --arg d "$2" '[.[] | select(.itemType == $t and .diffResult == $d and .isSuccess)] | length' "$T/results.jsonl"; }
same_catalog() {
  local db t
  for db in $(glue_names); do
    [ "$(glue_tables "$db")" == "$(dlf_tables "$db")" ] || { echo "tables of $db differ"; return 1; }
    [ "$(glue_fns "$db")" == "$(dlf_fns "$db")" ] || { echo "functions of $db differ"; return 1; }
    for t in $(glue_tables "$db"); do
      [ "$(parts glue "$db" "$t")" == "$(parts dlf "$db" "$t")" ] || { echo "partitions of $db.$t differ"; return 1; }
    done
  done
}

DB=db_0000
TABLES=$(glue_tables $DB)
VIEW=$(sim_get "glue/tables/$DB" | jq -r '[.Tables[] | select(.TableType == "VIRTUAL_VIEW")][0].Name')
ICE=$(sim_get "glue/tables/$DB" | jq -r '[.Tables[] | select(.Parameters.table_type == "ICEBERG")][0].Name')
SKEW=$(sim_get "glue/tables/$DB" | jq -r '[.Tables[] | select(.StorageDescriptor.SkewedInfo.SkewedColumnNames | length > 0)][0].Name')
EXT=$(sim_get "glue/tables/$DB" | jq -r '[.Tables[] | select(.TableType == "EXTERNAL_TABLE" and (.PartitionKeys | length) == 2 and .Parameters.table_type == null)] | .[0].Name')
EXT2=$(sim_get "glue/tables/$DB" | jq -r '[.Tables[] | select(.TableType == "EXTERNAL_TABLE" and (.PartitionKeys | length) == 2 and .Parameters.table_type == null)] | .[1].Name')
EXT3=$(sim_get "glue/tables/$DB" | jq -r '[.Tables[] | select(.TableType == "EXTERNAL_TABLE" and (.PartitionKeys | length) == 2 and .Parameters.table_type == null)] | .[2].Name')
FN=$(glue_fns $DB | awk '{print $1}')
check "setup: the generated catalog has a view, an Iceberg, a skewed and external tables" \
  test -n "$VIEW" -a "$VIEW" != null -a "$ICE" != null -a "$SKEW" != null -a "$EXT" != null -a "$EXT2" != null -a "$EXT3" != null

# 1. First copy.
g2dd --config "$T/g2d.yaml" --once >"$T/once1.log" 2>&1
check_eq "first copy: --once exits 0" 0 $?
check "first copy: DLF holds every table, function and partition" same_catalog
check_eq "first copy: one glueNew line per table" "$(( $(glue_names | wc -w) * 7 ))" "$(nresults table glueNew)"
check_eq "first copy: one glueNew line per function" 4 "$(nresults function glueNew)"
nparts=$(for db in $(glue_names); do for t in $(glue_tables $db); do parts glue $db $t; done; done | wc -w)
check_eq "first copy: one glueNew line per partition" "$nparts" "$(nresults partition glueNew)"
check_eq "first copy: every partition went out in a batch" "$nparts" "$(sim_get stats | jq '.dlf.partition_items')"
check "first copy: batches of at most 7 (dlf.batch_size)" \
  test "$(sim_get stats | jq '.dlf.BatchCreatePartitions')" -ge "$(( (nparts + 6) / 7 ))"
check_eq "mapping: view text carried over" \
  "$(sim_get "glue/tables/$DB/$VIEW" | jq -r .ViewOriginalText)" \
  "$(sim_get "dlf/tables/$DB/$VIEW" | jq -r .ViewOriginalText)"
check_eq "mapping: Iceberg metadata_location rewritten by the location map" "oss://copy-bucket/" \
  "$(sim_get "dlf/tables/$DB/$ICE" | jq -r '.Parameters.metadata_location[0:18]')"
check "mapping: Iceberg result line warns about embedded paths" \
  bash -c "jq -e -s 'any(.[]; .itemName == \"$DB.$ICE\" and (.warning // \"\" | test(\"Iceberg\")))' '$T/results.jsonl' >/dev/null"
check "mapping: skewed values decoded to arrays of arrays" \
  bash -c "curl -fsS '$SIM_GLUE/_sim/dlf/tables/$DB/$SKEW' | jq -e '.Sd.SkewedInfo.SkewedColValues[0] | type == \"array\"' >/dev/null"
check "mapping: SerDe library under SerializationLib" \
  bash -c "curl -fsS '$SIM_GLUE/_sim/dlf/tables/$DB/$EXT' | jq -e '.Sd.SerDeInfo.SerializationLib | length > 0' >/dev/null"
check "mapping: partition locations rewritten" \
  bash -c "curl -fsS '$SIM_GLUE/_sim/dlf/partitions/$DB/$EXT' | jq -e 'all(.Partitions[]; .Sd.Location | startswith(\"oss://copy-bucket/\"))' >/dev/null"
own=$(sim_get "glue/partitions/$DB/$EXT" | jq -c --argjson n "$(sim_get "glue/tables/$DB/$EXT" | jq '.StorageDescriptor.Columns | length')" \
  '[.Partitions[] | select((.StorageDescriptor.Columns | length) != $n)][0].Values')
if [ "$own" != null ]; then
  check_eq "mapping: a partition with its own schema keeps its own columns" \
    "$(sim_get "glue/partitions/$DB/$EXT" | jq --argjson v "$own" '.Partitions[] | select(.Values == $v) | .StorageDescriptor.Columns | length')" \
    "$(sim_get "dlf/partitions/$DB/$EXT" | jq --argjson v "$own" '.Partitions[] | select(.Values == $v) | .Sd.Cols | length')"
fi

# 2. No churn: after a restart (snapshot rebuilt from DLF) and in a running daemon.
sim_post stats/reset
lines=$(wc -l <"$T/results.jsonl")
g2dd --config "$T/g2d.yaml" --once >"$T/once2.log" 2>&1
check_eq "restart: unchanged cycle exits 0" 0 $?
check_eq "restart: no DLF write" 0 "$(dlf_writes)"
check_eq "restart: no result line" "$lines" "$(wc -l <"$T/results.jsonl")"
start_daemon d "$T/g2d.yaml" || exit 1
ctl sync --wait >/dev/null
sim_post stats/reset
ctl sync --wait >/dev/null
check_eq "running: an unchanged cycle sends nothing to DLF" 0 "$(dlf_total)"

# 3. Updates of each kind; a volatile-only change writes nothing.
# (the simulator renders generated partitions from their table's columns, so a column
#  change is made on the view, which has none; the external table changes a parameter)
sim_put "glue/tables/$DB/$VIEW" "$(sim_get "glue/tables/$DB/$VIEW" | jq '.StorageDescriptor.Columns[0].Type = "bigint"')"
sim_put "glue/tables/$DB/$EXT" "$(sim_get "glue/tables/$DB/$EXT" | jq '.Parameters.owner_team = "core"')"
sim_put "glue/tables/$DB/$EXT2" "$(sim_get "glue/tables/$DB/$EXT2" | jq '.Parameters.transient_lastDdlTime = "1999999999"')"
p0=$(sim_get "glue/partitions/$DB/$EXT" | jq -c '.Partitions[0]')
sim_post "glue/partitions/$DB/$EXT" "{\"Partitions\":[$(jq -c '.StorageDescriptor.Location += "-moved"' <<<"$p0")]}"
sim_put "glue/functions/$DB/$FN" "$(sim_get "glue/functions/$DB/$FN" | jq '.ClassName = "com.example.Changed"')"
sim_post stats/reset
ctl --json sync --wait >"$T/c3.json"
c3=$(jq -r .cycle_id "$T/c3.json")
check_eq "updates: exactly the changed table, partition and function" \
  "function:$DB.$FN partition:$DB.$EXT/$(jq -r '.Values | map(tostring) | . as $v | ["dt","region"] | [., $v] | transpose | map("\(.[0])=\(.[1])") | join("/")' <<<"$p0") table:$DB.$EXT table:$DB.$VIEW" \
  "$(jq -r --argjson c "$c3" 'select(.cycleId == $c) | "\(.itemType):\(.itemName)"' "$T/results.jsonl" | sort | tr '\n' ' ' | sed 's/ $//')"
check "updates: all needUpdate and successful" bash -c \
  "jq -e -s --argjson c $c3 'all(.[] | select(.cycleId == \$c); .diffResult == \"needUpdate\" and .isSuccess)' '$T/results.jsonl' >/dev/null"
check_eq "updates: column type reached DLF" bigint \
  "$(sim_get "dlf/tables/$DB/$VIEW" | jq -r '.Sd.Cols[0].Type')"
check_eq "updates: table parameter reached DLF" core \
  "$(sim_get "dlf/tables/$DB/$EXT" | jq -r '.Parameters.owner_team')"
check_eq "updates: UpdateTable skips archiving versions" 0 \
  "$(sim_get "dlf/tables/$DB/$EXT" | jq -r '.ArchivedVersions // 0')"
check "updates: partition location reached DLF" bash -c \
  "curl -fsS '$SIM_GLUE/_sim/dlf/partitions/$DB/$EXT' | jq -e 'any(.Partitions[]; .Sd.Location | endswith(\"-moved\"))' >/dev/null"

# 4. Deletes in dependency order: a partition, a function, a whole table.
sim_post "glue/partitions/$DB/$EXT/delete" "{\"Values\":[$(jq -c .Values <<<"$p0")]}"
sim_del "glue/functions/$DB/$FN"
sim_del "glue/tables/$DB/$EXT2"
ctl --json sync --wait >"$T/c4.json"
c4=$(jq -r .cycle_id "$T/c4.json")
check_eq "deletes: no failure" 0 "$(jq -r .failed "$T/c4.json")"
check "deletes: DLF matches Glue" same_catalog
check_eq "deletes: one partition, one function, one table deleted" "function partition table" \
  "$(jq -r --argjson c "$c4" 'select(.cycleId == $c and .diffResult == "dlfNew" and .isSuccess) | .itemType' "$T/results.jsonl" | sort | tr '\n' ' ' | sed 's/ $//')"

# 5. Partition keys change in Glue: the table is recreated with the new partitions.
newt=$(sim_get "glue/tables/$DB/$EXT" | jq '.PartitionKeys = [{"Name":"ds","Type":"string"}]')
sim_put "glue/tables/$DB/$EXT" "$newt"
oldvals=$(sim_get "glue/partitions/$DB/$EXT" | jq -c '[.Partitions[].Values]')
sim_post "glue/partitions/$DB/$EXT/delete" "{\"Values\":$oldvals}"
sim_post "glue/partitions/$DB/$EXT" '{"Partitions":[{"Values":["20240101"],"StorageDescriptor":{"Location":"s3://sim-bucket-5/k/ds=20240101"}},{"Values":["20240102"],"StorageDescriptor":{"Location":"s3://sim-bucket-5/k/ds=20240102"}}]}'
#    Renamed keys cannot change in place: the drop would delete every DLF partition of the
#    table, so the delete guards hold it (deletes.max_fraction 0.5) until allowed.
oldparts=$(parts dlf "$DB" "$EXT")
ctl --json sync --wait >"$T/c5h.json"
c5h=$(jq -r .cycle_id "$T/c5h.json")
check_eq "keys renamed: held, not applied" 1 "$(jq -r .held "$T/c5h.json")"
check_eq "keys renamed: DLF keeps its partitions" "$oldparts" "$(parts dlf "$DB" "$EXT")"
check "keys renamed: the held line says what would be dropped" bash -c \
  "jq -e -s --argjson c $c5h 'any(.[]; .cycleId == \$c and .itemType == \"table\" and .held and (.errorMsg | test(\"dropped with its 39 partitions\")))' '$T/results.jsonl' >/dev/null"
sed -i 's/^deletes:$/deletes:\n  max_fraction: 1/' "$T/g2d.yaml"
grep -q '^deletes:' "$T/g2d.yaml" || printf 'deletes:\n  max_fraction: 1\n' >>"$T/g2d.yaml"
ctl reload >/dev/null
ctl --json sync --wait >"$T/c5.json"
c5=$(jq -r .cycle_id "$T/c5.json")
check_eq "keys change: no failure" 0 "$(jq -r .failed "$T/c5.json")"
check_eq "keys change: DLF has exactly the new partitions" "20240101 20240102" "$(parts dlf "$DB" "$EXT" | sed 's/ $//')"
check "keys change: the table line says how many partitions were dropped and recreated" bash -c \
  "jq -e -s --argjson c $c5 'any(.[]; .cycleId == \$c and .itemType == \"table\" and (.warning // \"\" | test(\"dropped with its [0-9]+ partitions and created again\")))' '$T/results.jsonl' >/dev/null"

# 5b. Only a key's type changes: an update in place, the partitions stay.
newt=$(sim_get "glue/tables/$DB/$EXT" | jq '.PartitionKeys = [{"Name":"ds","Type":"int"}]')
sim_put "glue/tables/$DB/$EXT" "$newt"
ctl --json sync --wait >"$T/c5t.json"
c5t=$(jq -r .cycle_id "$T/c5t.json")
check_eq "key type change: no failure, nothing held" "0 0" "$(jq -r '"\(.failed) \(.held)"' "$T/c5t.json")"
check_eq "key type change: one update, no delete" "1 0" "$(jq -r '"\(.updated) \(.deleted)"' "$T/c5t.json")"
check_eq "key type change: the partitions stay" "20240101 20240102" "$(parts dlf "$DB" "$EXT" | sed 's/ $//')"
check_eq "key type change: DLF has the new type" "int" "$(sim_get "dlf/tables/$DB/$EXT" | jq -r '.PartitionKeys[0].Type')"

# 6. A per-item error in a batch is reported, the rest of the batch lands, and the item
#    is retried on the next cycle.
sim_post "glue/partitions/$DB/$EXT" '{"Partitions":[{"Values":["20240103"]},{"Values":["20240104"]},{"Values":["20240105"]}]}'
sim_post faults '{"side":"dlf","action":"BatchCreatePartitions","kind":"item_error","match":"20240104","code":"InvalidObject","message":"injected","count":1}'
ctl --json sync --wait >"$T/c6.json"
c6=$(jq -r .cycle_id "$T/c6.json")
check_eq "item error: one failed item" 1 "$(jq -r .failed "$T/c6.json")"
check "item error: its result line names the DLF code" bash -c \
  "jq -e -s --argjson c $c6 'any(.[]; .cycleId == \$c and .isSuccess == false and (.itemName | endswith(\"ds=20240104\")) and (.errorMsg | test(\"InvalidObject\")))' '$T/results.jsonl' >/dev/null"
check_eq "item error: the others of the batch landed" "20240101 20240102 20240103 20240105" "$(parts dlf "$DB" "$EXT" | sed 's/ $//')"
ctl --json sync --wait >"$T/c7.json"
check_eq "item error: retried and created on the next cycle" 1 "$(jq -r .created "$T/c7.json")"
check "item error: now in step" same_catalog

# 6b. Values that need JSON escapes are recognised as unchanged too (no churn).
sim_post "glue/partitions/$DB/$EXT" '{"Partitions":[{"Values":["q\"uote \u00e9\\x"]}]}'
ctl --json sync --wait >"$T/c6b.json"
check_eq "escaped value: created" 1 "$(jq -r .created "$T/c6b.json")"
ctl --json sync --wait >"$T/c6c.json"
check_eq "escaped value: no write on the next cycle" "0 0" "$(jq -r '"\(.created) \(.updated)"' "$T/c6c.json")"

# 7. A reloaded location map rewrites existing partitions although Glue did not change
#    (the fast path that skips unchanged Glue bytes must notice the transform changed).
sed -i 's#oss://copy-bucket/#oss://second-bucket/#' "$T/g2d.yaml"
ctl reload >/dev/null
check_eq "reload: accepted" 0 $?
ctl --json sync --wait >"$T/c8.json"
check_eq "new location map: no failure" 0 "$(jq -r .failed "$T/c8.json")"
check "new location map: every partition of untouched $DB.$EXT3 moved" bash -c \
  "curl -fsS '$SIM_GLUE/_sim/dlf/partitions/$DB/$EXT3' | jq -e '(.Partitions | length) > 0 and all(.Partitions[]; .Sd.Location | startswith(\"oss://second-bucket/\"))' >/dev/null"
check "new location map: partitions were updated" test "$(jq -r .updated "$T/c8.json")" -gt 0
stop_daemon

finish
