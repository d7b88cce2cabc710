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

#endif /* ARCH_BARRIER_H */
