/* SPDX-License-Identifier: MIT */
/* Host unit tests: nothing walks the tables but the code under test. */
#ifndef FAKE_ARCH_BARRIER_H
#define FAKE_ARCH_BARRIER_H

static inline void pgtable_sync(void)
{
	__asm__ volatile("" : : : "memory");
}

#endif /* FAKE_ARCH_BARRIER_H */
