/* SPDX-License-Identifier: MIT */
/* Devicetree helpers (include/zvm/fdt_util.h). */
#include <zvm/fdt_util.h>
#include <arch/gicv3_regs.h>

uint64_t fdt_read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

int fdt_node_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (!reg || ac < 1 || ac > 2 || sc < 0 || sc > 2 || len < (index + 1) * (ac + sc) * 4)
		return -1;
	reg += index * (ac + sc);
	*base = fdt_read_cells(reg, ac);
	*size = sc ? fdt_read_cells(reg + ac, sc) : 0;
	return 0;
}

/*
 * #interrupt-cells of node's interrupt parent (interrupt-parent on the node
 * or its nearest ancestor). 3, the GIC's usual count, when the tree does not
 * say: VM templates and hand-written trees leave it out.
 */
static int interrupt_cells(const void *fdt, int node)
{
	const fdt32_t *cells;

	for (; node >= 0; node = fdt_parent_offset(fdt, node)) {
		const fdt32_t *phandle = fdt_getprop(fdt, node, "interrupt-parent", NULL);
		int parent;

		if (!phandle)
			continue;
		parent = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*phandle));
		cells = parent < 0 ? NULL : fdt_getprop(fdt, parent, "#interrupt-cells", NULL);
		return cells ? (int)fdt32_to_cpu(*cells) : FDT_GIC_CELLS;
	}
	return FDT_GIC_CELLS;
}

int fdt_node_intid(const void *fdt, int node, int index)
{
	int len, cells = interrupt_cells(fdt, node);
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);

	/* GIC specifiers: type, number, flags and (RK3588's GIC) a PPI partition. */
	if (!irq || cells < FDT_GIC_CELLS || cells > FDT_GIC_CELLS + 1 ||
	    len < (index + 1) * cells * 4)
		return -1;
	irq += index * cells;
	int first = fdt32_to_cpu(irq[0]) == FDT_GIC_PPI ? GIC_NR_SGIS : GIC_NR_PRIVATE;

	return (int)fdt32_to_cpu(irq[1]) + first;
}

int fdt_prop_u64(const void *fdt, int node, const char *prop, uint64_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);

	if (!p || (len != 4 && len != 8))
		return -1;
	*v = fdt_read_cells(p, len / 4);
	return 0;
}
