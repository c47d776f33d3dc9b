#!/usr/bin/env bash
# Smoke test of glue2dlf-sim: starts it on ephemeral loopback ports and drives the admin
# API, the Glue API (signed with curl's own SigV4, an independent implementation) and the
# DLF API (ACS3 and ROA signatures computed here with openssl), then fault injection,
# stats and a clean SIGTERM exit. Prints PASS/FAIL lines; exits non-zero on any failure.
#   tests/sim/smoke.sh [BUILD_DIR]      (needs curl, jq, openssl)
# $SIM_WRAPPER (e.g. "valgrind --error-exitcode=99 --leak-check=full") wraps the simulator.
set -u
BUILD=${1:-${BUILD:-build}}
SIM="$BUILD/glue2dlf-sim"
T=$(mktemp -d /tmp/g2d-sim-smoke.XXXXXX)
PIDS=()
NPASS=0
NFAIL=0
export LC_ALL=C

cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
  if [ "$NFAIL" -gt 0 ]; then echo "--- simulator log:"; tail -n 30 "$T"/*.log 2>/dev/null; fi
  rm -rf "$T"
}
trap cleanup EXIT

pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $*"; }
check_eq() { if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi; }

GAK=AKIDSMOKE GSK=smoke-glue-secret DAK=LTAISMOKE DSK=smoke-dlf-secret

# start NAME [options]: sets GLUE_PORT, DLF_PORT, SIM_PID.
start() {
  local name=$1; shift
  ${SIM_WRAPPER:-} "$SIM" --port-file "$T/$name.ports" --glue-access-key-id "$GAK" \
    --glue-secret-access-key "$GSK" --dlf-access-key-id "$DAK" --dlf-access-key-secret "$DSK" \
    --verbose "$@" >"$T/$name.log" 2>&1 &
  SIM_PID=$!
  PIDS+=("$SIM_PID")
  for _ in $(seq 200); do [ -s "$T/$name.ports" ] && break; sleep 0.05; done
  [ -s "$T/$name.ports" ] || { fail "$name: simulator did not start"; cat "$T/$name.log"; exit 1; }
  GLUE_PORT=$(sed -n 's/^glue=//p' "$T/$name.ports")
  DLF_PORT=$(sed -n 's/^dlf=//p' "$T/$name.ports")
}

admin() { # admin METHOD PATH [BODY] -> body; HTTP status in $T/status
  curl -sS -o "$T/body" -w '%{http_code}' -X "$1" ${3:+--data "$3"} \
    "http://127.0.0.1:$GLUE_PORT/_sim/$2" >"$T/status"
  cat "$T/body"
}
status() { cat "$T/status"; }

# glue OP BODY [secret] [akid]: signed Glue call; body to stdout, status in $T/status.
glue() {
  curl -sS -o "$T/body" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:glue" \
    --user "${4:-$GAK}:${3:-$GSK}" -X POST "http://127.0.0.1:$GLUE_PORT/" \
    -H "X-Amz-Target: AWSGlue.$1" -H 'Content-Type: application/x-amz-json-1.1' \
    ${GLUE_DATE:+-H "X-Amz-Date: $GLUE_DATE"} --data-binary "$2" >"$T/status"
  local rc=$?
  cat "$T/body"
  return $rc
}

# sj FILTER CMD...: run a call, print "<http status> <jq FILTER of the body>".
sj() {
  local f=$1 out; shift
  out=$("$@")
  echo "$(status) $(jq -r "$f" <<<"$out")"
}

sha256() { openssl dgst -sha256 -r | cut -d' ' -f1; }

# dlf_acs3 METHOD PATH QUERY ACTION [BODY]: ACS3-HMAC-SHA256 signed DLF call. QUERY is the
# canonical (sorted, RFC 3986 encoded) query string. $NONCE, $ACS_DATE, $SECRET, $AK
# override the defaults.
dlf_acs3() {
  local method=$1 path=$2 query=$3 action=$4 body=${5:-}
  local nonce=${NONCE:-$(openssl rand -hex 16)} date=${ACS_DATE:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
  local host="127.0.0.1:$DLF_PORT" sha ch sh creq sig ct=()
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
    openssl dgst -sha256 -hmac "${SECRET:-$DSK}" -r | cut -d' ' -f1)
  curl -sS -o "$T/body" -w '%{http_code}' -X "$method" "${ct[@]}" \
    -H "x-acs-action: $action" -H "x-acs-version: 2020-07-10" -H "x-acs-date: $date" \
    -H "x-acs-signature-nonce: $nonce" -H "x-acs-content-sha256: $sha" \
    -H "Authorization: ACS3-HMAC-SHA256 Credential=${AK:-$DAK},SignedHeaders=$sh,Signature=$sig" \
    ${body:+--data-binary "$body"} "http://$host$path${query:+?$query}" >"$T/status"
  cat "$T/body"
}

# dlf_roa METHOD PATH QUERY(raw, sorted) ACTION: ROA HMAC-SHA1 signed call without body.
dlf_roa() {
  local method=$1 path=$2 query=$3 action=$4 nonce date sts sig
  nonce=$(openssl rand -hex 16)
  date=$(date -u '+%a, %d %b %Y %H:%M:%S GMT')
  sts="$method"$'\n'"application/json"$'\n'$'\n'$'\n'"$date"$'\n'
  sts+="x-acs-action:$action"$'\n'"x-acs-signature-method:HMAC-SHA1"$'\n'
  sts+="x-acs-signature-nonce:$nonce"$'\n'"x-acs-signature-version:1.0"$'\n'
  sts+="x-acs-version:2020-07-10"$'\n'"$path${query:+?$query}"
  sig=$(printf '%s' "$sts" | openssl dgst -sha1 -hmac "${SECRET:-$DSK}" -binary | base64)
  curl -sS -o "$T/body" -w '%{http_code}' -X "$method" -H 'Accept: application/json' \
    -H "Date: $date" -H "x-acs-action: $action" -H "x-acs-signature-method: HMAC-SHA1" \
    -H "x-acs-signature-nonce: $nonce" -H "x-acs-signature-version: 1.0" \
    -H "x-acs-version: 2020-07-10" -H "Authorization: acs $DAK:$sig" \
    "http://127.0.0.1:$DLF_PORT$path${query:+?$query}" >"$T/status"
  cat "$T/body"
}

DB=/api/metastore/catalogs/databases

[ -x "$SIM" ] || { echo "FAIL $SIM is not built"; exit 1; }
start main --seed 7 --databases 30

# ---- admin API ----
check_eq "admin: health" true "$(admin GET health | jq -r .ok)"
check_eq "admin: 30 generated Glue databases" 30 "$(admin GET glue/databases | jq '.DatabaseList | length')"
check_eq "admin: generated names" "db_0000 db_0029" \
  "$(admin GET glue/databases | jq -r '[.DatabaseList[0].Name, .DatabaseList[-1].Name] | join(" ")')"
check_eq "admin: generated LocationUri" "s3://sim-bucket-7/db_0005.db/" \
  "$(admin GET glue/databases/db_0005 | jq -r .LocationUri)"
check_eq "admin: DLF starts empty" 0 "$(admin GET dlf/databases | jq '.Databases | length')"
check_eq "admin: PUT creates" true \
  "$(admin PUT glue/databases/Extra '{"Description":"x","Parameters":{"a":"b"}}' | jq -r .created)"
check_eq "admin: PUT stored lower-case with default permissions" "extra IAM_ALLOWED_PRINCIPALS" \
  "$(admin GET glue/databases/extra | jq -r '"\(.Name) \(.CreateTableDefaultPermissions[0].Principal.DataLakePrincipalIdentifier)"')"
admin DELETE glue/databases/extra >/dev/null
check_eq "admin: DELETE" 200 "$(status)"
admin DELETE glue/databases/extra >/dev/null
check_eq "admin: DELETE of a missing database is 404" 404 "$(status)"
admin PUT dlf/databases/seeded '{"Description":"from admin","CreateTime":1600000000}' >/dev/null
check_eq "admin: DLF seed kept CreateTime" "seeded 1600000000" \
  "$(admin GET dlf/databases | jq -r '.Databases[0] | "\(.Name) \(.CreateTime)"')"
admin POST faults '{"side":"glue","kind":"bogus"}' >/dev/null
check_eq "admin: invalid fault rule is 400" 400 "$(status)"
admin GET nope >/dev/null
check_eq "admin: unknown endpoint is 404" 404 "$(status)"

# ---- Glue API ----
out=$(curl -sS -D "$T/hdr" -X POST "http://127.0.0.1:$GLUE_PORT/" \
  -H 'X-Amz-Target: AWSGlue.GetDatabases' -H 'Content-Type: application/x-amz-json-1.1' -d '{}')
check_eq "glue: unsigned request" MissingAuthenticationTokenException "$(jq -r .__type <<<"$out")"
check_eq "glue: unsigned request is 400" 1 "$(grep -c '^HTTP/1.1 400' "$T/hdr")"
check_eq "glue: x-amzn-RequestId header" 1 "$(grep -ci '^x-amzn-RequestId: ' "$T/hdr")"
check_eq "glue: error content type" 1 "$(grep -ci '^Content-Type: application/x-amz-json-1.1' "$T/hdr")"

out=$(glue GetDatabases '{"MaxResults":7}')
check_eq "glue: signed GetDatabases page" "200 7 true" \
  "$(status) $(jq -r '"\(.DatabaseList | length) \(.NextToken != null)"' <<<"$out")"
check_eq "glue: CreateTime printed the Java way (1.7E9)" 7 "$(grep -Eo '"CreateTime":1\.[0-9]+E9[,}]' "$T/body" | wc -l)"
names=""; tok=""; pages=0
while :; do
  if [ -z "$tok" ]; then req='{"MaxResults":7}'; else req="{\"MaxResults\":7,\"NextToken\":\"$tok\"}"; fi
  out=$(glue GetDatabases "$req"); pages=$((pages + 1))
  names+=$(jq -r '.DatabaseList[].Name' <<<"$out" | tr '\n' ' ')
  tok=$(jq -r '.NextToken // empty' <<<"$out")
  [ -z "$tok" ] || [ $pages -gt 10 ] && break
done
check_eq "glue: paging returns every database once in 5 pages" "30 30 5" \
  "$(wc -w <<<"$names" | tr -d ' ') $(tr ' ' '\n' <<<"$names" | sort -u | grep -c .) $pages"
check_eq "glue: MaxResults 101 rejected" "400 InvalidInputException" \
  "$(sj .__type glue GetDatabases '{"MaxResults":101}')"
check_eq "glue: bad NextToken rejected" InvalidInputException \
  "$(glue GetDatabases '{"NextToken":"zz"}' | jq -r .__type)"
check_eq "glue: malformed JSON rejected" InvalidInputException "$(glue GetDatabases '{"x":' | jq -r .__type)"
glue CreateDatabase '{"DatabaseInput":{"Name":"Sales","Description":"d1","Parameters":{"k":"v=1&x"}}}' >/dev/null
check_eq "glue: CreateDatabase" 200 "$(status)"
check_eq "glue: CreateDatabase again" AlreadyExistsException \
  "$(glue CreateDatabase '{"DatabaseInput":{"Name":"sales"}}' | jq -r .__type)"
check_eq "glue: GetDatabase (folded name)" "sales d1 v=1&x 123456789012" \
  "$(glue GetDatabase '{"Name":"SALES"}' | jq -r '.Database | "\(.Name) \(.Description) \(.Parameters.k) \(.CatalogId)"')"
glue UpdateDatabase '{"Name":"sales","DatabaseInput":{"Name":"sales","Description":"d2"}}' >/dev/null
check_eq "glue: UpdateDatabase" "200 d2" "$(status) $(glue GetDatabase '{"Name":"sales"}' | jq -r .Database.Description)"
glue DeleteDatabase '{"Name":"sales"}' >/dev/null
check_eq "glue: DeleteDatabase" 200 "$(status)"
check_eq "glue: GetDatabase after delete" "400 EntityNotFoundException" \
  "$(sj .__type glue GetDatabase '{"Name":"sales"}')"
check_eq "glue: unknown operation" UnknownOperationException "$(glue GetNothing '{}' | jq -r .__type)"
check_eq "glue: wrong secret" "400 InvalidSignatureException" \
  "$(sj .__type glue GetDatabases '{}' wrong-secret)"
check_eq "glue: unknown access key" UnrecognizedClientException \
  "$(glue GetDatabases '{}' "$GSK" AKIDOTHER | jq -r .__type)"
GLUE_DATE=$(date -u -d '-10 min' +%Y%m%dT%H%M%SZ)
check_eq "glue: stale X-Amz-Date" "Signature expired" \
  "$(glue GetDatabases '{}' | jq -r .Message | cut -c1-17)"
unset GLUE_DATE

# ---- DLF API ----
out=$(curl -sS "http://127.0.0.1:$DLF_PORT$DB/list" -H 'x-acs-version: 2020-07-10' -H 'x-acs-action: ListDatabases')
check_eq "dlf: unsigned request" IncompleteSignature "$(jq -r .Code <<<"$out")"
out=$(dlf_acs3 GET $DB/list "PageSize=10" ListDatabases)
check_eq "dlf: ACS3 ListDatabases" "200 true OK 1 seeded" \
  "$(status) $(jq -r '"\(.Success) \(.Code) \(.Databases | length) \(.Databases[0].Name)"' <<<"$out")"
dlf_acs3 POST $DB "" CreateDatabase '{"CatalogId":"","DatabaseInput":{"Name":"ods","Description":"o","LocationUri":"oss://b/ods.db/","Parameters":{"q":"\"x\""}}}' >/dev/null
check_eq "dlf: CreateDatabase" 200 "$(status)"
out=$(dlf_acs3 POST $DB "" CreateDatabase '{"DatabaseInput":{"Name":"ods"}}')
check_eq "dlf: CreateDatabase again" "409 AlreadyExists false" "$(status) $(jq -r '"\(.Code) \(.Success)"' <<<"$out")"
out=$(dlf_acs3 GET $DB "Name=ods" GetDatabase)
check_eq "dlf: GetDatabase" "ods o oss://b/ods.db/ \"x\" true" \
  "$(jq -r '.Database | "\(.Name) \(.Description) \(.LocationUri) \(.Parameters.q) \(.UpdateTime > 0)"' <<<"$out")"
dlf_acs3 PUT $DB "" UpdateDatabase '{"Name":"ods","DatabaseInput":{"Name":"ods","Description":"o2"}}' >/dev/null
check_eq "dlf: UpdateDatabase" "200 o2" "$(status) $(dlf_acs3 GET $DB "Name=ods" GetDatabase | jq -r .Database.Description)"
for n in a1 a2 a3 b1; do dlf_acs3 POST $DB "" CreateDatabase "{\"DatabaseInput\":{\"Name\":\"$n\"}}" >/dev/null; done
out=$(dlf_acs3 GET $DB/list "NamePattern=a.%2A&PageSize=2" ListDatabases)
tok=$(jq -r .NextPageToken <<<"$out")
out2=$(dlf_acs3 GET $DB/list "NamePattern=a.%2A&NextPageToken=$tok&PageSize=2" ListDatabases)
check_eq "dlf: ListDatabases with NamePattern pages" "a1 a2 | a3 |" \
  "$(jq -r '[.Databases[].Name] | join(" ")' <<<"$out") | $(jq -r '[.Databases[].Name] | join(" ")' <<<"$out2") |$(jq -r .NextPageToken <<<"$out2")"
check_eq "dlf: PageSize 0 rejected" "400 InvalidInput" \
  "$(sj .Code dlf_acs3 GET $DB/list "PageSize=0" ListDatabases)"
dlf_acs3 DELETE $DB "Cascade=false&Name=ods" DeleteDatabase >/dev/null
check_eq "dlf: DeleteDatabase" 200 "$(status)"
check_eq "dlf: GetDatabase after delete" "404 NoSuchObject" \
  "$(sj .Code dlf_acs3 GET $DB "Name=ods" GetDatabase)"
out=$(dlf_roa GET $DB "Name=a1" GetDatabase)
check_eq "dlf: ROA GetDatabase" "200 a1" "$(status) $(jq -r .Database.Name <<<"$out")"
check_eq "dlf: ROA wrong secret" SignatureDoesNotMatch "$(SECRET=nope dlf_roa GET $DB "Name=a1" GetDatabase | jq -r .Code)"
check_eq "dlf: ACS3 wrong secret" "400 SignatureDoesNotMatch" \
  "$(SECRET=nope sj .Code dlf_acs3 GET $DB "Name=a1" GetDatabase)"
check_eq "dlf: unknown access key" "404 InvalidAccessKeyId.NotFound" \
  "$(AK=LTAIOTHER sj .Code dlf_acs3 GET $DB "Name=a1" GetDatabase)"
NONCE=$(openssl rand -hex 16)
NONCE=$NONCE dlf_acs3 GET $DB "Name=a1" GetDatabase >/dev/null
check_eq "dlf: reused nonce" SignatureNonceUsed "$(NONCE=$NONCE dlf_acs3 GET $DB "Name=a1" GetDatabase | jq -r .Code)"
unset NONCE
check_eq "dlf: stale x-acs-date" InvalidTimeStamp.Expired \
  "$(ACS_DATE=$(date -u -d '-20 min' +%Y-%m-%dT%H:%M:%SZ) dlf_acs3 GET $DB "Name=a1" GetDatabase | jq -r .Code)"
check_eq "dlf: x-acs-action must match the route" InvalidAction.Mismatch \
  "$(dlf_acs3 GET $DB "Name=a1" ListDatabases | jq -r .Code)"

# ---- faults and stats ----
admin POST stats/reset >/dev/null
admin POST faults '{"side":"glue","action":"GetDatabases","kind":"throttle"}' >/dev/null
check_eq "fault: throttle once" "400 ThrottlingException" \
  "$(sj .__type glue GetDatabases '{}')"
glue GetDatabases '{}' >/dev/null
check_eq "fault: then served normally" 200 "$(status)"
admin POST faults '{"side":"glue","action":"*","kind":"reset"}' >/dev/null
glue GetDatabases '{}' >/dev/null 2>&1; rc=$?
check_eq "fault: reset closes without a response (curl exit 52)" 52 "$rc"
admin POST faults '{"side":"glue","action":"GetDatabases","kind":"truncate"}' >/dev/null
glue GetDatabases '{}' >/dev/null 2>&1; rc=$?
check_eq "fault: truncated body (curl exit 18)" 18 "$rc"
admin POST faults '{"side":"dlf","action":"GetDatabase","kind":"error500","count":2}' >/dev/null
s1=$(sj .Code dlf_acs3 GET $DB "Name=a1" GetDatabase)
check_eq "fault: DLF error500 twice" "500 InternalError 500 InternalError" \
  "$s1 $(sj .Code dlf_acs3 GET $DB "Name=a1" GetDatabase)"
admin POST faults '{"side":"dlf","kind":"deny"}' >/dev/null
check_eq "fault: DLF deny" "403 Forbidden.RAM" \
  "$(sj .Code dlf_acs3 GET $DB "Name=a1" GetDatabase)"
admin POST faults '{"side":"dlf","kind":"throttle","count":-1}' >/dev/null
admin DELETE faults >/dev/null
dlf_acs3 GET $DB "Name=a1" GetDatabase >/dev/null
check_eq "fault: cleared" 200 "$(status)"
GSK=not-the-secret glue GetDatabases '{}' >/dev/null
st=$(admin GET stats)
check_eq "stats: counts (rejected requests apart)" "4 4 4 0 1" \
  "$(jq -r '"\(.glue.GetDatabases) \(.glue.total) \(.dlf.GetDatabase) \(.dlf.writes) \(.rejected.glue)"' <<<"$st")"

kill -TERM "$SIM_PID"; wait "$SIM_PID"; rc=$?
check_eq "SIGTERM: exit 0" 0 "$rc"
PIDS=()

# ---- DLF pre-populated from Glue ----
start mirror --seed 3 --databases 12 --dlf-databases-from-glue
g=$(admin GET glue/databases | jq -c '[.DatabaseList[] | {Name, Description: (.Description // ""), LocationUri, Parameters}]')
d=$(admin GET dlf/databases | jq -c '[.Databases[] | {Name, Description, LocationUri, Parameters}]')
check_eq "--dlf-databases-from-glue: same databases" "$g" "$d"

# ---- tables, partitions, functions ----
kill -TERM "$SIM_PID"; wait "$SIM_PID"
PIDS=()
start tp --seed 11 --databases 2 --tables-per-db 8 --partitions-per-table 250 \
  --functions-per-db 5 --partition-keys 2 --dlf-batch-cap 50
TP_PID=$SIM_PID

# glue_pages OP BODY(jq object without NextToken) LISTKEY: every page; prints "<items> <pages>"
# and leaves the concatenated items (one compact JSON per line) in $T/items.
glue_pages() {
  local op=$1 req=$2 key=$3 tok="" pages=0 out
  : >"$T/items"
  while :; do
    out=$(glue "$op" "$(jq -c --arg t "$tok" 'if $t == "" then . else . + {NextToken: $t} end' <<<"$req")")
    pages=$((pages + 1))
    [ "$(status)" = 200 ] || { echo "status $(status) $out"; return; }
    jq -c ".${key}[]" <<<"$out" >>"$T/items"
    tok=$(jq -r '.NextToken // empty' <<<"$out")
    [ -z "$tok" ] || [ $pages -gt 100 ] && break
  done
  echo "$(wc -l <"$T/items" | tr -d ' ') $pages"
}

check_eq "glue: GetTables pages of 3" "8 3" \
  "$(glue_pages GetTables '{"DatabaseName":"db_0000","MaxResults":3}' TableList)"
check_eq "glue: GetTables names" "tbl_0000 tbl_0007" \
  "$(jq -r .Name "$T/items" | sed -n '1p;$p' | tr '\n' ' ' | sed 's/ $//')"
check_eq "glue: GetTables Expression regex" "tbl_0001 tbl_0002" \
  "$(glue GetTables '{"DatabaseName":"db_0000","Expression":"tbl_000[12]"}' | jq -r '[.TableList[].Name] | join(" ")')"
check_eq "glue: GetTables of a missing database" "400 EntityNotFoundException" \
  "$(sj .__type glue GetTables '{"DatabaseName":"nope"}')"
check_eq "glue: generated view, Iceberg and skewed tables" \
  "VIRTUAL_VIEW 0 ICEBERG 0 1\$a2\$bc 8" \
  "$(glue GetTable '{"DatabaseName":"db_0000","Name":"tbl_0003"}' | jq -r '"\(.Table.TableType) \(.Table.PartitionKeys | length)"') $(glue GetTable '{"DatabaseName":"db_0000","Name":"tbl_0005"}' | jq -r '"\(.Table.Parameters.table_type) \(.Table.PartitionKeys | length)"') $(glue GetTable '{"DatabaseName":"db_0000","Name":"tbl_0006"}' | jq -r '.Table.StorageDescriptor | "\(.SkewedInfo.SkewedColumnValues[0]) \(.NumberOfBuckets)"')"
check_eq "glue: Parquet table parameters" "TRUE parquet 3 12" \
  "$(glue GetTable '{"DatabaseName":"db_0000","Name":"tbl_0000"}' | jq -r '.Table | "\(.Parameters.EXTERNAL) \(.Parameters.classification) \(.Parameters | length) \(.StorageDescriptor.Columns | length)"')"
check_eq "glue: timestamps are Java-style numbers" 1 \
  "$(glue GetTable '{"DatabaseName":"db_0000","Name":"tbl_0000"}' | grep -Ec '"UpdateTime":1\.[0-9]+E9[,}]')"
check_eq "glue: GetTable of a missing table" "400 EntityNotFoundException" \
  "$(sj .__type glue GetTable '{"DatabaseName":"db_0000","Name":"nope"}')"

PT='"DatabaseName":"db_0000","TableName":"tbl_0000"'
check_eq "glue: GetPartitions pages of 100" "250 3" \
  "$(glue_pages GetPartitions "{$PT,\"MaxResults\":100}" Partitions)"
check_eq "glue: every partition once" 250 "$(jq -c .Values "$T/items" | sort -u | wc -l | tr -d ' ')"
all=$(jq -c .Values "$T/items" | sort)
segs=""; total=0
for s in 0 1 2; do
  r=$(glue_pages GetPartitions "{$PT,\"MaxResults\":40,\"Segment\":{\"SegmentNumber\":$s,\"TotalSegments\":3}}" Partitions)
  total=$((total + ${r% *})); segs+=$(jq -c .Values "$T/items")$'\n'
done
check_eq "glue: 3 segments are disjoint and complete" "250 250 yes" \
  "$total $(grep -c . <<<"$segs") $([ "$(grep . <<<"$segs" | sort)" == "$all" ] && echo yes || echo no)"
check_eq "glue: Expression on region" 62 \
  "$(glue_pages GetPartitions "{$PT,\"Expression\":\"region = 'eu-west-1'\"}" Partitions | cut -d' ' -f1)"
check_eq "glue: Expression with BETWEEN and a segment" 8 \
  "$(for s in 0 1; do glue_pages GetPartitions "{$PT,\"Expression\":\"dt BETWEEN '2020-01-01' AND '2020-01-02'\",\"Segment\":{\"SegmentNumber\":$s,\"TotalSegments\":2}}" Partitions | cut -d' ' -f1; done | paste -sd+ | bc)"
check_eq "glue: Expression on an unknown key" "400 InvalidInputException" \
  "$(sj .__type glue GetPartitions "{$PT,\"Expression\":\"nokey = 1\"}")"
check_eq "glue: Expression syntax error" "400 InvalidInputException" \
  "$(sj .__type glue GetPartitions "{$PT,\"Expression\":\"region = \"}")"
check_eq "glue: MaxResults 1001 rejected" "400 InvalidInputException" \
  "$(sj .__type glue GetPartitions "{$PT,\"MaxResults\":1001}")"
check_eq "glue: TotalSegments 11 rejected" "400 InvalidInputException" \
  "$(sj .__type glue GetPartitions "{$PT,\"Segment\":{\"SegmentNumber\":0,\"TotalSegments\":11}}")"
check_eq "glue: ExcludeColumnSchema" "null" \
  "$(glue GetPartitions "{$PT,\"MaxResults\":1,\"ExcludeColumnSchema\":true}" | jq -c '.Partitions[0].StorageDescriptor.Columns')"
check_eq "glue: partition 49 has its own schema" "13 s3://sim-bucket-11/db_0000.db/tbl_0000/dt=2020-01-13/region=cn-hangzhou/" \
  "$(glue GetPartition "{$PT,\"PartitionValues\":[\"2020-01-13\",\"cn-hangzhou\"]}" | jq -r '.Partition.StorageDescriptor | "\(.Columns | length) \(.Location)"')"
check_eq "glue: GetPartition of a missing partition" "400 EntityNotFoundException" \
  "$(sj .__type glue GetPartition "{$PT,\"PartitionValues\":[\"1999-01-01\",\"x\"]}")"
check_eq "glue: GetPartitions of a missing table" "400 EntityNotFoundException" \
  "$(sj .__type glue GetPartitions '{"DatabaseName":"db_0000","TableName":"nope"}')"
check_eq "glue: GetUserDefinedFunctions pages of 2" "5 3" \
  "$(glue_pages GetUserDefinedFunctions '{"DatabaseName":"db_0000","Pattern":".*","MaxResults":2}' UserDefinedFunctions)"
check_eq "glue: function shape" "USER JAR s3://sim-bucket-11/jars/" \
  "$(head -1 "$T/items" | jq -r '"\(.OwnerType) \(.ResourceUris[0].ResourceType) \(.ResourceUris[0].Uri[0:24])"')"
check_eq "glue: functions of every database" "10 4" \
  "$(glue_pages GetUserDefinedFunctions '{"Pattern":".*","MaxResults":3}' UserDefinedFunctions)"
check_eq "glue: function Pattern" "fn_000 fn_001" \
  "$(glue GetUserDefinedFunctions '{"DatabaseName":"db_0000","Pattern":"fn_00[01]"}' | jq -r '[.UserDefinedFunctions[].FunctionName] | join(" ")')"
glue CreateTable '{"DatabaseName":"db_0001","TableInput":{"Name":"New_T","PartitionKeys":[{"Name":"k","Type":"int"}],"StorageDescriptor":{"Columns":[{"Name":"a","Type":"int"}]}}}' >/dev/null
check_eq "glue: CreateTable" "200 new_t 0" \
  "$(status) $(glue GetTable '{"DatabaseName":"db_0001","Name":"new_t"}' | jq -r '"\(.Table.Name) \(.Table.VersionId)"')"
check_eq "glue: CreateTable again" AlreadyExistsException \
  "$(glue CreateTable '{"DatabaseName":"db_0001","TableInput":{"Name":"new_t"}}' | jq -r .__type)"
check_eq "glue: BatchCreatePartition with one duplicate" "1 AlreadyExistsException" \
  "$(glue BatchCreatePartition '{"DatabaseName":"db_0001","TableName":"new_t","PartitionInputList":[{"Values":["1"]},{"Values":["2"]},{"Values":["1"]}]}' | jq -r '"\(.Errors | length) \(.Errors[0].ErrorDetail.ErrorCode)"')"
NT='"DatabaseName":"db_0001","TableName":"new_t"'
glue CreatePartition "{$NT,\"PartitionInput\":{\"Values\":[\"7\"],\"Parameters\":{\"a\":\"1\"},\"StorageDescriptor\":{\"Location\":\"s3://b/k=7/\",\"Columns\":[{\"Name\":\"a\",\"Type\":\"int\"}]}}}" >/dev/null
check_eq "glue: CreatePartition" "200 7 db_0001 new_t 1" \
  "$(status) $(glue GetPartition "{$NT,\"PartitionValues\":[\"7\"]}" | jq -r '.Partition | "\(.Values[0]) \(.DatabaseName) \(.TableName) \(.Parameters.a)"')"
ct7=$(glue GetPartition "{$NT,\"PartitionValues\":[\"7\"]}" | jq -r .Partition.CreationTime)
check_eq "glue: CreatePartition again" "400 AlreadyExistsException" \
  "$(sj .__type glue CreatePartition "{$NT,\"PartitionInput\":{\"Values\":[\"7\"]}}")"
check_eq "glue: CreatePartition with a wrong values count" "400 InvalidInputException" \
  "$(sj .__type glue CreatePartition "{$NT,\"PartitionInput\":{\"Values\":[\"7\",\"8\"]}}")"
check_eq "glue: CreatePartition on a missing table" "400 EntityNotFoundException" \
  "$(sj .__type glue CreatePartition '{"DatabaseName":"db_0001","TableName":"nope","PartitionInput":{"Values":["1"]}}')"
sleep 1
glue UpdatePartition "{$NT,\"PartitionValueList\":[\"7\"],\"PartitionInput\":{\"Values\":[\"7\"],\"Parameters\":{\"a\":\"2\"}}}" >/dev/null
check_eq "glue: UpdatePartition keeps CreationTime" "200 2 $ct7" \
  "$(status) $(glue GetPartition "{$NT,\"PartitionValues\":[\"7\"]}" | jq -r '.Partition | "\(.Parameters.a) \(.CreationTime)"')"
check_eq "glue: UpdatePartition onto an existing partition" "400 AlreadyExistsException" \
  "$(sj .__type glue UpdatePartition "{$NT,\"PartitionValueList\":[\"7\"],\"PartitionInput\":{\"Values\":[\"1\"]}}")"
glue UpdatePartition "{$NT,\"PartitionValueList\":[\"7\"],\"PartitionInput\":{\"Values\":[\"8\"]}}" >/dev/null
check_eq "glue: UpdatePartition with new Values moves it" "200 400 8" \
  "$(status) $(glue GetPartition "{$NT,\"PartitionValues\":[\"7\"]}" >/dev/null; status) $(glue GetPartition "{$NT,\"PartitionValues\":[\"8\"]}" | jq -r '.Partition.Values[0]')"
check_eq "glue: UpdatePartition of a missing partition" "400 EntityNotFoundException" \
  "$(sj .__type glue UpdatePartition "{$NT,\"PartitionValueList\":[\"99\"],\"PartitionInput\":{\"Values\":[\"99\"]}}")"
check_eq "glue: BatchGetPartition: found ones in order, missing ones absent" "200 8,1 0" \
  "$(sj '"\([.Partitions[].Values[0]] | join(",")) \(.UnprocessedKeys | length)"' glue BatchGetPartition "{$NT,\"PartitionsToGet\":[{\"Values\":[\"8\"]},{\"Values\":[\"404\"]},{\"Values\":[\"1\"]}]}")"
check_eq "glue: BatchGetPartition of 1001 keys" "400 InvalidInputException" \
  "$(sj .__type glue BatchGetPartition "{$NT,\"PartitionsToGet\":$(jq -nc '[range(1001) | {Values: [tostring]}]')}")"
check_eq "glue: BatchGetPartition with a malformed key" "400 InvalidInputException" \
  "$(sj .__type glue BatchGetPartition "{$NT,\"PartitionsToGet\":[[\"8\"]]}")"
glue DeletePartition "{$NT,\"PartitionValues\":[\"8\"]}" >/dev/null
check_eq "glue: DeletePartition" "200 400 EntityNotFoundException" \
  "$(status) $(sj .__type glue DeletePartition "{$NT,\"PartitionValues\":[\"8\"]}")"
check_eq "glue: GetPartitions ExcludeColumnSchema on a stored partition keeps the rest" "null s3://b/k=9/" \
  "$(glue CreatePartition "{$NT,\"PartitionInput\":{\"Values\":[\"9\"],\"StorageDescriptor\":{\"Location\":\"s3://b/k=9/\",\"Columns\":[{\"Name\":\"a\",\"Type\":\"int\"}]}}}" >/dev/null; glue GetPartitions "{$NT,\"Expression\":\"k = 9\",\"ExcludeColumnSchema\":true}" | jq -r '.Partitions[0].StorageDescriptor | "\(.Columns) \(.Location)"')"
check_eq "glue: Expression on an int key (stored value not an int)" "400 InvalidStateException" \
  "$(admin POST glue/partitions/db_0001/new_t '{"Partitions":[{"Values":["x"]}]}' >/dev/null; sj .__type glue GetPartitions '{"DatabaseName":"db_0001","TableName":"new_t","Expression":"k > 1"}')"
glue DeleteTable '{"DatabaseName":"db_0001","Name":"new_t"}' >/dev/null
check_eq "glue: DeleteTable" "200 EntityNotFoundException" \
  "$(status) $(glue GetTable '{"DatabaseName":"db_0001","Name":"new_t"}' | jq -r .__type)"
glue CreateUserDefinedFunction '{"DatabaseName":"db_0001","FunctionInput":{"FunctionName":"MyUdf","ClassName":"a.B","OwnerName":"me","OwnerType":"USER","ResourceUris":[{"ResourceType":"JAR","Uri":"s3://b/x.jar"}]}}' >/dev/null
check_eq "glue: CreateUserDefinedFunction" "200 myudf a.B" \
  "$(status) $(glue GetUserDefinedFunction '{"DatabaseName":"db_0001","FunctionName":"myudf"}' | jq -r '.UserDefinedFunction | "\(.FunctionName) \(.ClassName)"')"

# ---- DLF tables, partitions, functions ----
TB=/api/metastore/catalogs/databases/tables
PA=$TB/partitions
FN=/api/metastore/catalogs/databases/functions
dlf_acs3 POST $DB "" CreateDatabase '{"DatabaseInput":{"Name":"ods"}}' >/dev/null
TI='{"TableName":"events","Owner":"etl","TableType":"EXTERNAL_TABLE","PartitionKeys":[{"Name":"dt","Type":"string"},{"Name":"region","Type":"string"}],"Sd":{"Cols":[{"Name":"a","Type":"int"}],"Location":"oss://b/events/"},"Parameters":{"k":"v"}}'
dlf_acs3 POST $TB "" CreateTable "{\"DatabaseName\":\"ods\",\"TableInput\":$TI}" >/dev/null
check_eq "dlf: CreateTable" 200 "$(status)"
check_eq "dlf: CreateTable again" "409 AlreadyExists" \
  "$(sj .Code dlf_acs3 POST $TB "" CreateTable "{\"DatabaseName\":\"ods\",\"TableInput\":$TI}")"
check_eq "dlf: CreateTable in a missing database" "404 NoSuchObject" \
  "$(sj .Code dlf_acs3 POST $TB "" CreateTable "{\"DatabaseName\":\"nodb\",\"TableInput\":$TI}")"
check_eq "dlf: CreateTable with an unknown member: InvalidParameter naming it" \
  "400 InvalidParameter TableInput.ZFirst is not a known parameter." \
  "$(sj '"\(.Code) \(.Message)"' dlf_acs3 POST $TB "" CreateTable '{"DatabaseName":"ods","TableInput":{"TableName":"zf","ZFirst":"x"}}')"
check_eq "dlf: CreateTable with a member of the wrong type" \
  "400 InvalidParameter TableInput.Retention must be an integer." \
  "$(sj '"\(.Code) \(.Message)"' dlf_acs3 POST $TB "" CreateTable '{"DatabaseName":"ods","TableInput":{"TableName":"zf","Retention":"1"}}')"
check_eq "dlf: UpdateTable with a Parameters value that is not a string" \
  "400 InvalidParameter TableInput.Parameters must be a map of strings." \
  "$(sj '"\(.Code) \(.Message)"' dlf_acs3 PUT $TB "" UpdateTable '{"DatabaseName":"ods","TableName":"events","TableInput":{"TableName":"events","Parameters":{"a":1}}}')"
out=$(dlf_acs3 GET $TB "DatabaseName=ods&TableName=events" GetTable)
check_eq "dlf: GetTable keeps the client's fields in order plus server fields" \
  "TableName,Owner,TableType,PartitionKeys,Sd,Parameters,CreateTime,UpdateTime,TableId,DatabaseName true" \
  "$(jq -r '[.Table | keys_unsorted[]] | join(",")' <<<"$out") $(jq -r '.Table.CreateTime > 1600000000' <<<"$out")"
dlf_acs3 POST $TB "" CreateTable '{"DatabaseName":"ods","TableInput":{"TableName":"dim"}}' >/dev/null
dlf_acs3 POST $TB "" CreateTable '{"DatabaseName":"ods","TableInput":{"TableName":"zeta","TableType":"VIRTUAL_VIEW"}}' >/dev/null
p1=$(dlf_acs3 GET /api/metastore/databases/tables/list "DatabaseName=ods&PageSize=2" ListTables)
tok=$(jq -r .NextPageToken <<<"$p1")
p2=$(dlf_acs3 GET /api/metastore/databases/tables/list "DatabaseName=ods&NextPageToken=$tok&PageSize=2" ListTables)
check_eq "dlf: ListTables pages" "dim events | zeta |" \
  "$(jq -r '[.Tables[].TableName] | join(" ")' <<<"$p1") | $(jq -r '[.Tables[].TableName] | join(" ")' <<<"$p2") |$(jq -r .NextPageToken <<<"$p2")"
check_eq "dlf: ListTables pattern and type" "events|zeta" \
  "$(dlf_acs3 GET /api/metastore/databases/tables/list "DatabaseName=ods&TableNamePattern=ev.%2A" ListTables | jq -r '[.Tables[].TableName] | join(" ")')|$(dlf_acs3 GET /api/metastore/databases/tables/list "DatabaseName=ods&TableType=VIRTUAL_VIEW" ListTables | jq -r '[.Tables[].TableName] | join(" ")')"
check_eq "dlf: ListTables of a missing database" "404 NoSuchObject" \
  "$(sj .Code dlf_acs3 GET /api/metastore/databases/tables/list "DatabaseName=nodb" ListTables)"

pin() { echo "{\"Values\":[\"$1\",\"$2\"],\"Sd\":{\"Location\":\"oss://b/events/dt=$1/region=$2/\"},\"Parameters\":{\"n\":\"$3\"}}"; }
B="\"DatabaseName\":\"ods\",\"TableName\":\"events\""
body="{$B,\"IfNotExists\":false,\"NeedResult\":true,\"PartitionInputs\":[$(pin 2024-01-01 eu 1),$(pin 2024-01-01 us 1),$(pin 2024-01-02 eu 1),$(pin 2024-01-02 us 1),$(pin 2024-01-03 eu 1),{\"Values\":[\"only-one\"]}]}"
out=$(dlf_acs3 POST $PA/batchcreate "" BatchCreatePartitions "$body")
check_eq "dlf: BatchCreatePartitions with a bad item" "200 true 5 1 InvalidObject only-one" \
  "$(status) $(jq -r '"\(.Success) \(.Partitions | length) \(.PartitionErrors | length) \(.PartitionErrors[0].ErrorDetail.Code) \(.PartitionErrors[0].PartitionValues[0])"' <<<"$out")"
check_eq "dlf: BatchCreatePartitions: unknown or mistyped members are InvalidParameter per item" \
  "200 PartitionInput.Foo is not a known parameter.|PartitionInput.LastAccessTime must be an integer.|PartitionInput.Values must be a list of strings." \
  "$(sj '[.PartitionErrors[] | select(.ErrorDetail.Code == "InvalidParameter") | .ErrorDetail.Message] | join("|")' dlf_acs3 POST $PA/batchcreate "" BatchCreatePartitions "{$B,\"PartitionInputs\":[{\"Values\":[\"2031-01-01\",\"eu\"],\"Foo\":1},{\"Values\":[\"2031-01-02\",\"eu\"],\"LastAccessTime\":\"x\"},{\"Values\":\"2031\"}]}")"
check_eq "dlf: BatchCreatePartitions again: AlreadyExists per item" "5 AlreadyExists" \
  "$(dlf_acs3 POST $PA/batchcreate "" BatchCreatePartitions "$body" | jq -r '"\([.PartitionErrors[] | select(.ErrorDetail.Code == "AlreadyExists")] | length) \(.PartitionErrors[0].ErrorDetail.Code)"')"
check_eq "dlf: BatchCreatePartitions IfNotExists" "0 []" \
  "$(dlf_acs3 POST $PA/batchcreate "" BatchCreatePartitions "{$B,\"IfNotExists\":true,\"PartitionInputs\":[$(pin 2024-01-01 eu 9)]}" | jq -c '"\(.PartitionErrors | length) \(.Partitions // [])"' -r)"
check_eq "dlf: BatchCreatePartitions on a missing table" "400 InvalidObject" \
  "$(sj .Code dlf_acs3 POST $PA/batchcreate "" BatchCreatePartitions '{"DatabaseName":"ods","TableName":"nope","PartitionInputs":[]}')"
many=$(for i in $(seq 51); do pin 2025-01-01 "r$i" 1; done | paste -sd,)
check_eq "dlf: batch over --dlf-batch-cap is rejected" "400 InvalidInput" \
  "$(sj .Code dlf_acs3 POST $PA/batchcreate "" BatchCreatePartitions "{$B,\"PartitionInputs\":[$many]}")"
out=$(dlf_acs3 POST $PA/list "" ListPartitions "{$B,\"PageSize\":2,\"NextPageToken\":\"\",\"IsShareSd\":false}")
vals=$(jq -c '.Partitions[].Values' <<<"$out"); tok=$(jq -r .NextPageToken <<<"$out"); pages=1
while [ -n "$tok" ] && [ $pages -lt 10 ]; do
  out=$(dlf_acs3 POST $PA/list "" ListPartitions "{$B,\"PageSize\":2,\"NextPageToken\":\"$tok\"}")
  vals+=$'\n'$(jq -c '.Partitions[].Values' <<<"$out"); tok=$(jq -r .NextPageToken <<<"$out"); pages=$((pages + 1))
done
check_eq "dlf: ListPartitions pages of 2" "5 5 3" "$(grep -c . <<<"$vals") $(sort -u <<<"$vals" | grep -c .) $pages"
check_eq "dlf: stored partition keeps the client's fields plus CreateTime" "Values,Sd,Parameters,CreateTime" \
  "$(jq -r '.Partitions[0] | keys_unsorted | join(",")' <<<"$out")"
check_eq "dlf: ListPartitions PartialPartValues" 2 \
  "$(dlf_acs3 POST $PA/list "" ListPartitions "{$B,\"PartialPartValues\":[\"2024-01-02\"]}" | jq '.Partitions | length')"
check_eq "dlf: ListPartitions IsShareSd=true unsupported" "400 InvalidInput" \
  "$(sj .Code dlf_acs3 POST $PA/list "" ListPartitions "{$B,\"IsShareSd\":true}")"
check_eq "dlf: ListPartitionsByFilter" "3 2024-01-03" \
  "$(dlf_acs3 POST $PA/listbyfilter "" ListPartitionsByFilter "{$B,\"Filter\":\"region = 'eu'\"}" | jq -r '"\(.Partitions | length) \(.Partitions[-1].Values[0])"')"
check_eq "dlf: ListPartitionsByFilter with a bad filter" "400 InvalidInput" \
  "$(sj .Code dlf_acs3 POST $PA/listbyfilter "" ListPartitionsByFilter "{$B,\"Filter\":\"nokey = 'x'\"}")"
check_eq "dlf: GetPartition" "200 oss://b/events/dt=2024-01-02/region=us/" \
  "$(sj .Partition.Sd.Location dlf_acs3 POST $PA/get "" GetPartition "{$B,\"PartitionValues\":[\"2024-01-02\",\"us\"]}")"
check_eq "dlf: GetPartition missing" "404 NoSuchObject" \
  "$(sj .Code dlf_acs3 POST $PA/get "" GetPartition "{$B,\"PartitionValues\":[\"1999-01-01\",\"us\"]}")"
ct=$(dlf_acs3 POST $PA/get "" GetPartition "{$B,\"PartitionValues\":[\"2024-01-01\",\"us\"]}" | jq .Partition.CreateTime)
out=$(dlf_acs3 PUT $PA/batchupdate "" BatchUpdatePartitions "{$B,\"PartitionInputs\":[$(pin 2024-01-01 us 2),$(pin 2030-01-01 us 2)]}")
check_eq "dlf: BatchUpdatePartitions with a missing item" "200 1 NoSuchObject 2030-01-01" \
  "$(status) $(jq -r '"\(.PartitionErrors | length) \(.PartitionErrors[0].ErrorDetail.Code) \(.PartitionErrors[0].PartitionValues[0])"' <<<"$out")"
check_eq "dlf: updated partition, CreateTime kept" "2 $ct" \
  "$(dlf_acs3 POST $PA/get "" GetPartition "{$B,\"PartitionValues\":[\"2024-01-01\",\"us\"]}" | jq -r '"\(.Partition.Parameters.n) \(.Partition.CreateTime)"')"
admin POST stats/reset >/dev/null
admin POST faults '{"side":"dlf","action":"BatchCreatePartitions","kind":"item_error","match":"2024-02-02/","code":"InvalidObject","message":"injected boom","count":-1}' >/dev/null
check_eq "fault: item_error rule accepted" 200 "$(status)"
out=$(dlf_acs3 POST $PA/batchcreate "" BatchCreatePartitions "{$B,\"PartitionInputs\":[$(pin 2024-02-01 eu 1),$(pin 2024-02-02 eu 1),$(pin 2024-02-03 eu 1)]}")
check_eq "fault: item_error fails the matching item only" "1 InvalidObject injected boom 2024-02-02" \
  "$(jq -r '"\(.PartitionErrors | length) \(.PartitionErrors[0].ErrorDetail.Code) \(.PartitionErrors[0].ErrorDetail.Message) \(.PartitionErrors[0].PartitionValues[0])"' <<<"$out")"
check_eq "fault: the rest of the batch was written" "200 404" \
  "$(dlf_acs3 POST $PA/get "" GetPartition "{$B,\"PartitionValues\":[\"2024-02-03\",\"eu\"]}" >/dev/null; status) $(dlf_acs3 POST $PA/get "" GetPartition "{$B,\"PartitionValues\":[\"2024-02-02\",\"eu\"]}" >/dev/null; status)"
admin POST faults '{"side":"dlf","action":"GetTable","kind":"item_error","match":"x"}' >/dev/null
check_eq "fault: item_error only for batch partition actions" 400 "$(status)"
admin DELETE faults >/dev/null
out=$(dlf_acs3 POST $PA/batchdelete "" BatchDeletePartitions "{$B,\"IfExists\":false,\"PartitionValueList\":[{\"Values\":[\"2024-02-01\",\"eu\"]},{\"Values\":[\"1999-01-01\",\"eu\"]}]}")
check_eq "dlf: BatchDeletePartitions with a missing item" "200 1 UnknownPartition" \
  "$(status) $(jq -r '"\(.PartitionErrors | length) \(.PartitionErrors[0].ErrorDetail.Code)"' <<<"$out")"
check_eq "dlf: BatchDeletePartitions IfExists" "0" \
  "$(dlf_acs3 POST $PA/batchdelete "" BatchDeletePartitions "{$B,\"IfExists\":true,\"PartitionValueList\":[{\"Values\":[\"1999-01-01\",\"eu\"]}]}" | jq '.PartitionErrors | length')"
check_eq "dlf: BatchDeletePartitions on a missing table" "404 UnknownTable" \
  "$(sj .Code dlf_acs3 POST $PA/batchdelete "" BatchDeletePartitions '{"DatabaseName":"ods","TableName":"nope","PartitionValueList":[]}')"
check_eq "stats: dlf.partition_items" "3 1 3" \
  "$(admin GET stats | jq -r '"\(.dlf.partition_items) \(.dlf.BatchCreatePartitions) \(.dlf.BatchDeletePartitions)"')"
# Batch bodies are read from their bytes when they are compact and plain (dlfw.c), else by
# jansson: a partition stored either way reads back the same bytes.
fastpi="{\"Values\":[\"2024-03-01\",\"eu\"],\"Sd\":{\"Cols\":[{\"Name\":\"c\",\"Type\":\"int\"}],\"Location\":\"oss://b/x/\",\"N\":-1},\"Parameters\":{\"q\":\"a\\\"b/c é\"}}"
slowpi=" { \"Values\" : [ \"2024-03-02\", \"eu\" ], \"Sd\": {\"Cols\": [ {\"Name\": \"c\", \"Type\": \"int\"} ], \"Location\": \"oss:\\/\\/b\\/x\\/\", \"N\": -1}, \"Parameters\": {\"q\": \"a\\\"b\\/c \\u00e9\"} } "
out=$(dlf_acs3 POST $PA/batchcreate "" BatchCreatePartitions "{$B,\"PartitionInputs\":[$fastpi]}")
res="$(status) $(jq -r '.PartitionErrors | length' <<<"$out")"
out=$(dlf_acs3 POST $PA/batchcreate "" BatchCreatePartitions "{$B,\"PartitionInputs\":[$slowpi]}")
check_eq "dlf: batch bodies from bytes and through jansson" "200 0 200 0" \
  "$res $(status) $(jq -r '.PartitionErrors | length' <<<"$out")"
rawpart() {
  dlf_acs3 POST $PA/list "" ListPartitions "{$B,\"PartialPartValues\":[\"$1\"]}" |
    sed -e 's/.*"Partitions":\[//' -e 's/\],"PartitionSpecs".*//' -e "s/$1/DAY/g" -e 's/"CreateTime":[0-9]*/"CreateTime":T/'
}
one=$(rawpart 2024-03-01)
check_eq "dlf: the same stored bytes either way" "true $one" "$([ -n "$one" ] && echo true) $(rawpart 2024-03-02)"
check_eq "dlf: stored compactly, escapes as jansson writes them" 1 \
  "$(rawpart 2024-03-02 | grep -c '^{"Values":\["DAY","eu"\],"Sd":{"Cols":\[{"Name":"c","Type":"int"}\],"Location":"oss://b/x/","N":-1},"Parameters":{"q":"a\\"b/c é"},"CreateTime":T}$')"
