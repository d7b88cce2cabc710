# SPDX-License-Identifier: MIT
# zvm: `make` builds build/zvm.elf; `make run` boots it in QEMU; `make test`
# runs every test; `make bench` measures. Setup is automatic (scripts/setup.sh).
# `make PLATFORM=rk3568` (or rk3588) builds a board image into build/rk3568/
# instead (docs/porting.md); QEMU virt is the default and builds into build/.

PLATFORM ?= qemu-virt
PLATFORM_MK := mk/platform-$(PLATFORM).mk
ifeq ($(wildcard $(PLATFORM_MK)),)
$(error PLATFORM=$(PLATFORM): no $(PLATFORM_MK); the platforms are: $(patsubst mk/platform-%.mk,%,$(wildcard mk/platform-*.mk)))
endif
ifeq ($(PLATFORM),qemu-virt)
BUILD      := build
else
BUILD      := build/$(PLATFORM)
endif
# The early console's driver and register spacing (a board's mk file may say otherwise).
EARLY_UART_TYPE  := UART_PL011
EARLY_UART_SHIFT := 0
include $(PLATFORM_MK)
# The mk files read (a board's and what it includes): what the build depends on.
PLATFORM_MKS := $(filter mk/%,$(MAKEFILE_LIST))

CROSS      ?= aarch64-linux-gnu-
CC         := $(CROSS)gcc
OBJDUMP    := $(CROSS)objdump
FDT_DIR    := build/deps/libfdt/usr
ZVM_VERSION := 0.1.0-$(shell git describe --always --dirty 2>/dev/null || echo unknown)
# $(BUILD)/version.h changes only when the version does, so objects that show
# it are rebuilt exactly then (a -D flag would not trigger a rebuild).
$(shell mkdir -p $(BUILD) && echo '#define ZVM_VERSION "$(ZVM_VERSION)"' > $(BUILD)/version.h.new && \
	(cmp -s $(BUILD)/version.h.new $(BUILD)/version.h || mv $(BUILD)/version.h.new $(BUILD)/version.h))

# K_ASSERT (include/zvm/assert.h) is compiled in unless ZVM_ASSERT=0, which
# `make bench` uses (scripts/bench.sh). Each setting builds into its own
# object directories; build/assert.stamp changes with the setting, so the
# images are relinked from the right objects after a switch.
ZVM_ASSERT ?= 1
OBJ        := $(BUILD)/obj$(if $(filter 0,$(ZVM_ASSERT)),-noassert)
OBJ_EL1    := $(BUILD)/obj-el1$(if $(filter 0,$(ZVM_ASSERT)),-noassert)
$(shell echo 'ZVM_ASSERT=$(ZVM_ASSERT)' > $(BUILD)/assert.stamp.new && \
	(cmp -s $(BUILD)/assert.stamp.new $(BUILD)/assert.stamp || mv $(BUILD)/assert.stamp.new $(BUILD)/assert.stamp))

