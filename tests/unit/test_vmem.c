/* SOURCES: virt/vmem.c kernel/pgtable.c @fake */
/*
 * Unit tests of stage-2 translation: the descriptor bits of each kind of
 * mapping, protection round trips, and table pages taken from and given
 * back to the page allocator (the shared fake's: the real buddy allocator).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/kernel.h>
#include <zvm/mm.h>
#include <zvm/pgtable.h>
#include <zvm/vmem.h>
#include <arch/stage2.h>
#include "fake/fake.h"

#define MIB		(1ull << 20)
#define GIB		(1ull << 30)

/* Stage-2 descriptor fields, as the Arm ARM lays them out. */
#define MEMATTR(d)	(((d) >> 2) & 0xf)
#define S2AP(d)		(((d) >> 6) & 0x3)
#define SH(d)		(((d) >> 8) & 0x3)
#define AF(d)		(((d) >> 10) & 0x1)
#define XN(d)		(((d) >> 54) & 0x1)

static size_t base_pages;	/* held before the test */

/* Table pages taken from the page allocator and not given back. */
static size_t pages_out(void)
{
	return fake_pages_used() - base_pages;
}

static int setup(void **state)
{
	struct vmem *s2 = calloc(1, sizeof(*s2));

	fake_arch_reset();
	fake_alloc_fail_nth(0);
	base_pages = fake_pages_used();
	assert_int_equal(vmem_init(s2), 0);
	assert_non_null(s2->root);
	assert_int_equal(s2->nr_tables, 1);
	assert_int_equal(pages_out(), 1);
	*state = s2;
	return 0;
}

static int teardown(void **state)
{
	struct vmem *s2 = *state;

	vmem_destroy(s2);
	assert_null(s2->root);
	assert_int_equal(s2->nr_tables, 0);
	assert_int_equal(pages_out(), 0);
	free(s2);
	return 0;
}

/* The raw leaf descriptor bits (without address and type) mapping ipa. */
static uint64_t leaf_attrs(const struct vmem *s2, uint64_t ipa)
{
	struct pgtable pt = { .root = s2->root, .start_level = 1 };
	uint64_t attrs = 0;

	assert_int_equal(pgtable_lookup(&pt, ipa, NULL, &attrs), 0);
	return attrs;
}

static void test_normal_rwx(void **state)
{
	struct vmem *s2 = *state;
	uint64_t d;

	assert_int_equal(vmem_map(s2, GIB, 0x80000000, 64 * MIB, VMEM_RWX), 0);
	d = leaf_attrs(s2, GIB + 5 * MIB);
	assert_int_equal(MEMATTR(d), 0xf);
	assert_int_equal(S2AP(d), 3);
	assert_int_equal(SH(d), 3);
	assert_int_equal(AF(d), 1);
	assert_int_equal(XN(d), 0);
}

static void test_device(void **state)
{
	struct vmem *s2 = *state;
	unsigned prot = 0;
	uint64_t pa = 0, d;

	assert_int_equal(vmem_map(s2, 0x08000000, 0x08000000, 64 * 1024,
				  VMEM_READ | VMEM_WRITE | VMEM_DEVICE), 0);
	d = leaf_attrs(s2, 0x08000000);
	assert_int_equal(MEMATTR(d), 0x1);
	assert_int_equal(S2AP(d), 3);
	assert_int_equal(SH(d), 0);
	assert_int_equal(AF(d), 1);
	assert_int_equal(XN(d), 1);
	assert_int_equal(vmem_translate(s2, 0x0800fffc, &pa, &prot), 0);
	assert_int_equal(pa, 0x0800fffc);
	assert_int_equal(prot, VMEM_READ | VMEM_WRITE | VMEM_DEVICE);
}

static void test_read_only_and_xn(void **state)
{
	struct vmem *s2 = *state;
	uint64_t d;

	assert_int_equal(vmem_map(s2, 0, 0x40000000, 2 * MIB, VMEM_READ), 0);
	d = leaf_attrs(s2, 0x1000);
	assert_int_equal(S2AP(d), 1);
	assert_int_equal(XN(d), 1);
	assert_int_equal(vmem_map(s2, 2 * MIB, 0x40200000, 2 * MIB, VMEM_WRITE), 0);
	assert_int_equal(S2AP(leaf_attrs(s2, 2 * MIB)), 2);
	assert_int_equal(vmem_map(s2, 4 * MIB, 0x40400000, 4096, VMEM_READ | VMEM_EXEC), 0);
	d = leaf_attrs(s2, 4 * MIB);
	assert_int_equal(S2AP(d), 1);
	assert_int_equal(XN(d), 0);
}