check_eq "dlf: a batch body that is not JSON" "400 InvalidInput" \
  "$(sj .Code dlf_acs3 POST $PA/batchcreate "" BatchCreatePartitions "{$B,\"PartitionInputs\":[$fastpi,]}")"
march() {
  dlf_acs3 POST $PA/listbyfilter "" ListPartitionsByFilter "{$B,\"Filter\":\"dt >= '2024-03-01'\"}" |
    jq -r '"\(.Success) \(.Partitions | length)"'
}
check_eq "dlf: both listed" "true 2" "$(march)"
dlf_acs3 POST $PA/batchdelete "" BatchDeletePartitions "{$B,\"PartitionValueList\":[{\"Values\":[\"2024-03-01\",\"eu\"]},{\"Values\":[\"2024-03-02\",\"eu\"]}]}" >/dev/null
check_eq "dlf: both deleted" "200 true 0" "$(status) $(march)"

# table batches, names, renames; partition names, batch get, rename
KP='"PartitionKeys":[{"Name":"dt","Type":"string"},{"Name":"region","Type":"string"}]'
out=$(dlf_acs3 POST $TB/batchcreate "" BatchCreateTables "{\"DatabaseName\":\"ods\",\"TableInputs\":[{\"TableName\":\"B1\",$KP},{\"TableName\":\"b2\"},{\"TableName\":\"dim\"},{\"TableName\":\"\"}]}")
check_eq "dlf: BatchCreateTables: per-item AlreadyExists and InvalidObject" "200 true dim:AlreadyExists,:InvalidObject" \
  "$(status) $(jq -r '"\(.Success) \([.TableErrors[] | "\(.TableName):\(.ErrorDetail.Code)"] | join(","))"' <<<"$out")"
