/* SPDX-License-Identifier: MIT */
/* Host tests use the real syndrome decoding: it is plain constants. */
#ifndef FAKE_ARCH_SYSREG_ISS_H
#define FAKE_ARCH_SYSREG_ISS_H

#include "../../../../arch/arm64/include/arch/sysreg_iss.h"

#endif /* FAKE_ARCH_SYSREG_ISS_H */
