/* SPDX-License-Identifier: MIT */
/*
 * The EL1 state of a vCPU: loaded into the CPU when its thread gets the CPU
 * and saved when it leaves (the host at EL2 never touches EL1 registers in
 * between, so exits do not pay for this). The guest's virtual timer is
 * silenced while its thread is away so it cannot fire for someone else.
 */
#include <stddef.h>
#include <string.h>
#include <zvm/arch.h>
#include <arch/hcr_regs.h>
#include <arch/timer_regs.h>
#include <arch/vcpu.h>
#include <arch/sysreg.h>

#define PSTATE_EL1H_MASKED 0x3c5 /* EL1h, D, A, I, F masked */
#define SCTLR_EL1_RESET    0x30d00800ul

_Static_assert(offsetof(struct vcpu_arch, regs.elr) == VCPU_PC, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_arch, regs.spsr) == VCPU_PSTATE, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_arch, fp) == VCPU_FP, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_arch, fp.fpsr) == VCPU_FPSR, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_arch, esr) == VCPU_ESR, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_arch, hpfar) == VCPU_HPFAR, "guest.S offsets");

#define SAVE(reg, idx) s[idx] = read_sysreg(reg)
#define LOAD(reg, idx) write_sysreg(reg, s[idx])

/*
 * HCR_EL2 while a guest runs: broadcast maintenance (FB) as vCPUs migrate;
 * WFI traps (the vCPU thread blocks instead); ID registers trap (see
 * idregs.c); SMC traps (PSCI is answered by zvm); pointer authentication
 * keys and instructions are the guest's own.
 */
#define HCR_GUEST                                                                          \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TWI | \
	 HCR_TID3 | HCR_TSC | HCR_RW | HCR_APK | HCR_API)

/*
 * ID_AA64ISAR1_EL1 APA [7:4], API [11:8]; ISAR2 APA3 [15:12]: any address
 * authentication. Read once (every CPU of a system is the same kind).
 */
static bool cpu_has_pauth(void)
{
	static int has = -1;

	if (has < 0) {
		uint64_t isar1 = read_sysreg(id_aa64isar1_el1);
		uint64_t isar2 = read_sysreg(S3_0_C0_C6_2); /* ID_AA64ISAR2_EL1 */

		has = ((isar1 >> 4) & 0xff) != 0 || ((isar2 >> 12) & 0xf) != 0;
	}
	return has;
}

static void pauth_put(uint64_t *s)
{
	SAVE(S3_0_C2_C1_0, SR_APIAKEYLO);
	SAVE(S3_0_C2_C1_1, SR_APIAKEYHI);
	SAVE(S3_0_C2_C1_2, SR_APIBKEYLO);
	SAVE(S3_0_C2_C1_3, SR_APIBKEYHI);
	SAVE(S3_0_C2_C2_0, SR_APDAKEYLO);
	SAVE(S3_0_C2_C2_1, SR_APDAKEYHI);
	SAVE(S3_0_C2_C2_2, SR_APDBKEYLO);
	SAVE(S3_0_C2_C2_3, SR_APDBKEYHI);
	SAVE(S3_0_C2_C3_0, SR_APGAKEYLO);
	SAVE(S3_0_C2_C3_1, SR_APGAKEYHI);
}

static void pauth_load(const uint64_t *s)
{
	LOAD(S3_0_C2_C1_0, SR_APIAKEYLO);
	LOAD(S3_0_C2_C1_1, SR_APIAKEYHI);
	LOAD(S3_0_C2_C1_2, SR_APIBKEYLO);
	LOAD(S3_0_C2_C1_3, SR_APIBKEYHI);
	LOAD(S3_0_C2_C2_0, SR_APDAKEYLO);
	LOAD(S3_0_C2_C2_1, SR_APDAKEYHI);
	LOAD(S3_0_C2_C2_2, SR_APDBKEYLO);
	LOAD(S3_0_C2_C2_3, SR_APDBKEYHI);
	LOAD(S3_0_C2_C3_0, SR_APGAKEYLO);
	LOAD(S3_0_C2_C3_1, SR_APGAKEYHI);
}

