/* SPDX-License-Identifier: MIT */
/* Test helper: small AArch64 ELF executables built in memory. */
#ifndef TEST_ELF_H
#define TEST_ELF_H

#include <stddef.h>
#include <stdint.h>

/** One PT_LOAD segment: filesz bytes of `fill` at paddr, memsz in memory. */
struct test_seg {
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint8_t fill;
};

/** Little-endian stores into a byte buffer. */
void put16(uint8_t *p, uint16_t v);
void put32(uint8_t *p, uint32_t v);
void put64(uint8_t *p, uint64_t v);

/**
 * A malloc'ed ELF64 AArch64 executable (ET_EXEC) with the n segments, their
 * data after the headers, in a buffer of exactly *size bytes.
 */
uint8_t *test_make_elf(const struct test_seg *segs, int n, uint64_t entry, size_t *size);

#endif /* TEST_ELF_H */
