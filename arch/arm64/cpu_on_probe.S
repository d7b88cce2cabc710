/* SPDX-License-Identifier: MIT */
/*
 * The CPU_ON probe (include: arch/cpu_on_probe.h). Entered by PSCI CPU_ON
 * at EL1 with the MMU off and x0 = the probe's address; every access is
 * therefore a non-cacheable one, straight to memory.
 */
#include <arch/cpu_on_probe.h>

#define PSCI_CPU_OFF_HI	0x8400		/* PSCI CPU_OFF = 0x84000002 */
#define PSCI_CPU_OFF_LO	0x0002

	.section .text.cpu_on_probe, "ax"
	.balign	4
	.global	cpu_on_probe_entry
cpu_on_probe_entry:
	ldr	w1, [x0, #PROBE_RUNNING]
	cbz	w1, 1f
	ldr	w2, [x0, #PROBE_RESTARTS]	/* started again while it ran */
	add	w2, w2, #1
	str	w2, [x0, #PROBE_RESTARTS]
1:	mov	w1, #1
	str	w1, [x0, #PROBE_RUNNING]
	ldr	w2, [x0, #PROBE_STARTS]
	add	w2, w2, #1
	str	w2, [x0, #PROBE_STARTS]
	dsb	sy
2:	ldr	w3, [x0, #PROBE_RELEASE]	/* stay on until the guest says so */
	cmp	w3, w2
	b.lo	2b
	str	wzr, [x0, #PROBE_RUNNING]
	dsb	sy
	ldr	w4, [x0, #PROBE_CONDUIT]
	movz	x0, #PSCI_CPU_OFF_LO
	movk	x0, #PSCI_CPU_OFF_HI, lsl #16
	cbnz	w4, 3f
	hvc	#0
	b	4f
3:	smc	#0
4:	wfi					/* CPU_OFF does not return */
	b	4b

	.section .text.cpu_on_probe_sync, "ax"
	.balign	4
	.global	cpu_on_probe_sync
cpu_on_probe_sync:
	dc	civac, x0
	add	x1, x0, #PROBE_RELEASE
	dc	civac, x1
	dsb	sy
	ret
