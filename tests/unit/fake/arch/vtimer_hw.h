/* SPDX-License-Identifier: MIT */
/*
 * Host tests: the real virtual-timer interface (arch/arm64), implemented by
 * tests/unit/fake/vtimer_hw_fake.c over a model of CNTV_CTL/CVAL and the
 * counter that a test edits to play the guest and the passing time.
 */
#ifndef FAKE_ARCH_VTIMER_HW_H
#define FAKE_ARCH_VTIMER_HW_H

#include "../../../../arch/arm64/include/arch/vtimer_hw.h"

/* The timer of the "CPU" the vCPU runs on. */
struct vtimer_hw_fake {
	bool enable;		/* CNTV_CTL.ENABLE */
	bool imask;		/* CNTV_CTL.IMASK */
	uint64_t cval;		/* CNTV_CVAL: fires when now >= cval */
	uint64_t now;		/* CNTVCT */
};

extern struct vtimer_hw_fake vtimer_hw_fake;

#endif /* FAKE_ARCH_VTIMER_HW_H */
