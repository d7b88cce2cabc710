// SPDX-License-Identifier: MIT
/*
 * PL061 GPIO controller, passed through by zvm (docs/passthrough.md).
 * `gpio` shows the lines; `gpio set LINE 0|1` makes a line an output, drives
 * it and reads it back; `gpio wait LINE SECONDS` waits for a rising edge on an
 * input line by interrupt (on QEMU virt, line 3 is the power button:
 * the monitor's `system_powerdown` pulses it).
 *
 * `gpio latency N` times the interrupt path with a source the guest times
 * itself: line 0 is an output and a high-level interrupt (GPIOIS, GPIOIEV,
 * GPIOIE set); the guest reads the counter and drives the line high, QEMU's
 * PL061 raises its interrupt at once (its level detection looks at the data
 * of output lines too; its edge detection only at inputs, so an edge on a
 * line the guest drives gives no interrupt), and the handler reads the
 * counter first, then drives the line low and clears it. N samples of
 * handler entry minus write: min, mean, p99, max.
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
#define LAT_LINE   0u
#define LAT_MAX    10000u

static struct {
	uintptr_t regs;
	int intid;
	struct k_sem edge;
	volatile unsigned irqs;
	volatile uint64_t irq_at; /* counter value at the last handler's entry */
	uint32_t level_out; /* output lines that are level interrupts: the handler drops them */
	bool ready;
} gpio;

static uint64_t lat_ticks[LAT_MAX];

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
	uint64_t now = k_cycle_get();
	uint32_t mis = rd(GPIO_MIS);

	(void)intid;
	(void)arg;
	gpio.irq_at = now;
	if (mis & gpio.level_out) /* a level stays until the line is low */
		wr(GPIO_DATA + ((mis & gpio.level_out) << 2), 0);
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* LAT_LINE: a low output, then a high-level interrupt (IEV before IS: no spurious low-level one). */
static void gpio_latency_setup(uint32_t bit)
{
	wr(GPIO_IE, rd(GPIO_IE) & ~bit);
	wr(GPIO_DATA + (bit << 2), 0);
	wr(GPIO_DIR, rd(GPIO_DIR) | bit);
	wr(GPIO_IEV, rd(GPIO_IEV) | bit);
	wr(GPIO_IBE, rd(GPIO_IBE) & ~bit);
	wr(GPIO_IS, rd(GPIO_IS) | bit);
	wr(GPIO_IC, bit);
	gpio.level_out |= bit;
	wr(GPIO_IE, rd(GPIO_IE) | bit);
}

static void gpio_latency_teardown(uint32_t bit)
{
	wr(GPIO_IE, rd(GPIO_IE) & ~bit);
	wr(GPIO_IS, rd(GPIO_IS) & ~bit);
	gpio.level_out &= ~bit;
	wr(GPIO_IC, bit);
	while (k_sem_take(&gpio.edge, K_NO_WAIT) == 0)
		;
}

/* One sample: the line high, then wait for the handler (it drops the line). */
static int gpio_latency_once(uint32_t bit, uint64_t *ticks)
{
	uint64_t t0, deadline = k_cycle_get() + arch_counter_freq();

	gpio.irq_at = 0;
	t0 = k_cycle_get();
	wr(GPIO_DATA + (bit << 2), bit);
	while (!gpio.irq_at)
		if (k_cycle_get() > deadline)
			return -1;
	*ticks = gpio.irq_at - t0;
	return 0;
}

static int gpio_latency(unsigned count)
{
	uint32_t bit = 1u << LAT_LINE;
	uint64_t sum = 0;
	unsigned before = gpio.irqs;

	if (gpio.intid < 0) {
		printf("gpio: no interrupt in the devicetree\n");
		return 1;
	}
	gpio_latency_setup(bit);
	for (unsigned i = 0; i < count; i++) {
		if (gpio_latency_once(bit, &lat_ticks[i])) {
			gpio_latency_teardown(bit);
			printf("gpio: no interrupt within 1 s of driving line %u high (sample "
			       "%u)\n",
			       LAT_LINE, i + 1);
			return 1;
		}
		sum += lat_ticks[i];
	}
	gpio_latency_teardown(bit);
	qsort(lat_ticks, count, sizeof(lat_ticks[0]), cmp_u64);
	printf("gpio: irq latency line %u: %u samples, min %lu mean %lu p99 %lu max %lu ns "
	       "(INTID %d, %u interrupts)\n",
	       LAT_LINE, count, (unsigned long)k_ticks_to_ns(lat_ticks[0]),
	       (unsigned long)k_ticks_to_ns(sum / count),
	       (unsigned long)k_ticks_to_ns(lat_ticks[(count * 99 + 99) / 100 - 1]),
	       (unsigned long)k_ticks_to_ns(lat_ticks[count - 1]), gpio.intid, gpio.irqs - before);
	return 0;
}

/* A decimal number 1..max, nothing else. */
static bool is_count(const char *s, unsigned long max)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);

	return *s >= '0' && *s <= '9' && *end == '\0' && n >= 1 && n <= max;
}

static int cmd_gpio(int argc, char **argv)
{
	unsigned long line = argc >= 3 ? strtoul(argv[2], NULL, 10) : GPIO_LINES;
	unsigned long v = argc == 4 ? strtoul(argv[3], NULL, 10) : 0;

	if (gpio_probe())
		return 1;
	if (argc == 1) {
		printf("gpio: data 0x%02x dir 0x%02x ie 0x%02x, %u interrupts\n", rd(GPIO_ALL),
		       rd(GPIO_DIR), rd(GPIO_IE), gpio.irqs);
		return 0;
	}
	if (argc == 4 && line < GPIO_LINES && strcmp(argv[1], "set") == 0 && v <= 1)
		return gpio_set((unsigned)line, (unsigned)v);
	if (argc == 4 && line < GPIO_LINES && strcmp(argv[1], "wait") == 0 && v >= 1 && v <= 600)
		return gpio_wait((unsigned)line, (unsigned)v);
	if (argc == 3 && strcmp(argv[1], "latency") == 0 && is_count(argv[2], LAT_MAX))
		return gpio_latency((unsigned)strtoul(argv[2], NULL, 10));
	printf("usage: gpio [set LINE 0|1 | wait LINE SECONDS | latency SAMPLES]  "
	       "(LINE 0..7, SAMPLES 1..%u)\n",
	       LAT_MAX);
	return 1;
}
SHELL_CMD(gpio, cmd_gpio, "[set LINE 0|1 | wait LINE SECONDS | latency SAMPLES]",
	  "drive and read the PL061 GPIO lines, time its interrupt");
