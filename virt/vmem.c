/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 translation of a VM (include/zvm/vmem.h) on top of the shared
 * table builder (kernel/pgtable.c). Tables are pages from page_alloc.
 *
 * Stage-2 leaf attributes: MemAttr[5:2] (0b1111 normal write-back
 * inner/outer, 0b0001 Device-nGnRE), S2AP[7:6] (bit 6 read, bit 7 write),
 * SH[9:8] inner shareable for normal memory, AF[10], XN[54].
 *
 * Callers serialise calls on one vmem. vmem_unmap invalidates the TLBs of
 * every VMID itself (a rare operation), so that no freed table page stays
 * reachable from a walk cache.
 */
#include <stdbool.h>
#include <zvm/kernel.h>
#include <zvm/mm.h>
#include <zvm/pgtable.h>
#include <zvm/vmem.h>
#include <arch/stage2.h>

#define S2_MEMATTR_MASK   (0xfull << 2)
#define S2_MEMATTR_NORMAL (0xfull << 2) /* outer WB, inner WB */
#define S2_MEMATTR_DEVICE (0x1ull << 2) /* Device-nGnRE */
#define S2_AP_READ        (1ull << 6)
#define S2_AP_WRITE       (1ull << 7)
#define S2_SH_INNER       (3ull << 8)
#define S2_AF             (1ull << 10)
#define S2_XN             (1ull << 54)

#define S2_START_LEVEL 1

static uint64_t *s2_table_alloc(void *ctx)
{
	(void)ctx;
	return page_alloc(1); /* pgtable.c clears it */
}

static void s2_table_free(void *ctx, uint64_t *t)
{
	(void)ctx;
	page_free(t, 1);
}

static void s2_tlb_flush(void *ctx)
{
	(void)ctx;
	arch_s2_flush_all();
}

/* The table-builder view of s2. */
static struct pgtable s2_pgtable(const struct vmem *s2)
{
	return (struct pgtable){
		.root = s2->root,
		.start_level = S2_START_LEVEL,
		.alloc_table = s2_table_alloc,
		.free_table = s2_table_free,
		.tlb_flush = s2_tlb_flush,
		.nr_tables = s2->nr_tables,
	};
}

static void s2_store(struct vmem *s2, const struct pgtable *pt)
{
	s2->root = pt->root;
	s2->nr_tables = pt->nr_tables;
}

static uint64_t prot_to_attrs(unsigned prot)
{
	uint64_t attrs = S2_AF;

	if (prot & VMEM_READ)
		attrs |= S2_AP_READ;
	if (prot & VMEM_WRITE)
		attrs |= S2_AP_WRITE;
	if (!(prot & VMEM_EXEC))
		attrs |= S2_XN;
	if (prot & VMEM_DEVICE)
		attrs |= S2_MEMATTR_DEVICE;
	else
		attrs |= S2_MEMATTR_NORMAL | S2_SH_INNER;
	return attrs;
}

static unsigned attrs_to_prot(uint64_t attrs)
{
	unsigned prot = 0;

	if (attrs & S2_AP_READ)
		prot |= VMEM_READ;
	if (attrs & S2_AP_WRITE)
		prot |= VMEM_WRITE;
	if (!(attrs & S2_XN))
		prot |= VMEM_EXEC;
	if ((attrs & S2_MEMATTR_MASK) == S2_MEMATTR_DEVICE)
		prot |= VMEM_DEVICE;
	return prot;
}

int vmem_init(struct vmem *s2)
{
	struct pgtable pt = s2_pgtable(&(struct vmem){ 0 });
	int rc = pgtable_init(&pt);

	s2_store(s2, &pt);
	return rc;
}

int vmem_map(struct vmem *s2, uint64_t ipa, uint64_t pa, uint64_t size, unsigned prot)
{
	struct pgtable pt = s2_pgtable(s2);
	int rc;

	if (prot & ~(VMEM_RWX | VMEM_DEVICE))
		return K_EINVAL;
	rc = pgtable_map(&pt, ipa, pa, size, prot_to_attrs(prot));
	s2_store(s2, &pt);
	return rc;
}

int vmem_unmap(struct vmem *s2, uint64_t ipa, uint64_t size)
{
	struct pgtable pt = s2_pgtable(s2);
	int rc = pgtable_unmap(&pt, ipa, size);

	s2_store(s2, &pt);
	return rc;
}

int vmem_translate(const struct vmem *s2, uint64_t ipa, uint64_t *pa, unsigned *prot)
{
	struct pgtable pt = s2_pgtable(s2);
	uint64_t attrs;
	int rc = pgtable_lookup(&pt, ipa, pa, &attrs);

	if (rc == 0 && prot)
		*prot = attrs_to_prot(attrs);
	return rc;
}

void vmem_destroy(struct vmem *s2)
{
	struct pgtable pt = s2_pgtable(s2);

	pgtable_destroy(&pt);
	s2_store(s2, &pt);
}
