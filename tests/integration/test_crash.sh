#!/usr/bin/env bash
# Crash convergence: the daemon is killed with SIGKILL at seeded random points of a first
# sync and of incremental cycles with creates, updates and deletes in flight, and its
# checkpoint is truncated or corrupted at random; each time, the next run must leave DLF
# exactly as a daemon that never crashed leaves it (a second simulator with the same seed
# and the same changes), with no duplicate, no delete the clean run did not make, and a
# following unchanged cycle that writes nothing. G2D_CRASH_SEED=N repeats a run.
source "$(dirname "$0")/lib.sh"

SEED=${G2D_CRASH_SEED:-$(( ($(date +%s) ^ $$) % 1000000 ))}
echo "crash test seed: $SEED (G2D_CRASH_SEED=$SEED repeats this run)"
RANDOM=$SEED
SIMOPTS=(--seed 51 --databases 3 --tables-per-db 4 --partitions-per-table 300
  --functions-per-db 2 --latency-ms 30)
DELETES='deletes:
  max_fraction: 1
  max_count: 1000000'

# The reference: the same catalog, the same changes, a daemon that is never killed.
start_sim ref "${SIMOPTS[@]}" || exit 1
REF_GLUE=$SIM_GLUE
CFG_DLF_EXTRA='  batch_size: 10' write_config "$T/ref.yaml" "$DELETES"
sed -i "s|$T/results.jsonl|$T/ref-results.jsonl|; s|$T/control.sock|$T/ref.sock|" "$T/ref.yaml"
start_sim sim "${SIMOPTS[@]}" || exit 1
CFG_DLF_EXTRA='  batch_size: 10' write_config "$T/g2d.yaml" "$DELETES"

