/* SPDX-License-Identifier: MIT */
/*
 * Kernel memory: a page allocator for all RAM outside the image, and the
 * heap behind k_malloc/k_free. Both are SMP-safe (spinlock, IRQs masked)
 * and keep statistics for the `mem` shell command.
 */
#ifndef ZVM_MM_H
#define ZVM_MM_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ul << PAGE_SHIFT)

struct page_stats {
	size_t total_pages;
	size_t free_pages;
	size_t largest_free_pages; /* biggest block one call can return */
	size_t allocs;
	size_t frees;
	size_t failures;
};

struct heap_stats {
	size_t total_bytes;
	size_t used_bytes; /* payload handed out, incl. rounding */
	size_t free_bytes;
	size_t peak_used_bytes;
	size_t largest_free_bytes;
	size_t allocs;
	size_t frees;
	size_t failures;
};

/**
 * Hand the free RAM [start, end) to the page allocator, then take
 * heap_bytes of it for the heap. Called once, by the boot CPU.
 */
void mm_init(uintptr_t start, uintptr_t end, size_t heap_bytes);
/** mm_init, keeping [hole_start, hole_end) out of the allocator (blobs QEMU loaded). */
void mm_init_except(uintptr_t start, uintptr_t end, uintptr_t hole_start, uintptr_t hole_end,
		    size_t heap_bytes);

/**
 * Allocate npages contiguous pages, aligned to the power of two >= npages
 * pages (so a 2 MiB request is 2 MiB aligned). Returns NULL when out of
 * memory. Contents are not cleared.
 */
void *page_alloc(size_t npages);
/** Free pages from page_alloc; npages must be the value passed there. */
void page_free(void *p, size_t npages);
/** Zero `bytes` (a multiple of 64) at p (8-byte aligned): guest RAM, shared memory. */
void page_zero(void *p, size_t bytes);
void page_stats_get(struct page_stats *st);
void k_heap_stats_get(struct heap_stats *st);

#endif /* ZVM_MM_H */
