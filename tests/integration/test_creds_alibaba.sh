#!/usr/bin/env bash
# The Alibaba Cloud credential chain end to end, as Alibaba's credentials libraries order
# it: each link alone, their precedence in --check-config, and syncs with DLF credentials
# from the ECS RAM role (instance metadata with its token), RRSA/OIDC, a RamRoleArn profile
# of ~/.aliyun/config.json (STS AssumeRole, ACS3-signed), the credentials URI and the ini
# file, all served by the simulator's DLF port (tests/sim/creds.c). Its temporary
# credentials live 4 s; DLF refuses them once expired, and a running daemon must refresh
# them without one refused request.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 11 --databases 8 --cred-lifetime 4 --web-identity-token oidc-789 || exit 1

# Glue keeps its static keys; DLF has none: the Alibaba chain decides.
write_config "$T/base.yaml"
grep -v -e "access_key_id: $DLF_AK" -e "access_key_secret:" "$T/base.yaml" >"$T/g2d.yaml"
chmod 0600 "$T/g2d.yaml"
mkdir -p "$T/home/.aliyun" "$T/home/.alibabacloud"
export HOME="$T/home"
unset ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET ALIBABA_CLOUD_SECURITY_TOKEN \
  ALIBABA_CLOUD_ROLE_ARN ALIBABA_CLOUD_OIDC_PROVIDER_ARN ALIBABA_CLOUD_OIDC_TOKEN_FILE \
  ALIBABA_CLOUD_PROFILE ALIBABA_CLOUD_CREDENTIALS_FILE ALIBABA_CLOUD_CREDENTIALS_URI \
  ALIBABA_CLOUD_ECS_METADATA G2D_ALIBABA_ECS_METADATA_ENDPOINT
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true G2D_ALIBABA_STS_ENDPOINT="$SIM_DLF"
creds() { curl -fsS "$SIM_GLUE/_sim/creds" | jq -r ".$1"; }
once() { g2dd --config "$T/g2d.yaml" --once >"$T/$1.log" 2>&1; }
source_of() {
  g2dd --config "$T/g2d.yaml" --check-config 2>&1 | sed -n 's/^dlf (Alibaba Cloud) credentials: //p'
}

# 1. Nothing: --check-config fails and says what it looked at.
g2dd --config "$T/g2d.yaml" --check-config >"$T/none.log" 2>&1
check_eq "none: --check-config exits 2" 2 $?
check "none: it says no Alibaba Cloud credentials" grep -q "no Alibaba Cloud credentials" "$T/none.log"

# 2. Each link alone, and the order between them.
printf '[default]\ntype = access_key\naccess_key_id = %s\naccess_key_secret = %s\n' \
  "$DLF_AK" "$DLF_SK" >"$T/home/.alibabacloud/credentials"
check_eq "ini: the default section of ~/.alibabacloud/credentials" \
  "profile 'default' of $T/home/.alibabacloud/credentials" "$(source_of)"
cat >"$T/home/.aliyun/config.json" <<JSON
{"current": "role", "profiles": [
  {"name": "ak", "mode": "AK", "access_key_id": "$DLF_AK", "access_key_secret": "$DLF_SK"},
  {"name": "role", "mode": "RamRoleArn", "access_key_id": "$DLF_AK",
   "access_key_secret": "$DLF_SK", "ram_role_arn": "acs:ram::1:role/sync",
   "ram_session_name": "g2d"}]}
JSON
check_eq "precedence: the CLI's current profile comes before the ini file" \
  "profile 'role' (mode RamRoleArn) of ~/.aliyun/config.json: STS AssumeRole acs:ram::1:role/sync at $SIM_DLF, signed with its access key" \
  "$(source_of)"
printf 'oidc-789' >"$T/oidc"
got=$(ALIBABA_CLOUD_ROLE_ARN=acs:ram::1:role/o ALIBABA_CLOUD_OIDC_PROVIDER_ARN=acs:ram::1:oidc-provider/p \
  ALIBABA_CLOUD_OIDC_TOKEN_FILE="$T/oidc" source_of)
check_eq "precedence: RRSA/OIDC comes before the CLI profile" \
  "RRSA/OIDC (environment): STS AssumeRoleWithOIDC for acs:ram::1:role/o at $SIM_DLF" "$got"
got=$(ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIENV ALIBABA_CLOUD_ACCESS_KEY_SECRET=x \
  ALIBABA_CLOUD_ROLE_ARN=acs:ram::1:role/o ALIBABA_CLOUD_OIDC_PROVIDER_ARN=p \
  ALIBABA_CLOUD_OIDC_TOKEN_FILE="$T/oidc" source_of)
