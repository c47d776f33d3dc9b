#!/usr/bin/env bash
# The simulator's damaged-answer fault kinds (drop_member, null_member, wrong_type,
# dup_member, error200, bad_item_errors, no_success; tests/sim/README.md "Fault rule"):
# each one installed through POST /_sim/faults, then the damaged body checked with curl and
# jq, on both sides, with the database / table filters, count and probability. Also checks
# that the operation ran (state and paging kept) and that bad rules are refused.
#   BUILD=build bash tests/integration/test_sim_damage.sh      (needs curl, jq, openssl)
set -u
BUILD=${BUILD:?BUILD must point at the build directory}
SIM="$BUILD/glue2dlf-sim"
T=$(mktemp -d /tmp/g2d-sim-damage.XXXXXX)
SIM_PID=
NPASS=0
NFAIL=0
export LC_ALL=C

cleanup() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; fi
  if [ "$NFAIL" -gt 0 ]; then echo "--- simulator log:"; tail -n 30 "$T/sim.log"; fi
  rm -rf "$T"
}
trap cleanup EXIT

pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $*"; }
check_eq() { if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi; }

GAK=AKIDDMG GSK=damage-glue-secret DAK=LTAIDMG DSK=damage-dlf-secret

[ -x "$SIM" ] || { echo "FAIL $SIM is not built"; exit 1; }
"$SIM" --port-file "$T/ports" --glue-access-key-id "$GAK" --glue-secret-access-key "$GSK" \
  --dlf-access-key-id "$DAK" --dlf-access-key-secret "$DSK" --seed 3 --databases 2 \
  --tables-per-db 2 --partitions-per-table 5 --partition-keys 2 --functions-per-db 2 \
  --dlf-from-glue --verbose >"$T/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 200); do [ -s "$T/ports" ] && break; sleep 0.05; done
[ -s "$T/ports" ] || { fail "simulator did not start"; cat "$T/sim.log"; exit 1; }
GLUE_PORT=$(sed -n 's/^glue=//p' "$T/ports")
DLF_PORT=$(sed -n 's/^dlf=//p' "$T/ports")

status() { cat "$T/status"; }

# admin METHOD PATH [BODY] -> body; HTTP status in $T/status.
admin() {
  curl -sS -o "$T/body" -w '%{http_code}' -X "$1" ${3:+--data "$3"} \
    "http://127.0.0.1:$GLUE_PORT/_sim/$2" >"$T/status"
  cat "$T/body"
}

# fault RULE: install a rule, FAIL unless accepted.
fault() {
  admin POST faults "$1" >/dev/null
  [ "$(status)" == 200 ] || fail "fault rule refused: $1: $(cat "$T/body")"
}

# glue OP BODY: Glue call signed by curl's own SigV4; body to stdout, status in $T/status.
glue() {
  curl -sS -o "$T/body" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:glue" \
    --user "$GAK:$GSK" -X POST "http://127.0.0.1:$GLUE_PORT/" \
    -H "X-Amz-Target: AWSGlue.$1" -H 'Content-Type: application/x-amz-json-1.1' \
    --data-binary "$2" >"$T/status"
  cat "$T/body"
}

sha256() { openssl dgst -sha256 -r | cut -d' ' -f1; }

# dlf METHOD PATH QUERY(canonical) ACTION [BODY]: ACS3-HMAC-SHA256 signed DLF call.
dlf() {
  local method=$1 path=$2 query=$3 action=$4 body=${5:-}
  local nonce date host="127.0.0.1:$DLF_PORT" sha ch sh creq sig ct=()
  nonce=$(openssl rand -hex 16)
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  sha=$(printf '%s' "$body" | sha256)
  ch="host:$host"$'\n'"x-acs-action:$action"$'\n'"x-acs-content-sha256:$sha"$'\n'
  ch+="x-acs-date:$date"$'\n'"x-acs-signature-nonce:$nonce"$'\n'"x-acs-version:2020-07-10"$'\n'
  sh="host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
  if [ -n "$body" ]; then
    ch="content-type:application/json; charset=utf-8"$'\n'"$ch"
    sh="content-type;$sh"
    ct=(-H 'Content-Type: application/json; charset=utf-8')
  fi
  creq="$method"$'\n'"$path"$'\n'"$query"$'\n'"$ch"$'\n'"$sh"$'\n'"$sha"
  sig=$(printf '%s' "ACS3-HMAC-SHA256"$'\n'"$(printf '%s' "$creq" | sha256)" |
    openssl dgst -sha256 -hmac "$DSK" -r | cut -d' ' -f1)
  curl -sS -o "$T/body" -w '%{http_code}' -X "$method" "${ct[@]}" \
    -H "x-acs-action: $action" -H "x-acs-version: 2020-07-10" -H "x-acs-date: $date" \
    -H "x-acs-signature-nonce: $nonce" -H "x-acs-content-sha256: $sha" \
    -H "Authorization: ACS3-HMAC-SHA256 Credential=$DAK,SignedHeaders=$sh,Signature=$sig" \
    ${body:+--data-binary "$body"} "http://$host$path${query:+?$query}" >"$T/status"
  cat "$T/body"
}

