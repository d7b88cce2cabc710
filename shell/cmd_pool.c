// SPDX-License-Identifier: MIT
/*
 * `zvm pool`: the CPU pools at run time (docs/pools.md): list them with each
 * CPU's interference counters, create and delete pools, move a CPU between
 * pools, re-pin a VM (also running) or move it to another pool's CPUs.
 * Parsing and printing only; the work is in kernel/pool_ops.c and
 * virt/vm_pool.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zvm/cpu_stats.h>
#include <zvm/pool_ops.h>
#include <zvm/rt_guard.h>
#include <zvm/shell.h>
#include <zvm/shell_args.h>
#include <zvm/vmm.h>

#define POOL_USAGE                                                                        \
	"list | create NAME static|dynamic | delete NAME | cpu CPU POOL | pin ID CPUS | " \
	"vm ID POOL"

static int pool_error(const char *msg)
{
	printf("error: %s\n", msg);
	return 1;
}

/* "0,2-3" for a mask. */
static void cpus_str(uint32_t mask, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++) {
		int last = cpu;

		if (!(mask & (1u << cpu)))
			continue;
		while (last + 1 < K_MAX_CPUS && (mask & (1u << (last + 1))))
			last++;
		used += (size_t)snprintf(buf + used, len - used, last > cpu ? "%s%d-%d" : "%s%d",
					 used ? "," : "", cpu, last);
		cpu = last;
	}
	if (!used)
		snprintf(buf, len, "-");
}

static void print_cpu(const struct pool_table *pt, int cpu)
{
	struct cpu_stats st;
	struct k_cpu_info info;
	int pool = pool_of_cpu(pt, cpu);

	cpu_stats_get(cpu, &st);
	k_cpu_info_get(cpu, &info);
	printf("%3d  %-15s  %-15s  %3u%%  %10" PRIu64 "  %9" PRIu64 "  %10" PRIu64 "  %10" PRIu64
	       "  %8" PRIu64 "\n",
	       cpu, pool >= 0 ? pt->pool[pool].name : "-",
	       pt->owner[cpu] ? pt->owner[cpu]->name : "-", info.load_pct, st.irqs, st.host_irqs,
	       st.exits, st.host_exits, st.exits ? st.el2_ns / st.exits : 0);
}

static int pool_list(void)
{
	struct pool_table pt;
	char cpus[32];

	pool_ops_snapshot(&pt);
	printf("%-15s  %-7s  %s\n", "POOL", "KIND", "CPUS");
	for (int i = 0; i < POOL_MAX; i++) {
		if (!pt.pool[i].used)
			continue;
		cpus_str(pt.pool[i].cpus, cpus, sizeof(cpus));
		printf("%-15s  %-7s  %s\n", pt.pool[i].name, pool_kind_name(pt.pool[i].kind), cpus);
	}
	printf("%3s  %-15s  %-15s  %4s  %10s  %9s  %10s  %10s  %8s\n", "CPU", "POOL", "BOUND",
	       "LOAD", "IRQS", "HOST_IRQS", "EXITS", "HOST_EXITS", "EL2_NS");
	for (int cpu = 0; cpu < k_num_cpus_present(); cpu++)
		print_cpu(&pt, cpu);
	return 0;
}

static int parse_id(const char *s, int *id)
{
	uint64_t v;

	if (shell_parse_uint(s, 0, 63, &v) != 0) {
		printf("error: VM id '%s': not a number 0..63\n", s);
		return 1;
	}
	*id = (int)v;
	return 0;
}

/* pin ID CPUS, or vm ID POOL (all the pool's CPUs). */
static int pool_repin(const char *ids, const char *cpus, bool by_pool)
{
	char err[128];
	int id;
	uint32_t mask;

	if (parse_id(ids, &id))
		return 1;
	if (by_pool) {
		struct pool_table pt;
		int p;

		pool_ops_snapshot(&pt);
		p = pool_find(&pt, cpus);
		if (p < 0) {
			printf("error: no pool '%s'\n", cpus);
			return 1;
		}
		mask = pt.pool[p].cpus;
	} else if (shell_parse_cpulist(cpus, (unsigned)k_num_cpus_present(), &mask) != 0) {
		printf("error: CPU list '%s': like 1 or 2-3 (CPUs 0..%d)\n", cpus,
		       k_num_cpus_present() - 1);
		return 1;
	}
	if (vmm_repin(id, mask, err, sizeof(err)) != 0)
		return pool_error(err);
	printf("VM %d: vCPUs on CPUs %s\n", id, cpus);
	return 0;
}

