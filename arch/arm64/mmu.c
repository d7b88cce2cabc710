/* SPDX-License-Identifier: MIT */
/*
 * Stage-1 page tables of the kernel's EL (4 KiB granule, 39-bit VA starting at level 1),
 * identity mapped. The boot map is built with the MMU off, so the code
 * that runs before mmu_boot_enable() makes only aligned stores and calls
 * no library function. The final map is built by kernel/pgtable.c in
 * tables from a static pool.
 */
#include <stdbool.h>
#include <stdio.h>
#include <zvm/arch.h>
#include <zvm/pgtable.h>
#include <arch/el.h>
#include <arch/mmu.h>
#include <arch/spinlock.h>
#include <arch/sysreg.h>

#define PTE_VALID   PGTABLE_VALID
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#ifdef ZVM_EL1
#define PTE_AP_RES1 0           /* AP[1] would give EL0 access */
#define PTE_XN      (3ul << 53) /* PXN and UXN */
#else
#define PTE_AP_RES1 (1ul << 6) /* AP[1] is RES1 in the EL2 regime */
#define PTE_XN      (1ul << 54)
#endif /* ZVM_EL1 */
#define PTE_RDONLY   (1ul << 7)
#define PTE_SH_INNER (3ul << 8)
#define PTE_AF       (1ul << 10)

/* MAIR slots. */
#define ATTR_DEVICE 0 /* Device-nGnRE */
#define ATTR_NORMAL 1 /* Normal, write-back read/write-allocate */
#define MAIR_VALUE  ((0x04ul << (8 * ATTR_DEVICE)) | (0xfful << (8 * ATTR_NORMAL)))

#define PROT_DEVICE  (PTE_ATTR(ATTR_DEVICE) | PTE_AF | PTE_AP_RES1 | PTE_XN)
#define PROT_NORMAL  (PTE_ATTR(ATTR_NORMAL) | PTE_AF | PTE_AP_RES1 | PTE_SH_INNER)
#define PROT_RW_DATA (PROT_NORMAL | PTE_XN)
#define PROT_RO_DATA (PROT_NORMAL | PTE_XN | PTE_RDONLY)
#define PROT_TEXT    (PROT_NORMAL | PTE_RDONLY)

#define ENTRIES    PGTABLE_ENTRIES
#define TABLE_POOL 48
#define GIB        (1ul << 30)

/* TCR: T0SZ=25, inner/outer WB-WA walks, inner shareable, 4K granule, 40-bit PA. */
#define TCR_WALK ((3ul << 12) | (1ul << 10) | (1ul << 8) | 25)
/* SCTLR: RES1 bits, M, C, SA, I (alignment checks off, WXN off). */
#define SCTLR_ON ((1ul << 0) | (1ul << 2) | (1ul << 3) | (1ul << 12))
#ifdef ZVM_EL1
#define TCR_VALUE   (TCR_WALK | (1ul << 23) | (2ul << 32)) /* EPD1: no TTBR1 walks */
#define SCTLR_VALUE (0x30d00800ul | SCTLR_ON)
#define TLBI_ALL()  __asm__ volatile("tlbi vmalle1" : : : "memory")
#else
#define TCR_VALUE   (TCR_WALK | (1ul << 31) | (1ul << 23) | (2ul << 16))
#define SCTLR_VALUE (0x30c50830ul | SCTLR_ON)
#define TLBI_ALL()  __asm__ volatile("tlbi alle2" : : : "memory")
#endif /* ZVM_EL1 */

typedef uint64_t pte_t;

static pte_t boot_l1[ENTRIES] __attribute__((aligned(4096)));
static pte_t table_pool[TABLE_POOL][ENTRIES] __attribute__((aligned(4096)));
static unsigned tables_used;
static k_spinlock_t map_lock;

extern char __image_start[], __text_end[], __rodata_end[], __image_end[];

static void mmu_load(pte_t *root)
{
	write_sysreg(MAIR_ELx, MAIR_VALUE);
	write_sysreg(TCR_ELx, TCR_VALUE);
	write_sysreg(TTBR0_ELx, (uintptr_t)root);
	dsb(ish);
	isb();
	TLBI_ALL();
	dsb(ish);
	isb();
	write_sysreg(SCTLR_ELx, SCTLR_VALUE);
	isb();
}

void mmu_boot_enable(void)
{
	uintptr_t image_gib = (uintptr_t)__image_start / GIB;
	uintptr_t uart_gib = (uintptr_t)ZVM_EARLY_UART / GIB;

	/* The early console's GiB as devices (GiB 0 on QEMU virt, 3 on RK35xx), the image's GiB. */
	boot_l1[uart_gib] = (uart_gib * GIB) | PROT_DEVICE | PTE_VALID;
	boot_l1[image_gib] = (image_gib * GIB) | PROT_NORMAL | PTE_VALID;
	mmu_load(boot_l1);
}

/* Tables of the final map come from the static pool; they are never freed. */
static uint64_t *pool_alloc(void *ctx)
{
	(void)ctx;
	return tables_used < TABLE_POOL ? table_pool[tables_used++] : NULL;
}

static struct pgtable final_pt = {
	.start_level = 1,
	.alloc_table = pool_alloc,
};

static bool map_range(uint64_t start, uint64_t end, uint64_t prot)
{
	return start >= end || pgtable_map(&final_pt, start, start, end - start, prot) == 0;
}

void mmu_final_map(uint64_t ram_base, uint64_t ram_size)
{
	uintptr_t img = (uintptr_t)__image_start;
	bool ok = pgtable_init(&final_pt) == 0;

	ok = ok && map_range(ram_base, img, PROT_RW_DATA);
	ok = ok && map_range(img, (uintptr_t)__text_end, PROT_TEXT);
	ok = ok && map_range((uintptr_t)__text_end, (uintptr_t)__rodata_end, PROT_RO_DATA);
	ok = ok && map_range((uintptr_t)__rodata_end, ram_base + ram_size, PROT_RW_DATA);
	if (!ok) {
		/* The boot map still covers the image and the early console. */
		printf("mmu: cannot build the final map (%u of %u tables used)\n", tables_used,
		       TABLE_POOL);
		arch_cpu_halt();
	}
	dsb(ishst);
	mmu_load(final_pt.root);
}

void mmu_secondary_enable(void)
{
	mmu_load(final_pt.root);
}

uintptr_t mmu_map_device(uint64_t pa, size_t size)
{
	uint64_t start = pa & ~0xffful;
	uint64_t end = (pa + size + 0xfff) & ~0xffful;
	k_spinlock_key_t key = k_spin_lock(&map_lock);
	bool ok = map_range(start, end, PROT_DEVICE);

	dsb(ishst);
	isb();
	k_spin_unlock(&map_lock, key);
	return ok ? pa : 0;
}
