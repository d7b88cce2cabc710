// SPDX-License-Identifier: MIT
/*
 * `cpuload`: the host's per-CPU load as zvm measures it (the idle time of
 * each host CPU's idle thread), asked through the ZVM_HC_CPU_IDLE hypercall
 * twice, SAMPLE_MS apart: what a guest's frequency governor would look at
 * to see the whole machine rather than only itself (docs/pools.md). Only a
 * VM whose template is `privileged` may ask.
 */
#include <stdint.h>
#include <stdio.h>
#include <zvm/arch.h>
#include <zvm/kernel.h>
#include <zvm/psci_ids.h>
#include <zvm/shell.h>
#include <zvm/shell_args.h>

#define SAMPLE_MS 500
#define MAX_CPUS  8

static int cmd_cpuload(int argc, char **argv)
{
	int64_t n = (int64_t)arch_hypercall(ZVM_HC_CPU_COUNT, 0, 0, 0);
	uint64_t idle0[MAX_CPUS], t0, span;

	(void)argv;
	if (argc > 1)
		return shell_usage_error("cpuload", "unexpected argument '%s'", argv[1]);
	if (n < 0) {
		printf("cpuload: refused by the hypervisor (%ld): this VM is not privileged\n",
		       (long)n);
		return 1;
	}
	n = n > MAX_CPUS ? MAX_CPUS : n;
	t0 = k_uptime_ns();
	for (int c = 0; c < n; c++)
		idle0[c] = arch_hypercall(ZVM_HC_CPU_IDLE, (uint64_t)c, 0, 0);
	k_sleep(K_MSEC(SAMPLE_MS));
	span = k_uptime_ns() - t0;
	for (int c = 0; c < n; c++) {
		uint64_t idle = arch_hypercall(ZVM_HC_CPU_IDLE, (uint64_t)c, 0, 0) - idle0[c];
		unsigned busy = idle >= span ? 0 : (unsigned)(100 - idle * 100 / span);

		printf("cpuload: host cpu%d %u%%\n", c, busy);
	}
	return 0;
}

SHELL_CMD(cpuload, cmd_cpuload, "", "the host's per-CPU load (a privileged VM only)");
