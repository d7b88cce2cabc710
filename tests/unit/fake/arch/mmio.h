/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests: device register accesses go to fake_mmio_read and
 * fake_mmio_write (tests/unit/fake/arch_fake.c), with their width, which
 * count them and hand them to the register-level model a test installed
 * (fake_arch.mmio), if any.
 */
#ifndef FAKE_ARCH_MMIO_H
#define FAKE_ARCH_MMIO_H

#include <stdint.h>

/** The model's answer to a `width`-byte read at `addr` (0 without a model). */
uint64_t fake_mmio_read(uintptr_t addr, unsigned width);
/** A `width`-byte write of `v` at `addr`, handed to the model. */
void fake_mmio_write(uintptr_t addr, unsigned width, uint64_t v);

static inline uint8_t mmio_read8(uintptr_t addr)
{
	return (uint8_t)fake_mmio_read(addr, 1);
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return (uint32_t)fake_mmio_read(addr, 4);
}

static inline uint64_t mmio_read64(uintptr_t addr)
{
	return fake_mmio_read(addr, 8);
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
	fake_mmio_write(addr, 1, v);
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	fake_mmio_write(addr, 4, v);
}

static inline void mmio_write64(uintptr_t addr, uint64_t v)
{
	fake_mmio_write(addr, 8, v);
}

#endif /* FAKE_ARCH_MMIO_H */
