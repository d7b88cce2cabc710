/* SPDX-License-Identifier: MIT */
/* vCPU threads: the run loop, exits, and what devices need of a vCPU. */
#ifndef ZVM_VCPU_H
#define ZVM_VCPU_H

#include <zvm/vm.h>

#define VTIMER_INTID 27 /* EL1 virtual timer PPI, as on QEMU virt */

/** Create (not start) the thread of vcpu `id` of vm. */
int vcpu_create(struct vm *vm, int id);
/** Start its thread (it runs when the VM runs and the vCPU is on). */
void vcpu_start(struct vcpu *vcpu);
/** Ask the thread to end and wait for it; frees it. */
void vcpu_destroy(struct vcpu *vcpu);
/** The vCPU whose thread runs on this CPU, or NULL. */
struct vcpu *vcpu_current(void);
/** Connect and enable, on every online CPU, the virtual timer and GIC maintenance PPIs. */
void vcpu_irqs_init(void);

/* PSCI power state (virt/vcpu_power.c; the rules in include/zvm/vm.h). */
/** Set the power state of a vCPU whose VM is stopped (VMM): ON or OFF. */
void vcpu_power_init(struct vcpu *vcpu, bool on);
/** The power state now (a snapshot). */
enum vcpu_power vcpu_power_get(const struct vcpu *vcpu);
/**
 * CPU_ON of target at pc with x0 = arg: returns the state found. VCPU_OFF
 * means this call was accepted (target is now ON_PENDING; kick it); any
 * other value means it was refused and nothing changed.
 */
enum vcpu_power vcpu_power_request_on(struct vcpu *target, uint64_t pc, uint64_t arg);
/** Own thread: is a CPU_ON pending? Then *pc, *arg are its entry point and context. */
bool vcpu_power_take_boot(struct vcpu *vcpu, uint64_t *pc, uint64_t *arg);
/** Own thread, after resetting itself to the pending CPU_ON: ON_PENDING -> ON. */
void vcpu_power_set_on(struct vcpu *vcpu);
/** Own thread (PSCI CPU_OFF): ON -> OFF. */
void vcpu_power_off(struct vcpu *vcpu);

/* Exit handlers (virt/vpsci.c, virt/vcpu_exit.c). */
void vcpu_handle_exit(struct vcpu *vcpu, uint64_t kind);
/**
 * With IRQs masked, right after the exit: answer it at once if it needs no
 * scheduling decision (a host interrupt, a query hypercall, an SGI write,
 * the guest's first FP use); false leaves it to vcpu_handle_exit.
 */
bool vcpu_exit_fast(struct vcpu *vcpu, uint64_t kind);
/** After a fast exit: may the guest be entered again at once (virt/vcpu.c)? */
bool vcpu_may_reenter(struct vcpu *vcpu);
/** HVC or SMC #0: PSCI and zvm hypercalls; results in x0. */
void vcpu_hypercall(struct vcpu *vcpu);
/** A trapped MSR/MRS or set/way instruction (virt/vsysreg.c): emulated or refused. */
void vcpu_handle_sysreg(struct vcpu *vcpu);
/** The trapped access in esr (EC_SYSREG) is a write of ICC_SGI1R_EL1: an SGI. */
bool vcpu_sysreg_is_sgi1r_write(uint64_t esr);
/** Inject an UNDEF (unknown reason) into the guest at its current pc. */
void vcpu_inject_undef(struct vcpu *vcpu);
/** Inject a synchronous external abort for a data (or instruction) access at ipa/va. */
void vcpu_inject_abort(struct vcpu *vcpu, bool instruction, uint64_t far);

/* Virtual timer (virt/vtimer.c). */
/** Link the vCPU's PPI 27 to the physical virtual-timer PPI (after vgic_vcpu_init). */
int vtimer_vcpu_init(struct vcpu *vcpu);
/** Counter ticks until the guest's timer fires, 0 if due, K_FOREVER if it cannot. */
k_timeout_t vtimer_ticks_to_fire(struct vcpu *vcpu);
/** Host handler of the physical virtual-timer PPI: forwards it, hardware-linked. */
void vtimer_irq(int intid, void *arg);

/* EL1 physical timer (virt/ptimer.c): switched per vCPU, delivered as PPI 30. */
#define PTIMER_INTID 30
/** Link the vCPU's PPI 30 to the physical EL1-timer PPI (after vgic_vcpu_init). */
int ptimer_vcpu_init(struct vcpu *vcpu);
/** Counter ticks until the guest's physical timer fires, 0 if due, K_FOREVER if it cannot. */
k_timeout_t ptimer_ticks_to_fire(struct vcpu *vcpu);
/** Host handler of the physical EL1-timer PPI: forwards it, hardware-linked. */
void ptimer_irq(int intid, void *arg);
/** Block a vCPU until an interrupt is pending for it or a timer of its fires (WFI). */
void vcpu_wait_interrupt(struct vcpu *vcpu);

#endif /* ZVM_VCPU_H */
