/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests: the inline CPU calls of include/zvm/arch.h on the shared
 * fake (tests/unit/fake/arch_fake.c): one CPU, whose counter is the fake
 * kernel's clock.
 */
#ifndef FAKE_ARCH_CPU_H
#define FAKE_ARCH_CPU_H

#include <stdint.h>

struct k_cpu;

/** &k_cpus[0]: the test is CPU 0. */
struct k_cpu *fake_cpu_self(void);
/** fake_kernel.now. */
uint64_t fake_counter_read(void);

static inline struct k_cpu *arch_cpu_self(void)
{
	return fake_cpu_self();
}

static inline uint64_t arch_counter_read(void)
{
	return fake_counter_read();
}

static inline void arch_cpu_relax(void)
{
}

#endif /* FAKE_ARCH_CPU_H */
