#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Linux guest's images from Debian's arm64 packages, without
# installing any of them:
#
#   build/linux/Image           the kernel of linux-image-arm64 (arm64 Image)
#   build/linux/initrd.cpio.gz  busybox-static, guests/linux/ (/init,
#                               /etc/inittab, /etc/profile), cyclictest,
#                               hackbench and oslat (rt-tests) with
#                               the shared libraries they need (cpio newc, gzip)
#
# The .debs are fetched once with `apt-get download` into the cache
# (build/deps/debs-linux, or $ZVM_LINUX_DEBS), which `make clean` keeps.
# packages.lock there lists what was resolved (package, version, file,
# sha256); while it matches the cache nothing is asked of apt. Delete the
# cache directory to move to newer packages. The archive is packed
# reproducibly: same cache and same guests/linux/ give the same bytes.
#
# Usage: scripts/linux-guest.sh   (run by `make`; output in build/linux/)
set -euo pipefail
umask 022
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${ZVM_LINUX_DEBS:-$top/build/deps/debs-linux}
out=$top/build/linux
lock=$cache/packages.lock
epoch=${SOURCE_DATE_EPOCH:-0}            # mtime of every file in the archive
RT_TOOLS=(cyclictest hackbench oslat)    # from rt-tests, into /usr/bin
# Kernel modules /init loads, in this order (each after what it depends on):
# virtio-mmio, -blk, -console and -net are modules in Debian's kernel, and so
# is ext4, and the SP805 watchdog driver. crc32c_generic comes first because ext4 and jbd2 ask the crypto
# API for "crc32c", which cannot load modules by itself here (no modules.dep).
MODULES=(kernel/crypto/crc32c_generic kernel/lib/crc16 kernel/fs/mbcache kernel/fs/jbd2/jbd2
         kernel/fs/ext4/ext4 kernel/drivers/virtio/virtio_mmio kernel/drivers/block/virtio_blk
         kernel/drivers/char/virtio_console kernel/net/core/failover
         kernel/drivers/net/net_failover kernel/drivers/net/virtio_net
         kernel/drivers/watchdog/sp805_wdt)
DLOPENED=(libgcc_s.so.1)                 # loaded by glibc at run time (pthread_cancel)

