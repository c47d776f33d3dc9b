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

echo "$NPASS passed, $NFAIL failed"
[ "$NFAIL" -eq 0 ]
