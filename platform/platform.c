/*
 * Platform discovery from the devicetree: memory, GICv3, console UART,
 * timer interrupts, CPUs and the PSCI conduit. A board port changes its DTB,
 * not this file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/fdt_util.h>
#include <zvm/log.h>
#include <zvm/platform.h>


struct platform platform;

static int parse_memory(const void *fdt)
{
	int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);

	if (node < 0 || fdt_node_reg(fdt, node, 0, &platform.ram_base, &platform.ram_size))
		return -1;
	return 0;
}

static int parse_gic(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	uint64_t size;

	if (node < 0 || fdt_node_reg(fdt, node, 0, &platform.gicd_base, &size) ||
	    fdt_node_reg(fdt, node, 1, &platform.gicr_base, &platform.gicr_size))
		return -1;
	platform.gic_maint_intid = fdt_node_intid(fdt, node, 0);
	return 0;
}

static int parse_uart(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
	uint64_t size;

	if (node < 0 || fdt_node_reg(fdt, node, 0, &platform.uart_base, &size))
		return -1;
	platform.uart_intid = fdt_node_intid(fdt, node, 0);
	return platform.uart_intid < 0 ? -1 : 0;
}

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

static int parse_cpus(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node;

	if (cpus < 0)
		return -1;
	platform.ncpus = 0;
	fdt_for_each_subnode(node, fdt, cpus) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		uint64_t mpidr, unused;

		if (!type || strcmp(type, "cpu") != 0 || fdt_node_reg(fdt, node, 0, &mpidr, &unused))
			continue;
		if (platform.ncpus == K_MAX_CPUS)
			break;
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
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-0.2");
	const char *method;

	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci");
	method = node < 0 ? NULL : fdt_getprop(fdt, node, "method", NULL);
	if (!method)
		platform.psci = PSCI_NONE;
	else
		platform.psci = strcmp(method, "hvc") == 0 ? PSCI_HVC : PSCI_SMC;
	return 0;
}

int platform_init(const void *fdt)
{
	static const struct {
		const char *what;
		int (*parse)(const void *fdt);
	} steps[] = {
		{ "memory", parse_memory }, { "GICv3", parse_gic },
		{ "PL011 UART", parse_uart }, { "timer", parse_timer },
		{ "cpus", parse_cpus }, { "maxcpus", parse_maxcpus }, { "psci", parse_psci },
	};
	const char *model;

	if (fdt_check_header(fdt) != 0) {
		LOG_ERR("platform: no valid devicetree at %p", fdt);
		return -1;
	}
	platform.fdt = fdt;
	platform.fdt_size = fdt_totalsize(fdt);
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].parse(fdt) != 0) {
			LOG_ERR("platform: devicetree has no usable %s node", steps[i].what);
			return -1;
		}
	}
	model = fdt_getprop(fdt, 0, "model", NULL);
	snprintf(platform.model, sizeof(platform.model), "%s", model ? model : "unknown");
	return 0;
}
