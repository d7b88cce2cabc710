/*
 * The VM manager: the lifecycle behind the `zvm` shell commands. Every
 * operation is serialised by one mutex and answers with 0 or a negative
 * K_E* code plus a message in `err` a user can read.
 */
#ifndef ZVM_VMM_H
#define ZVM_VMM_H

#include <stddef.h>
#include <zvm/vm.h>

#define VMM_ERR_LEN	128

/** Set up the VM manager (interrupts, worker thread); host boot, once. */
void vmm_init(void);
/** Create a VM from cfg; returns its id (>= 0) or an error. */
int vmm_new(const struct vm_config *cfg, char *err, size_t len);
/** Start (first run: load images) or resume a VM. */
int vmm_run(int id, char *err, size_t len);
int vmm_pause(int id, char *err, size_t len);
/** Stop, reload the images and start again from the entry point. */
int vmm_reset(int id, char *err, size_t len);
/** Stop it and free everything it had: memory, tables, VMID, threads. */
int vmm_delete(int id, char *err, size_t len);
/** Change vCPUs, memory, CPUs or priority of a VM that is not running. */
int vmm_update(int id, const struct vm_config *cfg, char *err, size_t len);
/** The VM with this id, or NULL. The pointer is valid until it is deleted. */
struct vm *vmm_get(int id);
/** Guest time of a VM in counter ticks (stands still while paused). */
uint64_t vmm_guest_ticks(const struct vm *vm);
const char *vmm_state_name(enum vm_state s);
/** From a vCPU: reset this VM soon (done by the VMM worker, not the vCPU). */
void vmm_request_reset(struct vm *vm);

#endif /* ZVM_VMM_H */
