// SPDX-License-Identifier: MIT
/*
 * Loads and stores to an emulated device (the PL011 UART) in forms whose
 * data abort has no instruction syndrome (ESR.ISV = 0: a pair, a writeback,
 * a SIMD&FP register), next to the single-register forms a hypervisor
 * emulates from the syndrome (ISV = 1). One line each: the exception taken
 * (or none), the registers loaded, how far the base register moved, and
 * for stores what the device holds afterwards.
 */
#include <stdio.h>
#include "probe.h"

#define UART_IBRD  0x24
#define UART_FBRD  0x28
#define UART_PID0  0xfe0 /* PeriphID0, PeriphID1: 0x11, 0x10 */
#define UNTOUCHED  0xdeadul
#define DFSC(esr)  ((unsigned)(esr)&0x3f)
#define EXC_DABORT 0x25

struct mmio_try {
	uint64_t esr, x2, x3, base;
};

/*
 * One instruction `insn` with x1 = addr, x2 = a, x3 = b (s0 = a); the
 * vectors set x17 to the ESR of an exception and step over it.
 */
#define MMIO_TRY(t, addr, a, b, insn)                                                      \
	__asm__ volatile("mov x17, xzr\n\tmov x1, %4\n\tmov x2, %5\n\tmov x3, %6\n\t" insn \
			 "\n\tmov %0, x17\n\tmov %1, x2\n\tmov %2, x3\n\tmov %3, x1"       \
			 : "=r"((t).esr), "=r"((t).x2), "=r"((t).x3), "=r"((t).base)       \
			 : "r"(addr), "r"(a), "r"(b)                                       \
			 : "x1", "x2", "x3", "x17", "memory")

static uint32_t uart_reg(unsigned off)
{
	return *(volatile uint32_t *)(UART_BASE + off);
}

static void report(const char *form, const struct mmio_try *t, uint64_t addr)
{
	char exc[48] = "no exception";

	if (t->esr && EC(t->esr) == EXC_DABORT)
		snprintf(exc, sizeof(exc), "ec 0x%x dfsc 0x%x far 0x%lx", (unsigned)EC(t->esr),
			 DFSC(t->esr), (unsigned long)probe_exc.far);
	else if (t->esr)
		snprintf(exc, sizeof(exc), "ec 0x%x", (unsigned)EC(t->esr));
	probe_print("mmio %s: %s, x2 0x%lx x3 0x%lx, base +%lu\n", form, exc, (unsigned long)t->x2,
		    (unsigned long)t->x3, (unsigned long)(t->base - addr));
}

static void loads(void)
{
	uint64_t id = UART_BASE + UART_PID0;
	struct mmio_try t;

	MMIO_TRY(t, id, UNTOUCHED, UNTOUCHED, "ldr w2, [x1]");
	report("ldr", &t, id);
	MMIO_TRY(t, id, UNTOUCHED, UNTOUCHED, "ldar w2, [x1]");
	report("ldar", &t, id);
	MMIO_TRY(t, id, UNTOUCHED, UNTOUCHED, "ldp w2, w3, [x1]");
	report("ldp", &t, id);
	MMIO_TRY(t, id, UNTOUCHED, UNTOUCHED, "ldr w2, [x1], #4");
	report("ldr-post", &t, id);
	MMIO_TRY(t, id - 4, UNTOUCHED, UNTOUCHED, "ldr w2, [x1, #4]!");
	report("ldr-pre", &t, id - 4);
	MMIO_TRY(t, id, UNTOUCHED, UNTOUCHED, "fmov s0, w2\n\tldr s0, [x1]\n\tfmov w2, s0");
	report("ldr-simd", &t, id);
}

/* Stores to the baud-rate divisors (harmless: QEMU's UART has no line to time). */
static void stores(void)
{
	uint64_t ibrd = UART_BASE + UART_IBRD;
	struct mmio_try t;

	MMIO_TRY(t, ibrd, 0x27, 0x4, "stp w2, w3, [x1]");
	report("stp", &t, ibrd);
	probe_print("mmio stp then: ibrd 0x%x fbrd 0x%x\n", uart_reg(UART_IBRD),
		    uart_reg(UART_FBRD));
	MMIO_TRY(t, ibrd, 0x13, 0, "str w2, [x1], #4");
	report("str-post", &t, ibrd);
	probe_print("mmio str-post then: ibrd 0x%x\n", uart_reg(UART_IBRD));
	MMIO_TRY(t, ibrd, 0x15, 0, "str w2, [x1]");
	report("str", &t, ibrd);
	probe_print("mmio str then: ibrd 0x%x\n", uart_reg(UART_IBRD));
}

void probe_mmio(void)
{
	loads();
	stores();
}
