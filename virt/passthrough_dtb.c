// SPDX-License-Identifier: MIT
/*
 * The guest DTB's node of a passed-through device: a copy of the host node
 * (docs/passthrough.md). Properties describing the device itself are copied
 * as they are (compatible, status, #gpio-cells, gpio-controller, dma-coherent,
 * clock-names, ...); those that point at other host nodes or at host
 * addresses are rebuilt for the guest: reg in the guest's cells, interrupts
 * for the guest's GIC, clocks as the guest's fixed APB clock (the host keeps
 * its clocks and resets: described, not handed over), and references the guest
 * has no node for (resets, power domains, pin control, IOMMUs, DMA channels,
 * phandles) are left out.
 */
#include <string.h>
#include <libfdt.h>
#include <zvm/fdt_util.h>
#include <zvm/kernel.h>
#include <zvm/passthrough.h>
#include <zvm/platform.h>
#include <zvm/vm_config.h>

/* Host properties not copied: rebuilt below, or references to host nodes. */
static const char *const skipped[] = {
	"reg",
	"interrupts",
	"interrupts-extended",
	"interrupt-parent",
	"clocks",
	"phandle",
	"linux,phandle",
	"resets",
	"reset-names",
	"power-domains",
	"iommus",
	"dmas",
	"dma-names",
	"msi-parent",
	"assigned-clocks",
	"assigned-clock-rates",
	"pinctrl-0",
	"pinctrl-names",
};

static bool skip(const char *name)
{
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		if (strcmp(name, skipped[i]) == 0)
			return true;
	return false;
}

/* How many clocks the host node lists (by clock-names, else one). */
static int host_clocks(const void *host, int n)
{
	int len;
	const char *names = fdt_getprop(host, n, "clock-names", &len);
	int count = 0;

	if (!fdt_getprop(host, n, "clocks", NULL))
		return 0;
	for (int i = 0; names && i < len; i++)
		count += names[i] == '\0';
	return count ? count : 1;
}

static int copy_props(void *fdt, const void *host, int n)
{
	int off, len, ret = 0;

	fdt_for_each_property_offset(off, host, n)
	{
		const char *name;
		const void *val = fdt_getprop_by_offset(host, off, &name, &len);

		if (!val || skip(name))
			continue;
		ret = fdt_property(fdt, name, val, len);
		if (ret)
			return ret;
	}
	return 0;
}

/* reg, interrupts and clocks of device p, for the guest. */
static int guest_props(void *fdt, const struct passthrough_cfg *p, int clocks, uint32_t apb_clk)
{
	fdt32_t reg[4] = { cpu_to_fdt32((uint32_t)(p->base >> 32)), cpu_to_fdt32((uint32_t)p->base),
			   cpu_to_fdt32((uint32_t)(p->size >> 32)),
			   cpu_to_fdt32((uint32_t)p->size) };
	fdt32_t irqs[PT_MAX_IRQS * 3], clk[4];
	int ret = fdt_property(fdt, "reg", reg, sizeof(reg));

	for (int k = 0; k < p->nr_irqs; k++) {
		irqs[k * 3] = cpu_to_fdt32(FDT_GIC_SPI);
		irqs[k * 3 + 1] = cpu_to_fdt32(p->spis[k]);
		irqs[k * 3 + 2] = cpu_to_fdt32(p->irq_flags[k]);
	}
	if (!ret && p->nr_irqs)
		ret = fdt_property(fdt, "interrupts", irqs, p->nr_irqs * 3 * 4);
	for (int i = 0; i < clocks && i < 4; i++)
		clk[i] = cpu_to_fdt32(apb_clk);
	if (!ret && clocks)
		ret = fdt_property(fdt, "clocks", clk, (clocks < 4 ? clocks : 4) * 4);
	return ret;
}

bool passthrough_dtb_needs_clock(const struct vm_config *cfg)
{
	for (int i = 0; i < cfg->nr_pt && platform.fdt; i++) {
		int n = fdt_path_offset(platform.fdt, cfg->pt[i].path);

		if (n >= 0 && host_clocks(platform.fdt, n))
			return true;
	}
	return false;
}

int passthrough_dtb_nodes(void *fdt, const struct vm_config *cfg, uint32_t apb_clk)
{
	const void *host = platform.fdt;

	for (int i = 0; i < cfg->nr_pt; i++) {
		int n = host ? fdt_path_offset(host, cfg->pt[i].path) : -FDT_ERR_NOTFOUND;
		const char *name = n >= 0 ? fdt_get_name(host, n, NULL) : NULL;
		int ret = name ? fdt_begin_node(fdt, name) : -FDT_ERR_NOTFOUND;

		if (!ret)
			ret = copy_props(fdt, host, n);
		if (!ret)
			ret = guest_props(fdt, &cfg->pt[i], host_clocks(host, n), apb_clk);
		if (!ret)
			ret = fdt_end_node(fdt);
		if (ret)
			return ret;
	}
	return 0;
}
