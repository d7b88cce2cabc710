/* SPDX-License-Identifier: MIT */
/* Host unit tests: nothing walks the tables but the code under test. */
#ifndef FAKE_ARCH_BARRIER_H
#define FAKE_ARCH_BARRIER_H

static inline void pgtable_sync(void)
{
	__asm__ volatile("" : : : "memory");
}

/* The only "device" is a model the test calls synchronously: ordering is the compiler's. */
static inline void dma_wmb(void)
{
	__asm__ volatile("" : : : "memory");
}

static inline void dma_rmb(void)
{
	__asm__ volatile("" : : : "memory");
}

#endif /* FAKE_ARCH_BARRIER_H */
