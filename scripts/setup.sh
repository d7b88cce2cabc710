#!/usr/bin/env bash
# Installs everything zvm needs to build, run and test, on Debian.
# Idempotent and non-interactive: a second run installs nothing and exits quickly.
set -euo pipefail

HOST_PKGS=(make gcc gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
  picolibc-aarch64-linux-gnu qemu-system-arm device-tree-compiler
  libcmocka-dev libfdt-dev python3-pytest python3-pexpect cpio gzip e2fsprogs
  u-boot-tools u-boot-qemu file)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${HOST_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  need_update=1
fi

if [ ${#missing[@]} -gt 0 ] || [ -n "${need_update:-}" ]; then
  echo "setup: installing ${missing[*]:-(arm64 architecture)}"
  $SUDO apt-get update -qq
  [ ${#missing[@]} -eq 0 ] || $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# libfdt for the target: fetched as an arm64 .deb and unpacked into the build
# tree, never installed system-wide.
top=$(cd "$(dirname "$0")/.." && pwd)
fdt="$top/build/deps/libfdt"
if [ ! -f "$fdt/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
  mkdir -p "$top/build/deps/debs" "$fdt"
  (cd "$top/build/deps/debs" && apt-get download -qq libfdt-dev:arm64 libfdt1:arm64 2>/dev/null \
    || { $SUDO apt-get update -qq && apt-get download -qq libfdt-dev:arm64 libfdt1:arm64; })
  for d in "$top"/build/deps/debs/libfdt*.deb; do dpkg-deb -x "$d" "$fdt"; done
fi
echo "setup: ok"
