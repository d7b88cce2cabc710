/* SPDX-License-Identifier: MIT */
/* A fake EL1 virtual timer for host tests: the registers are variables. */
#include <arch/vtimer_hw.h>

struct vtimer_hw_fake vtimer_hw_fake;

bool arch_vtimer_ticks_left(uint64_t *ticks)
{
	const struct vtimer_hw_fake *t = &vtimer_hw_fake;

	if (!t->enable || t->imask)
		return false;
	*ticks = t->cval > t->now ? t->cval - t->now : 0;
	return true;
}

void arch_vtimer_stop(void)
{
	vtimer_hw_fake.enable = false;
	vtimer_hw_fake.imask = false;
}
