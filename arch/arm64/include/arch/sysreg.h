/*
 * System register access and barriers for AArch64: for arch/ only. The
 * portable code reaches the CPU through include/zvm/arch.h, which does not
 * export these (scripts/check-arch-boundary.py keeps it so).
 */
#ifndef ARCH_SYSREG_H
#define ARCH_SYSREG_H

#include <stdint.h>

/* Two levels, so a register name given as a macro (arch/el.h) is expanded first. */
#define read_sysreg(reg)	__read_sysreg(reg)
#define write_sysreg(reg, val)	__write_sysreg(reg, val)

#define __read_sysreg(reg) ({						\
	uint64_t __val;							\
	__asm__ volatile("mrs %0, " #reg : "=r"(__val));		\
	__val; })

#define __write_sysreg(reg, val) \
	__asm__ volatile("msr " #reg ", %x0" : : "rZ"((uint64_t)(val)))

#define isb()		__asm__ volatile("isb" : : : "memory")
#define dsb(opt)	__asm__ volatile("dsb " #opt : : : "memory")
#define dmb(opt)	__asm__ volatile("dmb " #opt : : : "memory")
#define wfi()		__asm__ volatile("wfi" : : : "memory")
#define wfe()		__asm__ volatile("wfe" : : : "memory")
#define sev()		__asm__ volatile("sev" : : : "memory")

#include <arch/irq.h>

#endif /* ARCH_SYSREG_H */
