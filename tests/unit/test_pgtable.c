/* SPDX-License-Identifier: MIT */
/* SOURCES: kernel/pgtable.c */
/*
 * Unit tests of the translation-table builder. Tables are host pages from
 * a counting fake allocator; the tests walk them with their own reading
 * of the descriptor format to count blocks and pages per level.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/kernel.h>
#include <zvm/pgtable.h>

#define KIB    (1ull << 10)
#define MIB    (1ull << 20)
#define GIB    (1ull << 30)
#define PAGE   (4 * KIB)
#define VA_END (512 * GIB) /* 39 bits from level 1 */

/* Attributes of a normal RW page and of a device page (stage-1 style). */
#define ATTRS     ((1ull << 10) | (3ull << 8) | (1ull << 2))
#define ATTRS_DEV ((1ull << 10) | (1ull << 54))

struct fake_alloc {
	size_t allocs;
	size_t frees;
	size_t limit; /* fail allocations past this many; 0: never */
	size_t flushes;
};

static uint64_t *fake_table_alloc(void *ctx)
{
	struct fake_alloc *fa = ctx;
	uint64_t *t;

	if (fa->limit && fa->allocs - fa->frees >= fa->limit)
		return NULL;
	t = aligned_alloc(PAGE, PAGE);
	memset(t, 0xa5, PAGE); /* pgtable.c must clear it */
	fa->allocs++;
	return t;
}

static void fake_table_free(void *ctx, uint64_t *t)
{
	struct fake_alloc *fa = ctx;

	fa->frees++;
	free(t);
}

static void fake_tlb_flush(void *ctx)
{
	((struct fake_alloc *)ctx)->flushes++;
}

struct fixture {
	struct fake_alloc fa;
	struct pgtable pt;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->pt = (struct pgtable){
		.start_level = 1,
		.alloc_table = fake_table_alloc,
		.free_table = fake_table_free,
		.tlb_flush = fake_tlb_flush,
		.ctx = &f->fa,
	};
	assert_int_equal(pgtable_init(&f->pt), 0);
	assert_int_equal(f->pt.nr_tables, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pgtable_destroy(&f->pt);
	assert_null(f->pt.root);
	assert_int_equal(f->fa.allocs, f->fa.frees);
	assert_int_equal(f->pt.nr_tables, 0);
	free(f);
	return 0;
}

/* Leaves per level (1 GiB blocks, 2 MiB blocks, pages) and tables seen. */
struct census {
	size_t leaves[4];
	size_t tables;
};

static void count_level(const uint64_t *t, int level, struct census *c)
{
	c->tables++;
	for (int i = 0; i < 512; i++) {
		uint64_t d = t[i];

		if (!(d & 1))
			continue;
		if (level < 3 && (d & 2))
			count_level((const uint64_t *)(uintptr_t)(d & PGTABLE_ADDR_MASK), level + 1,
				    c);
		else
			c->leaves[level]++;
	}
}

static struct census census(const struct pgtable *pt)
{
	struct census c = { { 0 }, 0 };

	count_level(pt->root, pt->start_level, &c);
	return c;
}

static void assert_census(const struct pgtable *pt, size_t gib, size_t mib2, size_t pages,
			  size_t tables)
{
	struct census c = census(pt);

	assert_int_equal(c.leaves[1], gib);
	assert_int_equal(c.leaves[2], mib2);
	assert_int_equal(c.leaves[3], pages);
	assert_int_equal(c.tables, tables);
	assert_int_equal(pt->nr_tables, tables);
}

static void assert_maps(const struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t attrs)
{
	uint64_t got_pa = 0, got_attrs = 0;

	assert_int_equal(pgtable_lookup(pt, va, &got_pa, &got_attrs), 0);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_attrs, attrs);
}

static void assert_unmapped(const struct pgtable *pt, uint64_t va)
{
	uint64_t pa;

	assert_int_equal(pgtable_lookup(pt, va, &pa, NULL), K_EINVAL);
}

