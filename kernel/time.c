/* SPDX-License-Identifier: MIT */
/* Time: the architecture counter, conversions, uptime, per-CPU statistics. */
#include <string.h>
#include <zvm/arch.h>
#include <zvm/sched.h>

static uint64_t counter_hz;
static uint64_t boot_count;

void time_init(void)
{
	counter_hz = arch_counter_freq();
	boot_count = arch_counter_read();
}

uint64_t k_ticks_per_sec(void)
{
	return counter_hz;
}

uint64_t k_cycle_get(void)
{
	return arch_counter_read();
}

uint64_t k_ns_to_ticks(uint64_t ns)
{
	/* Split to avoid overflow for long times; rounds up so waits are never short. */
	uint64_t s = ns / 1000000000u, rem = ns % 1000000000u;

	return s * counter_hz + (rem * counter_hz + 999999999u) / 1000000000u;
}

uint64_t k_ticks_to_ns(uint64_t ticks)
{
	uint64_t s = ticks / counter_hz, rem = ticks % counter_hz;

	return s * 1000000000u + rem * 1000000000u / counter_hz;
}

uint64_t k_uptime_ns(void)
{
	return k_ticks_to_ns(arch_counter_read() - boot_count);
}

int k_num_cpus(void)
{
	int n = 0;

	for (int i = 0; i < K_MAX_CPUS; i++)
		n += k_cpus[i].online && !k_cpus[i].halted;
	return n;
}

int k_num_cpus_present(void)
{
	int n = 0;

	for (int i = 0; i < K_MAX_CPUS; i++)
		n += k_cpus[i].online;
	return n;
}

int k_cpu_id(void)
{
	k_spinlock_key_t daif = arch_irq_save();
	struct k_cpu *c = arch_cpu_self();
	int id = c ? c->id : 0; /* 0 before the scheduler knows this CPU */

	arch_irq_restore(daif);
	return id;
}

/* Load is the non-idle share of the time since the previous sample. */
static unsigned cpu_load_sample(struct k_cpu *c, uint64_t now)
{
	uint64_t idle = c->idle_ticks, span = now - c->load_time, busy;

	if (c->current == &c->idle_thread)
		idle += now - c->idle_since;
	busy = span > idle - c->load_idle ? span - (idle - c->load_idle) : 0;
	c->load_time = now;
	c->load_idle = idle;
	return span ? (unsigned)(busy * 100 / span) : 0;
}

void k_cpu_info_get(int cpu, struct k_cpu_info *info)
{
	struct k_cpu *c = &k_cpus[cpu];
	k_spinlock_key_t key;

	memset(info, 0, sizeof(*info));
	if (cpu < 0 || cpu >= K_MAX_CPUS || !c->current)
		return;
	key = k_spin_lock(&sched_lock);
	info->present = c->online;
	info->online = c->online && !c->halted;
	strncpy(info->current, c->current->name, sizeof(info->current) - 1);
	info->load_pct = cpu_load_sample(c, arch_counter_read());
	info->irqs = c->irqs;
	info->switches = c->switches;
	k_spin_unlock(&sched_lock, key);
}
