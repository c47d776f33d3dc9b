#!/usr/bin/env bash
# sync.rename on the simulator: a Glue database DLF cannot hold ("sales-eu") is a per-item
# error that names sync.rename; mapped, it and a renamed table are copied under their DLF
# names, converge (no write after a restart), and a table gone from Glue is deleted under
# its DLF name. Filters name Glue's objects in any case.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 5 --databases 1 --tables-per-db 1 --partitions-per-table 2 || exit 1
sim_put glue/databases/sales-eu '{"Name":"sales-eu","LocationUri":"s3://b/sales-eu.db/"}'
SD='{"Columns":[{"Name":"a","Type":"int"}],"Location":"s3://b/sales-eu.db/t/","InputFormat":"org.apache.hadoop.mapred.TextInputFormat","OutputFormat":"org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat","SerdeInfo":{"SerializationLibrary":"org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"}}'
for t in orders-2024 items; do
  sim_put "glue/tables/sales-eu/$t" "{\"Name\":\"$t\",\"TableType\":\"EXTERNAL_TABLE\",\"StorageDescriptor\":$SD,\"PartitionKeys\":[{\"Name\":\"dt\",\"Type\":\"string\"}]}"
  sim_post "glue/partitions/sales-eu/$t" \
    "{\"Partitions\":[{\"Values\":[\"2024-01-01\"],\"StorageDescriptor\":$SD},{\"Values\":[\"2024-01-02\"],\"StorageDescriptor\":$SD}]}"
done

# 1. Without a mapping: a clear per-item error, nothing of it in DLF.
write_config "$T/plain.yaml"
g2dd --config "$T/plain.yaml" --once >"$T/plain.log" 2>&1
check_eq "unmapped: --once exits 1" 1 $?
check "unmapped: the error names sync.rename" bash -c \
  "jq -e -s 'any(.[]; .itemName == \"sales-eu\" and (.errorMsg | contains(\"sync.rename.databases\")))' '$T/results.jsonl' >/dev/null"
check_eq "unmapped: DLF has no copy of it" "" \
  "$(sim_get dlf/databases | jq -r '.Databases[].Name | select(startswith("sales"))')"

# 2. Mapped (and filtered, in another case than Glue's): copied under the DLF names.
MAPPED='  databases: [SALES-EU]
  partition_filters: {"Sales-EU.Orders-2024": "dt >= '"'"'2024-01-02'"'"'"}
  rename:
    databases: {"sales-eu": sales_eu}
    tables: {"sales-eu.orders-2024": orders_2024}'
CFG_SYNC_EXTRA="$MAPPED" write_config "$T/mapped.yaml"
rm -f "$T/results.jsonl"
g2dd --config "$T/mapped.yaml" --once >"$T/mapped.log" 2>&1
check_eq "mapped: --once exits 0" 0 $?
check_eq "mapped: DLF holds the database under its DLF name (db_0000, out of scope, kept)" \
  "db_0000 sales_eu " "$(dlf_names)"
check_eq "mapped: its tables under their DLF names" "items orders_2024" \
  "$(sim_get dlf/tables/sales_eu | jq -r '[.Tables[].TableName] | sort | join(" ")')"
check_eq "mapped: the filter (written in another case) applies: 1 partition of orders_2024" 1 \
  "$(sim_get dlf/partitions/sales_eu/orders_2024 | jq '.Partitions | length')"
check_eq "mapped: an unfiltered table has all its partitions" 2 \
  "$(sim_get dlf/partitions/sales_eu/items | jq '.Partitions | length')"
check "mapped: result lines use the DLF names" bash -c \
  "jq -e -s 'any(.[]; .itemName == \"sales_eu.orders_2024/dt=2024-01-02\" and .isSuccess)' '$T/results.jsonl' >/dev/null"

# 3. A restart rebuilds the snapshot from DLF under the mapped names: nothing written.
sim_post stats/reset
g2dd --config "$T/mapped.yaml" --once >"$T/again.log" 2>&1
check_eq "restart: exits 0" 0 $?
check_eq "restart: no DLF write" 0 "$(dlf_writes)"

# 4. Gone from Glue: deleted under its DLF name, the renamed table is kept.
sim_del glue/tables/sales-eu/items
rm -f "$T/results.jsonl"
CFG_SYNC_EXTRA="$MAPPED" write_config "$T/mapped2.yaml" "deletes: {max_fraction: 1}"
g2dd --config "$T/mapped2.yaml" --once >"$T/del.log" 2>&1
check_eq "delete: exits 0" 0 $?
check "delete: the result line names the DLF table" bash -c \
  "jq -e -s 'any(.[]; .itemName == \"sales_eu.items\" and .diffResult == \"dlfNew\" and .isSuccess)' '$T/results.jsonl' >/dev/null"
check_eq "delete: orders_2024 is kept" "orders_2024" \
  "$(sim_get dlf/tables/sales_eu | jq -r '[.Tables[].TableName] | sort | join(" ")')"
finish
