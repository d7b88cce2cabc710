// SPDX-License-Identifier: MIT
/* Finding a passed-through device in the guest DTB (guests/rtos/devices.h). */
#include <libfdt.h>
#include <zvm/fdt_util.h>
#include <zvm/platform.h>
#include <arch/mmu.h>
#include "devices.h"

uintptr_t rtos_device_map(const char *compat, int *intid)
{
	const void *fdt = platform.fdt;
	int node = fdt ? fdt_node_offset_by_compatible(fdt, -1, compat) : -1;
	uint64_t base, size;

	*intid = -1;
	if (node < 0 || fdt_node_reg(fdt, node, 0, &base, &size))
		return 0;
	*intid = fdt_node_intid(fdt, node, 0);
	return mmu_map_device(base, size);
}
