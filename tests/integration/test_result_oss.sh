#!/usr/bin/env bash
# The result log on OSS (result.path oss://bucket/prefix/): every cycle's lines reach the
# simulator's OSS as objects that sort by time, cycle and part, signed V4 (and V1 when
# selected); an OSS outage in the middle of a cycle loses and duplicates nothing (the
# objects, concatenated in name order, equal the daemon's own results); a restart uploads
# what the spool kept; a full spool drops new lines loudly and says so in status; the
# legacy result.output.path may name a local directory (one file per cycle).
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 5 --databases 2 --tables-per-db 3 --partitions-per-table 40 \
  --functions-per-db 1 --latency-ms 60 || exit 1
oss_admin() { curl -fsS "$SIM_GLUE/_sim/oss/$1" "${@:2}"; }
outage() { oss_admin outage -X POST --data "$1" >/dev/null; }
objects() { oss_admin objects | jq -r '.Objects[].Key'; }
# all_lines: every object under the prefix, in name order, concatenated.
all_lines() {
  local k
  for k in $(objects | grep "^g2d-results/sync/" | sort); do
    curl -fsS --get --data-urlencode "key=$k" "$SIM_GLUE/_sim/oss/object"
  done
}
oss_config() { # oss_config SIGNATURE SPOOL_MAX
  write_config "$T/g2d.yaml"
  sed -i "s#^  path: .*#  path: oss://g2d-results/sync/\n  oss_endpoint: $SIM_DLF\n  oss_signature: $1\n  spool_dir: $T/spool\n  spool_max_size: $2\n  part_size: 4KiB#" "$T/g2d.yaml"
}

# 1. An outage after the first part, for three seconds, in the middle of the first cycle:
#    parts of 1 KiB are cut from the database and table lines early in the cycle, while the
#    partition batches are held back (1 s each) so the cycle is surely still running.
oss_config v4 64MiB
sed -i 's/^  part_size: 4KiB/  part_size: 1KiB/' "$T/g2d.yaml"
outage '{"down":true,"after_puts":1,"seconds":3}'
sim_post faults '{"side":"dlf","action":"BatchCreatePartitions","kind":"latency","latency_ms":1000,"count":6}'
start_daemon d1 "$T/g2d.yaml" || exit 1
ctl sync --wait >/dev/null
ctl --json results -n 10000 | jq -c '.items[]' >"$T/ring1.jsonl"
n=$(wc -l <"$T/ring1.jsonl")
check "the cycle produced result lines" test "$n" -gt 100
for _ in $(seq 200); do
  [ "$(ctl --json status | jq -r '.result_log.pending_parts')" = 0 ] && break
  sleep 0.1
done
check_eq "outage: every part uploaded in the end" 0 "$(ctl --json status | jq -r '.result_log.pending_parts')"
check "outage: OSS answered 503 meanwhile" test "$(oss_admin objects | jq -r '.Stats.outage')" -gt 0
check "outage: it began while the cycle was still running" bash -c \
  "sed -n '1,/cycle 1 finished/p' '$T/d1.log' | grep -q 'upload of .* failed'"
check "outage: the daemon counted failed uploads" test "$(ctl --json status | jq -r '.result_log.upload_failures')" -gt 0
check "several parts for one cycle (part_size 1 KiB)" test "$(objects | grep -c 'cycle-000001-part-')" -gt 3
check "object names sort by time, cycle and part" bash -c "objects() { curl -fsS '$SIM_GLUE/_sim/oss/objects' | jq -r '.Objects[].Key'; }; objects | grep -qE '^g2d-results/sync/[0-9]{8}T[0-9]{6}Z-cycle-000001-part-0001\.jsonl$'"
all_lines >"$T/oss1.jsonl"
check_eq "outage: no line lost or duplicated (OSS = the daemon's results, in order)" \
  "$(jq -c . "$T/ring1.jsonl" | md5sum)" "$(jq -c . "$T/oss1.jsonl" | md5sum)"
check_eq "the spool is empty afterwards" "" "$(ls "$T/spool")"
check "no rejected signature" test "$(oss_admin objects | jq -r '.Stats.rejected')" = 0

# 2. OSS down for good: a cycle's parts stay in the spool; a restart uploads them.
outage '{"down":true}'
sim_put glue/databases/zz_oss_one '{"Name":"zz_oss_one","LocationUri":"s3://b/zz.db/"}'
ctl sync --wait >/dev/null
check "OSS down: the cycle's part waits in the spool" test -n "$(ls "$T/spool")"
for _ in $(seq 100); do
  [ "$(ctl --json status | jq -r '.result_log.last_error // ""')" != "" ] && break
  sleep 0.1
