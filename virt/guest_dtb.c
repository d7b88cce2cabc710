/* SPDX-License-Identifier: MIT */
/*
 * Guest devicetree generation with libfdt's sequential-write API.
 *
 * The tree describes exactly what zvm emulates, at QEMU virt's addresses:
 * RAM, one cpu node per vCPU (MPIDR Aff0 = vCPU number), PSCI over HVC,
 * a GICv3 with one redistributor frame pair per vCPU, the architected
 * timer, the PL011 (with the fixed 24 MHz APB clock Linux's amba driver
 * insists on) and /chosen with the command line and any initrd.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/fdt_util.h>
#include <zvm/guest_dtb.h>
#include <zvm/image.h>
#include <zvm/kernel.h>
#include <zvm/pl011_regs.h>
#include <zvm/shm.h>

#define PHANDLE_GIC     1
#define PHANDLE_APB_CLK 2

/* Sequential writer: the first libfdt error sticks and later calls do nothing. */
struct dtw {
	void *fdt;
	int err;
};

static void dt_begin(struct dtw *w, const char *name)
{
	if (!w->err)
		w->err = fdt_begin_node(w->fdt, name);
}

static void dt_end(struct dtw *w)
{
	if (!w->err)
		w->err = fdt_end_node(w->fdt);
}

static void dt_prop(struct dtw *w, const char *name, const void *val, int len)
{
	if (!w->err)
		w->err = fdt_property(w->fdt, name, val, len);
}

static void dt_u32(struct dtw *w, const char *name, uint32_t val)
{
	if (!w->err)
		w->err = fdt_property_u32(w->fdt, name, val);
}

static void dt_u64(struct dtw *w, const char *name, uint64_t val)
{
	if (!w->err)
		w->err = fdt_property_u64(w->fdt, name, val);
}

static void dt_str(struct dtw *w, const char *name, const char *s)
{
	dt_prop(w, name, s, (int)strlen(s) + 1);
}

/* A list of 32-bit cells. */
static void dt_cells(struct dtw *w, const char *name, const uint32_t *cells, int n)
{
	fdt32_t v[16];

	if (n > 16) {
		w->err = w->err ? w->err : -FDT_ERR_INTERNAL;
		return;
	}
	for (int i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(cells[i]);
	dt_prop(w, name, v, n * (int)sizeof(v[0]));
}

/* reg with #address-cells = #size-cells = 2: n (base, size) pairs, n <= 4. */
static void dt_reg(struct dtw *w, const uint64_t *pairs, int n)
{
	uint32_t cells[16];

	for (int i = 0; i < 2 * n && i < 8; i++) {
		cells[2 * i] = (uint32_t)(pairs[i] >> 32);
		cells[2 * i + 1] = (uint32_t)pairs[i];
	}
	dt_cells(w, "reg", cells, 4 * n);
}

#define DT_STRLIST(w, name, lit) dt_prop(w, name, lit, sizeof(lit))

static void build_root_props(struct dtw *w)
{
	dt_u32(w, "#address-cells", 2);
	dt_u32(w, "#size-cells", 2);
	dt_u32(w, "interrupt-parent", PHANDLE_GIC);
	dt_str(w, "compatible", "linux,dummy-virt");
	dt_str(w, "model", "zvm-vm");
}

static void uart_path(const struct vm_config *cfg, char *buf, size_t len)
{
	snprintf(buf, len, "/pl011@%llx", (unsigned long long)cfg->uart_base);
}

static void build_chosen(struct dtw *w, const struct vm_config *cfg)
{
	char path[32];

	dt_begin(w, "chosen");
	if (cfg->bootargs[0])
		dt_str(w, "bootargs", cfg->bootargs);
	dt_str(w, "zvm,vm-name", cfg->name); /* the Linux guest's hostname (guests/linux/init) */
	if (cfg->uart_base) {
		uart_path(cfg, path, sizeof(path));
		dt_str(w, "stdout-path", path);
	}
	if (cfg->initrd_size) {
		uint64_t start = image_initrd_ipa(cfg->ram_ipa, cfg->ram_size, cfg->initrd_size);

		dt_u64(w, "linux,initrd-start", start);
		dt_u64(w, "linux,initrd-end", start + cfg->initrd_size);
	}
	dt_end(w);
	if (cfg->uart_base) {
		dt_begin(w, "aliases");
		dt_str(w, "serial0", path);
		dt_end(w);
	}
}

static void build_memory(struct dtw *w, const struct vm_config *cfg)
{
	uint64_t reg[2] = { cfg->ram_ipa, cfg->ram_size };
	char name[32];

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)cfg->ram_ipa);
	dt_begin(w, name);
	dt_str(w, "device_type", "memory");
	dt_reg(w, reg, 1);
	dt_end(w);
}

