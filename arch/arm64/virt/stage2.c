/*
 * Stage-2 translation control and TLB maintenance for VMs (non-VHE EL2).
 * The guest image (ZVM_EL1) has no EL2: it builds none of this.
 */
#ifndef ZVM_EL1
#include <arch/stage2.h>
#include <arch/sysreg.h>

#define VTCR_T0SZ	(64 - VMEM_IPA_BITS)
#define VTCR_SL0_L1	(1ul << 6)	/* 4 KiB granule: start at level 1 */
#define VTCR_IRGN0_WBWA	(1ul << 8)
#define VTCR_ORGN0_WBWA	(1ul << 10)
#define VTCR_SH0_INNER	(3ul << 12)
#define VTCR_TG0_4K	(0ul << 14)
#define VTCR_PS_SHIFT	16
#define VTCR_RES1	(1ul << 31)
#define PARANGE_40BIT	2		/* ID_AA64MMFR0_EL1.PARange encoding */

#define VTTBR_VMID_SHIFT 48
#define VTTBR_BADDR	0x0000fffffffffffeul

uint64_t arch_s2_vtcr(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	if (parange > PARANGE_40BIT)
		parange = PARANGE_40BIT;
	return VTCR_RES1 | (parange << VTCR_PS_SHIFT) | VTCR_TG0_4K | VTCR_SH0_INNER |
	       VTCR_ORGN0_WBWA | VTCR_IRGN0_WBWA | VTCR_SL0_L1 | VTCR_T0SZ;
}

uint64_t arch_s2_vttbr(const struct vmem *s2, uint16_t vmid)
{
	uint64_t baddr = s2 ? (uintptr_t)s2->root : 0;

	return ((uint64_t)(vmid & 0xff) << VTTBR_VMID_SHIFT) | (baddr & VTTBR_BADDR);
}

/* Invalidate every stage-1 and stage-2 TLB entry of vmid, IRQs masked. */
void arch_s2_flush_vmid(uint16_t vmid, const struct vmem *s2)
{
	uint64_t key = arch_irq_save();
	uint64_t saved = read_sysreg(vttbr_el2);

	dsb(ishst);
	write_sysreg(vttbr_el2, arch_s2_vttbr(s2, vmid));
	isb();
	__asm__ volatile("tlbi vmalls12e1is" : : : "memory");
	dsb(ish);
	write_sysreg(vttbr_el2, saved);
	isb();
	arch_irq_restore(key);
}

void arch_s2_flush_all(void)
{
	dsb(ishst);
	__asm__ volatile("tlbi alle1is" : : : "memory");
	dsb(ish);
	isb();
}
#endif /* !ZVM_EL1 */
