/* SPDX-License-Identifier: MIT */
/* Host tests use the real vCPU register structs: they are plain C. */
#ifndef FAKE_ARCH_VCPU_H
#define FAKE_ARCH_VCPU_H

#include "../../../../arch/arm64/include/arch/vcpu.h"

#endif /* FAKE_ARCH_VCPU_H */
