/* SPDX-License-Identifier: MIT */
/* SOURCES: @vm-core */
/* LDLIBS: -lfdt */
/*
 * Unit tests of PSCI and the zvm hypercalls (virt/vpsci.c) as a guest sees
 * them: a running VM on the shared fake, each function called the way a
 * guest calls it (function id in x0, arguments in x1..x3, HVC) and judged by
 * x0 afterwards, by the vCPUs' power and registers, and by the VM's state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zvm/vcpu.h>
#include <zvm/vmm.h>
#include "fake/fake.h"
#include "fake/vm_fixture.h"

/* Function ids and return codes of the PSCI specification (DEN0022), SMCCC. */
#define PSCI_VERSION		0x84000000u
#define PSCI_CPU_SUSPEND	0x84000001u
#define PSCI_CPU_OFF		0x84000002u
#define PSCI_CPU_ON_32		0x84000003u
#define PSCI_AFFINITY_INFO_32	0x84000004u
#define PSCI_MIGRATE		0x84000005u
#define PSCI_MIGRATE_INFO_TYPE	0x84000006u
#define PSCI_SYSTEM_OFF		0x84000008u
#define PSCI_SYSTEM_RESET	0x84000009u
#define PSCI_FEATURES		0x8400000au
#define PSCI_CPU_ON_64		0xc4000003u
#define PSCI_AFFINITY_INFO_64	0xc4000004u
#define PSCI_SYSTEM_RESET2_64	0xc4000012u
#define SMCCC_VERSION		0x80000000u
#define ZVM_HC_NULL		0xc6000000u

#define SUCCESS			0
#define NOT_SUPPORTED		(-1)
#define INVALID_PARAMETERS	(-2)
#define ALREADY_ON		(-4)
#define AFF_ON			0
#define AFF_OFF			1
#define MIGRATE_NOT_NEEDED	2

#define SECONDARY_ENTRY		(RAM_IPA + 0x300000)
#define SECONDARY_CTX		0x1234abcdull

static struct vm *vm;

/* One HVC from vCPU `from`: what the guest reads in x0 afterwards. */
static int64_t call(int from, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t *x = vm->vcpus[from].arch.regs.x;

	x[0] = fn;
	x[1] = a1;
	x[2] = a2;
	x[3] = a3;
	vcpu_hypercall(&vm->vcpus[from]);
	return (int64_t)x[0];
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_log_reset();
	vm = vm_fixture_run(3);
	return 0;
}

#define teardown	vm_fixture_teardown_one

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_VERSION, 0, 0, 0), 0x10001);	/* 1.1 */
	/* SMCCC: the function id is w0; the upper half of x0 is ignored. */
	assert_int_equal(call(0, 0xffffffff00000000ull | PSCI_VERSION, 0, 0, 0), 0x10001);
}

static void test_features(void **state)
{
	static const uint32_t supported[] = {
		PSCI_VERSION, PSCI_CPU_OFF, PSCI_CPU_ON_32, PSCI_CPU_ON_64,
		PSCI_AFFINITY_INFO_32, PSCI_AFFINITY_INFO_64, PSCI_MIGRATE_INFO_TYPE,
		PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_FEATURES,
	};
	static const uint32_t absent[] = {
		PSCI_CPU_SUSPEND, PSCI_MIGRATE, PSCI_SYSTEM_RESET2_64, SMCCC_VERSION, 0x12345678,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]); i++)
		assert_int_equal(call(0, PSCI_FEATURES, supported[i], 0, 0), SUCCESS);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_int_equal(call(0, PSCI_FEATURES, absent[i], 0, 0), NOT_SUPPORTED);
}

/* CPU_ON starts the target at the entry with x0 = context id, EL1h, masked. */
static void test_cpu_on(void **state)
{
	struct vcpu *t = &vm->vcpus[1];
	unsigned gives = fake_kernel.sem_gives;

	(void)state;
	assert_int_equal(t->power, VCPU_OFF);
	assert_int_equal(call(0, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, SECONDARY_CTX), SUCCESS);
	assert_int_equal(t->power, VCPU_ON);
	assert_int_equal(t->arch.regs.elr, SECONDARY_ENTRY);
	assert_int_equal(t->arch.regs.x[0], SECONDARY_CTX);
	assert_int_equal(t->arch.regs.spsr, 0x3c5);
	assert_int_equal(t->arch.vmpidr & 0xffffff, 1);
	assert_int_equal(t->arch.cntvoff, vm->arch.cntvoff);	/* the VM's clock, not a new one */
	assert_int_equal(t->arch.vttbr >> 48, vm->vmid);
	assert_int_equal(fake_kernel.sem_gives, gives + 1);	/* its thread was woken */
	assert_int_equal(k_sem_count_get(&t->wake), 1);
	assert_int_equal(vm->vcpus[2].power, VCPU_OFF);
}

static void test_cpu_on_32(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_CPU_ON_32, 2, SECONDARY_ENTRY, 7), SUCCESS);
	assert_int_equal(vm->vcpus[2].power, VCPU_ON);
	assert_int_equal(vm->vcpus[2].arch.regs.x[0], 7);
}