void vcpu_arch_put(struct vcpu_arch *ctx)
{
	uint64_t *s = ctx->sysregs;

	SAVE(sctlr_el1, SR_SCTLR);
	SAVE(ttbr0_el1, SR_TTBR0);
	SAVE(ttbr1_el1, SR_TTBR1);
	SAVE(tcr_el1, SR_TCR);
	SAVE(mair_el1, SR_MAIR);
	SAVE(amair_el1, SR_AMAIR);
	SAVE(vbar_el1, SR_VBAR);
	SAVE(contextidr_el1, SR_CONTEXTIDR);
	SAVE(tpidr_el0, SR_TPIDR_EL0);
	SAVE(tpidrro_el0, SR_TPIDRRO_EL0);
	SAVE(tpidr_el1, SR_TPIDR_EL1);
	SAVE(sp_el0, SR_SP_EL0);
	SAVE(sp_el1, SR_SP_EL1);
	SAVE(elr_el1, SR_ELR_EL1);
	SAVE(spsr_el1, SR_SPSR_EL1);
	SAVE(esr_el1, SR_ESR);
	SAVE(far_el1, SR_FAR);
	SAVE(afsr0_el1, SR_AFSR0);
	SAVE(afsr1_el1, SR_AFSR1);
	SAVE(par_el1, SR_PAR);
	SAVE(cpacr_el1, SR_CPACR);
	SAVE(cntkctl_el1, SR_CNTKCTL);
	SAVE(csselr_el1, SR_CSSELR);
	SAVE(mdscr_el1, SR_MDSCR);
	SAVE(cntv_ctl_el0, SR_CNTV_CTL);
	SAVE(cntv_cval_el0, SR_CNTV_CVAL);
	if (cpu_has_pauth())
		pauth_put(s);
	vcpu_arch_fp_put(ctx, true);
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}

void vcpu_arch_load(struct vcpu_arch *ctx)
{
	const uint64_t *s = ctx->sysregs;

	LOAD(sctlr_el1, SR_SCTLR);
	LOAD(ttbr0_el1, SR_TTBR0);
	LOAD(ttbr1_el1, SR_TTBR1);
	LOAD(tcr_el1, SR_TCR);
	LOAD(mair_el1, SR_MAIR);
	LOAD(amair_el1, SR_AMAIR);
	LOAD(vbar_el1, SR_VBAR);
	LOAD(contextidr_el1, SR_CONTEXTIDR);
	LOAD(tpidr_el0, SR_TPIDR_EL0);
	LOAD(tpidrro_el0, SR_TPIDRRO_EL0);
	LOAD(tpidr_el1, SR_TPIDR_EL1);
	LOAD(sp_el0, SR_SP_EL0);
	LOAD(sp_el1, SR_SP_EL1);
	LOAD(elr_el1, SR_ELR_EL1);
	LOAD(spsr_el1, SR_SPSR_EL1);
	LOAD(esr_el1, SR_ESR);
	LOAD(far_el1, SR_FAR);
	LOAD(afsr0_el1, SR_AFSR0);
	LOAD(afsr1_el1, SR_AFSR1);
	LOAD(par_el1, SR_PAR);
	LOAD(cpacr_el1, SR_CPACR);
	LOAD(cntkctl_el1, SR_CNTKCTL);
	LOAD(csselr_el1, SR_CSSELR);
	LOAD(mdscr_el1, SR_MDSCR);
	if (cpu_has_pauth())
		pauth_load(s);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, ctx->vmpidr);
	write_sysreg(vtcr_el2, ctx->vtcr);
	write_sysreg(vttbr_el2, ctx->vttbr);
	write_sysreg(hcr_el2, ctx->hcr);
	write_sysreg(cntvoff_el2, ctx->cntvoff);
	LOAD(cntv_cval_el0, SR_CNTV_CVAL);
	LOAD(cntv_ctl_el0, SR_CNTV_CTL);
	isb();
}

void vcpu_arch_trap_wfi(struct vcpu_arch *ctx, bool trap)
{
	uint64_t hcr = trap ? ctx->hcr | HCR_TWI : ctx->hcr & ~HCR_TWI;

	if (hcr != ctx->hcr) {
		ctx->hcr = hcr;
		write_sysreg(hcr_el2, hcr);
		isb();
	}
}

void vcpu_arch_reset(struct vcpu_arch *ctx, uint64_t pc, uint64_t arg, uint64_t vmpidr)
{
	vcpu_arch_fp_put(ctx, false);                      /* its live FP registers are void too */
	memset(ctx, 0, offsetof(struct vcpu_arch, vttbr)); /* the VM's part stays */
	ctx->regs.x[0] = arg;
	ctx->regs.elr = pc;
	ctx->regs.spsr = PSTATE_EL1H_MASKED;
	ctx->sysregs[SR_SCTLR] = SCTLR_EL1_RESET;
	ctx->sysregs[SR_CNTV_CTL] = CNT_CTL_IMASK;
	ctx->hcr = HCR_GUEST & (cpu_has_pauth() ? ~0ul : ~(HCR_APK | HCR_API));
	ctx->vmpidr = (1ul << 31) | vmpidr;
}

void arch_dcache_clean_range(const void *start, uint64_t size)
{
	uint64_t line = 4u << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uintptr_t p = (uintptr_t)start & ~(line - 1);

	for (; p < (uintptr_t)start + size; p += line)
		__asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
	dsb(ish);
	__asm__ volatile("ic ialluis" : : : "memory");
	dsb(ish);
	isb();
}
