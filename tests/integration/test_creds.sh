#!/usr/bin/env bash
# The AWS credential chain end to end: each link alone, their precedence in --check-config,
# syncs with credentials from instance metadata (IMDSv2), the container endpoint, web
# identity, AssumeRole and credential_process, all served by the simulator (tests/sim/
# creds.c), whose temporary credentials live 4 s and are refused once expired; the daemon
# must refresh them mid-run without one refused request, and recover from a refresh outage.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 7 --databases 12 --cred-lifetime 4 --container-token ctok-123 \
  --web-identity-token wit-456 || exit 1

# A config with DLF keys but nothing for Glue: the chain decides.
write_config "$T/base.yaml"
grep -v -e "access_key_id: $GLUE_AK" -e "secret_access_key:" "$T/base.yaml" >"$T/g2d.yaml"
chmod 0600 "$T/g2d.yaml"
mkdir -p "$T/home"
export HOME="$T/home" AWS_CONFIG_FILE="$T/aws-config" AWS_SHARED_CREDENTIALS_FILE="$T/aws-creds"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION \
  AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_CONTAINER_CREDENTIALS_FULL_URI \
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_AUTHORIZATION_TOKEN \
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE AWS_EC2_METADATA_SERVICE_ENDPOINT AWS_ENDPOINT_URL_STS
export AWS_EC2_METADATA_DISABLED=true
creds() { curl -fsS "$SIM_GLUE/_sim/creds" | jq -r ".$1"; }
once() { g2dd --config "$T/g2d.yaml" --once >"$T/$1.log" 2>&1; }
source_of() { g2dd --config "$T/g2d.yaml" --check-config 2>&1 | sed -n 's/^glue (AWS) credentials: //p'; }

# 1. No source at all: --check-config and the daemon refuse to go on.
g2dd --config "$T/g2d.yaml" --check-config >"$T/none.log" 2>&1
check_eq "none: --check-config exits 2" 2 $?
once none_run
check_eq "none: the daemon does not start (exit 2)" 2 $?
check "none: and says why" grep -q "no AWS credentials" "$T/none_run.log"
check "none: --check-config says no AWS credentials were found" grep -q "no AWS credentials" "$T/none.log"
check "none: and names the profile files it read" grep -q "$T/aws-creds" "$T/none.log"

# 2. Each link alone, then in order of precedence.
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$GLUE_AK" "$GLUE_SK" \
  >"$T/aws-creds"
check_eq "profile: default profile of the credentials file" \
  "profile 'default' in $T/aws-creds" "$(source_of)"
export AWS_CONTAINER_CREDENTIALS_FULL_URI="$SIM_GLUE/_creds/container"
check_eq "precedence: a profile comes before the container endpoint" \
  "profile 'default' in $T/aws-creds" "$(source_of)"
got=$(AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=env-secret source_of)
check_eq "precedence: the environment comes before a profile" \
  "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)" "$got"
: >"$T/aws-creds"
check_eq "container: alone" "container endpoint $SIM_GLUE/_creds/container" "$(source_of)"
unset AWS_CONTAINER_CREDENTIALS_FULL_URI
unset AWS_EC2_METADATA_DISABLED
export AWS_EC2_METADATA_SERVICE_ENDPOINT="$SIM_GLUE"
check_eq "imds: alone" "EC2 instance metadata (IMDSv2) at $SIM_GLUE" "$(source_of)"
got=$(AWS_CONTAINER_CREDENTIALS_FULL_URI="$SIM_GLUE/_creds/container" source_of)
check_eq "precedence: the container endpoint comes before instance metadata" \
  "container endpoint $SIM_GLUE/_creds/container" "$got"
AWS_CONTAINER_CREDENTIALS_FULL_URI="http://192.0.2.1/creds" \
  g2dd --config "$T/g2d.yaml" --check-config >"$T/fulluri.log" 2>&1
check_eq "container: a plain-http full URI off loopback is refused" 2 $?

# 3. A sync with instance metadata (token, role, credentials).
once imds
check_eq "imds: --once syncs" 0 $?
check_eq "imds: DLF holds every Glue database" "$(glue_names)" "$(dlf_names)"
check "imds: credentials were issued" test "$(creds issued)" -ge 1
g2dd --config "$T/g2d.yaml" --check-credentials >"$T/online.log" 2>&1
check_eq "imds: --check-credentials fetches and exits 0" 0 $?
check "imds: and names the access key and the expiry" \
  grep -Eq "^glue \(AWS\) credentials: EC2 instance metadata .*: access key ASIASIM[0-9a-f]+, with a session token, expires 20" "$T/online.log"
