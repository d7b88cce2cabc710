/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's PSCI power state, a small state machine under its VM's lock
 * (include/zvm/vm.h): OFF -> ON_PENDING when a CPU_ON is accepted (exactly
 * one caller finds it OFF and leaves its entry point), ON_PENDING -> ON when
 * the vCPU's own thread has reset itself to that entry, ON -> OFF when the
 * guest calls CPU_OFF on itself. No other thread touches the vCPU's context.
 */
#include <zvm/vcpu.h>

void vcpu_power_init(struct vcpu *vcpu, bool on)
{
	k_spinlock_key_t key = k_spin_lock(&vcpu->vm->lock);

	vcpu->power = on ? VCPU_ON : VCPU_OFF;
	k_spin_unlock(&vcpu->vm->lock, key);
}

enum vcpu_power vcpu_power_get(const struct vcpu *vcpu)
{
	return __atomic_load_n(&vcpu->power, __ATOMIC_ACQUIRE);
}

enum vcpu_power vcpu_power_request_on(struct vcpu *target, uint64_t pc, uint64_t arg)
{
	k_spinlock_key_t key = k_spin_lock(&target->vm->lock);
	enum vcpu_power found = target->power;

	if (found == VCPU_OFF) {
		target->boot_pc = pc;
		target->boot_arg = arg;
		target->power = VCPU_ON_PENDING;
	}
	k_spin_unlock(&target->vm->lock, key);
	return found;
}

bool vcpu_power_take_boot(struct vcpu *vcpu, uint64_t *pc, uint64_t *arg)
{
	k_spinlock_key_t key = k_spin_lock(&vcpu->vm->lock);
	bool pending = vcpu->power == VCPU_ON_PENDING;

	K_ASSERT(vcpu == vcpu_current());
	*pc = vcpu->boot_pc;
	*arg = vcpu->boot_arg;
	k_spin_unlock(&vcpu->vm->lock, key);
	return pending;
}

void vcpu_power_set_on(struct vcpu *vcpu)
{
	k_spinlock_key_t key = k_spin_lock(&vcpu->vm->lock);

	K_ASSERT(vcpu == vcpu_current() && vcpu->power == VCPU_ON_PENDING);
	__atomic_store_n(&vcpu->power, VCPU_ON, __ATOMIC_RELEASE);
	k_spin_unlock(&vcpu->vm->lock, key);
}

void vcpu_power_off(struct vcpu *vcpu)
{
	k_spinlock_key_t key = k_spin_lock(&vcpu->vm->lock);

	K_ASSERT(vcpu == vcpu_current() && vcpu->power == VCPU_ON);
	__atomic_store_n(&vcpu->power, VCPU_OFF, __ATOMIC_RELEASE);
	k_spin_unlock(&vcpu->vm->lock, key);
}
