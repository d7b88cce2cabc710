/* SPDX-License-Identifier: MIT */
/*
 * A translation-table builder for the AArch64 VMSA with the 4 KiB granule,
 * shared by the EL2 stage-1 map (arch/arm64/mmu.c) and stage 2 (virt/vmem.c).
 *
 * Only what both stages have in common is known here: descriptor bit 0
 * (valid), bit 1 (table at levels 0-2, page at level 3) and the output
 * address in bits [47:12]. Every other bit of a leaf (memory attributes,
 * access permissions, AF, XN...) is the caller's `leaf_attrs`, stored and
 * returned untouched. Blocks are 1 GiB at level 1 and 2 MiB at level 2.
 *
 * Tables are identity mapped: a table's address is also its physical
 * address. Table memory is written with plain stores, then pgtable_sync()
 * (arch/barrier.h) publishes them to the table walkers.
 *
 * Not thread safe: the owner of a table serialises calls on it.
 */
#ifndef ZVM_PGTABLE_H
#define ZVM_PGTABLE_H

#include <stddef.h>
#include <stdint.h>

#define PGTABLE_ENTRIES   512
#define PGTABLE_VALID     (1ull << 0)
#define PGTABLE_TABLE     (1ull << 1) /* table, or page at level 3 */
#define PGTABLE_ADDR_MASK 0x0000fffffffff000ull

struct pgtable {
	uint64_t *root;  /* table of start_level; NULL before init */
	int start_level; /* 0 (48-bit VA) or 1 (39-bit VA) */
	/* A 4 KiB aligned page for a table, or NULL; need not be zeroed. */
	uint64_t *(*alloc_table)(void *ctx);
	/* Give a table back; NULL when tables are never returned. */
	void (*free_table)(void *ctx, uint64_t *t);
	/*
	 * Optional: invalidate every TLB and walk-cache entry that may come
	 * from this table. Called by pgtable_unmap after removing entries,
	 * before any table is freed, and between the break and the make of
	 * a block split. Without it the caller owns TLB maintenance and
	 * must keep walkers off the table while it changes.
	 */
	void (*tlb_flush)(void *ctx);
	void *ctx;
	size_t nr_tables; /* tables allocated, root included */
};

/**
 * Allocate the root table. The caller has set start_level, the
 * callbacks and ctx. Returns 0, K_EINVAL for a bad start level or
 * K_ENOMEM.
 */
int pgtable_init(struct pgtable *pt);

/**
 * Map [va, va+size) to [pa, pa+size) with leaf_attrs, using the largest
 * blocks that the alignment of va, pa and size allows (1 GiB, 2 MiB,
 * 4 KiB pages). Parts of the range that already map to the same output
 * address with the same attributes are accepted as they are; any other
 * valid mapping in the range is refused and leaves the table unchanged.
 * Existing blocks are never split. Returns 0, K_EINVAL for unaligned or
 * out-of-range arguments, leaf_attrs holding address/valid/type bits, or
 * a conflicting mapping, K_ENOMEM when out of tables (what this call
 * mapped is then removed again, unless part of the range was mapped
 * before the call).
 */
int pgtable_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t leaf_attrs);

/**
 * Unmap [va, va+size); holes in the range are fine. A block partly inside
 * the range is split into the next level first, so the rest of it stays
 * mapped; tables that become empty are freed (the root never is).
 * Returns 0, K_EINVAL for bad arguments, K_ENOMEM when a split found no
 * table (the range up to that block is unmapped, the block still mapped).
 */
int pgtable_unmap(struct pgtable *pt, uint64_t va, uint64_t size);

/**
 * Translate va: its output address in *pa and the leaf's attributes (as
 * passed to pgtable_map) in *leaf_attrs; either pointer may be NULL.
 * Returns 0, or K_EINVAL when va is not mapped.
 */
int pgtable_lookup(const struct pgtable *pt, uint64_t va, uint64_t *pa, uint64_t *leaf_attrs);

/** Free every table, root included; pt->root becomes NULL. */
void pgtable_destroy(struct pgtable *pt);

#endif /* ZVM_PGTABLE_H */
