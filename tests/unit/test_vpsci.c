/* SPDX-License-Identifier: MIT */
/* SOURCES: @vm-core */
/* LDLIBS: -lfdt */
/*
 * Unit tests of PSCI and the zvm hypercalls (virt/vpsci.c) as a guest sees
 * them: a running VM on the shared fake, each function called the way a
 * guest calls it (function id in x0, arguments in x1..x3, HVC) and judged by
 * x0 afterwards, by the vCPUs' power and registers, and by the VM's state.
 * A vCPU started by CPU_ON is ON_PENDING until its own thread (the real vCPU
 * loop, run here with fake_thread_run) has reset itself to the entry point;
 * its guest is then played by secondary_guest().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/psci_ids.h>
#include <zvm/vcpu.h>
#include <zvm/vmm.h>
#include <arch/esr_regs.h>
#include <arch/vtimer_hw.h>
#include "fake/fake.h"
#include "fake/vm_fixture.h"

/* Calls of PSCI 1.1 and SMCCC that zvm does not implement (DEN0022, DEN0028). */
#define PSCI_MIGRATE 0x84000005u

#define NR_VCPUS         3
#define SECONDARY_ENTRY  (RAM_IPA + 0x300000)
#define SECONDARY_CTX    0x1234abcdull
#define SPSR_EL1H_MASKED 0x3c5

static struct vm *vm;

/* ---- the guest of a started vCPU ---- */

/* What the guest of a started vCPU does on each entry. */
enum secondary_script {
	STAY_ON,   /* WFI, with its timer off: it sleeps, on */
	POWER_OFF, /* CPU_OFF */
};

/* What a vCPU's guest found at its first entry since boot_thread(). */
struct first_entry {
	unsigned entries; /* guest entries since */
	uint64_t pc, x0, spsr, vmpidr;
};

static enum secondary_script script;
static struct first_entry seen[NR_VCPUS];

static uint64_t secondary_guest(struct vcpu_arch *ctx)
{
	struct first_entry *e = &seen[vcpu_current()->id];

	if (e->entries++ == 0)
		*e = (struct first_entry){ 1, ctx->regs.elr, ctx->regs.x[0], ctx->regs.spsr,
					   ctx->vmpidr };
	if (script == POWER_OFF) {
		ctx->regs.x[0] = PSCI_CPU_OFF;
		ctx->esr = (EC_HVC64 << ESR_EC_SHIFT) | ESR_IL;
	} else {
		ctx->esr = (EC_WFX << ESR_EC_SHIFT) | ESR_IL;
	}
	return GUEST_EXIT_SYNC;
}

/* Run vCPU id's own thread until it blocks (it must not end). */
static void boot_thread(int id, enum secondary_script what)
{
	memset(&seen[id], 0, sizeof(seen[id]));
	script = what;
	assert_int_equal(fake_thread_run(vm->vcpus[id].thread), 1);
}

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
	memset(&vtimer_hw_fake, 0, sizeof(vtimer_hw_fake)); /* guests' timers off */
	vm = vm_fixture_run(NR_VCPUS);
	fake_arch.guest = secondary_guest;
	return 0;
}

#define teardown vm_fixture_teardown_one

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_VERSION, 0, 0, 0), 0x10001); /* 1.1 */
	/* SMCCC: the function id is w0; the upper half of x0 is ignored. */
	assert_int_equal(call(0, 0xffffffff00000000ull | PSCI_VERSION, 0, 0, 0), 0x10001);
}

/* SMCCC 1.1: the version and the architecture calls zvm answers. */
static void test_smccc_discovery(void **state)
{
	(void)state;
	assert_int_equal(call(0, SMCCC_VERSION, 0, 0, 0), SMCCC_VERSION_1_1);
	assert_int_equal(call(0, SMCCC_ARCH_FEATURES, SMCCC_VERSION, 0, 0), PSCI_SUCCESS);
	assert_int_equal(call(0, SMCCC_ARCH_FEATURES, 0x80008000u, 0, 0), PSCI_NOT_SUPPORTED);
}

/* CPU_SUSPEND: a reserved power_state bit is refused; SMC32 ignores the upper half. */
static void test_cpu_suspend_bad_state(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_CPU_SUSPEND_64, 1u << 31, 0, 0), PSCI_INVALID_PARAMS);
	assert_int_equal(call(0, PSCI_CPU_SUSPEND_64, 1ull << 32, 0, 0), PSCI_INVALID_PARAMS);
	assert_int_equal(call(0, PSCI_CPU_SUSPEND_32, 1u << 17, 0, 0), PSCI_INVALID_PARAMS);
}

