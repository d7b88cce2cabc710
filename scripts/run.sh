#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make run`: install what is missing, build, boot zvm with its console on
# stdio. Leave with `poweroff` at the zvm_host prompt, or Ctrl-A then X.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh" >/dev/null
make -C "$top" --no-print-directory -s all
if [ -t 0 ]; then
  exec "$top/scripts/qemu.sh" -nographic "$@"
fi
# Not a terminal (a pipe or a test): every byte goes to the guest UART.
exec "$top/scripts/qemu.sh" -display none -monitor none -serial stdio "$@"
