/* SPDX-License-Identifier: MIT */
/*
 * `test NAME`: the built-in tests on demand, with structured results
 * ({"test":..,"passed":N,"failed":M,"steps":[{"name":..,"pass":..,"detail":..}]}).
 *   ktest [FILTER]  the kernel self-tests (kernel/ktest_*.c) on the real CPUs
 *   lifecycle       an RTOS VM made, run, paused (guest time stands still),
 *                   resumed, reset, deleted; all its memory comes back
 *   virtio          an RTOS VM hands its virtio console a hostile ring; the
 *                   device must refuse it and the VM carry on
 *   shm, sched, interrupts, recovery, perf: mgmt/test_*.c
 * Test VMs are named TEST_VM (TEST_VM2) and deleted at the end, pass or fail.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/ktest.h>
#include <zvm/mm.h>
#include <zvm/vmm.h>
#include "mgmt_internal.h"
#include "mgmt_test.h"

/* A skipped case (too few CPUs here) is not a failure; its detail says so. */
static void ktest_step(const char *name, const char *result, void *arg)
{
	test_step(arg, name, strcmp(result, "FAIL") != 0,
		  strcmp(result, "SKIP") ? NULL : "skipped");
}

static void check_op(struct test_run *t, const char *name, int (*op)(int, char *, size_t), int id,
		     enum vm_state want)
{
	char err[VMM_ERR_LEN] = "";
	int ret = op(id, err, sizeof(err));

	if (!ret && vm_state_get(vmm_get(id)) != want)
		snprintf(err, sizeof(err), "state %s, expected %s",
			 vmm_state_name(vm_state_get(vmm_get(id))), vmm_state_name(want));
	test_step(t, name, !ret && !err[0], err);
}

static void test_lifecycle(struct test_run *t)
{
	static const struct test_vm v = { TEST_VM, "app=hello", -1, -1 };
	struct page_stats before, after;
	char why[96];
	uint64_t g0;
	int id;

	page_stats_get(&before);
	id = test_vm_start(t, &v);
	if (id < 0)
		return;
	test_step(t, "the guest boots and prints",
		  !mgmt_tap_expect(TEST_VM, "CPUs said hello", BOOT_MS), NULL);
	check_op(t, "pause", vmm_pause, id, VM_PAUSED);
	g0 = test_guest_ms(id);
	k_sleep(K_MSEC(SETTLE_MS));
	snprintf(why, sizeof(why), "guest time %lu ms then %lu ms", (unsigned long)g0,
		 (unsigned long)test_guest_ms(id));
	test_step(t, "guest time stands still while paused", test_guest_ms(id) == g0, why);
	check_op(t, "resume", vmm_run, id, VM_RUNNING);
	k_sleep(K_MSEC(SETTLE_MS));
	test_step(t, "guest time goes on after resume", test_guest_ms(id) > g0, NULL);
	check_op(t, "reset", vmm_reset, id, VM_RUNNING);
	test_vm_delete(t, id, TEST_VM);
	page_stats_get(&after);
	snprintf(why, sizeof(why), "%lu free pages before, %lu after",
		 (unsigned long)before.free_pages, (unsigned long)after.free_pages);
	test_step(t, "all its memory is free again", after.free_pages == before.free_pages, why);
}

static void test_virtio(struct test_run *t)
{
	static const struct test_vm v = { TEST_VM, "", -1, -1 };
	int id = test_vm_start(t, &v);

	if (id < 0)
		return;
	test_step(t, "the guest boots and prints", !mgmt_tap_expect(TEST_VM, "", BOOT_MS), NULL);
	test_type(id, "attack virtio-addr\r");
	test_step(t, "a descriptor outside the VM is refused (NEEDS_RESET)",
		  !mgmt_tap_expect(TEST_VM, "virtio-addr: device 3 status 0x4f (NEEDS_RESET)",
				   BOOT_MS),
		  NULL);
	test_type(id, "attack virtio-loop\r");
	test_step(t, "a descriptor loop is refused (NEEDS_RESET)",
		  !mgmt_tap_expect(TEST_VM, "virtio-loop: device 3 status 0x4f (NEEDS_RESET)",
				   BOOT_MS),
		  NULL);
	test_step(t, "the VM is still running", vm_state_get(vmm_get(id)) == VM_RUNNING,
		  vmm_state_name(vm_state_get(vmm_get(id))));
	test_vm_delete(t, id, TEST_VM);
}

struct builtin_test {
	const char *name;
	void (*run)(struct test_run *t);
};

/* ktest (with its filter) first; the others take no argument. */
static const struct builtin_test tests[] = {
	{ "ktest", NULL },
	{ "lifecycle", test_lifecycle },
	{ "virtio", test_virtio },
	{ "shm", test_shm },
	{ "sched", test_sched },
	{ "interrupts", test_interrupts },
	{ "recovery", test_recovery },
	{ "perf", test_perf },
};
#define NR_TESTS   (sizeof(tests) / sizeof(tests[0]))
#define TEST_USAGE "test ktest [FILTER] | test lifecycle|virtio|shm|sched|interrupts|recovery|perf"

static int req_test(struct mgmt_req *r, struct jbuf *out)
{
	struct test_run t = { .out = out };
	const char *name = r->argc > 1 ? r->argv[1] : "";
	size_t i;

	for (i = 0; i < NR_TESTS; i++)
		if (!strcmp(name, tests[i].name))
			break;
	if (i == NR_TESTS || (r->argc > 2 && i != 0) || r->argc > 3)
		return mgmt_fail(r, "usage: " TEST_USAGE);
	jb_key(out, "test");
	jb_str(out, name);
	jb_key(out, "steps");
	jb_printf(out, "[");
	if (i == 0) {
		ktest_run_report(r->argc > 2 ? r->argv[2] : NULL, ktest_step, &t);
		if (!t.passed && !t.failed)
			test_step(&t, "ktest", false, "no kernel self-test matches the filter");
	} else {
		tests[i].run(&t);
	}
	jb_printf(out, "]");
	jb_key(out, "passed");
	jb_printf(out, "%d", t.passed);
	jb_key(out, "failed");
	jb_printf(out, "%d", t.failed);
	return 0;
}

static int req_tests(struct mgmt_req *r, struct jbuf *out)
{
	(void)r;
	jb_key(out, "tests");
	jb_printf(out, "[");
	for (size_t i = 0; i < NR_TESTS; i++) {
		jb_item(out);
		jb_str(out, tests[i].name);
	}
	jb_printf(out, "]");
	return 0;
}

const struct mgmt_cmd mgmt_test_cmds[] = {
	{ "test", req_test, TEST_USAGE },
	{ "tests", req_tests, "tests" },
	{ NULL, NULL, NULL },
};
