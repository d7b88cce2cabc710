/* SPDX-License-Identifier: MIT */
/*
 * Binary buddy page allocator.
 *
 * Each page has one metadata byte. The byte of the first page of a block
 * (its head) says whether the block is free or allocated and its order;
 * every other page's byte is META_NONE. Keeping non-head bytes at
 * META_NONE is what makes buddy_free's validation sound: a stale
 * "allocated, order k" byte left inside a merged block would let a double
 * free through.
 *
 * Buddies are found by page frame number, not by offset from the base,
 * which is what makes the alignment of blocks absolute.
 */
#include <stdbool.h>
#include <string.h>
#include <zvm/buddy.h>

#define META_NONE 0x00
#define META_FREE 0x80
#define META_USED 0x40

static inline size_t pages_of(unsigned order)
{
	return (size_t)1 << order;
}

static inline struct dnode *node_of(uintptr_t pfn)
{
	return (struct dnode *)(pfn << PAGE_SHIFT);
}

static inline uintptr_t pfn_of(const void *p)
{
	return (uintptr_t)p >> PAGE_SHIFT;
}

static inline int in_range(const struct buddy *b, uintptr_t pfn)
{
	return pfn >= b->base_pfn && pfn - b->base_pfn < b->npages;
}

static inline uint8_t *meta_of(const struct buddy *b, uintptr_t pfn)
{
	return &b->meta[pfn - b->base_pfn];
}

static int is_free_head(const struct buddy *b, uintptr_t pfn, unsigned order)
{
	return in_range(b, pfn) && *meta_of(b, pfn) == (META_FREE | order);
}

/*
 * Freed blocks go to the head of their list (recently used, cache warm);
 * init queues them at the tail so the bottom of the range is used first.
 */
static void push_free(struct buddy *b, uintptr_t pfn, unsigned order, bool at_tail)
{
	*meta_of(b, pfn) = META_FREE | order;
	if (at_tail)
		dlist_append(&b->free[order], node_of(pfn));
	else
		dlist_prepend(&b->free[order], node_of(pfn));
	b->nonempty |= 1u << order;
}

static void remove_free(struct buddy *b, uintptr_t pfn, unsigned order)
{
	*meta_of(b, pfn) = META_NONE;
	dlist_remove(node_of(pfn));
	if (dlist_empty(&b->free[order]))
		b->nonempty &= ~(1u << order);
}

size_t buddy_meta_bytes(size_t npages)
{
	return npages;
}

/* Largest order of a block that starts at pfn and fits in left pages. */
static unsigned largest_order_at(uintptr_t pfn, size_t left)
{
	unsigned order = BUDDY_MAX_ORDER - 1;

	while ((pfn & (pages_of(order) - 1)) || pages_of(order) > left)
		order--;
	return order;
}

/* Hand [pfn, end) to the free lists as the largest aligned blocks that fit. */
static void free_range(struct buddy *b, uintptr_t pfn, uintptr_t end)
{
	if (pfn == 0)
		pfn = 1; /* address 0 would read as NULL */
	while (pfn < end) {
		unsigned order = largest_order_at(pfn, end - pfn);

		push_free(b, pfn, order, true);
		b->total_pages += pages_of(order);
		pfn += pages_of(order);
	}
	b->free_pages = b->total_pages;
}

void buddy_init(struct buddy *b, uintptr_t base, size_t npages, void *meta)
{
	buddy_init_except(b, base, npages, meta, 0, 0);
}

