/* SPDX-License-Identifier: MIT */
/*
 * What a guest reads from the ID registers (op0 3, op1 0, CRn 0, CRm 1-7,
 * trapped by HCR_EL2.TID3): the CPU's own values, minus the features zvm
 * does not switch between vCPUs, so a guest never starts using them: SVE,
 * SME, MTE, MPAM, AMU, the PMU, statistical profiling, trace, branch
 * records and LORegions (docs/design.md, "Isolation"); and WFIT/WFET
 * (FEAT_WFxT), whose timeout zvm's WFI trap does not honour.
 */
#include <stdint.h>
#include <zvm/arch.h>
#include <arch/sysreg.h>
#include <arch/trap_regs.h>
#include <arch/vcpu.h>

#define FIELD(shift)   (0xful << (shift))
#define PFR0_SVE       FIELD(32)
#define PFR0_MPAM      FIELD(40)
#define PFR0_AMU       FIELD(44)
#define PFR1_MTE       FIELD(8)
#define PFR1_SME       FIELD(24)
#define PFR1_MPAM_FRAC FIELD(16)
#define ISAR2_WFXT     FIELD(0)

/* A table of case labels made by macros: laid out by hand. */
/* clang-format off */
/* The real register: the encoding must be known when assembling. */
#define ID_CASE(crm, op2)						\
	case (crm) * 8 + (op2):						\
		return read_sysreg(S3_0_C0_C##crm##_##op2);
#define ID_ROW(crm)							\
	ID_CASE(crm, 0) ID_CASE(crm, 1) ID_CASE(crm, 2) ID_CASE(crm, 3)	\
	ID_CASE(crm, 4) ID_CASE(crm, 5) ID_CASE(crm, 6) ID_CASE(crm, 7)

static uint64_t id_reg_read(unsigned crm, unsigned op2)
{
	switch (crm * 8 + op2) {
	ID_ROW(1) ID_ROW(2) ID_ROW(3) ID_ROW(4) ID_ROW(5) ID_ROW(6) ID_ROW(7)
	default:
		return 0;
	}
}
/* clang-format on */

uint64_t vcpu_arch_id_reg(unsigned crm, unsigned op2)
{
	uint64_t v = id_reg_read(crm, op2);

	switch (crm * 8 + op2) {
	case 4 * 8 + 0: /* ID_AA64PFR0_EL1 */
		return v & ~(PFR0_SVE | PFR0_MPAM | PFR0_AMU);
	case 4 * 8 + 1: /* ID_AA64PFR1_EL1 */
		return v & ~(PFR1_MTE | PFR1_SME | PFR1_MPAM_FRAC);
	case 1 * 8 + 2: /* ID_DFR0_EL1 */
		return v & ~AA32DFR0_PERFMON;
	case 5 * 8 + 0: /* ID_AA64DFR0_EL1 */
		return v & ~(DFR0_PMUVER | DFR0_TRACEVER | DFR0_PMSVER | DFR0_TRACEFLT |
			     DFR0_TRACEBUF | DFR0_BRBE | DFR0_MTPMU);
	case 7 * 8 + 1: /* ID_AA64MMFR1_EL1 */
		return v & ~MMFR1_LO;
	case 6 * 8 + 2: /* ID_AA64ISAR2_EL1 */
		return v & ~ISAR2_WFXT;
	case 4 * 8 + 4: /* ID_AA64ZFR0_EL1: SVE */
	case 4 * 8 + 5: /* ID_AA64SMFR0_EL1: SME */
		return 0;
	default:
		return v;
	}
}

/*
 * CPACR_EL1 (trapped by CPTR_EL2.TCPAC): the guest sees its own value
 * without the SVE and SME enables (RES0 on a CPU without them); the CPU
 * keeps them on, so SVE and SME instructions are not trapped to the
 * guest's EL1 (EC 0x19, 0x1d) but to EL2, which answers with the UNDEF
 * of a CPU without them.
 */
uint64_t vcpu_arch_cpacr_read(void)
{
	return read_sysreg(cpacr_el1) & ~CPACR_ZEN_SMEN;
}

void vcpu_arch_cpacr_write(uint64_t value)
{
	write_sysreg(cpacr_el1, value | CPACR_ZEN_SMEN);
}

/* REVIDR_EL1 and AIDR_EL1 (trapped by HCR_EL2.TID1 with SMIDR_EL1, which zvm refuses). */
bool vcpu_arch_id1_reg(unsigned op1, unsigned op2, uint64_t *value)
{
	if (op1 == 0 && op2 == 6)
		*value = read_sysreg(revidr_el1);
	else if (op1 == 1 && op2 == 7)
		*value = read_sysreg(aidr_el1);
	else
		return false;
	return true;
}

/* Does the guest's CPU report unimplemented ID registers with EC 0x18 (FEAT_IDST)? */
bool vcpu_arch_has_idst(void)
{
	return MMFR2_IDS(vcpu_arch_id_reg(7, 2)) != 0;
}
