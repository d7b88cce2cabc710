/* SPDX-License-Identifier: MIT */
/*
 * Entry of every CPU at the kernel's EL (EL2 host, EL1 guest). The boot CPU arrives at _start from QEMU's
 * ELF loader; secondaries arrive at secondary_entry through PSCI CPU_ON
 * with their logical index as context id in x0.
 */
#include <arch/asm.h>
#include <arch/el.h>

	.section .text.boot, "ax"
	.global _start
_start:
	mov	x19, x0				/* DTB pointer, if a loader gave one */
	mrs	x1, CurrentEL
	cmp	x1, #(KERNEL_EL << 2)
	b.ne	wrong_el

	/* Clear BSS with aligned stores: the MMU is off, memory is Device. */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	mov	x0, #0
	bl	set_boot_stack
	mov	x0, x19
	bl	kernel_boot_main		/* never returns */
	b	park

	.global secondary_entry
secondary_entry:
	mov	x19, x0				/* logical CPU index */
	bl	set_boot_stack
	mov	x0, x19
	bl	kernel_secondary_boot		/* never returns */
	b	park

/* sp = top of the boot stack of CPU x0; also cleans the frame chain. */
set_boot_stack:
	ldr	x1, =boot_stacks
	add	x0, x0, #1
	mov	x2, #BOOT_STACK_SIZE
	madd	x1, x0, x2, x1
	mov	sp, x1
	mov	x29, #0
	ret

wrong_el:
park:
	wfe
	b	park

	.bss
	.balign	16
	.global boot_stacks
boot_stacks:
	.space	BOOT_STACK_SIZE * MAX_CPUS
