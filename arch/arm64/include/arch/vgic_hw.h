/*
 * The GICv3 hypervisor control interface (ICH_* system registers) and the
 * list-register format. arch/arm64/virt/vgic_hw.c is the only code that touches
 * these registers; host unit tests link a fake (tests/unit/fake/).
 */
#ifndef ARCH_VGIC_HW_H
#define ARCH_VGIC_HW_H

#include <stdint.h>

/* ICH_LR<n>_EL2 */
#define ICH_LR_VINTID_MASK	0xffffffffull	/* [31:0] */
#define ICH_LR_EOI		(1ull << 41)	/* HW=0: maintenance IRQ on EOI */
#define ICH_LR_PRIO_SHIFT	48		/* [55:48] */
#define ICH_LR_GROUP1		(1ull << 60)
#define ICH_LR_HW		(1ull << 61)
#define ICH_LR_STATE_SHIFT	62		/* [63:62] */
#define ICH_LR_PENDING		(1ull << 62)
#define ICH_LR_ACTIVE		(1ull << 63)

/* ICH_HCR_EL2 */
#define ICH_HCR_EN		(1ull << 0)	/* virtual CPU interface on */
#define ICH_HCR_UIE		(1ull << 1)	/* maintenance IRQ when <= 1 LR valid */

/* ICH_VMCR_EL2 */
#define ICH_VMCR_VENG1		(1ull << 1)	/* guest's ICC_IGRPEN1_EL1 */
#define ICH_VMCR_VPMR_SHIFT	24		/* guest's ICC_PMR_EL1, [31:24] */

/* ICH_MISR_EL2 */
#define ICH_MISR_EOI		(1ull << 0)
#define ICH_MISR_U		(1ull << 1)

#define VGIC_HW_MAX_LRS		16

/** Number of list registers this CPU implements (ICH_VTR_EL2.ListRegs + 1). */
unsigned vgic_hw_nr_lrs(void);
/** ICH_LR<n>_EL2; n < vgic_hw_nr_lrs(). */
uint64_t vgic_hw_read_lr(unsigned n);
void vgic_hw_write_lr(unsigned n, uint64_t value);
uint64_t vgic_hw_read_hcr(void);
void vgic_hw_write_hcr(uint64_t value);
uint64_t vgic_hw_read_vmcr(void);
void vgic_hw_write_vmcr(uint64_t value);
uint64_t vgic_hw_read_ap1r0(void);
void vgic_hw_write_ap1r0(uint64_t value);
/** ICH_MISR_EL2: why the maintenance interrupt fired. */
uint64_t vgic_hw_read_misr(void);
/** ICH_ELRSR_EL2: bit n set when LR n holds no interrupt. */
uint64_t vgic_hw_read_elrsr(void);
/** ICH_EISR_EL2: bit n set when LR n was EOIed with its EOI bit set. */
uint64_t vgic_hw_read_eisr(void);

#endif /* ARCH_VGIC_HW_H */
