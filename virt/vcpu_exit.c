/* SPDX-License-Identifier: MIT */
/*
 * The one place that decodes why a guest stopped (ESR_EL2) and answers it:
 * WFI blocks, HVC/SMC go to PSCI and hypercalls, trapped system registers
 * are emulated or refused with an UNDEF, data aborts go to the VM's MMIO
 * bus or come back to the guest as an external abort. Decoding a data
 * abort and injecting an exception are the arch's (arch/abort.h,
 * arch/vcpu.h).
 */
#include <zvm/log.h>
#include <zvm/vcpu.h>
#include <arch/abort.h>
#include <zvm/arch.h>
#include <zvm/psci_ids.h>
#include <arch/esr_regs.h>

/* ISS of a trapped MSR/MRS: Op0, Op2, Op1, CRn, Rt, CRm, direction. */
#define SYSREG_ID(esr)   ((esr)&0x3ffc1e)
#define SYSREG_RT(esr)   (((esr) >> 5) & 0x1f)
#define SYSREG_READ(esr) ((esr)&1)
#define SYSREG_ENC(op0, op1, crn, crm, op2) \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((crm) << 1))
#define SR_ICC_SGI1R      SYSREG_ENC(3, 0, 12, 11, 5)
/* The ID register space that HCR_EL2.TID3 traps: op0 3, op1 0, CRn 0, CRm 1-7. */
#define SYSREG_IS_ID(esr) (((esr)&0x31fc00) == SYSREG_ENC(3, 0, 0, 0, 0) && SYSREG_CRM(esr) >= 1)
#define SYSREG_CRM(esr)   (((esr) >> 1) & 0xf)
#define SYSREG_OP2(esr)   (((esr) >> 17) & 0x7)

static void skip_instruction(struct vcpu *vcpu)
{
	vcpu->arch.regs.elr += 4;
}

static uint64_t reg_read(struct vcpu *vcpu, int reg)
{
	return reg == 31 ? 0 : vcpu->arch.regs.x[reg];
}

static void reg_write(struct vcpu *vcpu, int reg, uint64_t value)
{
	if (reg != 31)
		vcpu->arch.regs.x[reg] = value;
}

void vcpu_inject_undef(struct vcpu *vcpu)
{
	arch_vcpu_inject_undef(&vcpu->arch);
}

void vcpu_inject_abort(struct vcpu *vcpu, bool instruction, uint64_t far)
{
	arch_vcpu_inject_abort(&vcpu->arch, instruction, far);
}

static void handle_wfi(struct vcpu *vcpu)
{
	k_timeout_t timeout;

	skip_instruction(vcpu);
	if (vcpu->arch.esr & 1) /* WFE is not trapped; ignore if seen */
		return;
	timeout = vtimer_ticks_to_fire(vcpu);
	__atomic_store_n(&vcpu->waiting, true, __ATOMIC_SEQ_CST); /* kicks must wake us now */
	if (timeout != 0 && !vgic_vcpu_pending(vcpu))
		k_sem_take(&vcpu->wake, timeout);
	__atomic_store_n(&vcpu->waiting, false, __ATOMIC_RELEASE);
	/* A deadline that woke it: its timer's PPI fires as soon as it is back here. */
}

static void handle_sysreg(struct vcpu *vcpu)
{
	uint64_t esr = vcpu->arch.esr;

	if (SYSREG_IS_ID(esr) && SYSREG_READ(esr)) {
		reg_write(vcpu, SYSREG_RT(esr), vcpu_arch_id_reg(SYSREG_CRM(esr), SYSREG_OP2(esr)));
		skip_instruction(vcpu);
		return;
	}
	if (SYSREG_ID(esr) == SR_ICC_SGI1R && !SYSREG_READ(esr)) {
		vgic_sgi1r_write(vcpu, reg_read(vcpu, SYSREG_RT(esr)));
		skip_instruction(vcpu);
		return;
	}
	LOG_DBG("VM %d: system register %s 0x%lx refused", vcpu->vm->id,
		SYSREG_READ(esr) ? "read" : "write", (unsigned long)SYSREG_ID(esr));
	vcpu_inject_undef(vcpu);
}

static uint64_t load_extend(const struct mmio_access *acc)
{
	unsigned bits = acc->size * 8;
	uint64_t v = bits == 64 ? acc->value : acc->value & ((1ul << bits) - 1);

	if (acc->sign_extend && bits < 64 && (v >> (bits - 1)) & 1)
		v |= ~0ul << bits;
	if (!acc->reg64)
		v &= 0xffffffffu;
	return v;
}

/* Mapped without write permission (a read-only shared-memory grant)? */
static bool is_read_only(const struct vm *vm, uint64_t ipa)
{
	uint64_t pa;
	unsigned prot;

	return vmem_translate(&vm->s2, ipa, &pa, &prot) == 0 && !(prot & VMEM_WRITE);
}