check_eq "dlf: BatchCreateTables IfNotExists" "0" \
  "$(dlf_acs3 POST $TB/batchcreate "" BatchCreateTables '{"DatabaseName":"ods","IfNotExists":true,"TableInputs":[{"TableName":"dim"}]}' | jq '.TableErrors | length')"
check_eq "dlf: BatchCreateTables in a missing database" "404 NoSuchObject" \
  "$(sj .Code dlf_acs3 POST $TB/batchcreate "" BatchCreateTables '{"DatabaseName":"nodb","TableInputs":[]}')"
check_eq "dlf: GetTable fills in DatabaseName and the lower-cased TableName" "b1 ods" \
  "$(dlf_acs3 GET $TB "DatabaseName=ODS&TableName=B1" GetTable | jq -r '.Table | "\(.TableName) \(.DatabaseName)"')"
check_eq "dlf: ListTableNames pages" "b1 b2 | dim events | zeta |" \
  "$(p=$(dlf_acs3 GET $TB/names "DatabaseName=ods&PageSize=2" ListTableNames); q=$(dlf_acs3 GET $TB/names "DatabaseName=ods&NextPageToken=$(jq -r .NextPageToken <<<"$p")&PageSize=2" ListTableNames); r=$(dlf_acs3 GET $TB/names "DatabaseName=ods&NextPageToken=$(jq -r .NextPageToken <<<"$q")&PageSize=2" ListTableNames); echo "$(jq -r '.TableNames | join(" ")' <<<"$p") | $(jq -r '.TableNames | join(" ")' <<<"$q") | $(jq -r '.TableNames | join(" ")' <<<"$r") |$(jq -r .NextPageToken <<<"$r")")"
