/* SPDX-License-Identifier: MIT */
/*
 * The arch part of a VM (struct vm's `arch`, EL2 host only): its stage-2
 * translation registers, its guest time offset and its virtual GIC
 * distributor. The vCPUs take copies (vcpu_arch_init, arch/vcpu.h).
 */
#ifndef ARCH_VM_H
#define ARCH_VM_H

#include <stdint.h>
#include <zvm/vgic.h>
#include <zvm/vmem.h>

/*
 * Written by the VM manager's steps (virt/vm.c, with the VMM lock held);
 * `vgic` has its own locking rules (virt/vgic/vgic.c).
 */
struct vm_arch {
	uint64_t vttbr;			/* VTTBR_EL2: stage-2 root and VMID */
	uint64_t vtcr;			/* VTCR_EL2 */
	uint64_t cntvoff;		/* guest time = counter - cntvoff */
	struct vgic vgic;		/* distributor and SPIs (virt/vgic/) */
};

/** Set up a VM's arch state for its stage-2 tables s2 tagged with vmid. */
void vm_arch_init(struct vm_arch *vm, const struct vmem *s2, uint16_t vmid);

#endif /* ARCH_VM_H */
