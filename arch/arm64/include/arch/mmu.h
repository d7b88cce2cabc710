/* SPDX-License-Identifier: MIT */
/* EL2 stage-1 translation: an identity map of RAM and of the devices in use. */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <stddef.h>
#include <stdint.h>

/** Build the boot map (1 GiB blocks: devices below RAM, the image's GiB) and turn the MMU on. */
void mmu_boot_enable(void);
/** Replace the boot map by the exact one: RAM [base, base+size), image with W^X. */
void mmu_final_map(uint64_t ram_base, uint64_t ram_size);
/** Turn on the MMU of a secondary CPU with the final map. */
void mmu_secondary_enable(void);
/** Identity-map a device region (nGnRE, never executable); returns pa or 0. */
uintptr_t mmu_map_device(uint64_t pa, size_t size);

#endif /* ARCH_MMU_H */