void buddy_init_except(struct buddy *b, uintptr_t base, size_t npages, void *meta, uintptr_t hole,
		       size_t hole_pages)
{
	uintptr_t pfn = base >> PAGE_SHIFT;
	uintptr_t end = pfn + npages;
	uintptr_t hole_pfn = hole >> PAGE_SHIFT;

	memset(b, 0, sizeof(*b));
	b->base_pfn = pfn;
	b->npages = npages;
	b->meta = meta;
	for (unsigned i = 0; i < BUDDY_MAX_ORDER; i++)
		dlist_init(&b->free[i]);
	if (npages)
		memset(meta, META_NONE, buddy_meta_bytes(npages));
	if (!hole_pages || hole_pfn >= end || hole_pfn + hole_pages <= pfn) {
		free_range(b, pfn, end);
		return;
	}
	free_range(b, pfn, hole_pfn > pfn ? hole_pfn : pfn);
	free_range(b, hole_pfn + hole_pages < end ? hole_pfn + hole_pages : end, end);
}

void *buddy_alloc(struct buddy *b, unsigned order)
{
	uint32_t fits = 0;
	unsigned k;
	uintptr_t pfn;

	if (order < BUDDY_MAX_ORDER)
		fits = b->nonempty & ~((1u << order) - 1);
	if (!fits) {
		b->failures++;
		return NULL;
	}
	k = (unsigned)__builtin_ctz(fits); /* smallest block that fits */
	pfn = pfn_of(dlist_first(&b->free[k]));
	remove_free(b, pfn, k);
	while (k > order) { /* give back the upper halves */
		k--;
		push_free(b, pfn + pages_of(k), k, false);
	}
	*meta_of(b, pfn) = META_USED | order;
	b->free_pages -= pages_of(order);
	b->allocs++;
	return (void *)(pfn << PAGE_SHIFT);
}

static int is_live_block(const struct buddy *b, const void *p, unsigned order)
{
	uintptr_t addr = (uintptr_t)p;

	return order < BUDDY_MAX_ORDER && addr && !(addr & (PAGE_SIZE - 1)) &&
	       in_range(b, pfn_of(p)) && *meta_of(b, pfn_of(p)) == (META_USED | order);
}

int buddy_free(struct buddy *b, void *p, unsigned order)
{
	uintptr_t pfn = pfn_of(p);

	if (!is_live_block(b, p, order)) {
		b->bad_frees++;
		return -1;
	}
	*meta_of(b, pfn) = META_NONE;
	b->free_pages += pages_of(order);
	b->frees++;
	while (order < BUDDY_MAX_ORDER - 1) {
		uintptr_t buddy = pfn ^ pages_of(order);

		if (!is_free_head(b, buddy, order))
			break;
		remove_free(b, buddy, order);
		pfn &= ~pages_of(order); /* the lower of the two */
		order++;
	}
	push_free(b, pfn, order, false);
	return 0;
}

unsigned buddy_order_for(size_t npages)
{
	if (npages <= 1)
		return 0;
	return (unsigned)(sizeof(unsigned long) * 8) -
	       (unsigned)__builtin_clzl((unsigned long)(npages - 1));
}

void buddy_stats(const struct buddy *b, struct page_stats *st)
{
	st->total_pages = b->total_pages;
	st->free_pages = b->free_pages;
	st->largest_free_pages =
		b->nonempty ? pages_of(31 - (unsigned)__builtin_clz(b->nonempty)) : 0;
	st->allocs = b->allocs;
	st->frees = b->frees;
	st->failures = b->failures;
}

/* Pages on free[order], or -1 if an entry is not a free head of it. */
static long check_list(const struct buddy *b, unsigned order)
{
	const struct dnode *n;
	long pages = 0;

	DLIST_FOR_EACH(&b->free[order], n)
	{
		if (!is_free_head(b, pfn_of(n), order) || (pfn_of(n) & (pages_of(order) - 1)))
			return -1;
		pages += (long)pages_of(order);
	}
	return pages;
}

int buddy_check(const struct buddy *b)
{
	size_t pages = 0;

	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
		long n = check_list(b, k);

		if (n < 0 || !n != !(b->nonempty & (1u << k)))
			return -1;
		pages += (size_t)n;
	}
	return pages == b->free_pages ? 0 : -1;
}
