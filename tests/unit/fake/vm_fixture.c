/* SPDX-License-Identifier: MIT */
/* Test helper: real VMs on the shared fake (vm_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zvm/vm_config.h>
#include "dtc.h"
#include "elf.h"
#include "fake.h"
#include "vm_fixture.h"

char vm_fixture_err[VMM_ERR_LEN];
static uint8_t *kernel_elf;
static size_t kernel_size;

void vm_fixture_init(void)
{
	static struct vm_config_store store;
	struct test_seg seg = { RAM_IPA + SEG_OFFSET, SEG_BYTES, SEG_BYTES + 0x1000, SEG_FILL };
	size_t size;

	fake_reset();
	kernel_elf = test_make_elf(&seg, 1, ENTRY, &kernel_size);
	store.templates = dtc_compile_file(ZVM_TOP "/configs/vms.dts", &size);
	assert_non_null(store.templates);
	store.templates_max = size;
	vm_config_set_store(&store);
	vmm_init();
}

struct vm_config vm_fixture_config(int vcpus)
{
	struct vm_config cfg = {
		.type = VM_TYPE_RTOS,
		.name = "rtos",
		.nr_vcpus = vcpus,
		.cpu_mask = 0x3,
		.prio = 5,
		.ram_ipa = RAM_IPA,
		.ram_size = 16 * MIB,
		.kernel = kernel_elf,
		.kernel_size = kernel_size,
		.image = "test-elf",
		.uart_base = 0x09000000,
		.uart_spi = 1,
		.nr_virtio = 1,
	};

	cfg.virtio[0] = (struct virtio_cfg){ VIRTIO_TYPE_CONSOLE, 0x0a000000, 16, "" };
	vm_policy_default(&cfg.policy);
	return cfg;
}

struct vm *vm_fixture_new(int vcpus)
{
	struct vm_config cfg = vm_fixture_config(vcpus);
	int id = vmm_new(&cfg, vm_fixture_err, sizeof(vm_fixture_err));

	if (id < 0)
		fail_msg("vmm_new: %s", vm_fixture_err);
	return vmm_get(id);
}

struct vm *vm_fixture_run(int vcpus)
{
	struct vm *vm = vm_fixture_new(vcpus);

	if (vmm_run(vm->id, vm_fixture_err, sizeof(vm_fixture_err)) != 0)
		fail_msg("vmm_run: %s", vm_fixture_err);
	return vm;
}

int vm_fixture_delete_all(void)
{
	int n = 0;

	for (int id = 0; id < VM_MAX; id++)
		n += vmm_delete(id, vm_fixture_err, sizeof(vm_fixture_err)) == 0;
	return n;
}

int vm_fixture_group_setup(void **state)
{
	(void)state;
	vm_fixture_init();
	return 0;
}

int vm_fixture_teardown_one(void **state)
{
	(void)state;
	return vm_fixture_delete_all() == 1 ? 0 : -1;
}
