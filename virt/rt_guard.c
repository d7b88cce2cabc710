// SPDX-License-Identifier: MIT
/*
 * The RT guard (include/zvm/rt_guard.h, docs/pools.md). The CPU of a guarded
 * VM's vCPU counts, per period, the host interference its vCPU meets and the
 * periods over budget (kernel/cpu_stats.c). A host thread on the host pool
 * polls those counts every POLL_MS: the first overrun of an episode is
 * logged once and answered (warn: nothing more; isolate: the CPU becomes a
 * static pool of its own with the vCPU bound there, so competing work
 * leaves); an episode ends after CLEAR_POLLS polls without an overrun, so a
 * guard that keeps failing does not log or react again and again. The
 * guard follows its vCPU: when the vCPU runs on another CPU (re-pinned,
 * moved to another pool, migrated), the poller moves the measurement there.
 * A guard comes from `zvm pool guard` or from the VM's template
 * (`rt-guard`, armed when its vCPU is made: also after a restart).
 */
#include <stdio.h>
#include <string.h>
#include <zvm/cpu_stats.h>
#include <zvm/errmsg.h>
#include <zvm/log.h>
#include <zvm/pool_ops.h>
#include <zvm/rt_guard.h>
#include <zvm/vm.h>
#include <zvm/vmm.h>

#define POLL_MS     100
#define CLEAR_POLLS 50        /* 5 s within budget end an episode */
#define GUARD_CPUS  (1u << 0) /* the poller: with the VMM's threads */

/* Written by the VMM (rt_guard_set) and the poller; read by the shell. */
struct rt_guard {
	bool on;
	bool in_episode;
	bool made_now; /* armed while its VM is being made: not stale before vmm lists it */
	enum rt_guard_reaction reaction;
	uint32_t budget_us, period_us;
	int cpu;           /* where it measures */
	uint64_t seen;     /* the CPU's overrun count at the last poll */
	uint64_t overruns; /* this VM's periods over budget */
	uint64_t worst_ns; /* the most interference in one period, on CPUs it left */
	unsigned clean_polls;
	const struct k_thread *thread;
};

static struct rt_guard guards[VM_MAX];
static struct k_thread *poller;

static const char *reaction_name(enum rt_guard_reaction r)
{
	return r == RT_GUARD_ISOLATE ? "isolate" : "warn";
}

/* The first overrun of an episode: say so once, and react. */
static void guard_overrun(int id, struct rt_guard *g, const struct cpu_stats *st)
{
	struct vm *vm = vmm_get(id);
	char name[POOL_NAME_LEN], err[96];

	LOG_WRN("rt guard: VM %d (%s): host interference %lu us in one %u us period on CPU %d, "
		"over its budget of %u us; reaction %s",
		id, vm ? vm->cfg.name : "?", (unsigned long)(st->guard_worst_ns / 1000),
		g->period_us, g->cpu, g->budget_us, reaction_name(g->reaction));
	if (g->reaction != RT_GUARD_ISOLATE)
		return;
	snprintf(name, sizeof(name), "guard%d", g->cpu);
	if (pool_static_cpus(&pool_table) & (1u << g->cpu))
		return; /* isolated already */
	if (pool_op_isolate(g->cpu, name, (struct k_thread *)g->thread, err, sizeof(err)))
		LOG_ERR("rt guard: VM %d: cannot isolate CPU %d: %s", id, g->cpu, err);
	else
		LOG_INF("rt guard: VM %d: CPU %d is now static pool %s, its vCPU alone there", id,
			g->cpu, name);
}

static uint64_t guard_count(int cpu)
{
	struct cpu_stats st;

	cpu_stats_get(cpu, &st);
	return st.guard_overruns;
}

/* The VM is gone (or was made again): its guard with it. */
static bool guard_stale(int id, const struct rt_guard *g)
{
	const struct vm *vm = vmm_get(id);

	return !vm || vm->vcpus[0].thread != g->thread;
}

/* The CPU the guard's vCPU is on: where it runs or waits, or its first allowed CPU before it ran. */
static int vcpu_cpu(const struct k_thread *t)
{
	return t->ran_on ? t->cpu : __builtin_ctz(t->affinity);
}

/*
 * The vCPU is on another CPU now: count what its old CPU saw, then measure
 * on the new one (st becomes the new CPU's figures, its count the start).
 */
static void guard_follow(struct rt_guard *g, struct cpu_stats *st)
{
	int cpu = vcpu_cpu(g->thread);

	if (cpu == g->cpu || cpu < 0 || cpu >= k_num_cpus_present())
		return; /* (a thread being freed under a delete reads as anything) */
	if (st->guard_worst_ns > g->worst_ns)
		g->worst_ns = st->guard_worst_ns;
	g->overruns += st->guard_overruns - g->seen;
	cpu_guard_set(g->cpu, NULL, 0, 0);
	g->cpu = cpu;
	cpu_guard_set(cpu, g->thread, g->budget_us * 1000ull, g->period_us * 1000ull);
	cpu_stats_get(cpu, st);
	g->seen = st->guard_overruns;
}

