/* SPDX-License-Identifier: MIT */
/*
 * The CPU-specific part of zvm-ring (guests/linux/zvm-ring.c), a Linux user
 * program: the virtual counter (readable at EL0 on Linux arm64), a
 * busy-wait hint and a store barrier. Built for the host (the off-target
 * test), it uses the monotonic clock and compiler fences instead.
 */
#ifndef ZVM_RING_ARCH_CPU_H
#define ZVM_RING_ARCH_CPU_H

#include <stdint.h>
#include <time.h>

/** The counter now: the virtual counter, or nanoseconds on the host. */
static inline uint64_t cpu_now_ticks(void)
{
#ifdef __aarch64__
	uint64_t t;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t) :: "memory");
	return t;
#else
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

/** Ticks per second of cpu_now_ticks() (never 0). */
static inline uint64_t cpu_tick_hz(void)
{
#ifdef __aarch64__
	uint64_t f;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f ? f : 1;
#else
	return 1000000000u;
#endif
}

/** A busy-wait loop's hint to the CPU. */
static inline void cpu_relax(void)
{
#ifdef __aarch64__
	__asm__ volatile("yield" ::: "memory");
#else
	__asm__ volatile("" ::: "memory");
#endif
}

/** Every earlier store is complete (to Device memory too) before any later one. */
static inline void cpu_store_barrier(void)
{
#ifdef __aarch64__
	__asm__ volatile("dsb st" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

#endif /* ZVM_RING_ARCH_CPU_H */
