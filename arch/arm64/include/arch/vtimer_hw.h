/* SPDX-License-Identifier: MIT */
/*
 * The EL1 virtual timer (CNTV_*_EL0) of the vCPU whose thread runs on
 * this CPU (EL2 host only): what virt/vtimer.c needs to emulate its
 * interrupt line. arch/arm64/virt/vtimer_hw.c is the only code that
 * touches these registers; a host unit test can link a fake instead.
 */
#ifndef ARCH_VTIMER_HW_H
#define ARCH_VTIMER_HW_H

#include <stdbool.h>
#include <stdint.h>

/** The timer's interrupt condition as the guest left it. */
enum arch_vtimer_state {
	ARCH_VTIMER_QUIET,	/* off, not yet due, or masked before it fired */
	ARCH_VTIMER_FIRING,	/* on, unmasked and due: its PPI is raised */
	ARCH_VTIMER_HELD,	/* on and due, but masked (by zvm after it fired) */
};

/** Read this CPU's virtual timer: which of the three states it is in. */
enum arch_vtimer_state arch_vtimer_state(void);

/**
 * Counter ticks until the timer fires into *ticks (0: due now); false
 * when it cannot fire (off, or masked).
 */
bool arch_vtimer_ticks_left(uint64_t *ticks);

/** Mask the timer's interrupt (the guest's deadline and enable stay). */
void arch_vtimer_mask(void);

/** Turn the timer off (it fired with no vCPU on this CPU: nobody owns it). */
void arch_vtimer_stop(void);

#endif /* ARCH_VTIMER_HW_H */
