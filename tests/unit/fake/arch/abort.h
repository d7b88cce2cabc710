/* SPDX-License-Identifier: MIT */
/* Host tests link the real data-abort decoder (arch/arm64/virt/abort.c): it is plain C. */
#ifndef FAKE_ARCH_ABORT_H
#define FAKE_ARCH_ABORT_H

#include "../../../../arch/arm64/include/arch/abort.h"

#endif /* FAKE_ARCH_ABORT_H */
