#!/usr/bin/env bash
# Install the Debian packages glue2dlf needs to build, test and run its demo, if missing.
# Safe to run repeatedly: it only calls apt-get when something is absent.
set -euo pipefail

extra=()
case "${1:-}" in
  deb) extra=(debhelper dpkg-dev fakeroot lintian) ;;
  packaging) extra=(debootstrap systemd-container) ;;
  promtool) extra=(prometheus) ;;
  fuzz) extra=(clang libclang-rt-14-dev) ;; # libFuzzer and the sanitizers' runtimes
  chromium) extra=(chromium) ;; # renders glue2dlfctl report's page in make check # promtool, for `make check` to lint the metrics
esac
pkgs=(
  build-essential pkg-config
  libuv1-dev libcurl4-openssl-dev libssl-dev libjansson-dev libyaml-dev libsystemd-dev libxxhash-dev
  libcmocka-dev libmicrohttpd-dev
  systemd curl jq openssl ca-certificates clang-format man-db bc valgrind tmux
  "${extra[@]}"
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-deps: not root and no sudo; please install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# The prometheus package brings promtool and a service that must not start here: a
# policy-rc.d that refuses every start (Debian's own way for chroots and builders).
policy=""
if [ "${1:-}" = promtool ] && [ ! -e /usr/sbin/policy-rc.d ]; then
  policy=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 0755 "$policy"
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
[ -n "$policy" ] && $sudo rm -f "$policy"
exit 0
