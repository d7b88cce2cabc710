/* SPDX-License-Identifier: MIT */
/* SOURCES: kernel/heap.c */
/*
 * Unit tests of the heap allocator. A block costs its request rounded up
 * to 16 plus a 16-byte header, at least 48 bytes; stats count payload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/heap.h>

#define HDR 16

/* Block bytes a request takes; its payload is that minus HDR. */
static size_t blk(size_t n)
{
	size_t size = (n + HDR + 15) & ~(size_t)15;

	return size < 48 ? 48 : size;
}

static size_t payload(size_t n)
{
	return blk(n) - HDR;
}

struct fixture {
	struct heap h;
	char *buf;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	return f ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->buf);
	free(f);
	return 0;
}

/* A heap over bytes at offset from a 64-byte aligned buffer. */
static struct heap *mk(void **state, size_t offset, size_t bytes)
{
	struct fixture *f = *state;

	free(f->buf);
	f->buf = aligned_alloc(64, (offset + bytes + 63) & ~(size_t)63);
	assert_non_null(f->buf);
	heap_init(&f->h, f->buf + offset, bytes);
	assert_int_equal(heap_check(&f->h), 0);
	return &f->h;
}

static struct heap_stats stats(const struct heap *h)
{
	struct heap_stats st;

	heap_stats(h, &st);
	return st;
}

static void assert_aligned(const void *p)
{
	assert_non_null(p);
	assert_int_equal((uintptr_t)p & 15, 0);
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

static void test_init_stats(void **state)
{
	struct heap *h = mk(state, 0, 65536);
	struct heap_stats st = stats(h);

	assert_int_equal(st.total_bytes, 65536);
	assert_int_equal(st.used_bytes, 0);
	assert_int_equal(st.free_bytes, 65536 - 2 * HDR);
	assert_int_equal(st.largest_free_bytes, 65536 - 2 * HDR);
	assert_int_equal(st.peak_used_bytes, 0);
	assert_int_equal(st.allocs + st.frees + st.failures, 0);
}

static void test_unaligned_odd_region(void **state)
{
	struct fixture *f = *state;
	struct heap *h = mk(state, 3, 10007);
	char *lo = f->buf + 3, *hi = lo + 10007;
	struct heap_stats st = stats(h);
	char *p;

	/* [buf + 3, buf + 10010) trims to [buf + 16, buf + 10000). */
	assert_int_equal(st.total_bytes, 9984);
	assert_int_equal(st.free_bytes, 9984 - 2 * HDR);
	while ((p = heap_alloc(h, 100)) != NULL) {
		assert_aligned(p);
		assert_true(p >= lo && p + 100 <= hi);
		memset(p, 0xa5, 100);
	}
	assert_int_equal(stats(h).allocs, (9984 - HDR) / blk(100));
	assert_int_equal(heap_check(h), 0);
}

static void test_tiny_regions(void **state)
{
	struct heap *h = mk(state, 0, 63);
	char local[32];
	void *p;

	assert_int_equal(stats(h).total_bytes, 0);
	assert_null(heap_alloc(h, 1));
	assert_int_equal(stats(h).failures, 1);
	assert_int_equal(heap_free(h, local + 16), -1);
	assert_int_equal(h->bad_frees, 1);
	assert_int_equal(heap_check(h), 0);

	h = mk(state, 0, 64); /* exactly one minimum block */
	assert_int_equal(stats(h).total_bytes, 64);
	assert_int_equal(stats(h).largest_free_bytes, 32);
	assert_null(heap_alloc(h, 33));
	p = heap_alloc(h, 32);
	assert_aligned(p);
	assert_null(heap_alloc(h, 1));
	assert_int_equal(heap_free(h, p), 0);
	assert_int_equal(stats(h).failures, 2);
	assert_int_equal(heap_check(h), 0);
}

static void test_zero_and_huge_requests(void **state)
{
	struct heap *h = mk(state, 0, 4096);
	struct heap_stats st;

	assert_null(heap_alloc(h, 0));
	st = stats(h);
	assert_int_equal(st.allocs + st.failures, 0); /* 0 is not a failure */
	assert_null(heap_alloc(h, SIZE_MAX));
	assert_null(heap_alloc(h, SIZE_MAX - 15));
	assert_null(heap_alloc(h, (size_t)1 << 40));
	assert_int_equal(stats(h).failures, 3);
	assert_int_equal(heap_free(h, NULL), 0);
	assert_int_equal(h->bad_frees, 0);
	assert_int_equal(heap_check(h), 0);
}

struct obj {
	unsigned char *p;
	size_t n;
};

static int cmp_obj(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct obj *)a)->p;
	uintptr_t y = (uintptr_t)((const struct obj *)b)->p;

	return x < y ? -1 : x > y;
}

