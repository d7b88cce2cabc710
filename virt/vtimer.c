/*
 * Virtual timer: the guest programs the EL1 virtual timer directly; guest
 * time is the counter minus its VM's CNTVOFF. When the timer fires while
 * the guest runs, zvm masks it (the guest re-arms it) and injects PPI 27.
 * A vCPU waiting in WFI sleeps until its timer's deadline.
 */
#include <zvm/arch.h>
#include <zvm/vcpu.h>

#define CNT_CTL_ENABLE	(1u << 0)
#define CNT_CTL_IMASK	(1u << 1)
#define CNT_CTL_ISTATUS	(1u << 2)

k_timeout_t vtimer_ticks_to_fire(struct vcpu *vcpu)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0);
	uint64_t cval = read_sysreg(cntv_cval_el0);
	uint64_t now;

	(void)vcpu;
	if ((ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE)
		return K_FOREVER;
	isb();
	now = read_sysreg(cntvct_el0);
	if (cval <= now)
		return 0;
	/*
	 * Further off than a timeout can say (CVAL = UINT64_MAX, the timer
	 * "disabled" while enabled): never. Cast, it would be negative, and
	 * the host deadline (now + CNTVOFF + it) would wrap into the past.
	 */
	if (cval - now > (uint64_t)INT64_MAX)
		return K_FOREVER;
	return (k_timeout_t)(cval - now);
}

/*
 * The guest's timer condition holds: raise its (level) interrupt line and
 * mask the timer so the physical PPI stops firing at EL2.
 */
static void vtimer_fire(struct vcpu *vcpu, uint64_t ctl)
{
	write_sysreg(cntv_ctl_el0, ctl | CNT_CTL_IMASK);
	isb();
	vcpu->vtimer_asserted = true;
	vgic_inject(vcpu->vm, vcpu->id, VTIMER_INTID, true);
}

/*
 * After every exit: lower the line once the guest has re-armed, stopped or
 * unmasked its timer (zvm's mask is gone, or the condition is), and raise
 * it when the condition holds.
 */
void vtimer_check(struct vcpu *vcpu)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0);
	uint64_t all = CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS;

	if (vcpu->vtimer_asserted && (ctl & all) != all) {
		vcpu->vtimer_asserted = false;
		vgic_inject(vcpu->vm, vcpu->id, VTIMER_INTID, false);
	}
	if (!vcpu->vtimer_asserted && (ctl & all) == (CNT_CTL_ENABLE | CNT_CTL_ISTATUS))
		vtimer_fire(vcpu, ctl);
}

/* The physical virtual-timer PPI reached EL2: it belongs to this CPU's vCPU. */
void vtimer_irq(int intid, void *arg)
{
	struct vcpu *vcpu = vcpu_current();

	(void)intid;
	(void)arg;
	if (!vcpu) {
		write_sysreg(cntv_ctl_el0, 0);	/* stale: nobody owns it */
		isb();
		return;
	}
	vtimer_fire(vcpu, read_sysreg(cntv_ctl_el0));
}