check_eq "dlf: BatchGetTables: found in order, missing ones NoSuchObject" "200 b2,b1 nope:NoSuchObject ods" \
  "$(sj '"\([.Tables[].TableName] | join(",")) \([.TableErrors[] | "\(.TableName):\(.ErrorDetail.Code)"] | join(",")) \(.Tables[0].DatabaseName)"' dlf_acs3 POST $TB/batchget "" BatchGetTables '{"DatabaseName":"ods","TableNames":["b2","nope","B1"]}')"
check_eq "dlf: BatchUpdateTables: a missing table is InvalidOperation" "200 nope:InvalidOperation x" \
  "$(sj '"\([.TableErrors[] | "\(.TableName):\(.ErrorDetail.Code)"] | join(","))"' dlf_acs3 POST $TB/batchupdate "" BatchUpdateTables '{"DatabaseName":"ods","TableInputs":[{"TableName":"b2","Owner":"x"},{"TableName":"nope"}]}') $(dlf_acs3 GET $TB "DatabaseName=ods&TableName=b2" GetTable | jq -r .Table.Owner)"
admin POST faults '{"side":"dlf","action":"BatchDeleteTables","kind":"item_error","match":"b2","code":"InvalidObject","message":"chosen"}' >/dev/null
check_eq "dlf: item_error on a chosen table name" "200 b2:InvalidObject:chosen 200" \
  "$(sj '[.TableErrors[] | "\(.TableName):\(.ErrorDetail.Code):\(.ErrorDetail.Message)"] | join(",")' dlf_acs3 POST $TB/batchdelete "" BatchDeleteTables '{"DatabaseName":"ods","TableNames":["b2"]}') $(dlf_acs3 GET $TB "DatabaseName=ods&TableName=b2" GetTable >/dev/null; status)"
