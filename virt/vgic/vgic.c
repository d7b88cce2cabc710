/* SPDX-License-Identifier: MIT */
/*
 * The vGIC interrupt state machine: per-interrupt state, per-vCPU lists of
 * the interrupts that are pending or active (ap_list), injection, routing
 * and SGIs. The list registers are vgic_lr.c's business, the guest's
 * register view vgic_mmio*.c's.
 *
 * An interrupt is on the ap_list of the vCPU it targets while it is active,
 * or pending and enabled (vgic_irq_deliverable). Every change that can make
 * it deliverable ends in vgic_queue_irq_unlock, which links it and kicks
 * the vCPU; entries that stopped being deliverable are dropped by the
 * owning vCPU after it has read its LRs back (vgic_ap_list_prune).
 *
 * Lock order (all taken with k_spin_lock, so with IRQs masked):
 *   1. vcpu->arch.vgic.lock  one vCPU's ap_list (membership and irq->vcpu).
 *                        Never two at once: moving an interrupt to another
 *                        vCPU unlinks it, drops every lock, then queues it.
 *   2. irq->lock         every field of one interrupt. Never two at once.
 *   vm->arch.vgic.lock   GICD_CTLR writes only; a leaf, nothing nests in it.
 * To queue an interrupt whose target is known only under irq->lock, that
 * lock is dropped, the target's list lock taken, then irq->lock again and
 * the decision re-checked (vgic_queue_irq_unlock).
 */
#include <stddef.h>
#include <zvm/guest_dtb.h>
#include <zvm/kernel.h>
#include <zvm/vgic.h>
#include <zvm/vm.h>
#include <arch/vgic_hw.h>
#include "vgic_internal.h"

#define SGI1R_TARGETS(v)    ((uint32_t)((v)&ICC_SGI1R_TARGETS_MASK))
#define SGI1R_INTID(v)      ((uint32_t)(((v) >> ICC_SGI1R_INTID_SHIFT) & ICC_SGI1R_INTID_MASK))
#define SGI1R_RS(v)         ((unsigned)(((v) >> ICC_SGI1R_RS_SHIFT) & ICC_SGI1R_RS_MASK))
#define SGI1R_AFF(v, shift) (((v) >> (shift)) & ICC_SGI1R_AFF_MASK)

unsigned vgic_nr_vcpus(const struct vm *vm)
{
	int n = vm->cfg.nr_vcpus;

	if (n < 0)
		return 0;
	return n > VM_MAX_VCPUS ? VM_MAX_VCPUS : (unsigned)n;
}

/* vCPU `id` if the VM has it and its redistributor exists. */
static struct vcpu *vgic_vcpu_by_id(struct vm *vm, unsigned id)
{
	if (id >= vgic_nr_vcpus(vm) || !vm->vcpus[id].arch.vgic.private_irqs)
		return NULL;
	return &vm->vcpus[id];
}

struct vgic_irq *vgic_get_irq(struct vm *vm, struct vcpu *vcpu, uint32_t intid)
{
	if (intid < GIC_NR_PRIVATE)
		return vcpu && vcpu->arch.vgic.private_irqs ? &vcpu->arch.vgic.private_irqs[intid]
							    : NULL;
	if (intid - GIC_NR_PRIVATE < vm->arch.vgic.nr_spis && vm->arch.vgic.spis)
		return &vm->arch.vgic.spis[intid - GIC_NR_PRIVATE];
	return NULL;
}

bool vgic_irq_is_pending(const struct vgic_irq *irq)
{
	return irq->pending_latch || (!irq->edge && !irq->hw && irq->line_level);
}

bool vgic_irq_signalable(struct vm *vm, const struct vgic_irq *irq)
{
	if (!irq->enabled || !vgic_irq_is_pending(irq))
		return false;
	if (irq->intid < GIC_NR_PRIVATE)
		return true;
	return (__atomic_load_n(&vm->arch.vgic.gicd_ctlr, __ATOMIC_RELAXED) & GICD_CTLR_EN_GRP1) !=
	       0;
}

