/* SPDX-License-Identifier: MIT */
/*
 * The exception syndrome (ESR_ELx): the exception class and the classes
 * zvm handles. Used by the kernel's own exception report
 * (arch/arm64/exception.c), the exceptions injected into guests
 * (arch/arm64/virt/inject.c) and the guest exit dispatch (virt/vcpu_exit.c).
 */
#ifndef ARCH_ESR_REGS_H
#define ARCH_ESR_REGS_H

#define ESR_EC_SHIFT 26
#define ESR_EC_MASK  0x3ful
#define ESR_EC(esr)  (((esr) >> ESR_EC_SHIFT) & ESR_EC_MASK)
#define ESR_IL       (1ul << 25) /* 32-bit instruction */

/* Exception classes (unsigned long: they are shifted into ESR_EC_SHIFT) */
#define EC_UNKNOWN  0x00ul
#define EC_WFX      0x01ul
#define EC_FP       0x07ul /* FP/SIMD trapped (CPTR_EL2.TFP) */
#define EC_SVC64    0x15ul
#define EC_HVC64    0x16ul
#define EC_SMC64    0x17ul
#define EC_SYSREG   0x18ul /* MSR/MRS trapped */
#define EC_IABT_LOW 0x20ul /* instruction abort from a lower EL */
#define EC_IABT_CUR 0x21ul
#define EC_PC_ALIGN 0x22ul
#define EC_DABT_LOW 0x24ul /* data abort from a lower EL */
#define EC_DABT_CUR 0x25ul
#define EC_SP_ALIGN 0x26ul
#define EC_SERROR   0x2ful
#define EC_BRK64    0x3cul

/* WFx ISS.TI: which of the wait instructions trapped (WFIT/WFET: FEAT_WFxT). */
#define ESR_WFX_TI(esr) ((esr)&3ul)
#define WFX_TI_WFI      0ul
#define WFX_TI_WFE      1ul
#define WFX_TI_WFIT     2ul
#define WFX_TI_WFET     3ul

/* Data abort ISS: a cache maintenance instruction (CM); the fault status code. */
#define ESR_DABT_CM  (1ul << 8)
#define ESR_FSC(esr) ((esr)&0x3ful)

/* Fault status codes (ISS.DFSC of a data abort, IFSC of an instruction abort). */
#define DFSC_TRANSLATION(level) (0x04ul + (level)) /* translation fault, level 0-3 */
#define DFSC_EXTERNAL           0x10ul             /* synchronous external abort */

#endif /* ARCH_ESR_REGS_H */