die() { echo "linux-guest: $*" >&2; exit 1; }
say() { echo "linux-guest: $*"; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# ---- the packages: resolved and downloaded once ----

# cache_ok: the lock exists and every .deb it lists is there, unchanged.
cache_ok() {
  [ -s "$lock" ] || return 1
  local file
  # shellcheck disable=SC2013
  for file in $(awk '{ print $3 }' "$lock"); do
    [ -f "$cache/$file" ] || return 1
  done
  (cd "$cache" && awk '{ print $4 "  " $3 }' "$lock" | sha256sum --quiet -c - >/dev/null 2>&1)
}

apt_update() {
  say "apt-get update"
  $SUDO apt-get update -qq
}

# lib_deps PKG...: the lib* packages PKG depends on, transitively (PKG excluded).
lib_deps() {
  local todo=("$@") seen=" $* " p d
  while [ ${#todo[@]} -gt 0 ]; do
    p=${todo[0]}; todo=("${todo[@]:1}")
    for d in $(apt-cache depends --no-recommends --no-suggests --no-conflicts \
                 --no-breaks --no-replaces --no-enhances "$p:arm64" |
               sed -n 's/^ *|\{0,1\}Depends: \(lib[^ :<>]*\)\(:arm64\)\{0,1\}$/\1/p'); do
      case $seen in *" $d "*) continue ;; esac
      seen+="$d "; todo+=("$d"); echo "$d"
    done
  done
}

# resolve: the package names to fetch, one a line.
resolve() {
  local kpkg
  kpkg=$(apt-cache depends linux-image-arm64:arm64 |
         sed -n 's/^ *|\{0,1\}Depends: \(linux-image-[0-9][^ :<>]*-arm64\)\(:arm64\)\{0,1\}$/\1/p' | head -n1)
  [ -n "$kpkg" ] || return 1
  printf '%s\n' "$kpkg" busybox-static rt-tests
  lib_deps rt-tests
}

# download DIR PKG...: the arm64 .debs of PKG into DIR (apt's output in DIR/apt.log).
download() {
  local dir=$1; shift
  (cd "$dir" && apt-get download -q "${@/%/:arm64}" > apt.log 2>&1)
}

fetch() {
  local pkgs tmp d
  # apt-get download needs the arm64 architecture (scripts/setup.sh adds it).
  dpkg --print-foreign-architectures | grep -qx arm64 || "$top/scripts/setup.sh" >/dev/null
  apt-cache show linux-image-arm64:arm64 >/dev/null 2>&1 || apt_update
  pkgs=$(resolve) || { apt_update; pkgs=$(resolve); } || die "cannot resolve linux-image-arm64:arm64"
  # shellcheck disable=SC2086
  say "downloading" $pkgs
  tmp=$cache/.partial
  rm -rf "$tmp"; mkdir -p "$tmp"
  # shellcheck disable=SC2086
  if ! download "$tmp" $pkgs; then
    # The lists may be older than the archive (a file went away): update, retry.
    apt_update
    pkgs=$(resolve) || die "cannot resolve linux-image-arm64:arm64"
    rm -f "$tmp"/*.deb
    # shellcheck disable=SC2086
    download "$tmp" $pkgs || { cat "$tmp/apt.log" >&2; die "apt-get download failed"; }
  fi
  rm -f "$tmp/apt.log"
  : > "$tmp/packages.lock"
  for p in $pkgs; do
    set -- "$tmp/${p}_"*_arm64.deb
    { [ $# -eq 1 ] && [ -f "$1" ]; } || die "apt-get download gave no single .deb for $p"
    d=${1##*/}
    echo "$p $(dpkg-deb -f "$1" Version) $d $(sha256sum < "$1" | cut -d' ' -f1)" >> "$tmp/packages.lock"
  done
  # Only now replace the cache: an interrupted download leaves no lock.
  rm -f "$lock" "$cache"/*.deb
  mv "$tmp"/*.deb "$cache/"
  mv "$tmp/packages.lock" "$lock"
  rmdir "$tmp"
}

mkdir -p "$cache"
if ! cache_ok; then
  t0=$(date +%s)
  fetch
  say "fetched $(du -ch "$cache"/*.deb | tail -n1 | cut -f1) in $(( $(date +%s) - t0 )) s into ${cache#"$top"/}"
fi
cache_ok || die "the cache $cache does not match its packages.lock"

# deb_of PKG: the cached .deb of PKG.
deb_of() {
  local f
  f=$(awk -v p="$1" '$1 == p { print $3 }' "$lock")
  [ -n "$f" ] || die "$1 is not in $lock"
  echo "$cache/$f"
}
kpkg=$(awk '$1 ~ /^linux-image-/ { print $1 }' "$lock")
kver=${kpkg#linux-image-}
libpkgs=$(awk '$1 ~ /^lib/ { print $1 }' "$lock")

# ---- unpack ----
mkdir -p "$out"
for r in root-kernel root-busybox root-rt-tests root-libs initramfs; do
  rm -rf "${out:?}/$r"
  mkdir -p "$out/$r"
done
# Of the kernel package only the kernel itself and the modules of MODULES.
ko_paths=()
for m in "${MODULES[@]}"; do ko_paths+=("./lib/modules/$kver/$m.ko"); done
dpkg-deb --fsys-tarfile "$(deb_of "$kpkg")" |
  tar -x -C "$out/root-kernel" "./boot/vmlinuz-$kver" "${ko_paths[@]}" ||
  die "no /boot/vmlinuz-$kver or a module of MODULES in $(deb_of "$kpkg")"

dpkg-deb -x "$(deb_of busybox-static)" "$out/root-busybox"
dpkg-deb -x "$(deb_of rt-tests)" "$out/root-rt-tests"
for p in $libpkgs; do
  dpkg-deb -x "$(deb_of "$p")" "$out/root-libs"
done

# ---- the kernel ----
vmlinuz=$out/root-kernel/boot/vmlinuz-$kver
magic() { od -An -tx1 -v -j "$2" -N "$3" "$1" | tr -d ' \n'; }
case $(magic "$vmlinuz" 0 2) in
  1f8b) gzip -dc "$vmlinuz" > "$out/Image.tmp" ;;
  *)    cp "$vmlinuz" "$out/Image.tmp" ;;
esac
[ "$(magic "$out/Image.tmp" 56 4)" = 41524d64 ] ||
  die "$vmlinuz is not an arm64 Image (no \"ARM\\x64\" at offset 56; an EFI zboot image?)"
mv "$out/Image.tmp" "$out/Image"

# ---- the initramfs tree ----
st=$out/initramfs
mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc,lib/aarch64-linux-gnu}
chmod 1777 "$st/tmp"
chmod 700 "$st/root"
install -m 755 "$out/root-busybox/bin/busybox" "$st/bin/busybox"
ln -s busybox "$st/bin/sh"
install -m 755 "$top/guests/linux/init" "$st/init"
install -m 644 "$top/guests/linux/inittab" "$st/etc/inittab"
install -m 644 "$top/guests/linux/profile" "$st/etc/profile"
# root's entry: names in `ls -l`, and ~ for $HOME in the shell's prompt.
echo 'root:x:0:0:root:/root:/bin/sh' > "$st/etc/passwd"
echo 'root:x:0:' > "$st/etc/group"
for t in "${RT_TOOLS[@]}"; do
  install -m 755 "$out/root-rt-tests/usr/bin/$t" "$st/usr/bin/$t"
done
# zvm-ring (guests/linux/zvm-ring.c, with lib/shm_ring.c): messages over
# zvm's shared-memory rings. Static, so it needs none of the libraries below.
aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -I"$top/include" -o "$out/zvm-ring" \
  "$top/guests/linux/zvm-ring.c" "$top/lib/shm_ring.c" || die "cannot build guests/linux/zvm-ring.c"
install -m 755 "$out/zvm-ring" "$st/usr/bin/zvm-ring"

# The modules, each after the ones it depends on (from its .modinfo).
mkdir -p "$st/lib/modules"
: > "$st/etc/modules"
loaded=" "
for m in "${MODULES[@]}"; do
  ko=$out/root-kernel/lib/modules/$kver/$m.ko name=${m##*/}
  deps=$(aarch64-linux-gnu-objcopy -O binary -j .modinfo "$ko" /dev/stdout 2>/dev/null | tr '\0' '\n' |
         sed -n 's/^depends=//p' | tr ',' ' ')
  for d in $deps; do
    case $loaded in *" $d "*) ;; *) die "module $name needs $d: add it before $name in MODULES" ;; esac
  done
  install -m 644 "$ko" "$st/lib/modules/$name.ko"
  echo "$name" >> "$st/etc/modules"
  loaded+="$name "
