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
check "man: glue2dlf.yaml(5) is generated from the current glue2dlf.yaml" bash -c \
  "'$ROOT/tools/mkman-yaml.sh' | cmp -s - '$ROOT/packaging/glue2dlf.yaml.5'"
for m in glue2dlfd.8 glue2dlfctl.1 glue2dlf.yaml.5; do
  check "man: $m renders without warnings" bash -c \
    "! LC_ALL=C.UTF-8 MANROFFSEQ='' man --warnings -E UTF-8 -l '$ROOT/packaging/$m' 2>&1 >/dev/null | grep -q ."
done
finish
