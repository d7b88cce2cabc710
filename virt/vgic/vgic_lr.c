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
		i--;			/* the worst one makes room */
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

	DLIST_FOR_EACH(&vcpu->arch.vgic.ap_list, node) {
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

/* The LR for irq (its lock held); an edge's pending state moves into it. */
static uint64_t vgic_lr_encode(struct vm *vm, struct vgic_irq *irq)
{
	uint64_t lr = irq->intid | (uint64_t)irq->priority << ICH_LR_PRIO_SHIFT |
		      ICH_LR_GROUP1;

	if (irq->active)
		lr |= ICH_LR_ACTIVE;
	if (vgic_irq_signalable(vm, irq)) {
		lr |= ICH_LR_PENDING;
		if (irq->edge)
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

/* Load the shadow LRs and the guest's CPU interface state into the CPU. */
static void vgic_lr_load(const struct vgic_vcpu *v, unsigned nr, bool overflow)
{
	for (unsigned i = 0; i < nr; i++)
		vgic_hw_write_lr(i, i < v->used_lrs ? v->lrs[i] : 0);
	vgic_hw_write_vmcr(v->vmcr);
	vgic_hw_write_ap1r0(v->ap1r0);
	vgic_hw_write_hcr(ICH_HCR_EN | (overflow ? ICH_HCR_UIE : 0));
}

/**
 * Fill the list registers of this CPU from vcpu's ap_list and load its
 * virtual CPU interface state. Call with IRQs masked, on the CPU that is
 * about to enter the guest, as the last thing before entering it.
 */
/*
 * Fast path: nothing to deliver. The list registers are already all zero
 * (vgic_sync zeroes the ones it used, a full flush writes the rest), so
 * only the CPU interface state is loaded. The first entry on each CPU takes
 * the full path, which zeroes them from their reset value.
 */
static bool lrs_known_zero[K_MAX_CPUS];

static bool vgic_flush_nothing(struct vcpu *vcpu)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;
	int cpu = k_cpu_id();

	if (!dlist_empty(&v->ap_list) || !lrs_known_zero[cpu])
		return false;
	v->used_lrs = 0;
	vgic_hw_write_vmcr(v->vmcr);
	vgic_hw_write_ap1r0(v->ap1r0);
	vgic_hw_write_hcr(ICH_HCR_EN);
	return true;
}

void vgic_flush(struct vcpu *vcpu)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;
	struct vgic_pick pick[VGIC_MAX_LRS];
	unsigned nr = vgic_nr_lrs(), n = 0, chosen;
	bool overflow;
	k_spinlock_key_t key;

	if (!v->private_irqs || vgic_flush_nothing(vcpu))
		return;
	lrs_known_zero[k_cpu_id()] = true;
	key = k_spin_lock(&v->lock);
	chosen = vgic_lr_choose(vcpu, pick, nr, &overflow);
	for (unsigned i = 0; i < chosen; i++) {
		struct vgic_irq *irq = pick[i].irq;
		k_spinlock_key_t ikey = k_spin_lock(&irq->lock);

		if (vgic_irq_deliverable(vcpu->vm, irq))	/* may have changed */
			v->lrs[n++] = vgic_lr_encode(vcpu->vm, irq);
		k_spin_unlock(&irq->lock, ikey);
	}
	k_spin_unlock(&v->lock, key);
	v->used_lrs = n;
	vgic_lr_load(v, nr, overflow);
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
	if (irq->edge && (now & ICH_LR_PENDING))
		irq->pending_latch = true;	/* not taken yet: hand it back */
	else if (!irq->edge && (flushed & ICH_LR_PENDING) && !(now & ICH_LR_PENDING))
		irq->pending_latch = false;	/* taken: a software pend is used up */
	k_spin_unlock(&irq->lock, key);
}

/**
 * Read back the list registers after vcpu left its guest: note what was
 * acknowledged or EOIed, save its virtual CPU interface state, turn the
 * interface off, and drop finished interrupts from its ap_list.
 */
void vgic_sync(struct vcpu *vcpu)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;

	if (!v->private_irqs)
		return;
	for (unsigned i = 0; i < v->used_lrs; i++) {
		uint64_t now = vgic_hw_read_lr(i);

		vgic_lr_apply(vcpu, v->lrs[i], now);
		v->lrs[i] = now;
		vgic_hw_write_lr(i, 0);		/* see vgic_flush_nothing() */
	}
	v->vmcr = vgic_hw_read_vmcr();
	v->ap1r0 = vgic_hw_read_ap1r0();
	vgic_hw_write_hcr(0);
	v->used_lrs = 0;
	if (!dlist_empty(&v->ap_list))
		vgic_ap_list_prune(vcpu);
}

/**
 * The maintenance interrupt fired on this CPU: turn the virtual CPU
 * interface off, which silences it (underflow and EOI conditions both);
 * the vCPU loop's vgic_sync/vgic_flush then refill and turn it back on.
 */
void vgic_maintenance_irq(void)
{
	vgic_hw_write_hcr(vgic_hw_read_hcr() & ~(ICH_HCR_EN | ICH_HCR_UIE));
}
