/*
 * The devicetree a guest boots with, generated with libfdt from its
 * vm_config: QEMU virt's layout (RAM, GICv3, PL011, timer, PSCI over HVC),
 * so that images built for that board run unmodified.
 */
#ifndef ZVM_GUEST_DTB_H
#define ZVM_GUEST_DTB_H

#include <stddef.h>
#include <zvm/vm_config.h>
#include <arch/gicv3_regs.h>

/*
 * The guest-physical layout every VM sees (QEMU virt's): a GICD frame
 * (GICD_FRAME_SIZE) and per vCPU a GICR_STRIDE of redistributor frames.
 */
#define GUEST_GICD_BASE		0x08000000ull
#define GUEST_GICR_BASE		0x080a0000ull
#define GUEST_PPI_VTIMER	11		/* INTID 27: EL1 virtual timer */
#define GUEST_PPI_PTIMER	14		/* INTID 30: EL1 physical timer */
#define GUEST_PPI_STIMER	13		/* INTID 29: secure physical timer */
#define GUEST_PPI_HTIMER	10		/* INTID 26: EL2 physical timer */
#define GUEST_APB_CLOCK_HZ	24000000u

/* Room for the guest DTB: the start of guest RAM (see IMAGE_DTB_RESERVE). */
#define GUEST_DTB_MAX		(64u << 10)

/**
 * Write the DTB of a VM configured by cfg into buf (size bytes). An initrd
 * (cfg->initrd_size != 0) is announced at image_initrd_ipa(). Returns 0, or
 * K_EINVAL with a message in err (e.g. buf too small).
 */
int guest_dtb_build(const struct vm_config *cfg, void *buf, size_t size, char *err,
		    size_t errlen);

#endif /* ZVM_GUEST_DTB_H */