static void test_alignment_and_no_overlap(void **state)
{
	struct heap *h = mk(state, 0, 1 << 20);
	static struct obj o[600];
	size_t used = 0;

	for (size_t i = 0; i < 600; i++) {
		o[i].n = i + 1;
		o[i].p = heap_alloc(h, o[i].n);
		assert_aligned(o[i].p);
		memset(o[i].p, (int)(i & 0xff), o[i].n);
		used += payload(o[i].n);
	}
	assert_int_equal(stats(h).used_bytes, used);
	for (size_t i = 0; i < 600; i++)
		for (size_t j = 0; j < o[i].n; j++)
			assert_int_equal(o[i].p[j], i & 0xff);
	qsort(o, 600, sizeof(o[0]), cmp_obj);
	for (size_t i = 1; i < 600; i++) /* header sits in between */
		assert_true(o[i - 1].p + o[i - 1].n + HDR <= o[i].p);
	for (size_t i = 0; i < 600; i++)
		assert_int_equal(heap_free(h, o[i].p), 0);
	assert_int_equal(stats(h).free_bytes, (1 << 20) - 2 * HDR);
	assert_int_equal(stats(h).largest_free_bytes, (1 << 20) - 2 * HDR);
	assert_int_equal(heap_check(h), 0);
}

static void test_stats_exact(void **state)
{
	const size_t T = 8192;
	struct heap *h = mk(state, 0, T);
	struct heap_stats st;
	void *a, *b, *c;

	a = heap_alloc(h, 1);    /* 48-byte block */
	b = heap_alloc(h, 100);  /* 128 */
	c = heap_alloc(h, 1000); /* 1024 */
	assert_true(a && b && c);
	assert_null(heap_alloc(h, T));
	st = stats(h);
	assert_int_equal(st.used_bytes, 32 + 112 + 1008);
	assert_int_equal(st.free_bytes, T - HDR - 1200 - HDR);
	assert_int_equal(st.largest_free_bytes, T - HDR - 1200 - HDR);
	assert_int_equal(st.peak_used_bytes, 32 + 112 + 1008);
	assert_int_equal(st.allocs, 3);
	assert_int_equal(st.failures, 1);

	assert_int_equal(heap_free(h, b), 0); /* neighbours used: no merge */
	st = stats(h);
	assert_int_equal(st.used_bytes, 32 + 1008);
	assert_int_equal(st.free_bytes, T - HDR - 1200 - HDR + 112);
	assert_int_equal(st.peak_used_bytes, 32 + 112 + 1008);
	assert_int_equal(st.frees, 1);
	assert_int_equal(h->free_blocks, 2);

	/* A 100-byte request reuses b's block exactly. */
	assert_ptr_equal(heap_alloc(h, 100), b);
	assert_int_equal(heap_free(h, a), 0);
	assert_int_equal(heap_free(h, b), 0); /* merges with a */
	assert_int_equal(h->free_blocks, 2);
	assert_int_equal(heap_free(h, c), 0); /* merges both sides */
	st = stats(h);
	assert_int_equal(st.used_bytes, 0);
	assert_int_equal(st.free_bytes, T - 2 * HDR);
	assert_int_equal(st.largest_free_bytes, T - 2 * HDR);
	assert_int_equal(st.allocs, 4);
	assert_int_equal(st.frees, 4);
	assert_int_equal(h->free_blocks, 1);
	assert_int_equal(heap_check(h), 0);
}