bool vgic_irq_deliverable(struct vm *vm, const struct vgic_irq *irq)
{
	return irq->active || vgic_irq_signalable(vm, irq);
}

struct vcpu *vgic_irq_target(struct vm *vm, const struct vgic_irq *irq)
{
	if (irq->owner)
		return irq->owner;
	if (irq->route & GICD_IROUTER_IRM)
		return vgic_vcpu_by_id(vm, 0);
	if (irq->route & ~(uint64_t)0xff) /* Aff1..Aff3 must be 0 */
		return NULL;
	return vgic_vcpu_by_id(vm, (unsigned)(irq->route & 0xff));
}

/* Link irq to target's list if nothing changed since the caller decided. */
static bool vgic_try_link(struct vm *vm, struct vgic_irq *irq, struct vcpu *target)
{
	if (irq->vcpu || !vgic_irq_deliverable(vm, irq) || vgic_irq_target(vm, irq) != target)
		return false;
	dlist_append(&target->arch.vgic.ap_list, &irq->ap_node);
	irq->vcpu = target;
	return true;
}

void vgic_queue_irq_unlock(struct vm *vm, struct vgic_irq *irq, k_spinlock_key_t key)
{
	for (;;) {
		struct vcpu *target = irq->vcpu;
		k_spinlock_key_t lkey;
		bool linked;

		if (target) { /* queued already: let it refresh its LRs */
			k_spin_unlock(&irq->lock, key);
			vcpu_kick(target);
			return;
		}
		target = vgic_irq_deliverable(vm, irq) ? vgic_irq_target(vm, irq) : NULL;
		k_spin_unlock(&irq->lock, key);
		if (!target)
			return;

		lkey = k_spin_lock(&target->arch.vgic.lock);
		key = k_spin_lock(&irq->lock);
		linked = vgic_try_link(vm, irq, target);
		k_spin_unlock(&irq->lock, key);
		k_spin_unlock(&target->arch.vgic.lock, lkey);
		if (linked) {
			vcpu_kick(target);
			return;
		}
		key = k_spin_lock(&irq->lock); /* raced: decide again */
	}
}

/*
 * Look at one entry of vcpu's list (its lock held): returns true to keep
 * it; otherwise it is unlinked, and *move says it must go to another vCPU.
 */
static bool vgic_prune_one(struct vcpu *vcpu, struct vgic_irq *irq, bool *move)
{
	struct vm *vm = vcpu->vm;
	k_spinlock_key_t key = k_spin_lock(&irq->lock);
	bool keep = vgic_irq_deliverable(vm, irq);
	struct vcpu *target = keep ? vgic_irq_target(vm, irq) : NULL;

	*move = false;
	if (keep && (irq->active || target == vcpu)) {
		k_spin_unlock(&irq->lock, key);
		return true;
	}
	dlist_remove(&irq->ap_node);
	irq->vcpu = NULL;
	*move = target != NULL;
	if (irq->hw_active) { /* retired without the guest's EOI (ICPENDR, ICACTIVER) */
		irq->hw_active = false;
		vgic_hw_phys_deactivate(irq->hw_intid);
	}
	k_spin_unlock(&irq->lock, key);
	return false;
}

void vgic_ap_list_prune(struct vcpu *vcpu)
{
	struct dnode *node, *tmp;
	k_spinlock_key_t key;
	bool move;

again:
	key = k_spin_lock(&vcpu->arch.vgic.lock);
	DLIST_FOR_EACH_SAFE(&vcpu->arch.vgic.ap_list, node, tmp)
	{
		struct vgic_irq *irq = CONTAINER_OF(node, struct vgic_irq, ap_node);

		if (vgic_prune_one(vcpu, irq, &move) || !move)
			continue;
		k_spin_unlock(&vcpu->arch.vgic.lock, key);
		key = k_spin_lock(&irq->lock);
		vgic_queue_irq_unlock(vcpu->vm, irq, key);
		goto again; /* rare (re-routed SPI): rescan */
	}
	k_spin_unlock(&vcpu->arch.vgic.lock, key);
}

