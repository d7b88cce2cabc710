/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 hypervisor control interface (ICH_* system registers).
 * arch/arm64/virt/vgic_hw.c is the only code that touches these registers;
 * host unit tests link a fake (tests/unit/fake/). The register fields (the
 * list-register format and others) are in arch/gicv3_regs.h.
 */
#ifndef ARCH_VGIC_HW_H
#define ARCH_VGIC_HW_H

#include <stdint.h>
#include <arch/gicv3_regs.h>

/** Number of list registers this CPU implements (ICH_VTR_EL2.ListRegs + 1). */
unsigned vgic_hw_nr_lrs(void);
/** ICH_LR<n>_EL2; n < vgic_hw_nr_lrs(). */
uint64_t vgic_hw_read_lr(unsigned n);
/** Write ICH_LR<n>_EL2; n < vgic_hw_nr_lrs(). */
void vgic_hw_write_lr(unsigned n, uint64_t value);
/** ICH_HCR_EL2. */
uint64_t vgic_hw_read_hcr(void);
/** Write ICH_HCR_EL2 (and synchronise: the change is in effect on return). */
void vgic_hw_write_hcr(uint64_t value);
/** ICH_VMCR_EL2: the guest's PMR, group enables, binary points. */
uint64_t vgic_hw_read_vmcr(void);
/** Write ICH_VMCR_EL2. */
void vgic_hw_write_vmcr(uint64_t value);
/**
 * How many ICH_AP0R<n>_EL2 and ICH_AP1R<n>_EL2 this CPU implements (each):
 * 1, 2 or 4 for 5, 6 or 7 priority bits (ICH_VTR_EL2.PRIbits).
 */
unsigned vgic_hw_nr_aprs(void);
/** Read the guest's active priorities, Group 0 and 1, n < vgic_hw_nr_aprs(). */
void vgic_hw_save_aprs(uint32_t *ap0r, uint32_t *ap1r);
/** Write them back (all the implemented ones). */
void vgic_hw_load_aprs(const uint32_t *ap0r, const uint32_t *ap1r);

/** Deactivate physical PPI `intid` on this CPU (held active for a vCPU). */
void vgic_hw_phys_deactivate(uint32_t intid);
/** Make physical PPI `intid` active on this CPU (a vCPU holding it arrives). */
void vgic_hw_phys_activate(uint32_t intid);
/** The address of this CPU's GICR_ISACTIVER0, for the exit fast path (guest.S). */
uint64_t vgic_hw_isactiver_addr(void);
/** The same for a physical SPI: the distributor's GICD_ISACTIVERn holding intid. */
uint64_t vgic_hw_spi_isactiver_addr(uint32_t intid);

#endif /* ARCH_VGIC_HW_H */
