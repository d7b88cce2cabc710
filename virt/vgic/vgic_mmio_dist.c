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

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define GICD_TYPER_IDBITS	(9u << 19)	/* 10-bit INTIDs */
#define GICD_TYPER_NO1N		(1u << 25)	/* no 1-of-N SPI delivery */

static uint64_t dist_read_ctlr(const struct vgic_mmio_ctx *ctx)
{
	uint32_t ctlr = __atomic_load_n(&ctx->vm->arch.vgic.gicd_ctlr, __ATOMIC_RELAXED);

	return ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;	/* RWP reads 0: done */
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
	if ((ctlr & ~old) & GICD_CTLR_EN_GRP1)
		vgic_queue_all_spis(ctx->vm);
}

static uint64_t dist_read_typer(const struct vgic_mmio_ctx *ctx)
{
	unsigned lines = (ctx->vm->arch.vgic.nr_spis + VGIC_NR_PRIVATE) / 32 - 1;
	unsigned cpus = vgic_nr_vcpus(ctx->vm);

	return lines | ((cpus ? cpus - 1 : 0) & 7) << 5 | GICD_TYPER_IDBITS |
	       GICD_TYPER_NO1N;
}

/* First match wins: PIDR2 before the ID block around it. */
static const struct vgic_reg dist_regs[] = {
	VGIC_REG(0x0000, 4, SZ_32, dist_read_ctlr, dist_write_ctlr),
	VGIC_REG(0x0004, 4, SZ_32, dist_read_typer, NULL),
	VGIC_REG(0x0008, 4, SZ_32, vgic_read_iidr, NULL),
	VGIC_REG(0x000c, 4, SZ_32, NULL, NULL),			/* TYPER2 */
	VGIC_REG(0x0010, 4, SZ_32, NULL, NULL),			/* STATUSR */
	VGIC_REG(0x0040, 0x20, SZ_32, NULL, NULL),		/* SETSPI/CLRSPI: no MBIS */
	VGIC_REG_IRQ(0x0080, 0x80, 1, SZ_32, vgic_get_group, NULL),
	VGIC_REG_IRQ(0x0100, 0x80, 1, SZ_32, vgic_get_enabled, vgic_set_enable),
	VGIC_REG_IRQ(0x0180, 0x80, 1, SZ_32, vgic_get_enabled, vgic_clear_enable),
	VGIC_REG_IRQ(0x0200, 0x80, 1, SZ_32, vgic_get_pending, vgic_set_pending),
	VGIC_REG_IRQ(0x0280, 0x80, 1, SZ_32, vgic_get_pending, vgic_clear_pending),
	VGIC_REG_IRQ(0x0300, 0x80, 1, SZ_32, vgic_get_active, vgic_set_active),
	VGIC_REG_IRQ(0x0380, 0x80, 1, SZ_32, vgic_get_active, vgic_clear_active),
	VGIC_REG_IRQ(0x0400, 0x400, 8, SZ_8 | SZ_32, vgic_get_priority, vgic_set_priority),
	VGIC_REG(0x0800, 0x400, SZ_8 | SZ_32, NULL, NULL),	/* ITARGETSR: ARE */
	VGIC_REG_IRQ(0x0c00, 0x100, 2, SZ_32, vgic_get_config, vgic_set_config),
	VGIC_REG(0x0d00, 0x80, SZ_32, NULL, NULL),		/* IGRPMODR: DS */
	VGIC_REG(0x0e00, 0x100, SZ_32, NULL, NULL),		/* NSACR */
	VGIC_REG(0x0f00, 4, SZ_32, NULL, NULL),			/* SGIR: ARE */
	VGIC_REG(0x0f10, 0x20, SZ_8 | SZ_32, NULL, NULL),	/* C/SPENDSGIR: ARE */
	VGIC_REG_IRQ(0x6000, 0x2000, 64, SZ_32 | SZ_64, vgic_get_route, vgic_set_route),
	VGIC_REG(0xffe8, 4, SZ_32, vgic_read_pidr2, NULL),
	VGIC_REG(0xffd0, 0x30, SZ_32, NULL, NULL),		/* other ID registers */
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
