/*
 * The guest's view of the redistributors (GICR): per vCPU n a 64 KiB RD
 * frame and a 64 KiB SGI frame at VGIC_GICR_BASE + n * VGIC_GICR_STRIDE.
 * No LPIs (PROPBASER/PENDBASER RAZ/WI); frames past the last vCPU read as
 * zero, and the last vCPU's GICR_TYPER has Last set so guests stop there.
 */
#include <stddef.h>
#include <zvm/log.h>
#include <zvm/vgic.h>
#include <zvm/vm.h>
#include "vgic_internal.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define GICR_SGI_FRAME		0x10000u
#define GICR_TYPER_LAST		(1ull << 4)
#define GICR_WAKER_SLEEP	(1u << 1)	/* ProcessorSleep */
#define GICR_WAKER_ASLEEP	(1u << 2)	/* ChildrenAsleep */

/* Affinity Aff0 = vCPU id (bits [39:32]), ProcessorNumber = id ([23:8]). */
static uint64_t redist_read_typer(const struct vgic_mmio_ctx *ctx)
{
	uint64_t id = (uint64_t)ctx->vcpu->id;
	bool last = id + 1 == vgic_nr_vcpus(ctx->vm);

	return id << 32 | id << 8 | (last ? GICR_TYPER_LAST : 0);
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
	VGIC_REG(0x0000, 4, SZ_32, NULL, NULL),		/* CTLR: no LPIs, RWP 0 */
	VGIC_REG(0x0004, 4, SZ_32, vgic_read_iidr, NULL),
	VGIC_REG(0x0008, 8, SZ_32 | SZ_64, redist_read_typer, NULL),
	VGIC_REG(0x0010, 4, SZ_32, NULL, NULL),		/* STATUSR */
	VGIC_REG(0x0014, 4, SZ_32, redist_read_waker, redist_write_waker),
	VGIC_REG(0x0070, 8, SZ_32 | SZ_64, NULL, NULL),	/* PROPBASER */
	VGIC_REG(0x0078, 8, SZ_32 | SZ_64, NULL, NULL),	/* PENDBASER */
	VGIC_REG(0xffe8, 4, SZ_32, vgic_read_pidr2, NULL),
	VGIC_REG(0xffd0, 0x30, SZ_32, NULL, NULL),	/* other ID registers */
};

/* Offsets from the SGI frame; INTIDs 0-31 of the frame's vCPU. */
static const struct vgic_reg sgi_regs[] = {
	VGIC_REG_IRQ(0x0080, 4, 1, SZ_32, vgic_get_group, NULL),
	VGIC_REG_IRQ(0x0100, 4, 1, SZ_32, vgic_get_enabled, vgic_set_enable),
	VGIC_REG_IRQ(0x0180, 4, 1, SZ_32, vgic_get_enabled, vgic_clear_enable),
	VGIC_REG_IRQ(0x0200, 4, 1, SZ_32, vgic_get_pending, vgic_set_pending),
	VGIC_REG_IRQ(0x0280, 4, 1, SZ_32, vgic_get_pending, vgic_clear_pending),
	VGIC_REG_IRQ(0x0300, 4, 1, SZ_32, vgic_get_active, vgic_set_active),
	VGIC_REG_IRQ(0x0380, 4, 1, SZ_32, vgic_get_active, vgic_clear_active),
	VGIC_REG_IRQ(0x0400, 0x20, 8, SZ_8 | SZ_32, vgic_get_priority, vgic_set_priority),
	VGIC_REG_IRQ(0x0c00, 8, 2, SZ_32, vgic_get_config, vgic_set_config),
	VGIC_REG(0x0d00, 4, SZ_32, NULL, NULL),		/* IGRPMODR0: DS */
	VGIC_REG(0x0e00, 4, SZ_32, NULL, NULL),		/* NSACR */
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
	uint64_t off = acc->offset % VGIC_GICR_STRIDE;
	struct vgic_mmio_ctx ctx = {
		.vm = vm, .vcpu = redist_frame_vcpu(vm, acc->offset / VGIC_GICR_STRIDE),
	};
	bool known;

	(void)dev;
	if (!ctx.vcpu) {		/* past the last redistributor */
		if (!acc->write)
			acc->value = 0;
		return 0;
	}
	if (off < GICR_SGI_FRAME)
		known = vgic_mmio_access(&ctx, rd_regs, ARRAY_SIZE(rd_regs), off, acc);
	else
		known = vgic_mmio_access(&ctx, sgi_regs, ARRAY_SIZE(sgi_regs),
					 off - GICR_SGI_FRAME, acc);
	if (known || vm->arch.vgic.logged_redist)
		return 0;
	vm->arch.vgic.logged_redist = true;
	LOG_DBG("vgic: VM %d: GICR %s at 0x%lx (%u bytes) is RAZ/WI", vm->id,
		acc->write ? "write" : "read", (unsigned long)acc->offset, acc->size);
	return 0;
}
