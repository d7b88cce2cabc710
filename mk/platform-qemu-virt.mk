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
