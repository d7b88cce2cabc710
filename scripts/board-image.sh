#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Lays out a board's boot directory (what goes on the SD card's boot
# partition or the TFTP server) and its U-Boot script:
#
#   zvm.img      zvm as an arm64 Image (booti), linked to run at LOAD_ADDR
#   <board>.dtb  the board's devicetree (U-Boot passes it to zvm in x0)
#   vms.dtb, images.dtb, rtos.elf, Image, ...   the VM config, the image
#                manifest and the guest images, each loaded at its slot
#   boot.cmd     the script's source; boot.scr the same made by mkimage
#
# Usage: board-image.sh OUTDIR BOARD IMAGE LOAD_ADDR DTB DTB_ADDR BAUD {NAME ADDR FILE}...
# A FILE that was not built is left out (a template that needs it says so).
set -euo pipefail
die() { echo "board-image: $*" >&2; exit 1; }

[ $# -ge 7 ] || die "usage: $0 OUTDIR BOARD IMAGE LOAD_ADDR DTB DTB_ADDR BAUD {NAME ADDR FILE}..."
out=$1 board=$2 image=$3 load=$4 dtb=$5 dtb_addr=$6 baud=$7
shift 7
[ $(($# % 3)) -eq 0 ] || die "slots come in threes: NAME ADDR FILE"
[ -f "$image" ] || die "no $image"
[ -f "$dtb" ] || die "no $dtb (scripts/board-dtbs.sh extracts it from Debian's kernel package)"
[ $((load % 0x200000)) -eq 0 ] || die "LOAD_ADDR $load is not 2 MiB aligned: booti would move the image"
command -v mkimage >/dev/null || die "no mkimage (Debian's u-boot-tools: scripts/setup.sh installs it)"

rm -rf "$out"
mkdir -p "$out"
cmd=$out/boot.cmd
cat > "$cmd" <<HEAD
# zvm for $board (scripts/board-image.sh; docs/porting.md). Console: the
# board's debug UART at $baud baud, 8N1. U-Boot's distro boot runs boot.scr
# from the boot partition; for TFTP: setenv zvm_from tftp; then
# tftpboot \${scriptaddr} boot.scr; source \${scriptaddr}
echo "zvm: loading for $board"
if test "\${zvm_from}" = "tftp"; then
	setenv zvm_load 'tftpboot \${zvm_addr} \${zvm_file}'
else
	setenv zvm_load 'load \${devtype} \${devnum}:\${distro_bootpart} \${zvm_addr} \${zvm_file}'
fi
HEAD
# load ADDR FILE [NAME]: one line of the script, and FILE beside it as NAME.
load() {
  local name=${3:-$(basename "$2")}
  [ ! -e "$out/$name" ] || die "two files named $name"
  cp "$2" "$out/$name"
  echo "setenv zvm_addr $1; setenv zvm_file $name; run zvm_load || exit" >> "$cmd"
}
load "$load" "$image" zvm.img
load "$dtb_addr" "$dtb" "$board.dtb"
while [ $# -gt 0 ]; do
  name=$1 addr=$2 file=$3
  shift 3
  [ -f "$file" ] || { echo "board-image: $name: $file not built, left out"; continue; }
  load "$addr" "$file"
done
cat >> "$cmd" <<TAIL
# zvm reads the DTB where it was loaded: U-Boot must not move it.
setenv fdt_high 0xffffffffffffffff
booti $load - $dtb_addr
TAIL
mkimage -A arm64 -O linux -T script -C none -n "zvm $board" -d "$cmd" "$out/boot.scr" >/dev/null
echo "board-image: ${out}: $(ls "$out" | wc -l) files, boot.scr for $board"
