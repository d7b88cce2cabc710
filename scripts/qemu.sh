#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boots build/zvm.elf on QEMU virt with the settings of mk/platform-qemu-virt.mk.
# Extra arguments are passed to QEMU (tests add -display none, -serial ...).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mk="$top/mk/platform-qemu-virt.mk"
cfg() { sed -n "s/^$1 *:= *//p" "$mk"; }

# The VM config, the image manifest and the guest images, placed in host RAM
# by QEMU's generic loader at the addresses of the mk file. A file that was
# not built is skipped: a template that needs it says so.
loaders=()
die() { echo "qemu.sh: $*" >&2; exit 2; }

# ZVM_VMS=FILE (scripts/run.sh --vm FILE, make run VM=FILE): the VM config
# to load instead of build/vms.dtb, a devicetree source (compiled here, with
# configs/ on the include path) or a compiled .dtb; absolute, or relative to
# the current directory. Checked before QEMU starts.
vmcfg=build/vms.dtb
if [ -n "${ZVM_VMS:-}" ]; then
  src=$(realpath -e -- "$ZVM_VMS" 2>/dev/null) || die "VM config '$ZVM_VMS' not found"
  case "$src" in
    *.dtb) cp -- "$src" "$top/build/vms-user.dtb" ;;
    *) dtc -q -I dts -O dtb -i "$top/configs" -o "$top/build/vms-user.dtb" "$src" ||
         die "VM config '$ZVM_VMS' does not compile (dtc's message above)" ;;
  esac
  size=$(stat -c %s "$top/build/vms-user.dtb")
  [ "$size" -le $(($(cfg VMCFG_MAX))) ] ||
    die "VM config '$ZVM_VMS' is $size bytes compiled: more than its room of $(($(cfg VMCFG_MAX))) bytes"
  vmcfg=build/vms-user.dtb
fi

load() {
  if [ -f "$2" ]; then
    loaders+=(-device "loader,file=$2,addr=$1,force-raw=on")
  fi
}
load "$(cfg VMCFG_ADDR)" "$top/$vmcfg"
# The images the build made and the user's own (ZVM_IMAGES="NAME=PATH ...",
# scripts/run.sh --image), packed by scripts/image-pack.sh with their manifest.
# shellcheck disable=SC2086
packed=$("$top/scripts/image-pack.sh" "$top/build/images-run.dtb" ${ZVM_IMAGES:-}) || exit 2
load "$(cfg MANIFEST_ADDR)" "$top/build/images-run.dtb"
while read -r addr file; do
  load "$addr" "$file"
done <<< "$packed"

# The management channel (docs/management.md): a virtio console that zvm
# drives, on a socket tools/zvmctl connects to. ZVM_MGMT=PATH: a UNIX
# socket (default build/mgmt.sock); ZVM_MGMT=PORT: TCP on 127.0.0.1;
# ZVM_MGMT=none: no channel (the console stays the only way in).
mgmt=${ZVM_MGMT:-$top/build/mgmt.sock}
mgmt_opts=()
case "$mgmt" in
  none) ;;
  *[!0-9]*) mgmt_opts=(-chardev "socket,id=mgmt,path=$mgmt,server=on,wait=off") ;;
  *) mgmt_opts=(-chardev "socket,id=mgmt,host=127.0.0.1,port=$mgmt,server=on,wait=off") ;;
esac
[ ${#mgmt_opts[@]} -eq 0 ] ||
  mgmt_opts+=(-global virtio-mmio.force-legacy=false -device virtio-serial-device
    -device virtconsole,chardev=mgmt,name=zvm.mgmt)

exec "$top/scripts/qemu-system.sh" -M "$(cfg QEMU_MACHINE)" -cpu "$(cfg QEMU_CPU)" \
  -smp "$(cfg QEMU_SMP)" -m "$(cfg QEMU_MEM)" -nic none -kernel "$top/build/zvm.elf" \
  ${loaders[@]+"${loaders[@]}"} ${mgmt_opts[@]+"${mgmt_opts[@]}"} "$@"
