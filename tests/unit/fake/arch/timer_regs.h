/* SPDX-License-Identifier: MIT */
/* Host tests use the real register map: it is plain constants. */
#ifndef FAKE_ARCH_TIMER_REGS_H
#define FAKE_ARCH_TIMER_REGS_H

#include "../../../../arch/arm64/include/arch/timer_regs.h"

#endif /* FAKE_ARCH_TIMER_REGS_H */
