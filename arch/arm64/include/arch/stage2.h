/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 translation registers and TLB maintenance of the EL1&0 regime
 * (EL2 host only). The tables themselves are built by virt/vmem.c.
 */
#ifndef ARCH_STAGE2_H
#define ARCH_STAGE2_H

#include <stdint.h>
#include <zvm/vmem.h>

/**
 * VTCR_EL2 for every VM: 39-bit IPA (T0SZ=25) walked from level 1, 4 KiB
 * granule, inner-shareable write-back walks, 8-bit VMID, output size from
 * ID_AA64MMFR0_EL1.PARange capped at 40 bits.
 */
uint64_t arch_s2_vtcr(void);

/** VTTBR_EL2 of s2 (NULL: no tables) tagged with vmid (bits [55:48]). */
uint64_t arch_s2_vttbr(const struct vmem *s2, uint16_t vmid);

/**
 * Invalidate every stage-1 and stage-2 TLB entry of vmid on all CPUs.
 * Borrows VTTBR_EL2 with IRQs masked; callable from any thread.
 */
void arch_s2_flush_vmid(uint16_t vmid, const struct vmem *s2);

/** Invalidate the EL1&0 TLB entries of every VMID on all CPUs. */
void arch_s2_flush_all(void);

#endif /* ARCH_STAGE2_H */
