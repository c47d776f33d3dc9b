#!/usr/bin/env bash
# At start-up (whenever the snapshot is built from DLF) the configured DLF catalog must be
# one the DataLake 2020-07-10 metastore API serves (DLF-Legacy): a catalog it does not
# know, or one it reports as another kind, fails the cycle with a clear message and
# nothing is written.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 7 --databases 3 --dlf-catalog-id cat-legacy || exit 1

CFG_DLF_EXTRA="  catalog_id: cat-paimon" write_config "$T/other.yaml"
g2dd --config "$T/other.yaml" --once >"$T/other.log" 2>&1
rc=$?
check "unknown catalog: --once fails" test "$rc" -ne 0
check "unknown catalog: the message says it is not a DLF-Legacy catalog" \
  grep -q "DLF catalog 'cat-paimon' is not one the DataLake 2020-07-10 metastore API serves (DLF-Legacy): GetCatalog answered" "$T/other.log"
check "unknown catalog: and what to do" grep -q "set dlf.catalog_id to a DLF-Legacy catalog" "$T/other.log"
check_eq "unknown catalog: nothing written to DLF" 0 "$(dlf_writes)"
check_eq "unknown catalog: DLF holds no database" "" "$(dlf_names)"

CFG_DLF_EXTRA="  catalog_id: cat-legacy" write_config "$T/legacy.yaml"
sim_post stats/reset
g2dd --config "$T/legacy.yaml" --once >"$T/legacy.log" 2>&1
check_eq "DLF-Legacy catalog: --once succeeds" 0 $?
check_eq "DLF-Legacy catalog: DLF holds every Glue database" "$(glue_names)" "$(dlf_names)"
check_eq "DLF-Legacy catalog: one GetCatalog" 1 "$(sim_get stats | jq -r '.dlf.ops.GetCatalog // .dlf.GetCatalog // 0')"

kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null
start_sim sim2 --seed 7 --databases 3 --dlf-catalog-type PAIMON || exit 1
write_config "$T/typed.yaml"
g2dd --config "$T/typed.yaml" --once >"$T/typed.log" 2>&1
rc=$?
check "catalog of another type: --once fails" test "$rc" -ne 0
check "catalog of another type: the message names its type" \
  grep -q "GetCatalog gives its type as 'PAIMON'" "$T/typed.log"
check_eq "catalog of another type: nothing written" 0 "$(dlf_writes)"
finish
