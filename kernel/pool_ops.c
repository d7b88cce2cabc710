// SPDX-License-Identifier: MIT
/* CPU pools at run time: the rules of kernel/pool.c applied under sched_lock. */
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/pool_ops.h>
#include <zvm/sched.h>

/* Each CPU's isolated flag from the pools; drain the CPUs that became static; lock held. */
static void drain_new_static(uint32_t before)
{
	uint32_t statics = pool_static_cpus(&pool_table), now = statics & ~before;

	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++)
		k_cpus[cpu].isolated = statics & (1u << cpu);

	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++)
		if ((now & (1u << cpu)) && k_cpus[cpu].online)
			sched_cpu_drain(cpu);
}

void pool_ops_install(const struct pool_table *pt)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	uint32_t before = pool_static_cpus(&pool_table);

	memcpy(pool_table.pool, pt->pool, sizeof(pool_table.pool));
	pool_table.present = pt->present;
	drain_new_static(before);
	k_spin_unlock(&sched_lock, key);
}

void pool_ops_snapshot(struct pool_table *out)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);

	*out = pool_table;
	k_spin_unlock(&sched_lock, key);
}

int pool_op_create(const char *name, enum pool_kind kind, char *err, size_t errlen)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	int ret = pool_create(&pool_table, name, kind, err, errlen);

	k_spin_unlock(&sched_lock, key);
	return ret;
}

int pool_op_delete(const char *name, char *err, size_t errlen)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	int ret = pool_delete(&pool_table, pool_find(&pool_table, name), err, errlen);

	k_spin_unlock(&sched_lock, key);
	return ret;
}

int pool_op_move_cpu(int cpu, const char *name, char *err, size_t errlen)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	uint32_t before = pool_static_cpus(&pool_table);
	int to = pool_find(&pool_table, name);
	int ret = to < 0 ? errmsg(err, errlen, "no pool '%s'", name)
			 : pool_move_cpu(&pool_table, cpu, to, err, errlen);

	if (!ret)
		drain_new_static(before);
	k_spin_unlock(&sched_lock, key);
	return ret;
}

/* Give t the CPUs mask: bound to a free static CPU of it, or all of them; lock held. */
static int place_locked(struct k_thread *t, uint32_t mask, char *err, size_t errlen)
{
	int cpu;

	if (!(mask & pool_static_cpus(&pool_table))) {
		if (!(mask & pool_table.present))
			return errmsg(err, errlen, "no host CPU to run on");
		pool_unbind(&pool_table, t);
		t->affinity = mask;
		return 0;
	}
	cpu = pool_bind(&pool_table, t, mask, err, errlen);
	if (cpu < 0)
		return cpu;
	t->affinity = 1u << cpu;
	return 0;
}

int pool_threads_place(struct k_thread *const *ts, int n, uint32_t mask, char *err, size_t errlen)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	int ret = 0;

	/* All released first: one may take a CPU another of them leaves. */
	for (int i = 0; i < n; i++) {
		int bound = pool_bound_cpu(&pool_table, ts[i]);

		if (bound >= 0 && !(mask & (1u << bound)))
			pool_unbind(&pool_table, ts[i]);
	}
	for (int i = 0; i < n && !ret; i++)
		ret = place_locked(ts[i], mask, err, errlen);
	for (int i = 0; i < n; i++)
		sched_thread_moved(ts[i]);
	k_spin_unlock(&sched_lock, key);
	return ret;
}

int pool_thread_place(struct k_thread *t, uint32_t mask, char *err, size_t errlen)
{
	return pool_threads_place(&t, 1, mask, err, errlen);
}

int pool_op_check_vm(int nr_vcpus, uint32_t mask, uint32_t own, char *err, size_t errlen)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	int ret = pool_check_vm(&pool_table, nr_vcpus, mask, own, err, errlen);

	k_spin_unlock(&sched_lock, key);
	return ret;
}

int pool_op_isolate(int cpu, const char *name, struct k_thread *t, char *err, size_t errlen)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	uint32_t before = pool_static_cpus(&pool_table);
	int pool = pool_find(&pool_table, name), ret;
	bool made = pool < 0;

	if (made)
		pool = pool_create(&pool_table, name, POOL_STATIC, err, errlen);
	ret = pool < 0 ? pool : pool_move_cpu(&pool_table, cpu, pool, err, errlen);
	if (ret && made && pool >= 0)
		pool_delete(&pool_table, pool, NULL, 0);
	if (!ret) {
		pool_bind(&pool_table, t, 1u << cpu, NULL, 0); /* a new static CPU: free */
		t->affinity = 1u << cpu;
		drain_new_static(before); /* the others leave; t stays where it runs */
		sched_thread_moved(t);
	}
	k_spin_unlock(&sched_lock, key);
	return ret;
}
