/* SPDX-License-Identifier: MIT */
/* Host tests: the real stage-2 interface, implemented by tests/unit/fake/arch_fake.c. */
#ifndef FAKE_ARCH_STAGE2_H
#define FAKE_ARCH_STAGE2_H

#include "../../../../arch/arm64/include/arch/stage2.h"

#endif /* FAKE_ARCH_STAGE2_H */
