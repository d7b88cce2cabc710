/* SPDX-License-Identifier: MIT */
/*
 * The EL1 physical timer (CNTP_*_EL0) of the vCPU whose thread runs on
 * this CPU: switched with its EL1 state (vcpu_arch.c), read here for
 * virt/ptimer.c, which forwards its interrupt as the guest's PPI 30.
 */
#include <arch/sysreg.h>
#include <arch/timer_regs.h>
#include <arch/vcpu.h>

bool arch_ptimer_ticks_left(uint64_t *ticks)
{
	uint64_t ctl = read_sysreg(cntp_ctl_el0);
	uint64_t cval = read_sysreg(cntp_cval_el0);
	uint64_t now;

	if ((ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE)
		return false;
	isb();
	now = read_sysreg(cntpct_el0);
	*ticks = cval > now ? cval - now : 0;
	return true;
}

void arch_ptimer_stop(void)
{
	write_sysreg(cntp_ctl_el0, 0);
	isb();
}
