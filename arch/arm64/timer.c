/* The kernel's timer in one-shot mode, one per CPU, tickless: CNTHP at EL2, CNTV at EL1. */
#include <zvm/arch.h>
#include <arch/el.h>
#include <arch/sysreg.h>

#define CNT_CTL_ENABLE	(1u << 0)
#define CNT_CTL_IMASK	(1u << 1)

uint64_t arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

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
