/* SPDX-License-Identifier: MIT */
/*
 * The list-register backend: before a vCPU enters its guest, the most
 * urgent interrupts of its ap_list go into the LRs (vgic_flush); after it
 * leaves, what the guest did with them is read back (vgic_sync).
 *
 * Ranking: active interrupts first (the guest must find them in an LR to
 * EOI them), then by priority, then by INTID. When more are deliverable
 * than there are LRs, ICH_HCR_EL2.UIE asks for a maintenance interrupt
 * once at most one LR is still valid, so the rest follow promptly.
 *
 * Who owns a pending state: an edge interrupt's latch moves into the LR at
 * flush and comes back at sync if the guest has not taken it, so a new
 * edge arriving meanwhile is never lost. A level interrupt stays pending
 * as long as its line is high; flushing it with the line high sets the
 * LR's EOI bit, so its EOI exits at once and the line is looked at again
 * (at sync an LR the guest EOIed reads as invalid, and the interrupt stays
 * queued while its line is high).
 */
#include <stddef.h>
#include <zvm/assert.h>
#include <zvm/vgic.h>
#include <zvm/vm.h>
#include <arch/vgic_hw.h>
#include "vgic_internal.h"

/* Lower is more urgent: active first, then priority, then INTID. */
static uint32_t vgic_lr_rank(const struct vgic_irq *irq)
{
	return (uint32_t)!irq->active << 18 | (uint32_t)irq->priority << 10 | irq->intid;
}

struct vgic_pick {
	struct vgic_irq *irq;
	uint32_t rank;
};

/* Keep the `max` best candidates in pick[0..*used), sorted by rank. */
static void vgic_pick_add(struct vgic_pick *pick, unsigned *used, unsigned max,
			  struct vgic_irq *irq, uint32_t rank)
{
	unsigned i = *used;

	if (i == max) {
		if (rank >= pick[max - 1].rank)
			return;
		i--; /* the worst one makes room */
	} else {
		(*used)++;
	}
	for (; i > 0 && pick[i - 1].rank > rank; i--)
		pick[i] = pick[i - 1];
	pick[i] = (struct vgic_pick){ irq, rank };
}

/* Choose what goes into the LRs (vcpu's list lock held). */
static unsigned vgic_lr_choose(struct vcpu *vcpu, struct vgic_pick *pick, unsigned max,
			       bool *overflow)
{
	unsigned used = 0, total = 0;
	struct dnode *node;

	DLIST_FOR_EACH(&vcpu->arch.vgic.ap_list, node)
	{
		struct vgic_irq *irq = CONTAINER_OF(node, struct vgic_irq, ap_node);
		k_spinlock_key_t key = k_spin_lock(&irq->lock);

		if (vgic_irq_deliverable(vcpu->vm, irq)) {
			total++;
			vgic_pick_add(pick, &used, max, irq, vgic_lr_rank(irq));
		}
		k_spin_unlock(&irq->lock, key);
	}
	*overflow = total > max;
	return used;
}

/* The LR bits that link irq to its physical interrupt, while that is held for it. */
static uint64_t vgic_lr_hw_bits(const struct vgic_irq *irq)
{
	if (!irq->hw || !irq->hw_active)
		return 0;
	return ICH_LR_HW | (irq->hw_intid & ICH_LR_PINTID_MASK) << ICH_LR_PINTID_SHIFT;
}

/*
 * The LR for irq (its lock held); an edge's pending state moves into it, so
 * does a hardware-linked one's. A hardware-linked LR is never pending and
 * active at once (the physical interrupt holds the pending state then), and
 * has no EOI bit (those bits are its physical INTID).
 */
static uint64_t vgic_lr_encode(struct vm *vm, struct vgic_irq *irq)
{
	uint64_t hw = vgic_lr_hw_bits(irq);
	uint64_t lr =
		irq->intid | (uint64_t)irq->priority << ICH_LR_PRIO_SHIFT | ICH_LR_GROUP1 | hw;

	if (irq->active)
		lr |= ICH_LR_ACTIVE;
	if (vgic_irq_signalable(vm, irq) && !(hw && irq->active)) {
		lr |= ICH_LR_PENDING;
		if (irq->edge || irq->hw)
			irq->pending_latch = false;
		else if (irq->line_level)
			lr |= ICH_LR_EOI;
	}
	return lr;
}

static unsigned vgic_nr_lrs(void)
{
	unsigned n = vgic_hw_nr_lrs();

	return n > VGIC_MAX_LRS ? VGIC_MAX_LRS : n;
}

