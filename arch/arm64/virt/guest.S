/* SPDX-License-Identifier: MIT */
/*
 * World switch: guest_enter() saves the host's callee-saved registers and
 * erets into the guest; any exception from the guest lands in a lower-EL
 * vector, which saves the guest's registers into its vcpu_arch and returns
 * from guest_enter() with the exit kind. FP/SIMD is not switched here: it
 * is lazy (vcpu_arch.c), with fpsimd_save/fpsimd_load below.
 */
#include <arch/vcpu.h>

#define HOST_FRAME	112	/* x19-x30 and the ctx pointer */
#define HOST_CTX	96

.macro fp_regs op, base
	\op	q0, q1, [\base, #0]
	\op	q2, q3, [\base, #32]
	\op	q4, q5, [\base, #64]
	\op	q6, q7, [\base, #96]
	\op	q8, q9, [\base, #128]
	\op	q10, q11, [\base, #160]
	\op	q12, q13, [\base, #192]
	\op	q14, q15, [\base, #224]
	\op	q16, q17, [\base, #256]
	\op	q18, q19, [\base, #288]
	\op	q20, q21, [\base, #320]
	\op	q22, q23, [\base, #352]
	\op	q24, q25, [\base, #384]
	\op	q26, q27, [\base, #416]
	\op	q28, q29, [\base, #448]
	\op	q30, q31, [\base, #480]
.endm

	.text
	.global guest_enter
guest_enter:
	stp	x29, x30, [sp, #-HOST_FRAME]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	str	x0, [sp, #HOST_CTX]

	ldp	x2, x3, [x0, #VCPU_PC]
	msr	elr_el2, x2
	msr	spsr_el2, x3

	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret

/* From a lower-EL vector: guest x0/x1 pushed on the host stack, x0 = kind. */
	.global guest_exit
guest_exit:
	ldr	x1, [sp, #16 + HOST_CTX]
	stp	x2, x3, [x1, #16]
	stp	x4, x5, [x1, #32]
	stp	x6, x7, [x1, #48]
	stp	x8, x9, [x1, #64]
	stp	x10, x11, [x1, #80]
	stp	x12, x13, [x1, #96]
	stp	x14, x15, [x1, #112]
	stp	x16, x17, [x1, #128]
	stp	x18, x19, [x1, #144]
	stp	x20, x21, [x1, #160]
	stp	x22, x23, [x1, #176]
	stp	x24, x25, [x1, #192]
	stp	x26, x27, [x1, #208]
	stp	x28, x29, [x1, #224]
	str	x30, [x1, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x1, #0]

	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x1, #VCPU_PC]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	str	x2, [x1, #VCPU_ESR]
	str	x3, [x1, #VCPU_FAR]
	mrs	x2, hpfar_el2
	str	x2, [x1, #VCPU_HPFAR]

	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #HOST_FRAME
	ret

/* void fpsimd_save(struct vcpu_fpsimd *fp): q0-q31, FPSR, FPCR into fp. */
	.global fpsimd_save
fpsimd_save:
	fp_regs	stp, x0
	mrs	x1, fpsr
	mrs	x2, fpcr
	add	x0, x0, #512
	stp	x1, x2, [x0]
	ret

/* void fpsimd_load(const struct vcpu_fpsimd *fp): the CPU's FP/SIMD registers from fp. */
	.global fpsimd_load
fpsimd_load:
	fp_regs	ldp, x0
	add	x0, x0, #512
	ldp	x1, x2, [x0]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