void vgic_queue_all_spis(struct vm *vm)
{
	for (unsigned i = 0; i < vm->arch.vgic.nr_spis; i++) {
		struct vgic_irq *irq = &vm->arch.vgic.spis[i];

		vgic_queue_irq_unlock(vm, irq, k_spin_lock(&irq->lock));
	}
}

/* Apply a line change; true when the interrupt may have become pending. */
static bool vgic_irq_set_line(struct vgic_irq *irq, bool level)
{
	bool rose = level && !irq->line_level;

	irq->line_level = level;
	if (irq->edge) {
		if (level) /* every raise is an edge */
			irq->pending_latch = true;
		return level;
	}
	return rose;
}

/**
 * Raise or lower the line of `intid` (SGI/PPI: of vCPU `vcpu_id`); a raise
 * that makes it pending queues it on its target vCPU and kicks that vCPU.
 * Safe from any CPU and from interrupt context.
 */
int vgic_inject(struct vm *vm, int vcpu_id, uint32_t intid, bool level)
{
	struct vcpu *vcpu = NULL;
	struct vgic_irq *irq;
	k_spinlock_key_t key;

	if (intid < GIC_NR_PRIVATE) {
		vcpu = vcpu_id < 0 ? NULL : vgic_vcpu_by_id(vm, (unsigned)vcpu_id);
		if (!vcpu)
			return K_EINVAL;
	}
	irq = vgic_get_irq(vm, vcpu, intid);
	if (!irq)
		return K_EINVAL;
	key = k_spin_lock(&irq->lock);
	if (!vgic_irq_set_line(irq, level)) {
		k_spin_unlock(&irq->lock, key);
		return 0;
	}
	__atomic_fetch_add(&vm->virqs, 1, __ATOMIC_RELAXED);
	vgic_queue_irq_unlock(vm, irq, key);
	return 0;
}

int vgic_map_hw(struct vcpu *vcpu, uint32_t intid, uint32_t hw_intid)
{
	struct vgic_irq *irq = vgic_get_irq(vcpu->vm, vcpu, intid);
	k_spinlock_key_t key;

	if (!irq || intid >= GIC_NR_PRIVATE || hw_intid >= GIC_NR_PRIVATE)
		return K_EINVAL;
	key = k_spin_lock(&irq->lock);
	irq->hw = true;
	irq->hw_intid = (uint16_t)hw_intid;
	k_spin_unlock(&irq->lock, key);
	vcpu->arch.vgic.hw_map |= 1u << intid;
	return 0;
}

int vgic_map_hw_spi(struct vm *vm, uint32_t intid, uint32_t hw_intid)
{
	struct vgic_irq *irq = vgic_get_irq(vm, NULL, intid);
	k_spinlock_key_t key;

	if (!irq || intid < GIC_NR_PRIVATE || hw_intid < GIC_NR_PRIVATE)
		return K_EINVAL;
	key = k_spin_lock(&irq->lock);
	irq->hw = true;
	irq->hw_intid = (uint16_t)hw_intid;
	k_spin_unlock(&irq->lock, key);
	if (vm->arch.vgic.nr_hw_spis < VGIC_MAX_HW_SPIS)
		vm->arch.vgic.hw_spis[vm->arch.vgic.nr_hw_spis++] = (uint16_t)intid;
	return 0;
}

int vgic_inject_hw(struct vcpu *vcpu, uint32_t intid)
{
	struct vgic_irq *irq = vgic_get_irq(vcpu->vm, vcpu, intid);
	k_spinlock_key_t key;

	if (!irq || !irq->hw)
		return K_EINVAL;
	key = k_spin_lock(&irq->lock);
	irq->hw_refired = irq->hw_active; /* only possible for an SPI: see vgic_internal.h */
	irq->hw_active = true;
	irq->pending_latch = true;
	__atomic_fetch_add(&vcpu->vm->virqs, 1, __ATOMIC_RELAXED);
	vgic_queue_irq_unlock(vcpu->vm, irq, key);
	return 0;
}

