/* SPDX-License-Identifier: MIT */
/*
 * Two-level segregated fit heap.
 *
 * Block layout (all sizes are multiples of HEAP_ALIGN):
 *
 *   used:  | size|flags | magic | payload ...                        |
 *   free:  | size|flags | magic | dnode link | ...   | size (footer) |
 *
 * BLK_PREV_FREE in a header says the block before it is free, so its
 * footer can be read to find it. The region ends with a sentinel header
 * of size 0 that is never free, so the last block has a "used" neighbour.
 *
 * Size classes: blocks below SMALL_LIMIT have one list every 16 bytes
 * (first level 0); above, first level f covers [2^(f+7), 2^(f+8)) split
 * into HEAP_SL_COUNT equal second-level ranges.
 */
#include <string.h>
#include <zvm/heap.h>

struct hblock {
	size_t size;     /* whole block | BLK_* flags */
	uintptr_t magic; /* HEAP_MAGIC ^ block address */
};

#define BLK_FREE      0x1ul
#define BLK_PREV_FREE 0x2ul
#define BLK_FLAGS     (HEAP_ALIGN - 1ul)

#define HEAP_MAGIC  ((uintptr_t)0x5a564d48u) /* "ZVMH" */
#define HDR         sizeof(struct hblock)
#define ALIGN_LOG2  4
#define MIN_BLOCK   48ul /* header + link + footer, rounded up */
#define SMALL_LIMIT ((size_t)HEAP_SL_COUNT * HEAP_ALIGN)
#define FL_SHIFT    (HEAP_SL_LOG2 + ALIGN_LOG2 - 1)
#define MAX_BLOCK   (((size_t)1 << (HEAP_FL_COUNT + FL_SHIFT)) - HEAP_ALIGN)
/* Entries of the exact-size class tried when no class surely fits. */
#define FIT_SCAN    8

_Static_assert(HDR == HEAP_ALIGN, "header must keep payloads aligned");
_Static_assert(HDR + sizeof(struct dnode) + sizeof(size_t) <= MIN_BLOCK,
	       "a free block must hold its link and footer");
_Static_assert(HEAP_ALIGN == 1 << ALIGN_LOG2, "ALIGN_LOG2");

static inline size_t size_of(const struct hblock *b)
{
	return b->size & ~BLK_FLAGS;
}

static inline uintptr_t magic_of(const struct hblock *b)
{
	return HEAP_MAGIC ^ (uintptr_t)b;
}

static inline struct hblock *next_of(const struct hblock *b)
{
	return (struct hblock *)((char *)b + size_of(b));
}

static inline struct hblock *prev_of(const struct hblock *b)
{
	return (struct hblock *)((char *)b - ((const size_t *)b)[-1]);
}

static inline size_t *footer_of(const struct hblock *b)
{
	return (size_t *)((char *)b + size_of(b)) - 1;
}

static inline struct dnode *link_of(struct hblock *b)
{
	return (struct dnode *)(b + 1);
}

static inline struct hblock *block_of(struct dnode *n)
{
	return (struct hblock *)n - 1;
}

static inline unsigned log2_floor(size_t x)
{
	return (unsigned)(sizeof(unsigned long) * 8 - 1) -
	       (unsigned)__builtin_clzl((unsigned long)x);
}

static void mapping(size_t size, unsigned *fl, unsigned *sl)
{
	unsigned top;

	if (size < SMALL_LIMIT) {
		*fl = 0;
		*sl = (unsigned)(size >> ALIGN_LOG2);
		return;
	}
	top = log2_floor(size);
	*fl = top - FL_SHIFT;
	*sl = (unsigned)(size >> (top - HEAP_SL_LOG2)) & (HEAP_SL_COUNT - 1);
}

static void insert_free(struct heap *h, struct hblock *b)
{
	unsigned fl, sl;

	b->size |= BLK_FREE;
	*footer_of(b) = size_of(b);
	next_of(b)->size |= BLK_PREV_FREE;
	mapping(size_of(b), &fl, &sl);
	dlist_prepend(&h->free[fl][sl], link_of(b));
	h->fl_map |= 1u << fl;
	h->sl_map[fl] |= (uint16_t)(1u << sl);
	h->free_block_bytes += size_of(b);
	h->free_blocks++;
}

/* Take b off its list; its flags are left for the caller to set. */
static void remove_free(struct heap *h, struct hblock *b)
{
	unsigned fl, sl;

	mapping(size_of(b), &fl, &sl);
	dlist_remove(link_of(b));
	if (dlist_empty(&h->free[fl][sl])) {
		h->sl_map[fl] &= (uint16_t) ~(1u << sl);
		if (!h->sl_map[fl])
			h->fl_map &= ~(1u << fl);
	}
	h->free_block_bytes -= size_of(b);
	h->free_blocks--;
}