DB=/api/metastore/catalogs/databases
PA=$DB/tables/partitions
TL=/api/metastore/databases/tables/list
PB='"DatabaseName":"db_0000","TableName":"tbl_0000"'

# ---- Glue ----
fault '{"side":"glue","action":"GetTables","kind":"drop_member","database":"db_0001"}'
out=$(glue GetTables '{"DatabaseName":"db_0000"}')
check_eq "glue drop_member: another database is not damaged" "200 2" \
  "$(status) $(jq '.TableList | length' <<<"$out")"
out=$(glue GetTables '{"DatabaseName":"DB_0001"}')
check_eq "glue drop_member: GetTables of the chosen database answers {}" "200 {}" "$(status) $out"
out=$(glue GetTables '{"DatabaseName":"db_0001"}')
check_eq "glue drop_member: count 1 is used up" "200 2" "$(status) $(jq '.TableList | length' <<<"$out")"

fault '{"side":"glue","action":"GetDatabases","kind":"null_member"}'
out=$(glue GetDatabases '{"MaxResults":1}')
check_eq "glue null_member: DatabaseList null, NextToken kept" "200 null true" \
  "$(status) $(jq -r '"\(.DatabaseList | type) \(.NextToken | length > 0)"' <<<"$out")"

fault '{"side":"glue","action":"GetPartitions","kind":"wrong_type","table":"tbl_0001"}'
out=$(glue GetPartitions "{\"DatabaseName\":\"db_0000\",\"TableName\":\"tbl_0000\",\"MaxResults\":2}")
check_eq "glue wrong_type: another table is not damaged" "200 array 2" \
  "$(status) $(jq -r '"\(.Partitions | type) \(.Partitions | length)"' <<<"$out")"
out=$(glue GetPartitions "{\"DatabaseName\":\"db_0000\",\"TableName\":\"tbl_0001\",\"MaxResults\":2}")
check_eq "glue wrong_type: Partitions an object, the real NextToken kept" "200 object true" \
  "$(status) $(jq -r '"\(.Partitions | type) \(.NextToken | length > 0)"' <<<"$out")"
tok=$(jq -r .NextToken <<<"$out")
out=$(glue GetPartitions "{\"DatabaseName\":\"db_0000\",\"TableName\":\"tbl_0001\",\"MaxResults\":2,\"NextToken\":\"$tok\"}")
check_eq "glue wrong_type: the damaged page's NextToken leads to the next page" "200 2" \
  "$(status) $(jq '.Partitions | length' <<<"$out")"
fault '{"side":"glue","action":"GetTable","kind":"wrong_type","as":"string"}'
out=$(glue GetTable '{"DatabaseName":"db_0000","Name":"tbl_0000"}')
check_eq "glue wrong_type as string: GetTable" '200 {"Table":"sim-damaged"}' "$(status) $out"
fault '{"side":"glue","action":"GetDatabase","kind":"wrong_type"}'
out=$(glue GetDatabase '{"Name":"db_0000"}')
check_eq "glue wrong_type default for an object member: a list" '200 {"Database":[]}' "$(status) $out"

fault '{"side":"glue","action":"GetUserDefinedFunctions","kind":"dup_member"}'
out=$(glue GetUserDefinedFunctions '{"DatabaseName":"db_0000","Pattern":".*"}')
check_eq "glue dup_member: the member twice, the second []" "200 2 true 0" \
  "$(status) $(grep -o '"UserDefinedFunctions":' <<<"$out" | wc -l) \
$([[ $out == *',"UserDefinedFunctions":[]}' ]] && echo true || echo false) \
$(jq '.UserDefinedFunctions | length' <<<"$out")"

fault '{"side":"glue","action":"GetDatabases","kind":"error200"}'
out=$(glue GetDatabases '{}')
check_eq "glue error200: error document with HTTP 200" \
  '200 {"__type":"InternalServiceException","message":"Injected error document with HTTP 200."}' \
  "$(status) $out"