void vgic_fast_adopt(struct vcpu *vcpu, struct vgic_irq *irq, bool hw)
{
	k_spinlock_key_t lkey = k_spin_lock(&vcpu->arch.vgic.lock);
	k_spinlock_key_t key = k_spin_lock(&irq->lock);

	if (hw)
		irq->hw_active = true;
	irq->pending_latch = false; /* its pending state is in the LR */
	if (!irq->vcpu) {
		dlist_append(&vcpu->arch.vgic.ap_list, &irq->ap_node);
		irq->vcpu = vcpu;
	}
	k_spin_unlock(&irq->lock, key);
	k_spin_unlock(&vcpu->arch.vgic.lock, lkey);
}

bool vgic_hw_held(struct vcpu *vcpu, uint32_t intid)
{
	struct vgic_irq *irq = vgic_get_irq(vcpu->vm, vcpu, intid);
	k_spinlock_key_t key;
	bool held;

	if (!irq)
		return false;
	key = k_spin_lock(&irq->lock);
	held = irq->hw_active;
	k_spin_unlock(&irq->lock, key);
	return held;
}

/**
 * ICC_SGI1R_EL1 written by `vcpu`: SGI INTID to every vCPU of the target
 * list (Aff0 = RS * 16 + bit; vCPUs have Aff1..Aff3 = 0), or with IRM to
 * every vCPU but the sender.
 */
void vgic_sgi1r_write(struct vcpu *vcpu, uint64_t value)
{
	struct vm *vm = vcpu->vm;
	uint32_t sgi = SGI1R_INTID(value);
	uint32_t targets = SGI1R_TARGETS(value);

	if (value & ICC_SGI1R_IRM) {
		for (unsigned id = 0; id < vgic_nr_vcpus(vm); id++) {
			if ((int)id != vcpu->id)
				vgic_inject(vm, (int)id, sgi, true);
		}
		return;
	}
	if (SGI1R_AFF(value, ICC_SGI1R_AFF1_SHIFT) || SGI1R_AFF(value, ICC_SGI1R_AFF2_SHIFT) ||
	    SGI1R_AFF(value, ICC_SGI1R_AFF3_SHIFT))
		return; /* no such vCPU */
	for (unsigned bit = 0; targets; bit++, targets >>= 1) {
		if (targets & 1)
			vgic_inject(vm, (int)(SGI1R_RS(value) * 16 + bit), sgi, true);
	}
}

/* Whether the guest's CPU interface would signal irq (its lock held). */
static bool vgic_irq_wakes(struct vm *vm, const struct vgic_irq *irq, uint64_t vmcr)
{
	uint32_t pmr = (uint32_t)((vmcr >> ICH_VMCR_VPMR_SHIFT) & ICH_VMCR_VPMR_MASK);

	return vgic_irq_signalable(vm, irq) && irq->priority < pmr;
}

/**
 * Whether vcpu has an interrupt its guest would take now: pending, enabled,
 * unmasked by the guest's priority mask and group enable. Call after
 * vgic_sync (the state is then all in the ap_list).
 */
bool vgic_vcpu_pending(struct vcpu *vcpu)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;
	uint64_t vmcr = v->loaded ? vgic_hw_read_vmcr() : v->vmcr;
	bool found = false;
	struct dnode *node;
	k_spinlock_key_t key;

	if (!v->private_irqs || !(vmcr & ICH_VMCR_VENG1))
		return false;
	key = k_spin_lock(&v->lock);
	DLIST_FOR_EACH(&v->ap_list, node)
	{
		struct vgic_irq *irq = CONTAINER_OF(node, struct vgic_irq, ap_node);
		k_spinlock_key_t ikey = k_spin_lock(&irq->lock);

		found = vgic_irq_wakes(vcpu->vm, irq, vmcr);
		k_spin_unlock(&irq->lock, ikey);
		if (found)
			break;
	}
	k_spin_unlock(&v->lock, key);
	return found;
}