static void mark_used(struct hblock *b)
{
	b->size &= ~BLK_FREE;
	next_of(b)->size &= ~BLK_PREV_FREE;
}

void heap_init(struct heap *h, void *mem, size_t bytes)
{
	uintptr_t lo = ((uintptr_t)mem + HEAP_ALIGN - 1) & ~BLK_FLAGS;
	uintptr_t hi = ((uintptr_t)mem + bytes) & ~BLK_FLAGS;
	struct hblock *first = (struct hblock *)lo;
	size_t size;

	memset(h, 0, sizeof(*h));
	for (unsigned f = 0; f < HEAP_FL_COUNT; f++)
		for (unsigned s = 0; s < HEAP_SL_COUNT; s++)
			dlist_init(&h->free[f][s]);
	if (hi <= lo || hi - lo < MIN_BLOCK + HDR)
		return;
	size = hi - lo - HDR;
	if (size > MAX_BLOCK)
		size = MAX_BLOCK;
	h->start = (char *)first;
	h->end = h->start + size;
	first->size = size;
	first->magic = magic_of(first);
	((struct hblock *)h->end)->size = 0;
	((struct hblock *)h->end)->magic = magic_of((struct hblock *)h->end);
	h->total_bytes = size + HDR;
	insert_free(h, first);
}

/* Block size serving a request of bytes, or 0 if none can. */
static size_t block_size_for(size_t bytes)
{
	size_t size;

	if (bytes > MAX_BLOCK - HDR)
		return 0;
	size = (bytes + HDR + HEAP_ALIGN - 1) & ~BLK_FLAGS;
	return size < MIN_BLOCK ? MIN_BLOCK : size;
}

/* Head of the first non-empty list at class (fl, sl) or above. */
static struct hblock *first_from(struct heap *h, unsigned fl, unsigned sl)
{
	uint32_t sl_map, fl_map;

	if (fl >= HEAP_FL_COUNT)
		return NULL;
	sl_map = h->sl_map[fl] & (~0u << sl);
	if (!sl_map) {
		fl_map = h->fl_map & (~0u << (fl + 1));
		if (!fl_map)
			return NULL;
		fl = (unsigned)__builtin_ctz(fl_map);
		sl_map = h->sl_map[fl];
	}
	sl = (unsigned)__builtin_ctz(sl_map);
	return block_of(dlist_first(&h->free[fl][sl]));
}

/* Last resort: a few blocks of size's own class, which may be too small. */
static struct hblock *scan_class(struct heap *h, size_t size)
{
	struct dnode *n;
	unsigned fl, sl, left = FIT_SCAN;

	mapping(size, &fl, &sl);
	DLIST_FOR_EACH(&h->free[fl][sl], n)
	{
		if (size_of(block_of(n)) >= size)
			return block_of(n);
		if (!--left)
			break;
	}
	return NULL;
}

/*
 * Good fit: round size up to the next class boundary so that any block of
 * the class found fits without walking its list.
 */
static struct hblock *find_fit(struct heap *h, size_t size)
{
	size_t target = size;
	unsigned fl, sl;
	struct hblock *b;

	if (size >= SMALL_LIMIT)
		target += ((size_t)1 << (log2_floor(size) - HEAP_SL_LOG2)) - 1;
	mapping(target, &fl, &sl);
	b = first_from(h, fl, sl);
	return b ? b : scan_class(h, size);
}

/* Cut b (off the lists) to size, returning the tail to the lists. */
static void split(struct heap *h, struct hblock *b, size_t size)
{
	size_t rest = size_of(b) - size;
	struct hblock *tail;

	if (rest < MIN_BLOCK)
		return;
	b->size -= rest;
	tail = next_of(b);
	tail->size = rest; /* its previous block, b, is about to be used */
	tail->magic = magic_of(tail);
	insert_free(h, tail);
}

void *heap_alloc(struct heap *h, size_t bytes)
{
	size_t size = block_size_for(bytes);
	struct hblock *b;

	if (!bytes)
		return NULL;
	b = size ? find_fit(h, size) : NULL;
	if (!b) {
		h->failures++;
		return NULL;
	}
	remove_free(h, b);
	split(h, b, size);
	mark_used(b);
	h->used_bytes += size_of(b) - HDR;
	if (h->used_bytes > h->peak_used_bytes)
		h->peak_used_bytes = h->used_bytes;
	h->allocs++;
	return b + 1;
}

/* The header of p if p is a live allocation of h, else NULL. */
static struct hblock *live_block(const struct heap *h, void *p)
{
	uintptr_t a = (uintptr_t)p;
	struct hblock *b = (struct hblock *)p - 1;

