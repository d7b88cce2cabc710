/* SPDX-License-Identifier: MIT */
/*
 * The one place that decodes why a guest stopped (ESR_EL2) and answers it:
 * WFI blocks, HVC/SMC go to PSCI and hypercalls, trapped system registers
 * are emulated or refused with an UNDEF, data aborts go to the VM's MMIO
 * bus or come back to the guest as an external abort. Decoding a data
 * abort and injecting an exception are the arch's (arch/abort.h,
 * arch/vcpu.h).
 */
#include <zvm/cpu_stats.h>
#include <zvm/log.h>
#include <zvm/vcpu.h>
#include <arch/abort.h>
#include <zvm/arch.h>
#include <zvm/psci_ids.h>
#include <arch/esr_regs.h>

/* Host log lines per VM for guest aborts; the rest are counted (`zvm info -n ID`). */
#define ABORT_LOG_LINES 5

static void skip_instruction(struct vcpu *vcpu)
{
	vcpu->arch.regs.elr += arch_vcpu_insn_len(&vcpu->arch);
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

/* The earlier of two timeouts (K_FOREVER is the latest). */
static k_timeout_t earlier(k_timeout_t a, k_timeout_t b)
{
	if (a == K_FOREVER)
		return b;
	return b == K_FOREVER || a < b ? a : b;
}

void vcpu_wait_interrupt(struct vcpu *vcpu)
{
	k_timeout_t timeout = earlier(vtimer_ticks_to_fire(vcpu), ptimer_ticks_to_fire(vcpu));

	__atomic_store_n(&vcpu->waiting, true, __ATOMIC_SEQ_CST); /* kicks must wake us now */
	if (timeout != 0 && !vgic_vcpu_pending(vcpu))
		k_sem_take(&vcpu->wake, timeout);
	__atomic_store_n(&vcpu->waiting, false, __ATOMIC_RELEASE);
	/* A deadline that woke it: the timer's PPI fires as soon as it is back here. */
}

/*
 * A trapped wait: WFI sleeps until an interrupt; WFE is not trapped (skipped
 * if seen). WFIT/WFET are UNDEFINED, as on a CPU without FEAT_WFxT, which
 * the ID registers say this one is (idregs.c): zvm's wait has no timeout,
 * so one must never be taken for a WFI (it could sleep forever). QEMU
 * reports a trapped WFIT with TI = 0: there it is taken for one.
 */
static void handle_wfx(struct vcpu *vcpu)
{
	uint64_t ti = ESR_WFX_TI(vcpu->arch.esr);

	if (ti == WFX_TI_WFIT || ti == WFX_TI_WFET) {
		vcpu_inject_undef(vcpu);
		return;
	}
	skip_instruction(vcpu);
	if (ti == WFX_TI_WFI)
		vcpu_wait_interrupt(vcpu);
}

/* A few host log lines per VM, then one saying the rest are only counted. */
static bool abort_log_allowed(struct vm *vm)
{
	uint64_t n = vm->exits_by_kind[EXIT_ABORT]; /* this one included */

	if (n == ABORT_LOG_LINES + 1)
		LOG_WRN("VM %d: further guest aborts are counted, not logged (zvm info -n %d)",
			vm->id, vm->id);
	return n <= ABORT_LOG_LINES;
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

/*
 * A cache maintenance instruction on an address that is not the VM's
 * memory (ESR.CM): there is nothing of the guest's to clean, so it
 * completes without effect, as on a device or hole of a real machine.
 */
static bool dabort_cache_maintenance(struct vcpu *vcpu)
{
	if (!(vcpu->arch.esr & ESR_DABT_CM))
		return false;
	skip_instruction(vcpu);
	vm_count_exit(vcpu->vm, EXIT_MMIO);
	return true;
}

/* An access the VM's MMIO bus emulates? Then it is done. */
static bool dabort_mmio(struct vcpu *vcpu, uint64_t ipa)
{
	struct mmio_access acc;

	if (arch_dabort_decode(vcpu->arch.esr, ipa, &acc) != 0)
		return false;
	if (acc.write)
		acc.value = reg_read(vcpu, acc.reg);
	if (vdev_dispatch(vcpu, &acc) != 0)
		return false;
	if (!acc.write)
		reg_write(vcpu, acc.reg, load_extend(&acc));
	skip_instruction(vcpu);
	vm_count_exit(vcpu->vm, EXIT_MMIO);
	return true;
}

static void handle_dabort(struct vcpu *vcpu)
{
	uint64_t ipa = arch_fault_ipa(&vcpu->arch);
	bool external = ESR_FSC(vcpu->arch.esr) == DFSC_EXTERNAL;

	if (!external && (dabort_cache_maintenance(vcpu) || dabort_mmio(vcpu, ipa)))
		return;
	vm_count_exit(vcpu->vm, EXIT_ABORT);
	if (abort_log_allowed(vcpu->vm))
		LOG_WRN("VM %d vCPU %d: %s at IPA 0x%lx (pc 0x%lx) %s: abort injected",
			vcpu->vm->id, vcpu->id,
			arch_dabort_is_write(vcpu->arch.esr) ? "write" : "read", (unsigned long)ipa,
			(unsigned long)vcpu->arch.regs.elr,
			external                      ? "an external abort"
			: is_read_only(vcpu->vm, ipa) ? "to memory it may only read"
						      : "outside its memory and devices");
	vcpu_inject_abort(vcpu, false, vcpu->arch.far);
}

static void handle_sync(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	switch (ESR_EC(vcpu->arch.esr)) {
	case EC_WFX:
		vm_count_exit(vm, EXIT_WFI);
		handle_wfx(vcpu);
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
		vcpu_handle_sysreg(vcpu);
		break;
	case EC_DABT_LOW:
		handle_dabort(vcpu); /* counts an MMIO exit or an abort */
		break;
	case EC_IABT_LOW:
		vm_count_exit(vm, EXIT_ABORT);
		if (abort_log_allowed(vm))
			LOG_WRN("VM %d vCPU %d: instruction fetch at IPA 0x%lx outside its memory: "
				"abort "
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
		if (!vcpu_sysreg_is_sgi1r_write(esr))
			return false;
		vm_count_exit(vcpu->vm, EXIT_SYSREG);
		vcpu_handle_sysreg(vcpu); /* the vGIC queues and kicks, as from anywhere */
		return true;
	case EC_FP:
		vcpu_arch_fp_claim(&vcpu->arch);
		return true;
	default:
		return false;
	}
}

/*
 * Fold the exits guest.S answered in the vector since the last exit into
 * the VM's and the CPU's counts: each IRQ one forwarded its timer, each
 * MSR one a self-SGI (virtual interrupts too), each HVC one a null call.
 * Nothing to do, the common case after a full exit: one test.
 */
static void fold_vector_exits(struct vcpu *vcpu)
{
	struct vcpu_fast *f = &vcpu->arch.fast;
	struct vm *vm = vcpu->vm;

	if (!(f->irqs | f->hvcs | f->sysregs))
		return;
	__atomic_fetch_add(&vm->virqs, f->irqs + f->sysregs, __ATOMIC_RELAXED);
	__atomic_fetch_add(&vm->exits_by_kind[EXIT_IRQ], f->irqs, __ATOMIC_RELAXED);
	__atomic_fetch_add(&vm->exits_by_kind[EXIT_HVC], f->hvcs, __ATOMIC_RELAXED);
	__atomic_fetch_add(&vm->exits_by_kind[EXIT_SYSREG], f->sysregs, __ATOMIC_RELAXED);
	cpu_count_vector_exits(f->irqs, f->hvcs + f->sysregs);
	f->irqs = f->hvcs = f->sysregs = 0;
}

bool vcpu_exit_fast(struct vcpu *vcpu, uint64_t kind)
{
	fold_vector_exits(vcpu);
	if (kind == GUEST_EXIT_IRQ) {
		vm_count_exit(vcpu->vm, EXIT_IRQ);
		arch_irq_dispatch(); /* as its exception would; may switch threads */
		return true;
	}
	return kind == GUEST_EXIT_SYNC && exit_fast_sync(vcpu);
}

void vcpu_handle_exit(struct vcpu *vcpu, uint64_t kind)
{
	if (kind != GUEST_EXIT_SYNC || ESR_EC(vcpu->arch.esr) != EC_SYSREG)
		vcpu->arch.sw_flushed = false; /* a run of set/way operations ended */
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