static void guard_poll(int id, struct rt_guard *g)
{
	struct cpu_stats st;

	if (g->made_now) {
		const struct vm *vm = vmm_get(id);

		if (!vm || vm->vcpus[0].thread != g->thread)
			return; /* not listed yet (or its making failed: the next VM resets it) */
		g->made_now = false;
	}
	if (guard_stale(id, g)) {
		cpu_guard_set(g->cpu, NULL, 0, 0);
		g->on = false;
		return;
	}
	cpu_stats_get(g->cpu, &st);
	guard_follow(g, &st);
	if (st.guard_overruns == g->seen) {
		if (g->in_episode && ++g->clean_polls >= CLEAR_POLLS) {
			g->in_episode = false;
			LOG_INF("rt guard: VM %d within its budget again", id);
		}
		return;
	}
	g->overruns += st.guard_overruns - g->seen;
	g->seen = st.guard_overruns;
	g->clean_polls = 0;
	if (!g->in_episode) {
		g->in_episode = true;
		guard_overrun(id, g, &st);
	}
}

static void guard_main(void *arg)
{
	(void)arg;
	for (;;) {
		k_sleep(K_MSEC(POLL_MS));
		for (int id = 0; id < VM_MAX; id++)
			if (guards[id].on)
				guard_poll(id, &guards[id]);
	}
}

/* Watch thread t (VM id's one vCPU) from now on; the previous guard of id goes. */
static int guard_arm(int id, const struct k_thread *t, uint32_t budget_us, uint32_t period_us,
		     enum rt_guard_reaction r)
{
	struct rt_guard *g = &guards[id];

	if (g->on)
		cpu_guard_set(g->cpu, NULL, 0, 0);
	memset(g, 0, sizeof(*g));
	if (!period_us)
		return 0;
	*g = (struct rt_guard){ .on = true,
				.reaction = r,
				.budget_us = budget_us,
				.period_us = period_us,
				.cpu = vcpu_cpu(t),
				.thread = t };
	cpu_guard_set(g->cpu, t, budget_us * 1000ull, period_us * 1000ull);
	g->seen = guard_count(g->cpu); /* the CPU's count goes on from there */
	if (!poller)
		poller = k_thread_spawn("rt-guard", 4096, guard_main, NULL, K_PRIO_PREEMPT(12),
					GUARD_CPUS);
	return poller ? 0 : K_ENOMEM;
}

int rt_guard_set(int id, uint32_t budget_us, uint32_t period_us, enum rt_guard_reaction r,
		 char *err, size_t errlen)
{
	struct vm *vm = vmm_get(id);
	struct k_thread *t = vm ? vm->vcpus[0].thread : NULL;

	if (id < 0 || id >= VM_MAX || !t)
		return errmsg(err, errlen, "no VM %d with vCPUs (a running, paused or new VM)", id);
	if (vm->cfg.nr_vcpus != 1)
		return errmsg(err, errlen, "the RT guard watches a VM of one vCPU (VM %d has %d)",
			      id, vm->cfg.nr_vcpus);
	if (period_us && (budget_us >= period_us || period_us > RT_GUARD_MAX_PERIOD_US))
		return errmsg(err, errlen,
			      "budget %u us per %u us: the budget must be below the "
			      "period, the period at most 1 s",
			      budget_us, period_us);
	if (guard_arm(id, t, budget_us, period_us, r))
		return errmsg(err, errlen, "cannot start the guard's thread");
	return 0;
}

void rt_guard_vm_made(struct vm *vm)
{
	const struct vm_config *c = &vm->cfg;
	enum rt_guard_reaction r = c->guard_isolate ? RT_GUARD_ISOLATE : RT_GUARD_WARN;
	uint32_t period = c->nr_vcpus == 1 ? c->guard_period_us : 0;

	if (vm->id < 0 || vm->id >= VM_MAX)
		return;
	/* Without one in its template: off (a guard of an earlier VM of this id goes). */
	if (guard_arm(vm->id, vm->vcpus[0].thread, c->guard_budget_us, period, r)) {
		LOG_ERR("rt guard: VM %d: cannot start the guard's thread", vm->id);
		return;
	}
	if (!period)
		return;
	guards[vm->id].made_now = true;
	LOG_INF("rt guard: VM %d (%s): budget %u us per %u us from its template, reaction %s",
		vm->id, c->name, c->guard_budget_us, period, reaction_name(r));
}

void rt_guard_describe(int id, char *buf, size_t len)
{
	const struct rt_guard *g = id >= 0 && id < VM_MAX ? &guards[id] : NULL;
	struct cpu_stats st;

	if (!g || !g->on) {
		snprintf(buf, len, "%s", "");
		return;
	}
	cpu_stats_get(g->cpu, &st);
	if (g->worst_ns > st.guard_worst_ns)
		st.guard_worst_ns = g->worst_ns;
	snprintf(buf, len,
		 "rt guard: budget %u us per %u us on CPU %d, reaction %s; overruns %lu, worst %lu "
		 "us%s",
		 g->budget_us, g->period_us, g->cpu, reaction_name(g->reaction),
		 (unsigned long)g->overruns, (unsigned long)(st.guard_worst_ns / 1000),
		 g->in_episode ? " (over budget now)" : "");
}

uint64_t rt_guard_overruns(int id)
{
	return id >= 0 && id < VM_MAX && guards[id].on ? guards[id].overruns : 0;
}
