#!/usr/bin/env bash
# glue2dlfctl as a monitoring and scripting tool: the exit status of sync --wait and health
# for every outcome, results --failed / --cycle, --version, per-command --help, --instance.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 5 --databases 3 || exit 1
CFG_SYNC_EXTRA='  run_on_start: false' write_config "$T/g2d.yaml"
start_daemon d "$T/g2d.yaml" || exit 1

# rc COMMAND...: the exit status, output to $T/out and $T/err.
rc() { "$@" >"$T/out" 2>"$T/err"; echo $?; }

# 1. Before any cycle: healthy (just started), a good cycle exits 0 and stays healthy.
check_eq "health before the first cycle: exit 0" 0 "$(rc ctl health)"
check "health before the first cycle: says no cycle finished yet" grep -q "^GLUE2DLF OK - no cycle finished yet" "$T/out"
check_eq "sync --wait, all items good: exit 0" 0 "$(rc ctl --json sync --wait)"
good=$(jq -r .cycle_id "$T/out")
check_eq "health after a good cycle: exit 0" 0 "$(rc ctl health)"
check "health: one line, OK, names the cycle" bash -c \
  "[ \$(wc -l <'$T/out') -eq 1 ] && grep -q '^GLUE2DLF OK - last cycle $good ok .* | last_ok_age=[0-9]*s;[0-9]* failed=0 held=0\$' '$T/out'"
check_eq "health --json: healthy true" true "$(ctl --json health | jq -r .healthy)"

# 2. A cycle with a failed item: DLF refuses to create one database.
sim_put glue/databases/new_bad '{"Description":"refused by DLF"}'
sim_post faults '{"side":"dlf","action":"CreateDatabase","kind":"deny","count":-1}'
check_eq "sync --wait, an item failed: exit 1" 1 "$(rc ctl --json sync --wait)"
bad=$(jq -r .cycle_id "$T/out")
check_eq "sync --wait, an item failed: the reply counts it" 1 "$(jq -r .failed "$T/out")"
check_eq "sync --wait (human output), an item failed: exit 1" 1 "$(rc ctl sync --wait)"
check "sync --wait, human output: the summary says failed" grep -q "partial .* 1 failed" "$T/out"
check_eq "health after a failed item: exit 1" 1 "$(rc ctl health)"
check "health after a failed item: WARNING names it" grep -q "^GLUE2DLF WARNING - last cycle [0-9]*: 1 item failed" "$T/out"
check_eq "results --failed: only the failed item" "new_bad new_bad" \
  "$(ctl --json results --failed | jq -r '[.items[] | select(.isSuccess == false) | .itemName] | join(" ")')"
check_eq "results --failed: nothing that succeeded" 0 \
  "$(ctl --json results --failed | jq '[.items[] | select(.isSuccess)] | length')"
check_eq "results --cycle: only that cycle's items" "$bad" \
  "$(ctl --json results --cycle "$bad" | jq -r '[.items[].cycleId] | unique | join(" ")')"
check_eq "results --cycle of the first copy: its 3 databases" 3 \
  "$(ctl --json results --cycle "$good" | jq '.items | length')"
check_eq "results --cycle=N --failed -n 1: one line" 1 \
  "$(ctl results --cycle="$bad" --failed -n 1 | wc -l)"
check "results --failed, human output: FAILED with the reason" bash -c \
  "'$BUILD/glue2dlfctl' --socket '$T/control.sock' results --failed | grep -q 'new_bad FAILED: .*Forbidden'"
check_eq "results --cycle of an unknown cycle: nothing" 0 "$(ctl --json results --cycle 999 | jq '.items | length')"
sim_del faults
check_eq "sync --wait after the fault is gone: exit 0" 0 "$(rc ctl sync --wait)"
check_eq "health: healthy again" 0 "$(rc ctl health)"

# 3. Stale and stuck, with thresholds from the command line.
sleep 2.2
check_eq "health --max-age 1: stale, exit 1" 1 "$(rc ctl health --max-age 1)"
check "health --max-age 1: says stale" grep -q "^GLUE2DLF WARNING - stale: last good cycle [0-9]* finished [0-9]*s ago (max 1s)" "$T/out"
check_eq "health --max-age 1h: exit 0" 0 "$(rc ctl health --max-age 1h)"
sim_post faults '{"side":"glue","action":"GetDatabases","kind":"latency","latency_ms":2500,"count":1}'
ctl sync >/dev/null
sleep 1.3
check_eq "health --max-running 1 during a long cycle: stuck, exit 1" 1 "$(rc ctl health --max-running 1)"
check "health --max-running 1: says stuck" grep -q "stuck: cycle [0-9]* running for [0-9]*s (max 1s)" "$T/out"
check_eq "health during the same cycle, default bound: exit 0" 0 "$(rc ctl health)"
check_eq "sync --wait on the running cycle: exit 0 when it ends well" 0 "$(rc ctl sync --wait)"