static void test_features(void **state)
{
	static const uint32_t supported[] = {
		PSCI_VERSION,           PSCI_CPU_OFF,          PSCI_CPU_ON_32,
		PSCI_CPU_ON_64,         PSCI_AFFINITY_INFO_32, PSCI_AFFINITY_INFO_64,
		PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF,       PSCI_SYSTEM_RESET,
		PSCI_FEATURES,          PSCI_CPU_SUSPEND_32,   PSCI_CPU_SUSPEND_64,
		SMCCC_VERSION,          PSCI_SYSTEM_RESET2_64,
	};
	static const uint32_t absent[] = {
		PSCI_MIGRATE,
		0x80008000u /* ARCH_WORKAROUND_1 */,
		0x12345678,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]); i++)
		assert_int_equal(call(0, PSCI_FEATURES, supported[i], 0, 0), PSCI_SUCCESS);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_int_equal(call(0, PSCI_FEATURES, absent[i], 0, 0), PSCI_NOT_SUPPORTED);
}

/*
 * CPU_ON is accepted at once (ON_PENDING, the target's thread woken) and
 * leaves the target's registers alone; its own thread then starts it at
 * the entry with x0 = context id, EL1h, masked, and it is ON.
 */
static void test_cpu_on(void **state)
{
	struct vcpu *t = &vm->vcpus[1];
	unsigned gives = fake_kernel.sem_gives;
	unsigned resets = fake_arch.vcpu_resets;

	(void)state;
	assert_int_equal(vcpu_power_get(t), VCPU_OFF);
	assert_int_equal(call(0, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, SECONDARY_CTX), PSCI_SUCCESS);
	assert_int_equal(vcpu_power_get(t), VCPU_ON_PENDING);
	assert_int_equal(fake_arch.vcpu_resets, resets);    /* the caller did not touch it */
	assert_int_equal(fake_kernel.sem_gives, gives + 1); /* its thread was woken */
	assert_int_equal(k_sem_count_get(&t->wake), 1);
	boot_thread(1, STAY_ON);
	assert_int_equal(seen[1].pc, SECONDARY_ENTRY);
	assert_int_equal(seen[1].x0, SECONDARY_CTX);
	assert_int_equal(seen[1].spsr, SPSR_EL1H_MASKED);
	assert_int_equal(seen[1].vmpidr & 0xffffff, 1);
	assert_int_equal(vcpu_power_get(t), VCPU_ON);
	assert_int_equal(fake_arch.vcpu_resets, resets + 1);
	assert_int_equal(t->arch.cntvoff, vm->arch.cntvoff); /* the VM's clock, not a new one */
	assert_int_equal(t->arch.vttbr >> 48, vm->vmid);
	assert_int_equal(vcpu_power_get(&vm->vcpus[2]), VCPU_OFF);
}

static void test_cpu_on_32(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_CPU_ON_32, 2, SECONDARY_ENTRY, 7), PSCI_SUCCESS);
	assert_int_equal(vcpu_power_get(&vm->vcpus[2]), VCPU_ON_PENDING);
	boot_thread(2, STAY_ON);
	assert_int_equal(vcpu_power_get(&vm->vcpus[2]), VCPU_ON);
	assert_int_equal(seen[2].pc, SECONDARY_ENTRY);
	assert_int_equal(seen[2].x0, 7);
	assert_int_equal(seen[2].vmpidr & 0xffffff, 2);
}

/* Only the first CPU_ON counts: later ones answer ON_PENDING, then ALREADY_ON. */
static void test_cpu_on_pending_then_already_on(void **state)
{
	struct vcpu *t = &vm->vcpus[1];
	uint64_t pc;

	(void)state;
	assert_int_equal(call(0, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, 1), PSCI_SUCCESS);
	assert_int_equal(call(2, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY + 0x100, 2), PSCI_ON_PENDING);
	assert_int_equal(call(0, PSCI_CPU_ON_32, 1, SECONDARY_ENTRY + 0x200, 3), PSCI_ON_PENDING);
	boot_thread(1, STAY_ON);
	assert_int_equal(seen[1].pc, SECONDARY_ENTRY); /* the first call's */
	assert_int_equal(seen[1].x0, 1);
	pc = t->arch.regs.elr; /* it ran on */
	assert_int_not_equal(pc, SECONDARY_ENTRY);
	assert_int_equal(call(2, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, 2), PSCI_ALREADY_ON);
	assert_int_equal(call(1, PSCI_CPU_ON_64, 0, SECONDARY_ENTRY, 2),
			 PSCI_ALREADY_ON); /* boot CPU */
	assert_int_equal(call(1, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, 2),
			 PSCI_ALREADY_ON); /* itself */
	boot_thread(1, STAY_ON);
	assert_int_equal(seen[1].pc, pc); /* not reset: it goes on */
	assert_int_equal(vcpu_power_get(t), VCPU_ON);
}

