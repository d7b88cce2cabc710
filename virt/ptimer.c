/* SPDX-License-Identifier: MIT */
/*
 * The EL1 physical timer of a guest: its registers are the vCPU's own
 * (switched in arch/arm64/virt/vcpu_arch.c, so the guest programs them
 * directly and no VM sees another's), and its interrupt is the guest's
 * PPI 30, which the guest DTB advertises. It is delivered as the virtual
 * timer's is (virt/vtimer.c): hardware-linked to the physical PPI 30, so
 * when that fires at EL2 for the vCPU on this CPU, the host leaves it
 * active and makes the guest's PPI 30 pending with the list register's HW
 * bit; the guest's own EOI deactivates the physical one. zvm never writes
 * the guest's CNTP_CTL_EL0 and looks at the timer on no exit; the exit
 * fast path (guest.S) forwards it without the full exit.
 */
#include <zvm/arch.h>
#include <zvm/platform.h>
#include <zvm/sched.h>
#include <zvm/vcpu.h>
#include <arch/irq.h>

int ptimer_vcpu_init(struct vcpu *vcpu)
{
	return vgic_map_hw(vcpu, PTIMER_INTID, (uint32_t)platform.timer_phys_intid);
}

k_timeout_t ptimer_ticks_to_fire(struct vcpu *vcpu)
{
	uint64_t ticks;

	/* Held active for the guest: it cannot fire until the guest's EOI. */
	if (vgic_hw_held(vcpu, PTIMER_INTID) || !arch_ptimer_ticks_left(&ticks))
		return K_FOREVER;
	return ticks > (uint64_t)INT64_MAX ? K_FOREVER : (k_timeout_t)ticks;
}

/* The physical PPI 30 reached EL2: it belongs to this CPU's vCPU. */
void ptimer_irq(int intid, void *arg)
{
	struct vcpu *vcpu = vcpu_current();

	(void)intid;
	(void)arg;
	if (!vcpu) {
		arch_ptimer_stop(); /* stale: nobody owns it (deactivated as usual) */
		return;
	}
	cpu_count_guest_irq(); /* the running vCPU's own timer */
	if (vgic_inject_hw(vcpu, PTIMER_INTID) == 0)
		irq_keep_active(); /* until the guest's EOI */
}
