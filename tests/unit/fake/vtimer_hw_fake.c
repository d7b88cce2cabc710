/* SPDX-License-Identifier: MIT */
/* A fake EL1 virtual timer for host tests: the registers are variables. */
#include <arch/vtimer_hw.h>

struct vtimer_hw_fake vtimer_hw_fake;

/* CNTV_CTL.ISTATUS: the condition holds (whatever IMASK says). */
static bool fake_due(void)
{
	return vtimer_hw_fake.enable && vtimer_hw_fake.now >= vtimer_hw_fake.cval;
}

enum arch_vtimer_state arch_vtimer_state(void)
{
	if (!fake_due())
		return ARCH_VTIMER_QUIET;
	return vtimer_hw_fake.imask ? ARCH_VTIMER_HELD : ARCH_VTIMER_FIRING;
}

bool arch_vtimer_ticks_left(uint64_t *ticks)
{
	const struct vtimer_hw_fake *t = &vtimer_hw_fake;

	if (!t->enable || t->imask)
		return false;
	*ticks = t->cval > t->now ? t->cval - t->now : 0;
	return true;
}

void arch_vtimer_mask(void)
{
	vtimer_hw_fake.imask = true;
}

void arch_vtimer_stop(void)
{
	vtimer_hw_fake.enable = false;
	vtimer_hw_fake.imask = false;
}
