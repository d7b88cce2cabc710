/* SPDX-License-Identifier: MIT */
/*
 * HVC/SMC from guests: PSCI 1.1 (SMC calling convention, results in x0)
 * and a small range of zvm hypercalls (vendor-specific hypervisor service,
 * owner 6: 0xc6000000..); the ids are in zvm/psci_ids.h.
 */
#include <zvm/log.h>
#include <zvm/psci_ids.h>
#include <zvm/vcpu.h>
#include <zvm/vmm.h>

/* An entry point must be an instruction in the VM's RAM. */
static bool entry_valid(const struct vm *vm, uint64_t entry)
{
	return (entry & 3) == 0 && entry >= vm->cfg.ram_ipa &&
	       entry - vm->cfg.ram_ipa < vm->cfg.ram_size;
}

/*
 * Exactly one of several concurrent calls on an OFF target succeeds; the
 * target resets itself to the entry point (virt/vcpu_power.c).
 */
static int64_t psci_cpu_on(struct vcpu *caller, uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	struct vcpu *target = vm_vcpu_by_mpidr(caller->vm, mpidr);

	if (!target)
		return PSCI_INVALID_PARAMS;
	if (!entry_valid(caller->vm, entry))
		return PSCI_INVALID_ADDRESS;
	switch (vcpu_power_request_on(target, entry, ctx)) {
	case VCPU_OFF:
		vcpu_kick(target);
		return PSCI_SUCCESS;
	case VCPU_ON_PENDING:
		return PSCI_ON_PENDING;
	default:
		return PSCI_ALREADY_ON;
	}
}

static int64_t psci_affinity_info(struct vcpu *caller, uint64_t mpidr)
{
	struct vcpu *target = vm_vcpu_by_mpidr(caller->vm, mpidr);

	if (!target)
		return PSCI_INVALID_PARAMS;
	switch (vcpu_power_get(target)) {
	case VCPU_ON:
		return PSCI_AFFINITY_ON;
	case VCPU_ON_PENDING:
		return PSCI_AFFINITY_ON_PENDING;
	default:
		return PSCI_AFFINITY_OFF;
	}
}

/*
 * CPU_SUSPEND: every state is entered as a standby (a powerdown request
 * may be, PSCI says; the call then returns SUCCESS): the vCPU waits, as
 * in WFI, until an interrupt is pending for it. The original power_state
 * format: StateID [15:0], StateType [16], PowerLevel [25:24]; the other
 * bits must be zero.
 */
#define POWER_STATE_RESERVED 0xfcfe0000u

static int64_t psci_cpu_suspend(struct vcpu *vcpu, uint64_t power_state)
{
	if (power_state & (POWER_STATE_RESERVED | ~0xfffffffful))
		return PSCI_INVALID_PARAMS;
	vcpu_wait_interrupt(vcpu);
	return PSCI_SUCCESS;
}

/* SMCCC_ARCH_FEATURES: the Arm architecture calls zvm implements (no workarounds). */
static int64_t smccc_arch_features(uint32_t fn)
{
	return fn == SMCCC_VERSION || fn == SMCCC_ARCH_FEATURES ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
}

static bool psci_supported(uint32_t fn)
{
	switch (fn) {
	case PSCI_VERSION:
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
	case SMCCC_VERSION:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_SYSTEM_RESET2_64:
	case PSCI_FEATURES:
		return true;
	default:
		return false;
	}
}

static int64_t hypercall(struct vcpu *vcpu, uint32_t fn, const uint64_t *x)
{
	switch (fn) {
	case PSCI_VERSION:
		return PSCI_VERSION_1_1;
	case PSCI_FEATURES:
		return psci_supported((uint32_t)x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
	case SMCCC_VERSION:
		return SMCCC_VERSION_1_1;
	case SMCCC_ARCH_FEATURES:
		return smccc_arch_features((uint32_t)x[1]);
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		return psci_cpu_suspend(vcpu, x[1]);
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		return psci_cpu_on(vcpu, x[1], x[2], x[3]);
	case PSCI_CPU_OFF:
		vcpu_power_off(vcpu);
		return PSCI_SUCCESS;
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		return psci_affinity_info(vcpu, x[1]);
	case PSCI_MIGRATE_INFO_TYPE:
		return PSCI_MIGRATE_NOT_NEEDED;
	case PSCI_SYSTEM_OFF:
		vmm_guest_event(vcpu->vm, VM_EV_POWEROFF, "guest powered off (PSCI SYSTEM_OFF)");
		return PSCI_SUCCESS;
	case PSCI_SYSTEM_RESET:
		vmm_request_reset(vcpu->vm);
		return PSCI_SUCCESS;
	case PSCI_SYSTEM_RESET2_64: /* a warm reset: Linux's panic with reboot=panic_warm */
		return vmm_guest_reset2(vcpu->vm, x[1]);
	case ZVM_HC_NULL:
		return 0;
	case ZVM_HC_CPU_IDLE:
	case ZVM_HC_CPU_COUNT:
		return vm_hc_cpu_load(vcpu->vm, fn, x[1]); /* virt/vm_pool.c */
	default:
		LOG_DBG("VM %d: unknown hypercall 0x%x", vcpu->vm->id, fn);
		return PSCI_NOT_SUPPORTED;
	}
}

/* A call of the 32-bit convention (SMC32/HVC32) ignores the upper halves of its arguments. */
void vcpu_hypercall(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->arch.regs.x;
	uint32_t fn = (uint32_t)x[0];
	uint64_t args[8];

	for (int i = 0; i < 8; i++)
		args[i] = (fn & SMCCC_64BIT) ? x[i] : (uint32_t)x[i];
	x[0] = (uint64_t)hypercall(vcpu, fn, args);
}
