# zvm: `make` builds build/zvm.elf; `make run` boots it in QEMU; `make test`
# runs every test; `make bench` measures. Setup is automatic (scripts/setup.sh).

include mk/platform-qemu-virt.mk

CROSS      ?= aarch64-linux-gnu-
CC         := $(CROSS)gcc
OBJDUMP    := $(CROSS)objdump
BUILD      := build
FDT_DIR    := $(BUILD)/deps/libfdt/usr
ZVM_VERSION := 0.1.0-$(shell git describe --always --dirty 2>/dev/null || echo unknown)

# One kernel, two images: the host at EL2 and the RTOS guest at EL1.
KERNEL_SRCS := $(wildcard arch/arm64/*.S arch/arm64/*.c kernel/*.c drivers/*.c \
		   platform/*.c shell/*.c)
HOST_SRCS   := $(KERNEL_SRCS) $(wildcard apps/*.c)
GUEST_SRCS  := $(KERNEL_SRCS) $(wildcard guests/rtos/*.c)
HOST_OBJS   := $(patsubst %,$(BUILD)/obj/%.o,$(HOST_SRCS))
GUEST_OBJS  := $(patsubst %,$(BUILD)/obj-el1/%.o,$(GUEST_SRCS))

CFLAGS := --specs=picolibc.specs -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	  -ffreestanding -fno-omit-frame-pointer -mgeneral-regs-only \
	  -fno-stack-protector -MMD -MP \
	  -Iinclude -Iarch/arm64/include -I$(FDT_DIR)/include \
	  -DZVM_VERSION='"$(ZVM_VERSION)"' -DZVM_DTB_ADDR=$(DTB_ADDR) \
	  -DZVM_EARLY_UART=$(EARLY_UART) -DPICOLIBC_INTEGER_PRINTF_SCANF
LDFLAGS := --specs=picolibc.specs -nostartfiles -static -Wl,--gc-sections \
	   -T $(BUILD)/link.ld -DPICOLIBC_INTEGER_PRINTF_SCANF
LIBS := $(FDT_DIR)/lib/aarch64-linux-gnu/libfdt.a

all: $(BUILD)/zvm.elf $(BUILD)/rtos.elf

$(FDT_DIR)/include/libfdt.h:
	scripts/setup.sh

$(BUILD)/link.ld: arch/arm64/link.ld
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -DZVM_LOAD_ADDR=$(LOAD_ADDR) $< -o $@

$(BUILD)/obj/%.c.o: %.c | $(FDT_DIR)/include/libfdt.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj-el1/%.c.o: %.c | $(FDT_DIR)/include/libfdt.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DZVM_EL1 -c $< -o $@

$(BUILD)/obj-el1/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DZVM_EL1 -c $< -o $@

$(BUILD)/zvm.elf: $(HOST_OBJS) $(BUILD)/link.ld
	$(CC) $(LDFLAGS) -o $@ $(HOST_OBJS) $(LIBS)

$(BUILD)/rtos.elf: $(GUEST_OBJS) $(BUILD)/link.ld
	$(CC) $(LDFLAGS) -o $@ $(GUEST_OBJS) $(LIBS)

run:
	scripts/run.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

clean:
	rm -rf $(BUILD)/obj $(BUILD)/obj-el1 $(BUILD)/*.elf $(BUILD)/link.ld $(BUILD)/unit

.PHONY: all run test bench clean
-include $(HOST_OBJS:.o=.d) $(GUEST_OBJS:.o=.d)
