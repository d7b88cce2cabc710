/* SPDX-License-Identifier: MIT */
/*
 * Translation tables with the 4 KiB granule, for stage 1 and stage 2
 * (see include/zvm/pgtable.h). Portable: built into both images and into
 * the host unit tests.
 */
#include <stdbool.h>
#include <zvm/kernel.h>
#include <zvm/pgtable.h>
#include <arch/barrier.h>

#define LAST_LEVEL 3
#define TYPE_BITS  (PGTABLE_VALID | PGTABLE_TABLE)
#define PA_LIMIT   (1ull << 48)

static unsigned level_shift(int level)
{
	return 12 + 9 * (LAST_LEVEL - level);
}

static uint64_t level_size(int level)
{
	return 1ull << level_shift(level);
}

/* Store to an entry a walker may read: one single-copy-atomic write. */
static void entry_set(uint64_t *e, uint64_t desc)
{
	*(volatile uint64_t *)e = desc;
}

static uint64_t *entry_of(uint64_t *table, int level, uint64_t va)
{
	return &table[(va >> level_shift(level)) % PGTABLE_ENTRIES];
}

/* Bytes from va to the end of its level entry, at most size. */
static uint64_t chunk_of(int level, uint64_t va, uint64_t size)
{
	uint64_t chunk = level_size(level) - (va & (level_size(level) - 1));

	return chunk < size ? chunk : size;
}

static bool is_table(uint64_t desc, int level)
{
	return level < LAST_LEVEL && (desc & TYPE_BITS) == TYPE_BITS;
}

static uint64_t *table_of(uint64_t desc)
{
	return (uint64_t *)(uintptr_t)(desc & PGTABLE_ADDR_MASK);
}

static uint64_t leaf_desc(int level, uint64_t pa, uint64_t attrs)
{
	return pa | attrs | PGTABLE_VALID | (level == LAST_LEVEL ? PGTABLE_TABLE : 0);
}

static uint64_t leaf_attrs_of(uint64_t desc)
{
	return desc & ~(PGTABLE_ADDR_MASK | TYPE_BITS);
}

/* Output address of va under the leaf desc of `level`. */
static uint64_t leaf_pa(uint64_t desc, int level, uint64_t va)
{
	uint64_t offset = level_size(level) - 1;

	return (desc & PGTABLE_ADDR_MASK & ~offset) | (va & offset);
}

/* Levels 1 and 2 hold blocks, level 3 pages; level 0 only tables. */
static bool block_fits(int level, uint64_t va, uint64_t pa, uint64_t size)
{
	uint64_t mask = level_size(level) - 1;

	return level >= 1 && !(va & mask) && !(pa & mask) && size >= level_size(level);
}

static uint64_t va_limit(const struct pgtable *pt)
{
	return level_size(pt->start_level) * PGTABLE_ENTRIES;
}

static bool range_ok(const struct pgtable *pt, uint64_t va, uint64_t size)
{
	uint64_t page = level_size(LAST_LEVEL) - 1;

	return pt->root && size && !(va & page) && !(size & page) && va < va_limit(pt) &&
	       size <= va_limit(pt) - va;
}

static uint64_t *table_new(struct pgtable *pt)
{
	uint64_t *t = pt->alloc_table(pt->ctx);

	if (!t)
		return NULL;
	for (int i = 0; i < PGTABLE_ENTRIES; i++)
		t[i] = 0;
	pt->nr_tables++;
	return t;
}

static void table_free(struct pgtable *pt, uint64_t *t)
{
	pt->nr_tables--;
	if (pt->free_table)
		pt->free_table(pt->ctx, t);
}

/* Point *e at t, after t's contents are visible to walkers. */
static void table_link(uint64_t *e, uint64_t *t)
{
	pgtable_sync();
	entry_set(e, (uint64_t)(uintptr_t)t | TYPE_BITS);
}

