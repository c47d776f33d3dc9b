#!/usr/bin/env bash
# The systemd unit passes systemd-analyze verify (with paths pointed at the build).
source "$(dirname "$0")/lib.sh"
for u in glue2dlf.service glue2dlf@.service; do
  sed -e "s#@SBINDIR@#$BUILD#g; s#@BINDIR@#$BUILD#g" "$ROOT/packaging/$u.in" >"$T/$u"
done
cp "$T/glue2dlf@.service" "$T/glue2dlf@test.service"
check "unit: systemd-analyze verify" systemd-analyze verify --man=no "$T/glue2dlf.service"
check "template unit: systemd-analyze verify of an instance" \
  systemd-analyze verify --man=no "$T/glue2dlf@test.service"
check "template unit: its own config, socket and state directory" bash -c \
  "grep -q -- '--config /etc/glue2dlf/%i.yaml --socket /run/glue2dlf-%i/control.sock' '$T/glue2dlf@.service' && grep -qx 'RuntimeDirectory=glue2dlf-%i' '$T/glue2dlf@.service' && grep -qx 'StateDirectory=glue2dlf/%i' '$T/glue2dlf@.service'"
check "template unit: reloads through glue2dlfctl --instance" grep -qx "ExecReload=$BUILD/glue2dlfctl --instance %i reload" "$T/glue2dlf@.service"
mkdir -p "$T/inst"
make -s -C "$ROOT" install DESTDIR="$T/inst" PREFIX=/usr BUILD="$BUILD" >/dev/null 2>&1
check "make install: ExecStart= follows PREFIX" grep -qx 'ExecStart=/usr/sbin/glue2dlfd --config /etc/glue2dlf/glue2dlf.yaml' "$T/inst/usr/lib/systemd/system/glue2dlf.service"
check "make install: binaries, sysusers, man pages, config" bash -c \
  "test -x '$T/inst/usr/sbin/glue2dlfd' && test -x '$T/inst/usr/bin/glue2dlfctl' && test -f '$T/inst/usr/lib/sysusers.d/glue2dlf.conf' && test -f '$T/inst/usr/share/man/man8/glue2dlfd.8' && test -f '$T/inst/etc/glue2dlf/glue2dlf.yaml'"
check "make install: the bash completion" cmp -s "$ROOT/packaging/glue2dlfctl.bash-completion" \
  "$T/inst/usr/share/bash-completion/completions/glue2dlfctl"
echo "# edited" >>"$T/inst/etc/glue2dlf/glue2dlf.yaml"
make -s -C "$ROOT" install DESTDIR="$T/inst" PREFIX=/usr BUILD="$BUILD" >/dev/null 2>&1
check "make install: an existing config is kept" grep -qx '# edited' "$T/inst/etc/glue2dlf/glue2dlf.yaml"
check "unit: Type=notify with watchdog and ctl reload" bash -c \
  "grep -qx 'Type=notify' '$T/glue2dlf.service' && grep -q '^WatchdogSec=' '$T/glue2dlf.service' && grep -q '^ExecReload=.*glue2dlfctl.* reload' '$T/glue2dlf.service' && grep -q '^RuntimeDirectory=glue2dlf' '$T/glue2dlf.service'"
check "reference config: glue2dlf.yaml passes --check-config (keys in the environment)" bash -c \
  "cp '$ROOT/glue2dlf.yaml' '$T/ref.yaml' && chmod 0600 '$T/ref.yaml' && AWS_ACCESS_KEY_ID=AKIDREF AWS_SECRET_ACCESS_KEY=ref ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIREF ALIBABA_CLOUD_ACCESS_KEY_SECRET=ref '$BUILD/glue2dlfd' --config '$T/ref.yaml' --check-config >/dev/null"
check "reference config: without any credentials --check-config exits 2" bash -c \
  "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u ALIBABA_CLOUD_ACCESS_KEY_ID -u ALIBABA_CLOUD_ACCESS_KEY_SECRET AWS_EC2_METADATA_DISABLED=true HOME='$T' AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent '$BUILD/glue2dlfd' --config '$T/ref.yaml' --check-config >/dev/null 2>&1; test \$? -eq 2"
check "man: glue2dlf.yaml(5) is generated from the current glue2dlf.yaml" bash -c \
  "'$ROOT/tools/mkman-yaml.sh' | cmp -s - '$ROOT/packaging/glue2dlf.yaml.5'"
for m in glue2dlfd.8 glue2dlfctl.1 glue2dlf.yaml.5; do
  check "man: $m renders without warnings" bash -c \
    "! LC_ALL=C.UTF-8 MANROFFSEQ='' man --warnings -E UTF-8 -l '$ROOT/packaging/$m' 2>&1 >/dev/null | grep -q ."
done
finish
