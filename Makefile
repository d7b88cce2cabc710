# SPDX-License-Identifier: MIT
# zvm: `make` builds build/zvm.elf; `make run` boots it in QEMU; `make test`
# runs every test; `make bench` measures. Setup is automatic (scripts/setup.sh).

include mk/platform-qemu-virt.mk

CROSS      ?= aarch64-linux-gnu-
CC         := $(CROSS)gcc
OBJDUMP    := $(CROSS)objdump
BUILD      := build
FDT_DIR    := $(BUILD)/deps/libfdt/usr
ZVM_VERSION := 0.1.0-$(shell git describe --always --dirty 2>/dev/null || echo unknown)
# build/version.h changes only when the version does, so objects that show
# it are rebuilt exactly then (a -D flag would not trigger a rebuild).
$(shell mkdir -p build && echo '#define ZVM_VERSION "$(ZVM_VERSION)"' > build/version.h.new && \
	(cmp -s build/version.h.new build/version.h || mv build/version.h.new build/version.h))

# K_ASSERT (include/zvm/assert.h) is compiled in unless ZVM_ASSERT=0, which
# `make bench` uses (scripts/bench.sh). Each setting builds into its own
# object directories; build/assert.stamp changes with the setting, so the
# images are relinked from the right objects after a switch.
ZVM_ASSERT ?= 1
OBJ        := $(BUILD)/obj$(if $(filter 0,$(ZVM_ASSERT)),-noassert)
OBJ_EL1    := $(BUILD)/obj-el1$(if $(filter 0,$(ZVM_ASSERT)),-noassert)
$(shell echo 'ZVM_ASSERT=$(ZVM_ASSERT)' > build/assert.stamp.new && \
	(cmp -s build/assert.stamp.new build/assert.stamp || mv build/assert.stamp.new build/assert.stamp))

# One kernel, two images: the host at EL2 and the RTOS guest at EL1.
# The virtualization core (virt/, arch/arm64/virt/, the zvm command) is host-only.
VIRT_SRCS   := $(wildcard virt/*.c virt/vgic/*.c virt/dev/*.c virt/virtio/*.c arch/arm64/virt/*.S \
		   arch/arm64/virt/*.c mgmt/*.c) shell/cmd_zvm.c
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
	  -I$(BUILD) -DZVM_DTB_ADDR=$(DTB_ADDR) \
	  -DZVM_EARLY_UART=$(EARLY_UART) -DPICOLIBC_INTEGER_PRINTF_SCANF \
	  -DZVM_ASSERT=$(ZVM_ASSERT)
LDFLAGS := --specs=picolibc.specs -nostartfiles -static -Wl,--gc-sections \
	   -T $(BUILD)/link.ld -DPICOLIBC_INTEGER_PRINTF_SCANF
LIBS := $(FDT_DIR)/lib/aarch64-linux-gnu/libfdt.a

all: $(BUILD)/zvm.elf $(BUILD)/rtos.elf

# The management agent's access token (docs/management.md): made once per
# build tree from /dev/urandom, compiled in, printed at boot, and read by
# tools/zvmctl from this file. ZVM_MGMT_TOKEN=... on the command line sets it.
MGMT_TOKEN_FILE := $(BUILD)/mgmt-token
$(shell mkdir -p $(BUILD) && { [ -s $(MGMT_TOKEN_FILE) ] || \
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > $(MGMT_TOKEN_FILE); })
ZVM_MGMT_TOKEN ?= $(shell cat $(MGMT_TOKEN_FILE))
$(BUILD)/obj/mgmt/agent.c.o: CFLAGS += -DZVM_MGMT_TOKEN='"$(ZVM_MGMT_TOKEN)"'
$(BUILD)/obj/mgmt/agent.c.o: $(MGMT_TOKEN_FILE)

$(FDT_DIR)/include/libfdt.h:
	scripts/setup.sh

$(BUILD)/link.ld: arch/arm64/link.ld
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -DZVM_LOAD_ADDR=$(LOAD_ADDR) $< -o $@

$(OBJ)/%.c.o: %.c | $(FDT_DIR)/include/libfdt.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(OBJ)/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(OBJ_EL1)/%.c.o: %.c | $(FDT_DIR)/include/libfdt.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DZVM_EL1 -c $< -o $@

$(OBJ_EL1)/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DZVM_EL1 -c $< -o $@

$(BUILD)/zvm.elf: $(HOST_OBJS) $(BUILD)/link.ld $(BUILD)/assert.stamp
	$(CC) $(LDFLAGS) -o $@ $(HOST_OBJS) $(LIBS)

$(BUILD)/rtos.elf: $(GUEST_OBJS) $(BUILD)/link.ld $(BUILD)/assert.stamp
	$(CC) $(LDFLAGS) -o $@ $(GUEST_OBJS) $(LIBS)

run:
	scripts/run.sh $(if $(VM),--vm $(VM))

test:
	scripts/test.sh

bench:
	scripts/bench.sh

clean:
	rm -rf $(BUILD)/obj $(BUILD)/obj-el1 $(BUILD)/obj-noassert $(BUILD)/obj-el1-noassert \
	       $(BUILD)/assert.stamp $(BUILD)/*.elf $(BUILD)/link.ld $(BUILD)/unit

.PHONY: all run test bench clean
-include $(HOST_OBJS:.o=.d) $(GUEST_OBJS:.o=.d)

# ---- Linux guest images (scripts/linux-guest.sh, docs/linux-guest.md) ----
# Debian's arm64 kernel and a busybox initramfs with cyclictest, made from
# .debs downloaded once into build/deps/debs-linux (which `make clean`
# keeps), never installed. Rebuilt only when the script or guests/linux/
# change; after setup (libfdt.h is its mark), so that apt runs once at a
# time. This comes before the images.dts rule, which reads VM_IMAGE_DEPS.
LINUX_IMAGES := $(BUILD)/linux/Image $(BUILD)/linux/initrd.cpio.gz
$(LINUX_IMAGES) &: scripts/linux-guest.sh $(wildcard guests/linux/* guests/linux/arch/*) lib/shm_ring.c \
		   include/zvm/shm_ring.h | $(FDT_DIR)/include/libfdt.h
	scripts/linux-guest.sh
VM_IMAGE_DEPS += $(LINUX_IMAGES)

clean: linux-clean
linux-clean:
	rm -rf $(BUILD)/linux
.PHONY: linux-clean

# ---- the Linux guest's virtio-blk disk (scripts/disk-image.sh) ----
# ext4 made with mke2fs -d from guests/disk/ (32 MiB; its slot holds 64).
DISK_IMAGE := $(BUILD)/disk/linux-disk.ext4
$(DISK_IMAGE): scripts/disk-image.sh $(wildcard guests/disk/*) | $(FDT_DIR)/include/libfdt.h
	@scripts/disk-image.sh $@ 32 >/dev/null
VM_IMAGE_DEPS += $(DISK_IMAGE)

clean: disk-clean
disk-clean:
	rm -rf $(BUILD)/disk
.PHONY: disk-clean

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
$(OBJ)/virt/vm_config.c.o: mk/platform-qemu-virt.mk
# The host allocator keeps out of the blob region: rebuild it when that moves.
$(OBJ)/kernel/main.c.o: mk/platform-qemu-virt.mk

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
