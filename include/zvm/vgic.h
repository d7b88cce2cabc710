/* SPDX-License-Identifier: MIT */
/*
 * Virtual GICv3: an emulated distributor and redistributors per VM, and the
 * hardware virtual CPU interface (list registers) per vCPU.
 * (Interface fixed by the VM core; internals owned by virt/vgic/.)
 *
 * What the VM core calls, and when:
 *   vgic_vm_init       once per VM, after vm->cfg.nr_vcpus is set (registers
 *                      the GICD and GICR regions on the VM's MMIO bus)
 *   vgic_vcpu_init     once per vCPU, after vcpu->vm and vcpu->id are set
 *   vgic_flush         just before entering the guest: IRQs masked, on the
 *                      CPU that will run it; level lines (e.g. the virtual
 *                      timer) should be up to date by then
 *   vgic_sync          just after leaving the guest, before anything else
 *                      looks at the vCPU's interrupt state
 *   vgic_vcpu_pending  on a WFI exit, after vgic_sync
 *   vgic_maintenance_irq  from the host handler of the GIC maintenance PPI
 *                      (platform.gic_maint_intid), enabled on every CPU
 *   vgic_inject        from anywhere (any CPU, interrupt context included)
 *   vgic_map_hw        once per vCPU after vgic_vcpu_init (the virtual timer)
 *   vgic_inject_hw     from the host handler of a hardware-linked PPI, on the
 *                      vCPU's CPU (the handler leaves the PPI active)
 *   vgic_load, vgic_put  when the vCPU's thread gets / leaves a CPU (IRQs
 *                      masked): the CPU interface state and the physical
 *                      active state of its hardware-linked interrupts move
 *                      with the vCPU
 *   vgic_*_destroy     when the VM is gone for good (not running)
 */
#ifndef ZVM_VGIC_H
#define ZVM_VGIC_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/list.h>
#include <zvm/spinlock.h>
#include <arch/gicv3_regs.h>

struct vm;
struct vcpu;
struct vgic_irq;

/* Where guests find the GIC: GUEST_GICD_BASE, GUEST_GICR_BASE (guest_dtb.h). */
#define VGIC_MAX_SPIS    960 /* INTIDs 32..991 */
#define VGIC_MAX_LRS     16  /* ICH_LR0..15_EL2: the architecture's most */
#define VGIC_MAX_APRS    4   /* ICH_AP{0,1}R0..3_EL2: the architecture's most */
#define VGIC_MAX_HW_SPIS 16  /* passed-through SPIs the fast path knows; more take the full path */

/* Per-VM state: distributor and SPIs. */
struct vgic {
	unsigned nr_spis;      /* a multiple of 32 */
	uint32_t gicd_ctlr;    /* EnableGrp0/1 as the guest wrote them */
	struct vgic_irq *spis; /* INTID 32 + i */
	k_spinlock_t lock;     /* GICD_CTLR writes; a leaf lock */
	/* The hardware-linked SPIs' INTIDs (vgic_map_hw_spi, while the VM is made;
	 * read-only once a vCPU runs): the fast path's SPI slots (vgic_fast.c). */
	uint16_t hw_spis[VGIC_MAX_HW_SPIS];
	unsigned nr_hw_spis;
	bool logged_dist;   /* an unknown GICD offset was logged */
	bool logged_redist; /* an unknown GICR offset was logged */
};

/* Per-vCPU state: SGIs/PPIs, pending list, list-register shadow. */
struct vgic_vcpu {
	struct vgic_irq *private_irqs; /* 32: SGIs and PPIs */
	dlist_t ap_list;               /* pending or active, unordered */
	k_spinlock_t lock;             /* ap_list membership */
	unsigned used_lrs;             /* LRs filled by the last flush */
	uint64_t lrs[VGIC_MAX_LRS];    /* as flushed, then as synced */
	uint64_t vmcr;                 /* ICH_VMCR_EL2 while not running */
	uint32_t ap0r[VGIC_MAX_APRS];  /* ICH_AP0R<n>_EL2 while not running */
	uint32_t ap1r[VGIC_MAX_APRS];  /* ICH_AP1R<n>_EL2 while not running */
	uint32_t hw_map;               /* private INTIDs linked to a PPI (vgic_map_hw) */
	bool loaded;                   /* vmcr and the APRs are in the CPU (vgic_load..put) */
	bool gicr_asleep;              /* GICR_WAKER.ProcessorSleep */
};

