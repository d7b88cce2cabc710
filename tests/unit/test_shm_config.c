/* SPDX-License-Identifier: MIT */
/* SOURCES: virt/shm_config.c kernel/errmsg.c tests/unit/fake/dtc.c platform/fdt_util.c */
/* LDLIBS: -lfdt */
/*
 * Unit tests of the shared-memory part of the VM config: the regions of
 * configs/vms.dts, and every mistake a config can make, each refused with
 * a message that names the region and the problem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/kernel.h>
#include <zvm/shm.h>
#include "fake/dtc.h"

static char err[256];
static struct shm_region_cfg regions[SHM_MAX_REGIONS];

/* Parse /zvm/shared-memory { BODY }. */
static int parse_body(const char *body)
{
	void *blob = dtc_compile_zvm_node("shared-memory", body);
	int n;

	assert_non_null(blob);
	err[0] = '\0';
	n = shm_config_parse(blob, regions, SHM_MAX_REGIONS, err, sizeof(err));
	free(blob);
	return n;
}

#define REGION(name, addr, size, spi, grants)                                         \
	name " { guest-address = /bits/ 64 <" addr ">; size = /bits/ 64 <" size ">; " \
	     "spi = <" spi ">; grants = " grants "; };\n"

static void expect_error(const char *body, const char *what)
{
	assert_int_equal(parse_body(body), K_EINVAL);
	if (!strstr(err, what))
		fail_msg("error '%s' does not say '%s'", err, what);
}

static void test_project_config(void **state)
{
	size_t size;
	void *blob = dtc_compile_file(ZVM_TOP "/configs/vms.dts", &size);

	(void)state;
	assert_non_null(blob);
	assert_int_equal(shm_config_parse(blob, regions, SHM_MAX_REGIONS, err, sizeof(err)), 3);
	assert_string_equal(regions[0].name, "rtos-linux");
	assert_int_equal(regions[0].ipa, 0x30000000);
	assert_int_equal(regions[0].size, 0x100000);
	assert_int_equal(regions[0].nr_grants, 2);
	assert_string_equal(regions[0].grants[1].vm, "linux");
	assert_true(regions[0].grants[1].writable);
	assert_string_equal(regions[2].grants[1].vm, "rtos2");
	assert_false(regions[2].grants[1].writable);
	free(blob);
}

static void test_no_regions(void **state)
{
	size_t size;
	void *blob = dtc_compile("/dts-v1/;\n/ { zvm { templates { }; }; };\n", &size);

	(void)state;
	assert_int_equal(shm_config_parse(blob, regions, SHM_MAX_REGIONS, err, sizeof(err)), 0);
	free(blob);
	assert_int_equal(parse_body(""), 0);
}

static void test_good_region(void **state)
{
	(void)state;
	assert_int_equal(parse_body(REGION("a", "0x30000000", "0x2000", "8",
					   "\"x:rw\", \"y:ro\", \"z:rw\", \"w:ro\"")),
			 1);
	assert_int_equal(regions[0].spi, 8);
	assert_int_equal(regions[0].nr_grants, 4);
	assert_false(regions[0].grants[3].writable);
}

static void test_bad_sizes(void **state)
{
	(void)state;
	expect_error(REGION("a", "0x30000000", "0x1000", "8", "\"x:rw\""), "size 0x1000");
	expect_error(REGION("a", "0x30000000", "0x2800", "8", "\"x:rw\""), "multiple of 4 KiB");
	expect_error(REGION("a", "0x30000000", "0x8000000", "8", "\"x:rw\""), "size 0x8000000");
}

static void test_bad_places(void **state)
{
	(void)state;
	expect_error(REGION("a", "0x30000800", "0x2000", "8", "\"x:rw\""), "4 KiB aligned");
	/* The doorbell page must fit below the device window's end too. */
	expect_error(REGION("a", "0x3fffe000", "0x2000", "8", "\"x:rw\""), "below 0x40000000");
	expect_error(REGION("a", "0x40000000", "0x2000", "8", "\"x:rw\""), "below 0x40000000");
	expect_error(REGION("a", "0x08000000", "0x2000", "8", "\"x:rw\""), "overlaps the GIC");
	expect_error(REGION("a", "0x30000000", "0x2000", "8", "\"x:rw\"")
			     REGION("b", "0x30002000", "0x2000", "9", "\"x:rw\""),
		     "'b' overlaps 'a'");
}

static void test_bad_interrupts(void **state)
{
	(void)state;
	expect_error(REGION("a", "0x30000000", "0x2000", "64", "\"x:rw\""), "spi 64");
	expect_error(REGION("a", "0x30000000", "0x2000", "8", "\"x:rw\"")
			     REGION("b", "0x30100000", "0x2000", "8", "\"x:rw\""),
		     "uses the spi of 'a'");
	expect_error("a { guest-address = /bits/ 64 <0x30000000>; size = /bits/ 64 <0x2000>; "
		     "grants = \"x:rw\"; };",
		     "'spi' needs one cell");
}

static void test_bad_grants(void **state)
{
	(void)state;
	expect_error(REGION("a", "0x30000000", "0x2000", "8", "\"x\""), "grant 'x'");
	expect_error(REGION("a", "0x30000000", "0x2000", "8", "\"x:rx\""), "grant 'x:rx'");
	expect_error(REGION("a", "0x30000000", "0x2000", "8", "\":rw\""), "grant ':rw'");
	expect_error(REGION("a", "0x30000000", "0x2000", "8", "\"sixteen-chars-xx:rw\""),
		     "name 1..15");
	expect_error(REGION("a", "0x30000000", "0x2000", "8", "\"x:rw\", \"x:ro\""),
		     "'x' granted twice");
	expect_error(REGION("a", "0x30000000", "0x2000", "8",
			    "\"a:rw\", \"b:rw\", \"c:rw\", \"d:rw\", \"e:rw\""),
		     "1..4 strings");
	expect_error("a { guest-address = /bits/ 64 <0x30000000>; size = /bits/ 64 <0x2000>; "
		     "spi = <8>; };",
		     "1..4 strings");
}

static void test_bad_names_and_counts(void **state)
{
	char body[4096] = "";

	(void)state;
	expect_error(REGION("a-name-of-16-chr", "0x30000000", "0x2000", "8", "\"x:rw\""),
		     "name longer than 15");
	expect_error("a { size = /bits/ 64 <0x2000>; spi = <8>; grants = \"x:rw\"; };",
		     "'guest-address' needs one or two cells");
	for (int i = 0; i <= SHM_MAX_REGIONS; i++) {
		char one[256];

		snprintf(one, sizeof(one),
			 "r%d { guest-address = /bits/ 64 <0x%x>; size = "
			 "/bits/ 64 <0x2000>; spi = <%d>; grants = \"x:rw\"; };\n",
			 i, 0x30000000 + i * 0x10000, 8 + i);
		strcat(body, one);
	}
	expect_error(body, "more than 8 shared-memory regions");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_config), cmocka_unit_test(test_no_regions),
		cmocka_unit_test(test_good_region),    cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_bad_places),     cmocka_unit_test(test_bad_interrupts),
		cmocka_unit_test(test_bad_grants),     cmocka_unit_test(test_bad_names_and_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
