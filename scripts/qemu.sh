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
load() {
  if [ -f "$top/$2" ]; then
    loaders+=(-device "loader,file=$top/$2,addr=$1,force-raw=on")
  fi
}
load "$(cfg VMCFG_ADDR)" build/vms.dtb
load "$(cfg MANIFEST_ADDR)" build/images.dtb
while read -r addr _room file; do
  load "$addr" "$file"
done < <(sed -n 's/^IMAGE_[A-Za-z0-9_-]* *:= *//p' "$mk")

exec "$top/scripts/qemu-system.sh" -M "$(cfg QEMU_MACHINE)" -cpu "$(cfg QEMU_CPU)" \
  -smp "$(cfg QEMU_SMP)" -m "$(cfg QEMU_MEM)" -nic none -kernel "$top/build/zvm.elf" \
  ${loaders[@]+"${loaders[@]}"} "$@"
