/*
 * Platform discovery from the devicetree: memory, GICv3, console UART,
 * timer interrupts, CPUs and the PSCI conduit. A board port changes its DTB,
 * not this file.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/log.h>
#include <zvm/platform.h>

#define GIC_PPI_BASE	16
#define GIC_SPI_BASE	32

struct platform platform;

/* Read a value of `cells` 32-bit cells at p. */
static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

/* Region `index` of node's "reg" property. */
static int node_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (!reg || ac < 1 || ac > 2 || sc < 0 || sc > 2 ||
	    len < (index + 1) * (ac + sc) * 4)
		return -1;
	reg += index * (ac + sc);
	*base = read_cells(reg, ac);
	*size = sc ? read_cells(reg + ac, sc) : 0;
	return 0;
}

/* INTID of interrupt `index` of a node (3-cell GIC specifier). */
static int node_intid(const void *fdt, int node, int index)
{
	int len;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);

	if (!irq || len < (index + 1) * 12)
		return -1;
	irq += index * 3;
	return (int)fdt32_to_cpu(irq[1]) +
	       (fdt32_to_cpu(irq[0]) == 1 ? GIC_PPI_BASE : GIC_SPI_BASE);
}

static int parse_memory(const void *fdt)
{
	int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);

	if (node < 0 || node_reg(fdt, node, 0, &platform.ram_base, &platform.ram_size))
		return -1;
	return 0;
}

static int parse_gic(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	uint64_t size;

	if (node < 0 || node_reg(fdt, node, 0, &platform.gicd_base, &size) ||
	    node_reg(fdt, node, 1, &platform.gicr_base, &platform.gicr_size))
		return -1;
	platform.gic_maint_intid = node_intid(fdt, node, 0);
	return 0;
}

static int parse_uart(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
	uint64_t size;

	if (node < 0 || node_reg(fdt, node, 0, &platform.uart_base, &size))
		return -1;
	platform.uart_intid = node_intid(fdt, node, 0);
	return platform.uart_intid < 0 ? -1 : 0;
}

/* armv8-timer interrupts: secure phys, non-secure phys, virtual, hypervisor. */
static int parse_timer(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");

	if (node < 0)
		return -1;
	platform.timer_phys_intid = node_intid(fdt, node, 1);
	platform.timer_virt_intid = node_intid(fdt, node, 2);
	platform.timer_hyp_intid = node_intid(fdt, node, 3);
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

		if (!type || strcmp(type, "cpu") != 0 || node_reg(fdt, node, 0, &mpidr, &unused))
			continue;
		if (platform.ncpus == K_MAX_CPUS)
			break;
		platform.cpu_mpidr[platform.ncpus++] = mpidr;
	}
	return platform.ncpus ? 0 : -1;
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
		{ "cpus", parse_cpus }, { "psci", parse_psci },
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
