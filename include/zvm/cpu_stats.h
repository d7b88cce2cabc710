/* SPDX-License-Identifier: MIT */
/* Per-CPU interference counters (kernel/cpu_stats.c, docs/pools.md). */
#ifndef ZVM_CPU_STATS_H
#define ZVM_CPU_STATS_H

#include <stdint.h>

struct cpu_stats {
	uint64_t irqs;           /* interrupts taken */
	uint64_t host_irqs;      /* of those, not for the vCPU running there */
	uint64_t exits;          /* guest exits of vCPUs there */
	uint64_t host_exits;     /* of those, caused by a host interrupt */
	uint64_t el2_ns;         /* EL2 time from exit to re-entry, summed */
	uint64_t idle_ns;        /* time in its idle thread */
	uint64_t guard_overruns; /* guard periods whose interference passed the budget */
	uint64_t guard_worst_ns; /* the most interference in one guard period */
};

/** A snapshot of CPU `cpu`'s counters (each word as it was; no lock). Any context. */
void cpu_stats_get(int cpu, struct cpu_stats *out);

struct k_thread;

/**
 * Measure the host interference vCPU thread t meets on `cpu` per period_ns
 * and count the periods over budget_ns (the RT guard, virt/rt_guard.c);
 * period 0 turns it off. Resets the worst period. Thread context.
 */
void cpu_guard_set(int cpu, const struct k_thread *t, uint64_t budget_ns, uint64_t period_ns);

#endif /* ZVM_CPU_STATS_H */