static void test_cpu_on_bad_target(void **state)
{
	static const uint64_t bad[] = { 3, 4, 0xff, 0x100, 0x10000, 1ull << 32 };
	unsigned resets = fake_arch.vcpu_resets;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(call(0, PSCI_CPU_ON_64, bad[i], SECONDARY_ENTRY, 0),
				 PSCI_INVALID_PARAMS);
		/* SMC32: the upper half is ignored, so 1 << 32 is vCPU 0, the caller. */
		assert_int_equal(call(0, PSCI_CPU_ON_32, bad[i], SECONDARY_ENTRY, 0),
				 bad[i] >> 32 ? PSCI_ALREADY_ON : PSCI_INVALID_PARAMS);
	}
	assert_int_equal(fake_arch.vcpu_resets, resets);
	for (int i = 1; i < NR_VCPUS; i++)
		assert_int_equal(vcpu_power_get(&vm->vcpus[i]), VCPU_OFF);
}

/* An entry point outside the VM's RAM, or not an instruction's address: refused, still OFF. */
static void test_cpu_on_invalid_address(void **state)
{
	uint64_t end = vm->cfg.ram_ipa + vm->cfg.ram_size;
	const uint64_t bad[] = {
		0,
		RAM_IPA - 4, /* below RAM */
		end,
		end + 0x1000,
		~3ull, /* beyond it */
		SECONDARY_ENTRY + 2,
		SECONDARY_ENTRY + 1,
		end - 2, /* misaligned */
	};
	unsigned gives = fake_kernel.sem_gives;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(call(0, PSCI_CPU_ON_64, 1, bad[i], 0), PSCI_INVALID_ADDRESS);
		assert_int_equal(call(0, PSCI_CPU_ON_32, 2, bad[i], 0), PSCI_INVALID_ADDRESS);
		assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_OFF);
		assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 2, 0, 0), PSCI_AFFINITY_OFF);
	}
	assert_int_equal(fake_kernel.sem_gives, gives); /* no thread was woken */
	/* The first and the last instruction of RAM are good entries. */
	assert_int_equal(call(0, PSCI_CPU_ON_64, 1, RAM_IPA, 0), PSCI_SUCCESS);
	assert_int_equal(call(0, PSCI_CPU_ON_64, 2, end - 4, 0), PSCI_SUCCESS);
	boot_thread(2, STAY_ON);
	assert_int_equal(seen[2].pc, end - 4);
}

/* AFFINITY_INFO follows a vCPU: OFF, ON_PENDING after CPU_ON, ON once it runs. */
static void test_affinity_info(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 0, 0, 0), PSCI_AFFINITY_ON);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_OFF);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_32, 2, 0, 0), PSCI_AFFINITY_OFF);
	assert_int_equal(call(0, PSCI_CPU_ON_64, 2, SECONDARY_ENTRY, 0), PSCI_SUCCESS);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_32, 2, 0, 0), PSCI_AFFINITY_ON_PENDING);
	assert_int_equal(call(1, PSCI_AFFINITY_INFO_64, 2, 0, 0), PSCI_AFFINITY_ON_PENDING);
	boot_thread(2, STAY_ON);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_32, 2, 0, 0), PSCI_AFFINITY_ON);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_OFF);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 3, 0, 0), PSCI_INVALID_PARAMS);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_32, 0x100, 0, 0), PSCI_INVALID_PARAMS);
}

/* CPU_OFF from the guest powers its vCPU down for good; CPU_ON can start it again. */
static void test_cpu_off(void **state)
{
	struct vcpu *t = &vm->vcpus[1];

	(void)state;
	assert_int_equal(call(0, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, 0), PSCI_SUCCESS);
	boot_thread(1, POWER_OFF);
	assert_int_equal(seen[1].entries, 1); /* it did not run again */
	assert_int_equal(vcpu_power_get(t), VCPU_OFF);
	assert_int_equal(vcpu_power_get(&vm->vcpus[0]), VCPU_ON);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_OFF);
	boot_thread(1, STAY_ON); /* run again: it stays off */
	assert_int_equal(seen[1].entries, 0);
	assert_int_equal(call(0, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY + 8, 9), PSCI_SUCCESS);
	boot_thread(1, STAY_ON);
	assert_int_equal(seen[1].pc, SECONDARY_ENTRY + 8);
	assert_int_equal(seen[1].x0, 9);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_ON);
	assert_int_equal(vm->state, VM_RUNNING);
}

