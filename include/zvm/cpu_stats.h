/* SPDX-License-Identifier: MIT */
/* Per-CPU interference counters (kernel/cpu_stats.c, docs/pools.md). */
#ifndef ZVM_CPU_STATS_H
#define ZVM_CPU_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/arch.h>
#include <zvm/sched.h>

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

/* A thread's (a vCPU's) use of the host CPUs so far. */
struct thread_times {
	uint64_t run_ns;     /* on a CPU, the stretch it runs now included */
	uint64_t steal_ns;   /* ready but not running, the wait it is in now included */
	uint32_t migrations; /* times it ran on another CPU than the one before */
	uint32_t preemptions;
};

/** A snapshot of t's times (each word as it was; no lock). Any context. */
void thread_times_get(const struct k_thread *t, struct thread_times *out);

/** A snapshot of CPU `cpu`'s counters (each word as it was; no lock). Any context. */
void cpu_stats_get(int cpu, struct cpu_stats *out);

/**
 * Measure the host interference vCPU thread t meets on `cpu` per period_ns
 * and count the periods over budget_ns (the RT guard, virt/rt_guard.c);
 * period 0 turns it off. Resets the worst period. Thread context.
 */
void cpu_guard_set(int cpu, const struct k_thread *t, uint64_t budget_ns, uint64_t period_ns);

/* The guarded vCPU's side of an exit (kernel/cpu_stats.c). */
void cpu_guard_exited(struct k_cpu *c, uint64_t now);
void cpu_guard_entering(struct k_cpu *c, uint64_t now);

/**
 * Exits the vCPU here made that guest.S answered in the vector: `irqs` of
 * them its own timer's interrupts (the guest's), `others` hypercalls and
 * self-SGIs. Not timed (no EL2 work beyond the vector). IRQs masked.
 */
static inline void cpu_count_vector_exits(uint64_t irqs, uint64_t others)
{
	struct k_cpu *c = arch_cpu_self();

	c->irqs += irqs;
	c->guest_irqs += irqs;
	c->exits += irqs + others;
}

/**
 * The vCPU running here left its guest; `irq`: an interrupt made it exit.
 * IRQs masked; inline: it runs on every exit.
 */
static inline void cpu_guest_exited(bool irq)
{
	struct k_cpu *c = arch_cpu_self();
	uint64_t now = arch_counter_read();

	c->exits++;
	c->exit_open = irq;
	c->exit_timed = true;
	c->exit_since = now;
	c->exit_host_irqs = c->irqs - c->guest_irqs;
	c->exit_switches = c->switches;
	if (c->guard_thread && irq && c->current == c->guard_thread)
		cpu_guard_exited(c, now); /* its re-entry may be after others ran */
}

/**
 * The vCPU running here enters its guest: closes the exit it left by. An
 * interrupt exit is the host's when a host interrupt was taken before the
 * vCPU went back in (it may have been preempted meanwhile). An exit after
 * which the vCPU left its CPU (it blocked or was preempted) is not timed:
 * that time is not EL2 work on its behalf. IRQs masked.
 */
static inline void cpu_guest_entering(void)
{
	struct k_cpu *c = arch_cpu_self();
	uint64_t now;

	if (!c->exit_timed)
		return;
	now = arch_counter_read();
	if (c->exit_open && c->irqs - c->guest_irqs != c->exit_host_irqs)
		c->host_exits++;
	if (c->guard_exit_open && c->current == c->guard_thread)
		cpu_guard_entering(c, now);
	c->exit_open = false;
	c->exit_timed = false;
	if (c->switches == c->exit_switches)
		c->el2_ticks += now - c->exit_since;
}

#endif /* ZVM_CPU_STATS_H */
