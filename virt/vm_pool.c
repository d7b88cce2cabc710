// SPDX-License-Identifier: MIT
/*
 * The pools as the VMM sees them (docs/pools.md): read from the host config
 * at boot, and re-pinning a VM: its vCPU threads get new host CPUs while it
 * runs, paused or stopped. The pool rules are checked for the whole VM
 * first, with the static CPUs it holds counted as free, so a refused move
 * changes nothing.
 */
#include <zvm/cpu_stats.h>
#include <zvm/errmsg.h>
#include <zvm/log.h>
#include <zvm/passthrough.h>
#include <zvm/pool_ops.h>
#include <zvm/psci_ids.h>
#include <zvm/vm_config.h>
#include <zvm/vm.h>
#include <zvm/vmm.h>

int vm_repin(struct vm *vm, uint32_t mask, char *err, size_t len)
{
	struct k_thread *ts[VM_MAX_VCPUS];
	uint32_t own = 0;
	int ret, n = 0;

	K_ASSERT(vmm_lock_held());
	if (!vm->vcpus[0].thread)
		return errmsg(err, len, "VM %d has no vCPUs now (halted): zvm update sets its CPUs",
			      vm->id);
	for (int i = 0; i < vm->cfg.nr_vcpus; i++) {
		int cpu = pool_bound_cpu(&pool_table, vm->vcpus[i].thread);

		if (cpu >= 0)
			own |= 1u << cpu;
	}
	ret = pool_op_check_vm(vm->cfg.nr_vcpus, mask, own, err, len);
	if (ret)
		return ret;
	for (int i = 0; i < vm->cfg.nr_vcpus; i++)
		ts[n++] = vm->vcpus[i].thread;
	ret = pool_threads_place(ts, n, mask, err, len);
	if (ret)
		return ret;
	vm->cfg.cpu_mask = mask;
	passthrough_vm_reroute(vm); /* its devices' interrupts go where vCPU 0 went */
	LOG_INF("vm %d (%s): vCPUs re-pinned to CPUs 0x%x", vm->id, vm->cfg.name, (unsigned)mask);
	return 0;
}

void pool_config_boot(void)
{
	static struct pool_table pt;
	char err[96];
	const void *fdt = vm_config_blob(err, sizeof(err));

	pool_table_init(&pt, k_num_cpus_present());
	if (!fdt)
		return; /* no VM config: every CPU in the host pool */
	if (pool_config_parse(&pt, fdt, err, sizeof(err)) != 0) {
		LOG_ERR("pools: %s; every CPU stays in the host pool", err);
		return;
	}
	pool_ops_install(&pt);
}

int64_t vm_hc_cpu_load(const struct vm *vm, uint32_t fn, uint64_t cpu)
{
	struct cpu_stats st;

	if (!vm->cfg.privileged)
		return PSCI_DENIED;
	if (fn == ZVM_HC_CPU_COUNT)
		return k_num_cpus_present();
	if (cpu >= (uint64_t)k_num_cpus_present())
		return PSCI_INVALID_PARAMS;
	cpu_stats_get((int)cpu, &st);
	return (int64_t)(st.idle_ns & INT64_MAX);
}
