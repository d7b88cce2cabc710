/* SPDX-License-Identifier: MIT */
/* SOURCES: kernel/buddy.c */
/*
 * Unit tests of the buddy page allocator.
 *
 * Alignment is absolute, so the tests need address space aligned to 1 GiB:
 * one 5 GiB MAP_NORESERVE mapping is reserved once and ranges are placed
 * at chosen page offsets from a 1 GiB boundary inside it. The allocator
 * only writes to the heads of free blocks, so little of it is touched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <zvm/buddy.h>

#define GIB           (1ul << 30)
#define RESERVE_BYTES (5 * GIB)

static void *reserve_map;
static uintptr_t reserve_base; /* 1 GiB aligned */

struct fixture {
	struct buddy b;
	uint8_t *meta;
	uintptr_t base;
	size_t npages;
};

static int group_setup(void **state)
{
	(void)state;
	reserve_map = mmap(NULL, RESERVE_BYTES, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (reserve_map == MAP_FAILED)
		return -1;
	reserve_base = ((uintptr_t)reserve_map + GIB - 1) & ~(GIB - 1);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return munmap(reserve_map, RESERVE_BYTES);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	return f ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->meta);
	free(f);
	return 0;
}

/* Manage npages starting offset_pages after a 1 GiB boundary. */
static struct buddy *mk(void **state, size_t offset_pages, size_t npages)
{
	struct fixture *f = *state;

	assert_true((offset_pages + npages) * PAGE_SIZE <= 4 * GIB);
	f->base = reserve_base + offset_pages * PAGE_SIZE;
	f->npages = npages;
	f->meta = malloc(buddy_meta_bytes(npages) + 1);
	assert_non_null(f->meta);
	buddy_init(&f->b, f->base, npages, f->meta);
	assert_int_equal(buddy_check(&f->b), 0);
	return &f->b;
}

static size_t list_len(const struct buddy *b, unsigned order)
{
	const struct dnode *n;
	size_t len = 0;

	DLIST_FOR_EACH(&b->free[order], n)
	len++;
	return len;
}

static void assert_lists(const struct buddy *b, const size_t *expect)
{
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		assert_int_equal(list_len(b, k), expect[k]);
}

static void assert_stats(const struct buddy *b, size_t total, size_t free_pg, size_t largest,
			 size_t allocs, size_t frees, size_t failures)
{
	struct page_stats st;

	buddy_stats(b, &st);
	assert_int_equal(st.total_pages, total);
	assert_int_equal(st.free_pages, free_pg);
	assert_int_equal(st.largest_free_pages, largest);
	assert_int_equal(st.allocs, allocs);
	assert_int_equal(st.frees, frees);
	assert_int_equal(st.failures, failures);
}

/* A block is inside the range and aligned to its own size in absolute terms. */
static void assert_block(void **state, void *p, unsigned order)
{
	struct fixture *f = *state;
	uintptr_t a = (uintptr_t)p;
	size_t bytes = PAGE_SIZE << order;

	assert_non_null(p);
	assert_int_equal(a & (bytes - 1), 0);
	assert_true(a >= f->base);
	assert_true(a + bytes <= f->base + f->npages * PAGE_SIZE);
}

