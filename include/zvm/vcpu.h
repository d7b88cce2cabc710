/* vCPU threads: the run loop, exits, and what devices need of a vCPU. */
#ifndef ZVM_VCPU_H
#define ZVM_VCPU_H

#include <zvm/vm.h>

#define VTIMER_INTID	27	/* EL1 virtual timer PPI, as on QEMU virt */

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

/* Exit handlers (virt/vpsci.c, virt/vcpu_exit.c). */
void vcpu_handle_exit(struct vcpu *vcpu, uint64_t kind);
/** HVC or SMC #0: PSCI and zvm hypercalls; results in x0. */
void vcpu_hypercall(struct vcpu *vcpu);
/** Inject an UNDEF (unknown reason) into the guest at its current pc. */
void vcpu_inject_undef(struct vcpu *vcpu);
/** Inject a synchronous external abort for a data (or instruction) access at ipa/va. */
void vcpu_inject_abort(struct vcpu *vcpu, bool instruction, uint64_t far);

/* Virtual timer (virt/vtimer.c). */
/** Counter ticks until the guest's timer fires, 0 if due, K_FOREVER if off. */
k_timeout_t vtimer_ticks_to_fire(struct vcpu *vcpu);
/** If the guest's timer condition is met, mask it and inject its interrupt. */
void vtimer_check(struct vcpu *vcpu);
void vtimer_irq(int intid, void *arg);

#endif /* ZVM_VCPU_H */
