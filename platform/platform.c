/* SPDX-License-Identifier: MIT */
/*
 * Platform discovery from the devicetree: memory (platform/memory.c), the
 * GICv3 (platform/gic.c), the console UART (platform/uart.c), the timer
 * interrupts, the CPUs and the PSCI conduit. A board port brings its DTB,
 * not a change to this file (docs/porting.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/fdt_util.h>
#include <zvm/log.h>
#include <zvm/platform.h>

struct platform platform;

/* armv8-timer interrupts: secure phys, non-secure phys, virtual, hypervisor. */
static int parse_timer(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");

	if (node < 0)
		return -1;
	platform.timer_phys_intid = fdt_node_intid(fdt, node, 1);
	platform.timer_virt_intid = fdt_node_intid(fdt, node, 2);
	platform.timer_hyp_intid = fdt_node_intid(fdt, node, 3);
	return platform.timer_hyp_intid < 0 ? -1 : 0;
}

/* Every cpu node's reg (its MPIDR affinity: Aff1 is the core on RK3588's DynamIQ clusters). */
static int parse_cpus(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node;

	if (cpus < 0)
		return -1;
	platform.ncpus = 0;
	fdt_for_each_subnode(node, fdt, cpus)
	{
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		uint64_t mpidr, unused;

		if (!type || strcmp(type, "cpu") != 0 ||
		    fdt_node_reg(fdt, node, 0, &mpidr, &unused))
			continue;
		if (platform.ncpus == K_MAX_CPUS) {
			LOG_WRN("platform: more than %d CPUs: the others stay off", K_MAX_CPUS);
			break;
		}
		platform.cpu_mpidr[platform.ncpus++] = mpidr;
	}
	return platform.ncpus ? 0 : -1;
}

/* "maxcpus=N" in /chosen/bootargs (as for Linux): start only N CPUs. */
static int parse_maxcpus(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *args = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "bootargs", NULL);
	const char *p = args ? strstr(args, "maxcpus=") : NULL;
	long n = p ? strtol(p + 8, NULL, 10) : 0;

	platform.boot_cpus = n >= 1 && n < platform.ncpus ? (int)n : platform.ncpus;
	return 0;
}

static int parse_psci(const void *fdt)
{
	static const char *const compatibles[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci" };
	const char *method = NULL;

	for (unsigned i = 0; i < sizeof(compatibles) / sizeof(compatibles[0]) && !method; i++) {
		int node = fdt_node_offset_by_compatible(fdt, -1, compatibles[i]);

		method = node < 0 ? NULL : fdt_getprop(fdt, node, "method", NULL);
	}
	if (!method)
		platform.psci = PSCI_NONE;
	else
		platform.psci = strcmp(method, "hvc") == 0 ? PSCI_HVC : PSCI_SMC;
	return 0;
}

/* Every CPU needs its redistributor frame in the GICR range. */
static int check_redistributors(const void *fdt)
{
	(void)fdt;
	if (platform.gicr_size / platform.gicr_stride >= (uint64_t)platform.ncpus)
		return 0;
	LOG_ERR("platform: the GICR range (0x%llx bytes) holds %llu redistributors for %d CPUs",
		(unsigned long long)platform.gicr_size,
		(unsigned long long)(platform.gicr_size / platform.gicr_stride), platform.ncpus);
	return -1;
}

int platform_init(const void *fdt, uint64_t image_base)
{
	/* A step that prints its own message has what = NULL. */
	static const struct {
		const char *what;
		int (*parse)(const void *fdt);
	} steps[] = {
		{ NULL, platform_parse_gic }, { NULL, platform_parse_uart },
		{ "timer", parse_timer },     { "cpus", parse_cpus },
		{ "maxcpus", parse_maxcpus }, { NULL, check_redistributors },
		{ "psci", parse_psci },
	};
	const char *model;

	if (fdt_check_header(fdt) != 0) {
		LOG_ERR("platform: no valid devicetree at %p", fdt);
		return -1;
	}
	memset(&platform, 0, sizeof(platform));
	platform.fdt = fdt;
	platform.fdt_size = fdt_totalsize(fdt);
	if (platform_parse_memory(fdt, image_base) != 0)
		return -1;
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].parse(fdt) != 0) {
			if (steps[i].what)
				LOG_ERR("platform: devicetree has no usable %s node",
					steps[i].what);
			return -1;
		}
	}
	model = fdt_getprop(fdt, 0, "model", NULL);
	snprintf(platform.model, sizeof(platform.model), "%s", model ? model : "unknown");
	return 0;
}
