# SPDX-License-Identifier: MIT
# The one place that names zvm's QEMU: Debian's bookworm-backports build,
# unpacked under build/deps/qemu by scripts/qemu-fetch.sh (README "Which
# QEMU"). Sourced by scripts/qemu-fetch.sh and scripts/qemu-system.sh;
# everything else runs QEMU through scripts/qemu-system.sh.
#
# Sets (the caller sets `top`, the repository root, first):
#   ZVM_QEMU_DIR       the unpacked packages (usr/bin, usr/lib, usr/share)
#   ZVM_QEMU           the qemu-system-aarch64 binary
#   ZVM_QEMU_DATA      its data folder (firmware, keymaps): passed as -L
#   ZVM_QEMU_PACKAGES  the packages unpacked there, all of one version
#   ZVM_QEMU_MIN       the oldest QEMU accepted (major.minor): 8.2 fixed the
#                      virtual timer freeze when CNTV_CVAL + CNTVOFF overflows
#   QEMU_MODULE_DIR    (exported) its own module folder, so that it does not
#                      load the modules of a Debian QEMU installed system-wide

ZVM_QEMU_DIR="$top/build/deps/qemu"
ZVM_QEMU="$ZVM_QEMU_DIR/usr/bin/qemu-system-aarch64"
ZVM_QEMU_DATA="$ZVM_QEMU_DIR/usr/share/qemu"
# QEMU 10 loads ui-opengl and ui-spice-core (and audio drivers) at every
# start: their packages are here so that it finds its own build of each.
ZVM_QEMU_PACKAGES=(qemu-system-arm qemu-system-common qemu-system-data
  qemu-system-modules-opengl qemu-system-modules-spice)
ZVM_QEMU_MIN=8.2
QEMU_MODULE_DIR="$ZVM_QEMU_DIR/usr/lib/$(uname -m)-linux-gnu/qemu"
export QEMU_MODULE_DIR
