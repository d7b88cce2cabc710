/* SPDX-License-Identifier: MIT */
/*
 * The guest's view of the distributor (GICD), as a table of registers.
 * Affinity routing is always on and there is one security state
 * (GICD_CTLR.ARE = DS = 1): SGIs and PPIs live in the redistributors, so
 * the INTID 0-31 parts of the per-interrupt banks read as zero.
 */
#include <stddef.h>
#include <zvm/log.h>
#include <zvm/vgic.h>
#include <zvm/vm.h>
#include "vgic_internal.h"

#define DIST_INTID_BITS 10 /* INTIDs 0-1023 */

static uint64_t dist_read_ctlr(const struct vgic_mmio_ctx *ctx)
{
	uint32_t ctlr = __atomic_load_n(&ctx->vm->arch.vgic.gicd_ctlr, __ATOMIC_RELAXED);

	return ctlr | GICD_CTLR_ARE | GICD_CTLR_DS; /* RWP reads 0: done */
}

/* Enabling Group 1 releases every pending, enabled SPI. */
static void dist_write_ctlr(const struct vgic_mmio_ctx *ctx, uint64_t value)
{
	struct vgic *d = &ctx->vm->arch.vgic;
	uint32_t ctlr = (uint32_t)value & (GICD_CTLR_EN_GRP0 | GICD_CTLR_EN_GRP1);
	k_spinlock_key_t key = k_spin_lock(&d->lock);
	uint32_t old = d->gicd_ctlr;

	__atomic_store_n(&d->gicd_ctlr, ctlr, __ATOMIC_RELAXED);
	k_spin_unlock(&d->lock, key);
	vgic_fast_disarm_spis(ctx->vm);
	if ((ctlr & ~old) & GICD_CTLR_EN_GRP1)
		vgic_queue_all_spis(ctx->vm);
}

static uint64_t dist_read_typer(const struct vgic_mmio_ctx *ctx)
{
	unsigned lines = (ctx->vm->arch.vgic.nr_spis + GIC_NR_PRIVATE) / 32 - 1; /* ITLines */
	unsigned cpus = vgic_nr_vcpus(ctx->vm);

	return lines | ((cpus ? cpus - 1 : 0) & GICD_TYPER_CPUS_MASK) << GICD_TYPER_CPUS_SHIFT |
	       (DIST_INTID_BITS - 1) << GICD_TYPER_IDBITS_SHIFT | GICD_TYPER_NO1N;
}

#define BANK_LEN(bpi)                     GIC_BANK_LEN(GIC_MAX_INTIDS, bpi)
#define DIST_BANK(off, bpi, sz, get, set) VGIC_REG_IRQ(off, GIC_MAX_INTIDS, bpi, sz, get, set)

/* First match wins: PIDR2 before the ID block around it. */
static const struct vgic_reg dist_regs[] = {
	VGIC_REG(GICD_CTLR, 4, SZ_32, dist_read_ctlr, dist_write_ctlr),
	VGIC_REG(GICD_TYPER, 4, SZ_32, dist_read_typer, NULL),
	VGIC_REG(GICD_IIDR, 4, SZ_32, vgic_read_iidr, NULL),
	VGIC_REG(GICD_TYPER2, 4, SZ_32, NULL, NULL),
	VGIC_REG(GICD_STATUSR, 4, SZ_32, NULL, NULL),
	VGIC_REG(GICD_SETSPI_NSR, GICD_SETSPI_LEN, SZ_32, NULL, NULL), /* no MBIS */
	VGIC_IRQ_BANKS(DIST_BANK),
	VGIC_REG(GICD_ITARGETSR, BANK_LEN(8), SZ_8 | SZ_32, NULL, NULL), /* ARE */
	VGIC_REG(GICD_IGRPMODR, BANK_LEN(1), SZ_32, NULL, NULL),         /* DS */
	VGIC_REG(GICD_NSACR, GICD_NSACR_LEN, SZ_32, NULL, NULL),
	VGIC_REG(GICD_SGIR, 4, SZ_32, NULL, NULL),                             /* ARE */
	VGIC_REG(GICD_CPENDSGIR, GICD_SGI_PEND_LEN, SZ_8 | SZ_32, NULL, NULL), /* ARE */
	DIST_BANK(GICD_IROUTER, GIC_BPI_ROUTE, SZ_32 | SZ_64, vgic_get_route, vgic_set_route),
	VGIC_REG(GICD_PIDR2, 4, SZ_32, vgic_read_pidr2, NULL),
	VGIC_REG(GICD_ID_REGS, GICD_ID_REGS_LEN, SZ_32, NULL, NULL), /* the others */
};

/** The GICD region's handler: never faults; unknown registers are RAZ/WI. */
int vgic_mmio_dist_access(struct vcpu *vcpu, struct vdev *dev, struct mmio_access *acc)
{
	struct vm *vm = vcpu->vm;
	const struct vgic_mmio_ctx ctx = { .vm = vm, .vcpu = NULL };

	(void)dev;
	if (vgic_mmio_access(&ctx, dist_regs, ARRAY_SIZE(dist_regs), acc->offset, acc) ||
	    vm->arch.vgic.logged_dist)
		return 0;
	vm->arch.vgic.logged_dist = true;
	LOG_DBG("vgic: VM %d: GICD %s at 0x%lx (%u bytes) is RAZ/WI", vm->id,
		acc->write ? "write" : "read", (unsigned long)acc->offset, acc->size);
	return 0;
}
