/* SPDX-License-Identifier: MIT */
/* Host tests use the real VM arch struct: it is plain C. */
#ifndef FAKE_ARCH_VM_H
#define FAKE_ARCH_VM_H

#include "../../../../arch/arm64/include/arch/vm.h"

#endif /* FAKE_ARCH_VM_H */
