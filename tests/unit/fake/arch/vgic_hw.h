/* SPDX-License-Identifier: MIT */
/*
 * Host tests: the real ICH accessor interface (arch/arm64), implemented by
 * tests/unit/fake/vgic_hw_fake.c over plain variables a test can edit to
 * play the guest (acknowledge: pending -> active; EOI: active -> invalid).
 */
#ifndef FAKE_ARCH_VGIC_HW_H
#define FAKE_ARCH_VGIC_HW_H

#include "../../../../arch/arm64/include/arch/vgic_hw.h"
#include <zvm/vgic.h>

/* The "CPU" the vCPUs run on. */
struct vgic_hw_fake {
	unsigned nr_lrs;
	uint64_t lr[VGIC_MAX_LRS];
	uint64_t hcr;
	uint64_t vmcr;
	unsigned nr_aprs; /* 0 reads as 4 */
	uint32_t ap0r[VGIC_MAX_APRS];
	uint32_t ap1r[VGIC_MAX_APRS];
};

extern struct vgic_hw_fake vgic_hw_fake;

/** Zero every register and implement nr_lrs list registers. */
void vgic_hw_fake_reset(unsigned nr_lrs);
/**
 * What ICH_MISR_EL2 would read now: EOI (an LR with its EOI bit was EOIed)
 * and underflow (UIE set, at most one LR valid), the two conditions zvm
 * enables; 0 while the interface is off.
 */
uint64_t vgic_hw_fake_misr(void);

#endif /* FAKE_ARCH_VGIC_HW_H */
