/* SPDX-License-Identifier: MIT */
/*
 * Trapped system register and cache maintenance instructions (ESR EC
 * 0x18), emulated as the architecture describes a CPU without the state
 * zvm does not give guests (docs/design.md, "Isolation"):
 *   ID registers            the CPU's, minus hidden features (idregs.c);
 *                           REVIDR/AIDR the CPU's; SMIDR (SME) refused with
 *                           EC 0x18, as FEAT_IDST reports absent ID registers
 *   CPACR_EL1               the guest's, SVE/SME enables read as 0 (idregs.c)
 *   ICC_SGI1R_EL1           the vGIC sends the SGIs
 *   ICC_SGI0R/ASGI1R_EL1    no effect: every interrupt of zvm's vGIC is
 *                           Group 1, and these send Group 0 SGIs only
 *   ACTLR_EL1, LORegions    read as zero, writes ignored (no IMPLEMENTATION
 *                           DEFINED controls, no LORegions: LORID_EL1 = 0)
 *   ERRIDR_EL1              0: no RAS error records
 *   DC ISW/CSW/CISW         the VM's RAM cleaned and invalidated to the point
 *                           of coherency, once per run of set/way operations
 * Everything else (the PMU, IMPLEMENTATION DEFINED registers, trace, AMU,
 * ...) is refused with an UNDEF, and the ID registers say it is absent.
 */
#include <zvm/log.h>
#include <zvm/vcpu.h>

/* ISS of a trapped MSR/MRS: Op0, Op2, Op1, CRn, Rt, CRm, direction. */
#define SYSREG_ID(esr)   ((esr)&0x3ffc1e)
#define SYSREG_RT(esr)   (((esr) >> 5) & 0x1f)
#define SYSREG_READ(esr) ((esr)&1)
#define SYSREG_CRM(esr)  (((esr) >> 1) & 0xf)
#define SYSREG_OP2(esr)  (((esr) >> 17) & 0x7)
#define SYSREG_ENC(op0, op1, crn, crm, op2) \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((crm) << 1))
/* The ID register space that HCR_EL2.TID3 traps: op0 3, op1 0, CRn 0, CRm 1-7. */
#define SYSREG_IS_ID(esr) (((esr)&0x31fc00) == SYSREG_ENC(3, 0, 0, 0, 0) && SYSREG_CRM(esr) >= 1)
/* The ID register space of FEAT_IDST: op0 3, op1 0, 1 or 3, CRn 0, CRm 0-7. */
#define SYSREG_IS_ID_SPACE(esr)                                                   \
	(((esr)&0x303c10) == SYSREG_ENC(3, 0, 0, 0, 0) && SYSREG_OP1(esr) != 2 && \
	 SYSREG_OP1(esr) < 4)
#define SYSREG_OP1(esr)    (((esr) >> 14) & 0x7)
/* LORSA, LOREA, LORN, LORC (op2 0-3) and LORID (op2 7): op0 3, op1 0, CRn 10, CRm 4. */
#define SYSREG_IS_LOR(esr) ((SYSREG_ID(esr) & ~(7u << 17)) == SYSREG_ENC(3, 0, 10, 4, 0))

#define SR_ICC_SGI1R  SYSREG_ENC(3, 0, 12, 11, 5)
#define SR_ICC_ASGI1R SYSREG_ENC(3, 0, 12, 11, 6)
#define SR_ICC_SGI0R  SYSREG_ENC(3, 0, 12, 11, 7)
#define SR_ACTLR      SYSREG_ENC(3, 0, 1, 0, 1)
#define SR_CPACR      SYSREG_ENC(3, 0, 1, 0, 2)
#define SR_ERRIDR     SYSREG_ENC(3, 0, 5, 3, 0)
#define SR_DC_ISW     SYSREG_ENC(1, 0, 7, 6, 2)
#define SR_DC_CSW     SYSREG_ENC(1, 0, 7, 10, 2)
#define SR_DC_CISW    SYSREG_ENC(1, 0, 7, 14, 2)

