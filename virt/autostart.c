// SPDX-License-Identifier: MIT
/*
 * Autostart: at boot, the templates of the VM config marked
 * `autostart = <N>` are made into VMs and run, in the order of N, by a
 * thread of their own, so that the shell answers meanwhile. A VM that cannot
 * be made or started is reported and the others still start
 * (docs/vm-config.md).
 */
#include <stdio.h>
#include <zvm/kernel.h>
#include <zvm/log.h>
#include <zvm/vm_config.h>
#include <zvm/vmm.h>

/* Make and run the VM of one template; prints what happened. */
static void autostart_one(const char *tpl)
{
	struct vm_config cfg;
	char err[VMM_ERR_LEN];
	int id = vm_config_from_template(tpl, &cfg, err, sizeof(err));

	if (id == 0) {
		id = vmm_new(&cfg, err, sizeof(err));
		vm_config_put(&cfg); /* the VM holds its own */
	}
	if (id >= 0 && vmm_run(id, err, sizeof(err)) != 0)
		LOG_ERR("autostart: VM %d (%s) did not start: %s", id, cfg.name, err);
	else if (id < 0)
		LOG_ERR("autostart: template '%s' failed: %s", tpl, err);
	else
		LOG_INF("autostart: VM %d (%s) running", id, cfg.name);
}

static void autostart_main(void *arg)
{
	char names[VM_AUTOSTART_MAX][VM_TEMPLATE_NAME_LEN];
	char err[VMM_ERR_LEN], list[VM_AUTOSTART_MAX * VM_TEMPLATE_NAME_LEN];
	int n = vm_config_autostart(names, VM_AUTOSTART_MAX, err, sizeof(err));
	size_t used = 0;

	(void)arg;
	if (n <= 0)
		return; /* nothing marked, or no VM config (zvm new says why) */
	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, " %s", names[i]);
	LOG_INF("autostart: %d VMs in order:%s", n, list);
	for (int i = 0; i < n; i++)
		autostart_one(names[i]);
	LOG_INF("autostart: done");
}

void vmm_autostart(void)
{
	/* On the host's CPU 0, like the VMM's threads: never beside a real-time vCPU. */
	if (!k_thread_spawn("autostart", 8192, autostart_main, NULL, K_PRIO_PREEMPT(13), 1u << 0))
		LOG_ERR("vmm: cannot start the autostart thread");
}
