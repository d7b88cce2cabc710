// SPDX-License-Identifier: MIT
/*
 * Passthrough in a VM config (include/zvm/passthrough.h, docs/passthrough.md):
 * a "zvm,passthrough" node of a template's `devices` names a host devicetree
 * node (host-path, or reg = its first window); the node is resolved in the
 * host DTB, and the rules a config must keep are checked here: nothing of the
 * host's, no overlap inside the VM, DMA only with identity-mapped RAM.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/errmsg.h>
#include <zvm/fdt_util.h>
#include <zvm/guest_dtb.h>
#include <zvm/kernel.h>
#include <zvm/passthrough.h>
#include <zvm/platform.h>
#include <zvm/pl011_regs.h>
#include <zvm/sp805.h>
#include <zvm/virtio_regs.h>
#include <zvm/vm_config.h>

#define PT_GICD_SIZE  0x10000ull
#define PT_ITS_SIZE   0x20000ull
#define PT_MAX_CLAIMS 4

/* Devices the host drives itself, beyond what platform says (the management channel). */
static struct {
	uint64_t base, size;
	int intid;
	const char *what;
} claims[PT_MAX_CLAIMS];
static int nr_claims;

static uint64_t page_down(uint64_t a)
{
	return a & ~(PT_PAGE - 1);
}

static uint64_t page_up(uint64_t a)
{
	return (a + PT_PAGE - 1) & ~(PT_PAGE - 1);
}

/* [base, size) widened to whole pages: what stage 2 can give. */
static void page_span(const struct passthrough_cfg *p, uint64_t *base, uint64_t *size)
{
	*base = page_down(p->base);
	*size = page_up(p->base + p->size) - *base;
}

void passthrough_host_claim(uint64_t base, uint64_t size, int intid, const char *what)
{
	if (nr_claims < PT_MAX_CLAIMS)
		claims[nr_claims++] = (typeof(claims[0])){ base, size, intid, what };
}

static bool meets(uint64_t b, uint64_t s, uint64_t hb, uint64_t hs)
{
	return s && hs && vm_ranges_overlap(b, s, page_down(hb), page_up(hb + hs) - page_down(hb));
}

static const char *host_region_owner(uint64_t base, uint64_t size)
{
	if (platform.uart.base && meets(base, size, platform.uart.base, PL011_FRAME_SIZE))
		return "console UART";
	if (meets(base, size, platform.gicd_base, PT_GICD_SIZE) ||
	    meets(base, size, platform.gicr_base, platform.gicr_size) ||
	    (platform.gic_its_base && meets(base, size, platform.gic_its_base, PT_ITS_SIZE)))
		return "interrupt controller (GIC)";
	for (int i = 0; i < platform.nbanks; i++)
		if (meets(base, size, platform.bank[i].base, platform.bank[i].size))
			return "RAM";
	for (int i = 0; i < nr_claims; i++)
		if (meets(base, size, claims[i].base, claims[i].size))
			return claims[i].what;
	return NULL;
}

const char *passthrough_host_owner(uint64_t base, uint64_t size, int spi)
{
	int intid = spi + GIC_NR_PRIVATE;

	if (spi < 0)
		return host_region_owner(base, size);
	if (platform.uart.intid == intid)
		return "console UART";
	for (int i = 0; i < nr_claims; i++)
		if (claims[i].intid == intid)
			return claims[i].what;
	return NULL;
}

/* ---- parsing ---- */

/* The host node a passthrough node names: by host-path, or by its first reg window. */
static int find_host_node(const void *fdt, int node, const void *host, const char *tpl, char *err,
			  size_t errlen)
{
	const char *path = fdt_getprop(fdt, node, "host-path", NULL);
	const char *name = fdt_get_name(fdt, node, NULL);
	uint64_t base, size, hb, hs;
	int n;

	if (path) {
		n = fdt_path_offset(host, path);
		return n >= 0 ? n
			      : errmsg(err, errlen,
				       "template '%s': passthrough '%s': no host devicetree node "
				       "'%s'",
				       tpl, name, path);
	}
	if (fdt_node_reg(fdt, node, 0, &base, &size))
		return errmsg(err, errlen,
			      "template '%s': passthrough '%s' needs host-path or reg to name a "
			      "host device",
			      tpl, name);
	for (n = fdt_next_node(host, 0, NULL); n >= 0; n = fdt_next_node(host, n, NULL))
		if (fdt_getprop(host, n, "compatible", NULL) &&
		    fdt_node_reg(host, n, 0, &hb, &hs) == 0 && hb == base)
			return n;
	return errmsg(err, errlen, "template '%s': passthrough '%s': no host device at 0x%llx", tpl,
		      name, (unsigned long long)base);
}

