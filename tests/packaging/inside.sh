#!/bin/bash
# Runs inside the booted test container (systemd is PID 1): the installed package against
# the simulator on the container's own loopback. Writes PASS/FAIL lines to
# /root/nspawn-result.txt, then powers the container off.
out=/root/nspawn-result.txt
: >"$out"
pass() { echo "PASS $*" >>"$out"; }
fail() { echo "FAIL $*" >>"$out"; }
check() { local n=$1; shift; if "$@" >>/root/nspawn-detail.txt 2>&1; then pass "$n"; else fail "$n"; fi; }
wait_for() { local i; for i in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
T=/root/g2d-test
mkdir -p "$T"

# The simulator, on 127.0.0.1 inside the container.
/root/g2d-test-bin/glue2dlf-sim --bind 127.0.0.1 --port-file "$T/ports" --seed 7 --databases 3 \
  --tables-per-db 2 --partitions-per-table 20 --glue-access-key-id AKIDTEST \
  --glue-secret-access-key glue-test-secret --dlf-access-key-id LTAITEST \
  --dlf-access-key-secret dlf-test-secret >"$T/sim.log" 2>&1 &
wait_for test -s "$T/ports"
GLUE=http://127.0.0.1:$(sed -n 's/^glue=//p' "$T/ports")
DLF=http://127.0.0.1:$(sed -n 's/^dlf=//p' "$T/ports")

# The keys as systemd credentials, through a drop-in: nothing secret in the YAML.
install -d -m 0700 /etc/glue2dlf/credentials
printf 'glue-test-secret' >/etc/glue2dlf/credentials/glue-secret-access-key
printf 'dlf-test-secret' >/etc/glue2dlf/credentials/dlf-access-key-secret
mkdir -p /etc/systemd/system/glue2dlf.service.d /etc/systemd/system/glue2dlf@.service.d
cat >/etc/systemd/system/glue2dlf.service.d/keys.conf <<CONF
[Service]
LoadCredential=glue-secret-access-key:/etc/glue2dlf/credentials/glue-secret-access-key
LoadCredential=dlf-access-key-secret:/etc/glue2dlf/credentials/dlf-access-key-secret
CONF
cp /etc/systemd/system/glue2dlf.service.d/keys.conf /etc/systemd/system/glue2dlf@.service.d/
config() { # config FILE RESULT
  cat >"$1" <<YAML
glue:
  region: us-east-1
  endpoint: $GLUE
  access_key_id: AKIDTEST
  secret_access_key_credential: glue-secret-access-key
dlf:
  region: cn-hangzhou
  endpoint: $DLF
  access_key_id: LTAITEST
  access_key_secret_credential: dlf-access-key-secret
sync:
  interval: 1h
result:
  path: $2
YAML
  chgrp glue2dlf "$1"
  chmod 0640 "$1"
}
config /etc/glue2dlf/glue2dlf.yaml /var/lib/glue2dlf/results.jsonl
systemctl daemon-reload

check "the unit is not enabled by the package" bash -c "! systemctl is-enabled -q glue2dlf.service"
check "systemctl enable --now glue2dlf" systemctl enable --now glue2dlf.service
check "active (running) after READY=1" bash -c \
  "[ \"\$(systemctl show -P ActiveState glue2dlf.service)/\$(systemctl show -P SubState glue2dlf.service)\" = active/running ]"
check "runs as the static user glue2dlf" bash -c \
  "[ \"\$(ps -o user= -p \$(systemctl show -P MainPID glue2dlf.service))\" = glue2dlf ]"
check "root: glue2dlfctl sync --wait" glue2dlfctl sync --wait
check "glue2dlfctl --version and glue2dlfd --version" bash -c \
  "glue2dlfctl --version | grep -q '^glue2dlfctl ' && /usr/sbin/glue2dlfd --version | grep -q '^glue2dlfd '"
check "the bash completion is installed where bash-completion looks" \
  bash -c "source /usr/share/bash-completion/completions/glue2dlfctl && complete -p glue2dlfctl"
useradd -m -G glue2dlf g2dop
useradd -m g2doutsider
check "a member of the group glue2dlf: glue2dlfctl status" runuser -u g2dop -- glue2dlfctl status
check "a member of the group glue2dlf: glue2dlfctl results" runuser -u g2dop -- glue2dlfctl results -n 5
check "a member of the group glue2dlf: glue2dlfctl metrics" runuser -u g2dop -- glue2dlfctl metrics
check "a member of the group glue2dlf: glue2dlfctl plan" runuser -u g2dop -- glue2dlfctl plan
check "a member of the group glue2dlf: glue2dlfctl health (exit 0, OK)" bash -c \
  "runuser -u g2dop -- glue2dlfctl health | grep -q '^GLUE2DLF OK - '"
check "a member of the group glue2dlf may not start a sync" bash -c "! runuser -u g2dop -- glue2dlfctl sync"
check "a member of the group glue2dlf reads the result log" runuser -u g2dop -- head -c 1 /var/lib/glue2dlf/results.jsonl
check "anyone else reaches neither the socket nor the log" bash -c \
  "! runuser -u g2doutsider -- glue2dlfctl status && ! runuser -u g2doutsider -- cat /var/lib/glue2dlf/results.jsonl"
check "journalctl -x: the catalog explains the cycle summary" bash -c \
  "journalctl -x -u glue2dlf.service MESSAGE_ID=d2687f0b68154c1f9476b6eee23781f9 --no-pager | grep -q 'Subject: glue2dlf sync cycle finished'"
check "journalctl -x: the catalog text of the cycle summary, naming its fields" bash -c \
  "journalctl -x -u glue2dlf.service MESSAGE_ID=d2687f0b68154c1f9476b6eee23781f9 --no-pager | grep -q 'Sync cycle <cycle_id> finished (<outcome>)'"
check "root: glue2dlfctl log-level debug" glue2dlfctl log-level debug
check "a member of the group glue2dlf may not switch the log level" bash -c "! runuser -u g2dop -- glue2dlfctl log-level trace"
check "systemctl reload glue2dlf" systemctl reload glue2dlf.service
check "still running after the reload" systemctl is-active -q glue2dlf.service

# One instance per catalog.
mkdir -p /var/lib/glue2dlf
config /etc/glue2dlf/second.yaml /var/lib/glue2dlf/second/results.jsonl
check "systemctl start glue2dlf@second" systemctl start glue2dlf@second.service
check "the instance answers on its own socket" glue2dlfctl --socket /run/glue2dlf-second/control.sock sync --wait
check "glue2dlfctl --instance second reaches it" bash -c \
  "glue2dlfctl --instance second --json status | grep -q '\"config\": \"/etc/glue2dlf/second.yaml\"'"
check "a member of the group glue2dlf: glue2dlfctl --instance second health" \
  runuser -u g2dop -- glue2dlfctl --instance second health
check "systemctl reload glue2dlf@second (ExecReload= through --instance)" systemctl reload glue2dlf@second.service
check "the instance has its own state directory, the service's" bash -c \
  "[ \"\$(stat -c %U /var/lib/glue2dlf/second)\" = glue2dlf ]"

systemd-analyze security glue2dlf.service >/root/nspawn-security.txt 2>&1
check "systemctl stop glue2dlf" systemctl stop glue2dlf.service glue2dlf@second.service
check "stopped cleanly (no failed state)" bash -c \
  "[ \"\$(systemctl show -P Result glue2dlf.service)\" = success ]"
journalctl -u glue2dlf.service -u glue2dlf@second.service --no-pager >/root/nspawn-journal.txt 2>&1
echo DONE >>"$out"
systemctl poweroff