check_eq "precedence: the environment's keys come first" \
  "environment (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET)" "$got"
got=$(ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true source_of)
check_eq "cli: ALIBABA_CLOUD_CLI_PROFILE_DISABLED skips config.json" \
  "profile 'default' of $T/home/.alibabacloud/credentials" "$got"

# 3. A RamRoleArn profile: STS AssumeRole signed (ACS3) with the profile's key.
sim_put glue/databases/from_ram_role '{"Name":"from_ram_role"}'
once ramrole
check_eq "ram role: --once syncs" 0 $?
check_eq "ram role: DLF holds every Glue database" "$(glue_names)" "$(dlf_names)"
check "ram role: temporary credentials were issued" test "$(creds issued)" -ge 1

# 4. RRSA/OIDC.
sim_put glue/databases/from_oidc '{"Name":"from_oidc"}'
ALIBABA_CLOUD_ROLE_ARN=acs:ram::1:role/o ALIBABA_CLOUD_OIDC_PROVIDER_ARN=acs:ram::1:oidc-provider/p \
  ALIBABA_CLOUD_OIDC_TOKEN_FILE="$T/oidc" once oidc
check_eq "oidc: --once syncs" 0 $?
check_eq "oidc: the new database reached DLF" "$(glue_names)" "$(dlf_names)"
printf 'wrong' >"$T/oidc_bad"
ALIBABA_CLOUD_ROLE_ARN=acs:ram::1:role/o ALIBABA_CLOUD_OIDC_PROVIDER_ARN=p \
  ALIBABA_CLOUD_OIDC_TOKEN_FILE="$T/oidc_bad" once oidc_bad
check "oidc: a refused token fails the run" test $? -ne 0
check "oidc: and gives STS's code" grep -q "AuthenticationFail.OIDCToken.Invalid" "$T/oidc_bad.log"

# 5. The credentials URI, and the ini file's keys.
rm "$T/home/.aliyun/config.json"
mv "$T/home/.alibabacloud/credentials" "$T/ini.saved"
sim_put glue/databases/from_uri '{"Name":"from_uri"}'
ALIBABA_CLOUD_CREDENTIALS_URI="$SIM_DLF/_creds/container" once uri
check_eq "uri: --once syncs" 0 $?
check_eq "uri: the new database reached DLF" "$(glue_names)" "$(dlf_names)"
mv "$T/ini.saved" "$T/home/.alibabacloud/credentials"
sim_put glue/databases/from_ini '{"Name":"from_ini"}'
once ini
check_eq "ini: --once syncs with the file's keys" 0 $?
check_eq "ini: the new database reached DLF" "$(glue_names)" "$(dlf_names)"
rm "$T/home/.alibabacloud/credentials"

# 6. The ECS RAM role (the hardened mode's token), refreshed mid-run by a running daemon.
unset ALIBABA_CLOUD_ECS_METADATA_DISABLED
export G2D_ALIBABA_ECS_METADATA_ENDPOINT="$SIM_DLF"
check_eq "ecs: alone" "instance metadata: ECS RAM role from instance metadata at $SIM_DLF" \
  "$(source_of)"
before=$(creds issued)
start_daemon run "$T/g2d.yaml" || exit 1
fails=0
for i in $(seq 10); do
  sim_put glue/databases/ecs_$i "{\"Name\":\"ecs_$i\"}"
  ctl --json sync --wait >"$T/sync.json" || fails=$((fails + 1))
  [ "$(jq -r '.status' "$T/sync.json")" = 0 ] && [ "$(jq -r '.failed' "$T/sync.json")" = 0 ] \
    || fails=$((fails + 1))
  sleep 0.8
done
check_eq "ecs: ten cycles over ~10 s, none failed" 0 "$fails"
check_eq "ecs: DLF matches Glue" "$(glue_names)" "$(dlf_names)"
check "ecs: the credentials were refreshed several times" test $(($(creds issued) - before)) -ge 3
check_eq "ecs: no DLF request was signed with an expired token" 0 "$(creds expired_refused)"
check "ecs: status names the source" bash -c \
  "'$BUILD/glue2dlfctl' --socket '$T/control.sock' status | grep -q 'dlf credentials.*ECS RAM role'"
stop_daemon
check_eq "ecs: SIGTERM exits 0" 0 $?

finish
