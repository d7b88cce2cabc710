/* SPDX-License-Identifier: MIT */
/*
 * Exceptions injected into a guest (arch/vcpu.h): taken to its EL1 as the
 * hardware would take them. The EL1 registers are live in the CPU while
 * the vCPU's thread runs (vcpu_arch_load), so they are written there.
 */
#include <arch/sysreg.h>
#include <arch/vcpu.h>

#define ESR_EC_SHIFT		26
#define ESR_IL			(1ul << 25)
#define EC_UNKNOWN		0x00ul
#define EC_IABT_LOW		0x20ul
#define EC_IABT_CUR		0x21ul
#define EC_DABT_LOW		0x24ul
#define EC_DABT_CUR		0x25ul
#define DFSC_EXTERNAL		0x10	/* synchronous external abort */

#define PSTATE_MODE		0xf
#define PSTATE_EL1H		0x5
#define PSTATE_DAIF		0x3c0
#define VECTOR_CUR_SPX_SYNC	0x200
#define VECTOR_LOW_A64_SYNC	0x400

/* Was the guest at EL1 (not EL0) when it left? */
static bool guest_at_el1(const struct vcpu_arch *ctx)
{
	return (ctx->regs.spsr & PSTATE_MODE) != 0;
}

void arch_vcpu_inject_sync(struct vcpu_arch *ctx, uint64_t esr, uint64_t far)
{
	struct arch_regs *r = &ctx->regs;
	uint64_t vbar = read_sysreg(vbar_el1);

	write_sysreg(elr_el1, r->elr);
	write_sysreg(spsr_el1, r->spsr);
	write_sysreg(esr_el1, esr);
	write_sysreg(far_el1, far);
	r->elr = vbar + (guest_at_el1(ctx) ? VECTOR_CUR_SPX_SYNC : VECTOR_LOW_A64_SYNC);
	r->spsr = PSTATE_DAIF | PSTATE_EL1H;
}

void arch_vcpu_inject_undef(struct vcpu_arch *ctx)
{
	arch_vcpu_inject_sync(ctx, (EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL, 0);
}

void arch_vcpu_inject_abort(struct vcpu_arch *ctx, bool instruction, uint64_t far)
{
	uint64_t ec = instruction ? EC_IABT_LOW : EC_DABT_LOW;

	if (guest_at_el1(ctx))
		ec = instruction ? EC_IABT_CUR : EC_DABT_CUR;
	arch_vcpu_inject_sync(ctx, (ec << ESR_EC_SHIFT) | ESR_IL | DFSC_EXTERNAL, far);
}
