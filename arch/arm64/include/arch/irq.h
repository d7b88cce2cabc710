/* SPDX-License-Identifier: MIT */
/*
 * This CPU's interrupt mask (DAIF.I), for the portable kernel: spinlocks,
 * the scheduler and drivers mask IRQs through these and nothing else.
 */
#ifndef ARCH_IRQ_H
#define ARCH_IRQ_H

#include <stdint.h>

/* DAIF.I is bit 7: IRQs masked. */
#define DAIF_IRQ (1u << 7)

/** Mask IRQs on this CPU; returns the previous mask for arch_irq_restore(). */
static inline uint64_t arch_irq_save(void)
{
	uint64_t daif;

	__asm__ volatile("mrs %0, daif" : "=r"(daif));
	__asm__ volatile("msr daifset, #2" : : : "memory");
	return daif;
}

/** Put back the mask that arch_irq_save() returned. */
static inline void arch_irq_restore(uint64_t daif)
{
	__asm__ volatile("msr daif, %0" : : "r"(daif) : "memory");
}

/** Unmask IRQs on this CPU. */
static inline void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

/** Whether an IRQ is pending at this CPU (ISR_EL1.I), taken once IRQs are unmasked. */
static inline int arch_irq_pending(void)
{
	uint64_t isr;

	__asm__ volatile("mrs %0, isr_el1" : "=r"(isr));
	return (isr & DAIF_IRQ) != 0;
}

/** Mask IRQs on this CPU. */
static inline void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
}

/** Did the interrupt state saved by arch_irq_save() have IRQs masked? */
static inline int arch_irq_key_masked(uint64_t key)
{
	return (key & DAIF_IRQ) != 0;
}

/** Are IRQs masked on this CPU now? */
static inline int arch_irqs_masked(void)
{
	uint64_t daif;

	__asm__ volatile("mrs %0, daif" : "=r"(daif));
	return (daif & DAIF_IRQ) != 0;
}

#endif /* ARCH_IRQ_H */
