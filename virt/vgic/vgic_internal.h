/* SPDX-License-Identifier: MIT */
/*
 * Private to virt/vgic/: the per-interrupt state machine and the register
 * tables the MMIO files are built from. Lock order: see vgic.c.
 */
#ifndef VIRT_VGIC_INTERNAL_H
#define VIRT_VGIC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/list.h>
#include <zvm/spinlock.h>
#include <zvm/vgic.h>
#include <zvm/vdev.h>
#include <arch/gicv3_regs.h> /* the register map; see there why virt/ may */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define VGIC_PRIO_MASK  0xf8u /* 5 priority bits, as the LRs have */
#define VGIC_ROUTE_MASK (GICD_IROUTER_AFF_MASK | GICD_IROUTER_IRM)

#define VGIC_IIDR  0x5a00043bu /* Arm implementer, product 'Z' */
/* ArchRev 3 (GICv3), and the low JEP106 bits of Arm's identity. */
#define VGIC_PIDR2 (GIC_PIDR2_ARCHREV_V3 << GIC_PIDR2_ARCHREV_SHIFT | 0xbu)

/* One interrupt. Every field is protected by `lock`. */
struct vgic_irq {
	struct dnode ap_node; /* on vcpu->arch.vgic.ap_list */
	struct vcpu *vcpu;    /* whose ap_list it is on, or NULL */
	struct vcpu *owner;   /* SGI/PPI: its vCPU; SPI: NULL */
	k_spinlock_t lock;
	uint64_t route; /* SPI: GICD_IROUTER */
	uint32_t intid;
	uint8_t priority;
	bool enabled;
	bool edge;          /* GICD_ICFGR: edge (else level) */
	bool line_level;    /* the wire, as last injected */
	bool pending_latch; /* edge seen, or set by ISPENDR */
	bool active;
	/*
	 * Hardware-linked (vgic_map_hw): physical PPI hw_intid of the vCPU's CPU
	 * belongs to it. hw_active: that physical interrupt is held active for
	 * this one (taken by the host and forwarded, vgic_inject_hw); the guest's
	 * deactivation of an LR with the HW bit ends it, so does vgic_sync when
	 * the virtual one was retired without it (ICPENDR, ICACTIVER).
	 */
	bool hw;
	bool hw_active;
	/*
	 * A passed-through SPI fired again (taken on another CPU) after the guest's
	 * EOI deactivated it but before its vCPU synced that LR: the sync must not
	 * end the new hw_active (vgic_inject_hw sets it, vgic_lr_apply clears it).
	 */
	bool hw_refired;
	uint16_t hw_intid;
};

/* ---- state machine (vgic.c) ---- */

/** The interrupt `intid` as seen from `vcpu` (NULL: SPIs only), or NULL. */
struct vgic_irq *vgic_get_irq(struct vm *vm, struct vcpu *vcpu, uint32_t intid);
/** Pending: the latch, or for a level interrupt also its line. */
bool vgic_irq_is_pending(const struct vgic_irq *irq);
/** Pending, enabled, and (SPIs) its group enabled in GICD_CTLR. */
bool vgic_irq_signalable(struct vm *vm, const struct vgic_irq *irq);
/** Whether irq belongs on an ap_list: active, or pending and enabled. */
bool vgic_irq_deliverable(struct vm *vm, const struct vgic_irq *irq);
/** The vCPU the interrupt is routed to, or NULL. */
struct vcpu *vgic_irq_target(struct vm *vm, const struct vgic_irq *irq);
/**
 * Called with irq->lock held (taken with key): put irq on its target's
 * ap_list if it should be there, kick that vCPU, and release irq->lock.
 */
void vgic_queue_irq_unlock(struct vm *vm, struct vgic_irq *irq, k_spinlock_key_t key);
/**
 * The exit fast path put irq of vcpu into an LR that the guest still has
 * (vgic_sync): its pending state is in the LR, list it on vcpu (whatever
 * else it was); hw: hold its physical PPI too.
 */
void vgic_fast_adopt(struct vcpu *vcpu, struct vgic_irq *irq, bool hw);

/* ---- arming the exit fast path (vgic_fast.c) ---- */

/** Arm vcpu's fast-path slots for the coming run (last in vgic_flush; nr LRs). */
void vgic_fast_arm(struct vcpu *vcpu, unsigned nr);
/** A guest write changed passed-through SPI irq: no vCPU's slot forwards it any more. */
void vgic_fast_disarm(struct vm *vm, const struct vgic_irq *irq);
/** The same for every passed-through SPI of vm (GICD_CTLR written). */
void vgic_fast_disarm_spis(struct vm *vm);
/** After a sync: drop dead entries from the ap_list, move re-routed ones. */
void vgic_ap_list_prune(struct vcpu *vcpu);
/** Queue every SPI that became deliverable (distributor just enabled). */
void vgic_queue_all_spis(struct vm *vm);
/** Number of vCPUs the VM has (and redistributor frames it shows). */
unsigned vgic_nr_vcpus(const struct vm *vm);

/* ---- register tables (vgic_mmio.c) ---- */

/* The redistributor frame (or none: distributor) an access goes to. */
struct vgic_mmio_ctx {
	struct vm *vm;
	struct vcpu *vcpu; /* frame owner; NULL for the GICD */
};

typedef uint64_t (*vgic_reg_read_fn)(const struct vgic_mmio_ctx *ctx);
typedef void (*vgic_reg_write_fn)(const struct vgic_mmio_ctx *ctx, uint64_t value);
/* Per-interrupt fields: get runs with irq->lock held, set takes it itself. */
typedef uint64_t (*vgic_field_get_fn)(const struct vgic_irq *irq);
typedef void (*vgic_field_set_fn)(struct vm *vm, struct vgic_irq *irq, uint64_t field);

