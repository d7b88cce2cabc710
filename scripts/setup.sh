#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs everything zvm needs to build, run and test, on Debian.
# Idempotent and non-interactive: a second run installs nothing and exits quickly.
set -euo pipefail

# No Debian QEMU here: Debian 12's 7.2 freezes on a guest timer with
# CNTV_CVAL + CNTVOFF past 2^64; zvm runs the bookworm-backports build that
# scripts/qemu-fetch.sh unpacks under build/deps/qemu (README "Which QEMU").
HOST_PKGS=(make gcc gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
  picolibc-aarch64-linux-gnu device-tree-compiler
  libcmocka-dev libfdt-dev python3-pytest python3-pexpect cpio gzip e2fsprogs
  python3-aiohttp libjs-chart.js chromium clang-format
  u-boot-tools u-boot-qemu file)
# Node and npm for the dashboard's browser test: Debian's, unless a node with
# its own npm is installed already (Debian's npm would conflict with it).
command -v node >/dev/null || HOST_PKGS+=(nodejs)
command -v npm >/dev/null || HOST_PKGS+=(npm)

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
# playwright-core (the dashboard's browser test drives Debian's chromium with
# it), from the npm registry into the build tree.
node_dir="$top/build/deps/node"
if [ ! -f "$node_dir/node_modules/playwright-core/package.json" ]; then
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --no-audit --no-fund --silent playwright-core
fi
"$top/scripts/qemu-fetch.sh"
echo "setup: ok"