static void test_coalesce_prev_next_both(void **state)
{
	struct heap *h = mk(state, 0, 16384);
	void *a = heap_alloc(h, 200), *b = heap_alloc(h, 300);
	void *c = heap_alloc(h, 400), *d = heap_alloc(h, 500);
	size_t four = blk(200) + blk(300) + blk(400) + blk(500);
	/* Take the rest, so the only free blocks are the ones freed below. */
	void *e = heap_alloc(h, stats(h).largest_free_bytes);

	assert_true(a && b && c && d && e);
	assert_int_equal(h->free_blocks, 0);
	assert_int_equal(heap_free(h, b), 0);
	assert_int_equal(heap_free(h, a), 0); /* a absorbs b (next) */
	assert_int_equal(h->free_blocks, 1);
	assert_int_equal(stats(h).largest_free_bytes, blk(200) + blk(300) - HDR);
	assert_int_equal(heap_free(h, d), 0); /* e is used: no merge */
	assert_int_equal(h->free_blocks, 2);
	assert_int_equal(heap_free(h, c), 0); /* joins a+b and d */
	assert_int_equal(h->free_blocks, 1);
	assert_int_equal(stats(h).largest_free_bytes, four - HDR);
	assert_int_equal(stats(h).free_bytes, four - HDR);
	assert_int_equal(heap_check(h), 0);
	/* The merged block serves a request as big as all four. */
	assert_ptr_equal(heap_alloc(h, four - HDR), a);
	assert_int_equal(h->free_blocks, 0);
	assert_int_equal(heap_free(h, e), 0);
	assert_int_equal(heap_free(h, a), 0);
	assert_int_equal(stats(h).largest_free_bytes, 16384 - 2 * HDR);
	assert_int_equal(heap_check(h), 0);
}

static void test_largest_free_scans_its_class(void **state)
{
	struct heap *h = mk(state, 0, 16384);
	void *a = heap_alloc(h, 1000), *g1 = heap_alloc(h, 16);
	void *b = heap_alloc(h, 1040), *g2 = heap_alloc(h, 16);
	void *rest = heap_alloc(h, stats(h).largest_free_bytes);

	assert_true(a && g1 && b && g2 && rest);
	/* Blocks of 1024 and 1056 bytes share a class; b is freed first. */
	assert_int_equal(heap_free(h, b), 0);
	assert_int_equal(heap_free(h, a), 0);
	assert_int_equal(stats(h).largest_free_bytes, payload(1040));
	assert_int_equal(stats(h).free_bytes, payload(1000) + payload(1040));
	/* A request of that size finds b behind a in the class list. */
	assert_ptr_equal(heap_alloc(h, payload(1040)), b);
	assert_int_equal(stats(h).largest_free_bytes, payload(1000));
	assert_int_equal(heap_check(h), 0);
}

static void test_oom_and_exact_fit(void **state)
{
	struct heap *h = mk(state, 0, 4096);
	size_t largest = stats(h).largest_free_bytes;
	void *p;

	assert_null(heap_alloc(h, largest + 1));
	assert_int_equal(stats(h).failures, 1);
	p = heap_alloc(h, largest);
	assert_aligned(p);
	memset(p, 0x5a, largest);
	assert_int_equal(stats(h).free_bytes, 0);
	assert_int_equal(stats(h).largest_free_bytes, 0);
	assert_null(heap_alloc(h, 1));
	assert_int_equal(stats(h).failures, 2);
	assert_int_equal(heap_free(h, p), 0);
	assert_int_equal(stats(h).largest_free_bytes, largest);
	assert_int_equal(heap_check(h), 0);
}

static void shuffle(void **v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rng() % i);
		void *t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

static void test_fill_until_oom_then_free_all(void **state)
{
	const size_t T = 65536 + 32; /* 32 bytes left over after 80s */
	struct heap *h = mk(state, 0, T);
	static void *p[1024];
	size_t n = 0, expect = (T - HDR) / blk(64);

	while ((p[n] = heap_alloc(h, 64)) != NULL)
		n++;
	assert_int_equal(n, expect);
	assert_int_equal(stats(h).failures, 1);
	/* The last block took the remainder too small to split off. */
	assert_int_equal(stats(h).used_bytes, T - HDR - n * HDR);
	assert_int_equal(heap_check(h), 0);
	rng_state = 7;
	shuffle(p, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(heap_free(h, p[i]), 0);
		if (i % 64 == 0)
			assert_int_equal(heap_check(h), 0);
	}
	assert_int_equal(stats(h).free_bytes, T - 2 * HDR);
	assert_int_equal(stats(h).largest_free_bytes, T - 2 * HDR);
	assert_int_equal(h->free_blocks, 1);
	assert_int_equal(heap_check(h), 0);
}

