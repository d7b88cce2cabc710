/*
 * The guest's view of the redistributors (GICR): per vCPU n a 64 KiB RD
 * frame and a 64 KiB SGI frame at GUEST_GICR_BASE + n * GICR_STRIDE.
 * No LPIs (PROPBASER/PENDBASER RAZ/WI); frames past the last vCPU read as
 * zero, and the last vCPU's GICR_TYPER has Last set so guests stop there.
 */
#include <stddef.h>
#include <zvm/log.h>
#include <zvm/vgic.h>
#include <zvm/vm.h>
#include "vgic_internal.h"

/* Affinity Aff0 = vCPU id (bits [39:32]), ProcessorNumber = id ([23:8]). */
static uint64_t redist_read_typer(const struct vgic_mmio_ctx *ctx)
{
	uint64_t id = (uint64_t)ctx->vcpu->id;
	bool last = id + 1 == vgic_nr_vcpus(ctx->vm);

	return id << GICR_TYPER_AFF_SHIFT | id << GICR_TYPER_PROC_SHIFT |
	       (last ? GICR_TYPER_LAST : 0);
}

/* The redistributor wakes (and sleeps) at once: ChildrenAsleep follows. */
static uint64_t redist_read_waker(const struct vgic_mmio_ctx *ctx)
{
	return ctx->vcpu->arch.vgic.gicr_asleep ? GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP : 0;
}

static void redist_write_waker(const struct vgic_mmio_ctx *ctx, uint64_t value)
{
	ctx->vcpu->arch.vgic.gicr_asleep = (value & GICR_WAKER_SLEEP) != 0;
}

static const struct vgic_reg rd_regs[] = {
	VGIC_REG(GICR_CTLR, 4, SZ_32, NULL, NULL),		/* no LPIs, RWP 0 */
	VGIC_REG(GICR_IIDR, 4, SZ_32, vgic_read_iidr, NULL),
	VGIC_REG(GICR_TYPER, 8, SZ_32 | SZ_64, redist_read_typer, NULL),
	VGIC_REG(GICR_STATUSR, 4, SZ_32, NULL, NULL),
	VGIC_REG(GICR_WAKER, 4, SZ_32, redist_read_waker, redist_write_waker),
	VGIC_REG(GICR_PROPBASER, 8, SZ_32 | SZ_64, NULL, NULL),
	VGIC_REG(GICR_PENDBASER, 8, SZ_32 | SZ_64, NULL, NULL),
	VGIC_REG(GICR_PIDR2, 4, SZ_32, vgic_read_pidr2, NULL),
	VGIC_REG(GICR_ID_REGS, GICR_ID_REGS_LEN, SZ_32, NULL, NULL),	/* the others */
};

#define SGI_BANK(off, bpi, sz, get, set) \
	VGIC_REG_IRQ(off, GIC_NR_PRIVATE, bpi, sz, get, set)

/* Offsets from the SGI frame; INTIDs 0-31 of the frame's vCPU. */
static const struct vgic_reg sgi_regs[] = {
	VGIC_IRQ_BANKS(SGI_BANK),
	VGIC_REG(GICR_IGRPMODR0, 4, SZ_32, NULL, NULL),		/* DS */
	VGIC_REG(GICR_NSACR, 4, SZ_32, NULL, NULL),
};

static struct vcpu *redist_frame_vcpu(struct vm *vm, uint64_t frame)
{
	if (frame >= vgic_nr_vcpus(vm) || !vm->vcpus[frame].arch.vgic.private_irqs)
		return NULL;
	return &vm->vcpus[frame];
}

/** The GICR region's handler: never faults; unknown registers are RAZ/WI. */
int vgic_mmio_redist_access(struct vcpu *vcpu, struct vdev *dev, struct mmio_access *acc)
{
	struct vm *vm = vcpu->vm;
	uint64_t off = acc->offset % GICR_STRIDE;
	struct vgic_mmio_ctx ctx = {
		.vm = vm, .vcpu = redist_frame_vcpu(vm, acc->offset / GICR_STRIDE),
	};
	bool known;

	(void)dev;
	if (!ctx.vcpu) {		/* past the last redistributor */
		if (!acc->write)
			acc->value = 0;
		return 0;
	}
	if (off < GICR_SGI_BASE)
		known = vgic_mmio_access(&ctx, rd_regs, ARRAY_SIZE(rd_regs), off, acc);
	else
		known = vgic_mmio_access(&ctx, sgi_regs, ARRAY_SIZE(sgi_regs),
					 off - GICR_SGI_BASE, acc);
	if (known || vm->arch.vgic.logged_redist)
		return 0;
	vm->arch.vgic.logged_redist = true;
	LOG_DBG("vgic: VM %d: GICR %s at 0x%lx (%u bytes) is RAZ/WI", vm->id,
		acc->write ? "write" : "read", (unsigned long)acc->offset, acc->size);
	return 0;
}
