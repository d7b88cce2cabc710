/* SPDX-License-Identifier: MIT */
/*
 * The self-hosted debug registers are vCPU state, switched with the rest
 * of EL1 (vcpu_arch.c): every implemented breakpoint and watchpoint
 * (their number from ID_AA64DFR0_EL1), the claim tags, MDCCINT_EL1, the OS
 * lock and the OS double lock. MDSCR_EL1 is switched by vcpu_arch.c. With
 * MDCR_EL2.TDE clear a guest's breakpoints can only hit at EL1/EL0 (debug
 * exceptions from EL2 are disabled), and while it is away the next vCPU's
 * values replace them.
 */
#include <arch/sysreg.h>
#include <arch/trap_regs.h>
#include <arch/vcpu.h>

#define FALLTHROUGH __attribute__((fallthrough))

/* One case per pair n, highest first: the encoding must be known when assembling. */
#define SAVE_BP(n)                                               \
	case (n) + 1:                                            \
		ctx->dbg_bvr[n] = read_sysreg(S2_0_C0_C##n##_4); \
		ctx->dbg_bcr[n] = read_sysreg(S2_0_C0_C##n##_5); \
		FALLTHROUGH;
#define SAVE_WP(n)                                               \
	case (n) + 1:                                            \
		ctx->dbg_wvr[n] = read_sysreg(S2_0_C0_C##n##_6); \
		ctx->dbg_wcr[n] = read_sysreg(S2_0_C0_C##n##_7); \
		FALLTHROUGH;
#define LOAD_BP(n)                                               \
	case (n) + 1:                                            \
		write_sysreg(S2_0_C0_C##n##_4, ctx->dbg_bvr[n]); \
		write_sysreg(S2_0_C0_C##n##_5, ctx->dbg_bcr[n]); \
		FALLTHROUGH;
#define LOAD_WP(n)                                               \
	case (n) + 1:                                            \
		write_sysreg(S2_0_C0_C##n##_6, ctx->dbg_wvr[n]); \
		write_sysreg(S2_0_C0_C##n##_7, ctx->dbg_wcr[n]); \
		FALLTHROUGH;
#define ALL(op)                                                                                   \
	op(15) op(14) op(13) op(12) op(11) op(10) op(9) op(8) op(7) op(6) op(5) op(4) op(3) op(2) \
		op(1) op(0)

#define OSLSR_OSLK (1ul << 1)

static uint64_t dfr0(void)
{
	static uint64_t v = ~0ul; /* read once: every CPU is the same kind */

	if (v == ~0ul)
		v = read_sysreg(id_aa64dfr0_el1);
	return v;
}

void vcpu_debug_put(struct vcpu_arch *ctx)
{
	uint64_t *s = ctx->sysregs;

	switch (DFR0_BRPS(dfr0())) {
		ALL(SAVE_BP)
	default:
		break;
	}
	switch (DFR0_WRPS(dfr0())) {
		ALL(SAVE_WP)
	default:
		break;
	}
	s[SR_MDCCINT] = read_sysreg(S2_0_C0_C2_0);
	s[SR_DBGCLAIM] = read_sysreg(S2_0_C7_C9_6); /* DBGCLAIMCLR_EL1 reads the tags */
	s[SR_OSDLR] = read_sysreg(S2_0_C1_C3_4);
	s[SR_OSLK] = (read_sysreg(S2_0_C1_C1_4) & OSLSR_OSLK) != 0;
}

void vcpu_debug_load(const struct vcpu_arch *ctx)
{
	const uint64_t *s = ctx->sysregs;

	switch (DFR0_BRPS(dfr0())) {
		ALL(LOAD_BP)
	default:
		break;
	}
	switch (DFR0_WRPS(dfr0())) {
		ALL(LOAD_WP)
	default:
		break;
	}
	write_sysreg(S2_0_C0_C2_0, s[SR_MDCCINT]);
	write_sysreg(S2_0_C7_C9_6, 0xfful);         /* DBGCLAIMCLR_EL1: all off, */
	write_sysreg(S2_0_C7_C8_6, s[SR_DBGCLAIM]); /* DBGCLAIMSET_EL1: the vCPU's on */
	write_sysreg(S2_0_C1_C3_4, s[SR_OSDLR]);
	write_sysreg(S2_0_C1_C0_4, s[SR_OSLK]); /* OSLAR_EL1 */
}