static void build_cpus(struct dtw *w, const struct vm_config *cfg)
{
	char name[16];

	dt_begin(w, "cpus");
	dt_u32(w, "#address-cells", 1);
	dt_u32(w, "#size-cells", 0);
	for (int i = 0; i < cfg->nr_vcpus; i++) {
		snprintf(name, sizeof(name), "cpu@%x", i);
		dt_begin(w, name);
		dt_str(w, "device_type", "cpu");
		dt_str(w, "compatible", "arm,armv8");
		dt_u32(w, "reg", (uint32_t)i);
		dt_str(w, "enable-method", "psci");
		dt_end(w);
	}
	dt_end(w);
}

static void build_psci(struct dtw *w)
{
	dt_begin(w, "psci");
	DT_STRLIST(w, "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci");
	dt_str(w, "method", "hvc");
	dt_end(w);
}

static void build_gic(struct dtw *w, const struct vm_config *cfg)
{
	uint64_t reg[4] = {
		GUEST_GICD_BASE,
		GICD_FRAME_SIZE,
		GUEST_GICR_BASE,
		GICR_STRIDE * (uint64_t)cfg->nr_vcpus,
	};
	char name[32];

	snprintf(name, sizeof(name), "intc@%llx", (unsigned long long)GUEST_GICD_BASE);
	dt_begin(w, name);
	dt_str(w, "compatible", "arm,gic-v3");
	dt_u32(w, "#interrupt-cells", 3);
	dt_prop(w, "interrupt-controller", NULL, 0);
	dt_u32(w, "#redistributor-regions", 1);
	dt_reg(w, reg, 2);
	dt_u32(w, "phandle", PHANDLE_GIC);
	dt_end(w);
}

/* Secure, non-secure physical, virtual and hypervisor timer PPIs, in that order. */
static void build_timer(struct dtw *w)
{
	static const uint32_t irqs[12] = {
		FDT_GIC_PPI,        GUEST_PPI_STIMER,   FDT_IRQ_LEVEL_HIGH, FDT_GIC_PPI,
		GUEST_PPI_PTIMER,   FDT_IRQ_LEVEL_HIGH, FDT_GIC_PPI,        GUEST_PPI_VTIMER,
		FDT_IRQ_LEVEL_HIGH, FDT_GIC_PPI,        GUEST_PPI_HTIMER,   FDT_IRQ_LEVEL_HIGH,
	};

	dt_begin(w, "timer");
	dt_str(w, "compatible", "arm,armv8-timer");
	dt_cells(w, "interrupts", irqs, 12);
	dt_prop(w, "always-on", NULL, 0);
	dt_end(w);
}

/* The fixed 24 MHz clock of the PrimeCell devices (PL011, SP805). */
static void build_apb_clock(struct dtw *w)
{
	dt_begin(w, "apb-pclk");
	dt_str(w, "compatible", "fixed-clock");
	dt_u32(w, "#clock-cells", 0);
	dt_u32(w, "clock-frequency", GUEST_APB_CLOCK_HZ);
	dt_str(w, "clock-output-names", "clk24mhz");
	dt_u32(w, "phandle", PHANDLE_APB_CLK);
	dt_end(w);
}

#define PRIMECELL_FRAME_SIZE 0x1000u /* the PL011's and the SP805's alike */

/* A PrimeCell device on the APB clock: a 4 KiB window and a level-high SPI. */
static void build_primecell(struct dtw *w, const char *node, const char *compat, size_t clen,
			    uint64_t base, int spi, const char *clock_names, size_t nlen)
{
	uint64_t reg[2] = { base, PRIMECELL_FRAME_SIZE };
	uint32_t irq[3] = { FDT_GIC_SPI, (uint32_t)spi, FDT_IRQ_LEVEL_HIGH };
	uint32_t clocks[2] = { PHANDLE_APB_CLK, PHANDLE_APB_CLK };

	dt_begin(w, node);
	dt_prop(w, "compatible", compat, clen);
	dt_reg(w, reg, 1);
	dt_cells(w, "interrupts", irq, 3);
	dt_cells(w, "clocks", clocks, 2);
	dt_prop(w, "clock-names", clock_names, nlen);
	dt_end(w);
}

