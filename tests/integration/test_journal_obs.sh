#!/usr/bin/env bash
# journald done properly: the message catalog (every MESSAGE_ID in the code has an entry,
# journalctl accepts it), and against a real systemd-journald: request failures with their
# API, HTTP status, error code and request id; failed items one by one up to
# log.max_item_lines, then one summary per type with a MESSAGE_ID; the snapshot rebuild;
# a throttling storm; debug lines switched on and off at run time with glue2dlfctl
# log-level, and log.level applied again by a reload.
source "$(dirname "$0")/lib.sh"

# 1. The catalog and the code agree.
CAT="$ROOT/packaging/glue2dlf.catalog"
code_ids=$(grep -ho '"[0-9a-f]\{32\}"' "$ROOT/daemon/log.h" "$ROOT/include/glue2dlf/logging.h" | tr -d '"' | sort)
cat_ids=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$CAT" | sort)
check_eq "catalog: one entry per MESSAGE_ID in the code" "$code_ids" "$cat_ids"
check_eq "catalog: no MESSAGE_ID defined twice" "" "$(echo "$code_ids" | uniq -d)"
mkdir -p "$T/croot/usr/lib/systemd/catalog"
cp "$CAT" "$T/croot/usr/lib/systemd/catalog/"
check "catalog: journalctl --update-catalog accepts it" journalctl --root="$T/croot" --update-catalog
check_eq "catalog: journalctl lists every entry" "$(echo "$cat_ids" | wc -l)" \
  "$(journalctl --root="$T/croot" --list-catalog 2>/dev/null | grep -c ' glue2dlf: ')"

# 2. A real journald (standalone, as root, when none runs).
journald_alive() { echo probe | systemd-cat -t g2d-probe >/dev/null 2>&1; }
if ! journald_alive && [ "$(id -u)" -eq 0 ]; then
  /lib/systemd/systemd-journald >"$T/journald.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do journald_alive && break; sleep 0.05; done
fi
if ! journald_alive; then
  fail "journal: no journald socket and cannot start one (need root)"
  finish
fi

start_sim sim --seed 5 --databases 2 --tables-per-db 2 --partitions-per-table 30 || exit 1
# Partitions whose values contain 2020-01-0 fail on DLF: 9 a partitioned table.
sim_post faults '{"side":"dlf","action":"BatchCreatePartitions","kind":"item_error","match":"2020-01-0","code":"InvalidObject","message":"bad partition","count":-1}'
sim_post faults '{"side":"glue","action":"GetUserDefinedFunctions","kind":"deny","count":1}'
CFG_SYNC_EXTRA='  run_on_start: false' write_config "$T/j.yaml" "  max_item_lines: 3"
sed -i 's/  target: stderr/  target: journal/' "$T/j.yaml"
# the extra line belongs to log:, which write_config ends with
"$BUILD/tests/journal-exec" glue2dlfd "$BUILD/glue2dlfd" --config "$T/j.yaml" &
DAEMON_PID=$!
PIDS+=($DAEMON_PID)
for _ in $(seq 200); do ctl status >/dev/null 2>&1 && break; sleep 0.05; done
ctl sync --wait >/dev/null
journal() { journalctl --flush >/dev/null 2>&1; sleep 0.3; journalctl -o json _PID=$DAEMON_PID --no-pager 2>/dev/null; }
J=$(journal)
jq_any() { jq -e -s "any(.[]; $1)" <<<"$J" >/dev/null; }
check "request failure: its API, HTTP status, error code and MESSAGE_ID" jq_any \
  '.MESSAGE_ID == "cab5bec43c5843dd8d59b8fd3c58bd0b" and .GLUE2DLF_API == "GetUserDefinedFunctions" and .GLUE2DLF_HTTP_STATUS == "400" and .GLUE2DLF_ERROR_CODE == "AccessDeniedException" and .GLUE2DLF_SIDE == "glue"'
check "request failure: the request id" jq_any '.GLUE2DLF_API == "GetUserDefinedFunctions" and (.GLUE2DLF_REQUEST_ID // "") != ""'
nfail=$(jq -r -s '[.[] | select(.MESSAGE_ID == null and (.MESSAGE // "" | startswith("failed to ")))] | length' <<<"$J")
check_eq "failed items: log.max_item_lines (3) lines one by one" 3 "$nfail"
want=$(jq -s '[.[] | select(.itemType == "partition" and (.isSuccess | not))] | length' "$T/results.jsonl")
check "failed items: more failed than were logged" test "$want" -gt 3
check_eq "failed items: one summary with the count and MESSAGE_ID" "$want" \
  "$(jq -r -s '[.[] | select(.MESSAGE_ID == "18d14b5360824032bbddca06d1fde708" and .GLUE2DLF_ITEM_TYPE == "partition")][0].GLUE2DLF_COUNT' <<<"$J")"
check "snapshot rebuilt: a MESSAGE_ID and the duration" jq_any \
  '.MESSAGE_ID == "fbea25c1416f426a82e512f1acc2edd5" and .GLUE2DLF_DURATION_MS != null'
check "info level: no debug line" bash -c "! jq -e -s 'any(.[]; .PRIORITY == \"7\")' <<<'$(jq -c -s '[.[] | {PRIORITY}]' <<<"$J")' >/dev/null"

# 3. log-level debug at run time: retries and throttles appear, with their fields.
check_eq "log-level debug: exit 0" 0 "$(ctl log-level debug >"$T/ll.out"; echo $?)"
check "log-level: says what it was" grep -q "log level: debug (was info; log.level: info)" "$T/ll.out"
sim_post faults '{"side":"dlf","action":"ListDatabases","kind":"error500","count":1}'
# Throttling that does not follow the daemon's own rate (a quota shared with others).
sim_post faults '{"side":"dlf","action":"*","kind":"throttle","count":40}'
ctl sync --wait --full >/dev/null
J=$(journal)
check "log-level: the switch is logged with its MESSAGE_ID" jq_any \
  '.MESSAGE_ID == "0e65678b81844907b8a801586921a5b0" and .GLUE2DLF_LEVEL == "debug"'
check "debug: a retry line with API, status and attempt" jq_any \
  '.PRIORITY == "7" and .GLUE2DLF_API == "ListDatabases" and .GLUE2DLF_HTTP_STATUS == "500" and .GLUE2DLF_ATTEMPT == "1"'
check "debug: throttling is visible" jq_any \
  '.PRIORITY == "7" and (.MESSAGE | test("DLF .*: throttled after attempt"))'
check "debug: rate changes are visible" jq_any '.PRIORITY == "7" and (.MESSAGE | test("request rate (lowered|raised) to"))'
check "throttling storm: one notice with its MESSAGE_ID and the rate" jq_any \
  '.MESSAGE_ID == "3dfb1ce25ea34270b9c3b1d227e43449" and .GLUE2DLF_SIDE == "dlf" and .GLUE2DLF_RATE != null'

# 4. A reload applies log.level again.
ctl reload >/dev/null
check "reload: log.level is in force again" bash -c "'$BUILD/glue2dlfctl' --socket '$T/control.sock' log-level | grep -q '^log level: info'"
check_eq "log-level with a bad level: usage error 2" 2 "$("$BUILD/glue2dlfctl" --socket "$T/control.sock" log-level loud >/dev/null 2>&1; echo $?)"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
finish
