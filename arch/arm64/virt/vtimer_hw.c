/* SPDX-License-Identifier: MIT */
/* The EL1 virtual timer's registers (arch/vtimer_hw.h). */
#include <arch/sysreg.h>
#include <arch/vtimer_hw.h>

/* CNTV_CTL_EL0 */
#define CNT_CTL_ENABLE	(1u << 0)
#define CNT_CTL_IMASK	(1u << 1)
#define CNT_CTL_ISTATUS	(1u << 2)
#define CNT_CTL_ALL	(CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS)

enum arch_vtimer_state arch_vtimer_state(void)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0) & CNT_CTL_ALL;

	if (ctl == (CNT_CTL_ENABLE | CNT_CTL_ISTATUS))
		return ARCH_VTIMER_FIRING;
	return ctl == CNT_CTL_ALL ? ARCH_VTIMER_HELD : ARCH_VTIMER_QUIET;
}

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

void arch_vtimer_mask(void)
{
	write_sysreg(cntv_ctl_el0, read_sysreg(cntv_ctl_el0) | CNT_CTL_IMASK);
	isb();
}

void arch_vtimer_stop(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}