/** Create the distributor with nr_spis SPIs (rounded up to 32) and map GICD/GICR. */
int vgic_vm_init(struct vm *vm, unsigned nr_spis);
/** Unmap the GIC regions and free the SPIs. */
void vgic_vm_destroy(struct vm *vm);
/** Create the redistributor state (SGIs, PPIs) of one vCPU. */
int vgic_vcpu_init(struct vcpu *vcpu);
/** Free a vCPU's redistributor state. */
void vgic_vcpu_destroy(struct vcpu *vcpu);
/**
 * Raise (level=true) or lower an interrupt line; SGI/PPI go to `vcpu_id`.
 * For an edge-triggered interrupt every raise is one edge. A level-
 * sensitive interrupt (PPIs and SPIs after reset; the guest's ICFGR
 * decides) stays pending, and is presented again after each EOI, until its
 * line is lowered with level=false. Returns 0, or K_EINVAL for an INTID or
 * vCPU the VM does not have.
 */
int vgic_inject(struct vm *vm, int vcpu_id, uint32_t intid, bool level);
/**
 * Link private interrupt `intid` of vcpu to physical PPI `hw_intid`: its LRs carry the HW
 * bit while the physical one is held active for it, so the guest's EOI deactivates both.
 */
int vgic_map_hw(struct vcpu *vcpu, uint32_t intid, uint32_t hw_intid);
/**
 * Link SPI `intid` of vm to physical SPI `hw_intid` (a passed-through device, virt/
 * passthrough.c): as vgic_map_hw, and the active state of an SPI is global, so nothing
 * moves with a vCPU. vgic_inject_hw (with any of vm's vCPUs) makes it pending.
 */
int vgic_map_hw_spi(struct vm *vm, uint32_t intid, uint32_t hw_intid);
/**
 * The physical PPI linked to `intid` was taken on vcpu's CPU and left active (priority
 * dropped): make the virtual one pending. Returns K_EINVAL if intid is not linked.
 */
int vgic_inject_hw(struct vcpu *vcpu, uint32_t intid);
/** Whether the physical interrupt linked to `intid` is held active for vcpu. */
bool vgic_hw_held(struct vcpu *vcpu, uint32_t intid);
/**
 * This CPU's list registers and ICH_HCR_EL2 hold unknown values (as after a
 * reset): the next flush here writes them all. (Each CPU starts so.)
 */
void vgic_cpu_forget(void);
/** vcpu's thread got this CPU (IRQs masked): load its CPU interface state. */
void vgic_load(struct vcpu *vcpu);
/** vcpu's thread leaves this CPU (IRQs masked, after vgic_sync): save it. */
void vgic_put(struct vcpu *vcpu);
/** Before entering the guest (IRQs masked, on the vCPU's CPU): fill the LRs. */
void vgic_flush(struct vcpu *vcpu);
/** After leaving the guest: read back what the guest did with the LRs. */
void vgic_sync(struct vcpu *vcpu);
/** Whether an enabled interrupt is pending for this vCPU (ends its WFI); own thread. */
bool vgic_vcpu_pending(struct vcpu *vcpu);
/** Emulate a trapped write of ICC_SGI1R_EL1 by `vcpu`. */
void vgic_sgi1r_write(struct vcpu *vcpu, uint64_t value);
/**
 * The GIC maintenance interrupt fired on this CPU (LRs ran low, or a level
 * interrupt was EOIed): silence it until the next vgic_flush, which refills.
 */
void vgic_maintenance_irq(void);

#endif /* ZVM_VGIC_H */
