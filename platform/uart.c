/* SPDX-License-Identifier: MIT */
/*
 * The console UART from the devicetree: the node /chosen/stdout-path names
 * (an alias or a path, options after ':' such as "serial2:1500000n8"), or
 * the first PL011 when there is no stdout-path. Its compatible chooses the
 * driver; reg-shift, reg-io-width, the clock and the baud rate configure it.
 */
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/fdt_util.h>
#include <zvm/log.h>
#include <zvm/platform.h>

static const struct {
	const char *compatible;
	enum uart_type type;
} uart_kinds[] = {
	{ "arm,pl011", UART_PL011 },
	{ "snps,dw-apb-uart", UART_DW_APB },
	{ "ns16550a", UART_NS16550 },
	{ "ns16550", UART_NS16550 },
};

/* The node stdout-path names, and its baud rate (0 when not given). */
static int stdout_node(const void *fdt, uint32_t *baud)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "stdout-path", NULL);
	const char *opts;

	*baud = 0;
	if (!path)
		return fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
	opts = strchr(path, ':');
	if (opts)
		*baud = (uint32_t)strtoul(opts + 1, NULL, 10);
	return fdt_path_offset_namelen(fdt, path, opts ? (int)(opts - path) : (int)strlen(path));
}

static uint32_t u32_prop(const void *fdt, int node, const char *name, uint32_t dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	return p && len >= 4 ? fdt32_to_cpu(*p) : dflt;
}

/* clock-frequency, or that of the first clock when it is a fixed-clock; 0 if neither. */
static uint32_t uart_clock(const void *fdt, int node)
{
	const fdt32_t *clk = fdt_getprop(fdt, node, "clocks", NULL);
	int src;

	if (fdt_getprop(fdt, node, "clock-frequency", NULL))
		return u32_prop(fdt, node, "clock-frequency", 0);
	src = clk ? fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(clk[0])) : -1;
	if (src < 0 || fdt_node_check_compatible(fdt, src, "fixed-clock") != 0)
		return 0;
	return u32_prop(fdt, src, "clock-frequency", 0);
}

static int uart_type_of(const void *fdt, int node, enum uart_type *type)
{
	for (unsigned i = 0; i < sizeof(uart_kinds) / sizeof(uart_kinds[0]); i++) {
		if (fdt_node_check_compatible(fdt, node, uart_kinds[i].compatible) == 0) {
			*type = uart_kinds[i].type;
			return 0;
		}
	}
	return -1;
}

int platform_parse_uart(const void *fdt)
{
	struct platform_uart *u = &platform.uart;
	int node = stdout_node(fdt, &u->baud);
	uint64_t size;

	if (node < 0) {
		LOG_ERR("platform: no console UART (/chosen/stdout-path names no node)");
		return -1;
	}
	if (uart_type_of(fdt, node, &u->type)) {
		const char *compat = fdt_getprop(fdt, node, "compatible", NULL);

		LOG_ERR("platform: console %s (%s) has no driver: zvm drives arm,pl011, "
			"snps,dw-apb-uart and ns16550a",
			fdt_get_name(fdt, node, NULL), compat ? compat : "no compatible");
		return -1;
	}
	u->reg_shift = u32_prop(fdt, node, "reg-shift", 0);
	u->reg_io_width = u32_prop(fdt, node, "reg-io-width", u->type == UART_PL011 ? 4 : 1);
	u->clock_hz = uart_clock(fdt, node);
	u->intid = fdt_node_intid(fdt, node, 0);
	if (fdt_node_reg(fdt, node, 0, &u->base, &size) || u->intid < 0 || u->reg_shift > 2 ||
	    (u->reg_io_width != 1 && u->reg_io_width != 4)) {
		LOG_ERR("platform: console %s: reg, interrupts, reg-shift (0..2) or reg-io-width "
			"(1 or 4) missing or unusable",
			fdt_get_name(fdt, node, NULL));
		return -1;
	}
	return 0;
}
