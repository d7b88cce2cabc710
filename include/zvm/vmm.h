/* SPDX-License-Identifier: MIT */
/*
 * The VM manager: the lifecycle behind the `zvm` shell commands. Every
 * operation that changes a VM (new, run, pause, reset, delete, update) is
 * serialised by one mutex, vmm_lock, and answers with 0 or a negative K_E*
 * code plus a message in `err` a user can read. They block (thread
 * context only). vmm_get, vmm_guest_ticks and vmm_state_name take no mutex;
 * vmm_guest_event (and vmm_request_reset, vmm_guest_reset2) is a vCPU's
 * report, answered by the VMM's worker by the VM's policy, and never takes
 * it (include/zvm/vm.h
 * says who may write each field of a VM).
 */
#ifndef ZVM_VMM_H
#define ZVM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/vm.h>

#define VMM_ERR_LEN 128

/** Set up the VM manager (interrupts, worker thread); host boot, once. */
void vmm_init(void);
/** Start the VMs the VM config marks `autostart` (a thread; host boot, once, after vmm_init). */
void vmm_autostart(void);
/** Create a VM from cfg; returns its id (>= 0) or an error. */
int vmm_new(const struct vm_config *cfg, char *err, size_t len);
/** Start (first run: load images) or resume a VM; K_EINVAL if it is running or halted. */
int vmm_run(int id, char *err, size_t len);
/** Pause a running VM: its vCPUs stop and its guest time stands still. */
int vmm_pause(int id, char *err, size_t len);
/** Stop, reload the images and start again from the entry point. */
int vmm_reset(int id, char *err, size_t len);
/** Stop it and release its memory and devices, keeping its config; run boots it again. */
int vmm_stop(int id, char *err, size_t len);
/** Stop it and free everything it had: memory, tables, VMID, threads. */
int vmm_delete(int id, char *err, size_t len);
/** Change vCPUs, memory, CPUs or priority of a VM that is not running. */
int vmm_update(int id, const struct vm_config *cfg, char *err, size_t len);
/** How many VMs are running or paused (their vCPU threads may run): ktest refuses then. */
int vmm_vms_up(void);
/** The VM with this id, or NULL. The pointer is valid until it is deleted. */
struct vm *vmm_get(int id);
/** Guest time of a VM in counter ticks (stands still while paused). */
uint64_t vmm_guest_ticks(struct vm *vm);
/** "created", "running", "paused", "halted", "crashed", "stopped" ("?" out of range). */
const char *vmm_state_name(enum vm_state s);
/** Does the calling thread hold vmm_lock? (K_ASSERT in the VM object's steps.) */
bool vmm_lock_held(void);
/**
 * From a vCPU (or the watchdog poller): the guest powered off, rebooted,
 * crashed or hung. The VM stops now (halted or crashed, with reason, see
 * vm_guest_stop) and the VMM worker answers by its policy soon: restart it
 * (within its restart limit), halt it (its memory and devices released) or
 * preserve it as it is. Ignored while the VMM is stopping it. Never blocks.
 */
void vmm_guest_event(struct vm *vm, enum vm_event ev, const char *reason);
/**
 * From a vCPU: PSCI SYSTEM_RESET2 of type reset_type. A warm reset
 * (type 0) is a crash; the returned PSCI result is for the other types.
 */
int64_t vmm_guest_reset2(struct vm *vm, uint64_t reset_type);
/** Replace a VM's failure policy (in any state). */
int vmm_set_policy(int id, const struct vm_policy *p, char *err, size_t len);
/** Give VM id's vCPUs the host CPUs `mask`, also while it runs (docs/pools.md). */
int vmm_repin(int id, uint32_t mask, char *err, size_t len);
/** From a vCPU: PSCI SYSTEM_RESET, the guest's reboot (vmm_guest_event REBOOT). */
void vmm_request_reset(struct vm *vm);

#endif /* ZVM_VMM_H */
