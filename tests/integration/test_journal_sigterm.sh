#!/usr/bin/env bash
# Structured logging into a real systemd-journald, and SIGTERM in the middle of a cycle.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 3 --databases 60 || exit 1

# 1. journald: start a standalone one if none runs (Debian: it runs as root outside systemd).
journald_alive() { echo probe | systemd-cat -t g2d-probe >/dev/null 2>&1; }
if ! journald_alive && [ "$(id -u)" -eq 0 ]; then
  /lib/systemd/systemd-journald >"$T/journald.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do journald_alive && break; sleep 0.05; done
fi
if journald_alive; then
  CFG_LOG_LEVEL=debug write_config "$T/j.yaml"
  sed -i 's/  target: stderr/  target: auto/' "$T/j.yaml"
  "$BUILD/tests/journal-exec" glue2dlfd "$BUILD/glue2dlfd" --config "$T/j.yaml" --once &
  jpid=$!
  wait $jpid
  check_eq "journal: --once exits 0" 0 $?
  journalctl --flush >/dev/null 2>&1 || true
  sleep 0.5
  journalctl -o json _PID=$jpid --no-pager >"$T/journal.json" 2>/dev/null
  check "journal: lines arrived through the native protocol (not the stream)" \
    bash -c "jq -e -s 'any(.[]; ._TRANSPORT == \"journal\")' '$T/journal.json' >/dev/null"
  check "journal: a cycle summary carries GLUE2DLF_CYCLE_ID and a MESSAGE_ID" \
    bash -c "jq -e -s 'any(.[]; .GLUE2DLF_CYCLE_ID != null and .MESSAGE_ID != null)' '$T/journal.json' >/dev/null"
  check "journal: SYSLOG_IDENTIFIER is glue2dlfd" \
    bash -c "jq -e -s 'any(.[]; .SYSLOG_IDENTIFIER == \"glue2dlfd\")' '$T/journal.json' >/dev/null"
  # reset DLF for the next part
  for n in $(sim_get dlf/databases | jq -r '.Databases[].Name'); do sim_del "dlf/databases/$n"; done
else
  fail "journal: no journald socket and cannot start one (need root)"
fi

# 2. SIGTERM during a cycle: writes in flight finish and are recorded, nothing half-applied.
rm -f "$T/results.jsonl"
sim_post faults '{"side":"dlf","action":"CreateDatabase","kind":"latency","latency_ms":150,"count":-1}'
write_config "$T/g2d.yaml"
start_daemon d "$T/g2d.yaml" || exit 1
for _ in $(seq 200); do
  [ -s "$T/results.jsonl" ] && break; sleep 0.05
done
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
check_eq "sigterm: exit 0 during a cycle" 0 $?
created=$(dlf_names | wc -w)
recorded=$(jq -s '[.[] | select(.isSuccess)] | length' "$T/results.jsonl")
check "sigterm: the cycle stopped early" test "$created" -lt 60
check_eq "sigterm: every database in DLF has its result line" "$created" "$recorded"
check "sigterm: the log says the running cycle was stopped cleanly" grep -q "cancelling the running cycle, in-flight writes finish first" "$T/d.log"
sim_del faults
g2dd --config "$T/g2d.yaml" --once >"$T/after.log" 2>&1
check_eq "sigterm: the next run completes the rest" "$(glue_names)" "$(dlf_names)"

finish