check_eq "dlf: BatchDeleteTables: missing NoSuchObject unless IfExists" "nope:NoSuchObject 0 404" \
  "$(dlf_acs3 POST $TB/batchdelete "" BatchDeleteTables '{"DatabaseName":"ods","TableNames":["b2","nope"]}' | jq -r '[.TableErrors[] | "\(.TableName):\(.ErrorDetail.Code)"] | join(",")') $(dlf_acs3 POST $TB/batchdelete "" BatchDeleteTables '{"DatabaseName":"ods","IfExists":true,"TableNames":["nope"]}' | jq '.TableErrors | length') $(dlf_acs3 GET $TB "DatabaseName=ods&TableName=b2" GetTable >/dev/null; status)"
RB='"DatabaseName":"ods","TableName":"b1"'
dlf_acs3 POST $PA/batchcreate "" BatchCreatePartitions "{$RB,\"PartitionInputs\":[{\"Values\":[\"2024-01-01\",\"a/b=c\"]},{\"Values\":[\"2024-01-02\",\"eu\"]}]}" >/dev/null
check_eq "dlf: ListPartitionNames (Hive-escaped)" "200 dt=2024-01-01/region=a%2Fb%3Dc,dt=2024-01-02/region=eu" \
  "$(sj '.PartitionNames | join(",")' dlf_acs3 POST $PA/names "" ListPartitionNames "{$RB}")"
