/* SPDX-License-Identifier: MIT */
/*
 * Accessors of the GICv3 hypervisor control interface (ICH_*_EL2). The
 * registers are named by encoding, as older assemblers do not know them.
 * Only the host (EL2) image uses this file.
 */
#ifndef ZVM_EL1
#include <zvm/arch.h>
#include <arch/sysreg.h>
#include <arch/gicv3.h>
#include <arch/vgic_hw.h>

#define ICH_HCR_EL2          S3_4_C12_C11_0
#define ICH_VTR_EL2          S3_4_C12_C11_1
#define ICH_VMCR_EL2         S3_4_C12_C11_7
#define ICH_VTR_PRIBITS(vtr) ((((vtr) >> 29) & 7) + 1)

unsigned vgic_hw_nr_lrs(void)
{
	static unsigned nr; /* read once: every CPU has the same number */

	if (!nr)
		nr = (unsigned)(read_sysreg(ICH_VTR_EL2) & ICH_VTR_LISTREGS_MASK) + 1;
	return nr;
}

/* One case per register: the encoding must be known when assembling. */
#define LR_CASES(op)                                                                            \
	op(0, S3_4_C12_C12_0) op(1, S3_4_C12_C12_1) op(2, S3_4_C12_C12_2) op(3, S3_4_C12_C12_3) \
		op(4, S3_4_C12_C12_4) op(5, S3_4_C12_C12_5) op(6, S3_4_C12_C12_6)               \
			op(7, S3_4_C12_C12_7) op(8, S3_4_C12_C13_0) op(9, S3_4_C12_C13_1)       \
				op(10, S3_4_C12_C13_2) op(11, S3_4_C12_C13_3)                   \
					op(12, S3_4_C12_C13_4) op(13, S3_4_C12_C13_5)           \
						op(14, S3_4_C12_C13_6) op(15, S3_4_C12_C13_7)

uint64_t vgic_hw_read_lr(unsigned n)
{
#define READ_LR(i, reg) \
	case i:         \
		return read_sysreg(reg);
	switch (n) {
		LR_CASES(READ_LR)
	default:
		return 0;
	}
#undef READ_LR
}

void vgic_hw_write_lr(unsigned n, uint64_t value)
{
#define WRITE_LR(i, reg)                  \
	case i:                           \
		write_sysreg(reg, value); \
		break;
	switch (n) {
		LR_CASES(WRITE_LR)
	default:
		break;
	}
#undef WRITE_LR
}

uint64_t vgic_hw_read_hcr(void)
{
	return read_sysreg(ICH_HCR_EL2);
}

void vgic_hw_write_hcr(uint64_t value)
{
	write_sysreg(ICH_HCR_EL2, value);
	isb();
}

uint64_t vgic_hw_read_vmcr(void)
{
	return read_sysreg(ICH_VMCR_EL2);
}

void vgic_hw_write_vmcr(uint64_t value)
{
	write_sysreg(ICH_VMCR_EL2, value);
}

unsigned vgic_hw_nr_aprs(void)
{
	static unsigned nr; /* read once: every CPU has the same number */

	if (!nr) {
		unsigned bits = (unsigned)ICH_VTR_PRIBITS(read_sysreg(ICH_VTR_EL2));

		nr = bits >= 7 ? 4 : bits == 6 ? 2 : 1;
	}
	return nr;
}

/*
 * ICH_AP0R<n>_EL2 is S3_4_C12_C8_<n>, ICH_AP1R<n>_EL2 S3_4_C12_C9_<n>. The
 * cases fall through: registers 3..0 exist when there are 4, 1..0 when 2.
 */
void vgic_hw_save_aprs(uint32_t *ap0r, uint32_t *ap1r)
{
	switch (vgic_hw_nr_aprs()) {
	case 4:
		ap0r[3] = (uint32_t)read_sysreg(S3_4_C12_C8_3);
		ap1r[3] = (uint32_t)read_sysreg(S3_4_C12_C9_3);
		ap0r[2] = (uint32_t)read_sysreg(S3_4_C12_C8_2);
		ap1r[2] = (uint32_t)read_sysreg(S3_4_C12_C9_2);
		/* fall through */
	case 2:
		ap0r[1] = (uint32_t)read_sysreg(S3_4_C12_C8_1);
		ap1r[1] = (uint32_t)read_sysreg(S3_4_C12_C9_1);
		/* fall through */
	default:
		ap0r[0] = (uint32_t)read_sysreg(S3_4_C12_C8_0);
		ap1r[0] = (uint32_t)read_sysreg(S3_4_C12_C9_0);
	}
}

void vgic_hw_load_aprs(const uint32_t *ap0r, const uint32_t *ap1r)
{
	switch (vgic_hw_nr_aprs()) {
	case 4:
		write_sysreg(S3_4_C12_C8_3, ap0r[3]);
		write_sysreg(S3_4_C12_C9_3, ap1r[3]);
		write_sysreg(S3_4_C12_C8_2, ap0r[2]);
		write_sysreg(S3_4_C12_C9_2, ap1r[2]);
		/* fall through */
	case 2:
		write_sysreg(S3_4_C12_C8_1, ap0r[1]);
		write_sysreg(S3_4_C12_C9_1, ap1r[1]);
		/* fall through */
	default:
		write_sysreg(S3_4_C12_C8_0, ap0r[0]);
		write_sysreg(S3_4_C12_C9_0, ap1r[0]);
	}
}
void vgic_hw_phys_deactivate(uint32_t intid)
{
	irq_deactivate((int)intid);
}

void vgic_hw_phys_activate(uint32_t intid)
{
	irq_set_active((int)intid);
}

uint64_t vgic_hw_isactiver_addr(void)
{
	return (uint64_t)gic_ppi_isactiver();
}

uint64_t vgic_hw_spi_isactiver_addr(uint32_t intid)
{
	return (uint64_t)gic_spi_isactiver((int)intid);
}
#endif /* !ZVM_EL1 */