/* #interrupt-cells of the host's GIC (3, or 4 with PPI partitions). */
static int host_irq_cells(const void *host)
{
	int gic = fdt_node_offset_by_compatible(host, -1, "arm,gic-v3");
	const fdt32_t *c = gic >= 0 ? fdt_getprop(host, gic, "#interrupt-cells", NULL) : NULL;

	return c ? (int)fdt32_to_cpu(*c) : FDT_GIC_CELLS;
}

/* The node's interrupts: SPIs only (a timer's or any per-CPU interrupt stays the host's). */
static int parse_irqs(const void *host, int n, struct passthrough_cfg *p, char *err, size_t errlen)
{
	int len, cells = host_irq_cells(host);
	const fdt32_t *spec = fdt_getprop(host, n, "interrupts", &len);

	for (int i = 0; spec && i < len / (cells * 4); i++) {
		int intid = fdt_node_intid(host, n, i);

		if (intid < GIC_NR_PRIVATE)
			return errmsg(err, errlen,
				      "passthrough %s: interrupt %d is per-CPU (a timer's or a "
				      "PPI): only SPIs can be given to a VM",
				      p->path, intid);
		if (p->nr_irqs == PT_MAX_IRQS)
			return errmsg(err, errlen, "passthrough %s: more than %d interrupts",
				      p->path, PT_MAX_IRQS);
		p->spis[p->nr_irqs] = (uint16_t)(intid - GIC_NR_PRIVATE);
		p->irq_flags[p->nr_irqs++] = fdt32_to_cpu(spec[i * cells + 2]);
	}
	return 0;
}

int passthrough_config_parse(const void *fdt, int node, struct vm_config *cfg, const char *tpl,
			     char *err, size_t errlen)
{
	const void *host = platform.fdt;
	struct passthrough_cfg *p = &cfg->pt[cfg->nr_pt];
	int n;

	if (cfg->nr_pt == PT_MAX_DEVICES)
		return errmsg(err, errlen, "template '%s': more than %d passthrough devices", tpl,
			      PT_MAX_DEVICES);
	if (!host)
		return errmsg(err, errlen, "template '%s': no host devicetree to find devices in",
			      tpl);
	n = find_host_node(fdt, node, host, tpl, err, errlen);
	if (n < 0)
		return n;
	memset(p, 0, sizeof(*p));
	if (fdt_get_path(host, n, p->path, sizeof(p->path)))
		return errmsg(err, errlen, "template '%s': host node path too long", tpl);
	if (fdt_node_reg(host, n, 0, &p->base, &p->size) || !p->size)
		return errmsg(err, errlen,
			      "template '%s': host node %s has no registers: nothing to pass "
			      "through",
			      tpl, p->path);
	if (parse_irqs(host, n, p, err, errlen))
		return K_EINVAL;
	p->dma = fdt_node_check_compatible(host, n, "virtio,mmio") == 0 ||
		 fdt_getprop(host, n, "dma-coherent", NULL) != NULL;
	cfg->nr_pt++;
	return 0;
}

int passthrough_identity_parse(const void *fdt, int node, struct vm_config *cfg, const char *tpl,
			       char *err, size_t errlen)
{
	int len;
	const char *v = fdt_getprop(fdt, node, "identity-map", &len);

	cfg->identity = PT_IDENTITY_AUTO;
	if (!v)
		return 0;
	if (len == 0 || (len == 4 && strcmp(v, "yes") == 0))
		cfg->identity = PT_IDENTITY_YES;
	else if (len == 3 && strcmp(v, "no") == 0)
		cfg->identity = PT_IDENTITY_NO;
	else
		return errmsg(err, errlen, "template '%s': identity-map: empty, \"yes\" or \"no\"",
			      tpl);
	return 0;
}

const struct passthrough_cfg *passthrough_dma_device(const struct vm_config *cfg)
{
	for (int i = 0; i < cfg->nr_pt; i++)
		if (cfg->pt[i].dma)
			return &cfg->pt[i];
	return NULL;
}

bool passthrough_identity(const struct vm_config *cfg)
{
	return cfg->identity == PT_IDENTITY_YES ||
	       (cfg->identity == PT_IDENTITY_AUTO && passthrough_dma_device(cfg));
}

/* ---- checks ---- */