static void handle_dabort(struct vcpu *vcpu)
{
	struct mmio_access acc;
	uint64_t ipa = arch_fault_ipa(&vcpu->arch);

	if (arch_dabort_decode(vcpu->arch.esr, ipa, &acc) == 0) {
		if (acc.write)
			acc.value = reg_read(vcpu, acc.reg);
		if (vdev_dispatch(vcpu, &acc) == 0) {
			if (!acc.write)
				reg_write(vcpu, acc.reg, load_extend(&acc));
			skip_instruction(vcpu);
			vm_count_exit(vcpu->vm, EXIT_MMIO);
			return;
		}
	}
	vm_count_exit(vcpu->vm, EXIT_ABORT);
	LOG_WRN("VM %d vCPU %d: %s at IPA 0x%lx (pc 0x%lx) %s: abort injected", vcpu->vm->id,
		vcpu->id, arch_dabort_is_write(vcpu->arch.esr) ? "write" : "read",
		(unsigned long)ipa, (unsigned long)vcpu->arch.regs.elr,
		is_read_only(vcpu->vm, ipa) ? "to memory it may only read"
					    : "outside its memory and devices");
	vcpu_inject_abort(vcpu, false, vcpu->arch.far);
}

static void handle_sync(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	switch (ESR_EC(vcpu->arch.esr)) {
	case EC_WFX:
		vm_count_exit(vm, EXIT_WFI);
		handle_wfi(vcpu);
		break;
	case EC_HVC64:
		vm_count_exit(vm, EXIT_HVC);
		vcpu_hypercall(vcpu);
		break;
	case EC_SMC64:
		vm_count_exit(vm, EXIT_SMC);
		skip_instruction(vcpu); /* a trapped SMC returns to itself */
		vcpu_hypercall(vcpu);
		break;
	case EC_FP: /* its first FP/SIMD use since it got the CPU (lazy FP) */
		vcpu_arch_fp_claim(&vcpu->arch);
		break;
	case EC_SYSREG:
		vm_count_exit(vm, EXIT_SYSREG);
		handle_sysreg(vcpu);
		break;
	case EC_DABT_LOW:
		handle_dabort(vcpu); /* counts an MMIO exit or an abort */
		break;
	case EC_IABT_LOW:
		vm_count_exit(vm, EXIT_ABORT);
		LOG_WRN("VM %d vCPU %d: instruction fetch at IPA 0x%lx outside its memory: abort "
			"injected",
			vcpu->vm->id, vcpu->id, (unsigned long)arch_fault_ipa(&vcpu->arch));
		vcpu_inject_abort(vcpu, true, vcpu->arch.far);
		break;
	default:
		vm_count_exit(vm, EXIT_OTHER);
		vcpu_inject_undef(vcpu);
		break;
	}
}

/* PSCI and zvm calls that only answer: no state changes, no lock. */
static bool hypercall_only_answers(uint32_t fn)
{
	switch (fn) {
	case PSCI_VERSION:
	case PSCI_FEATURES:
	case PSCI_MIGRATE_INFO_TYPE:
	case ZVM_HC_NULL:
		return true;
	default:
		return false;
	}
}

static bool exit_fast_sync(struct vcpu *vcpu)
{
	uint64_t esr = vcpu->arch.esr;

	switch (ESR_EC(esr)) {
	case EC_HVC64:
		if (!hypercall_only_answers((uint32_t)vcpu->arch.regs.x[0]))
			return false;
		vm_count_exit(vcpu->vm, EXIT_HVC);
		vcpu_hypercall(vcpu);
		return true;
	case EC_SYSREG:
		if (SYSREG_ID(esr) != SR_ICC_SGI1R || SYSREG_READ(esr))
			return false;
		vm_count_exit(vcpu->vm, EXIT_SYSREG);
		handle_sysreg(vcpu); /* the vGIC queues and kicks, as from anywhere */
		return true;
	case EC_FP:
		vcpu_arch_fp_claim(&vcpu->arch);
		return true;
	default:
		return false;
	}
}

bool vcpu_exit_fast(struct vcpu *vcpu, uint64_t kind)
{
	if (kind == GUEST_EXIT_IRQ) {
		vm_count_exit(vcpu->vm, EXIT_IRQ);
		arch_irq_dispatch(); /* as its exception would; may switch threads */
		return true;
	}
	return kind == GUEST_EXIT_SYNC && exit_fast_sync(vcpu);
}

void vcpu_handle_exit(struct vcpu *vcpu, uint64_t kind)
{
	switch (kind) {
	case GUEST_EXIT_SYNC:
		handle_sync(vcpu);
		break;
	case GUEST_EXIT_IRQ:
	case GUEST_EXIT_FIQ:
		vm_count_exit(vcpu->vm, EXIT_IRQ);
		break;
	default:
		vm_halt(vcpu->vm, "SError (asynchronous abort) from vCPU %d at pc 0x%lx", vcpu->id,
			(unsigned long)vcpu->arch.regs.elr);
		break;
	}
}
