/* SPDX-License-Identifier: MIT */
/*
 * `test NAME`: the built-in tests on demand, with structured results
 * ({"test":..,"passed":N,"failed":M,"steps":[{"name":..,"pass":..,"detail":..}]}).
 *   ktest [FILTER]  the kernel self-tests (kernel/ktest_*.c) on the real CPUs
 *   lifecycle       an RTOS VM made, run, paused (guest time stands still),
 *                   resumed, reset, deleted; all its memory comes back
 *   virtio          an RTOS VM hands its virtio console a hostile ring; the
 *                   device must refuse it and the VM carry on
 * A test VM is named TEST_VM and deleted at the end, pass or fail.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/ktest.h>
#include <zvm/mm.h>
#include <zvm/vmm.h>
#include <zvm/vuart.h>
#include "mgmt_internal.h"

#define TEST_VM   "mgmt-selftest"
#define BOOT_MS   20000 /* for the guest's first line under load */
#define SETTLE_MS 300

struct test_run {
	struct jbuf *out;
	int passed, failed;
};

static void step(struct test_run *t, const char *name, bool pass, const char *detail)
{
	jb_item(t->out);
	jb_printf(t->out, "{\"name\":");
	jb_str(t->out, name);
	jb_printf(t->out, ",\"pass\":%s,\"detail\":", pass ? "true" : "false");
	jb_str(t->out, detail ? detail : "");
	jb_printf(t->out, "}");
	if (pass)
		t->passed++;
	else
		t->failed++;
}

/* A skipped case (too few CPUs here) is not a failure; its detail says so. */
static void ktest_step(const char *name, const char *result, void *arg)
{
	step(arg, name, strcmp(result, "FAIL") != 0, strcmp(result, "SKIP") ? NULL : "skipped");
}

static void test_ktest(struct mgmt_req *r, struct test_run *t)
{
	ktest_run_report(r->argc > 2 ? r->argv[2] : NULL, ktest_step, t);
	if (!t->passed && !t->failed)
		step(t, "ktest", false, "no kernel self-test matches the filter");
}

/* A test VM from the rtos template, running; its id, or -1 (step recorded). */
static int test_vm_start(struct test_run *t, const char *args)
{
	struct vm_config cfg;
	char err[VMM_ERR_LEN];
	int id;

	if (vm_config_from_template("rtos", &cfg, err, sizeof(err)) == 0) {
		snprintf(cfg.name, sizeof(cfg.name), "%s", TEST_VM);
		snprintf(cfg.bootargs, sizeof(cfg.bootargs), "%s", args);
		id = vmm_new(&cfg, err, sizeof(err));
		if (id >= 0 && vmm_run(id, err, sizeof(err)) == 0) {
			step(t, "create and run an RTOS VM", true, NULL);
			return id;
		}
		if (id >= 0)
			vmm_delete(id, NULL, 0); /* errmsg takes a NULL buffer */
	}
	step(t, "create and run an RTOS VM", false, err);
	return -1;
}

static uint64_t guest_ms(int id)
{
	return k_ticks_to_ns(vmm_guest_ticks(vmm_get(id))) / 1000000u;
}

static void check_op(struct test_run *t, const char *name, int (*op)(int, char *, size_t), int id,
		     enum vm_state want)
{
	char err[VMM_ERR_LEN] = "";
	int ret = op(id, err, sizeof(err));

	if (!ret && vm_state_get(vmm_get(id)) != want)
		snprintf(err, sizeof(err), "state %s, expected %s",
			 vmm_state_name(vm_state_get(vmm_get(id))), vmm_state_name(want));
	step(t, name, !ret && !err[0], err);
}

