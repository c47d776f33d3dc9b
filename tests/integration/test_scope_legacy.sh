#!/usr/bin/env bash
# Filters scope both sides (databases, table prefixes, partition filter): what is outside
# them is never read, written or deleted in DLF. And the Spark migrator's
# application.properties, unchanged but for the endpoints, has the same effect as its YAML
# equivalent.
source "$(dirname "$0")/lib.sh"

SIMOPTS=(--seed 9 --databases 3 --tables-per-db 7 --partitions-per-table 24 --partition-keys 2
  --functions-per-db 1)
start_sim a "${SIMOPTS[@]}" || exit 1
A_GLUE=$SIM_GLUE A_DLF=$SIM_DLF
start_sim b "${SIMOPTS[@]}" || exit 1
B_GLUE=$SIM_GLUE B_DLF=$SIM_DLF

get() { curl -fsS "$1/_sim/$2"; }
DB=db_0000
read -r T1 T2 < <(get "$A_GLUE" "glue/tables/$DB" | jq -r '[.Tables[] | select(.TableType == "EXTERNAL_TABLE" and (.PartitionKeys | length) == 2 and .Parameters.table_type == null) | .Name] | "\(.[0]) \(.[1])"')
DTS=$(get "$A_GLUE" "glue/partitions/$DB/$T1" | jq -r '[.Partitions[].Values[0]] | unique | .[]')
D=$(echo "$DTS" | sed -n "$(( ($(echo "$DTS" | wc -l) + 1) / 2 ))p")
check "setup: two partitioned tables and a cut-off date" test -n "$T1" -a -n "$T2" -a -n "$D"

# --- the same scope, once as YAML and once as the legacy properties file --------------
cat >"$T/scope.yaml" <<YAML
glue:
  region: us-east-1
  endpoint: $B_GLUE
  access_key_id: $GLUE_AK
  secret_access_key: $GLUE_SK
dlf:
  region: cn-hangzhou
  endpoint: $B_DLF
  access_key_id: $DLF_AK
  access_key_secret: $DLF_SK
sync:
  databases: [$DB]
  table_prefixes: [$T1]
  partition_filters: {"$DB.$T1": "dt>='$D'"}
  location_map: {"s3://sim-bucket-9/": "oss://moved-bucket/"}
result:
  path: $T/yaml-results.jsonl
control:
  socket: $T/yaml.sock
log:
  target: stderr
YAML
# The legacy file as the old tool's documentation shows it; only the two endpoints are
# ours (aws.endpoint is our addition for VPC endpoints and the simulator).
cat >"$T/application.properties" <<PROPS
# AWS
aws.accessKeyId=$GLUE_AK
aws.secretAccessKey=$GLUE_SK
aws.region=us-east-1
aws.endpoint=$A_GLUE
# Alibaba Cloud
aliyun.accessKeyId=$DLF_AK
aliyun.secretAccessKey=$DLF_SK
aliyun.region=cn-hangzhou
aliyun.endpoint=$A_DLF
# fixed values of the legacy tool
mode=increment
comparePartition=true
location.convertMap={"s3://sim-bucket-9/":"oss://moved-bucket/"}
aws.databases=$DB
aws.table.filter.prefix=$T1
aws.partition.filter.$DB.$T1=dt>='$D'
result.output.path=$T/legacy-results.jsonl
PROPS
chmod 0600 "$T/scope.yaml" "$T/application.properties"

g2dd --config "$T/application.properties" --socket "$T/legacy.sock" --once >"$T/legacy.log" 2>&1
check_eq "legacy: --once with application.properties exits 0" 0 $?
g2dd --config "$T/scope.yaml" --once >"$T/yaml.log" 2>&1
check_eq "yaml: --once exits 0" 0 $?

# --- scope: only what the filters select reached DLF -----------------------------------
check_eq "scope: only the allowed database in DLF" "$DB" \
  "$(get "$B_GLUE" dlf/databases | jq -r '[.Databases[].Name] | join(" ")')"
check_eq "scope: only the table matching the prefix" "$T1" \
  "$(get "$B_GLUE" "dlf/tables/$DB" | jq -r '[.Tables[].TableName] | join(" ")')"
