/* SPDX-License-Identifier: MIT */
/*
 * The interrupt controller from the devicetree: a GICv3 (QEMU's, or the
 * GIC-600 of RK3568/RK3588) with its distributor, one redistributor range
 * with its stride, the maintenance interrupt, and an ITS that is recorded
 * but never used. A GICv2 board is refused with a message.
 */
#include <libfdt.h>
#include <zvm/fdt_util.h>
#include <zvm/log.h>
#include <zvm/platform.h>

#define GICR_STRIDE_V3 0x20000 /* RD_base + SGI_base, no VLPI frames */

static const char *const gicv2_compatibles[] = {
	"arm,gic-400",
	"arm,cortex-a15-gic",
	"arm,cortex-a9-gic",
	"arm,cortex-a7-gic",
};

/* A GICv2 that zvm cannot use: its name, or NULL when there is none. */
static const char *gicv2_present(const void *fdt)
{
	for (unsigned i = 0; i < sizeof(gicv2_compatibles) / sizeof(gicv2_compatibles[0]); i++) {
		if (fdt_node_offset_by_compatible(fdt, -1, gicv2_compatibles[i]) >= 0)
			return gicv2_compatibles[i];
	}
	return NULL;
}

static int no_gicv3(const void *fdt)
{
	const char *v2 = gicv2_present(fdt);

	if (v2)
		LOG_ERR("platform: the interrupt controller is a GICv2 (%s): zvm needs a GICv3 "
			"(system-register CPU interface, redistributors)",
			v2);
	else
		LOG_ERR("platform: devicetree has no arm,gic-v3 interrupt controller");
	return -1;
}

static int redistributor_layout(const void *fdt, int node)
{
	uint64_t regions = 1;

	platform.gicr_stride = GICR_STRIDE_V3;
	if (fdt_prop_u64(fdt, node, "#redistributor-regions", &regions) == 0 && regions != 1) {
		LOG_ERR("platform: GICv3 with %llu redistributor regions: zvm handles one",
			(unsigned long long)regions);
		return -1;
	}
	fdt_prop_u64(fdt, node, "redistributor-stride", &platform.gicr_stride);
	if (platform.gicr_stride != GICR_STRIDE_V3) {
		LOG_ERR("platform: redistributor-stride 0x%llx: zvm walks 0x%x frames",
			(unsigned long long)platform.gicr_stride, GICR_STRIDE_V3);
		return -1;
	}
	return 0;
}

int platform_parse_gic(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	int its = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3-its");
	uint64_t size;

	if (node < 0)
		return no_gicv3(fdt);
	if (fdt_node_reg(fdt, node, 0, &platform.gicd_base, &size) ||
	    fdt_node_reg(fdt, node, 1, &platform.gicr_base, &platform.gicr_size)) {
		LOG_ERR("platform: the GICv3 node has no distributor and redistributor reg");
		return -1;
	}
	if (redistributor_layout(fdt, node))
		return -1;
	platform.gic_its_base = 0;
	if (its >= 0 && fdt_node_reg(fdt, its, 0, &platform.gic_its_base, &size))
		platform.gic_its_base = 0;
	platform.gic_maint_intid = fdt_node_intid(fdt, node, 0);
	return 0;
}
