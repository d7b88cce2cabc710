/* SPDX-License-Identifier: MIT */
/*
 * Barriers the portable code needs around memory that the hardware reads
 * behind its back (translation tables, a device's rings). Host unit tests
 * have a fake.
 */
#ifndef ARCH_BARRIER_H
#define ARCH_BARRIER_H

/** Make translation-table stores visible to table walkers of every CPU. */
static inline void pgtable_sync(void)
{
	__asm__ volatile("dsb ishst" : : : "memory");
}

/**
 * Complete every earlier memory access before any later one, device
 * accesses included: a driver's ring stores before the notify that makes
 * a device read them.
 */
static inline void arch_mb(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

/** Order stores to memory a device reads (a ring) before later stores (its doorbell). */
static inline void dma_wmb(void)
{
	__asm__ volatile("dmb oshst" : : : "memory");
}

/** Order the load of what a device wrote (a ring index) before later loads (the data). */
static inline void dma_rmb(void)
{
	__asm__ volatile("dmb oshld" : : : "memory");
}

#endif /* ARCH_BARRIER_H */
