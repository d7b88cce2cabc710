/* SPDX-License-Identifier: MIT */
/* SOURCES: kernel/pool.c kernel/errmsg.c virt/pool_config.c tests/unit/fake/dtc.c */
/* LDLIBS: -lfdt */
/*
 * CPU pool rules (kernel/pool.c) and the host config's pools node
 * (virt/pool_config.c): what is refused, and the words that say why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/pool_ops.h>
#include "dtc.h"

static struct pool_table pt;
static char err[160];
static struct k_thread a, b, host;

/* CPU 0-3: host dynamic {0,2,3}, "rt" static {1}. */
static int setup(void **state)
{
	(void)state;
	pool_table_init(&pt, 4);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&host, 0, sizeof(host));
	strcpy(a.name, "vm0-vcpu0");
	strcpy(b.name, "vm1-vcpu0");
	host.affinity = K_CPU_ALL;
	assert_int_equal(pool_create(&pt, "rt", POOL_STATIC, err, sizeof(err)), 1);
	assert_int_equal(pool_move_cpu(&pt, 1, 1, err, sizeof(err)), 0);
	err[0] = '\0';
	return 0;
}

static void test_every_cpu_in_one_pool(void **state)
{
	(void)state;
	assert_int_equal(pool_of_cpu(&pt, 0), POOL_HOST);
	assert_int_equal(pool_of_cpu(&pt, 1), 1);
	assert_int_equal(pool_of_cpu(&pt, 3), POOL_HOST);
	assert_int_equal(pool_of_cpu(&pt, 4), -1);
	assert_int_equal(pt.pool[POOL_HOST].cpus & pt.pool[1].cpus, 0);
	assert_int_equal(pool_static_cpus(&pt), 0x2);
}

static void test_create_refusals(void **state)
{
	(void)state;
	assert_true(pool_create(&pt, "rt", POOL_DYNAMIC, err, sizeof(err)) < 0);
	assert_string_equal(err, "pool 'rt' exists already");
	assert_true(pool_create(&pt, "a b", POOL_DYNAMIC, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "letters, digits"));
	assert_int_equal(pool_create(&pt, "p2", POOL_DYNAMIC, err, sizeof(err)), 2);
	assert_int_equal(pool_create(&pt, "p3", POOL_DYNAMIC, err, sizeof(err)), 3);
	assert_true(pool_create(&pt, "p4", POOL_DYNAMIC, err, sizeof(err)) < 0);
	assert_string_equal(err, "no room for pool 'p4' (at most 4 pools)");
}

static void test_host_pool_keeps_a_cpu(void **state)
{
	(void)state;
	assert_int_equal(pool_move_cpu(&pt, 2, 1, err, sizeof(err)), 0);
	assert_int_equal(pool_move_cpu(&pt, 3, 1, err, sizeof(err)), 0);
	assert_true(pool_move_cpu(&pt, 0, 1, err, sizeof(err)) < 0);
	assert_string_equal(err, "CPU 0 is the host pool's last CPU: the host's threads need one");
	assert_true(pool_delete(&pt, POOL_HOST, err, sizeof(err)) < 0);
	assert_true(pool_delete(&pt, 1, err, sizeof(err)) < 0);
	assert_string_equal(err, "pool 'rt' still has CPUs: move them first");
}

static void test_static_cpu_takes_one_vcpu(void **state)
{
	(void)state;
	assert_int_equal(pool_check_vm(&pt, 1, 0x2, 0, err, sizeof(err)), 0);
	assert_int_equal(pool_bind(&pt, &a, 0x2, err, sizeof(err)), 1);
	/* a second VM on the same static CPU */
	assert_true(pool_check_vm(&pt, 1, 0x2, 0, err, sizeof(err)) < 0);
	assert_string_equal(err, "static pool 'rt' takes one vCPU per CPU: 1 vCPUs, 0 free CPUs "
				 "of those given");
	assert_int_equal(pool_bind(&pt, &b, 0x2, err, sizeof(err)), K_EBUSY);
	assert_string_equal(err,
			    "CPU 1 of static pool 'rt' already runs vm0-vcpu0: one vCPU per CPU");
	/* its own CPU counts as free when it is re-pinned */
	assert_int_equal(pool_check_vm(&pt, 1, 0x2, 0x2, err, sizeof(err)), 0);
	/* a static CPU with its vCPU cannot leave the pool */
	assert_true(pool_move_cpu(&pt, 1, POOL_HOST, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "runs vm0-vcpu0 in static pool 'rt'"));
	pool_unbind(&pt, &a);
	assert_int_equal(pool_bound_cpu(&pt, &a), -1);
	assert_int_equal(pool_bind(&pt, &b, 0x2, err, sizeof(err)), 1);
}