check_eq "dlf: ListPartitionNames paged" "dt=2024-01-01/region=a%2Fb%3Dc 1" \
  "$(dlf_acs3 POST $PA/names "" ListPartitionNames "{$RB,\"PageSize\":1}" | jq -r '"\(.PartitionNames | join(",")) \(.NextPageToken | length > 0 | if . then 1 else 0 end)"')"
check_eq "dlf: BatchGetPartitions: found ones, missing ones NoSuchObject" "200 eu 1 NoSuchObject" \
  "$(sj '"\([.Partitions[].Values[1]] | join(",")) \(.PartitionErrors | length) \(.PartitionErrors[0].ErrorDetail.Code)"' dlf_acs3 POST $PA/batchget "" BatchGetPartitions "{$RB,\"PartitionValueList\":[{\"Values\":[\"2024-01-02\",\"eu\"]},{\"Values\":[\"1999-01-01\",\"x\"]}]}")"
ct=$(dlf_acs3 POST $PA/get "" GetPartition "{$RB,\"PartitionValues\":[\"2024-01-02\",\"eu\"]}" | jq .Partition.CreateTime)
dlf_acs3 POST $PA/rename "" RenamePartition "{$RB,\"PartitionValues\":[\"2024-01-02\",\"eu\"],\"PartitionInput\":{\"Values\":[\"2024-01-03\",\"eu\"]}}" >/dev/null
check_eq "dlf: RenamePartition keeps CreateTime" "200 $ct 404" \
  "$(status) $(dlf_acs3 POST $PA/get "" GetPartition "{$RB,\"PartitionValues\":[\"2024-01-03\",\"eu\"]}" | jq .Partition.CreateTime) $(dlf_acs3 POST $PA/get "" GetPartition "{$RB,\"PartitionValues\":[\"2024-01-02\",\"eu\"]}" >/dev/null; status)"
