/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests: device mappings are counted (fake_arch.device_maps,
 * tests/unit/fake/arch_fake.c) and identity, as on the target.
 */
#ifndef FAKE_ARCH_MMU_H
#define FAKE_ARCH_MMU_H

#include <stddef.h>
#include <stdint.h>

/** Identity-map a device region: returns pa (counted in fake_arch.device_maps). */
uintptr_t mmu_map_device(uint64_t pa, size_t size);

#endif /* FAKE_ARCH_MMU_H */