done

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }
# find_lib SONAME: its path in the unpacked libraries.
find_lib() {
  local d
  for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib; do
    if [ -e "$out/root-libs/$d/$1" ]; then echo "$d/$1"; return; fi
  done
  return 1
}
# The libraries the tools need, transitively, each copied as its soname.
interp=$(readelf -l "$st/usr/bin/${RT_TOOLS[0]}" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
[ "$interp" = /lib/ld-linux-aarch64.so.1 ] || die "unexpected program interpreter '$interp'"
todo=()
for t in "${RT_TOOLS[@]}"; do mapfile -t -O ${#todo[@]} todo < <(needed "$st/usr/bin/$t"); done
todo+=("${DLOPENED[@]}")
done_libs=" "
while [ ${#todo[@]} -gt 0 ]; do
  so=${todo[0]}; todo=("${todo[@]:1}")
  case $done_libs in *" $so "*) continue ;; esac
  done_libs+="$so "
  rel=$(find_lib "$so") || die "no package of [$libpkgs] has $so (needed by ${RT_TOOLS[*]})"
  install -D -m "$(stat -L -c %a "$out/root-libs/$rel")" "$out/root-libs/$rel" "$st/$rel"
  mapfile -t -O ${#todo[@]} todo < <(needed "$st/$rel")
done
# The program interpreter: /lib/ld-linux-aarch64.so.1, a link as in libc6.
[ -f "$st/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" ] ||
  die "ld-linux-aarch64.so.1 is not among the libraries"
[ -e "$st/lib/ld-linux-aarch64.so.1" ] || ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$st/lib/ld-linux-aarch64.so.1"

# ---- pack: cpio newc, owner 0:0, fixed times, sorted, gzip -n ----
find "$st" -exec touch -h -d "@$epoch" {} +

# newc NAME MODE RDEVMAJOR RDEVMINOR: one data-less cpio newc entry.
newc() {
  local n=$((${#1} + 1))
  printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
    0 "$2" 0 0 1 "$epoch" 0 0 0 "$3" "$4" "$n" 0
  printf '%s\0' "$1"
  head -c $(((4 - (110 + n) % 4) % 4)) /dev/zero
}
{
  (cd "$st" && find . -mindepth 1 -printf '%P\n' | sort |
     cpio -o -H newc --owner 0:0 --reproducible --quiet)
  # /dev/console, so that init has a console before it mounts devtmpfs (a
  # second archive: the kernel reads concatenated ones; no mknod needed).
  newc dev/console $((0020600)) 5 1
  newc TRAILER!!! 0 0 0
} | gzip -n -9 > "$out/initrd.cpio.gz.tmp"
mv "$out/initrd.cpio.gz.tmp" "$out/initrd.cpio.gz"

ver() { awk -v p="$1" '$1 == p { print $2 }' "$lock"; }
say "$kpkg $(ver "$kpkg"), busybox $(ver busybox-static), rt-tests $(ver rt-tests)"
say "build/linux/Image $(stat -c %s "$out/Image") bytes, build/linux/initrd.cpio.gz $(stat -c %s "$out/initrd.cpio.gz") bytes"