want=$(get "$B_GLUE" "glue/partitions/$DB/$T1" | jq -r --arg d "$D" '[.Partitions[].Values | select(.[0] >= $d) | join("/")] | sort | join(" ")')
check_eq "scope: only the partitions inside the filter" "$want" \
  "$(get "$B_GLUE" "dlf/partitions/$DB/$T1" | jq -r '[.Partitions[].Values | join("/")] | sort | join(" ")')"
check "scope: the filter was pushed down to Glue GetPartitions" \
  test "$(get "$B_GLUE" stats | jq '.glue.GetPartitions')" -ge 1

# --- legacy and YAML had the same effect ------------------------------------------------
dump() { # the DLF side of a simulator, without what the server adds
  local u=$1 db t
  for db in $(get "$u" dlf/databases | jq -r '.Databases[].Name'); do
    get "$u" "dlf/databases/$db" | jq -cS 'del(.CreateTime, .UpdateTime, .CreatedBy)'
    for t in $(get "$u" "dlf/tables/$db" | jq -r '.Tables[].TableName'); do
      get "$u" "dlf/tables/$db/$t" | jq -cS 'del(.CreateTime, .UpdateTime, .TableId, .ArchivedVersions)'
      get "$u" "dlf/partitions/$db/$t" | jq -cS '.Partitions | map(del(.CreateTime)) | sort_by(.Values)'
    done
    get "$u" "dlf/functions/$db" | jq -cS '.Functions | map(del(.CreateTime, .UpdateTime)) | sort_by(.FunctionName)'
  done
}
dump "$A_GLUE" >"$T/dlf-legacy.txt"
dump "$B_GLUE" >"$T/dlf-yaml.txt"
check "legacy = yaml: the same DLF catalog" cmp -s "$T/dlf-legacy.txt" "$T/dlf-yaml.txt"
check "legacy = yaml: something was copied" test "$(wc -l <"$T/dlf-yaml.txt")" -ge 3
check_eq "legacy = yaml: the same result lines" \
  "$(jq -c 'del(.time)' "$T/yaml-results.jsonl" | sort)" \
  "$(jq -c 'del(.time)' "$T/legacy-results.jsonl" | sort)"

# --- what is outside the scope survives in DLF --------------------------------------------
U=$B_GLUE
curl -fsS -X PUT -H 'Content-Type: application/json' "$U/_sim/dlf/databases/dlf_only_db" \
  --data '{"Description":"not in the allow-list"}' >/dev/null
curl -fsS -X PUT -H 'Content-Type: application/json' "$U/_sim/dlf/tables/$DB/zz_outside_prefix" \
  --data '{"TableName":"zz_outside_prefix","TableType":"EXTERNAL_TABLE"}' >/dev/null
curl -fsS -X POST -H 'Content-Type: application/json' "$U/_sim/dlf/partitions/$DB/$T1" \
  --data '{"Partitions":[{"Values":["1999-01-01","eu-west-1"],"Sd":{"Location":"oss://x/old"}}]}' >/dev/null
sim_post() { curl -fsS -X POST -H 'Content-Type: application/json' --data "${2:-{\}}" "$U/_sim/$1" >/dev/null; }
sim_post stats/reset
rm -f "$T/yaml-results.jsonl"
g2dd --config "$T/scope.yaml" --once >"$T/yaml2.log" 2>&1
check_eq "out of scope: second run exits 0" 0 $?
check_eq "out of scope: nothing written or deleted" 0 "$(get "$U" stats | jq '.dlf.writes')"
check_eq "out of scope: no result line" 0 "$(cat "$T/yaml-results.jsonl" 2>/dev/null | wc -l)"
check "out of scope: the DLF-only database survives" bash -c \
  "curl -fsS '$U/_sim/dlf/databases' | jq -e 'any(.Databases[]; .Name == \"dlf_only_db\")' >/dev/null"
check "out of scope: the table outside the prefixes survives" bash -c \
  "curl -fsS '$U/_sim/dlf/tables/$DB' | jq -e 'any(.Tables[]; .TableName == \"zz_outside_prefix\")' >/dev/null"
check "out of scope: the partition outside the filter survives" bash -c \
  "curl -fsS '$U/_sim/dlf/partitions/$DB/$T1' | jq -e 'any(.Partitions[]; .Values[0] == \"1999-01-01\")' >/dev/null"

finish
