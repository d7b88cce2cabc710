/*
 * Virtual timer: the guest programs the EL1 virtual timer directly; guest
 * time is the counter minus its VM's CNTVOFF. When the timer fires while
 * the guest runs, zvm masks it (the guest re-arms it) and injects PPI 27.
 * A vCPU waiting in WFI sleeps until its timer's deadline. The timer's
 * registers are the arch's (arch/vtimer_hw.h); the line's state is
 * vcpu->arch.vtimer_asserted, written only by the vCPU's own thread (or
 * the timer interrupt on its CPU, which interrupts that thread).
 */
#include <zvm/vcpu.h>
#include <arch/vtimer_hw.h>

k_timeout_t vtimer_ticks_to_fire(struct vcpu *vcpu)
{
	uint64_t ticks;

	(void)vcpu;
	return arch_vtimer_ticks_left(&ticks) ? (k_timeout_t)ticks : K_FOREVER;
}

/*
 * The guest's timer condition holds: raise its (level) interrupt line and
 * mask the timer so the physical PPI stops firing at EL2.
 */
static void vtimer_fire(struct vcpu *vcpu)
{
	arch_vtimer_mask();
	vcpu->arch.vtimer_asserted = true;
	vgic_inject(vcpu->vm, vcpu->id, VTIMER_INTID, true);
}

/*
 * After every exit: lower the line once the guest has re-armed, stopped or
 * unmasked its timer (zvm's mask is gone, or the condition is), and raise
 * it when the condition holds.
 */
void vtimer_check(struct vcpu *vcpu)
{
	enum arch_vtimer_state state = arch_vtimer_state();

	if (vcpu->arch.vtimer_asserted && state != ARCH_VTIMER_HELD) {
		vcpu->arch.vtimer_asserted = false;
		vgic_inject(vcpu->vm, vcpu->id, VTIMER_INTID, false);
	}
	if (!vcpu->arch.vtimer_asserted && state == ARCH_VTIMER_FIRING)
		vtimer_fire(vcpu);
}

/* The physical virtual-timer PPI reached EL2: it belongs to this CPU's vCPU. */
void vtimer_irq(int intid, void *arg)
{
	struct vcpu *vcpu = vcpu_current();

	(void)intid;
	(void)arg;
	if (!vcpu) {
		arch_vtimer_stop();	/* stale: nobody owns it */
		return;
	}
	vtimer_fire(vcpu);
}
