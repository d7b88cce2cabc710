/* SPDX-License-Identifier: MIT */
/* GICv3 driver: distributor, redistributors, system-register CPU interface. */
#ifndef ARCH_GICV3_H
#define ARCH_GICV3_H

#include <stdint.h>
#include <arch/gicv3_regs.h>

#define GIC_SGI_RESCHED 0 /* a CPU has a new thread to consider */

/** Map and enable the distributor (boot CPU, once). */
int gic_init(uint64_t gicd_base, uint64_t gicr_base, uint64_t gicr_size);
/** Wake this CPU's redistributor and enable its CPU interface. */
int gic_cpu_init(int cpu);
/** Take and dispatch every pending interrupt; called from the IRQ vector. */
void gic_handle_irqs(void);
/** The address of this CPU's GICR_ISACTIVER0 (IRQs masked: the CPU stays the same). */
uintptr_t gic_ppi_isactiver(void);
/** The distributor's GICD_ISACTIVERn holding SPI intid's active bit (bit intid % 32). */
uintptr_t gic_spi_isactiver(int intid);

#endif /* ARCH_GICV3_H */
