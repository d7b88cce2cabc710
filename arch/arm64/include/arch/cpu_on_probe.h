/* SPDX-License-Identifier: MIT */
/*
 * The CPU_ON probe (arch/arm64/cpu_on_probe.S): code a guest hands to PSCI
 * CPU_ON as the entry point, to see from inside the guest how often the
 * target CPU really started and whether it was started again while it ran
 * (guests/rtos/attack_psci.c). It runs with the MMU and caches off, so the
 * words it writes and the word it reads are on cache lines of their own.
 */
#ifndef ARCH_CPU_ON_PROBE_H
#define ARCH_CPU_ON_PROBE_H

#define PROBE_RUNNING	0	/* 1 from entry until just before CPU_OFF */
#define PROBE_STARTS	4	/* entries so far */
#define PROBE_RESTARTS	8	/* entries that found PROBE_RUNNING still 1 */
#define PROBE_RELEASE	64	/* written by the guest: leave once RELEASE >= STARTS */
#define PROBE_CONDUIT	68	/* 0: PSCI by hvc, 1: by smc */
#define PROBE_SIZE	128

#ifndef __ASSEMBLER__
#include <stdint.h>

/** The probe's memory, passed to it in x0 (its physical address: the guest maps RAM 1:1). */
struct cpu_on_probe {
	uint32_t running;		/* written by the probe */
	uint32_t starts;
	uint32_t restarts;
	uint32_t pad0[13];
	uint32_t release;		/* written by the guest's kernel */
	uint32_t conduit;
	uint32_t pad1[14];
} __attribute__((aligned(PROBE_SIZE)));

_Static_assert(sizeof(struct cpu_on_probe) == PROBE_SIZE, "cpu_on_probe.S offsets");

/** The entry point: counts the start, waits for release, then PSCI CPU_OFF. */
void cpu_on_probe_entry(void);
/** Clean and invalidate the probe's cache lines: before reading what it wrote, after writing release. */
void cpu_on_probe_sync(struct cpu_on_probe *p);
#endif

#endif /* ARCH_CPU_ON_PROBE_H */