/* xorshift64*: a fixed, libc-independent sequence. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void test_meta_bytes_and_order_for(void **state)
{
	(void)state;
	assert_int_equal(buddy_meta_bytes(0), 0);
	assert_int_equal(buddy_meta_bytes(262144), 262144);
	assert_int_equal(buddy_order_for(0), 0);
	assert_int_equal(buddy_order_for(1), 0);
	assert_int_equal(buddy_order_for(2), 1);
	assert_int_equal(buddy_order_for(3), 2);
	assert_int_equal(buddy_order_for(4), 2);
	assert_int_equal(buddy_order_for(5), 3);
	assert_int_equal(buddy_order_for(512), 9);
	assert_int_equal(buddy_order_for(513), 10);
	assert_int_equal(buddy_order_for(1ul << 18), 18);
	assert_int_equal(buddy_order_for((1ul << 18) + 1), 19);
	assert_int_equal(buddy_order_for(~(size_t)0), 64);
}

static void test_init_aligned_max_block(void **state)
{
	struct buddy *b = mk(state, 0, 1ul << 18);
	size_t expect[BUDDY_MAX_ORDER] = { [18] = 1 };
	void *p;

	assert_lists(b, expect);
	assert_stats(b, 1ul << 18, 1ul << 18, 1ul << 18, 0, 0, 0);
	p = buddy_alloc(b, 18);
	assert_ptr_equal(p, (void *)reserve_base);
	assert_stats(b, 1ul << 18, 0, 0, 1, 0, 0);
	assert_null(buddy_alloc(b, 0));
	assert_stats(b, 1ul << 18, 0, 0, 1, 0, 1);
	assert_int_equal(buddy_free(b, p, 18), 0);
	assert_stats(b, 1ul << 18, 1ul << 18, 1ul << 18, 1, 1, 1);
	assert_lists(b, expect);
	assert_int_equal(buddy_check(b), 0);
}

/* 1000 pages from page 3 after a 1 GiB boundary: pages [3, 1003). */
static const size_t odd_expect[BUDDY_MAX_ORDER] = {
	[0] = 2, /* 3, 1002 */
	[1] = 1, /* 1000 */
	[2] = 1, /* 4 */
	[3] = 2, /* 8, 992 */
	[4] = 1, /* 16 */
	[5] = 2, /* 32, 960 */
	[6] = 2, /* 64, 896 */
	[7] = 2, /* 128, 768 */
	[8] = 2, /* 256, 512 */
};

static void test_init_odd_range_decomposition(void **state)
{
	struct buddy *b = mk(state, 3, 1000);

	assert_lists(b, odd_expect);
	assert_stats(b, 1000, 1000, 256, 0, 0, 0);
	/* The first order-8 block is at page 256, not at the range start. */
	assert_ptr_equal(buddy_alloc(b, 8), (void *)(reserve_base + 256 * PAGE_SIZE));
	assert_null(buddy_alloc(b, 9));
	assert_stats(b, 1000, 744, 256, 1, 0, 1);
}

static void test_alignment_absolute(void **state)
{
	struct buddy *b = mk(state, 5, 3000);
	struct page_stats st;
	size_t allocated = 0;

	/* Drain the range with random orders; every block is self-aligned. */
	rng_state = 0x1234abcdu;
	for (;;) {
		unsigned order = (unsigned)(rng() % 10);
		void *p = buddy_alloc(b, order);

		if (!p) {
			buddy_stats(b, &st);
			if (!st.free_pages)
				break;
			continue;
		}
		assert_block(state, p, order);
		allocated += 1ul << order;
	}
	assert_int_equal(allocated, 3000);
	assert_int_equal(buddy_check(b), 0);
}

static void test_split_and_coalesce(void **state)
{
	struct buddy *b = mk(state, 0, 1024);
	size_t split[BUDDY_MAX_ORDER] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	};
	size_t whole[BUDDY_MAX_ORDER] = { [10] = 1 };
	void *p, *q;

	p = buddy_alloc(b, 0);
	assert_ptr_equal(p, (void *)reserve_base);
	assert_lists(b, split);
	assert_stats(b, 1024, 1023, 512, 1, 0, 0);
	q = buddy_alloc(b, 0); /* p's buddy, the only order-0 block */
	assert_ptr_equal(q, (void *)(reserve_base + PAGE_SIZE));
	assert_int_equal(buddy_free(b, p, 0), 0); /* q busy: no merge */
	assert_lists(b, split);
	assert_int_equal(buddy_free(b, q, 0), 0); /* merges to the top */
	assert_lists(b, whole);
	assert_stats(b, 1024, 1024, 1024, 2, 2, 0);
	assert_int_equal(buddy_check(b), 0);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static void shuffle(uintptr_t *v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rng() % i);
		uintptr_t t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