static void test_migrate_info_type(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), PSCI_MIGRATE_NOT_NEEDED);
}

static void test_system_off(void **state)
{
	(void)state;
	call(0, PSCI_SYSTEM_OFF, 0, 0, 0);
	assert_int_equal(vm->state, VM_HALTED);
	assert_string_equal(vm->halt_reason, "guest powered off (PSCI SYSTEM_OFF)");
}

/*
 * SYSTEM_RESET stops the VM now; the VMM's worker starts it again from its
 * image, with the secondaries off: a CPU_ON still pending is dropped.
 */
static void test_system_reset(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_CPU_ON_64, 1, SECONDARY_ENTRY, 0), PSCI_SUCCESS);
	vm->vcpus[0].arch.regs.elr = RAM_IPA + 0x400000;
	call(0, PSCI_SYSTEM_RESET, 0, 0, 0);
	assert_int_equal(vm->state, VM_HALTED);
	assert_int_equal(vm->pending, VM_EV_REBOOT);
	assert_int_equal(fake_thread_run(fake_thread_find("vmm")), 1);
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->vcpus[0].arch.regs.elr, ENTRY);
	assert_int_equal(vcpu_power_get(&vm->vcpus[1]), VCPU_OFF);
	boot_thread(1, STAY_ON);
	assert_int_equal(seen[1].entries, 0);
}

/*
 * SYSTEM_RESET2, a warm reset (Linux's panic with reboot=panic_warm): the VM
 * stops as crashed and the worker restarts it by policy; a vendor reset
 * type is refused.
 */
static void test_system_reset2(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_SYSTEM_RESET2_64, 0x80000001u, 0, 0), PSCI_INVALID_PARAMS);
	assert_int_equal(vm->state, VM_RUNNING);
	call(0, PSCI_SYSTEM_RESET2_64, 0, 0, 0);
	assert_int_equal(vm->state, VM_CRASHED);
	assert_string_equal(vm->halt_reason,
			    "guest kernel panic (a warm reset: PSCI SYSTEM_RESET2)");
	assert_int_equal(vm->events[VM_EV_CRASH], 1);
	assert_int_equal(fake_thread_run(fake_thread_find("vmm")), 1);
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->restarts, 1);
}

static void test_null_hypercall(void **state)
{
	(void)state;
	assert_int_equal(call(0, ZVM_HC_NULL, 5, 6, 7), 0);
}

/* The host's per-CPU load: for a privileged VM only (docs/pools.md). */
static void test_cpu_load_hypercall(void **state)
{
	(void)state;
	vm->cfg.privileged = false;
	assert_int_equal(call(0, ZVM_HC_CPU_COUNT, 0, 0, 0), PSCI_DENIED);
	assert_int_equal(call(0, ZVM_HC_CPU_IDLE, 0, 0, 0), PSCI_DENIED);
	vm->cfg.privileged = true;
	assert_int_equal(call(0, ZVM_HC_CPU_COUNT, 0, 0, 0), k_num_cpus_present());
	assert_true(call(0, ZVM_HC_CPU_IDLE, 0, 0, 0) >= 0);
	assert_int_equal(call(0, ZVM_HC_CPU_IDLE, k_num_cpus_present(), 0, 0), PSCI_INVALID_PARAMS);
	assert_int_equal(call(0, ZVM_HC_CPU_IDLE, UINT64_MAX, 0, 0), PSCI_INVALID_PARAMS);
}

/* Anything else: NOT_SUPPORTED in x0, nothing changes, a debug line says which. */
static void test_unknown_function(void **state)
{
	static const uint32_t unknown[] = {
		PSCI_MIGRATE,    0x80008000u, /* SMCCC_ARCH_WORKAROUND_1 */
		ZVM_HC_NULL + 3, 0x84000020u, 0,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		fake_log_reset();
		assert_int_equal(call(0, unknown[i], 1, SECONDARY_ENTRY, 0), PSCI_NOT_SUPPORTED);
		assert_true(fake_log_has("unknown hypercall"));
	}
	assert_int_equal(vm->vcpus[0].arch.regs.x[0], (uint64_t)-1);
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vcpu_power_get(&vm->vcpus[1]), VCPU_OFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smccc_discovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_suspend_bad_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_on_32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_on_pending_then_already_on, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cpu_on_bad_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_on_invalid_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_affinity_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_info_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_reset2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_load_hypercall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_hypercall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_function, setup, teardown),
	};

	return cmocka_run_group_tests(tests, vm_fixture_group_setup, NULL);
}
