#!/usr/bin/env bash
# Status that answers the operator's questions: progress during the snapshot phase (DLF
# listings done/known, an ETA), items per second, failures and held deletes so far and the
# last failure while a cycle runs, STATUS= with the same; `glue2dlfctl status --watch`
# under tmux refreshes in place while the cycle runs and ends with it.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 9 --databases 3 --tables-per-db 6 --partitions-per-table 20 || exit 1
CFG_SYNC_EXTRA='  run_on_start: false' write_config "$T/g.yaml"
start_daemon d "$T/g.yaml" || exit 1

# 1. The snapshot phase: a first sync, then slow DLF partition listings and a full sync.
ctl sync --wait >/dev/null
sim_post faults '{"side":"dlf","action":"ListPartitions","kind":"latency","latency_ms":250,"count":-1}'
ctl sync --full >/dev/null
for _ in $(seq 100); do
  S=$(ctl --json status)
  [ "$(jq -r '.progress.phase' <<<"$S")" == snapshot ] && [ "$(jq -r '.progress.snapshot_listings_done' <<<"$S")" -gt 0 ] && break
  sleep 0.05
done
check_eq "snapshot phase: seen" snapshot "$(jq -r '.progress.phase' <<<"$S")"
check "snapshot phase: listings known" test "$(jq -r '.progress.snapshot_listings_total' <<<"$S")" -gt 0
check "snapshot phase: an ETA once a listing is done" bash -c "[ '$(jq -r '.eta_ms' <<<"$S")' != null ]"
check "snapshot phase: the text names the listings" bash -c \
  "'$BUILD/glue2dlfctl' --socket '$T/control.sock' status | grep -q 'objects listed from DLF, [0-9]*/[0-9]* listings'"
ctl sync --wait >/dev/null 2>&1
sim_del faults

# 2. A running cycle with failures: items/s, failed so far, the last failure.
sim_post faults '{"side":"dlf","action":"BatchCreatePartitions","kind":"item_error","match":"2020-01-0","code":"InvalidObject","message":"bad partition","count":-1}'
sim_post faults '{"side":"glue","action":"GetPartitions","kind":"latency","latency_ms":200,"count":-1}'
for db in $(sim_get glue/databases | jq -r '.DatabaseList[].Name'); do
  sim_del "dlf/databases/$db" 2>/dev/null
done
ctl sync --full >/dev/null
for _ in $(seq 200); do
  S=$(ctl --json status)
  [ "$(jq -r '.cycle_failed // 0' <<<"$S")" -gt 0 ] && break
  sleep 0.05
done
check "running: failures so far" test "$(jq -r '.cycle_failed // 0' <<<"$S")" -gt 0
check "running: items per second" bash -c "[ '$(jq -r '.items_per_s // "null"' <<<"$S")' != null ]"
check "running: the last failure with DLF's code" bash -c "jq -r '.last_error.message' <<<'$(jq -c . <<<"$S")' | grep -q InvalidObject"
check "running: the text shows failed so far" bash -c \
  "'$BUILD/glue2dlfctl' --socket '$T/control.sock' status | grep -q 'failed and [0-9]* held so far'"

# 3. status --watch under tmux: in place while it runs, over when the cycle is.
if command -v tmux >/dev/null; then
  TM="tmux -L g2d-$$ -f /dev/null"
  $TM new-session -d -x 160 -y 40 "'$BUILD/glue2dlfctl' --socket '$T/control.sock' status --watch; echo WATCH-EXIT=\$?; sleep 30"
  seen=""
  for _ in $(seq 300); do
    P=$($TM capture-pane -p 2>/dev/null)
    t=$(sed -n 's/^ *progress: *\([0-9]*\/[0-9]* databases, [0-9]*\/[0-9]* tables, [0-9]*\) items.*/\1/p' <<<"$P" | head -1)
    [ -n "$t" ] && [[ " $seen " != *" $t "* ]] && seen+=" $t"
    grep -q WATCH-EXIT <<<"$P" && break
    sleep 0.1
  done
  check "watch: the progress moved (several values seen)" test "$(wc -w <<<"$seen")" -ge 2
  check "watch: one screen, refreshed in place (one state line)" test "$(grep -c '^ *state:' <<<"$P")" -eq 1
  check_eq "watch: ends with the cycle, exit 0" "WATCH-EXIT=0" "$(grep -o 'WATCH-EXIT=[0-9]*' <<<"$P")"
  check "watch: the last screen shows the finished cycle" grep -q "^ *state: *idle" <<<"$P"
  $TM kill-server 2>/dev/null
else
  echo "SKIP tmux is not installed"
fi

# 4. Not a terminal: blocks one after another; idle: shown once.
out=$("$BUILD/glue2dlfctl" --socket "$T/control.sock" status --watch | cat)
check_eq "watch, idle, not a terminal: one block, exit 0" 1 "$(grep -c '^ *state:' <<<"$out")"

finish
