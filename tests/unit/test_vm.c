/* SPDX-License-Identifier: MIT */
/* SOURCES: @vm-core */
/* LDLIBS: -lfdt */
/*
 * Unit tests of the VM object and the VM manager (virt/vm.c, virt/vmm.c)
 * linked with the real VM core (vCPUs, vGIC, UART, virtio, shared memory,
 * stage 2, image loader, guest DTB, configs/vms.dts) on the shared fake:
 * new/run/pause/reset/delete/update and their errors, what a guest finds
 * in its RAM and registers, guest time across a pause, resets a guest asks
 * for, and that every path, failed ones included, gives back every page,
 * heap block and thread it took.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>
#include <zvm/image.h>
#include <zvm/mm.h>
#include <zvm/shm.h>
#include <zvm/vdev.h>
#include <zvm/vcpu.h>
#include <zvm/vm_config.h>
#include <zvm/vmm.h>
#include "fake/fake.h"
#include "fake/vm_fixture.h"

#define err vm_fixture_err

/* A call that must succeed; on failure the message says why. */
#define assert_ok(call)                                           \
	do {                                                      \
		int ret_ = (call);                                \
		if (ret_)                                         \
			fail_msg("%s: %d: %s", #call, ret_, err); \
	} while (0)

static size_t base_pages, base_blocks; /* after vmm_init: what no VM holds */

/* ---- fixtures ---- */

static struct vm_config rtos_config(int vcpus)
{
	return vm_fixture_config(vcpus);
}

static int new_vm(int vcpus)
{
	return vm_fixture_new(vcpus)->id;
}

static void assert_nothing_held(void)
{
	assert_int_equal(fake_pages_used(), base_pages);
	assert_int_equal(fake_heap_blocks_used(), base_blocks);
	assert_int_equal(fake_kernel.mutexes_held, 0);
}

static uint8_t *guest_byte(struct vm *vm, uint64_t ipa)
{
	assert_true(ipa >= vm->cfg.ram_ipa && ipa < vm->cfg.ram_ipa + vm->cfg.ram_size);
	return (uint8_t *)vm->ram + (ipa - vm->cfg.ram_ipa);
}

static bool kernel_in_ram(struct vm *vm)
{
	for (uint64_t i = 0; i < SEG_BYTES; i++)
		if (*guest_byte(vm, RAM_IPA + SEG_OFFSET + i) != SEG_FILL)
			return false;
	return true;
}

static int group_setup(void **state)
{
	(void)state;
	vm_fixture_init();
	base_pages = fake_pages_used();
	base_blocks = fake_heap_blocks_used();
	assert_true(base_pages > 0); /* the shared-memory regions of vms.dts */
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_log_reset();
	fake_alloc_fail_nth(0);
	fake_kernel.now = 1000;
	err[0] = '\0';
	return 0;
}

/* Every test deletes its VMs (one that failed is cleaned up): then nothing is held. */
static int teardown(void **state)
{
	int left;

	(void)state;
	fake_alloc_fail_nth(0);
	left = vm_fixture_delete_all();
	assert_nothing_held();
	return left;
}

/* ---- new and delete ---- */

static void test_new_builds_a_created_vm(void **state)
{
	int id = new_vm(2);
	struct vm *vm = vmm_get(id);

	(void)state;
	assert_int_equal(id, 0);
	assert_non_null(vm);
	assert_int_equal(vm->state, VM_CREATED);
	assert_string_equal(vmm_state_name(vm->state), "created");
	assert_false(vm->loaded);
	assert_int_not_equal(vm->vmid, 0);
	assert_non_null(vm->ram);
	assert_true(fake_pages_used() >= base_pages + 16 * MIB / PAGE_SIZE);
	assert_int_equal(vm->cfg.nr_shm, 3); /* rtos-linux, rtos-rtos2, rtos-telemetry */
	for (int i = 0; i < 2; i++) {
		assert_ptr_equal(vm->vcpus[i].vm, vm);
		assert_int_equal(vm->vcpus[i].arch.vtcr, FAKE_VTCR);
		assert_int_equal(vm->vcpus[i].arch.vttbr >> 48, vm->vmid);
		assert_int_equal(vm->vcpus[i].thread->state, K_THREAD_NEW);
		assert_int_equal(vm->vcpus[i].thread->affinity, 0x3);
	}
	assert_non_null(fake_thread_find("vm0-vcpu1"));
	assert_null(fake_thread_find("vm0-vcpu2"));
	assert_int_equal(fake_kernel.mutexes_held, 0);
	assert_ok(vmm_delete(id, err, sizeof(err)));
	assert_null(vmm_get(id));
	assert_null(fake_thread_find("vm0-vcpu0"));
	assert_int_equal(fake_arch.s2_flush_vmid, 1);
}

/*
 * The doorbell page of `rtos-linux` (1 MiB at 0x30000000, its page after
 * it): only a 32-bit write at offset 0 rings (docs/shared-memory.md).
 */
static void test_doorbell_rings_on_a_word_at_offset_0_only(void **state)
{
	int id = new_vm(1);
	struct vm *vm = vmm_get(id);
	const uint64_t bell = 0x30100000;
	const struct {
		uint64_t ipa;
		unsigned size;
		bool write;
		uint64_t rings;
	} cases[] = {
		{ bell, 4, true, 1 },     { bell, 1, true, 0 },     { bell, 8, true, 0 },
		{ bell + 4, 4, true, 0 }, { bell + 1, 1, true, 0 }, { bell, 4, false, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t before = shm_doorbells("rtos-linux");
		struct mmio_access acc = { .ipa = cases[i].ipa,
					   .size = cases[i].size,
					   .write = cases[i].write,
					   .value = 1 };

		assert_int_equal(vdev_dispatch(&vm->vcpus[0], &acc), 0);
		assert_int_equal(shm_doorbells("rtos-linux") - before, cases[i].rings);
		if (!cases[i].write)
			assert_int_equal(acc.value, 0);
	}
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

static void test_new_refuses_a_bad_config(void **state)
{
	struct vm_config cfg = rtos_config(1);
	size_t calls = fake_alloc_calls();

	(void)state;
	cfg.ram_size = 8 * MIB;
	assert_int_equal(vmm_new(&cfg, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "memory must be 16..1024 MiB (got 8 MiB)");
	cfg = rtos_config(VM_MAX_VCPUS + 1);
	assert_int_equal(vmm_new(&cfg, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "vcpus must be 1..4 (got 5)");
	cfg = rtos_config(1);
	cfg.cpu_mask = 1u << 6;
	assert_int_equal(vmm_new(&cfg, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "host CPU 6 does not exist (4 CPUs)");
	assert_int_equal(fake_alloc_calls(), calls); /* refused before taking anything */
}

static void test_new_when_all_slots_are_used(void **state)
{
	struct vm_config cfg = rtos_config(1);

	(void)state;
	strcpy(cfg.name, "plain"); /* no shared memory: several may exist */
	for (int i = 0; i < VM_MAX; i++)
		assert_int_equal(vmm_new(&cfg, err, sizeof(err)), i);
	assert_int_equal(vmm_new(&cfg, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "all VM slots are in use");
	assert_ok(vmm_delete(3, err, sizeof(err)));
	assert_int_equal(vmm_new(&cfg, err, sizeof(err)), 3); /* the free slot */
	for (int i = 0; i < VM_MAX; i++)
		assert_ok(vmm_delete(i, err, sizeof(err)));
}

static void test_new_without_guest_ram(void **state)
{
	struct vm_config cfg = rtos_config(1);

	(void)state;
	cfg.ram_size = 1024 * MIB; /* more than the host has */
	assert_true(vmm_new(&cfg, err, sizeof(err)) < 0);
	assert_memory_equal(err, "not enough host memory for 1024 MiB: ", 37);
	assert_non_null(strstr(err, " MiB are free"));
}

/* Whichever allocation fails, vmm_new says why and keeps nothing. */
static void test_new_frees_all_after_any_failed_allocation(void **state)
{
	struct vm_config cfg = rtos_config(2);
	size_t n;
	int id = -1;

	(void)state;
	for (n = 1; n < 500 && id < 0; n++) {
		fake_alloc_fail_nth(n);
		err[0] = '\0';
		id = vmm_new(&cfg, err, sizeof(err));
		if (id < 0) {
			assert_true(err[0] != '\0');
			assert_null(vmm_get(0));
			assert_nothing_held();
		}
	}
	assert_int_equal(id, 0);
	assert_true(n > 8); /* RAM, tables, devices, threads, stacks each failed once */
	fake_alloc_fail_nth(0);
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

static void test_delete_unknown(void **state)
{
	(void)state;
	assert_int_equal(vmm_delete(7, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "no VM with id 7");
	assert_int_equal(vmm_delete(-1, err, sizeof(err)), K_EINVAL);
	assert_int_equal(vmm_delete(VM_MAX, err, sizeof(err)), K_EINVAL);
	assert_int_equal(fake_kernel.mutexes_held, 0);
}

/* ---- run, pause ---- */

static void test_run_loads_and_starts_vcpu0(void **state)
{
	int id = new_vm(2);
	struct vm *vm = vmm_get(id);
	struct vcpu *v0 = &vm->vcpus[0], *v1 = &vm->vcpus[1];

	(void)state;
	assert_ok(vmm_run(id, err, sizeof(err)));
	assert_int_equal(vm->state, VM_RUNNING);
	assert_string_equal(vmm_state_name(vm->state), "running");
	assert_true(vm->loaded);
	assert_true(kernel_in_ram(vm));
	assert_int_equal(*guest_byte(vm, RAM_IPA + SEG_OFFSET + SEG_BYTES), 0); /* bss */
	assert_int_equal(fdt_check_header(guest_byte(vm, image_dtb_ipa(RAM_IPA))), 0);
	assert_int_equal(v0->power, VCPU_ON);
	assert_int_equal(v0->arch.regs.elr, ENTRY);
	assert_int_equal(v0->arch.regs.x[0], image_dtb_ipa(RAM_IPA));
	assert_int_equal(v0->arch.vmpidr & 0xff, 0);
	assert_int_equal(v1->power, VCPU_OFF);
	assert_int_equal(v1->arch.vmpidr & 0xff, 1);
	assert_int_equal(v0->thread->state, K_THREAD_READY);
	assert_int_equal(v1->thread->state, K_THREAD_READY);
	assert_true(fake_arch.dcache_cleans > 0); /* the guest starts with caches off */
	assert_int_equal(vmm_guest_ticks(vm), 0);
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

static void test_run_and_pause_errors(void **state)
{
	int id = new_vm(1);
	struct vm *vm = vmm_get(id);

	(void)state;
	assert_int_equal(vmm_run(5, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "no VM with id 5");
	assert_int_equal(vmm_pause(id, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "VM 0 is created, not running");
	assert_ok(vmm_run(id, err, sizeof(err)));
	assert_int_equal(vmm_run(id, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "VM 0 is running");
	vm_halt(vm, "test stop %d", 42);
	assert_int_equal(vm->state, VM_HALTED);
	assert_string_equal(vm->halt_reason, "test stop 42");
	assert_int_equal(vmm_run(id, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "VM 0 is halted: use zvm reset");
	assert_int_equal(vmm_pause(id, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "VM 0 is halted, not running");
	assert_int_equal(vmm_pause(9, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "no VM with id 9");
	assert_int_equal(fake_kernel.mutexes_held, 0);
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

/* Guest time (counter - CNTVOFF) does not move while the VM is paused. */
static void test_guest_time_frozen_while_paused(void **state)
{
	int id = new_vm(2);
	struct vm *vm = vmm_get(id);

	(void)state;
	assert_ok(vmm_run(id, err, sizeof(err)));
	fake_kernel.now += 500;
	assert_int_equal(vmm_guest_ticks(vm), 500);
	assert_ok(vmm_pause(id, err, sizeof(err)));
	assert_int_equal(vm->state, VM_PAUSED);
	assert_string_equal(vmm_state_name(vm->state), "paused");
	fake_kernel.now += 100000;
	assert_int_equal(vmm_guest_ticks(vm), 500);
	assert_int_equal(vmm_pause(id, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "VM 0 is paused, not running");
	assert_ok(vmm_run(id, err, sizeof(err))); /* resume */
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vmm_guest_ticks(vm), 500);
	fake_kernel.now += 200;
	assert_int_equal(vmm_guest_ticks(vm), 700);
	for (int i = 0; i < 2; i++) /* what each vCPU's CNTVCT_EL0 will read */
		assert_int_equal(fake_kernel.now - vm->vcpus[i].arch.cntvoff, 700);
	assert_true(fake_kernel.sem_gives >= 2); /* both vCPUs were woken */
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

static void test_halt_stops_guest_time(void **state)
{
	int id = new_vm(1);
	struct vm *vm = vmm_get(id);

	(void)state;
	assert_int_equal(vmm_guest_ticks(vm), 0); /* not loaded yet */
	assert_ok(vmm_run(id, err, sizeof(err)));
	fake_kernel.now += 300;
	vm_halt(vm, "stopped");
	fake_kernel.now += 300;
	assert_int_equal(vmm_guest_ticks(vm), 300);
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

/* ---- reset ---- */

static void test_reset_reloads_and_restarts(void **state)
{
	int id = new_vm(2);
	struct vm *vm = vmm_get(id);
	size_t pages;

	(void)state;
	assert_int_equal(vmm_reset(id, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "VM 0 has not run yet: use zvm run");
	assert_ok(vmm_run(id, err, sizeof(err)));
	pages = fake_pages_used();
	memset(guest_byte(vm, RAM_IPA + SEG_OFFSET), 0, 64); /* the guest wrote over itself */
	vm->vcpus[1].power = VCPU_ON;
	vm->exits_by_kind[EXIT_WFI] = 9;
	vm_halt(vm, "guest crashed");
	fake_kernel.now += 1000;
	assert_ok(vmm_reset(id, err, sizeof(err)));
	assert_ptr_equal(vmm_get(id), vm);
	assert_int_equal(vm->state, VM_RUNNING);
	assert_string_equal(vm->halt_reason, "");
	assert_int_equal(vm->exits_by_kind[EXIT_WFI], 0);
	assert_true(kernel_in_ram(vm));
	assert_int_equal(vm->vcpus[0].arch.regs.elr, ENTRY);
	assert_int_equal(vm->vcpus[1].power, VCPU_OFF);
	assert_int_equal(vmm_guest_ticks(vm), 0);
	assert_int_equal(fake_pages_used(), pages);
	assert_int_equal(vmm_reset(8, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "no VM with id 8");
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

/* A reset whose rebuild fails leaves a halted VM that delete still frees in full. */
static void test_failed_reset_then_delete(void **state)
{
	int id = new_vm(2);
	struct vm *vm = vmm_get(id);

	(void)state;
	assert_ok(vmm_run(id, err, sizeof(err)));
	for (size_t n = 1; n < 40; n++) {
		fake_alloc_fail_nth(n);
		err[0] = '\0';
		if (vmm_reset(id, err, sizeof(err)) == 0)
			break;
		assert_true(err[0] != '\0');
		assert_int_not_equal(vm->state, VM_RUNNING);
		fake_alloc_fail_nth(0);
		assert_ok(vmm_reset(id, err, sizeof(err))); /* it recovers */
		assert_int_equal(vm->state, VM_RUNNING);
	}
	fake_alloc_fail_nth(2);
	assert_true(vmm_reset(id, err, sizeof(err)) < 0);
	fake_alloc_fail_nth(0);
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

/* PSCI SYSTEM_RESET: the vCPUs stop at once, the VMM worker rebuilds the VM. */
static void test_reset_asked_by_the_guest(void **state)
{
	int id = new_vm(1);
	struct vm *vm = vmm_get(id);
	struct k_thread *worker = fake_thread_find("vmm");

	(void)state;
	assert_non_null(worker);
	assert_ok(vmm_run(id, err, sizeof(err)));
	memset(guest_byte(vm, RAM_IPA + SEG_OFFSET), 0, 64);
	fake_kernel.now += 50;
	vmm_request_reset(vm);
	assert_int_equal(vm->state, VM_HALTED);
	assert_int_equal(vmm_guest_ticks(vm), 50);
	assert_int_equal(fake_thread_run(worker), 1); /* did it, waits for the next */
	assert_int_equal(vm->state, VM_RUNNING);
	assert_true(kernel_in_ram(vm));
	assert_int_equal(vmm_guest_ticks(vm), 0);
	assert_int_equal(fake_kernel.mutexes_held, 0);
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

/* Requests while one is pending count once: the VM stops once, the worker answers once. */
static void test_reset_requests_while_one_is_pending(void **state)
{
	int id = new_vm(1);
	struct vm *vm = vmm_get(id);

	(void)state;
	assert_ok(vmm_run(id, err, sizeof(err)));
	for (int i = 0; i < 2 * VM_MAX + 1; i++)
		vmm_request_reset(vm);
	assert_int_equal(vm->state, VM_HALTED);
	assert_int_equal(vm->events[VM_EV_REBOOT], 1);
	assert_int_equal(fake_thread_run(fake_thread_find("vmm")), 1); /* drains the queue */
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->restarts, 1);
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

/*
 * The restart limit: with 2 restarts in 60 s allowed, the third reboot in
 * a row halts the VM (its memory released); a minute later it may restart again.
 */
static void test_restart_limit_halts(void **state)
{
	struct vm *vm = vm_fixture_run(1);
	struct k_thread *worker = fake_thread_find("vmm");

	(void)state;
	vm->cfg.policy.restart_max = 2;
	vm->cfg.policy.restart_window_s = 60;
	for (int i = 0; i < 2; i++) {
		vmm_request_reset(vm);
		assert_int_equal(fake_thread_run(worker), 1);
		assert_int_equal(vm->state, VM_RUNNING);
	}
	vmm_request_reset(vm);
	assert_int_equal(fake_thread_run(worker), 1);
	assert_int_equal(vm->state, VM_HALTED);
	assert_null(vm->ram);
	assert_int_equal(vm->restarts, 2);
	assert_ok(vmm_reset(vm->id, err, sizeof(err)));
	fake_kernel.now += k_ns_to_ticks(61ull * 1000000000u);
	vmm_request_reset(vm);
	assert_int_equal(fake_thread_run(worker), 1);
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->restarts, 3);
	assert_ok(vmm_delete(vm->id, err, sizeof(err)));
}

/* on-reboot preserve: the VM stays halted with its memory; delete frees it. */
static void test_preserve_keeps_memory(void **state)
{
	struct vm *vm = vm_fixture_run(1);

	(void)state;
	vm->cfg.policy.on[VM_EV_REBOOT] = VM_ACT_PRESERVE;
	vmm_request_reset(vm);
	assert_int_equal(fake_thread_run(fake_thread_find("vmm")), 1);
	assert_int_equal(vm->state, VM_HALTED);
	assert_non_null(vm->ram);
	assert_ok(vmm_delete(vm->id, err, sizeof(err)));
}

/* ---- update ---- */

static void test_update(void **state)
{
	int id = new_vm(1);
	struct vm *vm = vmm_get(id);
	struct vm_config cfg = rtos_config(3);

	(void)state;
	cfg.ram_size = 32 * MIB;
	assert_ok(vmm_update(id, &cfg, err, sizeof(err)));
	assert_int_equal(vm->state, VM_CREATED);
	assert_int_equal(vm->cfg.nr_vcpus, 3);
	assert_int_equal(vm->ram_bytes, 32 * MIB);
	assert_non_null(fake_thread_find("vm0-vcpu2"));
	assert_int_equal(vmm_update(4, &cfg, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "no VM with id 4");
	cfg.nr_vcpus = 0;
	assert_int_equal(vmm_update(id, &cfg, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "vcpus must be 1..4 (got 0)");
	assert_int_equal(vm->cfg.nr_vcpus, 3);
	assert_ok(vmm_run(id, err, sizeof(err)));
	cfg = rtos_config(1);
	assert_int_equal(vmm_update(id, &cfg, err, sizeof(err)), K_EINVAL);
	assert_string_equal(err, "VM 0 is running: stop it first (zvm stop -n 0)");
	assert_ok(vmm_pause(id, err, sizeof(err)));
	assert_int_equal(vmm_update(id, &cfg, err, sizeof(err)), K_EINVAL);
	assert_int_equal(vm->cfg.nr_vcpus, 3);
	vm_halt(vm, "stopped");
	assert_ok(vmm_update(id, &cfg, err, sizeof(err))); /* halted: allowed */
	assert_int_equal(vm->cfg.nr_vcpus, 1);
	assert_int_equal(vm->state, VM_CREATED);
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

/* An update that cannot be built keeps the old configuration, runnable. */
static void test_update_that_fails_keeps_the_old_config(void **state)
{
	int id = new_vm(2);
	struct vm *vm = vmm_get(id);
	struct vm_config cfg = rtos_config(1);

	(void)state;
	cfg.ram_size = 1024 * MIB;
	assert_true(vmm_update(id, &cfg, err, sizeof(err)) < 0);
	assert_memory_equal(err, "not enough host memory for 1024 MiB: ", 37);
	assert_non_null(strstr(err, " MiB are free"));
	assert_int_equal(vm->cfg.nr_vcpus, 2);
	assert_int_equal(vm->cfg.ram_size, 16 * MIB);
	assert_int_equal(vm->state, VM_CREATED);
	assert_ok(vmm_run(id, err, sizeof(err)));
	assert_true(kernel_in_ram(vm));
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

/* ---- small things ---- */

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(vmm_state_name(VM_CREATED), "created");
	assert_string_equal(vmm_state_name(VM_RUNNING), "running");
	assert_string_equal(vmm_state_name(VM_PAUSED), "paused");
	assert_string_equal(vmm_state_name(VM_HALTED), "halted");
	assert_string_equal(vmm_state_name(VM_CRASHED), "crashed");
	assert_string_equal(vmm_state_name(VM_STOPPED), "stopped");
	assert_string_equal(vmm_state_name((enum vm_state)6), "?");
	assert_string_equal(vmm_state_name((enum vm_state) - 1), "?");
}

static void test_vcpu_by_mpidr(void **state)
{
	int id = new_vm(2);
	struct vm *vm = vmm_get(id);

	(void)state;
	assert_ptr_equal(vm_vcpu_by_mpidr(vm, 0), &vm->vcpus[0]);
	assert_ptr_equal(vm_vcpu_by_mpidr(vm, 0x80000001), &vm->vcpus[1]); /* RES1, U */
	assert_null(vm_vcpu_by_mpidr(vm, 2));
	assert_null(vm_vcpu_by_mpidr(vm, 0x100));      /* Aff1 */
	assert_null(vm_vcpu_by_mpidr(vm, 1ull << 32)); /* Aff3 */
	assert_ok(vmm_delete(id, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_builds_a_created_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doorbell_rings_on_a_word_at_offset_0_only,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_refuses_a_bad_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_when_all_slots_are_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_without_guest_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_frees_all_after_any_failed_allocation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_loads_and_starts_vcpu0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_and_pause_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_time_frozen_while_paused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_halt_stops_guest_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_reloads_and_restarts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_reset_then_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_asked_by_the_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_requests_while_one_is_pending, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_restart_limit_halts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preserve_keeps_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_that_fails_keeps_the_old_config, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_by_mpidr, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
