/*
 * What a guest reads from the ID registers (op0 3, op1 0, CRn 0, CRm 1-7,
 * trapped by HCR_EL2.TID3): the CPU's own values, minus the features zvm
 * does not switch between vCPUs, so a guest never starts using them.
 */
#include <stdint.h>
#include <zvm/arch.h>
#include <arch/vcpu.h>
#include <arch/sysreg.h>

#define FIELD(shift)		(0xful << (shift))
#define PFR0_SVE		FIELD(32)
#define PFR0_MPAM		FIELD(40)
#define PFR0_AMU		FIELD(44)
#define PFR1_MTE		FIELD(8)
#define PFR1_SME		FIELD(24)
#define PFR1_MPAM_FRAC		FIELD(16)

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

uint64_t vcpu_arch_id_reg(unsigned crm, unsigned op2)
{
	uint64_t v = id_reg_read(crm, op2);

	switch (crm * 8 + op2) {
	case 4 * 8 + 0:		/* ID_AA64PFR0_EL1 */
		return v & ~(PFR0_SVE | PFR0_MPAM | PFR0_AMU);
	case 4 * 8 + 1:		/* ID_AA64PFR1_EL1 */
		return v & ~(PFR1_MTE | PFR1_SME | PFR1_MPAM_FRAC);
	case 4 * 8 + 4:		/* ID_AA64ZFR0_EL1: SVE */
	case 4 * 8 + 5:		/* ID_AA64SMFR0_EL1: SME */
		return 0;
	default:
		return v;
	}
}