# 4. Held deletes: Glue suddenly lists nothing, the empty-source guard holds the deletes.
for n in $(sim_get glue/databases | jq -r '.DatabaseList[].Name'); do sim_del "glue/databases/$n"; done
check_eq "sync --wait, deletes held: exit 1" 1 "$(rc ctl --json sync --wait)"
held=$(jq -r .cycle_id "$T/out")
check_eq "sync --wait, deletes held: the reply counts them" 4 "$(jq -r .held "$T/out")"
check_eq "health with held deletes: exit 1" 1 "$(rc ctl health)"
check "health with held deletes: says so" grep -q "^GLUE2DLF WARNING - last cycle $held: 4 deletes held by the delete guard" "$T/out"
check_eq "results --failed --cycle: the 4 held deletes" 4 \
  "$(ctl --json results --failed --cycle "$held" | jq '[.items[] | select(.held)] | length')"

# 5. Usage errors exit 2, a daemon that cannot be reached 3.
check_eq "results --cycle 0: exit 2" 2 "$(rc ctl results --cycle 0)"
check_eq "health --max-age x: exit 2" 2 "$(rc ctl health --max-age x)"
check_eq "an unknown option of a command: exit 2" 2 "$(rc ctl status --wait)"
check_eq "an unknown command: exit 2" 2 "$(rc ctl frobnicate)"
cp "$T/g2d.yaml" "$T/g2d.good"
printf 'glue:\n  region: [x]\n' >"$T/g2d.yaml"
check_eq "the daemon answers an error (reload of an invalid config): exit 1" 1 "$(rc ctl reload)"
cp "$T/g2d.good" "$T/g2d.yaml"
stop_daemon
check_eq "the daemon is gone: status exits 3" 3 "$(rc ctl status)"
check_eq "the daemon is gone: health exits 3" 3 "$(rc ctl health)"
check "the daemon is gone: health prints UNKNOWN" grep -q "^GLUE2DLF UNKNOWN - cannot connect to '$T/control.sock'" "$T/out"

# 6. --version and per-command --help, without a daemon.
check_eq "glue2dlfctl --version" "glue2dlfctl $(sed -n 's/^#define G2D_VERSION "\(.*\)"/\1/p' "$ROOT/include/glue2dlf/version.h")" \
  "$("$BUILD/glue2dlfctl" --version)"
check_eq "glue2dlfd --version" "glue2dlfd $(sed -n 's/^#define G2D_VERSION "\(.*\)"/\1/p' "$ROOT/include/glue2dlf/version.h")" \
  "$("$BUILD/glue2dlfd" --version)"
for c in status sync plan pause resume reload results metrics health log-level report; do
  check_eq "$c --help: exit 0" 0 "$(rc "$BUILD/glue2dlfctl" "$c" --help)"
  check "$c --help: its own usage line" grep -q "^usage: glue2dlfctl .* $c" "$T/out"
  check_eq "help $c: the same text" "$(cat "$T/out")" "$("$BUILD/glue2dlfctl" help "$c")"
done
check "sync --help explains the exit status of --wait" grep -q "exit 1 if it failed" <("$BUILD/glue2dlfctl" sync --help)
check "results --help lists --failed and --cycle" bash -c "'$BUILD/glue2dlfctl' results --help | grep -q -- --failed && '$BUILD/glue2dlfctl' results --help | grep -q -- '--cycle ID'"
check "--help lists the exit status" bash -c "'$BUILD/glue2dlfctl' --help | grep -q '3 the daemon could not'"

# 7. --instance NAME reaches the socket glue2dlf@NAME.service gives its daemon.
unit_sock=$(sed -n 's/^ExecStart=.* --socket \([^ ]*\).*/\1/p' "$ROOT/packaging/glue2dlf@.service.in" | sed 's/%i/catalog-1/g')
check_eq "--instance: the template unit's socket" "cannot connect to '$unit_sock'" \
  "$("$BUILD/glue2dlfctl" --instance catalog-1 status 2>&1 | sed -n "s/^glue2dlfctl: \(cannot connect to '[^']*'\).*/\1/p")"
check "--instance: the unit's ExecReload= uses the same socket" \
  grep -q "^ExecReload=.*glue2dlfctl --instance %i reload" "$ROOT/packaging/glue2dlf@.service.in"
check_eq "--instance with a slash: exit 2" 2 "$(rc "$BUILD/glue2dlfctl" --instance a/b status)"
check_eq "--instance and --socket: exit 2" 2 "$(rc "$BUILD/glue2dlfctl" --instance a --socket /x status)"

finish
