// SPDX-License-Identifier: MIT
/*
 * Exceptions as the guest takes them, from each mode it can be in: EL1h,
 * EL1t (SP_EL0), EL0 AArch64 and EL0 AArch32 (T32): an access outside
 * its memory (an external abort, injected by zvm), a trapped and refused
 * register (an UNDEF, injected by zvm), and a 16-bit T32 store to the
 * UART that zvm emulates (the instruction after it must run). Then PSCI
 * and the SMC calling convention's discovery calls.
 */
#include <stdio.h>
#include "probe.h"

#define PSTATE_MASKED 0x3c0ul
#define SPSR_EL0T     0x0ul
#define SPSR_A32_USR  0x10ul
#define SPSR_T32      (1ul << 5)

static void report(const char *what)
{
	uint64_t esr = probe_exc.esr;

	probe_print("exc %s: vector 0x%lx ec 0x%x il %u iss 0x%x far 0x%lx\n", what,
		    (unsigned long)probe_exc.vector, (unsigned)EC(esr), (unsigned)IL(esr),
		    (unsigned)(esr & 0x1ffffff) & ~(1u << 24 | 0x1f << 16),
		    EC(esr) == 0x24 || EC(esr) == 0x25 ? (unsigned long)probe_exc.far : 0ul);
}

static void bad_read(uint64_t addr)
{
	(void)*(volatile uint64_t *)addr;
}

/* An IMPLEMENTATION DEFINED register (CRn 15) that QEMU's CPU does not have. */
static void impdef_read(uint64_t unused)
{
	uint64_t e;

	(void)unused;
	(void)PROBE_READ(S3_0_C15_C9_7, &e);
}

static int el0_aarch32(void)
{
	uint64_t e, pfr0 = PROBE_READ(id_aa64pfr0_el1, &e);

	return (pfr0 & 0xf) == 2;
}

/* Run code at EL0 until its SVC; the exceptions it took on the way (0 or 1). */
static uint64_t lower(char *code, uint64_t spsr, uint64_t r0, uint64_t r1)
{
	probe_lower_regs[0] = r0;
	probe_lower_regs[1] = r1;
	probe_lower_regs[2] = 0;
	probe_exc.count = 0;
	run_lower((uint64_t)code + EL0_ALIAS, spsr | PSTATE_MASKED);
	return probe_exc.count;
}

void probe_exceptions(void)
{
	bad_read(BAD_ADDR);
	report("el1h-abort");
	run_sp0(bad_read, BAD_ADDR);
	report("el1t-abort");
	impdef_read(0);
	report("el1h-impdef");
	run_sp0(impdef_read, 0);
	report("el1t-impdef");
	if (lower(el0_a64_load, SPSR_EL0T, 0, BAD_ADDR))
		report("el0-abort");
	if (!el0_aarch32()) {
		probe_print("exc a32: EL0 AArch32 not implemented\n");
		return;
	}
	if (lower(el0_t32_load, SPSR_A32_USR | SPSR_T32, 0, BAD_ADDR))
		report("a32-abort");
	probe_print("t32-store: ");
	lower(el0_t32_store, SPSR_A32_USR | SPSR_T32, '*', UART_BASE);
	probe_print(" exceptions %lu, next instruction %s\n", (unsigned long)probe_exc.count,
		    probe_lower_regs[2] == 1 ? "ran" : "skipped");
}

/* ---- PSCI and SMCCC (SMC Calling Convention) ---- */

#define SMCCC_VERSION       0x80000000ul
#define SMCCC_ARCH_FEATURES 0x80000001ul
#define SMCCC_WORKAROUND_1  0x80008000ul
#define PSCI_VERSION        0x84000000ul
#define PSCI_CPU_SUSPEND    0x84000001ul
#define PSCI_CPU_SUSPEND64  0xc4000001ul
#define PSCI_CPU_ON         0x84000003ul
#define PSCI_AFFINITY_INFO  0x84000004ul
#define PSCI_FEATURES       0x8400000aul
#define HIGH                0xdead000000000000ul

static void call(const char *what, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t r = probe_hvc(fn, a1, a2, a3);
	uint64_t e;

	__asm__ volatile("mov %0, x17" : "=r"(e));
	if (e)
		probe_print("psci %s: undef ec 0x%x\n", what, (unsigned)EC(e));
	else
		probe_print("psci %s: %ld\n", what, (long)r);
}

static const uint32_t features_of[] = {
	0x84000000, 0x84000001, 0xc4000001, 0x84000002, 0x84000003, 0xc4000003, 0x84000004,
	0xc4000004, 0x84000006, 0x84000008, 0x84000009, 0x8400000a, 0x8400000c, 0xc400000c,
	0x84000010, 0x80000000, 0x80000001, 0x80008000, 0x84000005, 0x8400000e, 0x8400000f,
};

void probe_psci(void)
{
	char name[40];

	call("version", PSCI_VERSION, 0, 0, 0);
	for (unsigned i = 0; i < sizeof(features_of) / sizeof(features_of[0]); i++) {
		snprintf(name, sizeof(name), "features 0x%x", features_of[i]);
		call(name, PSCI_FEATURES, features_of[i], 0, 0);
	}
	call("smccc-version", SMCCC_VERSION, 0, 0, 0);
	call("arch-features version", SMCCC_ARCH_FEATURES, SMCCC_VERSION, 0, 0);
	call("arch-features workaround-1", SMCCC_ARCH_FEATURES, SMCCC_WORKAROUND_1, 0, 0);
	call("affinity-info32 high bits", PSCI_AFFINITY_INFO, HIGH, HIGH, 0);
	call("cpu-on32 self high bits", PSCI_CPU_ON, HIGH, HIGH | 0x40200000, 0);
	call("cpu-on64 self", 0xc4000003, 0, 0x40200000, 0);
	probe_exc.count = 0;
	PROBE_WRITE(cntv_cval_el0, probe_counter() + probe_freq() / 1000);
	PROBE_WRITE(cntv_ctl_el0, 1); /* wakes the standby */
	call("cpu-suspend standby", PSCI_CPU_SUSPEND, HIGH, 0, 0);
	PROBE_WRITE(cntv_ctl_el0, 0);
	call("cpu-suspend bad state", PSCI_CPU_SUSPEND64, 1ul << 31, 0, 0);
}
