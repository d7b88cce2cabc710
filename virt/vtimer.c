/* SPDX-License-Identifier: MIT */
/*
 * Virtual timer: the guest programs the EL1 virtual timer directly; guest
 * time is the counter minus its VM's CNTVOFF. Its interrupt is hardware-
 * linked: when the physical PPI fires at EL2 for the vCPU on this CPU, the
 * host leaves it active (priority dropped) and makes the guest's PPI 27
 * pending with the list register's HW bit (vgic_inject_hw), so the guest's
 * own EOI deactivates the physical one: one exit per timer interrupt, and
 * zvm never writes the guest's CNTV_CTL_EL0 (a guest that re-arms by
 * writing CVAL alone keeps getting interrupts). While the physical PPI is
 * held active it cannot fire again; the vGIC moves that state with the
 * vCPU (vgic_put/vgic_load). A vCPU waiting in WFI sleeps until its
 * timer's deadline. The timer's registers are the arch's (arch/vtimer_hw.h).
 */
#include <zvm/arch.h>
#include <zvm/platform.h>
#include <zvm/sched.h>
#include <zvm/vcpu.h>
#include <arch/vtimer_hw.h>

int vtimer_vcpu_init(struct vcpu *vcpu)
{
	return vgic_map_hw(vcpu, VTIMER_INTID, (uint32_t)platform.timer_virt_intid);
}

k_timeout_t vtimer_ticks_to_fire(struct vcpu *vcpu)
{
	uint64_t ticks;

	/* Held active for the guest: it cannot fire until the guest's EOI. */
	if (vgic_hw_held(vcpu, VTIMER_INTID) || !arch_vtimer_ticks_left(&ticks))
		return K_FOREVER;
	/*
	 * Further off than a timeout can say (CVAL = UINT64_MAX, the timer
	 * "disabled" while enabled): never. Cast, it would be negative, and
	 * the host deadline (now + CNTVOFF + it) would wrap into the past.
	 */
	return ticks > (uint64_t)INT64_MAX ? K_FOREVER : (k_timeout_t)ticks;
}

/* The physical virtual-timer PPI reached EL2: it belongs to this CPU's vCPU. */
void vtimer_irq(int intid, void *arg)
{
	struct vcpu *vcpu = vcpu_current();

	(void)intid;
	(void)arg;
	if (!vcpu) {
		arch_vtimer_stop(); /* stale: nobody owns it (deactivated as usual) */
		return;
	}
	cpu_count_guest_irq(); /* the running vCPU's own timer */
	if (vgic_inject_hw(vcpu, VTIMER_INTID) == 0)
		irq_keep_active(); /* until the guest's EOI */
}