fault '{"side":"glue","action":"CreateDatabase","kind":"error200"}'
out=$(glue CreateDatabase '{"DatabaseInput":{"Name":"made"}}')
check_eq "glue error200 on a write: the error document" "200 InternalServiceException" \
  "$(status) $(jq -r '.__type' <<<"$out")"
out=$(glue GetDatabase '{"Name":"made"}')
check_eq "glue error200 on a write: the write was done" "200 made" "$(status) $(jq -r .Database.Name <<<"$out")"
fault '{"side":"glue","action":"BatchCreatePartition","kind":"null_member"}'
out=$(glue BatchCreatePartition "{$PB,\"PartitionInputList\":[{\"Values\":[\"2031-01-01\",\"eu\"]}]}")
check_eq "glue null_member: BatchCreatePartition Errors null" '200 {"Errors":null}' "$(status) $out"

fault '{"side":"glue","action":"GetTables","kind":"null_member","count":2}'
r=""
for _ in 1 2 3; do r+="$(glue GetTables '{"DatabaseName":"db_0000"}' | jq -r '.TableList | type') "; done
check_eq "glue count 2: two damaged answers, then real ones" "null null array " "$r"

fault '{"side":"glue","action":"GetDatabase","kind":"drop_member","count":-1,"probability":0.5}'
r=$(admin GET faults | jq -r '.Faults[] | select(.kind == "drop_member") | "\(.probability) \(.count)"')
check_eq "glue probability: listed" "0.5 -1" "$r"
nd=0
for _ in $(seq 40); do
  [ "$(glue GetDatabase '{"Name":"db_0000"}')" == "{}" ] && nd=$((nd + 1))
done
if [ "$nd" -gt 5 ] && [ "$nd" -lt 35 ]; then pass "glue probability 0.5: $nd of 40 damaged"; else
  fail "glue probability 0.5: $nd of 40 damaged"; fi
admin DELETE faults >/dev/null

fault '{"side":"glue","action":"*","kind":"drop_member","count":-1}'
glue CreateTable '{"DatabaseName":"db_0000","TableInput":{"Name":"t_new"}}' >/dev/null
check_eq "glue \"*\": an operation without an answer member is left alone" "200 {}" "$(status) $(cat "$T/body")"
check_eq "glue \"*\": GetTable damaged" "200 {}" "$(status) $(glue GetTable '{"DatabaseName":"db_0000","Name":"t_new"}')"
admin DELETE faults >/dev/null

# ---- refused rules ----
refused() {
  admin POST faults "$2" >/dev/null
  check_eq "refused: $1" 400 "$(status)"
}
refused "drop_member on a write without an answer member" '{"side":"glue","action":"CreateTable","kind":"drop_member"}'
refused "bad_item_errors on Glue" '{"side":"glue","action":"BatchCreatePartition","kind":"bad_item_errors"}'
refused "bad_item_errors on a DLF list" '{"side":"dlf","action":"ListPartitions","kind":"bad_item_errors"}'
refused "no_success on Glue" '{"side":"glue","action":"GetTables","kind":"no_success"}'
refused "as on another kind" '{"side":"glue","action":"GetTables","kind":"null_member","as":"string"}'
refused "as of an unknown shape" '{"side":"glue","action":"GetTables","kind":"wrong_type","as":"bool"}'
refused "probability 0" '{"side":"glue","action":"GetTables","kind":"error200","probability":0}'
refused "database on a non-damage kind" '{"side":"glue","action":"GetTables","kind":"throttle","database":"db_0000"}'
check_eq "refused rules are not installed" 0 "$(admin GET faults | jq '.Faults | length')"

# ---- DLF ----
fault '{"side":"dlf","action":"ListTables","kind":"drop_member","database":"db_0000"}'
out=$(dlf GET $TL "DatabaseName=db_0000" ListTables)
check_eq "dlf drop_member: Tables gone, Success:true and NextPageToken stay" "200 false true true" \
  "$(status) $(jq -r '"\(has("Tables")) \(.Success) \(has("NextPageToken"))"' <<<"$out")"

fault '{"side":"dlf","action":"ListDatabases","kind":"null_member"}'
out=$(dlf GET $DB/list "PageSize=1" ListDatabases)
check_eq "dlf null_member: Databases null, the real NextPageToken kept" "200 null true true" \
  "$(status) $(jq -r '"\(.Databases | type) \(.Success) \(.NextPageToken | length > 0)"' <<<"$out")"

