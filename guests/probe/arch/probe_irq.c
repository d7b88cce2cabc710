// SPDX-License-Identifier: MIT
/*
 * Interrupts as a guest sees them: the GIC's redistributor and CPU
 * interface set up for PPIs 27 (virtual timer) and 30 (EL1 physical
 * timer), and SGIs sent with ICC_SGI1R/ICC_SGI0R/ICC_ASGI1R. Interrupts
 * stay masked in PSTATE: WFI still wakes on a pending one, which is then
 * acknowledged from ICC_IAR1_EL1.
 */
#include "probe.h"

#define GICD_BASE       0x08000000ul
#define GICR_BASE       0x080a0000ul
#define GICR_SGI        (GICR_BASE + 0x10000)
#define GICD_CTLR       0x0
#define GICR_WAKER      0x14
#define GICR_IGROUPR0   0x80
#define GICR_ISENABLER0 0x100
#define GICR_IPRIORITYR 0x400
#define SPURIOUS        1023u

static void mmio32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

void probe_gic_init(void)
{
	uint64_t e;

	mmio32(GICD_BASE + GICD_CTLR, 0x12); /* ARE, EnableGrp1 */
	mmio32(GICR_BASE + GICR_WAKER, 0);
	mmio32(GICR_SGI + GICR_IGROUPR0, ~0u);
	for (unsigned i = 0; i < 32; i += 4)
		mmio32(GICR_SGI + GICR_IPRIORITYR + i, 0x80808080u);
	mmio32(GICR_SGI + GICR_ISENABLER0, 1u << 27 | 1u << 30 | 1u << 1);
	PROBE_WRITE(S3_0_C4_C6_0, 0xff);      /* ICC_PMR_EL1 */
	PROBE_WRITE(S3_0_C12_C12_7, 1);       /* ICC_IGRPEN1_EL1 */
	(void)PROBE_READ(S3_0_C12_C12_0, &e); /* ICC_IAR1_EL1: nothing yet */
}

/*
 * Wait for the next interrupt; its INTID, acknowledged and EOIed. As an OS's
 * handler does, a timer that fired is turned off before the EOI: a level
 * interrupt whose source is still asserted at the EOI fires again (bare, and
 * under zvm the hardware-linked virtual timer's re-fire stays pending for the
 * guest even if it turns the timer off after the EOI: docs/vgic.md).
 */
static unsigned wait_irq(void)
{
	uint64_t e;

	for (;;) {
		unsigned intid = (unsigned)PROBE_READ(S3_0_C12_C12_0, &e) & 0xffffff;

		if (intid == 27)
			PROBE_WRITE(cntv_ctl_el0, 0);
		if (intid == 30)
			PROBE_WRITE(cntp_ctl_el0, 0);
		if (intid != SPURIOUS) {
			PROBE_WRITE(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
			return intid;
		}
		__asm__ volatile("wfi");
	}
}

/* The virtual timer fires in `us` (PPI 27): the wake-up of last resort. */
static void vtimer_in(unsigned us)
{
	PROBE_WRITE(cntv_cval_el0, probe_counter() + probe_freq() / 1000000 * us);
	PROBE_WRITE(cntv_ctl_el0, 1);
}

unsigned probe_wait_irq(unsigned ms)
{
	unsigned got;

	vtimer_in(ms * 1000);
	got = wait_irq();
	PROBE_WRITE(cntv_ctl_el0, 0);
	return got;
}

/* PPI 30 from the EL1 physical timer, due in 100 us; the virtual one is the backstop. */
static void ptimer_irq(void)
{
	uint64_t e, pnow = PROBE_READ(cntpct_el0, &e);
	unsigned got;

	PROBE_WRITE(cntp_cval_el0, pnow + probe_freq() / 10000);
	PROBE_WRITE(cntp_ctl_el0, 1);
	got = probe_wait_irq(2000);
	PROBE_WRITE(cntp_ctl_el0, 0);
	probe_print("irq ptimer: %s\n", got == 30 ? "taken" : "not taken");
}

/* Self-targeted SGI 1 (target list bit 0, our Aff0 is 0) through one register. */
static void sgi(const char *name, unsigned which)
{
	uint64_t e = 0, v = 1ul << 24 | 1;
	unsigned got;

	if (which == 1)
		e = PROBE_WRITE(S3_0_C12_C11_5, v); /* ICC_SGI1R_EL1 */
	else if (which == 0)
		e = PROBE_WRITE(S3_0_C12_C11_7, v); /* ICC_SGI0R_EL1 */
	else
		e = PROBE_WRITE(S3_0_C12_C11_6, v); /* ICC_ASGI1R_EL1 */
	got = probe_wait_irq(20);
	probe_print("sgi %s: exception ec 0x%x, interrupt %u\n", name, e ? (unsigned)EC(e) : 0u,
		    got);
}

void probe_irqs(void)
{
	probe_print("irq vtimer: %s\n", probe_wait_irq(1) == 27 ? "taken" : "not taken");
	ptimer_irq();
	sgi("sgi1r", 1);
	sgi("sgi0r", 0);
	sgi("asgi1r", 2);
}
