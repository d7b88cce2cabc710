/* The EL2 physical timer (CNTHP) in one-shot mode: one per CPU, tickless. */
#include <zvm/arch.h>

#define CNT_CTL_ENABLE	(1u << 0)
#define CNT_CTL_IMASK	(1u << 1)

uint64_t arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

void arch_timer_set(uint64_t deadline)
{
	write_sysreg(cnthp_cval_el2, deadline);
	write_sysreg(cnthp_ctl_el2, CNT_CTL_ENABLE);
	isb();
}

void arch_timer_cancel(void)
{
	write_sysreg(cnthp_ctl_el2, CNT_CTL_IMASK);
	isb();
}
