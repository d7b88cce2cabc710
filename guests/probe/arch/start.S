/* SPDX-License-Identifier: MIT */
/*
 * The probe guest's entry, vectors and mode helpers. Every exception is
 * recorded (probe_exc: count, vector offset, ESR, FAR, ELR, SPSR) and the
 * faulting instruction is stepped over (2 or 4 bytes, by ESR.IL), with
 * x17 = ESR so inline probes see that their one instruction faulted. An
 * SVC from a lower EL ends run_lower(): its x0-x3 land in probe_lower_regs.
 */
#define SVC64 0x15
#define SVC32 0x11

	.section .text.boot, "ax"
	.global _start
_start:
	ldr	x1, =probe_stack_top
	mov	sp, x1
	ldr	x1, =probe_vectors
	msr	vbar_el1, x1
	mov	x1, #(3 << 20)		/* FP/SIMD on at EL1 and EL0 */
	msr	cpacr_el1, x1
	isb
	bl	probe_main
1:	wfi
	b	1b

	.text
.macro vec slot
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mov	x0, #(\slot * 0x80)
	b	vec_common
.endm

	.balign	0x800
	.global probe_vectors
probe_vectors:
	vec 0
	vec 1
	vec 2
	vec 3
	vec 4
	vec 5
	vec 6
	vec 7
	vec 8
	vec 9
	vec 10
	vec 11
	vec 12
	vec 13
	vec 14
	vec 15

vec_common:
	stp	x2, x3, [sp, #-16]!
	mrs	x3, esr_el1
	ubfx	x1, x3, #26, #6
	cmp	x0, #0x400
	b.lo	1f
	cmp	x1, #SVC64
	b.eq	lower_return
	cmp	x1, #SVC32
	b.eq	lower_return
1:	ldr	x2, =probe_exc
	ldr	x1, [x2]
	add	x1, x1, #1
	str	x1, [x2]
	str	x0, [x2, #8]
	str	x3, [x2, #16]
	mrs	x1, far_el1
	str	x1, [x2, #24]
	mrs	x1, elr_el1
	str	x1, [x2, #32]
	mrs	x1, spsr_el1
	str	x1, [x2, #40]
	mrs	x1, elr_el1
	mov	x0, #2
	mov	x2, #4
	tst	x3, #(1 << 25)
	csel	x0, x2, x0, ne
	add	x1, x1, x0
	msr	elr_el1, x1
	mov	x17, x3
	ldp	x2, x3, [sp], #16
	ldp	x0, x1, [sp], #16
	eret

/* run_lower(entry, spsr): enter a lower EL at entry with x0-x3 from probe_lower_regs. */
	.global run_lower
run_lower:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	ldr	x9, =saved_sp
	mov	x10, sp
	str	x10, [x9]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	ldr	x9, =probe_el0_stack_top
	mov	x10, #0x40000000	/* EL0_ALIAS: RAM as EL0 sees it */
	add	x9, x9, x10
	msr	sp_el0, x9
	ldr	x9, =probe_lower_regs
	ldp	x0, x1, [x9]
	ldp	x2, x3, [x9, #16]
	isb
	eret

lower_return:
	ldr	x9, =probe_lower_regs
	ldp	x0, x1, [sp, #16]
	stp	x0, x1, [x9]
	ldp	x0, x1, [sp]
	stp	x0, x1, [x9, #16]
	ldr	x9, =saved_sp
	ldr	x9, [x9]
	mov	sp, x9
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

/* run_sp0(fn, arg): call fn(arg) at EL1 with SPSel = 0 (EL1t), on its own stack. */
	.global run_sp0
run_sp0:
	stp	x29, x30, [sp, #-16]!
	ldr	x9, =probe_sp0_stack_top
	msr	sp_el0, x9
	mov	x9, x0
	mov	x0, x1
	msr	spsel, #0
	blr	x9
	msr	spsel, #1
	ldp	x29, x30, [sp], #16
	ret

/* EL0 AArch64: x0 = [x1]; svc. */
	.balign	4
	.global el0_a64_load
el0_a64_load:
	ldr	x0, [x1]
	svc	#0

/* EL0 T32 (hand-encoded, 16-bit): ldr r0, [r1]; svc 0. */
	.balign	4
	.global el0_t32_load
el0_t32_load:
	.hword	0x6808
	.hword	0xdf00
/* EL0 T32: strb r0, [r1]; adds r2, #1; svc 0 (r2 counts the instruction after the store). */
	.balign	4
	.global el0_t32_store
el0_t32_store:
	.hword	0x7008
	.hword	0x3201
	.hword	0xdf00
	.hword	0xbf00

	.bss
	.balign	16
saved_sp:
	.skip	8
	.balign	16
	.skip	16384
	.global probe_stack_top
probe_stack_top:
	.skip	8192
	.global probe_sp0_stack_top
probe_sp0_stack_top:
	.skip	4096
probe_el0_stack_top:
