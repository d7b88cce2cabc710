/*
 * Barriers the portable code needs around memory that the hardware reads
 * behind its back (translation tables). Host unit tests have a fake.
 */
#ifndef ARCH_BARRIER_H
#define ARCH_BARRIER_H

#include <arch/sysreg.h>

/** Make translation-table stores visible to table walkers of every CPU. */
static inline void pgtable_sync(void)
{
	dsb(ishst);
}

/** Order this CPU's stores to memory a device reads (a ring) before later stores (its doorbell). */
static inline void dma_wmb(void)
{
	dmb(oshst);
}

/** Order a load of what a device wrote (a ring index) before later loads of the data. */
static inline void dma_rmb(void)
{
	dmb(oshld);
}

#endif /* ARCH_BARRIER_H */
