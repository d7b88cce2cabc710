/* SPDX-License-Identifier: MIT */
/*
 * The exception syndrome (ESR_ELx): the exception class and the classes
 * zvm handles. Used by the kernel's own exception report
 * (arch/arm64/exception.c) and the guest exit handlers.
 */
#ifndef ARCH_ESR_REGS_H
#define ARCH_ESR_REGS_H

#define ESR_EC_SHIFT		26
#define ESR_EC_MASK		0x3ful
#define ESR_EC(esr)		(((esr) >> ESR_EC_SHIFT) & ESR_EC_MASK)
#define ESR_IL			(1ul << 25)	/* 32-bit instruction */

/* Exception classes */
#define EC_UNKNOWN		0x00
#define EC_WFX			0x01
#define EC_SVC64		0x15
#define EC_HVC64		0x16
#define EC_SMC64		0x17
#define EC_SYSREG		0x18	/* MSR/MRS trapped */
#define EC_IABT_LOW		0x20	/* instruction abort from a lower EL */
#define EC_IABT_CUR		0x21
#define EC_PC_ALIGN		0x22
#define EC_DABT_LOW		0x24	/* data abort from a lower EL */
#define EC_DABT_CUR		0x25
#define EC_SP_ALIGN		0x26
#define EC_SERROR		0x2f
#define EC_BRK64		0x3c

#endif /* ARCH_ESR_REGS_H */
