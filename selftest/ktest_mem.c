/*
 * Memory self-test: the heap and the page allocator hammered from every
 * CPU at once, each block filled with a pattern and checked before it is
 * freed, and the statistics back exactly where they started.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/heap.h>
#include <zvm/kernel.h>
#include <zvm/mm.h>
#include "ktest_util.h"

#define MEM_OPS		1000	/* per thread */
#define MEM_SLOTS	32	/* blocks a thread holds at most */
#define MEM_SMALL_MAX	256
#define MEM_LARGE_MAX	4096
#define MEM_PAGES_MAX	8
#define MEM_JOIN_MS	30000	/* generous: 4 vCPUs contend for two locks */

struct mem_block {
	uint64_t *p;
	size_t bytes;
	size_t pages;		/* 0 for a k_malloc block */
	uint64_t tag;
};

struct mem_worker {
	int cpu;
	uint32_t seed;
	unsigned mallocs, page_allocs;
	unsigned nulls, misaligned, corrupt;
	struct mem_block slot[MEM_SLOTS];
};

static struct mem_worker workers[K_MAX_CPUS];

/* Word i of a block: depends on its owner, its allocation and i. */
static inline uint64_t pattern(uint64_t tag, size_t i)
{
	return tag ^ (i * 0x9e3779b97f4a7c15ull);
}

static void fill(struct mem_block *b)
{
	size_t words = b->bytes / 8;
	unsigned char *tail = (unsigned char *)(b->p + words);

	for (size_t i = 0; i < words; i++)
		b->p[i] = pattern(b->tag, i);
	for (size_t i = 0; i < b->bytes % 8; i++)
		tail[i] = (unsigned char)(b->tag >> (8 * i));
}

static bool intact(const struct mem_block *b)
{
	size_t words = b->bytes / 8;
	const unsigned char *tail = (const unsigned char *)(b->p + words);

	for (size_t i = 0; i < words; i++)
		if (b->p[i] != pattern(b->tag, i))
			return false;
	for (size_t i = 0; i < b->bytes % 8; i++)
		if (tail[i] != (unsigned char)(b->tag >> (8 * i)))
			return false;
	return true;
}

/* Pages come aligned to the power of two at or above their count. */
static bool aligned(const struct mem_block *b)
{
	size_t align = HEAP_ALIGN;

	if (b->pages) {
		align = PAGE_SIZE;
		while (align < b->pages * PAGE_SIZE)
			align <<= 1;
	}
	return ((uintptr_t)b->p & (align - 1)) == 0;
}

static void mem_alloc(struct mem_worker *w, struct mem_block *b, uint64_t tag)
{
	uint32_t r = kt_rand(&w->seed);

	b->tag = tag;
	if (r % 4 == 0) {
		b->pages = 1 + (r >> 8) % MEM_PAGES_MAX;
		b->bytes = b->pages * PAGE_SIZE;
		b->p = page_alloc(b->pages);
		w->page_allocs++;
	} else {
		b->pages = 0;
		b->bytes = 1 + (r >> 8) % (r % 4 == 1 ? MEM_LARGE_MAX : MEM_SMALL_MAX);
		b->p = k_malloc(b->bytes);
		w->mallocs++;
	}
	if (!b->p) {
		w->nulls++;
		return;
	}
	if (!aligned(b))
		w->misaligned++;
	fill(b);
}

static void mem_free(struct mem_worker *w, struct mem_block *b)
{
	if (!b->p)
		return;
	if (!intact(b))
		w->corrupt++;
	if (b->pages)
		page_free(b->p, b->pages);
	else
		k_free(b->p);
	b->p = NULL;
}

static void mem_worker_main(void *arg)
{
	struct mem_worker *w = arg;

	for (uint32_t op = 0; op < MEM_OPS; op++) {
		struct mem_block *b = &w->slot[kt_rand(&w->seed) % MEM_SLOTS];

		if (b->p)
			mem_free(w, b);
		else
			mem_alloc(w, b, ((uint64_t)w->cpu << 56) | ((uint64_t)op << 24) | w->seed);
	}
	for (int i = 0; i < MEM_SLOTS; i++)
		mem_free(w, &w->slot[i]);
}

