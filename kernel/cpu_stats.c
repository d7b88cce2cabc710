// SPDX-License-Identifier: MIT
/*
 * Per-CPU interference counters (docs/pools.md): which interrupts a CPU
 * took for the vCPU running there and which for the host, how many guest
 * exits a host interrupt caused, and the EL2 time from exit to re-entry.
 * Each CPU writes only its own counters, with IRQs masked; readers (the
 * shell, the management stats) read aligned words without a lock.
 */
#include <zvm/arch.h>
#include <zvm/cpu_stats.h>
#include <zvm/sched.h>

void cpu_count_guest_irq(void)
{
	arch_cpu_self()->guest_irqs++;
}

void cpu_kick_sent(int cpu)
{
	__atomic_store_n(&k_cpus[cpu].kick_pending, true, __ATOMIC_RELEASE);
}

/* The scheduler's IPI: a kick for the vCPU here counts as the guest's. */
void cpu_ipi_taken(void)
{
	struct k_cpu *c = arch_cpu_self();

	if (__atomic_exchange_n(&c->kick_pending, false, __ATOMIC_ACQ_REL))
		c->guest_irqs++;
}

void cpu_guard_exited(struct k_cpu *c, uint64_t now)
{
	c->guard_exit_open = true;
	c->guard_exit_since = now;
	c->guard_exit_irqs = c->irqs - c->guest_irqs;
	c->guard_exit_switches = c->switches;
}

/*
 * Interference the guarded vCPU met, dt ticks from `since`: a host-caused
 * exit (exit to re-entry) or a wait for its CPU while ready; summed per
 * guard period.
 */
void cpu_guard_count(struct k_cpu *c, uint64_t since, uint64_t dt)
{
	uint64_t window;

	if (!c->guard_period)
		return;
	window = since / c->guard_period;
	if (window != c->guard_window) {
		c->guard_window = window;
		c->guard_used = 0;
	}
	if (c->guard_used <= c->guard_budget && c->guard_used + dt > c->guard_budget)
		c->guard_overruns++; /* once per period */
	c->guard_used += dt;
	if (c->guard_used > c->guard_worst)
		c->guard_worst = c->guard_used;
}

void cpu_guard_entering(struct k_cpu *c, uint64_t now)
{
	/* Preempted in between: its wait was counted when it got the CPU back. */
	c->guard_exit_open = false;
	if (c->irqs - c->guest_irqs != c->guard_exit_irqs && c->switches == c->guard_exit_switches)
		cpu_guard_count(c, c->guard_exit_since, now - c->guard_exit_since);
}

void cpu_stats_get(int cpu, struct cpu_stats *out)
{
	const struct k_cpu *c = &k_cpus[cpu];
	uint64_t now = arch_counter_read(), idle = c->idle_ticks;

	/* The idle thread's current stretch too, so an idle CPU shows it now. */
	if (c->current && c->current->prio == K_IDLE_PRIO && c->idle_since && now > c->idle_since)
		idle += now - c->idle_since;
	out->irqs = c->irqs;
	out->host_irqs = c->irqs - c->guest_irqs;
	out->exits = c->exits;
	out->host_exits = c->host_exits;
	out->el2_ns = k_ticks_to_ns(c->el2_ticks);
	out->guard_overruns = c->guard_overruns;
	out->guard_worst_ns = k_ticks_to_ns(c->guard_worst);
	out->idle_ns = k_ticks_to_ns(idle);
}

/*
 * The totals account_switch() keeps grow at a switch; the stretch under way
 * (running, or waiting for a CPU) is added here so a hog or a waiting vCPU
 * shows its time now, not at its next switch.
 */
void thread_times_get(const struct k_thread *t, struct thread_times *out)
{
	uint64_t now = arch_counter_read();
	uint64_t run = t->run_ticks, steal = t->ready_ticks;
	enum k_thread_state state = t->state;

	if (state == K_THREAD_RUNNING && now > t->slice_start)
		run += now - t->slice_start;
	else if (state == K_THREAD_READY && now > t->ready_since)
		steal += now - t->ready_since;
	out->run_ns = k_ticks_to_ns(run);
	out->steal_ns = k_ticks_to_ns(steal);
	out->migrations = t->migrations;
	out->preemptions = t->preemptions;
}

void cpu_guard_set(int cpu, const struct k_thread *t, uint64_t budget_ns, uint64_t period_ns)
{
	struct k_cpu *c = &k_cpus[cpu];

	c->guard_period = 0; /* off while the others change */
	c->guard_thread = period_ns ? t : NULL;
	c->guard_budget = k_ns_to_ticks(budget_ns);
	c->guard_worst = 0;
	__atomic_store_n(&c->guard_period, k_ns_to_ticks(period_ns), __ATOMIC_RELEASE);
}
