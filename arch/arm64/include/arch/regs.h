/* SPDX-License-Identifier: MIT */
/* The register frame every exception vector saves (see vectors.S). */
#ifndef ARCH_REGS_H
#define ARCH_REGS_H

#include <stdint.h>

struct arch_regs {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
};

_Static_assert(sizeof(struct arch_regs) == 34 * 8, "frame layout is shared with vectors.S");

#endif /* ARCH_REGS_H */