/* Addresses worth probing in [va, va+size): ends, block edges, a stride. */
static void assert_range_maps(const struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size,
			      uint64_t attrs)
{
	uint64_t probes[] = { 0,       8,       PAGE - 1, PAGE,        2 * MIB - 8,
			      2 * MIB, GIB - 1, GIB,      size - PAGE, size - 1 };

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (probes[i] < size)
			assert_maps(pt, va + probes[i], pa + probes[i], attrs);
	for (uint64_t off = 0; off + 0x123 < size; off += size / 97 + PAGE)
		assert_maps(pt, va + off + 0x123, pa + off + 0x123, attrs);
	if (va >= PAGE)
		assert_unmapped(pt, va - 1);
	if (va + size < VA_END)
		assert_unmapped(pt, va + size);
}

/* ---- block selection ---- */

static void test_gib_block(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pgtable_map(&f->pt, 2 * GIB, 5 * GIB, 2 * GIB, ATTRS), 0);
	assert_census(&f->pt, 2, 0, 0, 1);
	assert_range_maps(&f->pt, 2 * GIB, 5 * GIB, 2 * GIB, ATTRS);
}

static void test_mixed_blocks(void **state)
{
	struct fixture *f = *state;
	uint64_t size = GIB + 2 * MIB + PAGE;

	assert_int_equal(pgtable_map(&f->pt, GIB, 3 * GIB, size, ATTRS), 0);
	assert_census(&f->pt, 1, 1, 1, 3);
	assert_range_maps(&f->pt, GIB, 3 * GIB, size, ATTRS);
}

static void test_unaligned_start(void **state)
{
	struct fixture *f = *state;

	/* 511 pages up to the 2 MiB boundary, one 2 MiB block, one page. */
	assert_int_equal(pgtable_map(&f->pt, PAGE, 0x80001000, 4 * MIB, ATTRS), 0);
	assert_census(&f->pt, 0, 1, 512, 4);
	assert_range_maps(&f->pt, PAGE, 0x80001000, 4 * MIB, ATTRS);
}

static void test_pa_alignment_limits_blocks(void **state)
{
	struct fixture *f = *state;

	/* va is 1 GiB aligned, pa only 2 MiB: no 1 GiB block. */
	assert_int_equal(pgtable_map(&f->pt, GIB, 0x40200000, GIB, ATTRS), 0);
	assert_census(&f->pt, 0, 512, 0, 2);
	assert_range_maps(&f->pt, GIB, 0x40200000, GIB, ATTRS);
	/* pa only page aligned: pages only. */
	assert_int_equal(pgtable_map(&f->pt, 4 * GIB, 0x40001000, 4 * MIB, ATTRS), 0);
	assert_census(&f->pt, 0, 512, 1024, 2 + 1 + 2);
	assert_range_maps(&f->pt, 4 * GIB, 0x40001000, 4 * MIB, ATTRS);
}

static void test_top_of_range(void **state)
{
	struct fixture *f = *state;

	/* The last page of GiB 510, then all of GiB 511 as one block. */
	assert_int_equal(pgtable_map(&f->pt, VA_END - GIB - PAGE, GIB - PAGE, GIB + PAGE, ATTRS),
			 0);
	assert_census(&f->pt, 1, 0, 1, 3);
	assert_maps(&f->pt, VA_END - 1, 2 * GIB - 1, ATTRS);
	assert_range_maps(&f->pt, VA_END - GIB - PAGE, GIB - PAGE, GIB + PAGE, ATTRS);
}

