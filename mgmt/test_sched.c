/* SPDX-License-Identifier: MIT */
/*
 * `test sched`: an RT VM (app=periodic, the template's priority) and a busy
 * VM (app=bench, a less urgent priority) share host CPU 1. Each vCPU must
 * stay where its config places it; the RT vCPU is never preempted, while
 * the busy one is, and waits (steal time) whenever the RT vCPU runs.
 * `test interrupts`: a guest storms itself with 20000 software interrupts
 * (each a trapped write of ICC_SGI1R_EL1, counted as a sysreg exit) and
 * sets its timer as far as it goes; zvm traps them all and the guest lives.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/vmm.h>
#include "mgmt_internal.h"
#include "mgmt_test.h"

#define SHARED_CPU 1
#define BUSY_PRIO  10 /* less urgent than the rtos template's vCPU */
#define SHARE_MS   1500
#define STORM_SGIS 20000

static const struct k_thread *vcpu0(int id)
{
	const struct vm *vm = vmm_get(id);

	return vm ? vm->vcpus[0].thread : NULL;
}

static bool keep_line(const char *line, void *arg)
{
	snprintf(arg, MGMT_ERR_LEN, "%s", line);
	return false;
}

static void sched_checks(struct test_run *t, int rt, int busy)
{
	const struct k_thread *r = vcpu0(rt), *b = vcpu0(busy);
	char why[MGMT_ERR_LEN] = "";

	snprintf(why, sizeof(why), "RT vCPU on CPU %d, busy vCPU on CPU %d", r ? r->cpu : -1,
		 b ? b->cpu : -1);
	test_step(t, "each vCPU runs on the CPU its config gives",
		  r && b && r->cpu == SHARED_CPU && b->cpu == SHARED_CPU, why);
	if (!r || !b)
		return;
	snprintf(why, sizeof(why), "preempted %lu times, longest wait %lu us",
		 (unsigned long)r->preemptions,
		 (unsigned long)(k_ticks_to_ns(r->max_ready_wait) / 1000));
	test_step(t, "the RT vCPU is never preempted", r->preemptions == 0, why);
	snprintf(why, sizeof(why), "preempted %lu times, steal %lu us, ran %lu ms",
		 (unsigned long)b->preemptions,
		 (unsigned long)(k_ticks_to_ns(b->ready_ticks) / 1000),
		 (unsigned long)(k_ticks_to_ns(b->run_ticks) / 1000000));
	test_step(t, "the busy vCPU gives way to it (preempted, steal time)",
		  b->preemptions > 0 && b->ready_ticks > 0 && b->run_ticks > 0, why);
	why[0] = '\0';
	test_type(rt, "periodic\r");
	/* Misses are reported, not judged: under QEMU they come from the PC's load too. */
	test_step(t, "the RT guest runs its 1 ms periodic task",
		  !mgmt_tap_watch(TEST_VM, "periodic: ", BOOT_MS, keep_line, why) &&
			  !strstr(why, ": 0 periods"),
		  why);
}

void test_sched(struct test_run *t)
{
	static const struct test_vm vr = { TEST_VM, "app=periodic", SHARED_CPU, -1 },
				    vb = { TEST_VM2, "app=bench", SHARED_CPU, BUSY_PRIO };
	int rt = test_vm_start(t, &vr), busy = rt < 0 ? -1 : test_vm_start(t, &vb);

	if (busy >= 0) {
		test_step(t, "the busy guest runs its benchmark",
			  !mgmt_tap_expect(TEST_VM2, "bench: counter", BOOT_MS), NULL);
		k_sleep(K_MSEC(SHARE_MS));
		sched_checks(t, rt, busy);
		test_vm_delete(t, busy, TEST_VM2);
	}
	if (rt >= 0)
		test_vm_delete(t, rt, TEST_VM);
}

static uint64_t sysreg_exits(int id)
{
	const struct vm *vm = vmm_get(id);

	return vm ? vm->exits_by_kind[EXIT_SYSREG] : 0;
}

void test_interrupts(struct test_run *t)
{
	static const struct test_vm v = { TEST_VM, "", -1, -1 };
	char line[MGMT_ERR_LEN] = "", why[96];
	uint64_t before;
	int id = test_vm_start(t, &v);

	if (id < 0)
		return;
	test_step(t, "the guest boots", !mgmt_tap_expect(TEST_VM, GUEST_BANNER, BOOT_MS), NULL);
	before = sysreg_exits(id);
	test_type(id, "attack storm\r");
	test_step(t, "20000 self-IPIs: the guest is still alive",
		  !mgmt_tap_watch(TEST_VM, "still alive", BOOT_MS * 3, keep_line, line), line);
	snprintf(why, sizeof(why), "%lu sysreg exits during the storm",
		 (unsigned long)(sysreg_exits(id) - before));
	test_step(t, "zvm trapped every one", sysreg_exits(id) - before >= STORM_SGIS, why);
	test_type(id, "attack cval-max\r");
	test_step(t, "a timer set to the end of time: still alive",
		  !mgmt_tap_watch(TEST_VM, "still alive", BOOT_MS, keep_line, line), line);
	test_step(t, "the VM is still running", vm_state_get(vmm_get(id)) == VM_RUNNING,
		  vmm_state_name(vm_state_get(vmm_get(id))));
	test_vm_delete(t, id, TEST_VM);
}
