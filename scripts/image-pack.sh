#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guest images for one QEMU run, packed: scripts/qemu.sh calls it.
#
#   image-pack.sh OUT.dtb [NAME=PATH]...
#
# Takes the images the build made (the IMAGE_<name> lines of
# mk/platform-qemu-virt.mk whose files exist) and the user's own NAME=PATH
# (absolute or relative to the current directory; a NAME the build has
# already is replaced), lays them out one after the other from the end of
# the manifest's room (64 KiB aligned) up to VM_BLOBS_END, writes the
# manifest zvm reads (scripts/image-manifest.sh) to OUT.dtb and prints one
# "ADDRESS FILE" line per image for QEMU's loader. Each image gets the room
# its file needs. A missing or empty file, a bad NAME, or images that do not
# fit together are refused with a message, before QEMU starts.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mk="$top/mk/platform-qemu-virt.mk"
cfg() { sed -n "s/^$1 *:= *//p" "$mk"; }
die() { echo "qemu.sh: $*" >&2; exit 2; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

out=$1
shift
align=$((0x10000))
names=() files=()

# add NAME FILE: a new image, or the file of one already there.
add() {
  local i
  for i in "${!names[@]}"; do
    if [ "${names[$i]}" = "$1" ]; then files[$i]=$2; return; fi
  done
  names+=("$1") files+=("$2")
}

while read -r name _addr _room file; do
  [ -f "$top/$file" ] && add "$name" "$top/$file"
done < <(sed -n 's/^IMAGE_\([A-Za-z0-9_-]*\) *:= */\1 /p' "$mk")
for arg in "$@"; do
  name=${arg%%=*} path=${arg#*=}
  [ "$name" != "$arg" ] && [ -n "$path" ] || die "--image takes NAME=PATH, got '$arg'"
  [[ $name =~ ^[A-Za-z0-9_-]+$ ]] ||
    die "--image: the name '$name' may hold only letters, digits, '-' and '_'"
  file=$(realpath -e -- "$path" 2>/dev/null) && [ -f "$file" ] ||
    die "image '$name': file '$path' not found"
  [ -s "$file" ] || die "image '$name': file '$path' is empty"
  add "$name" "$file"
done

base=$(($(cfg MANIFEST_ADDR) + $(cfg MANIFEST_MAX)))
end=$(($(cfg VM_BLOBS_END)))
at=$base slots=() list=""
for i in "${!names[@]}"; do
  size=$(stat -c %s "${files[$i]}")
  room=$(( (size + align - 1) / align * align ))
  slots+=("${names[$i]}" "$(printf 0x%x "$at")" "$room" "${files[$i]}")
  list="$list, ${names[$i]} $(mib "$size") (${files[$i]})"
  at=$((at + room))
done
[ "$at" -le "$end" ] ||
  die "the guest images need $(mib $((at - base))), the room for them holds $(mib $((end - base))) (up to VM_BLOBS_END in mk/platform-qemu-virt.mk):${list#,}"

"$top/scripts/image-manifest.sh" "$out.dts" "$(cfg VM_BLOBS_BASE)" "$(cfg VM_BLOBS_END)" \
  vmcfg "$(cfg VMCFG_ADDR)" "$(cfg VMCFG_MAX)" - manifest "$(cfg MANIFEST_ADDR)" "$(cfg MANIFEST_MAX)" - \
  ${slots[@]+"${slots[@]}"} >&2 || die "image manifest: see above"
dtc -q -I dts -O dtb -o "$out.$$" "$out.dts"
[ "$(stat -c %s "$out.$$")" -le $(($(cfg MANIFEST_MAX))) ] || die "the image manifest is too big"
mv -f "$out.$$" "$out"
for ((i = 0; i < ${#slots[@]}; i += 4)); do
  echo "${slots[$((i + 1))]} ${slots[$((i + 3))]}"
done
