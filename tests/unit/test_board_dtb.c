/* SPDX-License-Identifier: MIT */
/* SOURCES: platform/platform.c platform/memory.c platform/gic.c platform/uart.c platform/fdt_util.c drivers/virtio_serial.c kernel/errmsg.c @fake */
/* LDLIBS: -lfdt */
/*
 * The platform parser on the real RK3568 and RK3588 devicetrees of
 * Debian's kernel packages (with the memory U-Boot adds), checked against
 * what board_expect.py read from the same files' DTS with dtc. One test per
 * board; then what the parser must refuse, each with its message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>
#include <zvm/platform.h>
#include <zvm/virtio_serial.h>
#include "fake/fake.h"

struct board_case {
	const char *name, *dtb, *model;
	uint64_t gicd, gicr, gicr_size, its;
	int maint;
	struct platform_uart uart;
	int timer_phys, timer_virt, timer_hyp;
	int ncpus;
	uint64_t mpidr[K_MAX_CPUS];
	enum psci_conduit psci;
	int nbanks;
	struct mem_range banks[PLATFORM_MAX_BANKS];
	uint64_t ram_base, ram_size;
};

#include "board_expect.h"

#define NCASES (sizeof(board_cases) / sizeof(board_cases[0]))

/* A DTB file, with room to edit it. */
static void *load_dtb(const char *path)
{
	FILE *f = fopen(path, "rb");
	void *buf = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	assert_true(n > 0 && n < (1 << 20));
	assert_int_equal(fdt_open_into(buf, buf, 1 << 20), 0);
	return buf;
}

static void check_uart(const struct platform_uart *want)
{
	assert_int_equal(platform.uart.type, want->type);
	assert_int_equal(platform.uart.base, want->base);
	assert_int_equal(platform.uart.intid, want->intid);
	assert_int_equal(platform.uart.reg_shift, want->reg_shift);
	assert_int_equal(platform.uart.reg_io_width, want->reg_io_width);
	assert_int_equal(platform.uart.clock_hz, want->clock_hz);
	assert_int_equal(platform.uart.baud, want->baud);
}

static void test_board(void **state)
{
	const struct board_case *c = *state;
	void *fdt = load_dtb(c->dtb);

	assert_int_equal(platform_init(fdt, BOARD_IMAGE_BASE), 0);
	assert_string_equal(platform.model, c->model);
	assert_int_equal(platform.gicd_base, c->gicd);
	assert_int_equal(platform.gicr_base, c->gicr);
	assert_int_equal(platform.gicr_size, c->gicr_size);
	assert_int_equal(platform.gicr_stride, 0x20000);
	assert_int_equal(platform.gic_its_base, c->its);
	assert_int_equal(platform.gic_maint_intid, c->maint);
	check_uart(&c->uart);
	assert_int_equal(platform.timer_phys_intid, c->timer_phys);
	assert_int_equal(platform.timer_virt_intid, c->timer_virt);
	assert_int_equal(platform.timer_hyp_intid, c->timer_hyp);
	assert_int_equal(platform.ncpus, c->ncpus);
	assert_memory_equal(platform.cpu_mpidr, c->mpidr, sizeof(c->mpidr));
	assert_int_equal(platform.psci, c->psci);
	assert_int_equal(platform.nbanks, c->nbanks);
	assert_memory_equal(platform.bank, c->banks, sizeof(c->banks));
	assert_int_equal(platform.ram_base, c->ram_base);
	assert_int_equal(platform.ram_size, c->ram_size);
	free(fdt);
}

/* RK3588's clusters: A55 cores are Aff1 0-3 (CPUs 0-3), the A76 cores Aff1 4-7. */
static void test_rk3588_cluster_layout(void **state)
{
	void *fdt = load_dtb(ZVM_TOP "/build/unit/boards/rk3588-rock-5b.dtb");

	(void)state;
	assert_int_equal(platform_init(fdt, BOARD_IMAGE_BASE), 0);
	for (int cpu = 0; cpu < 8; cpu++)
		assert_int_equal(platform.cpu_mpidr[cpu], (uint64_t)cpu << 8);
	assert_true(platform.bank[3].base + platform.bank[3].size == 0x500000000ull);
	free(fdt);
}

static void expect_refusal(void *fdt, uint64_t image_base, const char *words)
{
	fake_log_reset();
	assert_int_not_equal(platform_init(fdt, image_base), 0);
	if (!fake_log_has(words))
		fail_msg("messages \"%s\" lack \"%s\"", fake_log.all, words);
	free(fdt);
}

