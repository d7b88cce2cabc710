#!/usr/bin/env bash
# `make bench`: set up, build, run every benchmark; results go to bench/results/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/setup.sh >/dev/null
make --no-print-directory -s ZVM_ASSERT=0 all	# K_ASSERT compiled out
mkdir -p bench/results
/usr/bin/python3 bench/host_kernel.py bench/results/host-kernel.md
/usr/bin/python3 bench/rtos_guest.py bench/results/rtos-guest.md
/usr/bin/python3 bench/linux_guest.py bench/results/linux-guest.md
/usr/bin/python3 bench/virtio_blk.py bench/results/virtio.md
/usr/bin/python3 bench/virtio_net.py bench/results/virtio-net.md
/usr/bin/python3 bench/shm.py bench/results/shm.md