/* Reset state of one interrupt. */
static void vgic_irq_init(struct vgic_irq *irq, uint32_t intid, struct vcpu *owner)
{
	*irq = (struct vgic_irq){
		.owner = owner,
		.intid = intid,
		.edge = intid < GIC_NR_SGIS, /* SGIs; PPIs and SPIs start level */
	};
}

/* Unlink every interrupt of irqs[0..n) from whatever ap_list holds it. */
static void vgic_irqs_unlink(struct vgic_irq *irqs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (irqs[i].vcpu && dnode_linked(&irqs[i].ap_node))
			dlist_remove(&irqs[i].ap_node);
		irqs[i].vcpu = NULL;
	}
}

static int vgic_register_regions(struct vm *vm)
{
	int err = vdev_register(vm, &(struct vdev){
					    .name = "gicd",
					    .base = GUEST_GICD_BASE,
					    .size = GICD_FRAME_SIZE,
					    .access = vgic_mmio_dist_access,
					    .priv = &vm->arch.vgic,
				    });

	if (err)
		return err;
	return vdev_register(vm, &(struct vdev){
					 .name = "gicr",
					 .base = GUEST_GICR_BASE,
					 .size = VM_MAX_VCPUS * GICR_STRIDE,
					 .access = vgic_mmio_redist_access,
					 .priv = &vm->arch.vgic,
				 });
}

/**
 * Create the VM's distributor: nr_spis SPIs (rounded up to a multiple of
 * 32, at most VGIC_MAX_SPIS), all disabled, level, priority 0, routed to
 * vCPU 0; then put GICD and the GICR frames on the VM's MMIO bus.
 */
int vgic_vm_init(struct vm *vm, unsigned nr_spis)
{
	struct vgic *d = &vm->arch.vgic;
	unsigned n = (nr_spis + 31) & ~31u;
	int err;

	if (n > VGIC_MAX_SPIS)
		return K_EINVAL;
	*d = (struct vgic){ .nr_spis = n };
	if (n) {
		d->spis = k_calloc(n, sizeof(*d->spis));
		if (!d->spis)
			return K_ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		vgic_irq_init(&d->spis[i], GIC_NR_PRIVATE + i, NULL);
	err = vgic_register_regions(vm);
	if (err)
		vgic_vm_destroy(vm);
	return err;
}

/** Take the GIC regions off the bus and free the SPIs (VM not running). */
void vgic_vm_destroy(struct vm *vm)
{
	struct vgic *d = &vm->arch.vgic;

	vdev_unregister_priv(vm, d);
	if (d->spis)
		vgic_irqs_unlink(d->spis, d->nr_spis);
	k_free(d->spis);
	d->spis = NULL;
	d->nr_spis = 0;
}

/**
 * Create vcpu's redistributor: SGIs (edge) and PPIs (level), all disabled
 * at priority 0, the redistributor asleep as after reset, no LR state.
 */
int vgic_vcpu_init(struct vcpu *vcpu)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;

	*v = (struct vgic_vcpu){ .gicr_asleep = true };
	dlist_init(&v->ap_list);
	v->private_irqs = k_calloc(GIC_NR_PRIVATE, sizeof(*v->private_irqs));
	if (!v->private_irqs)
		return K_ENOMEM;
	for (uint32_t i = 0; i < GIC_NR_PRIVATE; i++)
		vgic_irq_init(&v->private_irqs[i], i, vcpu);
	return 0;
}

/** Free vcpu's redistributor state; SPIs queued on it are unlinked. */
void vgic_vcpu_destroy(struct vcpu *vcpu)
{
	struct vgic_vcpu *v = &vcpu->arch.vgic;
	struct dnode *node, *tmp;

	if (!v->private_irqs)
		return;
	DLIST_FOR_EACH_SAFE(&v->ap_list, node, tmp)
	{
		dlist_remove(node);
		CONTAINER_OF(node, struct vgic_irq, ap_node)->vcpu = NULL;
	}
	k_free(v->private_irqs);
	v->private_irqs = NULL;
}
