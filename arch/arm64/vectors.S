/* SPDX-License-Identifier: MIT */
/*
 * Exception vectors of the kernel's EL. Every entry saves a full frame (struct arch_regs)
 * on the current stack and calls C; the C handler may switch threads, in
 * which case this frame waits on the old thread's stack until it runs again.
 */
#include <arch/asm.h>
#include <arch/el.h>

.macro save_frame
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0 * 16]
	stp	x2, x3, [sp, #1 * 16]
	stp	x4, x5, [sp, #2 * 16]
	stp	x6, x7, [sp, #3 * 16]
	stp	x8, x9, [sp, #4 * 16]
	stp	x10, x11, [sp, #5 * 16]
	stp	x12, x13, [sp, #6 * 16]
	stp	x14, x15, [sp, #7 * 16]
	stp	x16, x17, [sp, #8 * 16]
	stp	x18, x19, [sp, #9 * 16]
	stp	x20, x21, [sp, #10 * 16]
	stp	x22, x23, [sp, #11 * 16]
	stp	x24, x25, [sp, #12 * 16]
	stp	x26, x27, [sp, #13 * 16]
	stp	x28, x29, [sp, #14 * 16]
	add	x21, sp, #FRAME_SIZE
	stp	x30, x21, [sp, #FRAME_SP - 8]
	mrs	x21, ELR_ELx
	mrs	x22, SPSR_ELx
	stp	x21, x22, [sp, #FRAME_ELR]
	mov	x0, sp
.endm

.macro restore_frame_eret
	ldp	x21, x22, [sp, #FRAME_ELR]
	msr	ELR_ELx, x21
	msr	SPSR_ELx, x22
	ldp	x0, x1, [sp, #0 * 16]
	ldp	x2, x3, [sp, #1 * 16]
	ldp	x4, x5, [sp, #2 * 16]
	ldp	x6, x7, [sp, #3 * 16]
	ldp	x8, x9, [sp, #4 * 16]
	ldp	x10, x11, [sp, #5 * 16]
	ldp	x12, x13, [sp, #6 * 16]
	ldp	x14, x15, [sp, #7 * 16]
	ldp	x16, x17, [sp, #8 * 16]
	ldp	x18, x19, [sp, #9 * 16]
	ldp	x20, x21, [sp, #10 * 16]
	ldp	x22, x23, [sp, #11 * 16]
	ldp	x24, x25, [sp, #12 * 16]
	ldp	x26, x27, [sp, #13 * 16]
	ldp	x28, x29, [sp, #14 * 16]
	ldr	x30, [sp, #FRAME_SP - 8]
	add	sp, sp, #FRAME_SIZE
	eret
.endm

/* One vector slot: save, call handler(frame, kind), restore. */
.macro vector handler, kind
	.balign	0x80
	save_frame
	mov	x1, #\kind
	bl	\handler
	b	exception_return
.endm

/*
 * A guest's exception: keep two of its registers on the host stack, then
 * exit, or first try the fast path of its kind (guest.S: it answers in the
 * vector what needs no scheduling decision, else goes on to guest_exit).
 */
.macro guest_vector kind, entry=guest_exit
	.balign	0x80
#ifdef ZVM_EL1
	save_frame
	mov	x1, #\kind
	bl	exception_unexpected
	b	exception_return
#else
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\kind
	b	\entry
#endif /* ZVM_EL1 */
.endm

	.text
	.balign	0x800
	.global kernel_vectors
kernel_vectors:
	/* Current EL with SP_EL0: never used. */
	vector	exception_unexpected, 0
	vector	exception_unexpected, 1
	vector	exception_unexpected, 2
	vector	exception_unexpected, 3
	/* Current EL with SP_ELx: the kernel itself. */
	vector	exception_sync, 4
	vector	exception_irq, 5
	vector	exception_unexpected, 6
	vector	exception_unexpected, 7
	/* Lower EL, AArch64: a guest exits (see guest.S). */
	guest_vector 8, guest_sync_fast
	guest_vector 9, guest_irq_fast
	guest_vector 10
	guest_vector 11
	/* Lower EL, AArch32 (a guest's EL0 may be): the same exits. */
	guest_vector 8, guest_sync_fast
	guest_vector 9, guest_irq_fast
	guest_vector 10
	guest_vector 11

exception_return:
	restore_frame_eret