static bool table_empty(const uint64_t *t)
{
	for (int i = 0; i < PGTABLE_ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

static void tlb_flush(struct pgtable *pt)
{
	pgtable_sync();
	if (pt->tlb_flush)
		pt->tlb_flush(pt->ctx);
}

int pgtable_init(struct pgtable *pt)
{
	if (pt->start_level < 0 || pt->start_level > 1 || !pt->alloc_table)
		return K_EINVAL;
	pt->nr_tables = 0;
	pt->root = table_new(pt);
	if (!pt->root)
		return K_ENOMEM;
	pgtable_sync();
	return 0;
}

/* ---- map ---- */

/*
 * Can [va, va+size) map to pa with attrs? K_EINVAL when a valid leaf in
 * the range says otherwise; *mapped tells whether any leaf was found.
 */
static int check_level(const uint64_t *table, int level, uint64_t va, uint64_t pa, uint64_t size,
		       uint64_t attrs, bool *mapped)
{
	while (size) {
		uint64_t chunk = chunk_of(level, va, size);
		uint64_t desc = *entry_of((uint64_t *)table, level, va);
		int rc;

		if (is_table(desc, level)) {
			rc = check_level(table_of(desc), level + 1, va, pa, chunk, attrs, mapped);
			if (rc)
				return rc;
		} else if (desc & PGTABLE_VALID) {
			*mapped = true;
			if (leaf_pa(desc, level, va) != pa || leaf_attrs_of(desc) != attrs)
				return K_EINVAL;
		}
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
	return 0;
}

/* The table behind *e, created when *e is empty; NULL if out of tables. */
static uint64_t *table_get(struct pgtable *pt, uint64_t *e)
{
	uint64_t *t;

	if (*e)
		return table_of(*e);
	t = table_new(pt);
	if (t)
		table_link(e, t);
	return t;
}

/* Map a range that check_level() accepted; leaves in it are kept. */
static int map_level(struct pgtable *pt, uint64_t *table, int level, uint64_t va, uint64_t pa,
		     uint64_t size, uint64_t attrs)
{
	while (size) {
		uint64_t chunk = chunk_of(level, va, size);
		uint64_t *e = entry_of(table, level, va);

		if (!*e && block_fits(level, va, pa, chunk)) {
			entry_set(e, leaf_desc(level, pa, attrs));
		} else if (!*e || is_table(*e, level)) {
			uint64_t *next = table_get(pt, e);
			int rc;

			if (!next)
				return K_ENOMEM;
			rc = map_level(pt, next, level + 1, va, pa, chunk, attrs);
			if (rc)
				return rc;
		}
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
	return 0;
}

int pgtable_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t leaf_attrs)
{
	bool mapped = false;
	int rc;

	if (!range_ok(pt, va, size) || (pa & ~PGTABLE_ADDR_MASK) || size > PA_LIMIT - pa ||
	    (leaf_attrs & (PGTABLE_ADDR_MASK | TYPE_BITS)))
		return K_EINVAL;
	rc = check_level(pt->root, pt->start_level, va, pa, size, leaf_attrs, &mapped);
	if (rc)
		return rc;
	rc = map_level(pt, pt->root, pt->start_level, va, pa, size, leaf_attrs);
	pgtable_sync();
	if (rc && !mapped)
		pgtable_unmap(pt, va, size);
	return rc;
}

/* ---- unmap ---- */

/*
 * Tables detached from the tree wait here until the TLBs forgot them.
 * They are chained through their first entry: a 4 KiB aligned address,
 * which a stale walk reads as an invalid descriptor.
 */
struct graveyard {
	uint64_t *head;
};

static void grave_add(struct graveyard *g, uint64_t *t)
{
	entry_set(&t[0], (uint64_t)(uintptr_t)g->head);
	g->head = t;
}

/* Bury t and every table below it (children first: t[0] is overwritten). */
static void grave_add_tree(struct graveyard *g, uint64_t *t, int level)
{
	for (int i = 0; level < LAST_LEVEL && i < PGTABLE_ENTRIES; i++)
		if (is_table(t[i], level))
			grave_add_tree(g, table_of(t[i]), level + 1);
	grave_add(g, t);
}

static void grave_free(struct pgtable *pt, struct graveyard *g)
{
	while (g->head) {
		uint64_t *t = g->head;

		g->head = (uint64_t *)(uintptr_t)t[0];
		table_free(pt, t);
	}
}

/*
 * Replace the block at *e (of `level`) by a table of the next level that
 * maps the same, break-before-make. NULL when out of tables.
 */
static uint64_t *block_split(struct pgtable *pt, uint64_t *e, int level)
{
	uint64_t base = *e & PGTABLE_ADDR_MASK & ~(level_size(level) - 1);
	uint64_t attrs = leaf_attrs_of(*e);
	uint64_t step = level_size(level + 1);
	uint64_t *t = table_new(pt);

	if (!t)
		return NULL;
	for (int i = 0; i < PGTABLE_ENTRIES; i++)
		t[i] = leaf_desc(level + 1, base + i * step, attrs);
	entry_set(e, 0);
	tlb_flush(pt);
	table_link(e, t);
	return t;
}

static int unmap_level(struct pgtable *pt, uint64_t *table, int level, uint64_t va, uint64_t size,
		       struct graveyard *g)
{
	while (size) {
		uint64_t chunk = chunk_of(level, va, size);
		uint64_t *e = entry_of(table, level, va);
		uint64_t *next;
		int rc;

		if (!*e) {
			/* hole */
		} else if (chunk == level_size(level)) {
			if (is_table(*e, level))
				grave_add_tree(g, table_of(*e), level + 1);
			entry_set(e, 0);
		} else {
			next = is_table(*e, level) ? table_of(*e) : block_split(pt, e, level);
			if (!next)
				return K_ENOMEM;
			rc = unmap_level(pt, next, level + 1, va, chunk, g);
			if (table_empty(next)) {
				entry_set(e, 0);
				grave_add(g, next);
			}
			if (rc)
				return rc;
		}
		va += chunk;
		size -= chunk;
	}
	return 0;
}

int pgtable_unmap(struct pgtable *pt, uint64_t va, uint64_t size)
{
	struct graveyard g = { NULL };
	int rc;

	if (!range_ok(pt, va, size))
		return K_EINVAL;
	rc = unmap_level(pt, pt->root, pt->start_level, va, size, &g);
	tlb_flush(pt);
	grave_free(pt, &g);
	return rc;
}

/* ---- lookup, destroy ---- */

int pgtable_lookup(const struct pgtable *pt, uint64_t va, uint64_t *pa, uint64_t *leaf_attrs)
{
	const uint64_t *table = pt->root;

	if (!table || va >= va_limit(pt))
		return K_EINVAL;
	for (int level = pt->start_level; level <= LAST_LEVEL; level++) {
		uint64_t desc = *entry_of((uint64_t *)table, level, va);

		if (!(desc & PGTABLE_VALID))
			return K_EINVAL;
		if (is_table(desc, level)) {
			table = table_of(desc);
			continue;
		}
		if (pa)
			*pa = leaf_pa(desc, level, va);
		if (leaf_attrs)
			*leaf_attrs = leaf_attrs_of(desc);
		return 0;
	}
	return K_EINVAL; /* a level-3 entry without the page bit */
}

static void destroy_level(struct pgtable *pt, uint64_t *t, int level)
{
	for (int i = 0; level < LAST_LEVEL && i < PGTABLE_ENTRIES; i++)
		if (is_table(t[i], level))
			destroy_level(pt, table_of(t[i]), level + 1);
	table_free(pt, t);
}

void pgtable_destroy(struct pgtable *pt)
{
	if (!pt->root)
		return;
	destroy_level(pt, pt->root, pt->start_level);
	pt->root = NULL;
}