static void test_exhaust_then_free_all(void **state)
{
	struct buddy *b = mk(state, 7, 777);
	size_t initial[BUDDY_MAX_ORDER];
	struct page_stats st0;
	uintptr_t pages[777];
	size_t n = 0;
	void *p;

	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		initial[k] = list_len(b, k);
	buddy_stats(b, &st0);
	while ((p = buddy_alloc(b, 0)) != NULL) {
		assert_true(n < 777);
		assert_block(state, p, 0);
		pages[n++] = (uintptr_t)p;
	}
	assert_int_equal(n, 777);
	assert_stats(b, 777, 0, 0, 777, 0, 1);
	qsort(pages, n, sizeof(pages[0]), cmp_ptr);
	for (size_t i = 1; i < n; i++)
		assert_true(pages[i] != pages[i - 1]); /* no page twice */

	rng_state = 42;
	shuffle(pages, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(buddy_free(b, (void *)pages[i], 0), 0);
	assert_lists(b, initial);
	assert_stats(b, 777, 777, st0.largest_free_pages, 777, 777, 1);
	assert_int_equal(buddy_check(b), 0);
}

static void test_max_order_cap(void **state)
{
	/* 2 GiB + 5 pages: two 1 GiB blocks, never one 2 GiB block. */
	struct buddy *b = mk(state, 0, (1ul << 19) + 5);
	size_t expect[BUDDY_MAX_ORDER] = { [0] = 1, [2] = 1, [18] = 2 };
	void *p, *q;

	assert_lists(b, expect);
	assert_stats(b, (1ul << 19) + 5, (1ul << 19) + 5, 1ul << 18, 0, 0, 0);
	assert_null(buddy_alloc(b, BUDDY_MAX_ORDER));
	assert_null(buddy_alloc(b, 200));
	p = buddy_alloc(b, 18);
	q = buddy_alloc(b, 18);
	assert_block(state, p, 18);
	assert_block(state, q, 18);
	assert_true(p != q);
	assert_int_equal(buddy_free(b, p, 18), 0);
	assert_int_equal(buddy_free(b, q, 18), 0);
	assert_lists(b, expect);
	assert_stats(b, (1ul << 19) + 5, (1ul << 19) + 5, 1ul << 18, 2, 2, 2);
	assert_int_equal(buddy_check(b), 0);
}

static void test_stats_exact(void **state)
{
	struct buddy *b = mk(state, 0, 64);
	void *a, *p, *c;

	a = buddy_alloc(b, 2); /* pages 0-3 */
	p = buddy_alloc(b, 0); /* page 4; 5 and 6-7 stay free */
	c = buddy_alloc(b, 3); /* pages 8-15 */
	assert_ptr_equal(a, (void *)reserve_base);
	assert_ptr_equal(p, (void *)(reserve_base + 4 * PAGE_SIZE));
	assert_ptr_equal(c, (void *)(reserve_base + 8 * PAGE_SIZE));
	assert_null(buddy_alloc(b, 6));
	assert_stats(b, 64, 51, 32, 3, 0, 1);
	assert_int_equal(buddy_free(b, p, 0), 0); /* 4-7 merge */
	assert_stats(b, 64, 52, 32, 3, 1, 1);
	assert_int_equal(buddy_free(b, p, 0), -1);
	assert_stats(b, 64, 52, 32, 3, 1, 1);
	assert_int_equal(b->bad_frees, 1);
	assert_int_equal(buddy_free(b, a, 2), 0);
	assert_int_equal(buddy_free(b, c, 3), 0);
	assert_stats(b, 64, 64, 64, 3, 3, 1);
}

static void test_bad_frees(void **state)
{
	struct fixture *f = *state;
	struct buddy *b = mk(state, 1, 100);
	char *p = buddy_alloc(b, 2);
	struct page_stats before, after;
	char local;

	assert_non_null(p);
	buddy_stats(b, &before);
	/* Wrong or impossible orders, interior, unaligned, foreign. */
	assert_int_equal(buddy_free(b, p, 1), -1);
	assert_int_equal(buddy_free(b, p, 3), -1);
	assert_int_equal(buddy_free(b, p, 99), -1);
	assert_int_equal(buddy_free(b, p + PAGE_SIZE, 0), -1);
	assert_int_equal(buddy_free(b, p + 8, 2), -1);
	assert_int_equal(buddy_free(b, NULL, 0), -1);
	assert_int_equal(buddy_free(b, &local, 0), -1);
	/* The pages just below and just above the range. */
	assert_int_equal(buddy_free(b, (char *)f->base - PAGE_SIZE, 0), -1);
	assert_int_equal(buddy_free(b, (char *)f->base + 100 * PAGE_SIZE, 0), -1);
	/* A free page that is a block head, but not allocated. */
	assert_int_equal(buddy_free(b, (void *)f->base, 0), -1);
	assert_int_equal(b->bad_frees, 10);
	buddy_stats(b, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(buddy_check(b), 0);

	assert_int_equal(buddy_free(b, p, 2), 0);
	assert_int_equal(buddy_free(b, p, 2), -1); /* double free */
	assert_int_equal(b->bad_frees, 11);
	assert_int_equal(buddy_check(b), 0);
}

static void test_double_free_after_merge(void **state)
{
	struct buddy *b = mk(state, 0, 16);
	void *p = buddy_alloc(b, 0);
	void *q = buddy_alloc(b, 0);
	struct page_stats st;

	assert_int_equal(buddy_free(b, q, 0), 0);
	assert_int_equal(buddy_free(b, p, 0), 0);  /* p absorbs q */
	assert_int_equal(buddy_free(b, q, 0), -1); /* q is interior */
	assert_int_equal(buddy_free(b, p, 0), -1); /* p heads order 4 */
	assert_int_equal(buddy_free(b, p, 4), -1); /* ... which is free */
	buddy_stats(b, &st);
	assert_int_equal(st.free_pages, 16);
	assert_int_equal(st.largest_free_pages, 16);
	assert_int_equal(b->bad_frees, 3);
	assert_int_equal(buddy_check(b), 0);

	/* The other way round: the freed block merges into its lower buddy. */
	p = buddy_alloc(b, 0);
	q = buddy_alloc(b, 0);
	assert_int_equal(buddy_free(b, p, 0), 0);
	assert_int_equal(buddy_free(b, q, 0), 0); /* q joins p */
	assert_int_equal(buddy_free(b, q, 0), -1);
	assert_int_equal(b->bad_frees, 4);
	buddy_stats(b, &st);
	assert_int_equal(st.free_pages, 16);
	assert_int_equal(st.largest_free_pages, 16);
	assert_int_equal(buddy_check(b), 0);
}

static void test_tiny_ranges(void **state)
{
	struct fixture *f = *state;
	struct buddy *b = mk(state, 9, 0);
	void *p;

	assert_stats(b, 0, 0, 0, 0, 0, 0);
	assert_null(buddy_alloc(b, 0));
	assert_stats(b, 0, 0, 0, 0, 0, 1);
	free(f->meta);

	b = mk(state, 9, 1);
	assert_stats(b, 1, 1, 1, 0, 0, 0);
	assert_null(buddy_alloc(b, 1));
	p = buddy_alloc(b, 0);
	assert_ptr_equal(p, (void *)f->base);
	assert_null(buddy_alloc(b, 0));
	assert_int_equal(buddy_free(b, p, 0), 0);
	assert_stats(b, 1, 1, 1, 1, 1, 2);
}

/* ---- random stress with content patterns ---- */

#define STRESS_PAGES 4099
#define STRESS_LIVE  1024

struct live {
	uint64_t *p;
	unsigned order;
	uint64_t tag;
};

static uint64_t pattern(uint64_t tag, size_t i)
{
	return (tag * 0x9e3779b97f4a7c15ull) ^ i;
}

static void fill(const struct live *l)
{
	size_t words = (PAGE_SIZE << l->order) / sizeof(uint64_t);

	for (size_t i = 0; i < words; i++)
		l->p[i] = pattern(l->tag, i);
}

static void verify(const struct live *l)
{
	size_t words = (PAGE_SIZE << l->order) / sizeof(uint64_t);

	for (size_t i = 0; i < words; i++)
		if (l->p[i] != pattern(l->tag, i))
			fail_msg("block %p order %u word %zu smashed", (void *)l->p, l->order, i);
}

/* Mark (or clear) the pages of a block as owned; fail on overlap. */
static void own(uint8_t *owned, uintptr_t base, const struct live *l, int on)
{
	size_t first = ((uintptr_t)l->p - base) / PAGE_SIZE;

	for (size_t i = first; i < first + (1ul << l->order); i++) {
		assert_int_equal(owned[i], !on);
		owned[i] = (uint8_t)on;
	}
}

static unsigned random_order(void)
{
	unsigned r = (unsigned)(rng() % 100);

	return r < 50 ? 0 : r < 75 ? 1 : r < 88 ? 2 : r < 95 ? 3 : r < 98 ? 5 : 7;
}

static void check_all(struct buddy *b, const struct live *live, size_t n)
{
	struct page_stats st;
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		verify(&live[i]);
		used += 1ul << live[i].order;
	}
	buddy_stats(b, &st);
	assert_int_equal(st.free_pages, st.total_pages - used);
	assert_int_equal(buddy_check(b), 0);
}

static void test_random_stress(void **state)
{
	struct fixture *f = *state;
	struct buddy *b = mk(state, 3, STRESS_PAGES);
	static struct live live[STRESS_LIVE];
	static uint8_t owned[STRESS_PAGES];
	size_t initial[BUDDY_MAX_ORDER];
	size_t n = 0, allocs = 0, frees = 0, failures = 0;
	struct page_stats st0;
	uint64_t tag = 0;

	memset(owned, 0, sizeof(owned));
	buddy_stats(b, &st0);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		initial[k] = list_len(b, k);
	rng_state = 0xdeadbeefcafef00dull;
	for (int op = 0; op < 30000; op++) {
		if (n < STRESS_LIVE && rng() % 100 < 55) {
			struct live l = { .order = random_order(), .tag = ++tag };

			l.p = buddy_alloc(b, l.order);
			if (!l.p) {
				failures++;
				continue;
			}
			allocs++;
			assert_block(state, l.p, l.order);
			own(owned, f->base, &l, 1);
			fill(&l);
			live[n++] = l;
		} else if (n) {
			size_t i = (size_t)(rng() % n);

			verify(&live[i]);
			own(owned, f->base, &live[i], 0);
			assert_int_equal(buddy_free(b, live[i].p, live[i].order), 0);
			frees++;
			live[i] = live[--n];
		}
		if (op % 1000 == 0)
			check_all(b, live, n);
	}
	assert_true(failures > 0); /* the range was exhausted at times */
	check_all(b, live, n);
	while (n) {
		n--;
		assert_int_equal(buddy_free(b, live[n].p, live[n].order), 0);
		frees++;
	}
	assert_lists(b, initial);
	assert_stats(b, STRESS_PAGES, STRESS_PAGES, st0.largest_free_pages, allocs, frees,
		     failures);
	assert_int_equal(buddy_check(b), 0);
}

/* Pages of a hole given to buddy_init_except are never handed out or counted. */
static void test_init_except_hole(void **state)
{
	struct fixture *f = *state;
	const size_t npages = 2048, hole = 100, hole_pages = 300;
	uintptr_t hole_lo, hole_hi;
	struct page_stats st;
	size_t got = 0;
	void *p;

	f->base = reserve_base;
	f->npages = npages;
	f->meta = malloc(buddy_meta_bytes(npages));
	assert_non_null(f->meta);
	hole_lo = f->base + hole * PAGE_SIZE;
	hole_hi = hole_lo + hole_pages * PAGE_SIZE;
	buddy_init_except(&f->b, f->base, npages, f->meta, hole_lo, hole_pages);
	assert_int_equal(buddy_check(&f->b), 0);
	buddy_stats(&f->b, &st);
	assert_int_equal(st.total_pages, npages - hole_pages);
	while ((p = buddy_alloc(&f->b, 0))) {
		assert_true((uintptr_t)p < hole_lo || (uintptr_t)p >= hole_hi);
		got++;
	}
	assert_int_equal(got, npages - hole_pages);
	assert_int_equal(buddy_free(&f->b, (void *)hole_lo, 0), -1); /* never its own */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_meta_bytes_and_order_for),
		T(test_init_aligned_max_block),
		T(test_init_odd_range_decomposition),
		T(test_alignment_absolute),
		T(test_split_and_coalesce),
		T(test_exhaust_then_free_all),
		T(test_max_order_cap),
		T(test_stats_exact),
		T(test_bad_frees),
		T(test_double_free_after_merge),
		T(test_tiny_ranges),
		T(test_random_stress),
		T(test_init_except_hole),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