static void test_fragmented_holes_reused(void **state)
{
	struct heap *h = mk(state, 0, 1 << 16);
	static void *p[128];
	size_t n = 0, holes;

	while ((p[n] = heap_alloc(h, 1000)) != NULL)
		n++;
	assert_int_equal(n, ((1 << 16) - HDR) / blk(1000));
	for (size_t i = 1; i < n; i += 2) /* holes between used blocks */
		assert_int_equal(heap_free(h, p[i]), 0);
	holes = n / 2;
	assert_int_equal(stats(h).largest_free_bytes, payload(1000));
	assert_int_equal(heap_check(h), 0);
	/* Nothing bigger fits; every hole takes one request its size. */
	assert_null(heap_alloc(h, payload(1000) + 1));
	for (size_t i = 0; i < holes; i++)
		assert_non_null(heap_alloc(h, payload(1000)));
	assert_int_equal(stats(h).largest_free_bytes, (1 << 16) - HDR - n * blk(1000) - HDR);
	assert_int_equal(heap_check(h), 0);
}

static void test_double_free_detected(void **state)
{
	struct heap *h = mk(state, 0, 8192);
	char *a = heap_alloc(h, 64), *b = heap_alloc(h, 64);
	char *c = heap_alloc(h, 64);
	struct heap_stats before, after;
	char local[64];

	assert_true(a && b && c);
	assert_int_equal(heap_free(h, b), 0);
	before = stats(h);
	assert_int_equal(heap_free(h, b), -1); /* double free */
	assert_int_equal(h->bad_frees, 1);
	after = stats(h);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(heap_check(h), 0);

	/* After merging, the swallowed header still reads as freed. */
	assert_int_equal(heap_free(h, a), 0); /* absorbs b */
	assert_int_equal(heap_free(h, b), -1);
	assert_int_equal(heap_free(h, a), -1);
	assert_int_equal(h->bad_frees, 3);
	/* Same when the freed block is the one merged into its neighbour. */
	a = heap_alloc(h, 64);
	b = heap_alloc(h, 64);
	assert_int_equal(heap_free(h, a), 0);
	assert_int_equal(heap_free(h, b), 0); /* b joins a */
	assert_int_equal(heap_free(h, b), -1);
	assert_int_equal(h->bad_frees, 4);
	assert_int_equal(heap_check(h), 0);

	/* Pointers that never were allocations. */
	assert_int_equal(heap_free(h, c + 16), -1);   /* interior */
	assert_int_equal(heap_free(h, c + 1), -1);    /* unaligned */
	assert_int_equal(heap_free(h, local), -1);    /* foreign */
	assert_int_equal(heap_free(h, h->start), -1); /* before 1st payload */
	assert_int_equal(heap_free(h, h->end), -1);   /* the sentinel */
	assert_int_equal(heap_free(h, h->end + 16), -1);
	assert_int_equal(h->bad_frees, 10);
	assert_int_equal(heap_check(h), 0);

	/* An overflow that smashes the next header is refused, not followed. */
	{
		uintptr_t saved;
		size_t size, huge = (size_t)1 << 40;

		memcpy(&saved, c - 8, sizeof(saved));
		memset(c - 8, 0x41, 8);
		assert_int_equal(heap_free(h, c), -1);
		memcpy(c - 8, &saved, sizeof(saved));
		/* Magic intact, size running past the end of the heap. */
		memcpy(&size, c - 16, sizeof(size));
		memcpy(c - 16, &huge, sizeof(huge));
		assert_int_equal(heap_free(h, c), -1);
		memcpy(c - 16, &size, sizeof(size));
	}
	assert_int_equal(heap_free(h, c), 0);
	assert_int_equal(h->bad_frees, 12);
	assert_int_equal(stats(h).frees, 5);
	assert_int_equal(stats(h).used_bytes, 0);
	assert_int_equal(heap_check(h), 0);
}

static void test_peak(void **state)
{
	struct heap *h = mk(state, 0, 8192);
	void *a = heap_alloc(h, 1000), *b = heap_alloc(h, 2000);

	assert_int_equal(heap_free(h, a), 0);
	assert_int_equal(heap_free(h, b), 0);
	assert_non_null(heap_alloc(h, 10));
	assert_int_equal(stats(h).peak_used_bytes, payload(1000) + payload(2000));
	assert_int_equal(stats(h).used_bytes, payload(10));
}

/* ---- random stress with content patterns ---- */

#define STRESS_BYTES (1 << 19)
#define STRESS_LIVE  512

struct live {
	unsigned char *p;
	size_t n;
	uint8_t tag;
};

static size_t random_size(void)
{
	unsigned r = (unsigned)(rng() % 100);

	if (r < 70)
		return 1 + (size_t)(rng() % 128);
	if (r < 95)
		return 129 + (size_t)(rng() % 1920);
	return 2049 + (size_t)(rng() % 30000);
}

static void verify(const struct live *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->p[i] != (uint8_t)(l->tag + i))
			fail_msg("object %p byte %zu smashed", (void *)l->p, i);
}

static void fill(const struct live *l)
{
	for (size_t i = 0; i < l->n; i++)
		l->p[i] = (uint8_t)(l->tag + i);
}

static void check_all(const struct heap *h, const struct live *live, size_t n)
{
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		verify(&live[i]);
		used += payload(live[i].n);
	}
	/* Exact unless a block took a remainder too small to split off. */
	assert_true(stats(h).used_bytes >= used);
	assert_true(stats(h).used_bytes <= used + n * 32);
	assert_int_equal(heap_check(h), 0);
}

static void test_random_stress(void **state)
{
	struct fixture *f = *state;
	struct heap *h = mk(state, 0, STRESS_BYTES);
	static struct live live[STRESS_LIVE];
	size_t n = 0, allocs = 0, frees = 0, failures = 0;
	struct heap_stats st;

	rng_state = 0x0123456789abcdefull;
	for (int op = 0; op < 100000; op++) {
		if (n < STRESS_LIVE && rng() % 100 < 55) {
			struct live l = { .n = random_size(), .tag = (uint8_t)rng() };

			l.p = heap_alloc(h, l.n);
			if (!l.p) {
				failures++;
				continue;
			}
			allocs++;
			assert_aligned(l.p);
			assert_true((char *)l.p >= f->buf &&
				    (char *)l.p + l.n <= f->buf + STRESS_BYTES);
			fill(&l);
			live[n++] = l;
		} else if (n) {
			size_t i = (size_t)(rng() % n);

			verify(&live[i]);
			assert_int_equal(heap_free(h, live[i].p), 0);
			frees++;
			live[i] = live[--n];
		}
		if (op % 1000 == 0)
			check_all(h, live, n);
	}
	assert_true(failures > 0); /* the heap ran full at times */
	check_all(h, live, n);
	while (n) {
		assert_int_equal(heap_free(h, live[--n].p), 0);
		frees++;
	}
	st = stats(h);
	assert_int_equal(st.allocs, allocs);
	assert_int_equal(st.frees, frees);
	assert_int_equal(st.failures, failures);
	assert_int_equal(st.used_bytes, 0);
	assert_int_equal(st.free_bytes, STRESS_BYTES - 2 * HDR);
	assert_int_equal(st.largest_free_bytes, STRESS_BYTES - 2 * HDR);
	assert_int_equal(h->free_blocks, 1);
	assert_int_equal(h->bad_frees, 0);
	assert_int_equal(heap_check(h), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_stats),
		T(test_unaligned_odd_region),
		T(test_tiny_regions),
		T(test_zero_and_huge_requests),
		T(test_alignment_and_no_overlap),
		T(test_stats_exact),
		T(test_coalesce_prev_next_both),
		T(test_largest_free_scans_its_class),
		T(test_oom_and_exact_fit),
		T(test_fill_until_oom_then_free_all),
		T(test_fragmented_holes_reused),
		T(test_double_free_detected),
		T(test_peak),
		T(test_random_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
