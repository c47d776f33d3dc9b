#!/usr/bin/env bash
# End to end on the simulator: databases flow from Glue to DLF through the daemon.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 42 --databases 25 || exit 1
write_config "$T/g2d.yaml"

# 1. --once: the first cycle creates every database.
g2dd --config "$T/g2d.yaml" --once >"$T/once1.log" 2>&1
check_eq "once: first cycle exits 0" 0 $?
check_eq "once: DLF holds every Glue database" "$(glue_names)" "$(dlf_names)"
check_eq "once: 25 glueNew result lines, all successful" 25 \
  "$(jq -s '[.[] | select(.diffResult=="glueNew" and .isSuccess==true and .itemType=="database")] | length' "$T/results.jsonl")"

# 2. A restarted daemon rebuilds its snapshot from a DLF listing and writes nothing.
sim_post stats/reset
g2dd --config "$T/g2d.yaml" --once >"$T/once2.log" 2>&1
check_eq "restart: unchanged cycle exits 0" 0 $?
check_eq "restart: no DLF write after a restart" 0 "$(dlf_writes)"
check_eq "restart: no new result line" 25 "$(wc -l <"$T/results.jsonl")"

# 3. A running daemon: the second cycle sends nothing at all to DLF.
start_daemon d1 "$T/g2d.yaml" || exit 1
ctl sync --wait >/dev/null
check_eq "daemon: first cycle via ctl succeeds" 0 $?
sim_post stats/reset
ctl sync --wait >/dev/null
check_eq "daemon: unchanged cycle sends no DLF request" 0 "$(dlf_total)"

# 4. Change, add and remove databases in Glue.
sim_put glue/databases/db_0001 '{"Name":"db_0001","Description":"changed in glue","LocationUri":"s3://sim-bucket-42/db_0001.db/","Parameters":{"owner":"team-a"}}'
sim_put glue/databases/brand_new '{"Name":"brand_new","Description":"new","LocationUri":"s3://b/new.db/"}'
sim_del glue/databases/db_0002
sim_post stats/reset
ctl --json sync --wait >"$T/cycle.json"
check_eq "changes: cycle reports no failure" 0 "$(jq -r '.failed' "$T/cycle.json")"
cycle=$(jq -r '.cycle_id' "$T/cycle.json")
check_eq "changes: DLF matches Glue" "$(glue_names)" "$(dlf_names)"
check_eq "changes: updated description reached DLF" "changed in glue" \
  "$(sim_get dlf/databases | jq -r '.Databases[] | select(.Name=="db_0001") | .Description')"
check_eq "changes: exactly three writes" 3 "$(dlf_writes)"
expected=$(printf '%s\n' \
  "{\"cycleId\":$cycle,\"itemType\":\"database\",\"itemName\":\"brand_new\",\"diffResult\":\"glueNew\",\"isSuccess\":true,\"errorMsg\":\"\"}" \
  "{\"cycleId\":$cycle,\"itemType\":\"database\",\"itemName\":\"db_0001\",\"diffResult\":\"needUpdate\",\"isSuccess\":true,\"errorMsg\":\"\"}" \
  "{\"cycleId\":$cycle,\"itemType\":\"database\",\"itemName\":\"db_0002\",\"diffResult\":\"dlfNew\",\"isSuccess\":true,\"errorMsg\":\"\"}" | sort)
check_eq "changes: result lines are exact" "$expected" "$(results_of "$cycle")"
check "changes: every result line has an RFC 3339 UTC time" \
  bash -c "jq -e -s 'all(.[]; .time | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\\\.[0-9]{3}Z\$\"))' '$T/results.jsonl' >/dev/null"

# 5. Location map and dry run: a plan lists the pending work and writes nothing.
sim_put glue/databases/planned '{"Name":"planned","LocationUri":"s3://sim-bucket-42/planned.db/"}'
sim_post stats/reset
ctl --json plan >"$T/plan.json"
check_eq "plan: lists the pending create" "glueNew planned" \
  "$(jq -r '.items[] | "\(.diffResult) \(.itemName)"' "$T/plan.json")"
check_eq "plan: writes nothing" 0 "$(dlf_writes)"
stop_daemon
check_eq "daemon: SIGTERM exits 0" 0 $?

CFG_SYNC_EXTRA='  location_map: {"s3://sim-bucket-42/": "oss://mapped-bucket/"}' \
  write_config "$T/map.yaml"
g2dd --config "$T/map.yaml" --once >"$T/once3.log" 2>&1
check_eq "location map: --once exits 0" 0 $?
check_eq "location map: locations rewritten in DLF" "oss://mapped-bucket/planned.db/" \
  "$(sim_get dlf/databases | jq -r '.Databases[] | select(.Name=="planned") | .LocationUri')"

# A DLF that serves pages of at most 7 (--dlf-page-max): the daemon's page of 100 is refused
# with the limit named, the daemon learns it and lists everything in pages of 7.
kill -TERM "$SIM_PID"; wait "$SIM_PID" 2>/dev/null
start_sim small --seed 42 --databases 25 --dlf-from-glue --dlf-page-max 7 || exit 1
rm -f "$T/results.jsonl"
write_config "$T/small.yaml"
g2dd --config "$T/small.yaml" --once >"$T/once4.log" 2>&1
check_eq "page max: --once exits 0" 0 $?
check_eq "page max: the refusal taught the daemon the limit" 1 \
  "$(grep -c 'refused a page of 100 as too large: 7 from now on' "$T/once4.log")"
check_eq "page max: nothing to write (every database listed)" 0 \
  "$(sim_get stats | jq -r '.dlf.writes // 0')"

# The same refusal as HTTP 200 with Success:false (--dlf-errors-200): still an error, still
# learned from; and a first sync into an empty DLF under that mode creates everything.
kill -TERM "$SIM_PID"; wait "$SIM_PID" 2>/dev/null
start_sim small200 --seed 42 --databases 25 --dlf-page-max 7 --dlf-errors-200 || exit 1
rm -f "$T/results.jsonl"
write_config "$T/small200.yaml"
g2dd --config "$T/small200.yaml" --once >"$T/once5.log" 2>&1
check_eq "errors 200: --once exits 0" 0 $?
check_eq "errors 200: the limit learned from a Success:false body" 1 \
  "$(grep -c 'refused a page of 100 as too large: 7 from now on' "$T/once5.log")"
check_eq "errors 200: DLF holds every Glue database" "$(glue_names)" "$(dlf_names)"

finish
