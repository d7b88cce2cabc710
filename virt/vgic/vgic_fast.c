/* SPDX-License-Identifier: MIT */
/*
 * Arming the exit fast path of guest.S (docs/vgic.md, "The fast path"):
 * before each entry, vgic_flush says which interrupts the vector may
 * forward by itself during the coming run, each with the LR that does it
 * (struct vcpu_fast). A slot is armed only while the state machine has
 * nothing of its interrupt; the fast path's LR is taken back by vgic_sync
 * (vgic_fast_reconcile in vgic_lr.c), so the state machine stays the one
 * authority.
 *
 * Slots: the vCPU's hardware-linked PPIs (its timers), then the VM's
 * passed-through SPIs that target this vCPU (vgic_map_hw_spi), then one per
 * SGI sent to this vCPU alone. A guest write that changes a passed-through
 * SPI (enable, pending, active, priority, route, configuration, GICD_CTLR)
 * clears the slots that forward it on every vCPU (vgic_fast_disarm): from
 * then on it takes the full path, and the next flush arms it again with its
 * new state. One that the vector had already begun to forward counts as
 * delivered before the write, as on hardware one a CPU had acknowledged.
 */
#include <zvm/assert.h>
#include <zvm/vgic.h>
#include <zvm/vm.h>
#include <arch/vgic_hw.h>
#include "vgic_internal.h"

/* A pending LR for irq as vgic_lr_encode would write it (hw: its physical one held for it). */
static uint64_t vgic_lr_pending(const struct vgic_irq *irq, bool hw)
{
	uint64_t lr = irq->intid | (uint64_t)irq->priority << ICH_LR_PRIO_SHIFT | ICH_LR_GROUP1 |
		      ICH_LR_PENDING;

	if (hw)
		lr |= ICH_LR_HW | (irq->hw_intid & ICH_LR_PINTID_MASK) << ICH_LR_PINTID_SHIFT;
	return lr;
}

/*
 * The fast path may deliver SGI i: it is enabled and the state machine has
 * nothing of it. Read without its lock (every SGI, on every flush): a
 * change by another CPU after this comes with a kick, whose exit
 * reconciles, as for one after the flush.
 */
static uint64_t vgic_fast_sgi_lr(const struct vgic_irq *irq)
{
	bool idle = __atomic_load_n(&irq->enabled, __ATOMIC_RELAXED) &&
		    !__atomic_load_n(&irq->vcpu, __ATOMIC_RELAXED) &&
		    !__atomic_load_n(&irq->active, __ATOMIC_RELAXED) &&
		    !__atomic_load_n(&irq->pending_latch, __ATOMIC_RELAXED);
	struct vgic_irq snap = { .intid = irq->intid,
				 .priority = __atomic_load_n(&irq->priority, __ATOMIC_RELAXED) };

	return idle ? vgic_lr_pending(&snap, false) : 0;
}

/* The SGI slots: SGI1R with this vCPU alone as target (Aff0 = id), and each SGI's LR. */
static void vgic_fast_arm_sgis(struct vcpu *vcpu, bool lr_free)
{
	struct vcpu_fast *f = &vcpu->arch.fast;

	f->sgi_self = vcpu->id < 16 ? 1u << vcpu->id : FAST_NONE;
	for (unsigned i = 0; i < GIC_NR_SGIS; i++)
		f->sgi_lr[i] = lr_free ? vgic_fast_sgi_lr(&vcpu->arch.vgic.private_irqs[i]) : 0;
}

/*
 * Slot `slot` forwards hardware-linked irq when armed is set (under
 * irq->lock): the physical interrupt is made active through `activer`
 * (GICR_ISACTIVER0 of this CPU for a PPI, the distributor's GICD_ISACTIVERn
 * for an SPI) with bit hw_intid % 32, and the LR written.
 */
static void vgic_fast_slot(struct vcpu_fast *f, unsigned slot, const struct vgic_irq *irq,
			   uint64_t activer, bool armed)
{
	__atomic_store_n(&f->hw_intid[slot], irq->hw_intid, __ATOMIC_RELAXED); /* disarm reads it */
	f->hw_bit[slot] = 1ull << (irq->hw_intid % 32);
	f->hw_activer[slot] = activer;
	__atomic_store_n(&f->hw_lr[slot], armed ? vgic_lr_pending(irq, true) : 0, __ATOMIC_RELAXED);
}

