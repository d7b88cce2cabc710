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
	uint32_t phys_active;    /* physical PPIs active on this CPU, one bit each */
	uint32_t spi_active[32]; /* GICD_ISACTIVERn: physical SPIs active, bit intid % 32 */
	unsigned lr_writes;      /* vgic_hw_write_lr calls */
	unsigned deactivations;  /* vgic_hw_phys_deactivate calls */
};

extern struct vgic_hw_fake vgic_hw_fake;

/** Zero every register and implement nr_lrs list registers (a fresh CPU: vgic_cpu_forget). */
void vgic_hw_fake_reset(unsigned nr_lrs);
/**
 * The guest EOIs (deactivates) the interrupt in LR n, as the CPU interface
 * does: the LR loses its active state (invalid unless pending again), and
 * with the HW bit its physical interrupt is deactivated too.
 */
void vgic_hw_fake_guest_eoi(unsigned n);

/**
 * What ICH_MISR_EL2 would read now: EOI (an LR with its EOI bit was EOIed)
 * and underflow (UIE set, at most one LR valid), the two conditions zvm
 * enables; 0 while the interface is off.
 */
uint64_t vgic_hw_fake_misr(void);

#endif /* FAKE_ARCH_VGIC_HW_H */
