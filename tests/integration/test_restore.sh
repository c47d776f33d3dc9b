#!/usr/bin/env bash
# The deleted-objects archive: an object deleted from DLF is first written (its last DLF
# JSON) to deleted/ beside the checkpoint; `glue2dlfctl restore NAME` puts it back, and it
# then stays in DLF while it is missing from Glue. A delete whose archive read fails is not
# sent.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 41 --databases 1 --tables-per-db 4 --partitions-per-table 3 \
  --functions-per-db 1 || exit 1
write_config "$T/g2d.yaml" 'deletes:
  max_fraction: 1'
mkdir -m 0700 "$T/state"
in_dlf() { sim_get dlf/tables/db_0000 | jq -e --arg n "$1" '.Tables | any(.TableName == $n)' >/dev/null; }
not_in_dlf() { ! in_dlf "$1"; }
nparts() { sim_get "dlf/partitions/db_0000/$1" | jq '.Partitions | length'; }
strip() { jq -S 'del(.CreateTime, .UpdateTime, .TableId, .ArchivedVersions)'; }

start_daemon d1 "$T/g2d.yaml" --checkpoint "$T/state/ckpt" || exit 1
ctl sync --wait >/dev/null
sim_get dlf/tables/db_0000/tbl_0001 | strip >"$T/before.json"
PV=$(sim_get glue/partitions/db_0000/tbl_0002 | jq -c '.Partitions[0].Values')
PNAME=$(sim_get glue/partitions/db_0000/tbl_0002 |
  jq -r '.Partitions[0].Values as $v | "db_0000.tbl_0002/dt=\($v[0])/region=\($v[1])"')

# A table and a partition gone from Glue: archived, then deleted.
sim_del glue/tables/db_0000/tbl_0001
sim_post glue/partitions/db_0000/tbl_0002/delete "{\"Values\":[$PV]}"
ctl sync --wait >/dev/null
check "deleted: the table is gone from DLF" not_in_dlf tbl_0001
check_eq "deleted: the partition is gone from DLF" 2 "$(nparts tbl_0002)"
ARCH=$(ls "$T/state/deleted/"deleted-*.jsonl 2>/dev/null | head -1)
check "the archive file exists, one per day" test -n "$ARCH"
check "the archive is private (0600)" bash -c "[ \"\$(stat -c %a '$ARCH')\" = 600 ]"
check_eq "the archive holds the table" 1 "$(jq -s '[.[] | select(.type == "table" and .name == "db_0000.tbl_0001")] | length' "$ARCH")"
check_eq "the archive holds the partition" "$PV" \
  "$(jq -c 'select(.type == "partition") | .values' "$ARCH")"
check_eq "the archived table is DLF's last JSON of it" "$(cat "$T/before.json")" \
  "$(jq -S 'select(.type == "table") | .object' "$ARCH" | strip)"

# restore: back in DLF, and kept there while missing from Glue.
ctl restore db_0000.tbl_0001 >"$T/restore.out" 2>&1
check_eq "restore the table: exit 0" 0 $?
check "restore the table: it is in DLF again" in_dlf tbl_0001
check_eq "restore the table: its definition as it was" "$(jq "del(.Sd.Location)" "$T/before.json")" \
  "$(sim_get dlf/tables/db_0000/tbl_0001 | strip | jq 'del(.Sd.Location)')"
ctl restore --type partition "$PNAME" >/dev/null 2>&1
check_eq "restore the partition: exit 0" 0 $?
check_eq "restore the partition: it is in DLF again" 3 "$(nparts tbl_0002)"
ctl restore db_0000.no_such_table >/dev/null 2>&1
check_eq "restore what was never archived: exit 1" 1 $?
: >"$T/results.jsonl"
ctl sync --wait >/dev/null
check "after a cycle: the restored table is still in DLF" in_dlf tbl_0001
check_eq "after a cycle: the restored partition is still in DLF" 3 "$(nparts tbl_0002)"
check_eq "after a cycle: nothing deleted" 0 "$(jq -s '[.[] | select(.diffResult == "dlfNew" and .isSuccess)] | length' "$T/results.jsonl")"
check_eq "the restored objects are rejected deletes" "rejected rejected" \
  "$(ctl --json held | jq -r '[.held[].state] | join(" ")')"

# A delete whose archive read fails is not sent: reported failed, retried next cycle.
sim_del glue/tables/db_0000/tbl_0003
sim_post faults '{"side":"dlf","action":"ListTables","kind":"error500","count":-1}'
: >"$T/results.jsonl"
ctl sync --wait >/dev/null
check "archive read fails: the table is kept" in_dlf tbl_0003
check "archive read fails: reported" grep -q 'not deleted: it could not be read for the deleted-objects archive' "$T/results.jsonl"
curl -fsS -X DELETE "$SIM_GLUE/_sim/faults" >/dev/null
ctl sync --wait >/dev/null
check "archive read works again: deleted" not_in_dlf tbl_0003
check_eq "archive read works again: archived" 1 "$(jq -s '[.[] | select(.name == "db_0000.tbl_0003")] | length' "$ARCH")"
stop_daemon
finish