done
check "OSS down: status has the last error" bash -c "'$BUILD/glue2dlfctl' --socket '$T/control.sock' --json status | jq -e '.result_log.last_error | test(\"503|ServiceUnavailable\")' >/dev/null"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"
check "stop: the part is left for the next start" test -n "$(ls "$T/spool")"
check "stop: said so" grep -q 'stay in the spool' "$T/d1.log"
outage '{"down":false}'
before=$(objects | wc -l)
start_daemon d2 "$T/g2d.yaml" || exit 1
for _ in $(seq 100); do [ -z "$(ls "$T/spool")" ] && break; sleep 0.1; done
check_eq "restart: the leftover is uploaded" "" "$(ls "$T/spool")"
check "restart: logged" grep -q 'left in .* by an earlier run' "$T/d2.log"
check "restart: one more object" test "$(objects | wc -l)" -gt "$before"
all_lines | grep -q zz_oss_one
check_eq "restart: the new database's line, spooled during the outage, is on OSS" 0 $?
stop_daemon

# 3. V1 signatures, and a spool bound that fills.
oss_config v1 8KiB
rm -rf "$T/spool"
outage '{"down":true}'
curl -fsS -X DELETE "$SIM_GLUE/_sim/dlf/databases/db_0000" >/dev/null 2>&1 || true
start_daemon d3 "$T/g2d.yaml" --checkpoint none || exit 1
ctl sync --wait --full >/dev/null
st=$(ctl --json status)
check "full spool: lines dropped and counted" test "$(jq -r '.result_log.dropped_lines' <<<"$st")" -gt 0
check_eq "full spool: status says full" true "$(jq -r '.result_log.spool_full' <<<"$st")"
check "full spool: the metric counts the dropped lines" bash -c \
  "'$BUILD/glue2dlfctl' --socket '$T/control.sock' metrics | grep -qE '^glue2dlf_result_dropped_lines_total [1-9]'"
check "full spool: loud error in the journal" grep -q 'result spool .* is FULL' "$T/d3.log"
check "full spool: the spool stays under its bound" test "$(du -sb "$T/spool" | cut -f1)" -le 12288
outage '{"down":false}'
for _ in $(seq 100); do [ -z "$(ls "$T/spool")" ] && break; sleep 0.1; done
check_eq "V1: the spool drains" "" "$(ls "$T/spool")"
check "V1: no rejected signature" test "$(oss_admin objects | jq -r '.Stats.rejected')" = 0
check "V1: room again, with the count" grep -q 'has room again; [0-9]* result line(s) were dropped' "$T/d3.log"
stop_daemon

# 4. A wrong secret: OSS refuses the signature, the spooled part is not deleted.
oss_config v4 64MiB
sed -i "s#^  access_key_secret: .*#  access_key_secret: wrong-secret#" "$T/g2d.yaml"
mkdir -p "$T/spool"
echo '{"cycleId":7}' >"$T/spool/20260101T000000Z-cycle-000007-part-0001.jsonl"
rej=$(oss_admin objects | jq -r '.Stats.rejected')
CFG_INTERVAL=1h start_daemon d4 "$T/g2d.yaml" --checkpoint none --dry-run || exit 1
for _ in $(seq 50); do [ "$(oss_admin objects | jq -r '.Stats.rejected')" -gt "$rej" ] && break; sleep 0.1; done
check "wrong key: OSS rejected the signature" test "$(oss_admin objects | jq -r '.Stats.rejected')" -gt "$rej"
check "wrong key: the part stays in the spool" test -s "$T/spool/20260101T000000Z-cycle-000007-part-0001.jsonl"
check "wrong key: the error is in status" bash -c "'$BUILD/glue2dlfctl' --socket '$T/control.sock' --json status | jq -e '.result_log.last_error | test(\"SignatureDoesNotMatch\")' >/dev/null"
kill -INT "$DAEMON_PID"; kill -INT "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID"

# 5. The legacy properties front end: result.output.path naming a directory.
mkdir -p "$T/resdir"
cat >"$T/application.properties" <<PROPS
aws.accessKeyId=$GLUE_AK
aws.secretAccessKey=$GLUE_SK
aws.region=us-east-1
aws.endpoint=$SIM_GLUE
aliyun.accessKeyId=$DLF_AK
aliyun.secretAccessKey=$DLF_SK
aliyun.region=cn-hangzhou
aliyun.endpoint=$SIM_DLF
result.output.path=$T/resdir
PROPS
chmod 0600 "$T/application.properties"
sim_put glue/databases/zz_dir_one '{"Name":"zz_dir_one","LocationUri":"s3://b/zzd.db/"}'
g2dd --config "$T/application.properties" --socket "$T/legacy.sock" --once --checkpoint none \
  >"$T/once.log" 2>&1
check_eq "legacy directory: --once exits 0" 0 $?
check_eq "legacy directory: one file for the cycle" 1 "$(ls "$T/resdir" | grep -cE '^[0-9]{8}T[0-9]{6}Z-cycle-000001-part-0001\.jsonl$')"
check "legacy directory: the cycle's lines are in it" grep -q zz_dir_one "$T/resdir/"*
finish
