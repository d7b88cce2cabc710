/* SPDX-License-Identifier: MIT */
/*
 * Test helper: real VMs on the shared fake for the VM-core tests. A VM is
 * made from vm_fixture_config(): an RTOS VM named "rtos" (configs/vms.dts
 * grants it shared memory) with a UART, a virtio console and a small ELF
 * kernel whose one segment is SEG_BYTES of SEG_FILL at RAM_IPA + SEG_OFFSET.
 */
#ifndef TEST_VM_FIXTURE_H
#define TEST_VM_FIXTURE_H

#include <stddef.h>
#include <zvm/vm.h>
#include <zvm/vmm.h>

#define MIB		(1ull << 20)
#define RAM_IPA		0x40000000ull
#define SEG_OFFSET	0x280000ull		/* the kernel, above the DTB's 2 MiB */
#define SEG_BYTES	0x3000ull
#define SEG_FILL	0xc3
#define ENTRY		(RAM_IPA + SEG_OFFSET + 0x40)

/** The last message of a vmm_* call made through this helper or by the test. */
extern char vm_fixture_err[VMM_ERR_LEN];

/** Once per test program: fake_reset, the VM config store (configs/vms.dts), vmm_init. */
void vm_fixture_init(void);
/** The test VM's configuration with `vcpus` vCPUs. */
struct vm_config vm_fixture_config(int vcpus);
/** vmm_new of that configuration; fails the test with the message if it fails. */
struct vm *vm_fixture_new(int vcpus);
/** vm_fixture_new, then vmm_run. */
struct vm *vm_fixture_run(int vcpus);
/** Delete every VM; returns how many there were. */
int vm_fixture_delete_all(void);
/** cmocka group setup: vm_fixture_init(). */
int vm_fixture_group_setup(void **state);
/** cmocka teardown of a test that made one VM: deletes it, fails if there was not one. */
int vm_fixture_teardown_one(void **state);

#endif /* TEST_VM_FIXTURE_H */