static uint64_t reg_read(struct vcpu *vcpu, int reg)
{
	return reg == 31 ? 0 : vcpu->arch.regs.x[reg];
}

static void reg_write(struct vcpu *vcpu, int reg, uint64_t value)
{
	if (reg != 31)
		vcpu->arch.regs.x[reg] = value;
}

/*
 * Set/way operations clean or invalidate one cache line of one CPU by
 * its place in the cache: meaningless for a vCPU that may move, and a
 * guest uses them in a loop over all sets and ways, around turning its
 * caches on or off. The first of a run cleans and invalidates all of the
 * VM's RAM to the point of coherency, which is what the loop is for; the
 * rest of the run has nothing left to do (an exit of another kind ends
 * the run, vcpu_handle_exit()).
 */
static void set_way(struct vcpu *vcpu)
{
	if (vcpu->arch.sw_flushed)
		return;
	arch_dcache_flush_range(vcpu->vm->ram, vcpu->vm->ram_bytes);
	vcpu->arch.sw_flushed = true;
}

/* Emulate the write; false if zvm refuses it. */
static bool sysreg_write(struct vcpu *vcpu, uint32_t id, uint64_t value)
{
	switch (id) {
	case SR_ICC_SGI1R:
		vgic_sgi1r_write(vcpu, value);
		return true;
	case SR_ICC_SGI0R:
	case SR_ICC_ASGI1R:
	case SR_ACTLR:
		return true;
	case SR_CPACR:
		vcpu_arch_cpacr_write(value);
		return true;
	case SR_DC_ISW:
	case SR_DC_CSW:
	case SR_DC_CISW:
		set_way(vcpu);
		return true;
	default:
		return SYSREG_IS_LOR(id) && id != SYSREG_ENC(3, 0, 10, 4, 7);
	}
}

/* Emulate the read into *value; false if zvm refuses it. */
static bool sysreg_read(uint32_t esr, uint64_t *value)
{
	uint32_t id = SYSREG_ID(esr);

	*value = 0;
	if (SYSREG_IS_ID(esr)) {
		*value = vcpu_arch_id_reg(SYSREG_CRM(esr), SYSREG_OP2(esr));
		return true;
	}
	if (id == SR_CPACR) {
		*value = vcpu_arch_cpacr_read();
		return true;
	}
	if (SYSREG_CRM(esr) == 0 && SYSREG_IS_ID_SPACE(esr))
		return vcpu_arch_id1_reg(SYSREG_OP1(esr), SYSREG_OP2(esr), value);
	return id == SR_ACTLR || id == SR_ERRIDR || SYSREG_IS_LOR(id);
}

bool vcpu_sysreg_is_sgi1r_write(uint64_t esr)
{
	return SYSREG_ID(esr) == SR_ICC_SGI1R && !SYSREG_READ(esr);
}

void vcpu_handle_sysreg(struct vcpu *vcpu)
{
	uint32_t esr = (uint32_t)vcpu->arch.esr;
	int rt = SYSREG_RT(esr);
	uint64_t value;
	bool done;

	if (SYSREG_READ(esr)) {
		done = sysreg_read(esr, &value);
		if (done)
			reg_write(vcpu, rt, value);
	} else {
		done = sysreg_write(vcpu, SYSREG_ID(esr), reg_read(vcpu, rt));
	}
	if (done) {
		vcpu->arch.regs.elr += arch_vcpu_insn_len(&vcpu->arch);
		return;
	}
	LOG_DBG("VM %d: system register %s 0x%lx refused", vcpu->vm->id,
		SYSREG_READ(esr) ? "read" : "write", (unsigned long)SYSREG_ID(esr));
	/* An ID register the guest's CPU does not have: EC 0x18 with FEAT_IDST. */
	if (SYSREG_READ(esr) && SYSREG_IS_ID_SPACE(esr) && vcpu_arch_has_idst())
		arch_vcpu_inject_sync(&vcpu->arch, vcpu->arch.esr, 0);
	else
		vcpu_inject_undef(vcpu);
}
