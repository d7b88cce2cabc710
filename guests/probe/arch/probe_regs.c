// SPDX-License-Identifier: MIT
/*
 * Register classes a guest can reach: each read fresh (what a new CPU
 * shows: what zvm gives a new vCPU must match, and never what another VM
 * left on the same host CPU), then written with a mark; and a sweep of
 * every op0=2/3 encoding, reporting which ones fault.
 */
#include "probe.h"

#define MARK 0x5a5a0000ul

/* One register of a class: its name, a read, a mark to write (0: read only). */
#define REG_READ(name, reg)                                                             \
	do {                                                                            \
		uint64_t e_, v_ = PROBE_READ(reg, &e_);                                 \
		if (e_)                                                                 \
			probe_print("reg %s: undef ec 0x%x\n", name, (unsigned)EC(e_)); \
		else                                                                    \
			probe_print("reg %s: 0x%lx\n", name, (unsigned long)v_);        \
	} while (0)
#define REG_MARK(name, reg, mark)                                                       \
	do {                                                                            \
		uint64_t e_ = PROBE_WRITE(reg, mark);                                   \
		uint64_t v_ = PROBE_READ(reg, &e_);                                     \
		if (e_)                                                                 \
			probe_print("set %s: undef ec 0x%x\n", name, (unsigned)EC(e_)); \
		else                                                                    \
			probe_print("set %s: 0x%lx\n", name, (unsigned long)v_);        \
	} while (0)

/* The classes: GIC CPU interface, debug, EL1 physical timer, RAS, PMU, others. */
#define CLASSES(op)                                                                                \
	op("gic.ap0r0", S3_0_C12_C8_4, 1) op("gic.ap1r0", S3_0_C12_C9_0, 1) op(                    \
		"gic.bpr1", S3_0_C12_C12_3,                                                        \
		3) op("debug.bvr0", S2_0_C0_C0_4,                                                  \
		      MARK | 0x40) op("debug.bcr0", S2_0_C0_C0_5,                                  \
				      0x1e0) op("debug.wvr0", S2_0_C0_C0_6,                        \
						MARK | 0x80) op("debug.wcr0", S2_0_C0_C0_7, 0x1f0) \
		op("debug.bvr5", S2_0_C0_C5_4,                                                     \
		   MARK | 0x44) op("debug.wvr3", S2_0_C0_C3_6,                                     \
				   MARK | 0x88) op("debug.mdccint", S2_0_C0_C2_0, 1ul << 29)       \
			op("debug.claimclr", S2_0_C7_C9_6,                                         \
			   0) op("debug.mdscr", S2_0_C0_C2_2,                                      \
				 1ul << 12) op("debug.osdlr", S2_0_C1_C3_4,                        \
					       1) op("ptimer.cval", S3_3_C14_C2_2,                 \
						     MARK) op("ptimer.ctl", S3_3_C14_C2_1, 3)      \
				op("ras.disr", S3_0_C12_C1_1,                                      \
				   0x80000010ul) op("ras.errselr", S3_0_C5_C3_1,                   \
						    1) op("pmu.pmcr", S3_3_C9_C12_0,               \
							  1) op("pmu.pmccfiltr", S3_3_C14_C15_7,   \
								1ul << 27 | 1ul << 30 | 1ul << 31) \
					op("pmu.pmccntr", S3_3_C9_C13_0, MARK) op(                 \
						"pmu.pmevtyper0", S3_3_C14_C12_0,                  \
						0x11) op("pmu.pmuserenr", S3_3_C9_C14_0,           \
							 1) op("pmu.pmselr", S3_3_C9_C12_5,        \
							       1) op("misc.actlr", S3_0_C1_C0_1,   \
								     1) op("misc.contextidr",      \
									   S3_0_C13_C0_1, MARK)    \
						op("misc.lorc", S3_0_C10_C4_3,                     \
						   1) op("misc.lorsa", S3_0_C10_C4_0,              \
							 MARK) op("misc.scxtnum1", S3_0_C13_C0_7,  \
								  MARK) op("misc.scxtnum0",        \
									   S3_3_C13_C0_7, MARK)    \
							op("misc.tpidr2", S3_3_C13_C0_5, MARK) op( \
								"sve.zcr", S3_0_C1_C2_0,           \
								1) op("sme.smcr", S3_0_C1_C2_6, 1) \
								op("amu.amcr", S3_3_C13_C2_0, 0)   \
									op("trace.trcprgctlr",     \
									   S2_1_C0_C1_0, 0)

#define DO_READ(name, reg, mark) REG_READ(name, reg);
#define DO_MARK(name, reg, mark) \
	if (mark)                \
		REG_MARK(name, reg, mark);

void probe_regs_fresh(void)
{
	uint64_t e, oslsr = PROBE_READ(S2_0_C1_C1_4, &e);
	uint64_t isar2 = PROBE_READ(S3_0_C0_C6_2, &e); /* ID_AA64ISAR2_EL1 */

	probe_print("reg debug.oslsr: 0x%lx\n", (unsigned long)oslsr);
	probe_print("reg id.wfxt: 0x%lx\n", (unsigned long)(isar2 & 0xf));
	CLASSES(DO_READ)
}

void probe_regs_mark(void)
{
	uint64_t e;

	CLASSES(DO_MARK)
	PROBE_WRITE(S2_0_C7_C8_6, 5); /* DBGCLAIMSET_EL1 */
	probe_print("set debug.claimclr: 0x%lx\n", (unsigned long)PROBE_READ(S2_0_C7_C9_6, &e));
	PROBE_WRITE(S2_0_C1_C0_4, 1); /* OSLAR_EL1: lock */
	probe_print("set debug.oslsr: 0x%lx\n", (unsigned long)PROBE_READ(S2_0_C1_C1_4, &e));
}

static uint32_t sweep_esr[2][8][16][128];

/*
 * One line per (op0, op1, CRn): which of its 128 encodings (CRm, op2)
 * fault, as a 128-bit mask (bit CRm * 8 + op2), and any fault that is not
 * an UNDEF (EC 0) by itself.
 */
static void sweep_line(unsigned op0, unsigned op1, unsigned crn)
{
	const uint32_t *esr = sweep_esr[op0 - 2][op1][crn];
	uint64_t mask[2] = { 0, 0 };

	for (unsigned i = 0; i < 128; i++) {
		if (esr[i])
			mask[i / 64] |= 1ul << (i % 64);
		if (esr[i] && EC(esr[i]) != 0)
			probe_print("sweep S%u_%u_C%u_C%u_%u: ec 0x%x\n", op0, op1, crn, i / 8,
				    i % 8, (unsigned)EC(esr[i]));
	}
	probe_print("sweep %u %u %u: %016lx%016lx\n", op0, op1, crn, (unsigned long)mask[1],
		    (unsigned long)mask[0]);
}

void probe_sweep_report(void)
{
	probe_sweep(&sweep_esr[0][0][0][0]);
	for (unsigned op0 = 2; op0 <= 3; op0++)
		for (unsigned op1 = 0; op1 < 8; op1++)
			for (unsigned crn = 0; crn < 16; crn++)
				sweep_line(op0, op1, crn);
}
