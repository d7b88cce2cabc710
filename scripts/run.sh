#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make run`: install what is missing, build, boot zvm with its console on
# stdio. Leave with `poweroff` at the zvm_host prompt, or Ctrl-A then X.
# --vm FILE: boot with the VM config FILE (a .dts like configs/vms.dts, or a
# .dtb) instead of configs/vms.dts (scripts/qemu.sh, ZVM_VMS).
# --image NAME=PATH (repeatable): load the file PATH as the guest image NAME
# too (a VM config's images node names it with blob = "NAME"); a NAME the
# build has (rtos-elf, linux-image, ...) is replaced (ZVM_IMAGES).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
images=()
while [ $# -gt 0 ]; do
  case "$1" in
    --vm | --image) [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; } ;;
    *) break ;;
  esac
  if [ "$1" = --vm ]; then export ZVM_VMS=$2; else images+=("$2"); fi
  shift 2
done
[ ${#images[@]} -eq 0 ] || export ZVM_IMAGES="${images[*]}"
"$top/scripts/setup.sh" >/dev/null
make -C "$top" --no-print-directory -s all
if [ -t 0 ]; then
  exec "$top/scripts/qemu.sh" -nographic "$@"
fi
# Not a terminal (a pipe or a test): every byte goes to the guest UART.
exec "$top/scripts/qemu.sh" -display none -monitor none -serial stdio "$@"