fault '{"side":"dlf","action":"ListFunctions","kind":"wrong_type","as":"string"}'
out=$(dlf GET $DB/functions/list "DatabaseName=db_0001" ListFunctions)
check_eq "dlf wrong_type as string: Functions" "200 sim-damaged true" \
  "$(status) $(jq -r '"\(.Functions) \(.Success)"' <<<"$out")"

fault '{"side":"dlf","action":"ListPartitions","kind":"dup_member","table":"tbl_0000"}'
out=$(dlf POST $PA/list "" ListPartitions "{$PB,\"PageSize\":3}")
check_eq "dlf dup_member: Partitions twice, the second []" "200 2 true 0 true" \
  "$(status) $(grep -o '"Partitions":' <<<"$out" | wc -l) \
$([[ $out == *',"Partitions":[]}' ]] && echo true || echo false) \
$(jq -r '"\(.Partitions | length) \(.NextPageToken | length > 0)"' <<<"$out")"

fault '{"side":"dlf","action":"ListPartitions","kind":"error200"}'
out=$(dlf POST $PA/list "" ListPartitions "{$PB}")
check_eq "dlf error200: error envelope with HTTP 200" \
  "200 false InternalError Injected error document with HTTP 200. true false" \
  "$(status) $(jq -r '"\(.Success) \(.Code) \(.Message) \(.RequestId | length > 0) \(has("Partitions"))"' <<<"$out")"

pv='{"Values":["2031-02-02","eu"],"Sd":{"Location":"oss://b/x/"}}'
fault '{"side":"dlf","action":"BatchCreatePartitions","kind":"bad_item_errors"}'
out=$(dlf POST $PA/batchcreate "" BatchCreatePartitions "{$PB,\"PartitionInputs\":[$pv]}")
check_eq "dlf bad_item_errors: Success:true, PartitionErrors of the wrong shape" \
  '200 true [7,{"PartitionValues":"sim-damaged","ErrorDetail":"sim-damaged"}]' \
  "$(status) $(jq -c '.Success, .PartitionErrors' <<<"$out" | paste -sd' ')"
check_eq "dlf bad_item_errors: the batch was applied" 1 \
  "$(admin GET dlf/partitions/db_0000/tbl_0000 | jq '[.Partitions[] | select(.Values[0] == "2031-02-02")] | length')"

fault '{"side":"dlf","action":"BatchDeletePartitions","kind":"no_success"}'
out=$(dlf POST $PA/batchdelete "" BatchDeletePartitions "{$PB,\"PartitionValueList\":[{\"Values\":[\"2031-02-02\",\"eu\"]}]}")
check_eq "dlf no_success: Success missing, PartitionErrors kept" "200 false []" \
  "$(status) $(jq -c 'has("Success"), .PartitionErrors' <<<"$out" | paste -sd' ')"
fault '{"side":"dlf","action":"BatchUpdatePartitions","kind":"drop_member"}'
out=$(dlf PUT $PA/batchupdate "" BatchUpdatePartitions "{$PB,\"PartitionInputs\":[$pv]}")
check_eq "dlf drop_member: BatchUpdatePartitions without PartitionErrors" "200 true false" \
  "$(status) $(jq -r '"\(.Success) \(has("PartitionErrors"))"' <<<"$out")"
fault '{"side":"dlf","action":"CreateDatabase","kind":"no_success"}'
out=$(dlf POST $DB "" CreateDatabase '{"DatabaseInput":{"Name":"dmg"}}')
check_eq "dlf no_success on a write" "200 false OK" "$(status) $(jq -r '"\(has("Success")) \(.Code)"' <<<"$out")"
fault '{"side":"dlf","action":"GetDatabase","kind":"error200","database":"dmg"}'
out=$(dlf GET $DB "Name=dmg" GetDatabase)
check_eq "dlf error200 with a database filter (query Name)" "200 false InternalError" \
  "$(status) $(jq -r '"\(.Success) \(.Code)"' <<<"$out")"
check_eq "all counted rules used up" 0 "$(admin GET faults | jq '.Faults | length')"

# An error answer is not damaged (and does not use the rule up).
fault '{"side":"dlf","action":"GetTable","kind":"drop_member"}'
out=$(dlf GET $DB/tables "DatabaseName=db_0000&TableName=nope" GetTable)
check_eq "dlf: an error answer is left alone" "404 NoSuchObject 1" \
  "$(status) $(jq -r .Code <<<"$out") $(admin GET faults | jq '.Faults | length')"
admin DELETE faults >/dev/null

echo "$NPASS passed, $NFAIL failed"
[ "$NFAIL" -eq 0 ]
