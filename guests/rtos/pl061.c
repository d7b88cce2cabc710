// SPDX-License-Identifier: MIT
/*
 * PL061 GPIO controller, passed through by zvm (docs/passthrough.md).
 * `gpio` shows the lines; `gpio set LINE 0|1` makes a line an output, drives
 * it and reads it back; `gpio wait LINE SECONDS` waits for a rising edge on an
 * input line by interrupt (on QEMU virt, line 3 is the power button:
 * the monitor's `system_powerdown` pulses it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/arch.h>
#include <zvm/kernel.h>
#include <zvm/shell.h>
#include <arch/mmio.h>
#include "devices.h"

#define GPIO_DATA  0x000 /* bits [9:2] of the address mask the lines accessed */
#define GPIO_ALL   0x3fc
#define GPIO_DIR   0x400 /* 1: output */
#define GPIO_IS    0x404 /* 1: level, 0: edge */
#define GPIO_IBE   0x408 /* 1: both edges */
#define GPIO_IEV   0x40c /* 1: rising edge / high level */
#define GPIO_IE    0x410 /* interrupt enabled */
#define GPIO_MIS   0x418
#define GPIO_IC    0x41c
#define GPIO_LINES 8

static struct {
	uintptr_t regs;
	int intid;
	struct k_sem edge;
	unsigned irqs;
	bool ready;
} gpio;

static uint32_t rd(unsigned off)
{
	return mmio_read32(gpio.regs + off);
}

static void wr(unsigned off, uint32_t v)
{
	mmio_write32(gpio.regs + off, v);
}

static void gpio_irq(int intid, void *arg)
{
	uint32_t mis = rd(GPIO_MIS);

	(void)intid;
	(void)arg;
	wr(GPIO_IC, mis); /* the line goes low before the EOI */
	gpio.irqs++;
	k_sem_give(&gpio.edge);
}

static int gpio_probe(void)
{
	if (gpio.ready)
		return 0;
	gpio.regs = rtos_device_map("arm,pl061", &gpio.intid);
	if (!gpio.regs) {
		printf("gpio: no arm,pl061 in this VM's devicetree\n");
		return -1;
	}
	k_sem_init(&gpio.edge, 0, 1);
	wr(GPIO_IE, 0);
	if (gpio.intid >= 0) {
		irq_connect(gpio.intid, gpio_irq, NULL);
		irq_enable(gpio.intid, 0);
	}
	gpio.ready = true;
	return 0;
}

static int gpio_set(unsigned line, unsigned v)
{
	uint32_t bit = 1u << line;

	wr(GPIO_DIR, rd(GPIO_DIR) | bit);
	wr(GPIO_DATA + (bit << 2), v ? bit : 0);
	printf("gpio: line %u = %u (data 0x%02x)\n", line, (rd(GPIO_ALL) & bit) ? 1 : 0,
	       rd(GPIO_ALL));
	return 0;
}

static int gpio_wait(unsigned line, unsigned secs)
{
	uint32_t bit = 1u << line;

	while (k_sem_take(&gpio.edge, K_NO_WAIT) == 0) /* an old one */
		;
	wr(GPIO_DIR, rd(GPIO_DIR) & ~bit);
	wr(GPIO_IS, rd(GPIO_IS) & ~bit);
	wr(GPIO_IBE, rd(GPIO_IBE) & ~bit);
	wr(GPIO_IEV, rd(GPIO_IEV) | bit);
	wr(GPIO_IC, bit);
	wr(GPIO_IE, rd(GPIO_IE) | bit);
	printf("gpio: waiting for line %u\n", line);
	if (k_sem_take(&gpio.edge, K_SECONDS(secs)) != 0) {
		wr(GPIO_IE, rd(GPIO_IE) & ~bit);
		printf("gpio: no edge on line %u within %u s\n", line, secs);
		return 1;
	}
	wr(GPIO_IE, rd(GPIO_IE) & ~bit);
	printf("gpio: line %u rose: interrupt INTID %d (%u so far)\n", line, gpio.intid, gpio.irqs);
	return 0;
}

static int cmd_gpio(int argc, char **argv)
{
	unsigned long line = argc >= 3 ? strtoul(argv[2], NULL, 10) : GPIO_LINES;
	unsigned long v = argc == 4 ? strtoul(argv[3], NULL, 10) : 0;

	if (gpio_probe())
		return 1;
	if (argc == 1) {
		printf("gpio: data 0x%02x dir 0x%02x ie 0x%02x\n", rd(GPIO_ALL), rd(GPIO_DIR),
		       rd(GPIO_IE));
		return 0;
	}
	if (argc == 4 && line < GPIO_LINES && strcmp(argv[1], "set") == 0 && v <= 1)
		return gpio_set((unsigned)line, (unsigned)v);
	if (argc == 4 && line < GPIO_LINES && strcmp(argv[1], "wait") == 0 && v >= 1 && v <= 600)
		return gpio_wait((unsigned)line, (unsigned)v);
	printf("usage: gpio [set LINE 0|1 | wait LINE SECONDS]  (LINE 0..7)\n");
	return 1;
}
SHELL_CMD(gpio, cmd_gpio, "[set LINE 0|1 | wait LINE SECONDS]",
	  "drive and read the PL061 GPIO lines");