/* Every combination of protection bits comes back from vmem_translate. */
static void test_prot_round_trip(void **state)
{
	struct vmem *s2 = *state;

	for (unsigned prot = 0; prot < 16; prot++) {
		uint64_t ipa = (uint64_t)prot * 2 * MIB + 3 * GIB;
		uint64_t pa = 0;
		unsigned got = ~0u;

		assert_int_equal(vmem_map(s2, ipa, ipa + GIB, 2 * MIB, prot), 0);
		assert_int_equal(vmem_translate(s2, ipa + 0x1234, &pa, &got), 0);
		assert_int_equal(pa, ipa + GIB + 0x1234);
		assert_int_equal(got, prot);
	}
}

static void test_blocks_and_tables(void **state)
{
	struct vmem *s2 = *state;

	/* Guest RAM at 1 GiB backed by 1 GiB-aligned host memory: one block. */
	assert_int_equal(vmem_map(s2, GIB, 2 * GIB, GIB, VMEM_RWX), 0);
	assert_int_equal(s2->nr_tables, 1);
	/* Backed by 2 MiB-aligned memory: a level-2 table. */
	assert_int_equal(vmem_map(s2, 4 * GIB, 0x40200000, 128 * MIB, VMEM_RWX), 0);
	assert_int_equal(s2->nr_tables, 2);
	assert_int_equal(pages_out(), 2);
}

static void test_bad_arguments(void **state)
{
	struct vmem *s2 = *state;

	assert_int_equal(vmem_map(s2, 0, 0, 4096, 1u << 4), K_EINVAL);
	assert_int_equal(vmem_map(s2, 0x800, 0, 4096, VMEM_RWX), K_EINVAL);
	assert_int_equal(vmem_map(s2, 0, 0, 0, VMEM_RWX), K_EINVAL);
	assert_int_equal(vmem_map(s2, 1ull << VMEM_IPA_BITS, 0, 4096, VMEM_RWX), K_EINVAL);
	assert_int_equal(vmem_translate(s2, 1ull << VMEM_IPA_BITS, NULL, NULL), K_EINVAL);
	assert_int_equal(vmem_translate(s2, 0, NULL, NULL), K_EINVAL);
}

static void test_overlap_refused(void **state)
{
	struct vmem *s2 = *state;

	assert_int_equal(vmem_map(s2, GIB, 2 * GIB, 16 * MIB, VMEM_RWX), 0);
	assert_int_equal(vmem_map(s2, GIB, 2 * GIB, 16 * MIB, VMEM_READ), K_EINVAL);
	assert_int_equal(vmem_map(s2, GIB + 8 * MIB, 0x10000000, 16 * MIB, VMEM_RWX), K_EINVAL);
	assert_int_equal(vmem_map(s2, GIB, 2 * GIB, 16 * MIB, VMEM_RWX), 0);
}

static void test_unmap_flushes_and_frees(void **state)
{
	struct vmem *s2 = *state;
	unsigned prot;
	uint64_t pa;

	assert_int_equal(vmem_map(s2, GIB, 2 * GIB, GIB, VMEM_RWX), 0);
	assert_int_equal(vmem_unmap(s2, GIB + 16 * MIB, 4096), 0);
	assert_true(fake_arch.s2_flush_all >= 3);		/* two splits and the unmap */
	assert_int_equal(s2->nr_tables, 3);
	assert_int_equal(vmem_translate(s2, GIB + 16 * MIB, &pa, &prot), K_EINVAL);
	assert_int_equal(vmem_translate(s2, GIB + 16 * MIB + 4096, &pa, &prot), 0);
	assert_int_equal(pa, 2 * GIB + 16 * MIB + 4096);
	assert_int_equal(prot, VMEM_RWX);
	assert_int_equal(vmem_unmap(s2, GIB, GIB), 0);
	assert_int_equal(s2->nr_tables, 1);
	assert_int_equal(pages_out(), 1);
}

static void test_out_of_pages(void **state)
{
	struct vmem *s2 = *state;

	fake_alloc_fail_nth(1);			/* the next table */
	assert_int_equal(vmem_map(s2, GIB, 0x40200000, 4 * MIB, VMEM_RWX), K_ENOMEM);
	assert_int_equal(vmem_translate(s2, GIB, NULL, NULL), K_EINVAL);
	assert_int_equal(s2->nr_tables, 1);
	fake_alloc_fail_nth(0);
}

static void test_init_out_of_pages(void **state)
{
	struct vmem other = { 0 };

	(void)state;
	fake_alloc_fail_nth(1);
	assert_int_equal(vmem_init(&other), K_ENOMEM);
	assert_null(other.root);
	fake_alloc_fail_nth(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_normal_rwx),
		T(test_device),
		T(test_read_only_and_xn),
		T(test_prot_round_trip),
		T(test_blocks_and_tables),
		T(test_bad_arguments),
		T(test_overlap_refused),
		T(test_unmap_flushes_and_frees),
		T(test_out_of_pages),
		T(test_init_out_of_pages),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