/*
 * One register or bank of per-interrupt registers. With bpi = 0 it is one
 * register of `len` bytes (read/write); otherwise `len` bytes hold a field
 * of bpi bits for each interrupt from INTID 0 up (get/set): VGIC_REG_IRQ
 * takes the number of interrupts the bank has room for. A NULL function
 * is RAZ or WI. `sizes` is a mask of the access sizes allowed (1, 2, 4, 8).
 */
struct vgic_reg {
	uint32_t start;
	uint32_t len;
	uint8_t bpi;
	uint8_t sizes;
	vgic_reg_read_fn read;
	vgic_reg_write_fn write;
	vgic_field_get_fn get;
	vgic_field_set_fn set;
};

#define SZ_8  (1u << 0) /* = the access size in bytes */
#define SZ_32 (1u << 2)
#define SZ_64 (1u << 3)

#define VGIC_REG(off, l, sz, rd, wr)                                                   \
	{                                                                              \
		.start = (off), .len = (l), .sizes = (sz), .read = (rd), .write = (wr) \
	}
#define VGIC_REG_IRQ(off, nr, b, sz, g, s)                                                         \
	{                                                                                          \
		.start = (off), .len = GIC_BANK_LEN(nr, b), .bpi = (b), .sizes = (sz), .get = (g), \
		.set = (s)                                                                         \
	}

/*
 * The per-interrupt banks that the distributor and every SGI frame both
 * have, at the same offsets (GICR_ISENABLER0 = GICD_ISENABLER, ...): each
 * as bank(offset, bits per interrupt, sizes, get, set). The GICD's cover
 * INTIDs 0-1023 (0-31 read as zero there), an SGI frame's 0-31.
 */
#define VGIC_IRQ_BANKS(bank)                                                                   \
	bank(GICD_IGROUPR, GIC_BPI_BIT, SZ_32, vgic_get_group, NULL),                          \
		bank(GICD_ISENABLER, GIC_BPI_BIT, SZ_32, vgic_get_enabled, vgic_set_enable),   \
		bank(GICD_ICENABLER, GIC_BPI_BIT, SZ_32, vgic_get_enabled, vgic_clear_enable), \
		bank(GICD_ISPENDR, GIC_BPI_BIT, SZ_32, vgic_get_pending, vgic_set_pending),    \
		bank(GICD_ICPENDR, GIC_BPI_BIT, SZ_32, vgic_get_pending, vgic_clear_pending),  \
		bank(GICD_ISACTIVER, GIC_BPI_BIT, SZ_32, vgic_get_active, vgic_set_active),    \
		bank(GICD_ICACTIVER, GIC_BPI_BIT, SZ_32, vgic_get_active, vgic_clear_active),  \
		bank(GICD_IPRIORITYR, GIC_BPI_PRIORITY, SZ_8 | SZ_32, vgic_get_priority,       \
		     vgic_set_priority),                                                       \
		bank(GICD_ICFGR, GIC_BPI_CONFIG, SZ_32, vgic_get_config, vgic_set_config)

/**
 * Find acc->offset in a table and perform the access. Unknown offsets and
 * bad sizes read as zero and ignore writes; returns false for those (so
 * the caller can log), true when a table entry handled it.
 */
bool vgic_mmio_access(const struct vgic_mmio_ctx *ctx, const struct vgic_reg *table, unsigned n,
		      uint64_t offset, struct mmio_access *acc);

/* Field accessors shared by the GICD and the GICR SGI frame. */
uint64_t vgic_get_group(const struct vgic_irq *irq);
uint64_t vgic_get_enabled(const struct vgic_irq *irq);
void vgic_set_enable(struct vm *vm, struct vgic_irq *irq, uint64_t field);
void vgic_clear_enable(struct vm *vm, struct vgic_irq *irq, uint64_t field);
uint64_t vgic_get_pending(const struct vgic_irq *irq);
void vgic_set_pending(struct vm *vm, struct vgic_irq *irq, uint64_t field);
void vgic_clear_pending(struct vm *vm, struct vgic_irq *irq, uint64_t field);
uint64_t vgic_get_active(const struct vgic_irq *irq);
void vgic_set_active(struct vm *vm, struct vgic_irq *irq, uint64_t field);
void vgic_clear_active(struct vm *vm, struct vgic_irq *irq, uint64_t field);
uint64_t vgic_get_priority(const struct vgic_irq *irq);
void vgic_set_priority(struct vm *vm, struct vgic_irq *irq, uint64_t field);
uint64_t vgic_get_config(const struct vgic_irq *irq);
void vgic_set_config(struct vm *vm, struct vgic_irq *irq, uint64_t field);
uint64_t vgic_get_route(const struct vgic_irq *irq);
void vgic_set_route(struct vm *vm, struct vgic_irq *irq, uint64_t field);

/* Registers both maps have. */
uint64_t vgic_read_iidr(const struct vgic_mmio_ctx *ctx);
uint64_t vgic_read_pidr2(const struct vgic_mmio_ctx *ctx);

/* ---- the two register maps (vgic_mmio_dist.c, vgic_mmio_redist.c) ---- */

int vgic_mmio_dist_access(struct vcpu *vcpu, struct vdev *dev, struct mmio_access *acc);
int vgic_mmio_redist_access(struct vcpu *vcpu, struct vdev *dev, struct mmio_access *acc);

#endif /* VIRT_VGIC_INTERNAL_H */
