#!/usr/bin/env bash
# Boots build/zvm.elf on QEMU virt with the settings of mk/platform-qemu-virt.mk.
# Extra arguments are passed to QEMU (tests add -display none, -serial ...).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cfg() { sed -n "s/^$1 *:= *//p" "$top/mk/platform-qemu-virt.mk"; }
exec qemu-system-aarch64 -M "$(cfg QEMU_MACHINE)" -cpu "$(cfg QEMU_CPU)" \
  -smp "$(cfg QEMU_SMP)" -m "$(cfg QEMU_MEM)" -nic none -kernel "$top/build/zvm.elf" "$@"
