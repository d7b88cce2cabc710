// SPDX-License-Identifier: MIT
/*
 * The probe guest: a bare-metal program for QEMU virt's EL1 that asks the
 * CPU what a hostile guest would ask (register sweeps, each register class
 * fresh and after a write, injected exceptions from every mode, PSCI,
 * interrupts, a fault loop) and prints one line per answer. Run bare and
 * under zvm, the lines must agree (tests/system/test_probe.py).
 */
#include <stdarg.h>
#include <stdio.h>
#include "probe.h"

volatile struct probe_exc probe_exc;
volatile uint64_t probe_lower_regs[4];

#define PL011_DR 0x00
#define PL011_FR 0x18
#define FR_TXFF  (1u << 5)

static void uart_putc(char c)
{
	volatile uint32_t *uart = (volatile uint32_t *)UART_BASE;

	while (uart[PL011_FR / 4] & FR_TXFF)
		;
	uart[PL011_DR / 4] = (uint8_t)c;
}

void probe_print(const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (const char *p = buf; *p; p++) {
		if (*p == '\n')
			uart_putc('\r');
		uart_putc(*p);
	}
}

uint64_t probe_counter(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v));
	return v;
}

uint64_t probe_freq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

uint64_t probe_hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("mov x17, xzr\n\thvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x17", "memory");
	return x0;
}

/*
 * Stage 1 on (picolibc wants Normal memory): 1 GiB blocks, 0-1 GiB
 * devices, 1-2 GiB RAM for EL1, 2-3 GiB the same RAM again for EL0.
 */
static uint64_t l1_table[512] __attribute__((aligned(4096)));

#define BLOCK_AF     (1ul << 10)
#define BLOCK_ISH    (3ul << 8)
#define BLOCK_EL0    (1ul << 6)
#define BLOCK_PXN    (1ul << 53)
#define BLOCK_UXN    (1ul << 54)
#define BLOCK_NORMAL (1ul << 2) /* MAIR index 1 */
#define BLOCK        1ul

static void mmu_on(void)
{
	uint64_t tcr =
		32 | 1ul << 8 | 1ul << 10 | 3ul << 12 | 1ul << 23; /* T0SZ 32, WBWA, ISH, EPD1 */
	uint64_t sctlr = 0x30d00800ul | 1 | 1ul << 2 | 1ul << 12;  /* M, C, I */

	l1_table[0] = 0 | BLOCK | BLOCK_AF | BLOCK_EL0 | BLOCK_PXN | BLOCK_UXN;
	l1_table[1] = 0x40000000ul | BLOCK | BLOCK_AF | BLOCK_ISH | BLOCK_NORMAL | BLOCK_UXN;
	l1_table[2] =
		0x40000000ul | BLOCK | BLOCK_AF | BLOCK_ISH | BLOCK_NORMAL | BLOCK_EL0 | BLOCK_PXN;
	__asm__ volatile("dsb sy\n\t"
			 "msr mair_el1, %0\n\t"
			 "msr tcr_el1, %1\n\t"
			 "msr ttbr0_el1, %2\n\t"
			 "isb\n\t"
			 "tlbi vmalle1\n\t"
			 "dsb sy\n\t"
			 "msr sctlr_el1, %3\n\t"
			 "isb"
			 :
			 : "r"(0xff00ul), "r"(tcr), "r"((uint64_t)l1_table), "r"(sctlr)
			 : "memory");
}

/*
 * A guest that faults in a loop for `ms`: zvm must keep its host log
 * short (a few lines, then a count) and its shell answering.
 */
void probe_fault_loop(unsigned ms)
{
	uint64_t end = probe_counter() + probe_freq() / 1000 * ms;
	unsigned long n = 0;

	probe_print("fault-loop: start\n");
	while (probe_counter() < end) {
		(void)*(volatile uint64_t *)BAD_ADDR;
		n++;
	}
	probe_print("fault-loop: done (%s)\n", n > 100 ? "many aborts" : "few aborts");
}

int probe_main(void);
int probe_main(void)
{
	mmu_on();
	probe_print("probe: start\n");
	/* C1 controls in UTF-8 (C2 9B = CSI, C2 85 = NEL) between text and two real characters. */
	probe_print("c1: \xc2\x9b[31mred\xc2\x85|\xc2\xa9|\xc3\xa9\n");
	probe_regs_fresh();
	probe_gic_init();
	probe_irqs();
	probe_sweep_report();
	probe_exceptions();
	probe_mmio();
	probe_psci();
	probe_fault_loop(3000);
	probe_regs_mark();
	probe_print("probe: done\n");
	probe_hvc(0x84000008, 0, 0, 0); /* PSCI SYSTEM_OFF */
	return 0;
}
