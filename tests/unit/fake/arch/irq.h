/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests: the interrupt mask of the one fake CPU is a flag a test
 * can read (fake_irqs_masked, tests/unit/fake/arch_fake.c).
 */
#ifndef FAKE_ARCH_IRQ_H
#define FAKE_ARCH_IRQ_H

#include <stdint.h>

/** Are this (only) CPU's IRQs masked? Written by arch_irq_* only. */
extern int fake_irqs_masked;

static inline uint64_t arch_irq_save(void)
{
	uint64_t key = (uint64_t)fake_irqs_masked;

	fake_irqs_masked = 1;
	return key;
}

static inline void arch_irq_restore(uint64_t key)
{
	fake_irqs_masked = (int)key;
}

/** Set by a test: an IRQ is pending at the fake CPU (arch_irq_pending). */
extern int fake_irq_pending;

static inline int arch_irq_pending(void)
{
	return fake_irq_pending;
}

static inline void arch_irq_enable(void)
{
	fake_irqs_masked = 0;
}

static inline void arch_irq_disable(void)
{
	fake_irqs_masked = 1;
}

static inline int arch_irq_key_masked(uint64_t key)
{
	return key != 0;
}

static inline int arch_irqs_masked(void)
{
	return fake_irqs_masked;
}

#endif /* FAKE_ARCH_IRQ_H */