static void build_uart(struct dtw *w, const struct vm_config *cfg)
{
	static const char compat[] = "arm,pl011\0arm,primecell", clks[] = "uartclk\0apb_pclk";
	char path[32];

	uart_path(cfg, path, sizeof(path));
	build_primecell(w, path + 1, compat, sizeof(compat), cfg->uart_base, cfg->uart_spi, clks,
			sizeof(clks));
}

/* The SP805 watchdog (virt/dev/sp805.c): Linux's sp805_wdt binds to it. */
static void build_watchdog(struct dtw *w, const struct vm_config *cfg)
{
	static const char compat[] = "arm,sp805\0arm,primecell", clks[] = "wdog_clk\0apb_pclk";
	char name[32];

	snprintf(name, sizeof(name), "watchdog@%llx", (unsigned long long)cfg->wdt_base);
	build_primecell(w, name, compat, sizeof(compat), cfg->wdt_base, cfg->wdt_spi, clks,
			sizeof(clks));
}

/* A shared-memory region (zvm/shm.h): the region, then its doorbell page. */
static void build_shm(struct dtw *w, const struct vm_shm *s)
{
	uint64_t reg[4] = { s->ipa, s->size, s->ipa + s->size, SHM_DOORBELL_SIZE };
	uint32_t irq[3] = { FDT_GIC_SPI, (uint32_t)s->spi, FDT_IRQ_EDGE_RISING };
	char name[40];

	snprintf(name, sizeof(name), "zvm-shm@%llx", (unsigned long long)s->ipa);
	dt_begin(w, name);
	dt_str(w, "compatible", "zvm,shmem");
	dt_reg(w, reg, 2);
	dt_cells(w, "interrupts", irq, 3);
	dt_str(w, "zvm,name", s->name);
	dt_u32(w, "zvm,peer-index", (uint32_t)s->peer_index);
	if (!s->writable)
		dt_prop(w, "read-only", NULL, 0);
	dt_end(w);
}

/* One "virtio,mmio" node per virtio device: its window and level-high SPI. */
static void build_virtio(struct dtw *w, const struct virtio_cfg *v)
{
	uint64_t reg[2] = { v->base, VIRTIO_MMIO_SIZE };
	uint32_t irq[3] = { FDT_GIC_SPI, (uint32_t)v->spi, FDT_IRQ_LEVEL_HIGH };
	char name[32];

	snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)v->base);
	dt_begin(w, name);
	dt_str(w, "compatible", "virtio,mmio");
	dt_reg(w, reg, 1);
	dt_cells(w, "interrupts", irq, 3);
	dt_prop(w, "dma-coherent", NULL, 0);
	dt_end(w);
}

int guest_dtb_build(const struct vm_config *cfg, void *buf, size_t size, char *err, size_t errlen)
{
	struct dtw w = { buf, 0 };

	if (cfg->nr_vcpus < 1 || cfg->nr_vcpus > VM_MAX_VCPUS) {
		snprintf(err, errlen, "guest DTB: %d vCPUs", cfg->nr_vcpus);
		return K_EINVAL;
	}
	w.err = fdt_create(buf, size > INT32_MAX ? INT32_MAX : (int)size);
	if (!w.err)
		w.err = fdt_finish_reservemap(buf);
	dt_begin(&w, "");
	build_root_props(&w);
	build_chosen(&w, cfg);
	build_memory(&w, cfg);
	build_cpus(&w, cfg);
	build_psci(&w);
	build_gic(&w, cfg);
	build_timer(&w);
	if (cfg->uart_base || cfg->wdt_base || passthrough_dtb_needs_clock(cfg))
		build_apb_clock(&w);
	if (cfg->uart_base)
		build_uart(&w, cfg);
	if (cfg->wdt_base)
		build_watchdog(&w, cfg);
	for (int i = 0; i < cfg->nr_shm; i++)
		build_shm(&w, &cfg->shm[i]);
	for (int i = 0; i < cfg->nr_virtio && i < VM_MAX_VIRTIO; i++)
		build_virtio(&w, &cfg->virtio[i]);
	if (!w.err)
		w.err = passthrough_dtb_nodes(buf, cfg, PHANDLE_APB_CLK);
	dt_end(&w);
	if (!w.err)
		w.err = fdt_finish(buf);
	if (w.err) {
		snprintf(err, errlen, "guest DTB: %s (buffer of %zu bytes)", fdt_strerror(w.err),
			 size);
		return K_EINVAL;
	}
	return 0;
}