/*
 * What this CPU's list registers and ICH_HCR_EL2 hold, so that only what
 * changes is written: LRs from lrs_dirty[cpu] up are zero (known once the
 * first flush on the CPU has written them all), hcr_now[cpu] is ICH_HCR_EL2.
 * Written on their CPU with IRQs masked (the maintenance handler too).
 */
static unsigned lrs_dirty[K_MAX_CPUS];
static bool lrs_known[K_MAX_CPUS];
static uint64_t hcr_now[K_MAX_CPUS] = { [0 ... K_MAX_CPUS - 1] = ~0ull };

static void vgic_hcr_set(int cpu, uint64_t hcr)
{
	if (hcr_now[cpu] != hcr) {
		hcr_now[cpu] = hcr;
		vgic_hw_write_hcr(hcr);
	}
}

void vgic_cpu_forget(void)
{
	int cpu = k_cpu_id();

	lrs_known[cpu] = false;
	hcr_now[cpu] = ~0ull; /* matches no value flush writes */
}

/* Load the shadow LRs into the CPU: the used ones, and zero what the CPU had beyond. */
static void vgic_lr_load(const struct vgic_vcpu *v, unsigned nr, bool overflow)
{
	int cpu = k_cpu_id();
	unsigned dirty = lrs_known[cpu] ? lrs_dirty[cpu] : nr;

	for (unsigned i = 0; i < v->used_lrs; i++)
		vgic_hw_write_lr(i, v->lrs[i]);
	for (unsigned i = v->used_lrs; i < dirty; i++)
		vgic_hw_write_lr(i, 0);
	lrs_known[cpu] = true;
	lrs_dirty[cpu] = v->used_lrs;
	vgic_hcr_set(cpu, ICH_HCR_EN | (overflow ? ICH_HCR_UIE : 0));
}

/**
 * Fill the list registers of this CPU from vcpu's ap_list and turn the
 * virtual CPU interface on. Call with IRQs masked, on the CPU that is about
 * to enter the guest (vgic_load done there), as the last thing before
 * entering it. Nothing to deliver: no lock, and no LR written that is not
 * known to need it.
 */
void vgic_flush(struct vcpu *vcpu)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;
	struct vgic_pick pick[VGIC_MAX_LRS];
	unsigned nr = vgic_nr_lrs(), n = 0, chosen;
	bool overflow;
	k_spinlock_key_t key;

	if (!v->private_irqs)
		return;
	if (dlist_empty(&v->ap_list)) {
		v->used_lrs = 0;
		vgic_lr_load(v, nr, false);
		vgic_fast_arm(vcpu, nr);
		return;
	}
	key = k_spin_lock(&v->lock);
	chosen = vgic_lr_choose(vcpu, pick, nr, &overflow);
	for (unsigned i = 0; i < chosen; i++) {
		struct vgic_irq *irq = pick[i].irq;
		k_spinlock_key_t ikey = k_spin_lock(&irq->lock);

		if (vgic_irq_deliverable(vcpu->vm, irq)) /* may have changed */
			v->lrs[n++] = vgic_lr_encode(vcpu->vm, irq);
		k_spin_unlock(&irq->lock, ikey);
	}
	k_spin_unlock(&v->lock, key);
	v->used_lrs = n;
	vgic_lr_load(v, nr, overflow);
	vgic_fast_arm(vcpu, nr);
}

/* Take back the state of one LR: `flushed` as written, `now` as read. */
static void vgic_lr_apply(struct vcpu *vcpu, uint64_t flushed, uint64_t now)
{
	struct vgic_irq *irq = vgic_get_irq(vcpu->vm, vcpu, (uint32_t)(now & ICH_LR_VINTID_MASK));
	k_spinlock_key_t key;

	if (!irq)
		return;
	key = k_spin_lock(&irq->lock);
	irq->active = (now & ICH_LR_ACTIVE) != 0;
	if ((irq->edge || irq->hw) && (now & ICH_LR_PENDING))
		irq->pending_latch = true; /* not taken yet: hand it back */
	else if (!irq->edge && !irq->hw && (flushed & ICH_LR_PENDING) && !(now & ICH_LR_PENDING))
		irq->pending_latch = false; /* taken: a software pend is used up */
	if ((flushed & ICH_LR_HW) && !(now & (ICH_LR_PENDING | ICH_LR_ACTIVE))) {
		/* the guest's EOI deactivated the physical one too, unless it fired since */
		irq->hw_active = irq->hw_refired;
		irq->hw_refired = false;
	}
	k_spin_unlock(&irq->lock, key);
}

/*
 * The fast path wrote LR lr_index (the first one the flush left free) since
 * the last sync. If the guest has not finished with it, the state machine
 * takes it over as if vgic_inject_hw (an SGI: vgic_inject) had happened and
 * the flush had written it: the physical PPI held, the interrupt listed, the LR counted
 * as flushed (so the read-back below applies what the guest did). Either
 * way the next flush here rewrites that LR.
 */
