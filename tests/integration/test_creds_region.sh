#!/usr/bin/env bash
# The Glue region from EC2 instance metadata, the SDKs' last source of a region: used when
# neither glue.region, AWS_REGION / AWS_DEFAULT_REGION nor the profile gives one; the
# simulator's Glue refuses a SigV4 scope of any other region, so the region really signs.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 4 --databases 2 --glue-region us-west-2 --imds-region us-west-2 || exit 1
write_config "$T/g.yaml"
sed -i '/^  region: us-east-1$/d' "$T/g.yaml"
check "the config names no Glue region" bash -c "! grep -q 'us-east-1' '$T/g.yaml'"
run() { env -u AWS_REGION -u AWS_DEFAULT_REGION AWS_CONFIG_FILE=/nonexistent "$@"; }

run AWS_EC2_METADATA_SERVICE_ENDPOINT="$SIM_GLUE" "$BUILD/glue2dlfd" --config "$T/g.yaml" --once >"$T/once.log" 2>&1
check_eq "region from instance metadata: --once exits 0" 0 $?
check "the log says where the region came from" grep -q "glue.region 'us-west-2' from EC2 instance metadata" "$T/once.log"
check_eq "the databases were copied" "$(glue_names)" "$(dlf_names)"

run AWS_EC2_METADATA_SERVICE_ENDPOINT="$SIM_GLUE" "$BUILD/glue2dlfd" --config "$T/g.yaml" --check-config >"$T/check.log" 2>&1
check_eq "--check-config does not ask instance metadata: exit 2" 2 $?
check "--check-config says the daemon would ask instance metadata" grep -q "asks instance metadata at start" "$T/check.log"

run AWS_EC2_METADATA_SERVICE_ENDPOINT="$SIM_GLUE" "$BUILD/glue2dlfd" --config "$T/g.yaml" --check-credentials >"$T/cc.log" 2>&1
check_eq "--check-credentials asks it: exit 0" 0 $?
check "--check-credentials names the region" grep -q "glue.region 'us-west-2' from EC2 instance metadata" "$T/cc.log"

run AWS_EC2_METADATA_SERVICE_ENDPOINT="$SIM_GLUE" AWS_EC2_METADATA_DISABLED=true "$BUILD/glue2dlfd" --config "$T/g.yaml" --once >"$T/off.log" 2>&1
check_eq "AWS_EC2_METADATA_DISABLED: no region, exit 2" 2 $?
check "AWS_EC2_METADATA_DISABLED: says why" grep -q "AWS_EC2_METADATA_DISABLED is set" "$T/off.log"

env AWS_REGION=us-east-1 AWS_EC2_METADATA_SERVICE_ENDPOINT="$SIM_GLUE" "$BUILD/glue2dlfd" --config "$T/g.yaml" --once >"$T/env.log" 2>&1
check_eq "AWS_REGION wins over instance metadata (and the wrong region is refused): exit 1" 1 $?
check "AWS_REGION: instance metadata not asked" bash -c "! grep -q 'from EC2 instance metadata' '$T/env.log'"
check "AWS_REGION: Glue refused the other region's scope" grep -q "scoped to a valid region" "$T/env.log"

# A second simulator whose metadata names another region than its Glue accepts.
start_sim sim2 --seed 4 --databases 2 --glue-region us-west-2 --imds-region eu-west-1 || exit 1
write_config "$T/g2.yaml"
sed -i '/^  region: us-east-1$/d' "$T/g2.yaml"
run AWS_EC2_METADATA_SERVICE_ENDPOINT="$SIM_GLUE" "$BUILD/glue2dlfd" --config "$T/g2.yaml" --once >"$T/wrong.log" 2>&1
check_eq "the metadata's region is the one signed with: another region is refused, exit 1" 1 $?
check "the refused region is eu-west-1" grep -q "glue.region 'eu-west-1' from EC2 instance metadata" "$T/wrong.log"
finish