# One kernel, two images: the host at EL2 and the RTOS guest at EL1.
# The virtualization core (virt/, arch/arm64/virt/, the zvm command) is host-only.
VIRT_SRCS   := $(wildcard virt/*.c virt/vgic/*.c virt/dev/*.c virt/virtio/*.c arch/arm64/virt/*.S \
		   arch/arm64/virt/*.c mgmt/*.c) shell/cmd_zvm.c shell/cmd_pool.c
KERNEL_SRCS := $(filter-out $(VIRT_SRCS),$(wildcard arch/arm64/*.S arch/arm64/*.c \
		   kernel/*.c drivers/*.c platform/*.c shell/*.c selftest/*.c))
HOST_SRCS   := $(KERNEL_SRCS) $(VIRT_SRCS) $(wildcard apps/*.c)
GUEST_SRCS  := $(KERNEL_SRCS) $(wildcard guests/rtos/*.c) lib/shm_ring.c
HOST_OBJS   := $(patsubst %,$(OBJ)/%.o,$(HOST_SRCS))
GUEST_OBJS  := $(patsubst %,$(OBJ_EL1)/%.o,$(GUEST_SRCS))

CFLAGS := --specs=picolibc.specs -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	  -ffreestanding -fno-omit-frame-pointer -mgeneral-regs-only \
	  -fno-stack-protector -MMD -MP \
	  -Iinclude -Iarch/arm64/include -I$(FDT_DIR)/include \
	  -I$(BUILD) -DPICOLIBC_INTEGER_PRINTF_SCANF -DZVM_ASSERT=$(ZVM_ASSERT)
# Where each image runs: the host on the platform of the mk file, the RTOS
# guest in a zvm VM, whose memory map (RAM at 0x40000000, the emulated PL011
# at 0x09000000: virt/guest_dtb.c, configs/vms.dts) is the same on every board.
HOST_PLATFORM_FLAGS := -DZVM_DTB_ADDR=$(DTB_ADDR) -DZVM_EARLY_UART=$(EARLY_UART) \
	  -DZVM_EARLY_UART_TYPE=$(EARLY_UART_TYPE) -DZVM_EARLY_UART_SHIFT=$(EARLY_UART_SHIFT)
GUEST_LOAD_ADDR := 0x40200000
GUEST_PLATFORM_FLAGS := -DZVM_DTB_ADDR=0x40000000 -DZVM_EARLY_UART=0x09000000 \
	  -DZVM_EARLY_UART_TYPE=UART_PL011 -DZVM_EARLY_UART_SHIFT=0
LDFLAGS := --specs=picolibc.specs -nostartfiles -static -Wl,--gc-sections \
	   -DPICOLIBC_INTEGER_PRINTF_SCANF
LIBS := $(FDT_DIR)/lib/aarch64-linux-gnu/libfdt.a

all: $(BUILD)/zvm.elf $(BUILD)/rtos.elf

# The management agent's access token (docs/management.md): made once per
# build tree from /dev/urandom, compiled in, printed at boot, and read by
# tools/zvmctl from this file. ZVM_MGMT_TOKEN=... on the command line sets it.
MGMT_TOKEN_FILE := $(BUILD)/mgmt-token
$(shell mkdir -p $(BUILD) && { [ -s $(MGMT_TOKEN_FILE) ] || \
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > $(MGMT_TOKEN_FILE); })
ZVM_MGMT_TOKEN ?= $(shell cat $(MGMT_TOKEN_FILE))
$(OBJ)/mgmt/agent.c.o: CFLAGS += -DZVM_MGMT_TOKEN='"$(ZVM_MGMT_TOKEN)"'
$(OBJ)/mgmt/agent.c.o: $(MGMT_TOKEN_FILE)

$(FDT_DIR)/include/libfdt.h:
	scripts/setup.sh

$(BUILD)/link.ld: arch/arm64/link.ld $(PLATFORM_MKS)
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -DZVM_LOAD_ADDR=$(LOAD_ADDR) $< -o $@

$(BUILD)/link-el1.ld: arch/arm64/link.ld
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -DZVM_LOAD_ADDR=$(GUEST_LOAD_ADDR) $< -o $@

$(OBJ)/%.c.o: %.c | $(FDT_DIR)/include/libfdt.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(HOST_PLATFORM_FLAGS) -c $< -o $@

$(OBJ)/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(HOST_PLATFORM_FLAGS) -c $< -o $@

$(OBJ_EL1)/%.c.o: %.c | $(FDT_DIR)/include/libfdt.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(GUEST_PLATFORM_FLAGS) -DZVM_EL1 -c $< -o $@

$(OBJ_EL1)/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(GUEST_PLATFORM_FLAGS) -DZVM_EL1 -c $< -o $@

# Every object shows addresses of the mk file (-D flags): rebuilt when it changes.
$(HOST_OBJS) $(GUEST_OBJS): $(PLATFORM_MKS)

$(BUILD)/zvm.elf: $(HOST_OBJS) $(BUILD)/link.ld $(BUILD)/assert.stamp
	$(CC) $(LDFLAGS) -T $(BUILD)/link.ld -o $@ $(HOST_OBJS) $(LIBS)

$(BUILD)/rtos.elf: $(GUEST_OBJS) $(BUILD)/link-el1.ld $(BUILD)/assert.stamp
	$(CC) $(LDFLAGS) -T $(BUILD)/link-el1.ld -o $@ $(GUEST_OBJS) $(LIBS)

run:
ifneq ($(PLATFORM),qemu-virt)
	@echo "make run boots QEMU virt; the $(PLATFORM) image is $(BUILD)/boot/, for the board's U-Boot (docs/porting.md)"; exit 1
endif
	scripts/run.sh $(if $(VM),--vm $(VM)) $(foreach i,$(IMAGE),--image $(i))

test:
	scripts/test.sh

bench:
	scripts/bench.sh

# Copy build/bench/ (results of a clean commit) to the tracked bench/results/.
bench-commit:
	scripts/bench-commit.sh

clean:
	rm -rf $(BUILD)/obj $(BUILD)/obj-el1 $(BUILD)/obj-noassert $(BUILD)/obj-el1-noassert \
	       $(BUILD)/assert.stamp $(BUILD)/*.elf $(BUILD)/link.ld $(BUILD)/link-el1.ld $(BUILD)/unit \
	       $(BUILD)/Image $(BUILD)/boot $(BUILD)/qemu-virt.dtb

.PHONY: all run test bench bench-commit clean

# `make -s print-LOAD_ADDR` (with PLATFORM=...): a value of the build, for scripts.
print-%:
	@echo '$($*)'
-include $(HOST_OBJS:.o=.d) $(GUEST_OBJS:.o=.d)

# ---- Linux guest images (scripts/linux-guest.sh, docs/linux-guest.md) ----
# Debian's arm64 kernel and a busybox initramfs with cyclictest, made from
# .debs downloaded once into build/deps/debs-linux (which `make clean`
# keeps), never installed. Rebuilt only when the script or guests/linux/
# change; after setup (libfdt.h is its mark), so that apt runs once at a
# time. This comes before the images.dts rule, which reads VM_IMAGE_DEPS.
LINUX_IMAGES := build/linux/Image build/linux/initrd.cpio.gz
$(LINUX_IMAGES) &: scripts/linux-guest.sh $(wildcard guests/linux/* guests/linux/arch/*) lib/shm_ring.c \
		   include/zvm/shm_ring.h | $(FDT_DIR)/include/libfdt.h
	scripts/linux-guest.sh
VM_IMAGE_DEPS += $(LINUX_IMAGES)

# A board's `make clean` leaves the shared Linux images and disk alone.
ifeq ($(PLATFORM),qemu-virt)
clean: linux-clean disk-clean
endif
linux-clean:
	rm -rf build/linux
.PHONY: linux-clean

# ---- the Linux guest's virtio-blk disk (scripts/disk-image.sh) ----
# ext4 made with mke2fs -d from guests/disk/ (32 MiB; its slot holds 64).
DISK_IMAGE := build/disk/linux-disk.ext4
$(DISK_IMAGE): scripts/disk-image.sh $(wildcard guests/disk/*) | $(FDT_DIR)/include/libfdt.h
	@scripts/disk-image.sh $@ 32 >/dev/null
VM_IMAGE_DEPS += $(DISK_IMAGE)

disk-clean:
	rm -rf build/disk
.PHONY: disk-clean

# ---- the probe guest (guests/probe/probe.mk) ----
include guests/probe/probe.mk

# ---- VM config and guest images (virt/vm_config.c, scripts/qemu.sh) ----
# build/vms.dtb holds the VM templates, build/images.dtb the manifest of the
# guest images that exist (name, address, exact size, first bytes). QEMU's
# generic loader places them and the images at the addresses of
# mk/platform-qemu-virt.mk. The manifest source is regenerated on every
# build (cheap) and rewritten only when it changes. Rules that build more
# images add them to VM_IMAGE_DEPS.
VM_IMAGE_DEPS += $(BUILD)/rtos.elf
VM_SLOTS := vmcfg $(VMCFG_ADDR) $(VMCFG_MAX) - manifest $(MANIFEST_ADDR) $(MANIFEST_MAX) - \
	    $(foreach n,$(IMAGE_NAMES),$(n) $(IMAGE_$(n)))
VM_IMAGE_TABLE := $(foreach n,$(IMAGE_NAMES),{ "$(n)", $(word 1,$(IMAGE_$(n))), $(word 2,$(IMAGE_$(n))) },)
CFLAGS += -DZVM_BLOBS_BASE=$(VM_BLOBS_BASE) -DZVM_BLOBS_END=$(VM_BLOBS_END)

all: $(BUILD)/vms.dtb $(BUILD)/images.dtb

$(OBJ)/virt/vm_config.c.o: CFLAGS += -DZVM_VMCFG_ADDR=$(VMCFG_ADDR) \
	-DZVM_VMCFG_MAX=$(VMCFG_MAX) -DZVM_MANIFEST_ADDR=$(MANIFEST_ADDR) \
	-DZVM_MANIFEST_MAX=$(MANIFEST_MAX) -DZVM_GUEST_IMAGES='$(VM_IMAGE_TABLE)'

# dtb_fits FILE MAX: fail (and remove FILE) when FILE is larger than its slot.
dtb_fits = test $$(stat -c %s $(1)) -le $$(($(2))) || \
	   { echo "$(1): larger than its slot ($(2) bytes)"; rm -f $(1); exit 1; }

$(BUILD)/vms.dtb: configs/vms.dts
	@mkdir -p $(dir $@)
	dtc -I dts -O dtb -o $@ $<
	@$(call dtb_fits,$@,$(VMCFG_MAX))

$(BUILD)/images.dts: $(VM_IMAGE_DEPS) scripts/image-manifest.sh FORCE
	@mkdir -p $(dir $@)
	@scripts/image-manifest.sh $@ $(VM_BLOBS_BASE) $(VM_BLOBS_END) $(VM_SLOTS)

$(BUILD)/images.dtb: $(BUILD)/images.dts
	dtc -I dts -O dtb -o $@ $<
	@$(call dtb_fits,$@,$(MANIFEST_MAX))

clean: vmcfg-clean
vmcfg-clean:
	rm -f $(BUILD)/vms.dtb $(BUILD)/images.dts $(BUILD)/images.dts.tmp $(BUILD)/images.dtb

FORCE:
.PHONY: FORCE vmcfg-clean

# ---- boot directory for U-Boot (scripts/board-image.sh, docs/porting.md) ----
# $(BUILD)/boot/: zvm as an arm64 Image that U-Boot's booti runs at
# LOAD_ADDR, the DTB, the VM config, the manifest, the guest images and
# boot.scr, which loads each of them at the address of the mk file. A board
# build makes it (the board's DTB from Debian's kernel package,
# scripts/board-dtbs.sh); on QEMU virt `make boot` does, with the DTB QEMU
# generates (tests/system/test_uboot.py boots it with Debian's U-Boot).
BOARD_BOOT := $(BUILD)/boot
BOARD_SLOTS := vms.dtb $(VMCFG_ADDR) $(BUILD)/vms.dtb images.dtb $(MANIFEST_ADDR) $(BUILD)/images.dtb \
	       $(foreach n,$(IMAGE_NAMES),$(n) $(word 1,$(IMAGE_$(n))) $(word 3,$(IMAGE_$(n))))
ifeq ($(PLATFORM),qemu-virt)
BOOT_DTB := $(BUILD)/qemu-virt.dtb
BOARD_BAUD := 115200
$(BOOT_DTB): $(PLATFORM_MKS)
	scripts/qemu-system.sh -M $(QEMU_MACHINE),dumpdtb=$@ -cpu $(QEMU_CPU) -smp $(QEMU_SMP) \
		-m $(QEMU_MEM) -nic none -display none
else
BOOT_DTB := build/dtbs/$(BOARD_DTB)
all: $(BOARD_BOOT)/boot.scr
$(BOOT_DTB): build/dtbs/.from
	@test -f $@ || { echo "$@: not among Debian's DTBs (build/dtbs/rockchip/)"; exit 1; }
endif
boot: $(BOARD_BOOT)/boot.scr
.PHONY: boot

$(BUILD)/Image: $(BUILD)/zvm.elf
	$(CROSS)objcopy -O binary $< $@

build/dtbs/.from: scripts/board-dtbs.sh $(LINUX_IMAGES)
	scripts/board-dtbs.sh

$(BOARD_BOOT)/boot.scr: $(BUILD)/Image $(BUILD)/vms.dtb $(BUILD)/images.dtb $(VM_IMAGE_DEPS) \
			 $(BOOT_DTB) scripts/board-image.sh $(PLATFORM_MKS)
	scripts/board-image.sh $(BOARD_BOOT) $(PLATFORM) $(BUILD)/Image $(LOAD_ADDR) \
		$(BOOT_DTB) $(DTB_ADDR) $(BOARD_BAUD) $(BOARD_SLOTS)
