/* SPDX-License-Identifier: MIT */
/* A fake GICv3 hypervisor interface for host tests: registers are variables. */
#include <string.h>
#include <arch/vgic_hw.h>

#define LR_STATE_MASK (ICH_LR_PENDING | ICH_LR_ACTIVE)

struct vgic_hw_fake vgic_hw_fake = { .nr_lrs = 4 };

void vgic_hw_fake_reset(unsigned nr_lrs)
{
	memset(&vgic_hw_fake, 0, sizeof(vgic_hw_fake));
	vgic_hw_fake.nr_lrs = nr_lrs;
	vgic_cpu_forget(); /* a fresh CPU for the vGIC too */
}

unsigned vgic_hw_nr_lrs(void)
{
	return vgic_hw_fake.nr_lrs;
}

uint64_t vgic_hw_read_lr(unsigned n)
{
	return n < vgic_hw_fake.nr_lrs ? vgic_hw_fake.lr[n] : 0;
}

void vgic_hw_write_lr(unsigned n, uint64_t value)
{
	if (n < vgic_hw_fake.nr_lrs)
		vgic_hw_fake.lr[n] = value;
	vgic_hw_fake.lr_writes++;
}

/* The ISACTIVER word holding physical interrupt intid (bit intid % 32). */
static uint32_t *active_word(uint32_t intid)
{
	return intid < 32 ? &vgic_hw_fake.phys_active : &vgic_hw_fake.spi_active[intid / 32];
}

void vgic_hw_phys_deactivate(uint32_t intid)
{
	*active_word(intid) &= ~(1u << (intid % 32));
	vgic_hw_fake.deactivations++;
}

void vgic_hw_phys_activate(uint32_t intid)
{
	*active_word(intid) |= 1u << (intid % 32);
}

uint64_t vgic_hw_isactiver_addr(void)
{
	return (uint64_t)(uintptr_t)&vgic_hw_fake.phys_active;
}

uint64_t vgic_hw_spi_isactiver_addr(uint32_t intid)
{
	return (uint64_t)(uintptr_t)&vgic_hw_fake.spi_active[intid / 32];
}

void vgic_hw_fake_guest_eoi(unsigned n)
{
	uint64_t lr = vgic_hw_fake.lr[n];

	vgic_hw_fake.lr[n] = lr & ~ICH_LR_ACTIVE;
	if (lr & ICH_LR_HW) {
		uint32_t pintid = (uint32_t)((lr >> ICH_LR_PINTID_SHIFT) & ICH_LR_PINTID_MASK);

		*active_word(pintid) &= ~(1u << (pintid % 32));
	}
}

uint64_t vgic_hw_read_hcr(void)
{
	return vgic_hw_fake.hcr;
}
void vgic_hw_write_hcr(uint64_t value)
{
	vgic_hw_fake.hcr = value;
}
uint64_t vgic_hw_read_vmcr(void)
{
	return vgic_hw_fake.vmcr;
}
void vgic_hw_write_vmcr(uint64_t value)
{
	vgic_hw_fake.vmcr = value;
}
unsigned vgic_hw_nr_aprs(void)
{
	return vgic_hw_fake.nr_aprs ? vgic_hw_fake.nr_aprs : VGIC_MAX_APRS;
}
void vgic_hw_save_aprs(uint32_t *ap0r, uint32_t *ap1r)
{
	for (unsigned i = 0; i < vgic_hw_nr_aprs(); i++) {
		ap0r[i] = vgic_hw_fake.ap0r[i];
		ap1r[i] = vgic_hw_fake.ap1r[i];
	}
}
void vgic_hw_load_aprs(const uint32_t *ap0r, const uint32_t *ap1r)
{
	for (unsigned i = 0; i < vgic_hw_nr_aprs(); i++) {
		vgic_hw_fake.ap0r[i] = ap0r[i];
		vgic_hw_fake.ap1r[i] = ap1r[i];
	}
}

/* ICH_EISR_EL2: LRs EOIed with their EOI bit set (now invalid). */
static uint64_t fake_eisr(void)
{
	uint64_t bits = 0;

	for (unsigned i = 0; i < vgic_hw_fake.nr_lrs; i++) {
		uint64_t lr = vgic_hw_fake.lr[i];

		if (!(lr & LR_STATE_MASK) && (lr & ICH_LR_EOI) && !(lr & ICH_LR_HW))
			bits |= 1ull << i;
	}
	return bits;
}

uint64_t vgic_hw_fake_misr(void)
{
	uint64_t misr = 0;
	unsigned valid = 0;

	if (!(vgic_hw_fake.hcr & ICH_HCR_EN))
		return 0;
	for (unsigned i = 0; i < vgic_hw_fake.nr_lrs; i++)
		valid += (vgic_hw_fake.lr[i] & LR_STATE_MASK) != 0;
	if (fake_eisr())
		misr |= ICH_MISR_EOI;
	if ((vgic_hw_fake.hcr & ICH_HCR_UIE) && valid <= 1)
		misr |= ICH_MISR_U;
	return misr;
}
