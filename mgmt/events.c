/* SPDX-License-Identifier: MIT */
/*
 * Pushed events, found by comparing the VMs with what the agent saw at its
 * last scan (every 100 ms): a VM created, changing state or deleted (by
 * zvmctl or at the console), a VM halted by a fault, a vCPU of the VM
 * preempted (an RT guest's interference: its count went up). Scanning
 * instead of hooking the VM manager keeps the agent out of every other
 * path: nothing in zvm calls it. The `seen` table is the agent thread's.
 */
#include <string.h>
#include <zvm/vmm.h>
#include "mgmt_internal.h"

static struct {
	const struct vm *vm; /* NULL: no VM with this id */
	enum vm_state state;
	uint32_t preempted; /* sum over its vCPUs */
} seen[VM_MAX];

static uint32_t preempted_sum(const struct vm *vm)
{
	uint32_t n = 0;

	for (int i = 0; i < vm->cfg.nr_vcpus; i++)
		if (vm->vcpus[i].thread)
			n += vm->vcpus[i].thread->preemptions;
	return n;
}

static void event_vm(const char *what, int id, struct vm *vm)
{
	char buf[768];
	struct jbuf j;

	jb_init(&j, buf, sizeof(buf));
	jb_printf(&j, "{\"event\":\"%s\",\"id\":%d", what, id);
	if (vm) {
		jb_key(&j, "vm");
		mgmt_json_vm(&j, vm);
	}
	jb_printf(&j, "}");
	mgmt_send_event(buf, j.len);
}

void mgmt_events_poll(void)
{
	for (int id = 0; id < VM_MAX; id++) {
		struct vm *vm = vmm_get(id);
		uint32_t pre = vm ? preempted_sum(vm) : 0;

		if (!vm && seen[id].vm) {
			event_vm("vm-deleted", id, NULL);
		} else if (vm && (vm != seen[id].vm || vm_state_get(vm) != seen[id].state)) {
			event_vm(vm_state_get(vm) == VM_HALTED && vm->halt_reason[0] ? "vm-fault"
										     : "vm-state",
				 id, vm);
		} else if (vm && pre != seen[id].preempted) {
			event_vm("vm-preempted", id, vm);
		}
		seen[id].vm = vm;
		seen[id].state = vm ? vm_state_get(vm) : VM_CREATED;
		seen[id].preempted = pre;
	}
}
