/* SPDX-License-Identifier: MIT */
/* SOURCES: @vm-core */
/* LDLIBS: -lfdt */
/*
 * References on images pushed at run time (include/zvm/vm_config.h), on
 * the real VM core and config parser: a lookup holds one until the config
 * is put, a VM its own from vmm_new to vmm_delete, vmm_update swaps them,
 * a failed parse or vmm_new leaves none. The runtime image table is this
 * test's (mgmt/images.c counts the same way under its lock).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/kernel.h>
#include <zvm/vm_config.h>
#include <zvm/vmm.h>
#include "fake/fake.h"
#include "fake/vm_fixture.h"

#define err vm_fixture_err

/* One pushed image: the fixture's kernel under the name the rtos template uses. */
static struct {
	const char *name;
	const void *mem;
	uint64_t size;
	int refs, lookups;
	bool deleted;
} pushed;

static int find(const char *name, const void **addr, uint64_t *size)
{
	if (strcmp(name, pushed.name) || pushed.deleted)
		return -1;
	*addr = pushed.mem;
	*size = pushed.size;
	pushed.refs++;
	pushed.lookups++;
	return 0;
}

static int ref(const void *p, int delta)
{
	const uint8_t *a = p, *lo = pushed.mem;

	if (pushed.deleted || a < lo || a >= lo + pushed.size)
		return -1;
	pushed.refs += delta;
	assert_true(pushed.refs >= 0);
	return 0;
}

static int group_setup(void **state)
{
	struct vm_config fixture;

	(void)state;
	vm_fixture_init();
	fixture = vm_fixture_config(1);
	pushed.mem = fixture.kernel;
	pushed.size = fixture.kernel_size;
	vm_config_set_runtime_images(find, ref);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	pushed.refs = pushed.lookups = 0;
	pushed.deleted = false;
	pushed.name = "rtos-elf";
	err[0] = '\0';
	return 0;
}

/* The rtos template (configs/vms.dts), made to fit the fake's CPUs and memory. */
static int rtos_from_template(struct vm_config *cfg)
{
	int ret = vm_config_from_template("rtos", cfg, err, sizeof(err));

	if (!ret) {
		cfg->cpu_mask = 0x3;
		cfg->ram_size = 16 * MIB;
	}
	return ret;
}

static void test_lookup_holds_until_put(void **state)
{
	struct vm_config cfg;

	(void)state;
	assert_int_equal(rtos_from_template(&cfg), 0);
	assert_ptr_equal(cfg.kernel, pushed.mem);
	assert_int_equal(pushed.refs, 1);
	vm_config_put(&cfg);
	assert_int_equal(pushed.refs, 0);
}

static void test_vm_holds_its_own_until_deleted(void **state)
{
	struct vm_config cfg, changed;
	int id;

	(void)state;
	assert_int_equal(rtos_from_template(&cfg), 0);
	id = vmm_new(&cfg, err, sizeof(err));
	if (id < 0)
		fail_msg("vmm_new: %s", err);
	vm_config_put(&cfg);
	assert_int_equal(pushed.refs, 1); /* the VM's */
	changed = vmm_get(id)->cfg;
	changed.prio = 7;
	assert_int_equal(vmm_update(id, &changed, err, sizeof(err)), 0);
	assert_int_equal(pushed.refs, 1); /* the new config's taken, the old one's put */
	changed.nr_vcpus = 0;             /* refused: nothing changes */
	assert_int_equal(vmm_update(id, &changed, err, sizeof(err)), K_EINVAL);
	assert_int_equal(pushed.refs, 1);
	assert_int_equal(vmm_delete(id, err, sizeof(err)), 0);
	assert_int_equal(pushed.refs, 0);
}

static void test_refused_vm_holds_nothing(void **state)
{
	struct vm_config cfg;

	(void)state;
	assert_int_equal(rtos_from_template(&cfg), 0);
	cfg.nr_vcpus = 0;
	assert_int_equal(vmm_new(&cfg, err, sizeof(err)), K_EINVAL);
	vm_config_put(&cfg);
	assert_int_equal(pushed.refs, 0);
	assert_null(vmm_get(0));
}

/* Deleted before the lookup: the lookup finds nothing, so nothing is held. */
static void test_lookup_after_delete_finds_nothing(void **state)
{
	struct vm_config cfg;

	(void)state;
	pushed.deleted = true;
	assert_int_equal(vm_config_from_template("rtos", &cfg, err, sizeof(err)), K_EINVAL);
	assert_non_null(strstr(err, "unknown image 'rtos-elf'"));
	assert_int_equal(pushed.refs, 0);
}

/* A template that fails after its image was found gives the reference back. */
static void test_failed_parse_puts_what_it_found(void **state)
{
	struct vm_config cfg;

	(void)state;
	/* The linux template's kernel is found, its initrd is not: an error. */
	pushed.name = "linux-image";
	assert_int_equal(vm_config_from_template("linux", &cfg, err, sizeof(err)), K_EINVAL);
	assert_non_null(strstr(err, "unknown image 'linux-initrd'"));
	assert_int_equal(pushed.lookups, 1);
	assert_int_equal(pushed.refs, 0);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_lookup_holds_until_put),          T(test_vm_holds_its_own_until_deleted),
		T(test_refused_vm_holds_nothing),        T(test_lookup_after_delete_finds_nothing),
		T(test_failed_parse_puts_what_it_found),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
