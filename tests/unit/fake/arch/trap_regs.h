/* SPDX-License-Identifier: MIT */
/* Host tests: the real trap register fields (plain constants). */
#include "../../../../arch/arm64/include/arch/trap_regs.h"