/* A vCPU already on (or started by an earlier call) is not reset again. */
static void test_cpu_on_already_on(void **state)
{
	struct vcpu *t = &vm->vcpus[1];

	(void)state;
	assert_int_equal(call(0, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, 1), SUCCESS);
	t->arch.regs.elr = SECONDARY_ENTRY + 0x100;	/* it ran on */
	assert_int_equal(call(2, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, 2), ALREADY_ON);
	assert_int_equal(t->arch.regs.elr, SECONDARY_ENTRY + 0x100);
	assert_int_equal(call(1, PSCI_CPU_ON_64, 0, SECONDARY_ENTRY, 2), ALREADY_ON);	/* boot CPU */
	assert_int_equal(call(1, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, 2), ALREADY_ON);	/* itself */
}

static void test_cpu_on_bad_target(void **state)
{
	static const uint64_t bad[] = { 3, 4, 0xff, 0x100, 0x10000, 1ull << 32 };
	unsigned resets = fake_arch.vcpu_resets;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(call(0, PSCI_CPU_ON_64, bad[i], SECONDARY_ENTRY, 0),
				 INVALID_PARAMETERS);
		assert_int_equal(call(0, PSCI_CPU_ON_32, bad[i], SECONDARY_ENTRY, 0),
				 INVALID_PARAMETERS);
	}
	assert_int_equal(fake_arch.vcpu_resets, resets);
	for (int i = 1; i < 3; i++)
		assert_int_equal(vm->vcpus[i].power, VCPU_OFF);
}

static void test_affinity_info(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 0, 0, 0), AFF_ON);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 1, 0, 0), AFF_OFF);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_32, 2, 0, 0), AFF_OFF);
	assert_int_equal(call(0, PSCI_CPU_ON_64, 2, SECONDARY_ENTRY, 0), SUCCESS);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_32, 2, 0, 0), AFF_ON);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 3, 0, 0), INVALID_PARAMETERS);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_32, 0x100, 0, 0), INVALID_PARAMETERS);
}

/* CPU_OFF powers the caller down; CPU_ON can start it again. */
static void test_cpu_off(void **state)
{
	struct vcpu *t = &vm->vcpus[1];

	(void)state;
	assert_int_equal(call(0, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, 0), SUCCESS);
	call(1, PSCI_CPU_OFF, 0, 0, 0);
	assert_int_equal(t->power, VCPU_OFF);
	assert_int_equal(vm->vcpus[0].power, VCPU_ON);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 1, 0, 0), AFF_OFF);
	assert_int_equal(call(0, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY + 8, 9), SUCCESS);
	assert_int_equal(t->arch.regs.elr, SECONDARY_ENTRY + 8);
	assert_int_equal(t->arch.regs.x[0], 9);
	assert_int_equal(vm->state, VM_RUNNING);
}

static void test_migrate_info_type(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), MIGRATE_NOT_NEEDED);
}

static void test_system_off(void **state)
{
	(void)state;
	call(1, PSCI_SYSTEM_OFF, 0, 0, 0);
	assert_int_equal(vm->state, VM_HALTED);
	assert_string_equal(vm->halt_reason, "guest powered off (PSCI SYSTEM_OFF)");
}

/* SYSTEM_RESET stops the VM now; the VMM's worker starts it again from its image. */
static void test_system_reset(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, 0), SUCCESS);
	vm->vcpus[0].arch.regs.elr = RAM_IPA + 0x400000;
	call(0, PSCI_SYSTEM_RESET, 0, 0, 0);
	assert_int_equal(vm->state, VM_PAUSED);
	assert_int_equal(fake_thread_run(fake_thread_find("vmm")), 1);
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->vcpus[0].arch.regs.elr, ENTRY);
	assert_int_equal(vm->vcpus[1].power, VCPU_OFF);
}

static void test_null_hypercall(void **state)
{
	(void)state;
	assert_int_equal(call(0, ZVM_HC_NULL, 5, 6, 7), 0);
}

/* Anything else: NOT_SUPPORTED in x0, nothing changes, a debug line says which. */
static void test_unknown_function(void **state)
{
	static const uint32_t unknown[] = {
		PSCI_CPU_SUSPEND, PSCI_MIGRATE, PSCI_SYSTEM_RESET2_64, SMCCC_VERSION,
		ZVM_HC_NULL + 1, 0x84000020u, 0,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		fake_log_reset();
		assert_int_equal(call(0, unknown[i], 1, SECONDARY_ENTRY, 0), NOT_SUPPORTED);
		assert_true(fake_log_has("unknown hypercall"));
	}
	assert_int_equal(vm->vcpus[0].arch.regs.x[0], (uint64_t)-1);
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->vcpus[1].power, VCPU_OFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_on_32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_on_already_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_on_bad_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_affinity_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_info_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_hypercall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_function, setup, teardown),
	};

	return cmocka_run_group_tests(tests, vm_fixture_group_setup, NULL);
}
