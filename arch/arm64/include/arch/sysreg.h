/* System register access and barriers for AArch64. */
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

/* DAIF.I is bit 7: IRQs masked. */
#define DAIF_IRQ	(1u << 7)

static inline uint64_t arch_irq_save(void)
{
	uint64_t daif = read_sysreg(daif);

	__asm__ volatile("msr daifset, #2" : : : "memory");
	return daif;
}

static inline void arch_irq_restore(uint64_t daif)
{
	__asm__ volatile("msr daif, %0" : : "r"(daif) : "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

static inline void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
}

/* Did the interrupt state saved by arch_irq_save() have IRQs masked? */
static inline int arch_irq_key_masked(uint64_t key)
{
	return (key & DAIF_IRQ) != 0;
}

static inline int arch_irqs_masked(void)
{
	return (read_sysreg(daif) & DAIF_IRQ) != 0;
}

#endif /* ARCH_SYSREG_H */
