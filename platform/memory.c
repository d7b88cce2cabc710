/* SPDX-License-Identifier: MIT */
/*
 * DRAM from the devicetree: every bank (each reg entry of each memory node:
 * U-Boot writes one node with several entries, others write several nodes),
 * every reservation (/memreserve/ and /reserved-memory), and the RAM zvm
 * runs in: the bank holding its image, less what the reservations cut off.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/fdt_util.h>
#include <zvm/log.h>
#include <zvm/platform.h>

#define PAGE_MASK 0xfffull

static bool node_enabled(const void *fdt, int node)
{
	const char *status = fdt_getprop(fdt, node, "status", NULL);

	return !status || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

/* Appends every region of node's reg to ranges (at most max); -1 if they do not fit. */
static int add_reg_ranges(const void *fdt, int node, struct mem_range *ranges, int *n, int max)
{
	uint64_t base, size;

	for (int i = 0; fdt_node_reg(fdt, node, i, &base, &size) == 0; i++) {
		if (!size)
			continue;
		if (*n == max)
			return -1;
		ranges[(*n)++] = (struct mem_range){ base, size };
	}
	return 0;
}

static int parse_banks(const void *fdt)
{
	int node = -1;

	platform.nbanks = 0;
	while ((node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7)) >= 0) {
		if (node_enabled(fdt, node) &&
		    add_reg_ranges(fdt, node, platform.bank, &platform.nbanks,
				   PLATFORM_MAX_BANKS)) {
			LOG_ERR("platform: more than %d memory banks", PLATFORM_MAX_BANKS);
			return -1;
		}
	}
	if (!platform.nbanks)
		LOG_ERR("platform: devicetree has no memory node (U-Boot adds it when it boots "
			"zvm)");
	return platform.nbanks ? 0 : -1;
}

static int parse_reserved(const void *fdt)
{
	int parent = fdt_path_offset(fdt, "/reserved-memory"), node;
	uint64_t base, size;

	platform.nreserved = 0;
	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0 && size &&
		    platform.nreserved < PLATFORM_MAX_RESERVED)
			platform.reserved[platform.nreserved++] = (struct mem_range){ base, size };
	}
	if (parent < 0)
		return 0;
	fdt_for_each_subnode(node, fdt, parent)
	{
		if (node_enabled(fdt, node) &&
		    add_reg_ranges(fdt, node, platform.reserved, &platform.nreserved,
				   PLATFORM_MAX_RESERVED)) {
			LOG_ERR("platform: more than %d reserved-memory regions",
				PLATFORM_MAX_RESERVED);
			return -1;
		}
	}
	return 0;
}

static bool range_holds(const struct mem_range *r, uint64_t addr)
{
	return addr >= r->base && addr - r->base < r->size;
}

/*
 * The window [lo, hi) around the image that no reservation touches: one
 * below the image raises lo, one above lowers hi, one across it is an error.
 */
static int cut_reservations(uint64_t image_base, uint64_t *lo, uint64_t *hi)
{
	for (int i = 0; i < platform.nreserved; i++) {
		const struct mem_range *r = &platform.reserved[i];
		uint64_t end = r->base + r->size;

		if (end <= *lo || r->base >= *hi)
			continue;
		if (end <= image_base) {
			*lo = end;
		} else if (r->base > image_base) {
			*hi = r->base;
		} else {
			LOG_ERR("platform: reserved memory 0x%llx-0x%llx holds zvm's image at "
				"0x%llx: "
				"choose another LOAD_ADDR in the board's mk file",
				(unsigned long long)r->base, (unsigned long long)end,
				(unsigned long long)image_base);
			return -1;
		}
	}
	return 0;
}

/* The banks beside the one zvm runs in: found, said, not used (yet). */
static void log_other_banks(int used)
{
	for (int i = 0; i < platform.nbanks; i++) {
		const struct mem_range *b = &platform.bank[i];

		if (i != used)
			LOG_INF("platform: RAM 0x%llx-0x%llx (%llu MiB) found, not used yet",
				(unsigned long long)b->base,
				(unsigned long long)(b->base + b->size),
				(unsigned long long)(b->size >> 20));
	}
}

int platform_parse_memory(const void *fdt, uint64_t image_base)
{
	uint64_t lo, hi;
	int i;

	if (parse_banks(fdt) || parse_reserved(fdt))
		return -1;
	for (i = 0; i < platform.nbanks && !range_holds(&platform.bank[i], image_base); i++)
		;
	if (i == platform.nbanks) {
		LOG_ERR("platform: zvm's image at 0x%llx is in no memory bank of the devicetree",
			(unsigned long long)image_base);
		return -1;
	}
	lo = platform.bank[i].base;
	hi = lo + platform.bank[i].size;
	if (cut_reservations(image_base, &lo, &hi))
		return -1;
	platform.ram_base = (lo + PAGE_MASK) & ~PAGE_MASK;
	platform.ram_size = (hi & ~PAGE_MASK) - platform.ram_base;
	log_other_banks(i);
	return 0;
}