dump() { dlf_dump "$@"; } # What DLF holds, times and ids aside, sorted: one line per object.
# The names of the objects a result log says were deleted (a torn last line is skipped).
deleted_names() { [ -f "$1" ] && jq -R -r 'fromjson? // empty | select(.diffResult == "dlfNew" and .isSuccess) | .itemName' "$1" | sort -u; }
both() { # both ADMIN-PATH METHOD BODY: the same change on both simulators
  local u
  for u in "$REF_GLUE" "$SIM_GLUE"; do
    curl -fsS -X "$2" -H 'Content-Type: application/json' ${3:+--data "$3"} "$u/_sim/$1" >/dev/null || return 1
  done
}
KILLS=0
crash_run() { # one run killed after a random 20..MAX ms (if it has not finished by then)
  local ms=$((20 + RANDOM % (${1:-1000} - 20))) pid
  # the daemon itself, not a shell function around it: $! must be the daemon's pid
  ${G2D_DAEMON_WRAPPER:-} "$BUILD/glue2dlfd" --config "$T/g2d.yaml" --once --checkpoint "$T/ckpt" \
    --checkpoint-interval 1 >>"$T/crash.log" 2>&1 &
  pid=$!
  sleep "$(awk "BEGIN { print $ms / 1000 }")"
  if kill -KILL "$pid" 2>/dev/null; then
    KILLS=$((KILLS + 1))
    echo "  killed at ${ms} ms" >>"$T/kills.log"
  else
    echo "  finished before ${ms} ms" >>"$T/kills.log"
  fi
  wait "$pid" 2>/dev/null
}
corrupt() { # truncate the checkpoint, or flip a few of its bytes, at random (truncate: always)
  local size off n i b
  [ -s "$T/ckpt" ] || return 0
  size=$(stat -c %s "$T/ckpt")
  if [ "${1:-}" = truncate ] || ((RANDOM % 2)); then
    truncate -s $(( (RANDOM * 32768 + RANDOM) % size )) "$T/ckpt"
    echo "  checkpoint truncated to $(stat -c %s "$T/ckpt") of $size bytes" >>"$T/kills.log"
  else
    n=$((1 + RANDOM % 8))
    for ((i = 0; i < n; i++)); do
      off=$(( (RANDOM * 32768 + RANDOM) % size ))
      b=$(od -An -tu1 -j "$off" -N1 "$T/ckpt" | tr -d ' ')
      printf "\\x$(printf %02x $(( b ^ (1 + RANDOM % 255) )))" |
        dd of="$T/ckpt" bs=1 seek="$off" conv=notrunc 2>/dev/null
    done
    echo "  checkpoint: $n bytes flipped" >>"$T/kills.log"
  fi
}
# converge PHASE: a clean run ends it; DLF must then equal the reference exactly.
converge() {
  local phase=$1 w
  g2dd --config "$T/g2d.yaml" --once --checkpoint "$T/ckpt" >"$T/final-$phase.log" 2>&1
  check_eq "$phase: the run after the crashes exits 0" 0 $?
  dump "$SIM_GLUE" >"$T/dlf-$phase.txt"
  dump "$REF_GLUE" >"$T/ref-$phase.txt"
  check "$phase: DLF equals the expected catalog exactly ($(wc -l <"$T/ref-$phase.txt") objects)" \
    cmp -s "$T/ref-$phase.txt" "$T/dlf-$phase.txt"
  check_eq "$phase: no duplicate object" 0 "$(cut -c1-2000 "$T/dlf-$phase.txt" | sort | uniq -d | wc -l)"
  deleted_names "$T/results.jsonl" >"$T/del-$phase.txt"
  deleted_names "$T/ref-results.jsonl" >"$T/refdel-$phase.txt"
  check_eq "$phase: no delete the clean run did not make" "" \
    "$(comm -23 "$T/del-$phase.txt" "$T/refdel-$phase.txt" | head -3)"
  check "$phase: the result log: only lines torn by a kill do not parse, each on its own" \
    test "$(jq -R -r 'fromjson? // "TORN"' "$T/results.jsonl" | grep -cx TORN)" -le "$KILLS"
  w=$(dlf_writes)
  g2dd --config "$T/g2d.yaml" --once --checkpoint "$T/ckpt" >"$T/unchanged-$phase.log" 2>&1
  check_eq "$phase: an unchanged cycle writes nothing" "$w" "$(dlf_writes)"
  check "$phase: ... and says so" grep -q ' 0 created, 0 updated, 0 deleted, 0 failed' "$T/unchanged-$phase.log"
  mv "$T/results.jsonl" "$T/results-$phase.jsonl"
  mv "$T/ref-results.jsonl" "$T/ref-results-$phase.jsonl"
}
ref_run() { g2dd --config "$T/ref.yaml" --once >"$T/ref-$1.log" 2>&1; }
# Glue changes, on both sides: partitions added, changed and dropped; a table dropped, one
# added; a function dropped (never a database's last one: the empty-source guard would hold
# that delete, in both runs, and the runs would end with exit 1 by design).
change() {
  local s=$1 tdef fdb
  both glue/mutate POST "{\"add\":0.1,\"change\":0.15,\"drop\":0.1,\"seed\":$s}"
  both "glue/tables/db_000$((s % 3))/tbl_000$((s % 4))" DELETE
  tdef=$(sim_get glue/tables/db_0002/tbl_0003 | jq -c --arg n "tbl_new_$s" '{Name: $n, StorageDescriptor, PartitionKeys, TableType, Parameters}')
  both "glue/tables/db_0002/tbl_new_$s" PUT "$tdef"
  fdb=db_000$(((s + 1) % 3))
  if [ "$(sim_get "glue/functions/$fdb" | jq -r '.Functions | length')" -ge 2 ]; then
    both "glue/functions/$fdb/$(sim_get "glue/functions/$fdb" | jq -r '.Functions[0].FunctionName')" DELETE
  fi
  return 0
}

# 1. The first sync, killed at random points.
ref_run first
for _ in 1 2 3 4 5 6; do crash_run 1200; done
converge first

# 2. Incremental cycles with creates, updates and deletes in flight, killed.
change $((SEED % 97 + 1))
ref_run incremental
for _ in 1 2 3 4 5 6; do crash_run 1000; done
converge incremental

# 3. The same with the checkpoint truncated or corrupted at random between the crashes.
change $((SEED % 89 + 2))
ref_run corrupt
for _ in 1 2 3; do crash_run 1000; corrupt; done
converge corrupt
corrupt truncate
g2dd --config "$T/g2d.yaml" --once --checkpoint "$T/ckpt" >"$T/corrupt-last.log" 2>&1
check_eq "a corrupt checkpoint of a converged catalog: exits 0" 0 $?
check "... is not believed" grep -q 'checkpoint not used\|the checkpoint differs from DLF' "$T/corrupt-last.log"
check_eq "... and nothing is written" 0 "$(jq -R -r 'fromjson? // empty | select(.isSuccess) | .itemName' "$T/results.jsonl" | wc -l)"

echo "kills: $KILLS (seed $SEED)"; cat "$T/kills.log"
check "at least 10 runs were killed mid-cycle" test "$KILLS" -ge 10
finish