/* What of the VM's own (emulated) layout [b, +s) meets, or NULL. */
static const char *guest_region_owner(const struct vm_config *cfg, uint64_t b, uint64_t s)
{
	if (meets(b, s, GUEST_GICD_BASE, PT_GICD_SIZE) ||
	    meets(b, s, GUEST_GICR_BASE, GICR_STRIDE * VM_MAX_VCPUS))
		return "its virtual GIC";
	if (cfg->uart_base && meets(b, s, cfg->uart_base, PL011_FRAME_SIZE))
		return "its emulated UART";
	if (cfg->wdt_base && meets(b, s, cfg->wdt_base, SP805_FRAME_SIZE))
		return "its emulated watchdog";
	for (int i = 0; i < cfg->nr_virtio; i++)
		if (meets(b, s, cfg->virtio[i].base, VIRTIO_MMIO_SIZE))
			return "its emulated virtio device";
	return NULL;
}

/* What of the VM's own interrupts SPI spi is, or NULL. */
static const char *guest_spi_owner(const struct vm_config *cfg, int spi)
{
	if (cfg->uart_base && cfg->uart_spi == spi)
		return "its emulated UART";
	if (cfg->wdt_base && cfg->wdt_spi == spi)
		return "its emulated watchdog";
	for (int i = 0; i < cfg->nr_virtio; i++)
		if (cfg->virtio[i].spi == spi)
			return "its emulated virtio device";
	return NULL;
}

/* Device i against the host, the VM's own layout and the devices before it. */
static int check_region(const struct vm_config *cfg, int i, char *err, size_t errlen)
{
	const struct passthrough_cfg *p = &cfg->pt[i];
	uint64_t b, s, ob, os;
	const char *who;

	page_span(p, &b, &s);
	who = host_region_owner(b, s);
	if (who)
		return errmsg(err, errlen, "passthrough %s [0x%llx, +0x%llx): the host's own %s",
			      p->path, (unsigned long long)b, (unsigned long long)s, who);
	if (b + s > VM_DEVICE_WINDOW_END)
		return errmsg(err, errlen, "passthrough %s: must lie below 0x%llx", p->path,
			      VM_DEVICE_WINDOW_END);
	who = guest_region_owner(cfg, b, s);
	if (who)
		return errmsg(err, errlen, "passthrough %s [0x%llx, +0x%llx) overlaps %s", p->path,
			      (unsigned long long)b, (unsigned long long)s, who);
	for (int j = 0; j < i; j++) {
		page_span(&cfg->pt[j], &ob, &os);
		if (vm_ranges_overlap(b, s, ob, os))
			return errmsg(err, errlen,
				      "passthrough %s [0x%llx, +0x%llx) overlaps passthrough %s "
				      "[0x%llx, +0x%llx) (whole 4 KiB pages are mapped)",
				      p->path, (unsigned long long)b, (unsigned long long)s,
				      cfg->pt[j].path, (unsigned long long)ob,
				      (unsigned long long)os);
	}
	return 0;
}

/* The SPIs of device i: SPIs of the VM's vGIC, not the host's, not taken in the VM. */
static int check_spis(const struct vm_config *cfg, int i, char *err, size_t errlen)
{
	const struct passthrough_cfg *p = &cfg->pt[i];

	for (int k = 0; k < p->nr_irqs; k++) {
		int spi = p->spis[k];
		const char *who = passthrough_host_owner(0, 0, spi);

		if (who)
			return errmsg(err, errlen, "passthrough %s: SPI %d is the host's %s",
				      p->path, spi, who);
		if (spi >= VM_NR_SPIS)
			return errmsg(err, errlen,
				      "passthrough %s: SPI %d: a VM's vGIC has SPIs 0..%d", p->path,
				      spi, VM_NR_SPIS - 1);
		who = guest_spi_owner(cfg, spi);
		for (int j = 0; !who && j < i; j++)
			for (int l = 0; l < cfg->pt[j].nr_irqs; l++)
				if (cfg->pt[j].spis[l] == spi)
					who = cfg->pt[j].path;
		if (who)
			return errmsg(err, errlen, "passthrough %s: SPI %d is already %s's",
				      p->path, spi, who);
	}
	return 0;
}

int passthrough_config_check(const struct vm_config *cfg, char *err, size_t errlen)
{
	const struct passthrough_cfg *dma = passthrough_dma_device(cfg);

	for (int i = 0; i < cfg->nr_pt; i++) {
		int ret = check_region(cfg, i, err, errlen);

		if (!ret)
			ret = check_spis(cfg, i, err, errlen);
		if (ret)
			return ret;
	}
	if (dma && cfg->identity == PT_IDENTITY_NO)
		return errmsg(err, errlen,
			      "passthrough %s does DMA: VM '%s' needs identity-mapped RAM, not "
			      "identity-map = \"no\"",
			      dma->path, cfg->name);
	return 0;
}