static void test_lifecycle(struct test_run *t)
{
	struct page_stats before, after;
	char why[96];
	uint64_t g0;
	int id;

	page_stats_get(&before);
	id = test_vm_start(t, "app=hello");
	if (id < 0)
		return;
	step(t, "the guest boots and prints", !mgmt_tap_expect(TEST_VM, "CPUs said hello", BOOT_MS),
	     NULL);
	check_op(t, "pause", vmm_pause, id, VM_PAUSED);
	g0 = guest_ms(id);
	k_sleep(K_MSEC(SETTLE_MS));
	snprintf(why, sizeof(why), "guest time %lu ms then %lu ms", (unsigned long)g0,
		 (unsigned long)guest_ms(id));
	step(t, "guest time stands still while paused", guest_ms(id) == g0, why);
	check_op(t, "resume", vmm_run, id, VM_RUNNING);
	k_sleep(K_MSEC(SETTLE_MS));
	step(t, "guest time goes on after resume", guest_ms(id) > g0, NULL);
	check_op(t, "reset", vmm_reset, id, VM_RUNNING);
	why[0] = '\0';
	step(t, "delete", vmm_delete(id, why, sizeof(why)) == 0 && !vmm_get(id), why);
	page_stats_get(&after);
	snprintf(why, sizeof(why), "%lu free pages before, %lu after",
		 (unsigned long)before.free_pages, (unsigned long)after.free_pages);
	step(t, "all its memory is free again", after.free_pages == before.free_pages, why);
}

static void type_line(int id, const char *s)
{
	struct vm *vm;

	for (; *s && (vm = vmm_get(id)); s++)
		for (int ms = 0; !vuart_input(vm, (uint8_t)*s) && ms < 100; ms++)
			k_sleep(K_MSEC(1));
}

static void test_virtio(struct test_run *t)
{
	int id = test_vm_start(t, "");
	char err[VMM_ERR_LEN] = "";

	if (id < 0)
		return;
	step(t, "the guest boots and prints", !mgmt_tap_expect(TEST_VM, "", BOOT_MS), NULL);
	type_line(id, "attack virtio-addr\r");
	step(t, "a descriptor outside the VM is refused (NEEDS_RESET)",
	     !mgmt_tap_expect(TEST_VM, "virtio-addr: device 3 status 0x4f (NEEDS_RESET)", BOOT_MS),
	     NULL);
	type_line(id, "attack virtio-loop\r");
	step(t, "a descriptor loop is refused (NEEDS_RESET)",
	     !mgmt_tap_expect(TEST_VM, "virtio-loop: device 3 status 0x4f (NEEDS_RESET)", BOOT_MS),
	     NULL);
	step(t, "the VM is still running", vm_state_get(vmm_get(id)) == VM_RUNNING,
	     vmm_state_name(vm_state_get(vmm_get(id))));
	step(t, "delete", vmm_delete(id, err, sizeof(err)) == 0, err);
}

static const char *const test_names[] = { "ktest", "lifecycle", "virtio" };

static int req_test(struct mgmt_req *r, struct jbuf *out)
{
	struct test_run t = { .out = out };
	const char *name = r->argc > 1 ? r->argv[1] : "";
	size_t i;

	for (i = 0; i < sizeof(test_names) / sizeof(test_names[0]); i++)
		if (!strcmp(name, test_names[i]))
			break;
	if (i == sizeof(test_names) / sizeof(test_names[0]) || (r->argc > 2 && i != 0))
		return mgmt_fail(r, "usage: test ktest [FILTER] | test lifecycle | test virtio");
	jb_key(out, "test");
	jb_str(out, name);
	jb_key(out, "steps");
	jb_printf(out, "[");
	if (i == 0)
		test_ktest(r, &t);
	else if (i == 1)
		test_lifecycle(&t);
	else
		test_virtio(&t);
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
	jb_printf(out, "[\"ktest\",\"lifecycle\",\"virtio\"]");
	return 0;
}

const struct mgmt_cmd mgmt_test_cmds[] = {
	{ "test", req_test, "test ktest [FILTER] | test lifecycle | test virtio" },
	{ "tests", req_tests, "tests" },
	{ NULL, NULL, NULL },
};
