/* SPDX-License-Identifier: MIT */
/* Host unit tests: the EL2 host's register names (arch/arm64), plain macros. */
#ifndef FAKE_ARCH_EL_H
#define FAKE_ARCH_EL_H

#include "../../../../arch/arm64/include/arch/el.h"

#endif /* FAKE_ARCH_EL_H */
