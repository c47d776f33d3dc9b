#!/usr/bin/env bash
# The daemon's control surface: glue2dlfctl commands, reload, sd_notify, wrong secrets.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 7 --databases 5 || exit 1

# 1. Wrong secrets give a clear error and a non-zero --once exit.
CFG_GLUE_SK=wrong-secret write_config "$T/badglue.yaml"
g2dd --config "$T/badglue.yaml" --once >"$T/badglue.log" 2>&1
check_eq "wrong AWS secret: --once exits 1" 1 $?
check "wrong AWS secret: error names InvalidSignatureException" \
  grep -q InvalidSignatureException "$T/badglue.log"
check "wrong AWS secret: the secret never reaches the log" \
  bash -c "! grep -q -e wrong-secret -e '$GLUE_SK' '$T/badglue.log'"
CFG_DLF_SK=wrong-secret write_config "$T/baddlf.yaml"
g2dd --config "$T/baddlf.yaml" --once >"$T/baddlf.log" 2>&1
check_eq "wrong DLF secret: --once exits 1" 1 $?
check "wrong DLF secret: error names SignatureDoesNotMatch" \
  grep -q SignatureDoesNotMatch "$T/baddlf.log"
check_eq "wrong DLF secret: nothing was written" "" "$(dlf_names | tr -d ' ')"
# A signature mismatch may echo the string to sign, with the STS token in it: never logged.
CFG_DLF_SIG=roa CFG_DLF_SK=wrong-secret CFG_DLF_EXTRA='  security_token: sts-token-must-not-leak-4711' \
  write_config "$T/sts.yaml"
g2dd --config "$T/sts.yaml" --once >"$T/sts.log" 2>&1
check_eq "STS token: --once exits 1" 1 $?
check "STS token: the error is still explained" grep -q SignatureDoesNotMatch "$T/sts.log"
check "STS token: never in the log or the result lines" bash -c \
  "! grep -q sts-token-must-not-leak '$T/sts.log' '$T/results.jsonl' 2>/dev/null"


# 2. Bad config: exit 2 with file:line:col.
printf 'glue:\n  region: us-east-1\n  bogus: 1\ndlf:\n  region: cn-hangzhou\n' >"$T/bad.yaml"
chmod 0600 "$T/bad.yaml"
g2dd --config "$T/bad.yaml" --check-config >"$T/check.log" 2>&1
check_eq "bad config: --check-config exits 2" 2 $?
check "bad config: message names file:line:col" grep -q "bad.yaml:3:3" "$T/check.log"

# 3. ROA signatures work as well as ACS3.
CFG_DLF_SIG=roa write_config "$T/roa.yaml"
g2dd --config "$T/roa.yaml" --once >"$T/roa.log" 2>&1
check_eq "ROA signing: --once exits 0" 0 $?
check_eq "ROA signing: databases created" "$(glue_names)" "$(dlf_names)"

# 4. sd_notify and ctl commands on a running daemon (with work to do: three new databases).
for n in new_a new_b new_c; do sim_put "glue/databases/$n" "{\"Description\":\"$n\"}"; done
write_config "$T/g2d.yaml"
"$BUILD/tests/notify-recv" "$T/notify.sock" "$T/notify.txt" &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$T/notify.sock" ] && break; sleep 0.05; done
(
  export NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=400000 WATCHDOG_PID=$BASHPID
  exec ${G2D_DAEMON_WRAPPER:-} "$BUILD/glue2dlfd" --config "$T/g2d.yaml" >"$T/d.log" 2>&1
) &
DAEMON_PID=$!
PIDS+=($DAEMON_PID)
for _ in $(seq 200); do ctl status >/dev/null 2>&1 && break; sleep 0.05; done
ctl sync --wait >/dev/null
check_eq "ctl sync --wait: exit 0" 0 $?
check "notify: READY=1 sent" grep -qx 'READY=1' "$T/notify.txt"
check "notify: STATUS= sent" grep -q '^STATUS=' "$T/notify.txt"
sleep 0.5
check "notify: WATCHDOG=1 sent" grep -qx 'WATCHDOG=1' "$T/notify.txt"

ctl --json status >"$T/status.json"
check_eq "status: state idle" idle "$(jq -r .state "$T/status.json")"
check_eq "status: knows its config" "$T/g2d.yaml" "$(jq -r .config "$T/status.json")"
check "status: human output" bash -c "ctl() { '$BUILD/glue2dlfctl' --socket '$T/control.sock' \"\$@\"; }; ctl status | grep -qi state"

ctl pause >/dev/null
check_eq "pause: status says paused" true "$(ctl --json status | jq -r .paused)"
ctl resume >/dev/null
check_eq "resume: status says not paused" false "$(ctl --json status | jq -r .paused)"

check_eq "results: the last results are listed" "new_a new_b new_c" \
  "$(ctl --json results -n 3 | jq -r '[.items[].itemName] | sort | join(" ")')"
check "results: human output has one line per item" bash -c "[ \$('$BUILD/glue2dlfctl' --socket '$T/control.sock' results -n 2 | grep -c glueNew) -eq 2 ]"
check "metrics: Prometheus text" bash -c "'$BUILD/glue2dlfctl' --socket '$T/control.sock' metrics | grep -q '^glue2dlf_cycles_total'"

# reload: an invalid file is rejected and the old config stays; a valid one is taken.
cp "$T/g2d.yaml" "$T/g2d.good"
printf 'glue:\n  region: [x]\n' >"$T/g2d.yaml"
ctl reload >"$T/reload1.out" 2>&1
check_eq "reload: invalid config gives a non-zero exit" 1 $?
check "reload: the error names file:line:col" grep -q "g2d.yaml:2:" "$T/reload1.out"
ctl sync --wait >/dev/null
check_eq "reload: the old config keeps working" 0 $?
cp "$T/g2d.good" "$T/g2d.yaml"
ctl reload >/dev/null
check_eq "reload: a valid config is accepted" 0 $?
sed -i 's/^  timeout: 10s$/  timeout: 20s/' "$T/g2d.yaml"
ctl reload >"$T/reload2.out" 2>&1
check_eq "reload: an http change is accepted" 0 $?
check "reload: it says http.timeout needs a restart" grep -q "'http.timeout' takes effect only after a restart" "$T/reload2.out"
cp "$T/g2d.good" "$T/g2d.yaml"
check "notify: RELOADING=1 sent" grep -q '^RELOADING=1' "$T/notify.txt"
kill -HUP "$DAEMON_PID"
sleep 0.3
check_eq "SIGHUP: daemon still serves" 0 "$(ctl status >/dev/null; echo $?)"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
check_eq "SIGTERM: exit 0" 0 $?
check "notify: STOPPING=1 sent" grep -qx 'STOPPING=1' "$T/notify.txt"
check "ctl: cannot connect → exit 3" bash -c "'$BUILD/glue2dlfctl' --socket '$T/control.sock' status >/dev/null 2>&1; [ \$? -eq 3 ]"

finish