check "imds: but no secret" bash -c "! grep -Eq '[0-9a-f]{40}' '$T/online.log'"
curl -fsS -X POST "$SIM_GLUE/_sim/creds?fail=1000" >/dev/null
g2dd --config "$T/g2d.yaml" --check-credentials >"$T/online_bad.log" 2>&1
check_eq "imds: --check-credentials exits 2 when the fetch fails" 2 $?
check "imds: and says why" grep -q "cannot fetch AWS credentials from EC2 instance metadata" "$T/online_bad.log"
curl -fsS -X POST "$SIM_GLUE/_sim/creds?fail=0" >/dev/null

export AWS_EC2_METADATA_DISABLED=true
unset AWS_EC2_METADATA_SERVICE_ENDPOINT

# 4. The container endpoint, its token from a file; a wrong token is an error.
export AWS_CONTAINER_CREDENTIALS_FULL_URI="$SIM_GLUE/_creds/container"
printf 'ctok-123\n' >"$T/ctok"
export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/ctok"
sim_put glue/databases/from_container '{"Name":"from_container"}'
once container
check_eq "container: --once syncs" 0 $?
check_eq "container: the new database reached DLF" "$(glue_names)" "$(dlf_names)"
printf 'wrong\n' >"$T/ctok"
once container_bad
check "container: a refused token fails the run" test $? -ne 0
check "container: and says HTTP 403" grep -q "HTTP 403" "$T/container_bad.log"
unset AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE

# 5. Web identity (AssumeRoleWithWebIdentity at AWS_ENDPOINT_URL_STS).
export AWS_ENDPOINT_URL_STS="$SIM_GLUE"
printf 'wit-456' >"$T/wit"
sim_put glue/databases/from_web_identity '{"Name":"from_web_identity"}'
AWS_WEB_IDENTITY_TOKEN_FILE="$T/wit" AWS_ROLE_ARN=arn:aws:iam::1:role/w once webid
check_eq "web identity: --once syncs" 0 $?
check_eq "web identity: the new database reached DLF" "$(glue_names)" "$(dlf_names)"

# 6. AssumeRole: a profile with role_arn over a source profile's keys (SigV4 for sts).
printf '[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$GLUE_AK" "$GLUE_SK" \
  >"$T/aws-creds"
printf '[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n' >"$T/aws-config"
sim_put glue/databases/from_role '{"Name":"from_role"}'
AWS_PROFILE=r once role
check_eq "assume role: --once syncs" 0 $?
check_eq "assume role: the new database reached DLF" "$(glue_names)" "$(dlf_names)"
check "assume role: --check-config names the role and its source" \
  bash -c "AWS_PROFILE=r '$BUILD/glue2dlfd' --config '$T/g2d.yaml' --check-config | grep -q \"STS AssumeRole arn:aws:iam::1:role/r at $SIM_GLUE, signed with profile 'base'\""
AWS_PROFILE=nosuch g2dd --config "$T/g2d.yaml" --check-config >"$T/nosuch.log" 2>&1
check_eq "profile: a named profile that does not exist is an error" 2 $?

# 7. credential_process (JSON Version 1).
cat >"$T/proc.sh" <<EOF
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "$GLUE_AK", "SecretAccessKey": "$GLUE_SK"}'
EOF
chmod +x "$T/proc.sh"
printf '[profile p]\ncredential_process = %s\n' "$T/proc.sh" >"$T/aws-config"
sim_put glue/databases/from_process '{"Name":"from_process"}'
AWS_PROFILE=p once process
check_eq "credential_process: --once syncs" 0 $?
check_eq "credential_process: the new database reached DLF" "$(glue_names)" "$(dlf_names)"
printf '[profile p]\ncredential_process = /bin/false\n' >"$T/aws-config"
AWS_PROFILE=p once process_bad
check "credential_process: a failing command fails the run" test $? -ne 0
check "credential_process: and says how it ended" grep -q "exited with 1" "$T/process_bad.log"

# 8. IMDSv1 (the token PUT refused): an error unless glue.imds_v1_fallback allows it.
unset AWS_EC2_METADATA_DISABLED
saved="$SIM_GLUE $SIM_DLF $SIM_PID"
start_sim v1 --seed 7 --databases 3 --imds-v1 || exit 1
write_config "$T/v1base.yaml"
grep -v -e "access_key_id: $GLUE_AK" -e "secret_access_key:" "$T/v1base.yaml" >"$T/v1.yaml"
chmod 0600 "$T/v1.yaml"
AWS_EC2_METADATA_SERVICE_ENDPOINT="$SIM_GLUE" g2dd --config "$T/v1.yaml" --once >"$T/v1_refused.log" 2>&1
check "imdsv1: without the fallback the run fails" test $? -ne 0
check "imdsv1: and names the refused token request" \
  grep -q "PUT $SIM_GLUE/latest/api/token: HTTP 403" "$T/v1_refused.log"
