/* SPDX-License-Identifier: MIT */
/*
 * The EL1 virtual timer (CNTV_*_EL0) of the vCPU whose thread runs on
 * this CPU (EL2 host only): what virt/vtimer.c needs to know of it
 * (zvm never changes it while it is the guest's). arch/arm64/virt/vtimer_hw.c is the only code that
 * touches these registers; a host unit test can link a fake instead.
 */
#ifndef ARCH_VTIMER_HW_H
#define ARCH_VTIMER_HW_H

#include <stdbool.h>
#include <stdint.h>

/**
 * Counter ticks until the timer fires into *ticks (0: due now); false
 * when it cannot fire (off, or masked).
 */
bool arch_vtimer_ticks_left(uint64_t *ticks);

/** Turn the timer off (it fired with no vCPU on this CPU: nobody owns it). */
void arch_vtimer_stop(void);

#endif /* ARCH_VTIMER_HW_H */