/* ---- arguments ---- */

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct pgtable *pt = &f->pt;

	assert_int_equal(pgtable_map(pt, 0, 0, 0, ATTRS), K_EINVAL);
	assert_int_equal(pgtable_map(pt, 0x800, 0, PAGE, ATTRS), K_EINVAL);
	assert_int_equal(pgtable_map(pt, 0, 0x800, PAGE, ATTRS), K_EINVAL);
	assert_int_equal(pgtable_map(pt, 0, 0, PAGE + 1, ATTRS), K_EINVAL);
	assert_int_equal(pgtable_map(pt, VA_END, 0, PAGE, ATTRS), K_EINVAL);
	assert_int_equal(pgtable_map(pt, VA_END - PAGE, 0, 2 * PAGE, ATTRS), K_EINVAL);
	assert_int_equal(pgtable_map(pt, PAGE, 0, UINT64_MAX - PAGE + 1, ATTRS), K_EINVAL);
	assert_int_equal(pgtable_map(pt, 0, 1ull << 48, PAGE, ATTRS), K_EINVAL);
	assert_int_equal(pgtable_map(pt, 0, (1ull << 48) - PAGE, 2 * PAGE, ATTRS), K_EINVAL);
	assert_int_equal(pgtable_map(pt, 0, 0, PAGE, ATTRS | 1), K_EINVAL);
	assert_int_equal(pgtable_map(pt, 0, 0, PAGE, ATTRS | 2), K_EINVAL);
	assert_int_equal(pgtable_map(pt, 0, 0, PAGE, ATTRS | 0x1000), K_EINVAL);
	assert_int_equal(pgtable_unmap(pt, 0, 0), K_EINVAL);
	assert_int_equal(pgtable_unmap(pt, 0x10, PAGE), K_EINVAL);
	assert_int_equal(pgtable_unmap(pt, VA_END, PAGE), K_EINVAL);
	assert_unmapped(pt, VA_END);
	assert_census(pt, 0, 0, 0, 1);
}

static void test_bad_start_level(void **state)
{
	struct fixture *f = *state;
	struct pgtable pt = f->pt;

	pt.start_level = 2;
	assert_int_equal(pgtable_init(&pt), K_EINVAL);
	pt.start_level = 1;
	pt.alloc_table = NULL;
	assert_int_equal(pgtable_init(&pt), K_EINVAL);
}

/* ---- overlaps ---- */

static void test_overlap_refused(void **state)
{
	struct fixture *f = *state;
	struct pgtable *pt = &f->pt;
	uint64_t flushes;

	assert_int_equal(pgtable_map(pt, 2 * MIB, 8 * MIB, 2 * MIB, ATTRS), 0);
	assert_census(pt, 0, 1, 0, 2);
	flushes = f->fa.flushes;
	/* Another output address, other attributes, a straddling range. */
	assert_int_equal(pgtable_map(pt, 2 * MIB, 10 * MIB, 2 * MIB, ATTRS), K_EINVAL);
	assert_int_equal(pgtable_map(pt, 2 * MIB, 8 * MIB, 2 * MIB, ATTRS_DEV), K_EINVAL);
	assert_int_equal(pgtable_map(pt, 3 * MIB, 9 * MIB + PAGE, PAGE, ATTRS), K_EINVAL);
	/* Empty first, conflicting later: nothing of it may be left mapped. */
	assert_int_equal(pgtable_map(pt, 0, 0x1000000, 4 * MIB, ATTRS), K_EINVAL);
	assert_unmapped(pt, 0);
	assert_census(pt, 0, 1, 0, 2);
	assert_int_equal(f->fa.flushes, flushes);
	assert_range_maps(pt, 2 * MIB, 8 * MIB, 2 * MIB, ATTRS);
}

static void test_identical_remap_accepted(void **state)
{
	struct fixture *f = *state;
	struct pgtable *pt = &f->pt;

	assert_int_equal(pgtable_map(pt, 2 * MIB, 8 * MIB, 2 * MIB, ATTRS), 0);
	assert_int_equal(pgtable_map(pt, 2 * MIB, 8 * MIB, 2 * MIB, ATTRS), 0);
	/* A page inside the block, mapped the same way: kept as the block. */
	assert_int_equal(pgtable_map(pt, 3 * MIB, 9 * MIB, PAGE, ATTRS), 0);
	/* Growing the range around it only adds the new parts. */
	assert_int_equal(pgtable_map(pt, 0, 6 * MIB, 8 * MIB, ATTRS), 0);
	assert_census(pt, 0, 4, 0, 2);
	assert_range_maps(pt, 0, 6 * MIB, 8 * MIB, ATTRS);
}

