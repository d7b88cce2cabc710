/* SPDX-License-Identifier: MIT */
/* The probe guest (guests/probe/README): shared by its files. */
#ifndef PROBE_H
#define PROBE_H

#include <stdint.h>

/* Filled by the vectors (start.S) on every exception. */
struct probe_exc {
	uint64_t count;
	uint64_t vector; /* offset from VBAR_EL1 */
	uint64_t esr;
	uint64_t far;
	uint64_t elr;
	uint64_t spsr;
};
extern volatile struct probe_exc probe_exc;
extern volatile uint64_t probe_lower_regs[4];

#define EC(esr) (((esr) >> 26) & 0x3f)
#define IL(esr) (((esr) >> 25) & 1)

/* One MRS/MSR; *esr = the ESR of its exception, 0 if none. */
#define PROBE_READ(reg, esr)                                                       \
	({                                                                         \
		uint64_t pr_v, pr_e;                                               \
		__asm__ volatile("mov x17, xzr\n\tmrs %0, " #reg "\n\tmov %1, x17" \
				 : "=r"(pr_v), "=r"(pr_e)                          \
				 :                                                 \
				 : "x17", "memory");                               \
		*(esr) = pr_e;                                                     \
		pr_v;                                                              \
	})
#define PROBE_WRITE(reg, val)                                                             \
	({                                                                                \
		uint64_t pr_e;                                                            \
		__asm__ volatile("mov x17, xzr\n\tmsr " #reg ", %1\n\tisb\n\tmov %0, x17" \
				 : "=r"(pr_e)                                             \
				 : "r"((uint64_t)(val))                                   \
				 : "x17", "memory");                                      \
		pr_e;                                                                     \
	})

void probe_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t probe_counter(void);
uint64_t probe_freq(void);
uint64_t probe_hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
void probe_gic_init(void);
/** Wait up to ms for an interrupt; its INTID (acknowledged and EOIed), or 1023. */
unsigned probe_wait_irq(unsigned ms);
void probe_regs_fresh(void);
void probe_regs_mark(void);
void probe_sweep_report(void);
void probe_exceptions(void);
void probe_psci(void);
void probe_irqs(void);
void probe_fault_loop(unsigned ms);
void probe_mmio(void);

void run_lower(uint64_t entry, uint64_t spsr);
void run_sp0(void (*fn)(uint64_t), uint64_t arg);
void probe_sweep(uint32_t *out);
extern char el0_a64_load[], el0_t32_load[], el0_t32_store[];

#define BAD_ADDR  0x0c000000ul /* no device in QEMU virt, none in the VM */
#define UART_BASE 0x09000000ul
#define EL0_ALIAS 0x40000000ul /* RAM seen again at +1 GiB, with EL0 access */

#endif /* PROBE_H */
