/* SPDX-License-Identifier: MIT */
/*
 * `test recovery`: a guest that dies is contained and brought back, and a
 * second VM carries on all along. The victim executes an undefined
 * instruction (its own fatal report; every host CPU stays online), is
 * reset by zvm and boots again, reboots itself (zvm resets it), and powers
 * itself off (zvm halts that VM alone, saying why). The bystander answers
 * at its console at the end.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/vmm.h>
#include "mgmt_internal.h"
#include "mgmt_test.h"

static bool halted_within(int id, int timeout_ms)
{
	for (int ms = 0; ms < timeout_ms; ms += 10) {
		if (vm_state_get(vmm_get(id)) == VM_HALTED)
			return true;
		k_sleep(K_MSEC(10));
	}
	return false;
}

static void victim_dies_and_returns(struct test_run *t, int id)
{
	char why[VMM_ERR_LEN] = "";

	test_type(id, "attack undef\r");
	test_step(t, "an undefined instruction: the guest's own fatal report",
		  !mgmt_tap_expect(TEST_VM, "CPU 0 stopped", BOOT_MS), NULL);
	snprintf(why, sizeof(why), "%d of %d online", k_num_cpus(), k_num_cpus_present());
	test_step(t, "every host CPU is still online", k_num_cpus() == k_num_cpus_present(), why);
	why[0] = '\0';
	test_step(t, "zvm resets it and it boots again",
		  !vmm_reset(id, why, sizeof(why)) &&
			  !mgmt_tap_expect(TEST_VM, GUEST_BANNER, BOOT_MS),
		  why);
	test_type(id, "reboot\r");
	test_step(t, "the guest reboots itself: zvm resets it",
		  !mgmt_tap_expect(TEST_VM, GUEST_BANNER, BOOT_MS), NULL);
	test_type(id, "poweroff\r");
	test_step(t, "the guest powers off: zvm halts that VM", halted_within(id, BOOT_MS),
		  vmm_get(id) ? vmm_get(id)->halt_reason : "");
}

void test_recovery(struct test_run *t)
{
	static const struct test_vm vv = { TEST_VM, "", -1, -1 }, vb = { TEST_VM2, "", 2, -1 };
	int v = test_vm_start(t, &vv), b = v < 0 ? -1 : test_vm_start(t, &vb);

	if (b >= 0) {
		test_step(t, "both guests boot", test_both_print(TEST_VM, TEST_VM2, GUEST_BANNER),
			  NULL);
		victim_dies_and_returns(t, v);
		test_type(b, "version\r");
		test_step(t, "the other VM carried on: it answers",
			  !mgmt_tap_expect(TEST_VM2, "zvm-rtos", BOOT_MS) &&
				  vm_state_get(vmm_get(b)) == VM_RUNNING,
			  NULL);
		test_vm_delete(t, b, TEST_VM2);
	}
	if (v >= 0)
		test_vm_delete(t, v, TEST_VM);
}
