#!/usr/bin/env bash
# A restart costs what an unchanged cycle costs: the snapshot is checkpointed at the end of
# each cycle and loaded at start instead of listing all of DLF (verified against DLF's
# databases, tables and functions); a corrupt or stale checkpoint is not believed.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 21 --databases 2 --tables-per-db 3 --partitions-per-table 50 \
  --functions-per-db 1 || exit 1
write_config "$T/g2d.yaml"
dlf_stat() { curl -fsS "$SIM_GLUE/_sim/stats" | jq -r ".dlf.$1"; }

g2dd --config "$T/g2d.yaml" --once --checkpoint "$T/ckpt" >"$T/once1.log" 2>&1
check_eq "first run exits 0" 0 $?
check "the checkpoint is written, 0600" bash -c "[ \"\$(stat -c %a '$T/ckpt')\" = 600 ]"

lp=$(dlf_stat ListPartitions)
g2dd --config "$T/g2d.yaml" --once --checkpoint "$T/ckpt" >"$T/once2.log" 2>&1
check_eq "restart: exits 0" 0 $?
check_eq "restart: no DLF partition listing" "$lp" "$(dlf_stat ListPartitions)"
check "restart: nothing written" grep -q ' 0 created, 0 updated, 0 deleted, 0 failed' "$T/once2.log"

# A change in DLF behind the daemon's back: the verification catches it.
curl -fsS -X DELETE "$SIM_GLUE/_sim/dlf/tables/db_0000/tbl_0001" >/dev/null
g2dd --config "$T/g2d.yaml" --once --checkpoint "$T/ckpt" >"$T/once3.log" 2>&1
check_eq "DLF changed: exits 0" 0 $?
check "DLF changed: the checkpoint is not believed" grep -q 'the checkpoint differs from DLF' "$T/once3.log"
check "DLF changed: the table is created again" grep -q ' 1 created\| [1-9][0-9]* created' "$T/once3.log"

# A corrupt checkpoint: rebuilt from DLF, and said so.
printf 'garbage' | dd of="$T/ckpt" bs=1 seek=60 conv=notrunc 2>/dev/null
lp=$(dlf_stat ListPartitions)
g2dd --config "$T/g2d.yaml" --once --checkpoint "$T/ckpt" >"$T/once4.log" 2>&1
check_eq "corrupt checkpoint: exits 0" 0 $?
check "corrupt checkpoint: said so" grep -q 'checkpoint not used' "$T/once4.log"
check "corrupt checkpoint: DLF listed instead" test "$(dlf_stat ListPartitions)" -gt "$lp"
check "corrupt checkpoint: nothing written" grep -q ' 0 created, 0 updated, 0 deleted, 0 failed' "$T/once4.log"
finish
