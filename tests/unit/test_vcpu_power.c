/* SOURCES: virt/vcpu_power.c virt/vdev.c */
/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the PSCI power state machine of a vCPU (OFF -> ON_PENDING
 * -> ON -> OFF, include/zvm/vm.h) and of the K_ASSERTs that guard the
 * rules: a power step taken by a thread other than the vCPU's own, and an
 * MMIO registry change while a vCPU of the VM runs, stop the program.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <zvm/vcpu.h>

static struct vm vm;
static struct vcpu *current;	/* what vcpu_current() answers */

struct vcpu *vcpu_current(void)
{
	return current;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	for (int i = 0; i < 2; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].id = i;
	}
	current = NULL;
	return 0;
}

static void test_one_cpu_on_wins(void **state)
{
	struct vcpu *t = &vm.vcpus[1];
	uint64_t pc, arg;

	(void)state;
	vcpu_power_init(t, false);
	assert_int_equal(vcpu_power_request_on(t, 0x40080000, 7), VCPU_OFF);	/* accepted */
	assert_int_equal(vcpu_power_get(t), VCPU_ON_PENDING);
	assert_int_equal(vcpu_power_request_on(t, 0x40090000, 8), VCPU_ON_PENDING);
	current = t;
	assert_true(vcpu_power_take_boot(t, &pc, &arg));
	assert_int_equal(pc, 0x40080000);	/* the first call's, not the refused one's */
	assert_int_equal(arg, 7);
	vcpu_power_set_on(t);
	assert_int_equal(vcpu_power_get(t), VCPU_ON);
	assert_false(vcpu_power_take_boot(t, &pc, &arg));
	assert_int_equal(vcpu_power_request_on(t, 0x40090000, 8), VCPU_ON);
	vcpu_power_off(t);
	assert_int_equal(vcpu_power_get(t), VCPU_OFF);
	assert_int_equal(vcpu_power_request_on(t, 0x400a0000, 9), VCPU_OFF);
	assert_true(vcpu_power_take_boot(t, &pc, &arg));
	assert_int_equal(pc, 0x400a0000);
	assert_int_equal(vm.lock.held, 0);	/* every step released the VM's lock */
}

/* Run fn in a child; true if it was stopped by SIGABRT (a failed K_ASSERT). */
static bool aborts(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		close(STDERR_FILENO);	/* the expected ASSERT line */
		fn();
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void off_from_another_thread(void)
{
	vcpu_power_init(&vm.vcpus[1], true);
	current = &vm.vcpus[0];
	vcpu_power_off(&vm.vcpus[1]);
}

static void off_by_its_own_thread(void)
{
	vcpu_power_init(&vm.vcpus[1], true);
	current = &vm.vcpus[1];
	vcpu_power_off(&vm.vcpus[1]);
}

static int dummy_access(struct vcpu *vcpu, struct vdev *dev, struct mmio_access *acc)
{
	(void)vcpu;
	(void)dev;
	(void)acc;
	return 0;
}

static void register_with(enum k_thread_state vcpu_thread_state)
{
	static struct k_thread thread;
	struct vdev dev = { "dev", 0x09000000, 0x1000, dummy_access, NULL };

	thread.state = vcpu_thread_state;
	vm.vcpus[0].thread = &thread;
	vdev_register(&vm, &dev);
}

static void register_while_vcpu_runs(void)
{
	register_with(K_THREAD_RUNNING);
}

static void register_before_vcpu_starts(void)
{
	register_with(K_THREAD_NEW);
}

static void test_rules_are_asserted(void **state)
{
	(void)state;
	assert_true(aborts(off_from_another_thread));
	assert_false(aborts(off_by_its_own_thread));
	assert_true(aborts(register_while_vcpu_runs));
	assert_false(aborts(register_before_vcpu_starts));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_one_cpu_on_wins, setup),
		cmocka_unit_test_setup(test_rules_are_asserted, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
