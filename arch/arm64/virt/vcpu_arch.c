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
#include <zvm/psci_ids.h>
#include <arch/esr_regs.h>
#include <arch/gicv3_regs.h>
#include <arch/sysreg_iss.h>
#include <arch/hcr_regs.h>
#include <arch/timer_regs.h>
#include <arch/trap_regs.h>
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
_Static_assert(offsetof(struct vcpu_arch, fast) == VCPU_FAST, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_fast, hw_lr) == FAST_HW_LR, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_fast, hw_intid) == FAST_HW_INTID, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_fast, hw_bit) == FAST_HW_BIT, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_fast, hw_activer) == FAST_HW_ACTIVER, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_fast, lr_index) == FAST_LR_INDEX, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_fast, lr_written) == FAST_LR_WRITTEN, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_fast, irqs) == FAST_IRQS, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_fast, hvcs) == FAST_HVCS, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_fast, sysregs) == FAST_SYSREGS, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_fast, sgi_self) == FAST_SGI_SELF, "guest.S offsets");
_Static_assert(offsetof(struct vcpu_fast, sgi_lr) == FAST_SGI_LR, "guest.S offsets");
_Static_assert(GICD_ICPENDR - GICD_ISACTIVER == FAST_ICPENDR &&
		       GICR_ICPENDR0 - GICR_ISACTIVER0 == FAST_ICPENDR,
	       "guest.S constants");
_Static_assert(FAST_EC_HVC64 == EC_HVC64 && FAST_HC_NULL == ZVM_HC_NULL, "guest.S constants");
_Static_assert(FAST_EC_SYSREG == EC_SYSREG && FAST_ISS_SGI1R == SYSREG_ICC_SGI1R,
	       "guest.S constants");

#define SAVE(reg, idx) s[idx] = read_sysreg(reg)
#define LOAD(reg, idx) write_sysreg(reg, s[idx])

/*
 * HCR_EL2 while a guest runs: broadcast maintenance (FB) as vCPUs migrate;
 * WFI traps (the vCPU thread blocks instead); ID registers trap (see
 * idregs.c); SMC traps (PSCI is answered by zvm); pointer authentication
 * keys and instructions are the guest's own. State zvm does not switch
 * traps (docs/design.md, "Isolation"): IMPLEMENTATION DEFINED registers
 * and ACTLR_EL1, set/way cache maintenance, LORegions, RAS error records;
 * external aborts come to EL2 first.
 */
#define HCR_GUEST                                                                            \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TWI |   \
	 HCR_TID1 | HCR_TID3 | HCR_TSC | HCR_RW | HCR_APK | HCR_API | HCR_TIDCP | HCR_TACR | \
	 HCR_TSW | HCR_TLOR | HCR_TERR | HCR_TEA)

/* MDCR_EL2 while a guest runs: the PMU, statistical profiling and trace filter trap. */
#define MDCR_GUEST (MDCR_TPM | MDCR_TPMCR | MDCR_TPMS | MDCR_TTRF)

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

/* Optional CPU features whose state is switched or whose traps are set. */
struct cpu_features {
	bool read;
	bool ras;  /* FEAT_RAS: VDISR_EL2 */
	bool scxt; /* FEAT_CSV2_2: SCXTNUM_EL0/EL1 */
	bool fgt;  /* fine-grained traps */
	bool hcx;  /* HCRX_EL2 */
	uint64_t hpmn;
};

static const struct cpu_features *features(void)
{
	static struct cpu_features f; /* read once: every CPU is the same kind */

	if (!f.read) {
		uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1);

		f.ras = PFR0_RAS(pfr0) != 0;
		f.scxt = PFR0_CSV2(pfr0) >= 2;
		f.fgt = MMFR0_FGT(read_sysreg(id_aa64mmfr0_el1)) != 0;
		f.hcx = MMFR1_HCX(read_sysreg(id_aa64mmfr1_el1)) != 0;
		f.hpmn = PMCR_N(read_sysreg(pmcr_el0));
		f.read = true;
	}
	return &f;
}

