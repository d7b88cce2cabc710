#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# qemu-system-aarch64 as zvm runs it (scripts/qemu-env.sh says which): every
# argument goes to QEMU. `make run`, `make test` and `make bench` start QEMU
# only through this script.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/qemu-env.sh
. "$top/scripts/qemu-env.sh"
if [ ! -x "$ZVM_QEMU" ]; then
  echo "qemu-system: zvm's QEMU is not installed ($ZVM_QEMU is missing): run scripts/setup.sh" >&2
  exit 1
fi
exec "$ZVM_QEMU" -L "$ZVM_QEMU_DATA" "$@"
