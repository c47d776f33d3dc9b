#!/usr/bin/env bash
# The systemd unit passes systemd-analyze verify (with paths pointed at the build).
source "$(dirname "$0")/lib.sh"
sed -e "s#/usr/sbin/glue2dlfd#$BUILD/glue2dlfd#; s#/usr/bin/glue2dlfctl#$BUILD/glue2dlfctl#" \
  "$ROOT/packaging/glue2dlf.service" >"$T/glue2dlf.service"
check "unit: systemd-analyze verify" systemd-analyze verify --man=no "$T/glue2dlf.service"
check "unit: Type=notify with watchdog and ctl reload" bash -c \
  "grep -qx 'Type=notify' '$T/glue2dlf.service' && grep -q '^WatchdogSec=' '$T/glue2dlf.service' && grep -q '^ExecReload=.*glue2dlfctl.* reload' '$T/glue2dlf.service' && grep -q '^RuntimeDirectory=glue2dlf' '$T/glue2dlf.service'"
check "reference config: glue2dlf.yaml passes --check-config" bash -c \
  "cp '$ROOT/glue2dlf.yaml' '$T/ref.yaml' && chmod 0600 '$T/ref.yaml' && '$BUILD/glue2dlfd' --config '$T/ref.yaml' --check-config >/dev/null"
finish