/* RK3328 (ROCK64) has a GIC-400: zvm says it needs a GICv3. */
static void test_gicv2_board_refused(void **state)
{
	void *fdt = load_dtb(ZVM_TOP "/build/unit/boards/rk3328-rock64.dtb");

	(void)state;
	expect_refusal(fdt, BOARD_IMAGE_BASE, "GICv2 (arm,gic-400): zvm needs a GICv3");
}

/* Debian's DTB as shipped: U-Boot has not added memory. */
static void test_no_memory_node_refused(void **state)
{
	void *fdt = load_dtb(ZVM_TOP "/build/dtbs/rockchip/rk3568-rock-3a.dtb");

	(void)state;
	expect_refusal(fdt, BOARD_IMAGE_BASE, "no memory node");
}

static void test_image_outside_memory_refused(void **state)
{
	(void)state;
	expect_refusal(load_dtb(board_cases[0].dtb), 0xf8000000ull, "in no memory bank");
}

/* A reservation across the image (OP-TEE placed where zvm would run). */
static void test_reservation_over_image_refused(void **state)
{
	void *fdt = load_dtb(board_cases[0].dtb);

	(void)state;
	assert_int_equal(fdt_add_mem_rsv(fdt, BOARD_IMAGE_BASE - 0x100000, 0x400000), 0);
	expect_refusal(fdt, BOARD_IMAGE_BASE, "holds zvm's image");
}

/* A console the DTB names but zvm has no driver for. */
static void test_console_without_driver_refused(void **state)
{
	void *fdt = load_dtb(board_cases[0].dtb);
	int node = fdt_path_offset(fdt, "serial2");

	(void)state;
	assert_true(node >= 0);
	assert_int_equal(fdt_setprop_string(fdt, node, "compatible", "acme,uart"), 0);
	expect_refusal(fdt, BOARD_IMAGE_BASE, "has no driver");
}

/* RK3588's eight CPUs with a GICR range cut to four frames. */
static void test_short_gicr_range_refused(void **state)
{
	void *fdt = load_dtb(ZVM_TOP "/build/unit/boards/rk3588-rock-5b.dtb");
	int gic = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	fdt32_t reg[8] = { 0, cpu_to_fdt32(0xfe600000), 0, cpu_to_fdt32(0x10000),
			   0, cpu_to_fdt32(0xfe680000), 0, cpu_to_fdt32(0x80000) };

	(void)state;
	assert_int_equal(fdt_setprop(fdt, gic, "reg", reg, sizeof(reg)), 0);
	expect_refusal(fdt, BOARD_IMAGE_BASE, "holds 4 redistributors for 8 CPUs");
}

/*
 * What a board lacks of QEMU virt: no virtio-mmio transport and no fw_cfg in
 * its DTB, and the management channel's driver (drivers/virtio_serial.c),
 * which looks for its device in the DTB, finds none there and touches no
 * device: it maps nothing and reads no register.
 */
static void test_no_qemu_devices_on_boards(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCASES; i++) {
		void *fdt = load_dtb(board_cases[i].dtb);
		char err[96] = "";

		assert_true(fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio") < 0);
		assert_true(fdt_node_offset_by_compatible(fdt, -1, "qemu,fw-cfg-mmio") < 0);
		fake_reset();
		assert_int_not_equal(vser_init(fdt, 0, err, sizeof(err)), 0);
		assert_non_null(strstr(err, "no virtio console device"));
		assert_int_equal(fake_arch.device_maps, 0);
		assert_int_equal(fake_arch.mmio_reads + fake_arch.mmio_writes, 0);
		free(fdt);
	}
}

int main(void)
{
	struct CMUnitTest tests[NCASES + 8];
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_rk3588_cluster_layout),
		cmocka_unit_test(test_gicv2_board_refused),
		cmocka_unit_test(test_no_memory_node_refused),
		cmocka_unit_test(test_image_outside_memory_refused),
		cmocka_unit_test(test_reservation_over_image_refused),
		cmocka_unit_test(test_console_without_driver_refused),
		cmocka_unit_test(test_short_gicr_range_refused),
		cmocka_unit_test(test_no_qemu_devices_on_boards),
	};

	for (size_t i = 0; i < NCASES; i++) {
		tests[i] = (struct CMUnitTest){ .name = board_cases[i].name,
						.test_func = test_board,
						.initial_state = (void *)&board_cases[i] };
	}
	memcpy(&tests[NCASES], fixed, sizeof(fixed));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
