/* SPDX-License-Identifier: MIT */
/* The EL1 virtual timer's registers (arch/vtimer_hw.h). */
#include <arch/sysreg.h>
#include <arch/timer_regs.h>
#include <arch/vtimer_hw.h>

bool arch_vtimer_ticks_left(uint64_t *ticks)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0);
	uint64_t cval = read_sysreg(cntv_cval_el0);
	uint64_t now;

	if ((ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE)
		return false;
	isb();
	now = read_sysreg(cntvct_el0);
	*ticks = cval > now ? cval - now : 0;
	return true;
}

void arch_vtimer_stop(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}
