# SPDX-License-Identifier: MIT
# The probe guest (guests/probe/README): build/probe.elf, a bare-metal
# program of its own (no kernel), run bare and under zvm by
# tests/system/test_probe.py. Included by the Makefile.
PROBE_SRCS := $(wildcard guests/probe/arch/*.c guests/probe/arch/*.S)
PROBE_OBJS := $(patsubst %,$(BUILD)/obj-probe/%.o,$(PROBE_SRCS))
PROBE_CFLAGS := --specs=picolibc.specs -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -mgeneral-regs-only -fno-stack-protector -MMD -MP \
	-DPICOLIBC_INTEGER_PRINTF_SCANF

$(BUILD)/obj-probe/%.o: %
	@mkdir -p $(dir $@)
	$(CC) $(PROBE_CFLAGS) -c $< -o $@

$(BUILD)/probe.elf: $(PROBE_OBJS) guests/probe/probe.ld
	$(CC) --specs=picolibc.specs -nostartfiles -static -Wl,--gc-sections -Wl,--no-warn-rwx-segments \
		-T guests/probe/probe.ld -DPICOLIBC_INTEGER_PRINTF_SCANF -o $@ $(PROBE_OBJS)

all: $(BUILD)/probe.elf
VM_IMAGE_DEPS += $(BUILD)/probe.elf
-include $(PROBE_OBJS:.o=.d)
