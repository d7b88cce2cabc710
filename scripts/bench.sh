#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: set up, build, run every benchmark. Fresh results go to
# build/bench/ (Markdown, CSV, JSON, a plot each); the tracked bench/results/
# change only through `make bench-commit` (scripts/bench-commit.sh).
# BENCH="rtos host" runs only those (names as below).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/setup.sh >/dev/null
if ! command -v gnuplot >/dev/null; then	# the plots; Debian's package
	echo "bench: installing gnuplot-nox for the plots" >&2
	apt-get install -y --no-install-recommends gnuplot-nox >/dev/null ||
		echo "bench: no gnuplot: results without plots" >&2
fi
echo "bench: building with ZVM_ASSERT=0" >&2
make --no-print-directory -s ZVM_ASSERT=0 all	# K_ASSERT compiled out
out=build/bench
mkdir -p "$out"
all="host rtos linux virtio-blk virtio-net shm passthrough pools"
run() {	# name script result
	case " ${BENCH:-$all} " in *" $1 "*) ;; *) return 0 ;; esac
	echo "bench: [$1] $2 -> $out/$3" >&2
	/usr/bin/python3 "$2" "$out/$3"
}
run host bench/host_kernel.py host-kernel.md
run rtos bench/rtos_guest.py rtos-guest.md
run linux bench/linux_guest.py linux-guest.md
run virtio-blk bench/virtio_blk.py virtio.md
run virtio-net bench/virtio_net.py virtio-net.md
run shm bench/shm.py shm.md
run passthrough bench/passthrough.py passthrough.md
run pools bench/rt_pools.py rt-pools.md
echo "bench: results in $out/; 'make bench-commit' copies them to bench/results/" >&2
