# SPDX-License-Identifier: MIT
# QEMU virt: where the image is loaded and where QEMU leaves the DTB for an
# ELF kernel (start of RAM). The early console is used only until the DTB
# is read; every other address comes from the DTB.
LOAD_ADDR  := 0x40200000
DTB_ADDR   := 0x40000000
EARLY_UART := 0x09000000
QEMU_MACHINE := virt,virtualization=on,gic-version=3
QEMU_CPU     := max,pauth-impdef=on
QEMU_SMP     := 4
QEMU_MEM     := 2G

# VM config and guest images, placed in host RAM before boot by QEMU's
# generic loader (scripts/qemu.sh) at these addresses, which C code gets as
# -D macros (Makefile). The host must never allocate the blob region
# [VM_BLOBS_BASE, VM_BLOBS_END): 192 MiB low in RAM, just above the image,
# so that the upper GiB stays whole for guests (a 1 GiB VM needs a 1 GiB
# aligned block; two 512 MiB Linux VMs need two 512 MiB blocks).
VM_BLOBS_BASE := 0x44000000
VM_BLOBS_END  := 0x50000000
# build/vms.dtb (compiled configs/vms.dts) and build/images.dtb (the
# manifest: name, address, exact size and first bytes of each image loaded).
VMCFG_ADDR    := 0x44000000
VMCFG_MAX     := 0x10000
MANIFEST_ADDR := 0x44010000
MANIFEST_MAX  := 0x10000
# Guest images: IMAGE_<name> := <address> <room in bytes> <file>. The
# templates refer to them by name; a file that does not exist is not loaded.
IMAGE_NAMES := rtos-elf linux-image linux-initrd linux-disk probe-elf
IMAGE_rtos-elf := 0x44100000 0x00F00000 build/rtos.elf
IMAGE_linux-image := 0x45000000 0x04000000 build/linux/Image
IMAGE_linux-initrd := 0x49000000 0x03000000 build/linux/initrd.cpio.gz
# The Linux guest's virtio-blk disk (ext4, scripts/disk-image.sh). zvm
# serves it from this memory: guest writes land here and last until QEMU exits.
IMAGE_linux-disk := 0x4C000000 0x04000000 build/disk/linux-disk.ext4
# The probe guest (guests/probe/), in the room left below the RTOS image.
IMAGE_probe-elf := 0x44020000 0x000E0000 build/probe.elf
