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

/*
 * The exit fast path: exits that need no scheduling decision are answered
 * here, in the vector, with only the registers they use saved (on the host
 * stack, below the guest's x0/x1 that the vector pushed), and the guest
 * entered again at once. Anything else goes on to guest_exit as before,
 * with x0 = the exit kind. docs/vgic.md ("The fast path") has the rules;
 * the short version:
 * - IRQ: the highest-priority pending physical interrupt (ICC_HPPIR1_EL1,
 *   nothing acknowledged) is a hardware-linked PPI or passed-through SPI of
 *   this vCPU whose slot the last vgic_flush armed (struct vcpu_fast), and
 *   the LR it names is empty: the physical interrupt is made active (the
 *   slot's GICR_ISACTIVER0 or GICD_ISACTIVERn: it cannot fire again, and the
 *   guest's EOI of the HW LR deactivates it) and its pending state cleared
 *   (ICPENDR: an edge is taken as an acknowledge would; a level interrupt
 *   stays pending while its line is high), the LR written,
 *   lr_written set. vgic_sync reconciles that LR on the next full exit: the
 *   vGIC state machine stays the one authority.
 * - HVC: the null hypercall (ZVM_HC_NULL) answers 0.
 * - MSR ICC_SGI1R_EL1 sending an armed SGI to this vCPU alone: pending in
 *   that same LR, the MSR skipped.
 * Each counts its exit in struct vcpu_fast (vcpu_exit_fast adds them up).
 */
