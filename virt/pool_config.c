// SPDX-License-Identifier: MIT
/*
 * The CPU pools of the host config (docs/pools.md): /zvm/pools in the
 * compiled VM config, one node per pool:
 *
 *     pools {
 *         rt { kind = "static"; cpus = <1>; };
 *     };
 *
 * kind "static" or "dynamic", cpus the host CPUs it takes. CPUs no pool
 * names stay in the dynamic pool "host" (which a `host` node may name too,
 * but only as dynamic). Without a pools node every CPU is in "host".
 */
#include <string.h>
#include <libfdt.h>
#include <zvm/errmsg.h>
#include <zvm/pool.h>
#include <zvm/pool_ops.h>

/* The pool a node describes: the host pool or a new one. */
static int pool_node_pool(struct pool_table *pt, const char *name, int kind, char *err,
			  size_t errlen)
{
	if (strcmp(name, "host") != 0)
		return pool_create(pt, name, (enum pool_kind)kind, err, errlen);
	if (kind != POOL_DYNAMIC)
		return errmsg(err, errlen, "pool 'host' holds the host's threads: it is dynamic");
	return POOL_HOST;
}

static int pool_node_parse(struct pool_table *pt, const void *fdt, int node, uint32_t *taken,
			   char *err, size_t errlen)
{
	const char *name = fdt_get_name(fdt, node, NULL);
	const char *kind_s = fdt_getprop(fdt, node, "kind", NULL);
	int len, kind = kind_s ? pool_kind_parse(kind_s) : -1, pool;
	const fdt32_t *cpus = fdt_getprop(fdt, node, "cpus", &len);

	if (kind < 0)
		return errmsg(err, errlen, "pool '%s': kind must be \"static\" or \"dynamic\"",
			      name);
	if (!cpus || len < 4 || len % 4)
		return errmsg(err, errlen, "pool '%s': cpus must list CPU numbers", name);
	pool = pool_node_pool(pt, name, kind, err, errlen);
	if (pool < 0)
		return pool;
	for (int i = 0; i < len / 4; i++) {
		uint32_t cpu = fdt32_to_cpu(cpus[i]);
		int ret;

		if (cpu >= K_MAX_CPUS || !(pt->present & (1u << cpu)))
			return errmsg(err, errlen, "pool '%s': CPU %u does not exist", name, cpu);
		if (*taken & (1u << cpu))
			return errmsg(err, errlen, "CPU %u is in two pools", cpu);
		ret = pool_move_cpu(pt, (int)cpu, pool, err, errlen);
		if (ret)
			return ret;
		*taken |= 1u << cpu;
	}
	return 0;
}

int pool_config_parse(struct pool_table *pt, const void *fdt, char *err, size_t errlen)
{
	int pools = fdt_path_offset(fdt, "/zvm/pools"), node;
	uint32_t taken = 0;

	if (pools < 0)
		return 0;
	fdt_for_each_subnode(node, fdt, pools)
	{
		int ret = pool_node_parse(pt, fdt, node, &taken, err, errlen);

		if (ret < 0)
			return ret;
	}
	if (!pt->pool[POOL_HOST].cpus)
		return errmsg(err, errlen, "no CPU left for the host pool: the host needs one");
	return 0;
}
