/* SPDX-License-Identifier: MIT */
/*
 * The EL1 physical timer of a guest: its registers are the vCPU's own
 * (switched in arch/arm64/virt/vcpu_arch.c, so the guest programs them
 * directly and no VM sees another's), and its interrupt is the guest's
 * PPI 30, which the guest DTB advertises. When the timer fires while the
 * guest runs, the physical PPI 30 reaches EL2: zvm raises the guest's
 * line and stops taking the physical PPI on this CPU, without touching
 * the guest's CNTP_CTL_EL0, until the guest's condition is gone (it
 * re-armed, masked or stopped its timer, seen at its next exit, at the
 * latest its EOI of the level interrupt). vcpu->arch.ptimer_asserted is
 * written only on the vCPU's CPU with IRQs masked: by its own thread or by
 * this interrupt there.
 */
#include <zvm/arch.h>
#include <zvm/platform.h>
#include <zvm/sched.h>
#include <zvm/vcpu.h>
#include <arch/irq.h>

k_timeout_t ptimer_ticks_to_fire(struct vcpu *vcpu)
{
	uint64_t ticks;

	(void)vcpu;
	if (!arch_ptimer_ticks_left(&ticks))
		return K_FOREVER;
	return ticks > (uint64_t)INT64_MAX ? K_FOREVER : (k_timeout_t)ticks;
}

static void ptimer_raise(struct vcpu *vcpu)
{
	irq_disable(platform.timer_phys_intid); /* on this CPU: the line is the guest's now */
	vcpu->arch.ptimer_asserted = true;
	vgic_inject(vcpu->vm, vcpu->id, PTIMER_INTID, true);
}

void ptimer_check(struct vcpu *vcpu)
{
	k_spinlock_key_t key = arch_irq_save();
	bool firing = arch_ptimer_firing();

	if (vcpu->arch.ptimer_asserted && !firing) {
		vcpu->arch.ptimer_asserted = false;
		vgic_inject(vcpu->vm, vcpu->id, PTIMER_INTID, false);
		irq_enable(platform.timer_phys_intid, k_cpu_id());
	} else if (!vcpu->arch.ptimer_asserted && firing) {
		ptimer_raise(vcpu);
	}
	arch_irq_restore(key);
}

/* The physical PPI 30 reached EL2: it belongs to this CPU's vCPU. */
void ptimer_irq(int intid, void *arg)
{
	struct vcpu *vcpu = vcpu_current();

	(void)intid;
	(void)arg;
	if (!vcpu) {
		arch_ptimer_stop(); /* stale: nobody owns it */
		return;
	}
	cpu_count_guest_irq(); /* the running vCPU's own timer */
	if (!vcpu->arch.ptimer_asserted)
		ptimer_raise(vcpu);
}
