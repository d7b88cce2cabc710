#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks a board build (make PLATFORM=BOARD) the way its U-Boot will see
# it, one line per check: "board-check: BOARD: CHECK: passed|failed".
# Exits nonzero when any check failed.
#
# Usage: scripts/board-check.sh BOARD   (after make PLATFORM=BOARD)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
board=${1:?usage: $0 BOARD}
var() { make -s --no-print-directory PLATFORM="$board" "print-$1"; }
build=build/$board boot=build/$board/boot
img=$boot/zvm.img
fails=0

check() {
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then
    echo "board-check: $board: $name: passed"
  else
    echo "board-check: $board: $name: failed"
    fails=$((fails + 1))
  fi
}

le64() { od -An -t u8 -j "$2" -N 8 "$1" | tr -d ' '; }
le32() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
sym() { aarch64-linux-gnu-nm "$build/zvm.elf" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
load=$(var LOAD_ADDR) dtb_addr=$(var DTB_ADDR) uart=$(var EARLY_UART)

file_says_image() { file "$img" | grep -q "Linux kernel ARM64 boot executable Image, little-endian, 4K pages"; }
magic_ok() { [ "$(od -An -c -j 56 -N 4 "$img" | tr -d ' ')" = 'ARMd' ]; }
# booti keeps an image where it was loaded only with text_offset 0, flags
# bit 3 ("anywhere") and a 2 MiB aligned address: then it runs at LOAD_ADDR.
placement_ok() {
  [ "$(le64 "$img" 8)" -eq 0 ] && [ $(($(le64 "$img" 24) & 8)) -eq 8 ] && [ $((load % 0x200000)) -eq 0 ]
}
# The ELF is linked at LOAD_ADDR and the Image is its first byte on.
linked_at_load() {
  [ $(($(sym __image_start))) -eq $((load)) ] &&
    aarch64-linux-gnu-readelf -lW "$build/zvm.elf" | awk '$1 == "LOAD" { print $3; exit }' |
    grep -qx "$(printf '0x%016x' "$load")"
}
# code0 is "b _start": imm26 * 4 is _start's distance from the Image's start.
branch_to_start() {
  local w; w=$(le32 "$img" 0)
  [ $((w >> 26)) -eq 5 ] && [ $(((w & 0x3ffffff) * 4)) -eq $(($(sym _start) - load)) ]
}
# image_size covers the file and BSS, and ends before the blob region.
image_size_ok() {
  local size; size=$(le64 "$img" 16)
  [ "$size" -ge "$(stat -c %s "$img")" ] && [ "$size" -eq $(($(sym __image_end) - load)) ] &&
    [ $((load + size)) -le $(($(var VM_BLOBS_BASE))) ] && [ $((dtb_addr + 0x100000)) -le $((load)) ]
}
script_ok() { mkimage -l "$boot/boot.scr" | grep -q "Image Type:   AArch64 Linux Script (uncompressed)"; }
# The script's payload (after the 64-byte header and its length table) is boot.cmd.
script_is_cmd() { cmp <(tail -c +73 "$boot/boot.scr") "$boot/boot.cmd"; }
# loads FILE ADDR: boot.cmd loads FILE at ADDR, and FILE there is the one built.
loads() {
  grep -qx "setenv zvm_addr $2; setenv zvm_file $(basename "$1"); run zvm_load || exit" "$boot/boot.cmd" &&
    cmp "$1" "$boot/$(basename "$1")"
}
loads_all() {
  loads "$build/vms.dtb" "$(var VMCFG_ADDR)" && loads "$build/images.dtb" "$(var MANIFEST_ADDR)" || return 1
  local n slot
  for n in $(var IMAGE_NAMES); do
    read -r a _ f <<<"$(var "IMAGE_$n")"
    [ ! -f "$f" ] || loads "$f" "$a" || return 1
    slot=$(fdtget -t x "$build/images.dtb" "/images/$n" addr 2>/dev/null | awk '{ print $NF }')
    [ ! -f "$f" ] || [ $((0x$slot)) -eq $((a)) ] || return 1
  done
}
boots() { tail -n1 "$boot/boot.cmd" | grep -qx "booti $load - $dtb_addr"; }
# The mk file's early console is the UART the board's DTB names in stdout-path.
early_uart_is_stdout() {
  local d=$boot/$board.dtb alias path
  alias=$(fdtget -t s "$d" /chosen stdout-path | cut -d: -f1)
  path=$(fdtget -t s "$d" /aliases "$alias")
  [ $(($(fdtget -t x "$d" "$path" reg | awk '{ print "0x" $2 }'))) -eq $((uart)) ]
}
# Nothing of QEMU virt's in the host build: no address of its PL011
# (0x09000000), fw_cfg (0x09020000) or virtio-mmio transports (0x0a000000),
# no fw_cfg driver in the image.
no_qemu_devices() {
  ! grep -aqi "fw.cfg" "$build/zvm.elf" &&
    ! grep -q "0x09000000\|0x09020000\|0x0a000000" <(var HOST_PLATFORM_FLAGS)
}

check "file says arm64 Image" file_says_image
check "Image magic ARM\\x64" magic_ok
check "booti keeps it at LOAD_ADDR $load" placement_ok
check "linked at LOAD_ADDR" linked_at_load
check "code0 branches to _start" branch_to_start
check "image_size fits below the blobs" image_size_ok
check "mkimage -l accepts boot.scr" script_ok
check "boot.scr holds boot.cmd" script_is_cmd
check "boot.cmd loads every blob at its mk address" loads_all
check "boot.cmd ends with booti" boots
check "early UART is the DTB's stdout-path" early_uart_is_stdout
check "no QEMU-only devices" no_qemu_devices
[ "$fails" -eq 0 ]