sed -i 's/^glue:$/glue:\n  imds_v1_fallback: true/' "$T/v1.yaml"
AWS_EC2_METADATA_SERVICE_ENDPOINT="$SIM_GLUE" g2dd --config "$T/v1.yaml" --once >"$T/v1_ok.log" 2>&1
check_eq "imdsv1: with glue.imds_v1_fallback the run syncs" 0 $?
check "imdsv1: --check-config says so" bash -c \
  "AWS_EC2_METADATA_SERVICE_ENDPOINT='$SIM_GLUE' '$BUILD/glue2dlfd' --config '$T/v1.yaml' --check-config | grep -q 'IMDSv2, IMDSv1 fallback'"
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null
read -r SIM_GLUE SIM_DLF SIM_PID <<<"$saved"

# 9. A running daemon on instance metadata, credentials living 4 s: many refreshes, no
#    request ever signed with an expired token, no failed cycle.
unset AWS_EC2_METADATA_DISABLED
export AWS_EC2_METADATA_SERVICE_ENDPOINT="$SIM_GLUE"
before=$(creds issued)
start_daemon run "$T/g2d.yaml" || exit 1
fails=0
for i in $(seq 12); do
  sim_put glue/databases/refresh_$i "{\"Name\":\"refresh_$i\"}"
  ctl --json sync --wait >"$T/sync.json" || fails=$((fails + 1))
  [ "$(jq -r '.failed' "$T/sync.json")" = 0 ] && [ "$(jq -r '.status' "$T/sync.json")" = 0 ] \
    || fails=$((fails + 1))
  sleep 0.8
done
check_eq "refresh: twelve cycles over ~12 s, none failed" 0 "$fails"
check_eq "refresh: DLF matches Glue" "$(glue_names)" "$(dlf_names)"
check "refresh: credentials were refreshed several times" test $(($(creds issued) - before)) -ge 3
check_eq "refresh: no request was signed with an expired token" 0 "$(creds expired_refused)"

# 10. The metadata service fails: once the credentials expired, a cycle fails clearly and
#    deletes nothing; when it answers again the daemon recovers by itself.
curl -fsS -X POST "$SIM_GLUE/_sim/creds?fail=1000000" >/dev/null
sleep 5
sim_del glue/databases/refresh_1
ctl --json sync --wait >"$T/outage.json"
check "outage: the cycle fails" test "$(jq -r '.status' "$T/outage.json")" != 0
check "outage: and says which credentials could not be fetched" \
  grep -q "cannot fetch AWS credentials from EC2 instance metadata" <(jq -r '.error' "$T/outage.json")
check "outage: the failure is logged as a warning" \
  grep -q "warning: Glue credentials: cannot fetch AWS credentials" "$T/run.log"
check "outage: nothing was deleted in DLF" grep -q "refresh_1" <(dlf_names | tr ' ' '\n')
check "outage: status reports the credentials failure" \
  bash -c "'$BUILD/glue2dlfctl' --socket '$T/control.sock' status | grep -qi 'credentials'"
curl -fsS -X POST "$SIM_GLUE/_sim/creds?fail=0" >/dev/null
ok=0
for _ in $(seq 40); do
  ctl --json sync --wait >"$T/recover.json" 2>/dev/null
  if [ "$(jq -r '.status' "$T/recover.json")" = 0 ]; then ok=1; break; fi
  sleep 1
done
check_eq "outage: the daemon recovers when the service answers again" 1 "$ok"
check_eq "outage: then DLF matches Glue again" "$(glue_names)" "$(dlf_names)"
for _ in $(seq 30); do grep -q "Glue credentials: fetched again" "$T/run.log" && break; sleep 0.1; done
check "outage: the recovery is logged" grep -q "Glue credentials: fetched again" "$T/run.log"
check_eq "outage: still no request signed with an expired token" 0 "$(creds expired_refused)"
stop_daemon
check_eq "refresh: SIGTERM exits 0" 0 $?
check "secrets: no issued secret or token in the daemon's log" \
  bash -c "! grep -Eq '[0-9a-f]{40}' '$T/run.log'"

finish
