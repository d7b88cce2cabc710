/* SPDX-License-Identifier: MIT */
/*
 * Kernel memory: the buddy page allocator over all free RAM and the heap
 * behind k_malloc, each behind its own spinlock.
 *
 * mm_init() lays the RAM out as:
 *
 *   start: buddy metadata (one byte a page, rounded up to whole pages)
 *          pages managed by the buddy, the heap among them
 *   end
 *
 * The heap is one buddy block, so it gets heap_bytes rounded up to a
 * power of two pages.
 */
#include <string.h>
#include <zvm/buddy.h>
#include <zvm/heap.h>
#include <zvm/kernel.h>
#include <zvm/mm.h>
#include <zvm/spinlock.h>

static struct buddy pages;
static struct heap kheap;
static k_spinlock_t pages_lock;
static k_spinlock_t heap_lock;

static uintptr_t page_round_up(uintptr_t a)
{
	return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

void mm_init(uintptr_t start, uintptr_t end, size_t heap_bytes)
{
	mm_init_except(start, end, 0, 0, heap_bytes);
}

void mm_init_except(uintptr_t start, uintptr_t end, uintptr_t hole_start, uintptr_t hole_end,
		    size_t heap_bytes)
{
	size_t npages, meta_pages;
	unsigned heap_order;
	void *heap_mem;

	start = page_round_up(start);
	end &= ~(PAGE_SIZE - 1);
	npages = end > start ? (end - start) >> PAGE_SHIFT : 0;
	/* Metadata for the whole range: a slight overestimate, never short. */
	meta_pages = page_round_up(buddy_meta_bytes(npages)) >> PAGE_SHIFT;
	if (meta_pages >= npages)
		meta_pages = npages;
	hole_start &= ~(PAGE_SIZE - 1);
	buddy_init_except(&pages, start + (meta_pages << PAGE_SHIFT), npages - meta_pages,
			  (void *)start, hole_start,
			  hole_end > hole_start ? page_round_up(hole_end - hole_start) >> PAGE_SHIFT
						: 0);

	heap_order = buddy_order_for(page_round_up(heap_bytes) >> PAGE_SHIFT);
	heap_mem = buddy_alloc(&pages, heap_order);
	heap_init(&kheap, heap_mem, heap_mem ? PAGE_SIZE << heap_order : 0);
}

void *page_alloc(size_t npages)
{
	k_spinlock_key_t key;
	void *p;

	if (!npages)
		return NULL;
	key = k_spin_lock(&pages_lock);
	p = buddy_alloc(&pages, buddy_order_for(npages));
	k_spin_unlock(&pages_lock, key);
	return p;
}

void page_free(void *p, size_t npages)
{
	k_spinlock_key_t key;

	if (!p)
		return;
	key = k_spin_lock(&pages_lock);
	/* A bad pointer is refused and counted in pages.bad_frees. */
	(void)buddy_free(&pages, p, buddy_order_for(npages));
	k_spin_unlock(&pages_lock, key);
}

void page_stats_get(struct page_stats *st)
{
	k_spinlock_key_t key = k_spin_lock(&pages_lock);

	buddy_stats(&pages, st);
	k_spin_unlock(&pages_lock, key);
}

void k_heap_stats_get(struct heap_stats *st)
{
	k_spinlock_key_t key = k_spin_lock(&heap_lock);

	heap_stats(&kheap, st);
	k_spin_unlock(&heap_lock, key);
}

void *k_malloc(size_t size)
{
	k_spinlock_key_t key;
	void *p;

	if (!size)
		return NULL;
	key = k_spin_lock(&heap_lock);
	p = heap_alloc(&kheap, size);
	k_spin_unlock(&heap_lock, key);
	return p;
}

void *k_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return k_malloc((size_t)-1); /* fails and counts a failure */
	p = k_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void k_free(void *p)
{
	k_spinlock_key_t key;

	if (!p)
		return;
	key = k_spin_lock(&heap_lock);
	/* A bad pointer is refused and counted in kheap.bad_frees. */
	(void)heap_free(&kheap, p);
	k_spin_unlock(&heap_lock, key);
}

/*
 * picolibc's memset in this build stores a byte at a time (it is built for
 * size): zeroing a 512 MiB guest took seconds. Eight 64-bit stores per step,
 * and GCC must not turn the loop back into a memset call.
 */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) void page_zero(void *p, size_t bytes)
{
	uint64_t *w = p;

	for (size_t n = bytes / 64; n; n--, w += 8) {
		w[0] = 0;
		w[1] = 0;
		w[2] = 0;
		w[3] = 0;
		w[4] = 0;
		w[5] = 0;
		w[6] = 0;
		w[7] = 0;
	}
}
