/* SPDX-License-Identifier: MIT */
/* Test helper: small AArch64 ELF executables built in memory (elf.h). */
#include <stdlib.h>
#include <string.h>
#include "elf.h"

#define EHDR_SIZE	64
#define PHDR_SIZE	56

void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void put_phdr(uint8_t *ph, const struct test_seg *s, size_t off)
{
	put32(ph, 1);		/* PT_LOAD */
	put32(ph + 4, 5);	/* R X */
	put64(ph + 8, off);
	put64(ph + 16, s->paddr);
	put64(ph + 24, s->paddr);
	put64(ph + 32, s->filesz);
	put64(ph + 40, s->memsz);
}

uint8_t *test_make_elf(const struct test_seg *segs, int n, uint64_t entry, size_t *size)
{
	size_t off = EHDR_SIZE + PHDR_SIZE * (size_t)n, total = off;
	uint8_t *img;

	for (int i = 0; i < n; i++)
		total += segs[i].filesz;
	img = calloc(1, total);
	memcpy(img, "\177ELF\2\1\1", 7);
	put16(img + 16, 2);		/* ET_EXEC */
	put16(img + 18, 183);		/* EM_AARCH64 */
	put32(img + 20, 1);
	put64(img + 24, entry);
	put64(img + 32, EHDR_SIZE);	/* e_phoff */
	put16(img + 52, EHDR_SIZE);
	put16(img + 54, PHDR_SIZE);
	put16(img + 56, (uint16_t)n);
	for (int i = 0; i < n; i++) {
		put_phdr(img + EHDR_SIZE + PHDR_SIZE * i, &segs[i], off);
		memset(img + off, segs[i].fill, segs[i].filesz);
		off += segs[i].filesz;
	}
	*size = total;
	return img;
}