/* x1 = struct vcpu_fast. x2 = its LR index; on to `slow` unless that LR is empty. */
.macro lr_free_or slow
	ldr	x2, [x1, #FAST_LR_INDEX]
	mrs	x3, S3_4_C12_C11_5		/* ICH_ELRSR_EL2: the empty LRs */
	lsr	x3, x3, x2
	tbz	x3, #0, \slow			/* it still holds the last one */
.endm

/* The LR is the fast path's until the next vgic_sync; one more exit of a kind. */
.macro lr_claim counter
	mov	x3, #1
	str	x3, [x1, #FAST_LR_WRITTEN]
	ldr	x3, [x1, #\counter]
	add	x3, x3, #1
	str	x3, [x1, #\counter]
.endm

/* ICH_LR<x2>_EL2 = x0 (lr_write), then irq_done. */
.macro lr_write_x0
	adr	x3, lr_write
	add	x3, x3, x2, lsl #3		/* two instructions per entry */
	br	x3
.endm

	.global guest_irq_fast
guest_irq_fast:
	stp	x2, x3, [sp, #-32]!
	stp	x4, x5, [sp, #16]
	ldr	x1, [sp, #48 + HOST_CTX]
	add	x1, x1, #VCPU_FAST		/* its struct vcpu_fast */
	mrs	x0, S3_0_C12_C12_2		/* ICC_HPPIR1_EL1 */
	mov	x4, x1				/* slot 0 */
	add	x5, x1, #(FAST_HW_SLOTS * 8)	/* past the last */
1:	ldr	x2, [x4, #FAST_HW_INTID]
	cmp	x0, x2
	b.eq	2f
	add	x4, x4, #8
	cmp	x4, x5
	b.ne	1b
	b	irq_slow
2:	ldr	x0, [x4, #FAST_HW_LR]
	cbz	x0, irq_slow			/* not armed */
	lr_free_or irq_slow
	ldr	x3, [x4, #FAST_HW_BIT]
	ldr	x5, [x4, #FAST_HW_ACTIVER]
	str	w3, [x5]			/* the physical one: active until the guest's EOI */
	stur	w3, [x5, #FAST_ICPENDR]		/* not pending: an edge is taken (a level stays) */
	dsb	sy
	lr_claim FAST_IRQS
	lr_write_x0
irq_done:
	ldp	x4, x5, [sp, #16]
	ldp	x2, x3, [sp], #32
	ldp	x0, x1, [sp], #16
	eret
irq_slow:
	ldp	x4, x5, [sp, #16]
	ldp	x2, x3, [sp], #32
	mov	x0, #GUEST_EXIT_IRQ
	b	guest_exit

/* ICH_LR<x2>_EL2 = x0: one entry per list register. */
.macro lr_entry reg
	msr	\reg, x0
	b	irq_done
.endm
lr_write:
	lr_entry S3_4_C12_C12_0
	lr_entry S3_4_C12_C12_1
	lr_entry S3_4_C12_C12_2
	lr_entry S3_4_C12_C12_3
	lr_entry S3_4_C12_C12_4
	lr_entry S3_4_C12_C12_5
	lr_entry S3_4_C12_C12_6
	lr_entry S3_4_C12_C12_7
	lr_entry S3_4_C12_C13_0
	lr_entry S3_4_C12_C13_1
	lr_entry S3_4_C12_C13_2
	lr_entry S3_4_C12_C13_3
	lr_entry S3_4_C12_C13_4
	lr_entry S3_4_C12_C13_5
	lr_entry S3_4_C12_C13_6
	lr_entry S3_4_C12_C13_7

	.global guest_sync_fast
guest_sync_fast:
	mrs	x0, esr_el2
	lsr	x1, x0, #26			/* EC */
	cmp	x1, #FAST_EC_HVC64
	b.eq	hvc_fast
	cmp	x1, #FAST_EC_SYSREG
	b.eq	sysreg_fast
sync_slow:
	mov	x0, #GUEST_EXIT_SYNC
	b	guest_exit

hvc_fast:
	ldr	w1, [sp]			/* the guest's w0: the function */
	mov	w0, #(FAST_HC_NULL >> 16)
	cmp	w1, w0, lsl #16
	b.ne	sync_slow
	ldr	x1, [sp, #16 + HOST_CTX]
	add	x1, x1, #VCPU_FAST
	ldr	x0, [x1, #FAST_HVCS]
	add	x0, x0, #1
	str	x0, [x1, #FAST_HVCS]
	mov	x0, #0				/* its answer */
	ldr	x1, [sp, #8]
	add	sp, sp, #16
	eret

/*
 * MSR ICC_SGI1R_EL1, Xt sending an SGI to this vCPU alone, whose slot the
 * last flush armed (idle, enabled): the SGI goes pending into the free LR,
 * as vgic_flush would put it (vgic_sync reconciles it as for a timer).
 * x0 = ESR. Anything else (other targets, IRM, a busy SGI) goes the full way.
 */
sysreg_fast:
	bic	x1, x0, #0x3e0			/* Rt out */
	and	x1, x1, #0x3fffff		/* ISS [21:0]: register and direction */
	sub	x1, x1, #(FAST_ISS_SGI1R >> 12), lsl #12
	cmp	x1, #(FAST_ISS_SGI1R & 0xfff)
	b.ne	sync_slow
	ubfx	x0, x0, #5, #5			/* Rt */
	adr	x1, rt_read
	add	x1, x1, x0, lsl #3		/* two instructions per entry */
	br	x1
sgi_value:					/* x0 = the value written */
	stp	x2, x3, [sp, #-32]!
	stp	x4, x5, [sp, #16]
	ldr	x1, [sp, #48 + HOST_CTX]
	add	x1, x1, #VCPU_FAST
	ldr	x2, [x1, #FAST_SGI_SELF]
	bic	x3, x0, #0xf000000		/* INTID out */
	cmp	x3, x2
	b.ne	sgi_slow			/* not to this vCPU alone */
	ubfx	x3, x0, #24, #4			/* INTID */
	add	x4, x1, #FAST_SGI_LR
	ldr	x0, [x4, x3, lsl #3]
	cbz	x0, sgi_slow			/* not armed */
	lr_free_or sgi_slow
	lr_claim FAST_SYSREGS
	mrs	x3, elr_el2
	add	x3, x3, #4			/* past the MSR */
	msr	elr_el2, x3
	lr_write_x0				/* then irq_done: the same frame */
sgi_slow:
	ldp	x4, x5, [sp, #16]
	ldp	x2, x3, [sp], #32
	b	sync_slow

/* x0 = guest register Rt (x0/x1 are on the stack, 31 is xzr). */
rt_read:
	ldr	x0, [sp]
	b	sgi_value
	ldr	x0, [sp, #8]
	b	sgi_value
.irp n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
	mov	x0, x\n
	b	sgi_value
.endr
	mov	x0, xzr
	b	sgi_value

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
