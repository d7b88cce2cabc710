/* SPDX-License-Identifier: MIT */
/*
 * Devicetree helpers shared by the host (platform, VM config) and the RTOS
 * guest (its shared-memory and virtio nodes).
 */
#ifndef ZVM_FDT_UTIL_H
#define ZVM_FDT_UTIL_H

#include <stdint.h>
#include <libfdt.h>

/* The cells of an "arm,gic-v3" interrupt specifier (the devicetree binding). */
#define FDT_GIC_SPI         0 /* first cell: kind; second: SPI number */
#define FDT_GIC_PPI         1 /* second cell: PPI number (INTID - 16) */
#define FDT_IRQ_EDGE_RISING 1 /* third cell: trigger */
#define FDT_IRQ_LEVEL_HIGH  4
/* #interrupt-cells of a GICv3 (4 where PPIs are split into partitions, as on RK3588) */
#define FDT_GIC_CELLS       3

/** A number written as `cells` big-endian 32-bit cells (1 or 2). */
uint64_t fdt_read_cells(const fdt32_t *p, int cells);

/**
 * Region `index` of node's "reg", in its parent's #address-cells and
 * #size-cells (1 or 2 each; size 0 cells gives size 0). 0, or -1 when absent
 * or too short.
 */
int fdt_node_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size);

/**
 * INTID of interrupt `index` of node (a GIC specifier of the interrupt
 * parent's #interrupt-cells, 3 or 4: SPI or PPI), or -1.
 */
int fdt_node_intid(const void *fdt, int node, int index);

/** A property of one or two cells (a 64-bit value may be written either way); 0 or -1. */
int fdt_prop_u64(const void *fdt, int node, const char *prop, uint64_t *v);

#endif /* ZVM_FDT_UTIL_H */
