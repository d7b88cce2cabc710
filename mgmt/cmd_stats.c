/* SPDX-License-Identifier: MIT */
/*
 * `stats`: live figures in one reply, for `zvmctl stats` and the dashboard:
 * per CPU (load, interrupts, switches, what runs), per VM (state, exits by
 * kind, vCPU run time and preemptions: the RT figures, doorbells, time
 * sync), memory,
 * and the agent's own counters. Read without locks: each figure is a
 * single word its owner updates, so a reply may mix two instants.
 */
#include <zvm/cpu_stats.h>
#include <zvm/kernel.h>
#include <zvm/mm.h>
#include <zvm/rt_guard.h>
#include <zvm/virtio_serial.h>
#include <zvm/vmm.h>
#include "mgmt_internal.h"

/* The isolation figures of docs/pools.md: host interrupts, host-caused exits, EL2 time. */
static void json_cpu_interference(struct jbuf *j, int cpu)
{
	struct cpu_stats st;

	cpu_stats_get(cpu, &st);
	jb_printf(j,
		  ",\"host_irqs\":%lu,\"exits\":%lu,\"host_exits\":%lu,\"el2_ns\":%lu,"
		  "\"idle_ns\":%lu",
		  (unsigned long)st.host_irqs, (unsigned long)st.exits,
		  (unsigned long)st.host_exits, (unsigned long)st.el2_ns,
		  (unsigned long)st.idle_ns);
}

static void json_cpus_stats(struct jbuf *j)
{
	jb_key(j, "cpus");
	jb_printf(j, "[");
	for (int c = 0; c < k_num_cpus_present(); c++) {
		struct k_cpu_info ci;

		k_cpu_info_get(c, &ci);
		jb_item(j);
		jb_printf(j,
			  "{\"cpu\":%d,\"online\":%s,\"load_pct\":%u,\"irqs\":%lu,"
			  "\"switches\":%lu,\"current\":",
			  c, ci.online ? "true" : "false", ci.load_pct, (unsigned long)ci.irqs,
			  (unsigned long)ci.switches);
		jb_str(j, ci.current);
		json_cpu_interference(j, c);
		jb_printf(j, "}");
	}
	jb_printf(j, "]");
}

/*
 * Time sync of a VM: its guest's virtual time (the counter minus its
 * offset) against the host counter since the VM started. The guest is
 * behind by the time it was paused or halted (its time stands still then,
 * by design); every vCPU loads the VM's offset, and vcpu_skew_ns is the
 * largest difference between one vCPU's offset and the VM's (0: all its
 * vCPUs read the same clock). Read under vm->lock: a resume changes both.
 */
static void json_time(struct jbuf *j, struct vm *vm)
{
	uint64_t guest = vmm_guest_ticks(vm), host = 0, skew = 0;
	k_spinlock_key_t key = k_spin_lock(&vm->lock);

	if (vm->started_at)
		host = k_cycle_get() - vm->started_at;
	for (int i = 0; i < vm->cfg.nr_vcpus; i++) {
		uint64_t a = vm->vcpus[i].arch.cntvoff, b = vm->arch.cntvoff;

		if (vm->vcpus[i].thread && (a > b ? a - b : b - a) > skew)
			skew = a > b ? a - b : b - a;
	}
	k_spin_unlock(&vm->lock, key);
	jb_key(j, "time");
	jb_printf(j, "{\"guest_ms\":%lu,\"host_ms\":%lu,\"behind_us\":%lu,\"vcpu_skew_ns\":%lu}",
		  (unsigned long)(k_ticks_to_ns(guest) / 1000000u),
		  (unsigned long)(k_ticks_to_ns(host) / 1000000u),
		  (unsigned long)(host > guest ? k_ticks_to_ns(host - guest) / 1000u : 0),
		  (unsigned long)k_ticks_to_ns(skew));
}

static void json_vms_stats(struct jbuf *j)
{
	jb_key(j, "vms");
	jb_printf(j, "[");
	for (int id = 0; id < VM_MAX; id++) {
		struct vm *vm = vmm_get(id);

		if (!vm)
			continue;
		jb_item(j);
		mgmt_json_vm(j, vm);
		j->len--; /* reopen the object for the details */
		mgmt_json_vm_detail(j, vm);
		json_time(j, vm);
		jb_printf(j, ",\"guard_overruns\":%lu}", (unsigned long)rt_guard_overruns(id));
	}
	jb_printf(j, "]");
}

static void json_mem(struct jbuf *j)
{
	struct page_stats ps;
	struct heap_stats hs;

	page_stats_get(&ps);
	k_heap_stats_get(&hs);
	jb_key(j, "mem");
	jb_printf(j,
		  "{\"pages_total\":%lu,\"pages_free\":%lu,\"heap_used\":%lu,"
		  "\"heap_total\":%lu}",
		  (unsigned long)ps.total_pages, (unsigned long)ps.free_pages,
		  (unsigned long)hs.used_bytes, (unsigned long)hs.total_bytes);
}

static int req_stats(struct mgmt_req *r, struct jbuf *out)
{
	(void)r;
	jb_key(out, "uptime_ms");
	jb_printf(out, "%lu", (unsigned long)k_uptime_ms());
	json_cpus_stats(out);
	json_vms_stats(out);
	json_mem(out);
	jb_key(out, "agent");
	jb_printf(out,
		  "{\"frames_in\":%lu,\"frames_out\":%lu,\"bad_frames\":%lu,"
		  "\"events_dropped\":%lu,\"log_lines\":%lu,\"log_dropped\":%lu,"
		  "\"tx_dropped\":%lu,\"wakeups\":%lu}",
		  (unsigned long)mgmt_counters.frames_in, (unsigned long)mgmt_counters.frames_out,
		  (unsigned long)mgmt_counters.bad_frames,
		  (unsigned long)mgmt_counters.events_dropped,
		  (unsigned long)mgmt_counters.log_lines, (unsigned long)mgmt_tap_dropped(),
		  (unsigned long)vser_dropped(), (unsigned long)mgmt_counters.wakeups);
	return 0;
}

const struct mgmt_cmd mgmt_stats_cmds[] = {
	{ "stats", req_stats, "stats" },
	{ NULL, NULL, NULL },
};
