#!/usr/bin/env bash
# The Debian package for real: a fresh Debian 12 root (debootstrap minbase, cached between
# runs on one machine), the .deb installed with apt, the root booted with a real systemd
# (systemd-nspawn --boot, its own network namespace: only its loopback), and inside it
# (inside.sh) the service started, checked as root and as a member of the group glue2dlf,
# reloaded, an instance of the template unit started, and all stopped.
#   tests/packaging/test_deb_nspawn.sh BUILD DEB
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?BUILD}" && pwd)
DEB=$(cd "$(dirname "${2:?DEB}")" && pwd)/$(basename "$2")
CACHE=${G2D_NSPAWN_CACHE:-/var/cache/glue2dlf-ci}
MIRROR=$(sed -n 's/^URIs: *//p; s/^deb \(http[^ ]*\) bookworm .*/\1/p' /etc/apt/sources.list.d/*.sources \
  /etc/apt/sources.list 2>/dev/null | grep -v security | head -1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
W=$(mktemp -d /var/tmp/g2d-nspawn.XXXXXX)
cleanup() { rm -rf "$W"; }
trap cleanup EXIT
say() { echo "nspawn: $*" >&2; }

mkdir -p "$CACHE"
base="$CACHE/bookworm-minbase-systemd.tar"
if [ ! -s "$base" ]; then
  say "building the base root with debootstrap from $MIRROR (cached in $base)"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,procps,passwd,util-linux \
    bookworm "$W/base" "$MIRROR" >"$W/debootstrap.log" 2>&1 ||
    { tail -20 "$W/debootstrap.log"; echo "FAIL debootstrap"; exit 1; }
  tar -C "$W/base" -cf "$base.tmp" . && mv "$base.tmp" "$base"
  rm -rf "$W/base"
fi
R="$W/root"
mkdir -p "$R"
tar -C "$R" -xf "$base"
cp /etc/resolv.conf "$R/etc/resolv.conf"
mkdir -p "$R/root/g2d-test-bin"
cp "$DEB" "$R/root/"
cp "$BUILD/glue2dlf-sim" "$R/root/g2d-test-bin/"
cp "$ROOT/tests/packaging/inside.sh" "$R/root/inside.sh"
# Install as a user would: apt with the package file (its dependencies from the mirror).
mount -t proc proc "$R/proc"
chroot "$R" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  /root/$(basename "$DEB") libmicrohttpd12" >"$W/apt.log" 2>&1
rc=$?
umount "$R/proc"
[ $rc -eq 0 ] || { tail -20 "$W/apt.log"; echo "FAIL apt install ./$(basename "$DEB")"; exit 1; }
echo "PASS apt install ./$(basename "$DEB")"
# The checks run as a unit of the booted system, then power it off.
cat >"$R/etc/systemd/system/g2d-selftest.service" <<'UNIT'
[Unit]
Description=glue2dlf package self-test
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/root/inside.sh
StandardOutput=journal+console
UNIT
mkdir -p "$R/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/g2d-selftest.service "$R/etc/systemd/system/multi-user.target.wants/"
echo g2d-test >"$R/etc/hostname"
timeout 300 systemd-nspawn -q -D "$R" --boot --private-network --register=no --keep-unit \
  >"$W/boot.log" 2>&1 </dev/null
rc=$?
if [ ! -s "$R/root/nspawn-result.txt" ]; then
  tail -40 "$W/boot.log"; echo "FAIL the container booted and ran the checks (exit $rc)"; exit 1
fi
grep -v '^DONE' "$R/root/nspawn-result.txt"
grep -q '^DONE' "$R/root/nspawn-result.txt" || echo "FAIL the checks ran to the end" >>"$R/root/nspawn-result.txt"
if grep -q '^FAIL' "$R/root/nspawn-result.txt"; then
  echo "--- details:"; tail -40 "$R/root/nspawn-detail.txt" 2>/dev/null
  echo "--- journal:"; tail -40 "$R/root/nspawn-journal.txt" 2>/dev/null
fi
exposure=$(sed -n 's/.*Overall exposure level for glue2dlf.service: \([0-9.]*\).*/\1/p' \
  "$R/root/nspawn-security.txt")
echo "systemd-analyze security glue2dlf.service: ${exposure:-?}"
if [ -n "$exposure" ] && awk "BEGIN { exit !($exposure <= 1.6) }"; then
  echo "PASS systemd-analyze security: exposure $exposure (at most 1.6)" | tee -a "$R/root/nspawn-result.txt"
else
  echo "FAIL systemd-analyze security: exposure ${exposure:-unknown} (at most 1.6)" | tee -a "$R/root/nspawn-result.txt"
fi
p=$(grep -c '^PASS' "$R/root/nspawn-result.txt")
f=$(grep -c '^FAIL' "$R/root/nspawn-result.txt")
echo "$((p + 1)) passed, $f failed"
[ "$f" -eq 0 ]