check_eq "dlf: RenamePartition onto an existing one" "409 AlreadyExists" \
  "$(sj .Code dlf_acs3 POST $PA/rename "" RenamePartition "{$RB,\"PartitionValues\":[\"2024-01-03\",\"eu\"],\"PartitionInput\":{\"Values\":[\"2024-01-01\",\"a/b=c\"]}}")"
check_eq "dlf: RenamePartition with a wrong values count" "400 InvalidObject" \
  "$(sj .Code dlf_acs3 POST $PA/rename "" RenamePartition "{$RB,\"PartitionValues\":[\"2024-01-03\",\"eu\"],\"PartitionInput\":{\"Values\":[\"x\"]}}")"
check_eq "dlf: RenamePartition of a missing partition" "404 NoSuchObject" \
  "$(sj .Code dlf_acs3 POST $PA/rename "" RenamePartition "{$RB,\"PartitionValues\":[\"1999-01-01\",\"x\"],\"PartitionInput\":{\"Values\":[\"1999-01-02\",\"x\"]}}")"
dlf_acs3 PUT $TB/rename "" RenameTable "{$RB,\"TableInput\":{\"TableName\":\"B9\",$KP}}" >/dev/null
check_eq "dlf: RenameTable takes its partitions along" "200 404 b9 2" \
  "$(status) $(dlf_acs3 GET $TB "DatabaseName=ods&TableName=b1" GetTable >/dev/null; status) $(dlf_acs3 GET $TB "DatabaseName=ods&TableName=b9" GetTable | jq -r .Table.TableName) $(dlf_acs3 POST $PA/list "" ListPartitions '{"DatabaseName":"ods","TableName":"b9"}' | jq '.Partitions | length')"
check_eq "dlf: RenameTable onto an existing table" "409 AlreadyExists" \
  "$(sj .Code dlf_acs3 PUT $TB/rename "" RenameTable '{"DatabaseName":"ods","TableName":"b9","TableInput":{"TableName":"dim"}}')"
check_eq "dlf: RenameTable of a missing table" "404 NoSuchObject" \
  "$(sj .Code dlf_acs3 PUT $TB/rename "" RenameTable '{"DatabaseName":"ods","TableName":"nope","TableInput":{"TableName":"nope2"}}')"
dlf_acs3 POST $TB/batchdelete "" BatchDeleteTables '{"DatabaseName":"ods","TableNames":["b9"]}' >/dev/null

TU="{\"DatabaseName\":\"ods\",\"TableName\":\"events\",\"TableInput\":$TI"
dlf_acs3 PUT $TB "" UpdateTable "$TU}" >/dev/null
dlf_acs3 PUT $TB "" UpdateTable "$TU,\"SkipArchive\":true}" >/dev/null
dlf_acs3 PUT $TB "" UpdateTable "$TU,\"SkipArchive\":false,\"IsAsync\":true}" >/dev/null
check_eq "dlf: UpdateTable IsAsync gives a TaskId" "200 true" "$(status) $(jq -r '.TaskId != null' "$T/body")"
check_eq "dlf: archived versions count updates without SkipArchive" 2 \
  "$(admin GET dlf/tables/ods/events | jq .ArchivedVersions)"
TK=$(jq -c '.PartitionKeys = [{"Name":"dt","Type":"string"}]' <<<"$TI")
check_eq "dlf: changing partition keys of a table with partitions" "400 InvalidOperation" \
  "$(sj .Code dlf_acs3 PUT $TB "" UpdateTable "{\"DatabaseName\":\"ods\",\"TableName\":\"events\",\"TableInput\":$TK}")"
check_eq "dlf: UpdateTable of a missing table" "400 InvalidOperation" \
  "$(sj .Code dlf_acs3 PUT $TB "" UpdateTable "{\"DatabaseName\":\"ods\",\"TableName\":\"nope\",\"TableInput\":{\"TableName\":\"nope\"}}")"

dlf_acs3 POST $FN "" CreateFunction '{"DatabaseName":"ods","FunctionInput":{"FunctionName":"f1","ClassName":"a.F1","FunctionType":"JAVA","ResourceUri":[{"ResourceType":"JAR","Uri":"oss://b/f.jar"}]}}' >/dev/null
check_eq "dlf: CreateFunction" 200 "$(status)"
for f in f2 f3; do dlf_acs3 POST $FN "" CreateFunction "{\"DatabaseName\":\"ods\",\"FunctionInput\":{\"FunctionName\":\"$f\",\"ClassName\":\"a.B\"}}" >/dev/null; done
check_eq "dlf: CreateFunction again" "409 AlreadyExists" \
  "$(sj .Code dlf_acs3 POST $FN "" CreateFunction '{"DatabaseName":"ods","FunctionInput":{"FunctionName":"f1"}}')"
check_eq "dlf: GetFunction keeps fields plus CreateTime" "FunctionName,ClassName,FunctionType,ResourceUri,CreateTime" \
  "$(dlf_acs3 GET $FN "DatabaseName=ods&FunctionName=f1" GetFunction | jq -r '.Function | keys_unsorted | join(",")')"
