/* SPDX-License-Identifier: MIT */
/*
 * The inline part of the CPU interface of include/zvm/arch.h: what is too
 * hot, or too small, to be a call. For the portable code through
 * include/zvm/arch.h; arch/ may include it directly.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>
#include <arch/el.h>

#define ARCH_STR(x)	ARCH_STR_(x)
#define ARCH_STR_(x)	#x

struct k_cpu;

/** This CPU's kernel data (kept in TPIDR_EL2, or TPIDR_EL1 in the guest). */
static inline struct k_cpu *arch_cpu_self(void)
{
	struct k_cpu *cpu;

	__asm__ volatile("mrs %0, " ARCH_STR(TPIDR_ELx) : "=r"(cpu));
	return cpu;
}

/** The system counter now (ordered after earlier instructions). */
static inline uint64_t arch_counter_read(void)
{
	uint64_t now;

	__asm__ volatile("isb\n\tmrs %0, " ARCH_STR(COUNTER) : "=r"(now) : : "memory");
	return now;
}

/** Tell the CPU this is a busy-wait loop (a hint: it may let others run). */
static inline void arch_cpu_relax(void)
{
	__asm__ volatile("yield" : : : "memory");
}

/**
 * Call the hypervisor (HVC #0, SMC Calling Convention): function id `fn`
 * with arguments a1..a3; returns x0. Only meaningful in a guest (EL1).
 */
static inline uint64_t arch_hypercall(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return x0;
}

/** Execute an instruction that is undefined on every CPU (tests of exception handling). */
static inline void arch_undefined_instruction(void)
{
	__asm__ volatile("udf #0");
}

#endif /* ARCH_CPU_H */
