/* SPDX-License-Identifier: MIT */
/* Per-CPU interference counters (kernel/cpu_stats.c, docs/pools.md). */
#ifndef ZVM_CPU_STATS_H
#define ZVM_CPU_STATS_H

#include <stdint.h>

struct cpu_stats {
	uint64_t irqs;       /* interrupts taken */
	uint64_t host_irqs;  /* of those, not for the vCPU running there */
	uint64_t exits;      /* guest exits of vCPUs there */
	uint64_t host_exits; /* of those, caused by a host interrupt */
	uint64_t el2_ns;     /* EL2 time from exit to re-entry, summed */
	uint64_t idle_ns;    /* time in its idle thread */
};

/** A snapshot of CPU `cpu`'s counters (each word as it was; no lock). Any context. */
void cpu_stats_get(int cpu, struct cpu_stats *out);

#endif /* ZVM_CPU_STATS_H */