/* ---- unmap ---- */

static void test_partial_unmap_splits_gib_block(void **state)
{
	struct fixture *f = *state;
	struct pgtable *pt = &f->pt;
	uint64_t hole = GIB + 300 * MIB + 5 * PAGE;

	assert_int_equal(pgtable_map(pt, GIB, 4 * GIB, GIB, ATTRS), 0);
	assert_census(pt, 1, 0, 0, 1);
	assert_int_equal(pgtable_unmap(pt, hole, PAGE), 0);
	assert_census(pt, 0, 511, 511, 3);
	assert_true(f->fa.flushes >= 2); /* break-before-make, twice */
	assert_unmapped(pt, hole);
	assert_unmapped(pt, hole + PAGE - 1);
	assert_maps(pt, hole - 1, 4 * GIB + (hole - 1 - GIB), ATTRS);
	assert_maps(pt, hole + PAGE, 4 * GIB + (hole + PAGE - GIB), ATTRS);
	assert_range_maps(pt, GIB, 4 * GIB, hole - GIB, ATTRS);
	assert_range_maps(pt, hole + PAGE, 4 * GIB + (hole + PAGE - GIB), 2 * GIB - hole - PAGE,
			  ATTRS);
}

static void test_unmap_everything_frees_tables(void **state)
{
	struct fixture *f = *state;
	struct pgtable *pt = &f->pt;

	assert_int_equal(pgtable_map(pt, GIB, 4 * GIB, GIB, ATTRS), 0);
	assert_int_equal(pgtable_map(pt, 8 * GIB + PAGE, 0x1000, 5 * MIB, ATTRS), 0);
	assert_int_equal(pgtable_unmap(pt, GIB + 3 * MIB, 64 * KIB), 0);
	assert_int_equal(pgtable_unmap(pt, GIB + 700 * MIB, 3 * MIB), 0);
	assert_true(pt->nr_tables > 3);
	/* Piece by piece, in an order that leaves tables empty at odd times. */
	assert_int_equal(pgtable_unmap(pt, 8 * GIB + 2 * MIB, 2 * MIB), 0);
	assert_int_equal(pgtable_unmap(pt, GIB + 512 * MIB, 512 * MIB), 0);
	assert_int_equal(pgtable_unmap(pt, 8 * GIB, 2 * MIB), 0);
	assert_int_equal(pgtable_unmap(pt, GIB, 512 * MIB), 0);
	assert_int_equal(pgtable_unmap(pt, 8 * GIB + 4 * MIB, 4 * MIB), 0);
	assert_census(pt, 0, 0, 0, 1);
	assert_int_equal(f->fa.allocs - f->fa.frees, 1);
	assert_int_equal(pgtable_map(pt, GIB, 4 * GIB, GIB, ATTRS), 0);
	assert_census(pt, 1, 0, 0, 1);
}

static void test_unmap_whole_range_at_once(void **state)
{
	struct fixture *f = *state;
	struct pgtable *pt = &f->pt;

	assert_int_equal(pgtable_map(pt, PAGE, 0x80001000, 4 * MIB, ATTRS), 0);
	assert_int_equal(pgtable_map(pt, 3 * GIB, 3 * GIB, 2 * GIB, ATTRS_DEV), 0);
	assert_int_equal(pgtable_unmap(pt, 0, VA_END), 0);
	assert_census(pt, 0, 0, 0, 1);
	assert_int_equal(f->fa.allocs - f->fa.frees, 1);
}

static void test_unmap_holes(void **state)
{
	struct fixture *f = *state;
	struct pgtable *pt = &f->pt;

	assert_int_equal(pgtable_unmap(pt, 0, GIB), 0);
	assert_int_equal(pgtable_map(pt, 4 * MIB, 4 * MIB, 8 * KIB, ATTRS), 0);
	assert_int_equal(pgtable_unmap(pt, 4 * MIB + PAGE, 20 * MIB), 0);
	assert_census(pt, 0, 0, 1, 3);
	assert_maps(pt, 4 * MIB, 4 * MIB, ATTRS);
}

