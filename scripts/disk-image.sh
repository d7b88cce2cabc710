#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Linux guest's virtio-blk disk: an ext4 file system made on the
# build host with mke2fs -d (e2fsprogs, installed by scripts/setup.sh) from
# the files of guests/disk/. No root and no loop device are needed.
#
# Usage: scripts/disk-image.sh OUT SIZE_MIB
# The result is the same for the same inputs: fixed UUID, hash seed and
# times (E2FSPROGS_FAKE_TIME), files owned by root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1 mib=$2
epoch=${SOURCE_DATE_EPOCH:-0}
mkfs=$(command -v mke2fs || echo /usr/sbin/mke2fs)
[ -x "$mkfs" ] || { echo "disk-image: mke2fs not found (apt-get install e2fsprogs)" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -a "$top/guests/disk/." "$stage/"
find "$stage" -exec touch -h -d "@$epoch" {} +
mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
E2FSPROGS_FAKE_TIME=$epoch "$mkfs" -q -F -t ext4 -b 4096 -L zvm-disk \
  -U 5a766d00-0000-4000-8000-000000000001 -E hash_seed=5a766d00-0000-4000-8000-000000000002,root_owner=0:0 \
  -d "$stage" "$out.tmp" "${mib}M"
mv "$out.tmp" "$out"
echo "disk-image: $out, ${mib} MiB ext4 from guests/disk/"