/* Nothing of irq in the state machine: not listed, not held, not pending or active. */
static bool vgic_fast_idle(const struct vgic_irq *irq)
{
	return irq->enabled && !irq->vcpu && !irq->active && !irq->hw_active &&
	       !vgic_irq_is_pending(irq);
}

/* The PPI slots from 0: each hardware-linked PPI of vcpu. Returns the next slot. */
static unsigned vgic_fast_arm_ppis(struct vcpu *vcpu, bool lr_free)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;
	struct vcpu_fast *f = &vcpu->arch.fast;
	unsigned slot = 0;

	for (uint32_t map = v->hw_map; map && slot < FAST_HW_SLOTS; map &= map - 1, slot++) {
		struct vgic_irq *irq = &v->private_irqs[__builtin_ctz(map)];
		k_spinlock_key_t key = k_spin_lock(&irq->lock);

		K_ASSERT(irq->hw_intid < GIC_NR_PRIVATE); /* a PPI: GICR_ISACTIVER0 holds it */
		vgic_fast_slot(f, slot, irq, vgic_hw_isactiver_addr(), /* this CPU's */
			       lr_free && vgic_fast_idle(irq));
		k_spin_unlock(&irq->lock, key);
	}
	return slot;
}

/* The SPI slots from `slot`: the VM's passed-through SPIs that target vcpu. */
static unsigned vgic_fast_arm_spis(struct vcpu *vcpu, unsigned slot, bool lr_free)
{
	struct vm *vm = vcpu->vm;
	struct vgic *d = &vm->arch.vgic;
	struct vcpu_fast *f = &vcpu->arch.fast;
	bool grp1 = (__atomic_load_n(&d->gicd_ctlr, __ATOMIC_RELAXED) & GICD_CTLR_EN_GRP1) != 0;

	for (unsigned i = 0; i < d->nr_hw_spis && slot < FAST_HW_SLOTS; i++) {
		struct vgic_irq *irq = vgic_get_irq(vm, NULL, d->hw_spis[i]);
		k_spinlock_key_t key = k_spin_lock(&irq->lock);

		if (vgic_irq_target(vm, irq) == vcpu)
			vgic_fast_slot(f, slot++, irq, vgic_hw_spi_isactiver_addr(irq->hw_intid),
				       lr_free && grp1 && vgic_fast_idle(irq));
		k_spin_unlock(&irq->lock, key);
	}
	return slot;
}

void vgic_fast_arm(struct vcpu *vcpu, unsigned nr)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;
	struct vcpu_fast *f = &vcpu->arch.fast;
	bool lr_free = v->used_lrs < nr;
	unsigned slot;

	K_ASSERT(!f->lr_written); /* vgic_sync reconciled it */
	f->lr_index = v->used_lrs;
	slot = vgic_fast_arm_spis(vcpu, vgic_fast_arm_ppis(vcpu, lr_free), lr_free);
	for (; slot < FAST_HW_SLOTS; slot++) {
		__atomic_store_n(&f->hw_intid[slot], FAST_NONE, __ATOMIC_RELAXED);
		__atomic_store_n(&f->hw_lr[slot], 0, __ATOMIC_RELAXED);
	}
	vgic_fast_arm_sgis(vcpu, lr_free);
}

void vgic_fast_disarm(struct vm *vm, const struct vgic_irq *irq)
{
	uint64_t hw_intid = irq->hw_intid;

	for (int i = 0; i < vm->cfg.nr_vcpus; i++) {
		struct vcpu_fast *f = &vm->vcpus[i].arch.fast;

		for (unsigned s = 0; s < FAST_HW_SLOTS; s++) {
			if (__atomic_load_n(&f->hw_intid[s], __ATOMIC_RELAXED) == hw_intid)
				__atomic_store_n(&f->hw_lr[s], 0, __ATOMIC_RELEASE);
		}
	}
}

void vgic_fast_disarm_spis(struct vm *vm)
{
	struct vgic *d = &vm->arch.vgic;

	for (unsigned i = 0; i < d->nr_hw_spis; i++)
		vgic_fast_disarm(vm, vgic_get_irq(vm, NULL, d->hw_spis[i]));
}
