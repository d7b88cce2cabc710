#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make run`: install what is missing, build, boot zvm with its console on
# stdio. Leave with `poweroff` at the zvm_host prompt, or Ctrl-A then X.
# --vm FILE: boot with the VM config FILE (a .dts like configs/vms.dts, or a
# .dtb) instead of configs/vms.dts (scripts/qemu.sh, ZVM_VMS).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --vm ]; then
  [ $# -ge 2 ] || { echo "run.sh: --vm needs a file" >&2; exit 2; }
  export ZVM_VMS=$2
  shift 2
fi
"$top/scripts/setup.sh" >/dev/null
make -C "$top" --no-print-directory -s all
if [ -t 0 ]; then
  exec "$top/scripts/qemu.sh" -nographic "$@"
fi
# Not a terminal (a pipe or a test): every byte goes to the guest UART.
exec "$top/scripts/qemu.sh" -display none -monitor none -serial stdio "$@"
