/* SPDX-License-Identifier: MIT */
/* Host tests use the real GICv3 register map: it is plain constants. */
#ifndef FAKE_ARCH_GICV3_REGS_H
#define FAKE_ARCH_GICV3_REGS_H

#include "../../../../arch/arm64/include/arch/gicv3_regs.h"

#endif /* FAKE_ARCH_GICV3_REGS_H */
