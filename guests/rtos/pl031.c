// SPDX-License-Identifier: MIT
/*
 * PL031 real-time clock, passed through by zvm (docs/passthrough.md): the
 * guest reads the board's clock itself. `rtc` prints it; `rtc alarm N` sets
 * the match register N seconds ahead and waits for the match interrupt, a
 * real interrupt of the host's device delivered by zvm as a hardware-linked
 * SPI (the guest's EOI deactivates the physical one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/arch.h>
#include <zvm/kernel.h>
#include <zvm/shell.h>
#include <arch/mmio.h>
#include "devices.h"

#define RTC_DR   0x00 /* data: seconds */
#define RTC_MR   0x04 /* match */
#define RTC_CR   0x0c /* control: bit 0 starts the counter */
#define RTC_IMSC 0x10 /* interrupt mask set/clear */
#define RTC_MIS  0x18
#define RTC_ICR  0x1c

static struct {
	uintptr_t regs;
	int intid;
	struct k_sem alarm;
	volatile uint64_t irq_at; /* counter value in the last alarm's handler */
	bool ready;
} rtc;

static void rtc_irq(int intid, void *arg)
{
	(void)intid;
	(void)arg;
	rtc.irq_at = k_cycle_get();
	mmio_write32(rtc.regs + RTC_IMSC, 0);
	mmio_write32(rtc.regs + RTC_ICR, 1); /* the line goes low before the EOI */
	k_sem_give(&rtc.alarm);
}

static int rtc_probe(void)
{
	if (rtc.ready)
		return 0;
	rtc.regs = rtos_device_map("arm,pl031", &rtc.intid);
	if (!rtc.regs) {
		printf("rtc: no arm,pl031 in this VM's devicetree\n");
		return -1;
	}
	k_sem_init(&rtc.alarm, 0, 1);
	mmio_write32(rtc.regs + RTC_CR, 1);
	if (rtc.intid >= 0) {
		irq_connect(rtc.intid, rtc_irq, NULL);
		irq_enable(rtc.intid, 0);
	}
	rtc.ready = true;
	return 0;
}

static void rtc_print(void)
{
	uint32_t now = mmio_read32(rtc.regs + RTC_DR);

	printf("rtc: %lu s since 1970-01-01 UTC (day %lu, %02lu:%02lu:%02lu)\n", (unsigned long)now,
	       (unsigned long)(now / 86400), (unsigned long)(now / 3600 % 24),
	       (unsigned long)(now / 60 % 60), (unsigned long)(now % 60));
}

/* Set the match N seconds ahead and wait for its interrupt. */
static int rtc_alarm(unsigned secs)
{
	uint32_t now = mmio_read32(rtc.regs + RTC_DR);
	uint64_t t0 = k_uptime_ms();

	if (rtc.intid < 0) {
		printf("rtc: no interrupt in the devicetree\n");
		return 1;
	}
	while (k_sem_take(&rtc.alarm, K_NO_WAIT) == 0) /* an old one */
		;
	mmio_write32(rtc.regs + RTC_ICR, 1);
	mmio_write32(rtc.regs + RTC_MR, now + secs);
	mmio_write32(rtc.regs + RTC_IMSC, 1);
	if (k_sem_take(&rtc.alarm, K_SECONDS(secs + 3)) != 0) {
		mmio_write32(rtc.regs + RTC_IMSC, 0);
		printf("rtc: no alarm interrupt within %u s\n", secs + 3);
		return 1;
	}
	printf("rtc: alarm interrupt (INTID %d) at %lu s, after %llu ms\n", rtc.intid,
	       (unsigned long)mmio_read32(rtc.regs + RTC_DR),
	       (unsigned long long)(k_uptime_ms() - t0));
	return 0;
}

/*
 * One alarm's latency: poll the clock until its next second (the match) with
 * interrupts on; the handler interrupts the loop, so the last poll that still
 * saw the old second comes before the match, at most one poll before it.
 */
static uint64_t rtc_latency_once(void)
{
	uint32_t start = mmio_read32(rtc.regs + RTC_DR);
	uint64_t before = 0;

	rtc.irq_at = 0;
	mmio_write32(rtc.regs + RTC_ICR, 1);
	mmio_write32(rtc.regs + RTC_MR, start + 1);
	mmio_write32(rtc.regs + RTC_IMSC, 1);
	while (!rtc.irq_at) {
		uint64_t now = k_cycle_get();

		if (mmio_read32(rtc.regs + RTC_DR) == start)
			before = now;
	}
	k_sem_take(&rtc.alarm, K_NO_WAIT);
	return (rtc.irq_at - before) * 1000000000ull / arch_counter_freq();
}

static int rtc_latency(unsigned rounds)
{
	uint64_t sum = 0, min = UINT64_MAX, max = 0;

	if (rtc.intid < 0)
		return 1;
	for (unsigned i = 0; i < rounds; i++) {
		uint64_t ns = rtc_latency_once();

		sum += ns;
		min = ns < min ? ns : min;
		max = ns > max ? ns : max;
	}
	printf("rtc: alarm irq latency: %u rounds, min %llu avg %llu max %llu ns\n", rounds,
	       (unsigned long long)min, (unsigned long long)(sum / rounds),
	       (unsigned long long)max);
	return 0;
}

static int cmd_rtc(int argc, char **argv)
{
	if (rtc_probe())
		return 1;
	if (argc == 1) {
		rtc_print();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "alarm") == 0) {
		unsigned long s = strtoul(argv[2], NULL, 10);

		if (s >= 1 && s <= 60)
			return rtc_alarm((unsigned)s);
	}
	if (argc == 3 && strcmp(argv[1], "latency") == 0) {
		unsigned long n = strtoul(argv[2], NULL, 10);

		if (n >= 1 && n <= 100)
			return rtc_latency((unsigned)n);
	}
	printf("usage: rtc [alarm SECONDS | latency ROUNDS]  (SECONDS 1..60, ROUNDS 1..100)\n");
	return 1;
}
SHELL_CMD(rtc, cmd_rtc, "[alarm SECONDS | latency ROUNDS]",
	  "read the PL031 clock, or wait for its alarm interrupt");