	if ((a & BLK_FLAGS) || a < (uintptr_t)h->start + HDR || a > (uintptr_t)h->end)
		return NULL;
	if (b->magic != magic_of(b) || (b->size & BLK_FREE))
		return NULL;
	if (size_of(b) < MIN_BLOCK || size_of(b) > (size_t)(h->end - (char *)b))
		return NULL;
	return b;
}

static struct hblock *merge_prev(struct heap *h, struct hblock *b)
{
	struct hblock *prev;

	if (!(b->size & BLK_PREV_FREE))
		return b;
	prev = prev_of(b);
	remove_free(h, prev);
	prev->size += size_of(b);
	return prev;
}

static void merge_next(struct heap *h, struct hblock *b)
{
	struct hblock *next = next_of(b);

	if (!(next->size & BLK_FREE))
		return;
	remove_free(h, next);
	b->size += size_of(next);
}

int heap_free(struct heap *h, void *p)
{
	struct hblock *b;

	if (!p)
		return 0;
	b = live_block(h, p);
	if (!b) {
		h->bad_frees++;
		return -1;
	}
	h->used_bytes -= size_of(b) - HDR;
	h->frees++;
	/* Marked first: a header swallowed by a merge still reads as free. */
	b->size |= BLK_FREE;
	b = merge_prev(h, b);
	merge_next(h, b);
	insert_free(h, b);
	return 0;
}

/* Payload of the biggest free block: the top non-empty list holds it. */
static size_t largest_free(const struct heap *h)
{
	const struct dnode *n;
	unsigned fl, sl;
	size_t max = 0;

	if (!h->fl_map)
		return 0;
	fl = 31 - (unsigned)__builtin_clz(h->fl_map);
	sl = 31 - (unsigned)__builtin_clz(h->sl_map[fl]);
	DLIST_FOR_EACH(&h->free[fl][sl], n)
	{
		size_t size = size_of(block_of((struct dnode *)n));

		if (size > max)
			max = size;
	}
	return max - HDR;
}

void heap_stats(const struct heap *h, struct heap_stats *st)
{
	st->total_bytes = h->total_bytes;
	st->used_bytes = h->used_bytes;
	st->free_bytes = h->free_block_bytes - h->free_blocks * HDR;
	st->peak_used_bytes = h->peak_used_bytes;
	st->largest_free_bytes = largest_free(h);
	st->allocs = h->allocs;
	st->frees = h->frees;
	st->failures = h->failures;
}

/* Totals gathered by heap_check's walk. */
struct walk {
	size_t used;
	size_t free_bytes;
	size_t free_blocks;
	unsigned long prev_free;
};

static int check_block(const struct heap *h, const struct hblock *b, struct walk *w)
{
	size_t size = size_of(b);
	unsigned fl, sl;

	if (b->magic != magic_of(b) || size < MIN_BLOCK ||
	    size > (size_t)(h->end - (const char *)b) || (b->size & BLK_PREV_FREE) != w->prev_free)
		return -1;
	w->prev_free = (b->size & BLK_FREE) ? BLK_PREV_FREE : 0;
	if (!(b->size & BLK_FREE)) {
		w->used += size - HDR;
		return 0;
	}
	mapping(size, &fl, &sl);
	if ((b->size & BLK_PREV_FREE) || *footer_of(b) != size ||
	    !dnode_linked(link_of((struct hblock *)b)) || !(h->sl_map[fl] & (1u << sl)))
		return -1; /* unmerged neighbours or lost from its list */
	w->free_bytes += size;
	w->free_blocks++;
	return 0;
}

static size_t listed_blocks(const struct heap *h)
{
	const struct dnode *n;
	size_t count = 0;

	for (unsigned f = 0; f < HEAP_FL_COUNT; f++)
		for (unsigned s = 0; s < HEAP_SL_COUNT; s++)
			DLIST_FOR_EACH(&h->free[f][s], n)
	count++;
	return count;
}

int heap_check(const struct heap *h)
{
	struct walk w = { 0, 0, 0, 0 };
	const struct hblock *b = (const struct hblock *)h->start;
	const struct hblock *end = (const struct hblock *)h->end;

	if (!h->start)
		return h->free_blocks || h->used_bytes ? -1 : 0;
	for (; b < end; b = next_of(b))
		if (check_block(h, b, &w))
			return -1;
	if (b != end || end->magic != magic_of(end) || end->size != w.prev_free)
		return -1;
	if (w.used != h->used_bytes || w.free_bytes != h->free_block_bytes ||
	    w.free_blocks != h->free_blocks)
		return -1;
	return listed_blocks(h) == w.free_blocks ? 0 : -1;
}