static int pool_cpu(const char *cpus, const char *name)
{
	char err[128];
	uint64_t cpu;

	if (shell_parse_uint(cpus, 0, K_MAX_CPUS - 1, &cpu) != 0 ||
	    cpu >= (uint64_t)k_num_cpus_present()) {
		printf("error: CPU '%s': 0..%d\n", cpus, k_num_cpus_present() - 1);
		return 1;
	}
	if (pool_op_move_cpu((int)cpu, name, err, sizeof(err)) != 0)
		return pool_error(err);
	printf("CPU %d: in pool %s\n", (int)cpu, name);
	return 0;
}

static int pool_create_cmd(const char *name, const char *kind_s)
{
	char err[128];
	int kind = pool_kind_parse(kind_s);

	if (kind < 0) {
		printf("error: pool kind '%s': static or dynamic\n", kind_s);
		return 1;
	}
	if (pool_op_create(name, (enum pool_kind)kind, err, sizeof(err)) < 0)
		return pool_error(err);
	printf("pool %s: created (%s, no CPUs yet)\n", name, kind_s);
	return 0;
}

/* guard ID BUDGET_US PERIOD_US warn|isolate, or guard ID off */
static int pool_guard(int argc, char **argv)
{
	char err[128];
	uint64_t budget = 0, period = 0;
	int id, reaction = RT_GUARD_WARN;

	if (parse_id(argv[2], &id))
		return 1;
	if (argc == 4 && !strcmp(argv[3], "off")) {
		period = 0;
	} else if (argc != 6 || shell_parse_uint(argv[3], 0, 1000000, &budget) ||
		   shell_parse_uint(argv[4], 1, 1000000, &period) ||
		   (strcmp(argv[5], "warn") && strcmp(argv[5], "isolate"))) {
		printf("usage: zvm pool guard ID BUDGET_US PERIOD_US warn|isolate | guard ID "
		       "off\n");
		return 1;
	} else {
		reaction = strcmp(argv[5], "isolate") ? RT_GUARD_WARN : RT_GUARD_ISOLATE;
	}
	if (rt_guard_set(id, (uint32_t)budget, (uint32_t)period, (enum rt_guard_reaction)reaction,
			 err, sizeof(err)))
		return pool_error(err);
	if (period)
		printf("VM %d: guarded, at most %lu us of host interference per %lu us, %s\n", id,
		       (unsigned long)budget, (unsigned long)period, argv[5]);
	else
		printf("VM %d: not guarded\n", id);
	return 0;
}

int cmd_zvm_pool(int argc, char **argv); /* shell/cmd_zvm.c: `zvm pool` */

int cmd_zvm_pool(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	char err[128];

	if (!strcmp(sub, "list") && argc <= 2)
		return pool_list();
	if (!strcmp(sub, "create") && argc == 4)
		return pool_create_cmd(argv[2], argv[3]);
	if (!strcmp(sub, "delete") && argc == 3) {
		if (pool_op_delete(argv[2], err, sizeof(err)) != 0)
			return pool_error(err);
		printf("pool %s: deleted\n", argv[2]);
		return 0;
	}
	if (!strcmp(sub, "cpu") && argc == 4)
		return pool_cpu(argv[2], argv[3]);
	if (!strcmp(sub, "guard") && argc >= 4)
		return pool_guard(argc, argv);
	if ((!strcmp(sub, "pin") || !strcmp(sub, "vm")) && argc == 4)
		return pool_repin(argv[2], argv[3], !strcmp(sub, "vm"));
	printf("usage: zvm pool %s\n", POOL_USAGE);
	return strcmp(sub, "help") && strcmp(sub, "--help") ? 1 : 0;
}
