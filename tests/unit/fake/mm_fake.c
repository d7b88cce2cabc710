/* SPDX-License-Identifier: MIT */
/*
 * Kernel memory for host tests (tests/unit/fake/fake.h): page_alloc and
 * k_malloc are the real buddy allocator and heap (kernel/buddy.c,
 * kernel/heap.c) over one host arena, as kernel/mm.c sets them up, plus an
 * injected failure on demand. Fresh memory is filled with 0x5a (neither
 * allocator clears it); a free of something never handed out fails the test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/buddy.h>
#include <zvm/heap.h>
#include <zvm/kernel.h>
#include <zvm/mm.h>
#include "fake.h"

#define ARENA_BYTES	(256ul << 20)	/* room for VM_MAX 16 MiB guests and more */
#define HEAP_ORDER	9		/* 2 MiB of heap */
#define JUNK		0x5a

static struct buddy pages;
static struct heap kheap;
static size_t fail_countdown;	/* 0: no failure planned */
static size_t alloc_calls;

static void mm_fake_init(void)
{
	static void *arena;
	size_t npages = ARENA_BYTES / PAGE_SIZE;
	void *heap_mem;

	if (arena)
		return;
	arena = aligned_alloc(ARENA_BYTES, ARENA_BYTES);
	buddy_init(&pages, (uintptr_t)arena, npages, calloc(1, buddy_meta_bytes(npages)));
	heap_mem = buddy_alloc(&pages, HEAP_ORDER);
	heap_init(&kheap, heap_mem, PAGE_SIZE << HEAP_ORDER);
}

/* Count the call; true if this is the one planned to fail. */
static bool alloc_fails(void)
{
	mm_fake_init();
	alloc_calls++;
	if (fail_countdown && --fail_countdown == 0)
		return true;
	return false;
}

static void bad_free(const char *what, const void *p)
{
	fprintf(stderr, "fake: %s(%p) of memory that was not handed out\n", what, p);
	abort();
}

void fake_alloc_fail_nth(size_t n)
{
	fail_countdown = n;
}

size_t fake_alloc_calls(void)
{
	return alloc_calls;
}

size_t fake_pages_used(void)
{
	mm_fake_init();
	return pages.total_pages - pages.free_pages - (1u << HEAP_ORDER);
}

size_t fake_heap_blocks_used(void)
{
	mm_fake_init();
	return kheap.allocs - kheap.frees;
}

void *page_alloc(size_t npages)
{
	void *p;

	if (!npages || alloc_fails())
		return NULL;
	p = buddy_alloc(&pages, buddy_order_for(npages));
	if (p)
		memset(p, JUNK, npages * PAGE_SIZE);
	return p;
}

void page_free(void *p, size_t npages)
{
	if (p && buddy_free(&pages, p, buddy_order_for(npages)) != 0)
		bad_free("page_free", p);
}

void page_zero(void *p, size_t bytes)
{
	memset(p, 0, bytes);
}

void page_stats_get(struct page_stats *st)
{
	mm_fake_init();
	buddy_stats(&pages, st);
}

void k_heap_stats_get(struct heap_stats *st)
{
	mm_fake_init();
	heap_stats(&kheap, st);
}

void *k_malloc(size_t size)
{
	void *p;

	if (!size || alloc_fails())
		return NULL;
	p = heap_alloc(&kheap, size);
	if (p)
		memset(p, JUNK, size);
	return p;
}

void *k_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return NULL;
	p = k_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void k_free(void *p)
{
	if (p && heap_free(&kheap, p) != 0)
		bad_free("k_free", p);
}
