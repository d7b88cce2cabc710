/*
 * Host tests: the real ICH accessor interface (arch/arm64), implemented by
 * tests/unit/fake/vgic_hw_fake.c over plain variables a test can edit to
 * play the guest (acknowledge: pending -> active; EOI: active -> invalid).
 */
#ifndef FAKE_ARCH_VGIC_HW_H
#define FAKE_ARCH_VGIC_HW_H

#include "../../../../arch/arm64/include/arch/vgic_hw.h"

/* The "CPU" the vCPUs run on. */
struct vgic_hw_fake {
	unsigned nr_lrs;
	uint64_t lr[VGIC_HW_MAX_LRS];
	uint64_t hcr;
	uint64_t vmcr;
	uint64_t ap1r0;
};

extern struct vgic_hw_fake vgic_hw_fake;

/** Zero every register and implement nr_lrs list registers. */
void vgic_hw_fake_reset(unsigned nr_lrs);

#endif /* FAKE_ARCH_VGIC_HW_H */
