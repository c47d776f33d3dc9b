#!/usr/bin/env bash
# Held deletes a person decides on: what a guard holds is listed (`glue2dlfctl held`, with
# an ID and the reason), applied by `approve ID` (only what is still missing from Glue),
# kept in DLF by `reject ID`, and still known after a restart (the checkpoint keeps them);
# deletes.grace_cycles waits out N cycles before a delete is even planned.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 31 --databases 1 --tables-per-db 8 --partitions-per-table 2 \
  --functions-per-db 0 || exit 1
write_config "$T/g2d.yaml" 'deletes:
  max_count: 1
  max_fraction: 1'
dlf_tables() { sim_get dlf/tables/db_0000 | jq -r '.Tables[].TableName' | sort | tr '\n' ' '; }
in_dlf() { sim_get dlf/tables/db_0000 | jq -e --arg n "$1" '.Tables | any(.TableName == $n)' >/dev/null; }
not_in_dlf() { ! in_dlf "$1"; }
held_json() { ctl --json held "$@"; }
id_of() { held_json | jq -r --arg n "db_0000.$1" '.held[] | select(.name == $n) | .id'; }
state_of() { held_json | jq -r --arg n "db_0000.$1" '.held[] | select(.name == $n) | .state'; }

start_daemon d1 "$T/g2d.yaml" --checkpoint "$T/ckpt" || exit 1
ctl sync --wait >/dev/null
check_eq "setup: 8 tables in DLF" 8 "$(dlf_tables | wc -w)"

# The Glue definition of a table as a TableInput, to put it back later.
glue_input() { sim_get "glue/tables/db_0000/$1" | jq -c '{Name, StorageDescriptor, PartitionKeys, TableType, Parameters}'; }
glue_parts() { sim_get "glue/partitions/db_0000/$1" | jq -c '{Partitions: [.Partitions[] | {Values, StorageDescriptor, Parameters}]}'; }
for t in tbl_0000 tbl_0002 tbl_0004; do glue_input $t >"$T/$t.json"; glue_parts $t >"$T/$t.parts"; done
put_back() {
  sim_put "glue/tables/db_0000/$1" "$(cat "$T/$1.json")"
  sim_post "glue/partitions/db_0000/$1" "$(cat "$T/$1.parts")"
}

# Four tables gone from Glue: more than deletes.max_count (1), so all four are held.
for t in tbl_0001 tbl_0002 tbl_0003 tbl_0004; do sim_del "glue/tables/db_0000/$t"; done
ctl sync --wait >/dev/null
check_eq "held: DLF keeps all 8 tables" 8 "$(dlf_tables | wc -w)"
check_eq "held: 4 held deletes listed" 4 "$(held_json | jq '.count')"
check_eq "held: the reason is max_count" "max_count max_count max_count max_count" \
  "$(held_json | jq -r '[.held[].reason] | join(" ")')"
check_eq "held: all of type table" 4 "$(held_json --type table | jq '.count')"
check_eq "held: none of type partition" 0 "$(held_json --type partition | jq '.count')"
check_eq "held: --scope of the table" 1 "$(held_json --scope db_0000.tbl_0002 | jq '.count')"
check "held: the text form has one line per delete, with its ID" \
  bash -c "[ \"\$('$BUILD/glue2dlfctl' --socket '$T/control.sock' held | grep -c 'reason=max_count')\" = 4 ]"
check "held: the result log names the ID to approve" \
  grep -q "glue2dlfctl approve $(id_of tbl_0001)" "$T/results.jsonl"
check "held: counted in the metrics" bash -c "'$BUILD/glue2dlfctl' --socket '$T/control.sock' metrics | grep -qx 'glue2dlf_held_delete_records{state=\"held\"} 4'"
check_eq "held: counted in the status" 4 "$(ctl --json status | jq '.held_deletes.held')"
check "held: ... and its text form" bash -c "'$BUILD/glue2dlfctl' --socket '$T/control.sock' status | grep -q '^held deletes: *4 held, 0 approved, 0 rejected'"
ID1=$(id_of tbl_0001) ID2=$(id_of tbl_0002) ID3=$(id_of tbl_0003) ID4=$(id_of tbl_0004)
FIRST3=$(held_json | jq -r '.held[] | select(.name == "db_0000.tbl_0003") | .first_seen_ms')

# approve needs a selector, and every ID it names must be held.
ctl approve >/dev/null 2>&1
check_eq "approve without a selector: usage error" 2 $?
ctl approve 0123456789abcdef >/dev/null 2>&1
check_eq "approve an unknown ID: an error" 1 $?
check_eq "approve an unknown ID: nothing approved" 0 "$(held_json | jq '[.held[] | select(.state != "held")] | length')"

