/* SPDX-License-Identifier: MIT */
/*
 * One tree, two builds: the host kernel runs at EL2, the RTOS guest (the
 * same sources, built with -DZVM_EL1) at EL1. These names pick the system
 * registers of the exception level the image runs at.
 */
#ifndef ARCH_EL_H
#define ARCH_EL_H

#ifdef ZVM_EL1
#define KERNEL_EL     1
#define ELR_ELx       elr_el1
#define SPSR_ELx      spsr_el1
#define ESR_ELx       esr_el1
#define FAR_ELx       far_el1
#define VBAR_ELx      vbar_el1
#define TPIDR_ELx     tpidr_el1
#define MAIR_ELx      mair_el1
#define TCR_ELx       tcr_el1
#define TTBR0_ELx     ttbr0_el1
#define SCTLR_ELx     sctlr_el1
#define TIMER_CVAL    cntv_cval_el0 /* the EL1 virtual timer */
#define TIMER_CTL     cntv_ctl_el0
#define COUNTER       cntvct_el0
#define ICC_SRE_ELx   S3_0_C12_C12_5 /* ICC_SRE_EL1 */
#define ICC_SRE_VALUE 0x7            /* SRE, DFB, DIB */
#else
#define KERNEL_EL     2
#define ELR_ELx       elr_el2
#define SPSR_ELx      spsr_el2
#define ESR_ELx       esr_el2
#define FAR_ELx       far_el2
#define VBAR_ELx      vbar_el2
#define TPIDR_ELx     tpidr_el2
#define MAIR_ELx      mair_el2
#define TCR_ELx       tcr_el2
#define TTBR0_ELx     ttbr0_el2
#define SCTLR_ELx     sctlr_el2
#define TIMER_CVAL    cnthp_cval_el2 /* the EL2 physical timer */
#define TIMER_CTL     cnthp_ctl_el2
#define COUNTER       cntpct_el0
#define ICC_SRE_ELx   S3_4_C12_C9_5 /* ICC_SRE_EL2 */
#define ICC_SRE_VALUE 0xf           /* SRE, DFB, DIB, Enable (EL1 may use SRE) */
#endif                              /* ZVM_EL1 */

#endif /* ARCH_EL_H */
