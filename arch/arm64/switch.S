/* SPDX-License-Identifier: MIT */
/* Thread context switch: callee-saved registers only (see arch/thread.h). */

	.text
	/* void arch_switch(struct arch_thread_ctx *old, struct arch_thread_ctx *new) */
	.global arch_switch
arch_switch:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x2, sp
	str	x2, [x0, #96]

	ldp	x19, x20, [x1, #0]
	ldp	x21, x22, [x1, #16]
	ldp	x23, x24, [x1, #32]
	ldp	x25, x26, [x1, #48]
	ldp	x27, x28, [x1, #64]
	ldp	x29, x30, [x1, #80]
	ldr	x2, [x1, #96]
	mov	sp, x2
	ret

	/* First run of a thread: x19 holds the thread; frame chain ends here. */
	.global arch_thread_trampoline
arch_thread_trampoline:
	mov	x0, x19
	mov	x29, #0
	mov	x30, #0
	b	kernel_thread_entry