static int mem_check_workers(int n)
{
	for (int i = 0; i < n; i++) {
		struct mem_worker *w = &workers[i];

		printf("ktest: mem_stress: cpu%d: %u k_malloc, %u page_alloc\n", w->cpu,
		       w->mallocs, w->page_allocs);
		KT_CHECK(!w->nulls, "cpu%d: %u allocations failed", w->cpu, w->nulls);
		KT_CHECK(!w->misaligned, "cpu%d: %u blocks misaligned", w->cpu, w->misaligned);
		KT_CHECK(!w->corrupt, "cpu%d: %u blocks overwritten while held", w->cpu,
			 w->corrupt);
	}
	return 0;
}

static int mem_check_stats(const struct heap_stats *h0, const struct page_stats *p0)
{
	struct heap_stats h1;
	struct page_stats p1;

	k_heap_stats_get(&h1);
	page_stats_get(&p1);
	KT_CHECK(h1.used_bytes == h0->used_bytes, "heap used %zu bytes, %zu before",
		 h1.used_bytes, h0->used_bytes);
	KT_CHECK(h1.allocs - h1.frees == h0->allocs - h0->frees,
		 "heap: %zu blocks live, %zu before", h1.allocs - h1.frees,
		 h0->allocs - h0->frees);
	KT_CHECK(h1.largest_free_bytes == h0->largest_free_bytes,
		 "heap largest free block %zu bytes, %zu before (not coalesced?)",
		 h1.largest_free_bytes, h0->largest_free_bytes);
	KT_CHECK(p1.free_pages == p0->free_pages, "%zu free pages, %zu before",
		 p1.free_pages, p0->free_pages);
	KT_CHECK(p1.largest_free_pages == p0->largest_free_pages,
		 "largest free page block %zu pages, %zu before (not merged?)",
		 p1.largest_free_pages, p0->largest_free_pages);
	KT_CHECK(h1.failures == h0->failures && p1.failures == p0->failures,
		 "allocation failures: heap %zu, pages %zu", h1.failures - h0->failures,
		 p1.failures - p0->failures);
	return 0;
}

static int mem_driver(void)
{
	struct k_thread *t[K_MAX_CPUS];
	struct heap_stats h0;
	struct page_stats p0;
	int n = kt_num_cpus(), err = 0;
	uint64_t t0;

	memset(workers, 0, sizeof(workers));
	k_heap_stats_get(&h0);
	page_stats_get(&p0);
	t0 = k_cycle_get();
	for (int i = 0; i < n; i++) {
		workers[i].cpu = kt_cpu(i);
		workers[i].seed = 0x6d656d00u + (uint32_t)i;	/* fixed: reproducible */
		t[i] = kt_spawn("mem", mem_worker_main, &workers[i], 10, kt_cpu(i));
	}
	for (int i = 0; i < n; i++)
		err |= kt_join(t[i], MEM_JOIN_MS);
	KT_CHECK(!err, "workers did not finish");
	printf("ktest: mem_stress: %d threads x %u operations in %llu us\n", n, MEM_OPS,
	       (unsigned long long)kt_us_since(t0));
	if (mem_check_workers(n))
		return -1;
	return mem_check_stats(&h0, &p0);
}

/*
 * One thread per CPU, all at once, makes 1000 random allocations or frees
 * (k_malloc of 1-4096 bytes, page_alloc of 1-8 pages) with a fixed seed,
 * filling each block with a pattern of its own and checking it before
 * freeing it. No allocation fails, every block is aligned and intact, and
 * afterwards the heap's used bytes, live blocks and largest free block and
 * the free pages and largest free page block are exactly as before.
 */
KT_CASE(mem_stress)
{
	return kt_run_driver(mem_driver, 2 * MEM_JOIN_MS);
}
