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
 * Decoding the syndrome is the arch's (arch/sysreg_iss.h).
 */
#include <zvm/log.h>
#include <zvm/vcpu.h>
#include <arch/sysreg_iss.h>

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
	case SYSREG_ICC_SGI1R:
		vgic_sgi1r_write(vcpu, value);
		return true;
	case SYSREG_ICC_SGI0R:
	case SYSREG_ICC_ASGI1R:
	case SYSREG_ACTLR:
		return true;
	case SYSREG_CPACR:
		vcpu_arch_cpacr_write(value);
		return true;
	case SYSREG_DC_ISW:
	case SYSREG_DC_CSW:
	case SYSREG_DC_CISW:
		set_way(vcpu);
		return true;
	default:
		return SYSREG_IS_LOR(id) && id != SYSREG_LORID;
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
	if (id == SYSREG_CPACR) {
		*value = vcpu_arch_cpacr_read();
		return true;
	}
	if (SYSREG_CRM(esr) == 0 && SYSREG_IS_ID_SPACE(esr))
		return vcpu_arch_id1_reg(SYSREG_OP1(esr), SYSREG_OP2(esr), value);
	return id == SYSREG_ACTLR || id == SYSREG_ERRIDR || SYSREG_IS_LOR(id);
}

bool vcpu_sysreg_is_sgi1r_write(uint64_t esr)
{
	return SYSREG_ID(esr) == SYSREG_ICC_SGI1R && !SYSREG_READ(esr);
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
