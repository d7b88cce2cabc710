/* SPDX-License-Identifier: MIT */
/*
 * Binary buddy page allocator: a pure data structure over one range of
 * pages (no locks, no arch code, no allocation of its own).
 *
 * Blocks are aligned in absolute terms: a block of order k starts at an
 * address aligned to PAGE_SIZE << k, whatever the base of the range, so
 * that 2 MiB and 1 GiB blocks can be mapped with block descriptors.
 *
 * Free lists are intrusive: a free block holds its own list links in its
 * first bytes, so the managed memory must be writable. Per-page metadata
 * (buddy_meta_bytes(), one byte a page) is supplied by the caller.
 */
#ifndef ZVM_BUDDY_H
#define ZVM_BUDDY_H

#include <stddef.h>
#include <stdint.h>
#include <zvm/list.h>
#include <zvm/mm.h>

#define BUDDY_MAX_ORDER 19 /* orders 0..18; order 18 is 1 GiB */

struct buddy {
	uintptr_t base_pfn; /* first page frame managed */
	size_t npages;      /* pages managed from base_pfn */
	uint8_t *meta;      /* one byte a page, see buddy.c */
	uint32_t nonempty;  /* bit k set: free[k] is not empty */
	dlist_t free[BUDDY_MAX_ORDER];
	size_t total_pages; /* pages freed by buddy_init */
	size_t free_pages;
	size_t allocs;
	size_t frees;
	size_t failures;  /* buddy_alloc calls returning NULL */
	size_t bad_frees; /* buddy_free calls that returned -1 */
};

/** Bytes of metadata buddy_init() needs for a range of npages pages. */
size_t buddy_meta_bytes(size_t npages);

/**
 * Manage the npages pages starting at base (page aligned, any page
 * boundary). The range is freed as the largest aligned blocks that fit.
 * meta must hold buddy_meta_bytes(npages) bytes and stay reserved for the
 * allocator's lifetime. A page at address 0 is never handed out, since
 * its address would read as NULL.
 */
void buddy_init(struct buddy *b, uintptr_t base, size_t npages, void *meta);
/** Like buddy_init, but the pages of [hole, hole + hole_pages) are never handed out. */
void buddy_init_except(struct buddy *b, uintptr_t base, size_t npages, void *meta, uintptr_t hole,
		       size_t hole_pages);

/**
 * Allocate a block of 1 << order pages, aligned to PAGE_SIZE << order.
 * Returns NULL (and counts a failure) if order >= BUDDY_MAX_ORDER or no
 * block is free. O(log n).
 */
void *buddy_alloc(struct buddy *b, unsigned order);

/**
 * Free a block from buddy_alloc() with the same order, merging it with
 * free buddies. Returns 0, or -1 (and counts a bad free, changing
 * nothing) if p is not the start of a live block of that order: double
 * free, wrong order, foreign or interior pointer. O(log n).
 */
int buddy_free(struct buddy *b, void *p, unsigned order);

/** Smallest order whose block holds npages pages (0 for npages <= 1). */
unsigned buddy_order_for(size_t npages);

/** Statistics; largest_free_pages is the biggest block one call can get. */
void buddy_stats(const struct buddy *b, struct page_stats *st);

/**
 * Debug self-check, O(free blocks): every free list entry is a free block
 * head of its order inside the range, and the free list totals match
 * free_pages. Returns 0 if consistent, -1 otherwise.
 */
int buddy_check(const struct buddy *b);

#endif /* ZVM_BUDDY_H */
