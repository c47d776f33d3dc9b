#!/usr/bin/env bash
# Delete guards: a Glue answer that would empty DLF, or delete too much at once, holds the
# deletes and reports them instead of applying them.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 11 --databases 10 || exit 1
write_config "$T/g2d.yaml"
g2dd --config "$T/g2d.yaml" --once >"$T/once1.log" 2>&1
check_eq "setup: first copy exits 0" 0 $?

# 1. Glue suddenly lists nothing (say, a permission change hides every database).
for n in $(sim_get glue/databases | jq -r '.DatabaseList[].Name'); do sim_del "glue/databases/$n"; done
rm -f "$T/results.jsonl"
g2dd --config "$T/g2d.yaml" --once >"$T/empty.log" 2>&1
check_eq "empty Glue: --once exits 1 (deletes held)" 1 $?
check_eq "empty Glue: DLF keeps all 10 databases" 10 "$(dlf_names | wc -w)"
check_eq "empty Glue: 10 held result lines" 10 \
  "$(jq -s '[.[] | select(.held == true and .diffResult == "dlfNew" and .isSuccess == false)] | length' "$T/results.jsonl")"
check "empty Glue: the reason names the empty-source guard" grep -q "empty-source guard" "$T/results.jsonl"

# 2. Glue drops 6 of 10: more than deletes.max_fraction (0.5).
for i in 0 1 2 3; do sim_put "glue/databases/db_000$i" '{"Description":"back"}'; done
rm -f "$T/results.jsonl"
g2dd --config "$T/g2d.yaml" --once >"$T/frac.log" 2>&1
check_eq "fraction guard: --once exits 1" 1 $?
check_eq "fraction guard: nothing deleted" 10 "$(dlf_names | wc -w)"
check "fraction guard: the reason names deletes.max_fraction" grep -q "deletes.max_fraction" "$T/results.jsonl"

# 3. The count guard, with a raised fraction.
CFG_SYNC_EXTRA='' write_config "$T/count.yaml" 'deletes:
  max_count: 5
  max_fraction: 1'
rm -f "$T/results.jsonl"
g2dd --config "$T/count.yaml" --once >"$T/count.log" 2>&1
check_eq "count guard: --once exits 1" 1 $?
check "count guard: the reason names deletes.max_count" grep -q "deletes.max_count (5)" "$T/results.jsonl"

# 4. Within both limits the deletes are applied.
write_config "$T/ok.yaml" 'deletes:
  max_count: 6
  max_fraction: 0.7'
rm -f "$T/results.jsonl"
g2dd --config "$T/ok.yaml" --once >"$T/ok.log" 2>&1
check_eq "within limits: --once exits 0" 0 $?
check_eq "within limits: DLF now matches Glue" "$(glue_names)" "$(dlf_names)"
check_eq "within limits: 6 successful dlfNew lines" 6 \
  "$(jq -s '[.[] | select(.diffResult == "dlfNew" and .isSuccess)] | length' "$T/results.jsonl")"

# 5. deletes.enabled: false never deletes and reports nothing for it.
sim_put dlf/databases/only_in_dlf '{"Description":"made by hand in DLF"}'
write_config "$T/nodel.yaml" 'deletes:
  enabled: false'
rm -f "$T/results.jsonl"
g2dd --config "$T/nodel.yaml" --once >"$T/nodel.log" 2>&1
check_eq "deletes disabled: --once exits 0" 0 $?
check "deletes disabled: the DLF-only database survives" bash -c "curl -fsS '$SIM_GLUE/_sim/dlf/databases' | jq -e '.Databases | any(.Name == \"only_in_dlf\")' >/dev/null"

finish