static void test_vm_does_not_fit(void **state)
{
	(void)state;
	/* two vCPUs, one static CPU */
	assert_true(pool_check_vm(&pt, 2, 0x2, 0, err, sizeof(err)) < 0);
	assert_string_equal(err, "static pool 'rt' takes one vCPU per CPU: 2 vCPUs, 1 free CPUs "
				 "of those given");
	/* CPUs of two pools */
	assert_true(pool_check_vm(&pt, 1, 0x3, 0, err, sizeof(err)) < 0);
	assert_string_equal(err, "CPUs of two pools ('host' and 'rt'): a VM's CPUs must all be in "
				 "one pool");
	/* the dynamic pool overcommits */
	assert_int_equal(pool_check_vm(&pt, 4, 0x4, 0, err, sizeof(err)), 0);
}

static void test_host_threads_never_on_static(void **state)
{
	(void)state;
	assert_true(pool_check_host_affinity(&pt, 0x2, err, sizeof(err)) < 0);
	assert_string_equal(err,
			    "those CPUs are all in static pools: host threads never run there");
	assert_int_equal(pool_check_host_affinity(&pt, 0x3, err, sizeof(err)), 0);
	assert_int_equal(pool_thread_cpus(&pt, &host), K_CPU_ALL & ~0x2u);
	/* a host thread pinned to the static CPU alone falls back to the host pool */
	host.affinity = 0x2;
	assert_int_equal(pool_thread_cpus(&pt, &host), 0xd);
	/* the bound vCPU keeps its CPU */
	a.affinity = 0x2;
	assert_int_equal(pool_bind(&pt, &a, 0x2, err, sizeof(err)), 1);
	assert_int_equal(pool_thread_cpus(&pt, &a), 0x2);
}

static struct pool_table parsed;

static int parse(const char *pools)
{
	void *fdt = dtc_compile_zvm_node("pools", pools);
	int ret;

	assert_non_null(fdt);
	pool_table_init(&parsed, 4);
	ret = pool_config_parse(&parsed, fdt, err, sizeof(err));
	free(fdt);
	return ret;
}

static void test_config_pools(void **state)
{
	(void)state;
	assert_int_equal(parse("rt { kind = \"static\"; cpus = <1 3>; };"), 0);
	assert_int_equal(parsed.pool[POOL_HOST].cpus, 0x5);
	assert_int_equal(parsed.pool[pool_find(&parsed, "rt")].cpus, 0xa);
	assert_int_equal(parse("host { kind = \"dynamic\"; cpus = <0>; }; "
			       "linux { kind = \"dynamic\"; cpus = <2 3>; };"),
			 0);
	assert_int_equal(parsed.pool[POOL_HOST].cpus, 0x3);
}

static void test_config_refusals(void **state)
{
	(void)state;
	assert_true(parse("rt { kind = \"fast\"; cpus = <1>; };") < 0);
	assert_string_equal(err, "pool 'rt': kind must be \"static\" or \"dynamic\"");
	assert_true(parse("rt { kind = \"static\"; cpus = <1>; }; b { kind = \"static\"; cpus = "
			  "<1>; };") < 0);
	assert_string_equal(err, "CPU 1 is in two pools");
	assert_true(parse("rt { kind = \"static\"; cpus = <7>; };") < 0);
	assert_string_equal(err, "pool 'rt': CPU 7 does not exist");
	assert_true(parse("rt { kind = \"static\"; cpus = <0 1 2 3>; };") < 0);
	assert_string_equal(err, "CPU 3 is the host pool's last CPU: the host's threads need one");
	assert_true(parse("host { kind = \"static\"; cpus = <0>; };") < 0);
	assert_string_equal(err, "pool 'host' holds the host's threads: it is dynamic");
	assert_true(parse("rt { kind = \"static\"; };") < 0);
	assert_string_equal(err, "pool 'rt': cpus must list CPU numbers");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_every_cpu_in_one_pool, setup),
		cmocka_unit_test_setup(test_create_refusals, setup),
		cmocka_unit_test_setup(test_host_pool_keeps_a_cpu, setup),
		cmocka_unit_test_setup(test_static_cpu_takes_one_vcpu, setup),
		cmocka_unit_test_setup(test_vm_does_not_fit, setup),
		cmocka_unit_test_setup(test_host_threads_never_on_static, setup),
		cmocka_unit_test(test_config_pools),
		cmocka_unit_test(test_config_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