/*
 * The traps that are the same for every guest. Fine-grained traps: all
 * clear, which traps every register whose control bit is an "n" one
 * (features zvm does not switch: SME's TPIDR2_EL0, permission indirection
 * and overlays, ...) and no other.
 */
static void traps_load(void)
{
	const struct cpu_features *f = features();

	write_sysreg(mdcr_el2, MDCR_GUEST | f->hpmn);
	if (f->fgt) {
		write_sysreg(S3_4_C1_C1_4, 0); /* HFGRTR_EL2 */
		write_sysreg(S3_4_C1_C1_5, 0); /* HFGWTR_EL2 */
		write_sysreg(S3_4_C1_C1_6, 0); /* HFGITR_EL2 */
		write_sysreg(S3_4_C3_C1_4, 0); /* HDFGRTR_EL2 */
		write_sysreg(S3_4_C3_C1_5, 0); /* HDFGWTR_EL2 */
	}
	if (f->hcx)
		write_sysreg(S3_4_C1_C2_2, HCRX_MSCEN); /* HCRX_EL2 */
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
	SAVE(cntp_ctl_el0, SR_CNTP_CTL);
	SAVE(cntp_cval_el0, SR_CNTP_CVAL);
	if (cpu_has_pauth())
		pauth_put(s);
	if (features()->ras)
		SAVE(S3_4_C12_C1_1, SR_VDISR); /* VDISR_EL2 */
	if (features()->scxt) {
		SAVE(S3_3_C13_C0_7, SR_SCXTNUM0);
		SAVE(S3_0_C13_C0_7, SR_SCXTNUM1);
	}
	vcpu_debug_put(ctx);
	vcpu_arch_fp_put(ctx, true);
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
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
	if (features()->ras)
		LOAD(S3_4_C12_C1_1, SR_VDISR);
	if (features()->scxt) {
		LOAD(S3_3_C13_C0_7, SR_SCXTNUM0);
		LOAD(S3_0_C13_C0_7, SR_SCXTNUM1);
	}
	vcpu_debug_load(ctx);
	traps_load();
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, ctx->vmpidr);
	write_sysreg(vtcr_el2, ctx->vtcr);
	write_sysreg(vttbr_el2, ctx->vttbr);
	write_sysreg(hcr_el2, ctx->hcr);
	write_sysreg(cntvoff_el2, ctx->cntvoff);
	LOAD(cntv_cval_el0, SR_CNTV_CVAL);
	LOAD(cntv_ctl_el0, SR_CNTV_CTL);
	LOAD(cntp_cval_el0, SR_CNTP_CVAL);
	LOAD(cntp_ctl_el0, SR_CNTP_CTL);
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
	ctx->sysregs[SR_OSLK] = 1;               /* the OS lock is set at a cold reset */
	ctx->sysregs[SR_CPACR] = CPACR_ZEN_SMEN; /* idregs.c: the guest reads 0 */
	ctx->hcr = HCR_GUEST & (cpu_has_pauth() ? ~0ul : ~(HCR_APK | HCR_API));
	if (features()->scxt)
		ctx->hcr |= HCR_ENSCXT;
	ctx->vmpidr = (1ul << 31) | vmpidr;
	/* Its GIC CPU interface resets too: priority mask, enables, active priorities. */
	ctx->vgic.vmcr = 0;
	memset(ctx->vgic.ap0r, 0, sizeof(ctx->vgic.ap0r));
	memset(ctx->vgic.ap1r, 0, sizeof(ctx->vgic.ap1r));
}

/* Clean (invalidate too) every data cache line of [start, start + size) to PoC. */
static void dcache_range(const void *start, uint64_t size, bool invalidate)
{
	uint64_t line = 4u << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uintptr_t p = (uintptr_t)start & ~(line - 1);

	for (; p < (uintptr_t)start + size; p += line) {
		if (invalidate)
			__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
		else
			__asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
	}
	dsb(ish);
}

void arch_dcache_flush_range(const void *start, uint64_t size)
{
	dcache_range(start, size, true);
}

void arch_dcache_clean_range(const void *start, uint64_t size)
{
	dcache_range(start, size, false);
	__asm__ volatile("ic ialluis" : : : "memory");
	dsb(ish);
	isb();
}