# tbl_0004 comes back to Glue before the approval is applied: it must not be deleted.
put_back tbl_0004
ctl approve "$ID1" "$ID4" >"$T/approve.out" 2>&1
check_eq "approve two IDs: exit 0" 0 $?
ctl sync --wait >/dev/null # the approval's cycle (or one after it)
check "approve: tbl_0001 deleted from DLF" not_in_dlf tbl_0001
check "approve: tbl_0004 (back in Glue) kept" in_dlf tbl_0004
check_eq "approve: tbl_0001 no longer held" "" "$(id_of tbl_0001)"
check_eq "approve: tbl_0004 no longer held" "" "$(id_of tbl_0004)"
check_eq "approve: the other two still held" 2 "$(held_json | jq '[.held[] | select(.state == "held")] | length')"
check_eq "approve: their IDs are stable" "$ID2 $ID3" "$(id_of tbl_0002) $(id_of tbl_0003)"

# Reject tbl_0002: kept, not held again, and the count guard sees one delete (tbl_0003).
ctl reject "$ID2" >/dev/null 2>&1
check_eq "reject: exit 0" 0 $?
check_eq "reject: state rejected" rejected "$(state_of tbl_0002)"
: >"$T/results.jsonl"
ctl sync --wait >/dev/null
check "reject: tbl_0002 kept in DLF" in_dlf tbl_0002
check "reject: tbl_0002 not reported held again" bash -c "! grep -q 'tbl_0002' '$T/results.jsonl'"
check "reject: the remaining one is within max_count and deleted" not_in_dlf tbl_0003

# Hold two more and restart: the registry (held and rejected) comes back from the checkpoint.
for t in tbl_0005 tbl_0006; do sim_del "glue/tables/db_0000/$t"; done
ctl sync --wait >/dev/null
ID5=$(id_of tbl_0005)
FIRST5=$(held_json | jq -r '.held[] | select(.name == "db_0000.tbl_0005") | .first_seen_ms')
check_eq "before restart: 2 held + 1 rejected" "2 1" \
  "$(held_json | jq -r '[([.held[] | select(.state == "held")] | length), ([.held[] | select(.state == "rejected")] | length)] | join(" ")')"
stop_daemon
start_daemon d2 "$T/g2d.yaml" --checkpoint "$T/ckpt" || exit 1
ctl sync --wait >/dev/null
check_eq "after restart: the same IDs held" "$ID5" "$(id_of tbl_0005)"
check_eq "after restart: first seen kept" "$FIRST5" \
  "$(held_json | jq -r '.held[] | select(.name == "db_0000.tbl_0005") | .first_seen_ms')"
check_eq "after restart: tbl_0002 still rejected" rejected "$(state_of tbl_0002)"
check "after restart: tbl_0002 still in DLF" in_dlf tbl_0002

# Glue changes: tbl_0002 is back in Glue, so its rejection is dropped.
put_back tbl_0002
ctl sync --wait >/dev/null
check_eq "back in Glue: the rejection is gone" "" "$(id_of tbl_0002)"
ctl approve --all >/dev/null 2>&1
ctl sync --wait >/dev/null
check_eq "approve --all: nothing held any more" 0 "$(held_json | jq '.count')"
check "approve --all: tbl_0005 deleted" not_in_dlf tbl_0005
stop_daemon

# deletes.grace_cycles: 2 — missing in two cycles in a row is not enough, the third deletes.
write_config "$T/grace.yaml" 'deletes:
  grace_cycles: 2'
sim_del glue/tables/db_0000/tbl_0007
for n in 1 2; do
  g2dd --config "$T/grace.yaml" --once --checkpoint "$T/ckpt" >"$T/grace$n.log" 2>&1
  check "grace: cycle $n keeps tbl_0007" in_dlf tbl_0007
done
g2dd --config "$T/grace.yaml" --once --checkpoint "$T/ckpt" >"$T/grace3.log" 2>&1
check_eq "grace: cycle 3 exits 0" 0 $?
check "grace: cycle 3 deletes tbl_0007" not_in_dlf tbl_0007
# An object back in Glue starts its count again.
sim_del glue/tables/db_0000/tbl_0000
g2dd --config "$T/grace.yaml" --once --checkpoint "$T/ckpt" >"$T/grace4.log" 2>&1
put_back tbl_0000
g2dd --config "$T/grace.yaml" --once --checkpoint "$T/ckpt" >"$T/grace5.log" 2>&1
sim_del glue/tables/db_0000/tbl_0000
for n in 6 7; do g2dd --config "$T/grace.yaml" --once --checkpoint "$T/ckpt" >"$T/grace$n.log" 2>&1; done
check "grace: a return to Glue restarts the count" in_dlf tbl_0000
finish
