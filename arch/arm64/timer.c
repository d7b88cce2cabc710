/* SPDX-License-Identifier: MIT */
/* The kernel's timer in one-shot mode, one per CPU, tickless: CNTHP at EL2, CNTV at EL1. */
#include <stdbool.h>
#include <zvm/arch.h>
#include <zvm/kernel.h>
#include <arch/el.h>
#include <arch/sysreg.h>
#include <arch/timer_regs.h>

uint64_t arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

#ifdef ZVM_EL1
/*
 * The RTOS guest's `timer=cval` mode: CNTV_CTL is written once per CPU
 * (enabled, unmasked); from then on the timer is re-armed by writing CVAL
 * alone and "cancelled" with CVAL at the end of time. Shows that a
 * hypervisor leaves the guest's CNTV_CTL alone. Set before the app starts.
 */
bool arch_timer_cval_only;
static bool timer_enabled[K_MAX_CPUS]; /* this CPU's CTL written in that mode */

void arch_timer_set(uint64_t deadline)
{
	bool *on = &timer_enabled[k_cpu_id()];

	write_sysreg(TIMER_CVAL, deadline);
	if (!arch_timer_cval_only || !*on) {
		write_sysreg(TIMER_CTL, CNT_CTL_ENABLE);
		*on = arch_timer_cval_only;
	}
	isb();
}

void arch_timer_cancel(void)
{
	if (arch_timer_cval_only && timer_enabled[k_cpu_id()])
		write_sysreg(TIMER_CVAL, UINT64_MAX);
	else
		write_sysreg(TIMER_CTL, CNT_CTL_IMASK);
	isb();
}
#else
void arch_timer_set(uint64_t deadline)
{
	write_sysreg(TIMER_CVAL, deadline);
	write_sysreg(TIMER_CTL, CNT_CTL_ENABLE);
	isb();
}

void arch_timer_cancel(void)
{
	write_sysreg(TIMER_CTL, CNT_CTL_IMASK);
	isb();
}
#endif /* ZVM_EL1 */