/* ---- out of tables ---- */

static void test_map_out_of_tables_rolls_back(void **state)
{
	struct fixture *f = *state;
	struct pgtable *pt = &f->pt;

	f->fa.limit = 2; /* root + one */
	assert_int_equal(pgtable_map(pt, PAGE, PAGE, 3 * MIB, ATTRS), K_ENOMEM);
	assert_census(pt, 0, 0, 0, 1);
	assert_unmapped(pt, PAGE);
	f->fa.limit = 0;
	assert_int_equal(pgtable_map(pt, PAGE, PAGE, 3 * MIB, ATTRS), 0);
	assert_census(pt, 0, 0, 768, 4);
}

static void test_split_out_of_tables(void **state)
{
	struct fixture *f = *state;
	struct pgtable *pt = &f->pt;

	assert_int_equal(pgtable_map(pt, GIB, GIB, GIB, ATTRS), 0);
	f->fa.limit = 2; /* the level-2 table only */
	assert_int_equal(pgtable_unmap(pt, GIB + PAGE, PAGE), K_ENOMEM);
	assert_maps(pt, GIB + PAGE, GIB + PAGE, ATTRS);
	assert_maps(pt, 2 * GIB - 1, 2 * GIB - 1, ATTRS);
	f->fa.limit = 0;
	assert_int_equal(pgtable_unmap(pt, GIB + PAGE, PAGE), 0);
	assert_unmapped(pt, GIB + PAGE);
	assert_maps(pt, GIB, GIB, ATTRS);
}

/* ---- destroy, level 0 ---- */

static void test_destroy_frees_everything(void **state)
{
	struct fixture *f = *state;
	struct pgtable *pt = &f->pt;

	assert_int_equal(pgtable_map(pt, PAGE, PAGE, 40 * MIB, ATTRS), 0);
	assert_int_equal(pgtable_map(pt, 100 * GIB + 2 * MIB, 2 * MIB, 3 * GIB, ATTRS), 0);
	assert_true(pt->nr_tables > 4);
	pgtable_destroy(pt);
	assert_null(pt->root);
	assert_int_equal(f->fa.allocs, f->fa.frees);
	pgtable_destroy(pt); /* twice is harmless */
	assert_int_equal(pgtable_map(pt, 0, 0, PAGE, ATTRS), K_EINVAL);
	assert_unmapped(pt, 0);
}

static void test_start_level_0(void **state)
{
	struct fixture *f = *state;
	struct pgtable pt = f->pt;
	uint64_t va = (1ull << 47) + 3 * GIB;

	pt.root = NULL;
	pt.start_level = 0;
	assert_int_equal(pgtable_init(&pt), 0);
	assert_int_equal(pgtable_map(&pt, va, GIB, GIB + PAGE, ATTRS), 0);
	assert_census(&pt, 1, 0, 1, 4);
	assert_range_maps(&pt, va, GIB, GIB + PAGE, ATTRS);
	assert_int_equal(pgtable_map(&pt, 1ull << 48, 0, PAGE, ATTRS), K_EINVAL);
	assert_int_equal(pgtable_unmap(&pt, va, GIB + PAGE), 0);
	assert_int_equal(pt.nr_tables, 1);
	pgtable_destroy(&pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_gib_block),
		T(test_mixed_blocks),
		T(test_unaligned_start),
		T(test_pa_alignment_limits_blocks),
		T(test_top_of_range),
		T(test_bad_arguments),
		T(test_bad_start_level),
		T(test_overlap_refused),
		T(test_identical_remap_accepted),
		T(test_partial_unmap_splits_gib_block),
		T(test_unmap_everything_frees_tables),
		T(test_unmap_whole_range_at_once),
		T(test_unmap_holes),
		T(test_map_out_of_tables_rolls_back),
		T(test_split_out_of_tables),
		T(test_destroy_frees_everything),
		T(test_start_level_0),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
