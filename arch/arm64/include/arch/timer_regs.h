/* SPDX-License-Identifier: MIT */
/*
 * The Arm generic timer: the bits of a timer's control register
 * (CNTV_CTL_EL0, CNTHP_CTL_EL2, ...), the same for every timer. Used by the
 * kernel's timer (arch/arm64/timer.c) and the guests' virtual timer
 * (arch/arm64/virt/vtimer_hw.c, vcpu_arch.c).
 */
#ifndef ARCH_TIMER_REGS_H
#define ARCH_TIMER_REGS_H

#define CNT_CTL_ENABLE		(1u << 0)
#define CNT_CTL_IMASK		(1u << 1)	/* the interrupt is masked */
#define CNT_CTL_ISTATUS		(1u << 2)	/* the timer condition is met (RO) */

#endif /* ARCH_TIMER_REGS_H */