static void vgic_fast_reconcile(struct vcpu *vcpu, int cpu)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;
	unsigned k = (unsigned)vcpu->arch.fast.lr_index;
	uint64_t now = vgic_hw_read_lr(k);
	struct vgic_irq *irq;

	vcpu->arch.fast.lr_written = 0;
	K_ASSERT(k == v->used_lrs && k < VGIC_MAX_LRS);
	if (lrs_dirty[cpu] <= k)
		lrs_dirty[cpu] = k + 1;
	if (!(now & (ICH_LR_PENDING | ICH_LR_ACTIVE)))
		return; /* the guest's EOI deactivated both: nothing left */
	irq = vgic_get_irq(vcpu->vm, vcpu, (uint32_t)(now & ICH_LR_VINTID_MASK));
	K_ASSERT(irq && (irq->hw || !(now & ICH_LR_HW)));
	vgic_fast_adopt(vcpu, irq, (now & ICH_LR_HW) != 0);
	v->lrs[k] = (now & ~(ICH_LR_PENDING | ICH_LR_ACTIVE)) | ICH_LR_PENDING; /* as written */
	v->used_lrs = k + 1;
}

/**
 * Read back the list registers after vcpu left its guest: note what was
 * acknowledged or EOIed, and drop finished interrupts from its ap_list.
 * The LRs are left as they are (the next flush on this CPU overwrites or
 * zeroes them); the interface stays on unless it was asking for underflow.
 */
void vgic_sync(struct vcpu *vcpu)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;
	int cpu = k_cpu_id();

	if (!v->private_irqs)
		return;
	if (vcpu->arch.fast.lr_written)
		vgic_fast_reconcile(vcpu, cpu);
	for (unsigned i = 0; i < v->used_lrs; i++) {
		uint64_t now = vgic_hw_read_lr(i);

		vgic_lr_apply(vcpu, v->lrs[i], now);
		v->lrs[i] = now;
	}
	if (hcr_now[cpu] & ICH_HCR_UIE)
		vgic_hcr_set(cpu, ICH_HCR_EN);
	v->used_lrs = 0;
	if (!dlist_empty(&v->ap_list))
		vgic_ap_list_prune(vcpu);
}

/* Each hardware-linked interrupt of vcpu held active: fn(its physical INTID). */
static void vgic_for_each_held(struct vcpu *vcpu, void (*fn)(uint32_t intid))
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;

	for (uint32_t map = v->hw_map; map; map &= map - 1) {
		struct vgic_irq *irq = &v->private_irqs[__builtin_ctz(map)];
		k_spinlock_key_t key = k_spin_lock(&irq->lock);
		bool held = irq->hw_active;

		k_spin_unlock(&irq->lock, key);
		if (held)
			fn(irq->hw_intid);
	}
}

/**
 * vcpu's thread got this CPU: the guest's CPU interface state goes in, and
 * each physical interrupt held active for it is made active here (it may
 * come from another CPU), so the guest's EOI finds it active and the
 * physical interrupt cannot fire again before that.
 */
void vgic_load(struct vcpu *vcpu)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;

	if (!v->private_irqs)
		return;
	vgic_hw_write_vmcr(v->vmcr);
	vgic_hw_load_aprs(v->ap0r, v->ap1r);
	vgic_for_each_held(vcpu, vgic_hw_phys_activate);
	v->loaded = true;
}

/**
 * vcpu's thread leaves this CPU (after its last vgic_sync): save the guest's
 * CPU interface state, turn the interface off, and deactivate the physical
 * interrupts held for it here, so they serve whoever runs next (vgic_load
 * makes them active again wherever the vCPU goes).
 */
void vgic_put(struct vcpu *vcpu)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;

	if (!v->private_irqs)
		return;
	v->vmcr = vgic_hw_read_vmcr();
	vgic_hw_save_aprs(v->ap0r, v->ap1r);
	vgic_hcr_set(k_cpu_id(), 0);
	vgic_for_each_held(vcpu, vgic_hw_phys_deactivate);
	v->loaded = false;
}

/**
 * The maintenance interrupt fired on this CPU: turn the virtual CPU
 * interface off, which silences it (underflow and EOI conditions both);
 * the vCPU loop's vgic_sync/vgic_flush then refill and turn it back on.
 */
void vgic_maintenance_irq(void)
{
	int cpu = k_cpu_id();

	hcr_now[cpu] = vgic_hw_read_hcr() & ~(ICH_HCR_EN | ICH_HCR_UIE);
	vgic_hw_write_hcr(hcr_now[cpu]);
}
