#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Extracts the Rockchip board devicetrees from Debian's arm64 kernel packages
# into build/dtbs/rockchip/ (test inputs and the DTB a board image boots with;
# never committed, never installed):
#
#   RK3568 (rk3568-*.dtb), RK3399 (rk3399-rock-pi-4b.dtb, the porting
#   guide's third board) and the GICv2 RK3328 (rk3328-rock64.dtb, for the
#   refusal test): Debian 12's 6.1 kernel, the .deb scripts/linux-guest.sh
#   already fetched into build/deps/debs-linux.
#   RK3588 (rk3588*-*.dtb): Debian's 6.12 kernel from bookworm-backports,
#   fetched once through a private sources list (its lists in
#   build/deps/apt-backports, the .deb in build/deps/debs-boards); the host's
#   apt configuration and package lists are left alone.
#
# Usage: scripts/board-dtbs.sh   (idempotent; quick once the .debs are cached)
set -euo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/dtbs
linux_debs=$top/build/deps/debs-linux
board_debs=$top/build/deps/debs-boards
apt_dir=$top/build/deps/apt-backports
MIRROR=http://deb.debian.org/debian
SUITE=bookworm-backports

die() { echo "board-dtbs: $*" >&2; exit 1; }
say() { echo "board-dtbs: $*"; }

# apt_bp ARGS...: apt-get or apt-cache (first argument) on the backports list only.
apt_bp() {
  local tool=$1; shift
  "$tool" -o Dir::Etc::sourcelist="$apt_dir/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" \
    -o APT::Architectures::=arm64 -o APT::Sandbox::User=root "$@"
}

# The 6.12 kernel package: the one linux-image-arm64 of backports depends on.
fetch_612() {
  local pkg
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$board_debs"
  echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $SUITE main" \
    > "$apt_dir/sources.list"
  say "apt-get update ($SUITE, private lists)"
  apt_bp apt-get -qq update || die "cannot read the $SUITE package list"
  pkg=$(apt_bp apt-cache depends linux-image-arm64:arm64 |
        sed -n 's/^ *Depends: \(linux-image-6\.12[^ :<>]*-arm64\)\(:arm64\)\{0,1\}$/\1/p' | head -n1)
  [ -n "$pkg" ] || die "no linux-image-6.12*-arm64 in $SUITE"
  say "downloading $pkg"
  rm -f "$board_debs"/.partial.deb
  (cd "$board_debs" && apt_bp apt-get -qq download "$pkg:arm64") || die "apt-get download $pkg failed"
}

# extract DEB PATTERN...: the rockchip/ files of DEB matching the patterns.
extract() {
  local deb=$1 tmp; shift
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" RETURN
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards "${@/#/./usr/lib/linux-image-*/rockchip/}" ||
    die "$deb has no ${*}"
  mkdir -p "$out/rockchip"
  cp "$tmp"/usr/lib/linux-image-*/rockchip/*.dtb "$out/rockchip/"
}

deb61=$(ls "$linux_debs"/linux-image-6.1*_arm64.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb61" ]; then
  "$top/scripts/linux-guest.sh" >/dev/null
  deb61=$(ls "$linux_debs"/linux-image-6.1*_arm64.deb | head -n1)
fi
deb612=$(ls "$board_debs"/linux-image-6.12*_arm64.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb612" ] || ! dpkg-deb -I "$deb612" >/dev/null 2>&1; then
  rm -f "$board_debs"/*.deb
  fetch_612
  deb612=$(ls "$board_debs"/linux-image-6.12*_arm64.deb | head -n1)
fi
stamp=$out/.from
want="$(basename "$deb61") $(basename "$deb612") rk3399"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -rf "$out"
  extract "$deb61" 'rk3568-*.dtb' 'rk3328-rock64.dtb' 'rk3399-rock-pi-4b.dtb'
  extract "$deb612" 'rk3588-*.dtb' 'rk3588s-*.dtb'
  echo "$want" > "$stamp"
  say "$(ls "$out/rockchip" | wc -l) devicetrees in ${out#"$top"/}/rockchip"
fi