p1=$(dlf_acs3 GET $FN/list "DatabaseName=ods&FunctionNamePattern=.%2A&PageSize=2" ListFunctions)
p2=$(dlf_acs3 GET $FN/list "DatabaseName=ods&FunctionNamePattern=.%2A&NextPageToken=$(jq -r .NextPageToken <<<"$p1")&PageSize=2" ListFunctions)
check_eq "dlf: ListFunctions pages" "f1 f2 | f3 |" \
  "$(jq -r '[.Functions[].FunctionName] | join(" ")' <<<"$p1") | $(jq -r '[.Functions[].FunctionName] | join(" ")' <<<"$p2") |$(jq -r .NextPageToken <<<"$p2")"
dlf_acs3 PUT $FN "" UpdateFunction '{"DatabaseName":"ods","FunctionName":"f2","FunctionInput":{"FunctionName":"f2","ClassName":"a.C"}}' >/dev/null
check_eq "dlf: UpdateFunction" "200 a.C" "$(status) $(dlf_acs3 GET $FN "DatabaseName=ods&FunctionName=f2" GetFunction | jq -r .Function.ClassName)"
check_eq "dlf: UpdateFunction of a missing function" "404 NoSuchObject" \
  "$(sj .Code dlf_acs3 PUT $FN "" UpdateFunction '{"DatabaseName":"ods","FunctionName":"nope","FunctionInput":{"FunctionName":"nope"}}')"
dlf_acs3 DELETE $FN "DatabaseName=ods&FunctionName=f3" DeleteFunction >/dev/null
check_eq "dlf: DeleteFunction" "200 404" "$(status) $(dlf_acs3 GET $FN "DatabaseName=ods&FunctionName=f3" GetFunction >/dev/null; status)"
check_eq "dlf: DeleteDatabase refuses a non-empty database" "400 InvalidOperation" \
  "$(sj .Code dlf_acs3 DELETE $DB "Cascade=false&Name=ods" DeleteDatabase)"
dlf_acs3 DELETE $TB "DatabaseName=ods&TableName=events" DeleteTable >/dev/null
check_eq "dlf: DeleteTable" "200 404" "$(status) $(dlf_acs3 GET $TB "DatabaseName=ods&TableName=events" GetTable >/dev/null; status)"
check_eq "dlf: DeleteTable of a missing table" "404 NoSuchObject" \
  "$(sj .Code dlf_acs3 DELETE $TB "DatabaseName=ods&TableName=events" DeleteTable)"
dlf_acs3 POST $TB "" CreateTable "{\"DatabaseName\":\"ods\",\"TableInput\":$TI}" >/dev/null
check_eq "dlf: DeleteTable took its partitions along" 0 \
  "$(dlf_acs3 POST $PA/list "" ListPartitions "{$B}" | jq '.Partitions | length')"
dlf_acs3 DELETE $DB "Cascade=true&Name=ods" DeleteDatabase >/dev/null
check_eq "dlf: DeleteDatabase Cascade" 200 "$(status)"

# ---- admin API for tables, partitions, functions ----
admin PUT glue/tables/db_0001/adm '{"PartitionKeys":[{"Name":"p","Type":"string"}],"CreateTime":1500000000}' >/dev/null
check_eq "admin: PUT Glue table" "200 adm 1500000000" \
  "$(status) $(admin GET glue/tables/db_0001/adm | jq -r '"\(.Name) \(.CreateTime)"')"
admin POST glue/partitions/db_0001/adm '{"Partitions":[{"Values":["a"]},{"Values":["b"]},{"Values":["c"]}]}' >/dev/null
admin POST glue/partitions/db_0001/adm/delete '{"Values":[["b"]]}' >/dev/null
check_eq "admin: Glue partitions add, delete, list" "a c" \
  "$(admin GET glue/partitions/db_0001/adm | jq -r '[.Partitions[].Values[0]] | join(" ")')"
check_eq "admin: Glue table list" 9 "$(admin GET glue/tables/db_0001 | jq '.Tables | length')"
admin PUT glue/functions/db_0001/afn '{"ClassName":"x.Y"}' >/dev/null
check_eq "admin: Glue function" "afn x.Y" "$(admin GET glue/functions/db_0001/afn | jq -r '"\(.FunctionName) \(.ClassName)"')"
admin PUT dlf/databases/adb '{}' >/dev/null
admin PUT dlf/tables/adb/at '{"PartitionKeys":[{"Name":"p","Type":"string"}]}' >/dev/null
admin POST dlf/partitions/adb/at '{"Partitions":[{"Values":["x"],"Parameters":{"a":"1"}}]}' >/dev/null
check_eq "admin: DLF table and partition seeded" "at 0 x" \
  "$(admin GET dlf/tables/adb/at | jq -r '"\(.TableName) \(.ArchivedVersions)"') $(admin GET dlf/partitions/adb/at | jq -r '.Partitions[0].Values[0]')"
admin DELETE dlf/tables/adb/at >/dev/null
check_eq "admin: DLF table deleted" 404 "$(admin GET dlf/tables/adb/at >/dev/null; status)"

kill -TERM "$TP_PID"; wait "$TP_PID"; rc=$?
check_eq "SIGTERM after the table tests: exit 0" 0 "$rc"
PIDS=()

# ---- limits: --dlf-page-max, --glue-max-partitions ----
start limits --seed 3 --databases 12 --tables-per-db 1 --partitions-per-table 2 --dlf-from-glue \
  --dlf-page-max 5 --glue-max-partitions 2
check_eq "--dlf-page-max: a PageSize above it is refused naming the limit" \
  "400 InvalidInput PageSize must be between 1 and 5." \
  "$(sj '"\(.Code) \(.Message)"' dlf_acs3 GET $DB/list "PageSize=6" ListDatabases)"
check_eq "--dlf-page-max: partitions too" "400 InvalidInput" \
  "$(sj .Code dlf_acs3 POST $PA/list "" ListPartitions '{"DatabaseName":"db_0000","TableName":"tbl_0000","PageSize":6}')"
check_eq "--dlf-page-max: the limit itself is served" "200 5" \
  "$(sj '.Databases | length' dlf_acs3 GET $DB/list "PageSize=5" ListDatabases)"
check_eq "--dlf-page-max: no PageSize gives a page of the limit" "200 5" \
  "$(sj '.Databases | length' dlf_acs3 GET $DB/list "" ListDatabases)"
check_eq "--glue-max-partitions: CreatePartition over the quota" "400 ResourceNumberLimitExceededException" \
  "$(sj .__type glue CreatePartition '{"DatabaseName":"db_0000","TableName":"tbl_0000","PartitionInput":{"Values":["2030-01-01","x"]}}')"
glue DeletePartition '{"DatabaseName":"db_0000","TableName":"tbl_0000","PartitionValues":["2020-01-01","cn-hangzhou"]}' >/dev/null
check_eq "--glue-max-partitions: below the quota again" "200 200" \
  "$(status) $(glue CreatePartition '{"DatabaseName":"db_0000","TableName":"tbl_0000","PartitionInput":{"Values":["2030-01-01","x"]}}' >/dev/null; status)"

start errors200 --seed 3 --databases 2 --dlf-errors-200
check_eq "--dlf-errors-200: a service error is HTTP 200 with Success:false" \
  "200 false NoSuchObject 404" \
  "$(sj '"\(.Success) \(.Code) \(.HttpStatusCode)"' dlf_acs3 GET $DB "Name=nope" GetDatabase)"
check_eq "--dlf-errors-200: a gateway error keeps its status" "400 InvalidVersion" \
  "$(curl -sS -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$DLF_PORT$DB/list" -H 'x-acs-version: 2019-01-01' -H 'x-acs-action: ListDatabases') $(jq -r .Code "$T/body")"
check_eq "--dlf-errors-200: success unchanged" "200 true" \
  "$(sj .Success dlf_acs3 GET $DB/list "" ListDatabases)"

# ---- DLF pre-populated with everything ----
start full --seed 5 --databases 2 --tables-per-db 7 --partitions-per-table 60 --functions-per-db 2 \
  --partition-keys 3 --dlf-from-glue
check_eq "--dlf-from-glue: tables" "$(admin GET glue/tables/db_0001 | jq -c '[.Tables[].Name]')" \
  "$(admin GET dlf/tables/db_0001 | jq -c '[.Tables[].TableName]')"
check_eq "--dlf-from-glue: partitions" "$(admin GET glue/partitions/db_0001/tbl_0002 | jq -c '[.Partitions[].Values]')" \
  "$(admin GET dlf/partitions/db_0001/tbl_0002 | jq -c '[.Partitions[].Values]')"
check_eq "--dlf-from-glue: DLF shape" "12 [\"a\",\"bc\"] 3 fn_000 JAR" \
  "$(admin GET dlf/tables/db_0000/tbl_0006 | jq -c '.Sd.Cols | length') $(admin GET dlf/tables/db_0000/tbl_0006 | jq -c '.Sd.SkewedInfo.SkewedColValues[0]') $(admin GET dlf/tables/db_0000/tbl_0000 | jq -c '.PartitionKeys | length') $(admin GET dlf/functions/db_0000 | jq -r '.Functions[0] | "\(.FunctionName) \(.ResourceUri[0].ResourceType)"')"

echo "$NPASS passed, $NFAIL failed"
[ "$NFAIL" -eq 0 ]
