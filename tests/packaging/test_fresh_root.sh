#!/usr/bin/env bash
# The README's two commands on a truly fresh Debian 12: a debootstrap minbase root (cached
# between runs on one machine) with nothing installed but git and make, a clone of this
# repository inside it, then exactly `make demo` and `make check` as a new user runs them.
#   tests/packaging/test_fresh_root.sh
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${G2D_NSPAWN_CACHE:-/var/cache/glue2dlf-ci}
MIRROR=$(sed -n 's/^URIs: *//p; s/^deb \(http[^ ]*\) bookworm .*/\1/p' /etc/apt/sources.list.d/*.sources \
  /etc/apt/sources.list 2>/dev/null | grep -v security | head -1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
W=$(mktemp -d /var/tmp/g2d-fresh.XXXXXX)
R="$W/root"
cleanup() {
  local m
  for m in "$R/dev/pts" "$R/dev" "$R/proc" "$R/sys"; do mountpoint -q "$m" && umount -l "$m"; done
  rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$CACHE"
base="$CACHE/bookworm-minbase.tar"
if [ ! -s "$base" ]; then
  echo "fresh-root: debootstrap --variant=minbase bookworm from $MIRROR (cached in $base)" >&2
  debootstrap --variant=minbase bookworm "$W/base" "$MIRROR" >"$W/debootstrap.log" 2>&1 ||
    { tail -20 "$W/debootstrap.log"; echo "FAIL debootstrap"; exit 1; }
  tar -C "$W/base" -cf "$base.tmp" . && mv "$base.tmp" "$base"
  rm -rf "$W/base"
fi
mkdir -p "$R"
tar -C "$R" -xf "$base"
cp /etc/resolv.conf "$R/etc/resolv.conf"
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount --rbind /sys "$R/sys"
pass=0 fail=0
step() { # step NAME COMMAND (run in the root)
  local name=$1; shift
  if chroot "$R" bash -c "$*" >"$W/step.log" 2>&1; then
    echo "PASS $name"; pass=$((pass + 1))
  else
    tail -40 "$W/step.log"; echo "FAIL $name"; fail=$((fail + 1))
  fi
}
step "only git and make installed" \
  "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git make ca-certificates"
git clone -q "$ROOT" "$R/root/glue2dlf"
step "fresh root: make demo" "cd /root/glue2dlf && make demo"
step "fresh root: make check" "cd /root/glue2dlf && make check"
grep -E '^[0-9]+ passed, [0-9]+ failed' "$W/step.log" | tail -1 | sed 's/^/fresh root: /'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
