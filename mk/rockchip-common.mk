# SPDX-License-Identifier: MIT
# What the Rockchip boards (mk/platform-rk3568.mk, mk/platform-rk3588.mk)
# share: U-Boot loads zvm's Image, the board's DTB, the VM config and the
# guest images from the boot partition (or TFTP) at these addresses with
# the build's boot.scr (scripts/board-image.sh), then `booti` runs zvm where
# it was loaded (its Image header says it may be placed anywhere, 2 MiB
# aligned). All of it lies in the first DRAM bank, which starts at 0 (TF-A's
# BL31 below 2 MiB) and is at least 2 GiB on every board: above U-Boot's
# own load addresses (scriptaddr 0x00c00000 ... ramdisk_addr_r 0x12180000)
# and below where U-Boot relocates itself (the top of the bank).
LOAD_ADDR  := 0x20000000
# The board's DTB. boot.scr sets fdt_high so U-Boot passes it from here
# (below the image: the allocator never sees it) instead of moving it.
DTB_ADDR   := 0x12000000
# The console: a Synopsys DesignWare APB UART (8250 compatible, 32-bit
# registers 4 bytes apart) that U-Boot has set to 1500000 baud, 8N1.
EARLY_UART_TYPE  := UART_DW_APB
EARLY_UART_SHIFT := 2
BOARD_BAUD := 1500000

# The blob region the host allocator never takes, above the image as on
# QEMU virt (mk/platform-qemu-virt.mk says what each slot holds).
VM_BLOBS_BASE := 0x24000000
VM_BLOBS_END  := 0x30000000
VMCFG_ADDR    := 0x24000000
VMCFG_MAX     := 0x10000
MANIFEST_ADDR := 0x24010000
MANIFEST_MAX  := 0x10000
IMAGE_NAMES := rtos-elf linux-image linux-initrd linux-disk
IMAGE_rtos-elf := 0x24100000 0x00F00000 $(BUILD)/rtos.elf
IMAGE_linux-image := 0x25000000 0x04000000 build/linux/Image
IMAGE_linux-initrd := 0x29000000 0x03000000 build/linux/initrd.cpio.gz
IMAGE_linux-disk := 0x2C000000 0x04000000 build/disk/linux-disk.ext4
