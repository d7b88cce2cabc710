// SPDX-License-Identifier: MIT
/*
 * CPU pool rules (include/zvm/pool.h): what may run where, and what is
 * refused and why. No locking here and no hardware: the kernel calls these
 * with sched_lock held, the host unit tests call them as they are.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/pool.h>

struct pool_table pool_table = {
	.pool = { [POOL_HOST] = { .used = true,
				  .kind = POOL_DYNAMIC,
				  .name = "host",
				  .cpus = K_CPU_ALL } },
	.present = K_CPU_ALL,
};

static const char *const kind_names[] = { "dynamic", "static" };

const char *pool_kind_name(enum pool_kind kind)
{
	return (unsigned)kind < 2 ? kind_names[kind] : "?";
}

int pool_kind_parse(const char *s)
{
	for (int k = 0; k < 2; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

void pool_table_init(struct pool_table *pt, int ncpus)
{
	memset(pt, 0, sizeof(*pt));
	pt->present = ncpus >= K_MAX_CPUS ? K_CPU_ALL : (1u << ncpus) - 1;
	pt->pool[POOL_HOST].used = true;
	pt->pool[POOL_HOST].kind = POOL_DYNAMIC;
	strcpy(pt->pool[POOL_HOST].name, "host");
	pt->pool[POOL_HOST].cpus = pt->present;
}

int pool_find(const struct pool_table *pt, const char *name)
{
	for (int i = 0; i < POOL_MAX; i++)
		if (pt->pool[i].used && strcmp(pt->pool[i].name, name) == 0)
			return i;
	return -1;
}

int pool_of_cpu(const struct pool_table *pt, int cpu)
{
	if (cpu < 0 || cpu >= K_MAX_CPUS || !(pt->present & (1u << cpu)))
		return -1;
	for (int i = 0; i < POOL_MAX; i++)
		if (pt->pool[i].used && (pt->pool[i].cpus & (1u << cpu)))
			return i;
	return -1;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= POOL_NAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(name[i] == '-' || name[i] == '_' || (name[i] >= '0' && name[i] <= '9') ||
		      (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z')))
			return false;
	return true;
}

int pool_create(struct pool_table *pt, const char *name, enum pool_kind kind, char *err,
		size_t errlen)
{
	if (!name_ok(name))
		return errmsg(err, errlen, "pool name '%s': 1..%d letters, digits, '-' or '_'",
			      name, POOL_NAME_LEN - 1);
	if ((unsigned)kind > POOL_STATIC)
		return errmsg(err, errlen, "pool kind must be static or dynamic");
	if (pool_find(pt, name) >= 0)
		return errmsg(err, errlen, "pool '%s' exists already", name);
	for (int i = 0; i < POOL_MAX; i++) {
		if (pt->pool[i].used)
			continue;
		memset(&pt->pool[i], 0, sizeof(pt->pool[i]));
		pt->pool[i].used = true;
		pt->pool[i].kind = kind;
		strcpy(pt->pool[i].name, name);
		return i;
	}
	return errmsg(err, errlen, "no room for pool '%s' (at most %d pools)", name, POOL_MAX);
}

int pool_delete(struct pool_table *pt, int pool, char *err, size_t errlen)
{
	if (pool < 0 || pool >= POOL_MAX || !pt->pool[pool].used)
		return errmsg(err, errlen, "no such pool");
	if (pool == POOL_HOST)
		return errmsg(err, errlen, "the host pool cannot be deleted");
	if (pt->pool[pool].cpus)
		return errmsg(err, errlen, "pool '%s' still has CPUs: move them first",
			      pt->pool[pool].name);
	pt->pool[pool].used = false;
	return 0;
}

uint32_t pool_static_cpus(const struct pool_table *pt)
{
	uint32_t mask = 0;

	for (int i = 0; i < POOL_MAX; i++)
		if (pt->pool[i].used && pt->pool[i].kind == POOL_STATIC)
			mask |= pt->pool[i].cpus;
	return mask;
}

int pool_move_cpu(struct pool_table *pt, int cpu, int to, char *err, size_t errlen)
{
	int from = pool_of_cpu(pt, cpu);

	if (from < 0)
		return errmsg(err, errlen, "CPU %d does not exist", cpu);
	if (to < 0 || to >= POOL_MAX || !pt->pool[to].used)
		return errmsg(err, errlen, "no such pool");
	if (from == to)
		return 0;
	if (from == POOL_HOST && pt->pool[POOL_HOST].cpus == (1u << cpu))
		return errmsg(err, errlen,
			      "CPU %d is the host pool's last CPU: the host's threads need one",
			      cpu);
	if (pt->owner[cpu])
		return errmsg(err, errlen,
			      "CPU %d runs %s in static pool '%s': re-pin or delete that VM first",
			      cpu, pt->owner[cpu]->name, pt->pool[from].name);
	pt->pool[from].cpus &= ~(1u << cpu);
	pt->pool[to].cpus |= 1u << cpu;
	return 0;
}

/* The one pool all of mask's CPUs are in, or -1 with the reason. */
static int pool_of_mask(const struct pool_table *pt, uint32_t mask, char *err, size_t errlen)
{
	int pool = -1;

	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++) {
		int p;

		if (!(mask & (1u << cpu)))
			continue;
		p = pool_of_cpu(pt, cpu);
		if (p < 0)
			return errmsg(err, errlen, "host CPU %d does not exist", cpu), -1;
		if (pool >= 0 && p != pool)
			return errmsg(err, errlen,
				      "CPUs of two pools ('%s' and '%s'): a VM's CPUs must "
				      "all be in one pool",
				      pt->pool[pool].name, pt->pool[p].name),
			       -1;
		pool = p;
	}
	if (pool < 0)
		errmsg(err, errlen, "no host CPU to run on (empty CPU mask)");
	return pool;
}

