/* SPDX-License-Identifier: MIT */
/*
 * Exceptions injected into a guest (arch/vcpu.h): taken to its EL1 as the
 * hardware would take them, through the vector of the mode it was in
 * (current EL with SP_EL0 or SP_EL1, lower EL AArch64 or AArch32). The
 * EL1 registers are live in the CPU while the vCPU's thread runs
 * (vcpu_arch_load), so they are written there.
 */
#include <arch/esr_regs.h>
#include <arch/sysreg.h>
#include <arch/vcpu.h>

#define PSTATE_MODE    0xf
#define PSTATE_AARCH32 0x10
#define PSTATE_EL1T    0x4
#define PSTATE_EL1H    0x5
#define PSTATE_DAIF    0x3c0
#define VECTOR_CUR_SP0 0x000
#define VECTOR_CUR_SPX 0x200
#define VECTOR_LOW_A64 0x400
#define VECTOR_LOW_A32 0x600

/* Was the guest at EL1 (not EL0) when it left? */
static bool guest_at_el1(const struct vcpu_arch *ctx)
{
	return !(ctx->regs.spsr & PSTATE_AARCH32) && (ctx->regs.spsr & PSTATE_MODE) != 0;
}

/* The synchronous vector for the mode in spsr. */
static uint64_t sync_vector(uint64_t spsr)
{
	if (spsr & PSTATE_AARCH32)
		return VECTOR_LOW_A32;
	switch (spsr & PSTATE_MODE) {
	case PSTATE_EL1T:
		return VECTOR_CUR_SP0;
	case PSTATE_EL1H:
		return VECTOR_CUR_SPX;
	default:
		return VECTOR_LOW_A64;
	}
}

void arch_vcpu_inject_sync(struct vcpu_arch *ctx, uint64_t esr, uint64_t far)
{
	struct arch_regs *r = &ctx->regs;
	uint64_t vbar = read_sysreg(vbar_el1);

	write_sysreg(elr_el1, r->elr);
	write_sysreg(spsr_el1, r->spsr);
	write_sysreg(esr_el1, esr);
	write_sysreg(far_el1, far);
	r->elr = vbar + sync_vector(r->spsr);
	r->spsr = PSTATE_DAIF | PSTATE_EL1H;
}

void arch_vcpu_inject_undef(struct vcpu_arch *ctx)
{
	arch_vcpu_inject_sync(ctx, (EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL, 0);
}

/* ESR.IL is 1 for an instruction abort and for a data abort without syndrome (ISV = 0). */
void arch_vcpu_inject_abort(struct vcpu_arch *ctx, bool instruction, uint64_t far)
{
	uint64_t ec = instruction ? EC_IABT_LOW : EC_DABT_LOW;

	if (guest_at_el1(ctx))
		ec = instruction ? EC_IABT_CUR : EC_DABT_CUR;
	arch_vcpu_inject_sync(ctx, (ec << ESR_EC_SHIFT) | ESR_IL | DFSC_EXTERNAL, far);
}

uint64_t arch_vcpu_insn_len(const struct vcpu_arch *ctx)
{
	return (ctx->esr & ESR_IL) ? 4 : 2;
}
