/* SPDX-License-Identifier: MIT */
/*
 * Heap allocator over one memory region: a pure data structure (no locks).
 *
 * Two-level segregated fit: free blocks sit on one of
 * HEAP_FL_COUNT x HEAP_SL_COUNT lists by size class, found through two
 * levels of bitmaps, so heap_alloc and heap_free do bounded work whatever
 * the number of blocks. Every block has a 16-byte header (size, flags and
 * a magic tied to its address); free blocks also keep their size in their
 * last word so both neighbours are merged on free in O(1).
 *
 * Payloads are 16-byte aligned. A request costs its size rounded up to 16
 * plus the 16-byte header, at least 48 bytes.
 */
#ifndef ZVM_HEAP_H
#define ZVM_HEAP_H

#include <stddef.h>
#include <stdint.h>
#include <zvm/list.h>
#include <zvm/mm.h>

#define HEAP_ALIGN    16
#define HEAP_SL_LOG2  4
#define HEAP_SL_COUNT (1 << HEAP_SL_LOG2)
/* Size classes cover blocks below 8 GiB; a bigger region is cut there. */
#define HEAP_FL_COUNT 26

struct heap {
	char *start;                    /* first block */
	char *end;                      /* end-of-heap sentinel header */
	uint32_t fl_map;                /* bit f set: sl_map[f] is not 0 */
	uint16_t sl_map[HEAP_FL_COUNT]; /* bit s set: free[f][s] not empty */
	dlist_t free[HEAP_FL_COUNT][HEAP_SL_COUNT];
	size_t total_bytes; /* region used, headers included */
	size_t used_bytes;  /* payload of allocated blocks */
	size_t peak_used_bytes;
	size_t free_block_bytes; /* free blocks, headers included */
	size_t free_blocks;
	size_t allocs;
	size_t frees;
	size_t failures;  /* heap_alloc calls returning NULL */
	size_t bad_frees; /* heap_free calls that returned -1 */
};

/**
 * Manage the bytes at mem (any alignment; the ends are trimmed to 16
 * bytes). A region too small for one block gives a heap whose every
 * allocation fails.
 */
void heap_init(struct heap *h, void *mem, size_t bytes);

/**
 * Allocate bytes (16-byte aligned, not cleared). Returns NULL for 0 bytes
 * (not counted as a failure), or NULL and counts a failure when no free
 * block is big enough. Bounded time: a free block is taken from a size
 * class that surely fits; failing that, only the first 8 blocks of the
 * request's own class are tried, so a request within 1/16 of the size
 * of the biggest free block can fail if that block is further down.
 */
void *heap_alloc(struct heap *h, size_t bytes);

/**
 * Free p from heap_alloc, merging it with free neighbours. NULL is a
 * no-op returning 0. A pointer that is not a live allocation (double
 * free, foreign or interior pointer, smashed header) is detected where
 * the header shows it: nothing changes, bad_frees is counted and -1
 * returned. Bounded time.
 */
int heap_free(struct heap *h, void *p);

/**
 * Statistics. used_bytes and free_bytes count payload, not headers:
 * total_bytes = used_bytes + free_bytes + 16 * (blocks + 1).
 * largest_free_bytes is the payload of the biggest free block.
 */
void heap_stats(const struct heap *h, struct heap_stats *st);

/**
 * Debug self-check, O(blocks): walks every block checking headers,
 * boundary tags, that no two free blocks are adjacent and that the
 * counters match. Returns 0 if consistent, -1 otherwise.
 */
int heap_check(const struct heap *h);

#endif /* ZVM_HEAP_H */