int pool_check_vm(const struct pool_table *pt, int nr_vcpus, uint32_t mask, uint32_t own, char *err,
		  size_t errlen)
{
	int pool = pool_of_mask(pt, mask, err, errlen);
	int free = 0;

	if (pool < 0)
		return K_EINVAL;
	if (pt->pool[pool].kind != POOL_STATIC)
		return 0;
	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++)
		if ((mask & (1u << cpu)) && (!pt->owner[cpu] || (own & (1u << cpu))))
			free++;
	if (free < nr_vcpus)
		return errmsg(err, errlen,
			      "static pool '%s' takes one vCPU per CPU: %d vCPUs, %d free CPUs "
			      "of those given",
			      pt->pool[pool].name, nr_vcpus, free);
	return 0;
}

int pool_bound_cpu(const struct pool_table *pt, const struct k_thread *t)
{
	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++)
		if (pt->owner[cpu] == t)
			return cpu;
	return -1;
}

int pool_bind(struct pool_table *pt, const struct k_thread *t, uint32_t mask, char *err,
	      size_t errlen)
{
	uint32_t statics = pool_static_cpus(pt) & mask;
	int busy = -1;

	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++) {
		if (!(statics & (1u << cpu)))
			continue;
		if (!pt->owner[cpu] || pt->owner[cpu] == t) {
			pool_unbind(pt, t);
			pt->owner[cpu] = t;
			return cpu;
		}
		busy = cpu;
	}
	if (busy < 0)
		errmsg(err, errlen, "no static CPU among those given");
	else
		errmsg(err, errlen, "CPU %d of static pool '%s' already runs %s: one vCPU per CPU",
		       busy, pt->pool[pool_of_cpu(pt, busy)].name, pt->owner[busy]->name);
	return K_EBUSY;
}

void pool_unbind(struct pool_table *pt, const struct k_thread *t)
{
	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++)
		if (pt->owner[cpu] == t)
			pt->owner[cpu] = NULL;
}

int pool_check_host_affinity(const struct pool_table *pt, uint32_t mask, char *err, size_t errlen)
{
	uint32_t statics = pool_static_cpus(pt);

	if (mask & pt->present & ~statics)
		return 0;
	return errmsg(err, errlen,
		      "those CPUs are all in static pools: host threads never run there");
}

uint32_t pool_thread_cpus(const struct pool_table *pt, const struct k_thread *t)
{
	uint32_t statics = pool_static_cpus(pt);
	int own = pool_bound_cpu(pt, t);
	uint32_t mask = t->affinity & ~statics;

	if (own >= 0)
		mask |= t->affinity & (1u << own);
	return mask ? mask : pt->pool[POOL_HOST].cpus;
}
