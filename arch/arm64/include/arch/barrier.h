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

#endif /* ARCH_BARRIER_H */
