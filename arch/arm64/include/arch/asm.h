/* SPDX-License-Identifier: MIT */
/* Constants shared by assembly and C. */
#ifndef ARCH_ASM_H
#define ARCH_ASM_H

#define MAX_CPUS        8
#define BOOT_STACK_SIZE 16384 /* also the idle thread's stack */

/* Exception frame: x0..x30, sp, elr, spsr. */
#define FRAME_SIZE (34 * 8)
#define FRAME_SP   (31 * 8)
#define FRAME_ELR  (32 * 8)
#define FRAME_SPSR (33 * 8)

#endif /* ARCH_ASM_H */
