/* SPDX-License-Identifier: MIT */
/*
 * The register-table engine of the vGIC MMIO emulation, and the
 * per-interrupt field accessors the GICD and GICR tables share.
 *
 * A per-interrupt bank (enable bits, priority bytes, routes...) is walked
 * field by field: an access of any allowed size covers the fields of the
 * INTIDs it overlaps; a write that covers only part of a field (a 32-bit
 * half of an IROUTER) is merged with the field's current value.
 */
#include <stddef.h>
#include <zvm/vgic.h>
#include <zvm/vm.h>
#include "vgic_internal.h"

static uint64_t vgic_bits(unsigned n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static const struct vgic_reg *vgic_reg_find(const struct vgic_reg *table, unsigned n,
					    uint64_t offset)
{
	for (unsigned i = 0; i < n; i++) {
		if (offset >= table[i].start && offset - table[i].start < table[i].len)
			return &table[i];
	}
	return NULL;
}

static uint64_t vgic_field_get(const struct vgic_reg *r, struct vgic_irq *irq)
{
	k_spinlock_key_t key;
	uint64_t v;

	if (!irq || !r->get)
		return 0;
	key = k_spin_lock(&irq->lock);
	v = r->get(irq);
	k_spin_unlock(&irq->lock, key);
	return v;
}

/*
 * One field of a per-interrupt bank overlapped by an access: its interrupt
 * (or NULL), the first bit of the field covered, how many bits, and where
 * they sit in the access. vgic_span_next walks [off*8, (off+size)*8).
 */
struct vgic_span {
	struct vgic_irq *irq;
	unsigned fbit;
	unsigned nbits;
	unsigned shift;
	unsigned pos; /* next bit of the bank to visit */
	unsigned bit0;
	unsigned end;
};

static void vgic_span_start(struct vgic_span *s, uint32_t off, unsigned size)
{
	s->bit0 = s->pos = off * 8;
	s->end = s->bit0 + size * 8;
}

static bool vgic_span_next(const struct vgic_mmio_ctx *ctx, const struct vgic_reg *r,
			   struct vgic_span *s)
{
	if (s->pos >= s->end)
		return false;
	s->fbit = s->pos % r->bpi;
	s->nbits = r->bpi - s->fbit;
	if (s->nbits > s->end - s->pos)
		s->nbits = s->end - s->pos;
	s->shift = s->pos - s->bit0;
	s->irq = vgic_get_irq(ctx->vm, ctx->vcpu, s->pos / r->bpi);
	s->pos += s->nbits;
	return true;
}

static uint64_t vgic_irqs_read(const struct vgic_mmio_ctx *ctx, const struct vgic_reg *r,
			       uint32_t off, unsigned size)
{
	struct vgic_span s;
	uint64_t v = 0;

	vgic_span_start(&s, off, size);
	while (vgic_span_next(ctx, r, &s)) {
		uint64_t field = vgic_field_get(r, s.irq);

		v |= ((field >> s.fbit) & vgic_bits(s.nbits)) << s.shift;
	}
	return v;
}

static void vgic_irqs_write(const struct vgic_mmio_ctx *ctx, const struct vgic_reg *r, uint32_t off,
			    unsigned size, uint64_t value)
{
	struct vgic_span s;

	vgic_span_start(&s, off, size);
	while (vgic_span_next(ctx, r, &s)) {
		uint64_t mask = vgic_bits(s.nbits);
		uint64_t field = (value >> s.shift) & mask;

		if (!s.irq || !r->set)
			continue;
		if (s.nbits < r->bpi) /* part of a field: merge */
			field = (vgic_field_get(r, s.irq) & ~(mask << s.fbit)) | field << s.fbit;
		r->set(ctx->vm, s.irq, field);
		if (s.irq->hw && s.irq->intid >= GIC_NR_PRIVATE) /* set-up only: no lock */
			vgic_fast_disarm(ctx->vm, s.irq);
	}
}

/* A plain register: reads see the bytes accessed, writes count only whole. */
static uint64_t vgic_reg_read(const struct vgic_mmio_ctx *ctx, const struct vgic_reg *r,
			      uint32_t off, unsigned size)
{
	uint64_t v = r->read ? r->read(ctx) : 0;

	return off >= 8 ? 0 : (v >> (off * 8)) & vgic_bits(size * 8);
}

bool vgic_mmio_access(const struct vgic_mmio_ctx *ctx, const struct vgic_reg *table, unsigned n,
		      uint64_t offset, struct mmio_access *acc)
{
	const struct vgic_reg *r = vgic_reg_find(table, n, offset);
	uint32_t off;

	if (!acc->write)
		acc->value = 0;
	if (!r || !(r->sizes & acc->size) || (offset & (acc->size - 1)))
		return false;
	off = (uint32_t)(offset - r->start);
	if (r->bpi && acc->write)
		vgic_irqs_write(ctx, r, off, acc->size, acc->value);
	else if (r->bpi)
		acc->value = vgic_irqs_read(ctx, r, off, acc->size);
	else if (acc->write && off == 0 && r->write)
		r->write(ctx, acc->value & vgic_bits(acc->size * 8));
	else if (!acc->write)
		acc->value = vgic_reg_read(ctx, r, off, acc->size);
	return true;
}

/* ---- per-interrupt fields ---- */

/* Drop irq->lock, then kick the vCPU holding irq (its LRs may be stale). */
static void vgic_unlock_kick_holder(struct vgic_irq *irq, k_spinlock_key_t key)
{
	struct vcpu *holder = irq->vcpu;

	k_spin_unlock(&irq->lock, key);
	if (holder)
		vcpu_kick(holder);
}

uint64_t vgic_get_group(const struct vgic_irq *irq)
{
	(void)irq;
	return 1; /* everything is Group 1 */
}

uint64_t vgic_get_enabled(const struct vgic_irq *irq)
{
	return irq->enabled;
}

void vgic_set_enable(struct vm *vm, struct vgic_irq *irq, uint64_t field)
{
	k_spinlock_key_t key;

	if (!(field & 1))
		return;
	key = k_spin_lock(&irq->lock);
	irq->enabled = true;
	vgic_queue_irq_unlock(vm, irq, key);
}

void vgic_clear_enable(struct vm *vm, struct vgic_irq *irq, uint64_t field)
{
	k_spinlock_key_t key;

	(void)vm;
	if (!(field & 1))
		return;
	key = k_spin_lock(&irq->lock);
	irq->enabled = false;
	vgic_unlock_kick_holder(irq, key);
}

uint64_t vgic_get_pending(const struct vgic_irq *irq)
{
	return vgic_irq_is_pending(irq);
}

void vgic_set_pending(struct vm *vm, struct vgic_irq *irq, uint64_t field)
{
	k_spinlock_key_t key;

	if (!(field & 1))
		return;
	key = k_spin_lock(&irq->lock);
	irq->pending_latch = true;
	vgic_queue_irq_unlock(vm, irq, key);
}

void vgic_clear_pending(struct vm *vm, struct vgic_irq *irq, uint64_t field)
{
	k_spinlock_key_t key;

	(void)vm;
	if (!(field & 1))
		return;
	key = k_spin_lock(&irq->lock);
	irq->pending_latch = false; /* a level line stays as it is */
	vgic_unlock_kick_holder(irq, key);
}

uint64_t vgic_get_active(const struct vgic_irq *irq)
{
	return irq->active;
}

void vgic_set_active(struct vm *vm, struct vgic_irq *irq, uint64_t field)
{
	k_spinlock_key_t key;

	if (!(field & 1))
		return;
	key = k_spin_lock(&irq->lock);
	irq->active = true;
	vgic_queue_irq_unlock(vm, irq, key);
}

void vgic_clear_active(struct vm *vm, struct vgic_irq *irq, uint64_t field)
{
	k_spinlock_key_t key;

	(void)vm;
	if (!(field & 1))
		return;
	key = k_spin_lock(&irq->lock);
	irq->active = false;
	vgic_unlock_kick_holder(irq, key);
}

uint64_t vgic_get_priority(const struct vgic_irq *irq)
{
	return irq->priority;
}

void vgic_set_priority(struct vm *vm, struct vgic_irq *irq, uint64_t field)
{
	k_spinlock_key_t key = k_spin_lock(&irq->lock);

	(void)vm;
	irq->priority = (uint8_t)(field & VGIC_PRIO_MASK);
	k_spin_unlock(&irq->lock, key);
}

/* ICFGR: 2 bits per interrupt, bit 1 set = edge. SGIs are always edge. */
uint64_t vgic_get_config(const struct vgic_irq *irq)
{
	return irq->edge ? GIC_ICFGR_EDGE : 0;
}

void vgic_set_config(struct vm *vm, struct vgic_irq *irq, uint64_t field)
{
	k_spinlock_key_t key;

	if (irq->intid < GIC_NR_SGIS)
		return;
	key = k_spin_lock(&irq->lock);
	irq->edge = (field & GIC_ICFGR_EDGE) != 0;
	vgic_queue_irq_unlock(vm, irq, key); /* a high line may now count */
}

uint64_t vgic_get_route(const struct vgic_irq *irq)
{
	return irq->route;
}

void vgic_set_route(struct vm *vm, struct vgic_irq *irq, uint64_t field)
{
	k_spinlock_key_t key;

	if (irq->owner)
		return;
	key = k_spin_lock(&irq->lock);
	irq->route = field & VGIC_ROUTE_MASK;
	vgic_queue_irq_unlock(vm, irq, key); /* the holder moves it on sync */
}

/* ---- identification, the same in GICD and GICR ---- */

uint64_t vgic_read_iidr(const struct vgic_mmio_ctx *ctx)
{
	(void)ctx;
	return VGIC_IIDR;
}

uint64_t vgic_read_pidr2(const struct vgic_mmio_ctx *ctx)
{
	(void)ctx;
	return VGIC_PIDR2;
}
