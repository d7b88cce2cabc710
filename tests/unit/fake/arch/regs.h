/* SPDX-License-Identifier: MIT */
/* Host tests use the real register frame: it is plain C. */
#ifndef FAKE_ARCH_REGS_H
#define FAKE_ARCH_REGS_H

#include "../../../../arch/arm64/include/arch/regs.h"

#endif /* FAKE_ARCH_REGS_H */
