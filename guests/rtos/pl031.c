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
	bool ready;
} rtc;

static void rtc_irq(int intid, void *arg)
{
	(void)intid;
	(void)arg;
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
	printf("usage: rtc [alarm SECONDS]  (SECONDS 1..60)\n");
	return 1;
}
SHELL_CMD(rtc, cmd_rtc, "[alarm SECONDS]", "read the PL031 clock, or wait for its alarm interrupt");
