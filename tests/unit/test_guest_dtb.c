/* SPDX-License-Identifier: MIT */
/* SOURCES: virt/guest_dtb.c virt/passthrough_dtb.c virt/image.c platform/platform.c platform/memory.c platform/gic.c platform/uart.c kernel/errmsg.c platform/fdt_util.c @fake */
/* LDLIBS: -lfdt */
/*
 * Unit tests of the guest DTB: built for 1 and 4 vCPUs, read back with
 * libfdt and with the RTOS guest's own platform parser (platform/platform.c).
 * With GUEST_DTB_OUT=<file> (GUEST_DTB_OUT_SMP=<file>) in the environment,
 * the 1-vCPU (4-vCPU) RTOS tree is also saved there, for booting the RTOS
 * bare on QEMU with -dtb.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>
#include <zvm/guest_dtb.h>
#include <zvm/image.h>
#include <zvm/kernel.h>
#include <zvm/platform.h>

static char err[256];
static uint64_t buf[GUEST_DTB_MAX / 8];

static struct vm_config rtos_config(int vcpus)
{
	struct vm_config cfg = {
		.type = VM_TYPE_RTOS,
		.name = "rtos",
		.nr_vcpus = vcpus,
		.cpu_mask = 2,
		.prio = 2,
		.ram_ipa = 0x40000000,
		.ram_size = 64 << 20,
		.bootargs = "app=hello",
		.uart_base = 0x09000000,
		.uart_spi = 1,
	};

	return cfg;
}

/* Save the tree to the file named by environment variable `var`, if set. */
static void save(const void *fdt, const char *var)
{
	const char *out = getenv(var);
	FILE *f;

	if (!out)
		return;
	f = fopen(out, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(fdt, fdt_totalsize(fdt), 1, f), 1);
	fclose(f);
}

static const void *build(const struct vm_config *cfg)
{
	assert_int_equal(guest_dtb_build(cfg, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_int_equal(fdt_check_full(buf, sizeof(buf)), 0);
	return buf;
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	assert_true(off >= 0);
	return off;
}

static const char *str(const void *fdt, const char *path, const char *prop)
{
	const char *s = fdt_getprop(fdt, node(fdt, path), prop, NULL);

	assert_non_null(s);
	return s;
}

/* Cell i of a property, which must have `ncells` cells. */
static uint32_t cell(const void *fdt, const char *path, const char *prop, int ncells, int i)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node(fdt, path), prop, &len);

	assert_non_null(p);
	assert_int_equal(len, ncells * 4);
	return fdt32_to_cpu(p[i]);
}

static uint64_t u64(const void *fdt, const char *path, const char *prop, int ncells, int i)
{
	return (uint64_t)cell(fdt, path, prop, ncells, i) << 32 |
	       cell(fdt, path, prop, ncells, i + 1);
}

static int count_cpus(const void *fdt)
{
	int n = 0, off;

	fdt_for_each_subnode(off, fdt, node(fdt, "/cpus"))
	{
		const char *type = fdt_getprop(fdt, off, "device_type", NULL);
		const fdt32_t *reg = fdt_getprop(fdt, off, "reg", NULL);

		assert_string_equal(type, "cpu");
		assert_int_equal(fdt32_to_cpu(*reg), n);
		assert_string_equal(fdt_getprop(fdt, off, "enable-method", NULL), "psci");
		n++;
	}
	return n;
}

static void check_common(const void *fdt, int vcpus)
{
	int gic = node(fdt, "/intc@8000000"), clk = node(fdt, "/apb-pclk"), len;
	const char *compat;

	assert_string_equal(str(fdt, "/", "compatible"), "linux,dummy-virt");
	assert_string_equal(str(fdt, "/", "model"), "zvm-vm");
	assert_int_equal(cell(fdt, "/", "#address-cells", 1, 0), 2);
	assert_int_equal(cell(fdt, "/", "interrupt-parent", 1, 0), fdt_get_phandle(fdt, gic));
	assert_string_equal(str(fdt, "/memory@40000000", "device_type"), "memory");
	assert_int_equal(u64(fdt, "/memory@40000000", "reg", 4, 0), 0x40000000);
	assert_int_equal(u64(fdt, "/memory@40000000", "reg", 4, 2), 64 << 20);
	assert_int_equal(count_cpus(fdt), vcpus);
	compat = fdt_getprop(fdt, node(fdt, "/psci"), "compatible", &len);
	assert_int_equal(len, sizeof("arm,psci-1.0\0arm,psci-0.2\0arm,psci"));
	assert_string_equal(compat, "arm,psci-1.0");
	assert_string_equal(str(fdt, "/psci", "method"), "hvc");
	assert_true(fdt_node_check_compatible(fdt, gic, "arm,gic-v3") == 0);
	assert_non_null(fdt_getprop(fdt, gic, "interrupt-controller", NULL));
	assert_int_equal(cell(fdt, "/intc@8000000", "#interrupt-cells", 1, 0), 3);
	assert_int_equal(u64(fdt, "/intc@8000000", "reg", 8, 0), 0x08000000);
	assert_int_equal(u64(fdt, "/intc@8000000", "reg", 8, 2), 0x10000);
	assert_int_equal(u64(fdt, "/intc@8000000", "reg", 8, 4), 0x080a0000);
	assert_int_equal(u64(fdt, "/intc@8000000", "reg", 8, 6), 0x20000ull * vcpus);
	assert_int_equal(cell(fdt, "/timer", "interrupts", 12, 1), 13);
	assert_int_equal(cell(fdt, "/timer", "interrupts", 12, 4), 14);
	assert_int_equal(cell(fdt, "/timer", "interrupts", 12, 7), 11);
	assert_int_equal(cell(fdt, "/timer", "interrupts", 12, 10), 10);
	assert_non_null(fdt_getprop(fdt, node(fdt, "/timer"), "always-on", NULL));
	assert_int_equal(u64(fdt, "/pl011@9000000", "reg", 4, 0), 0x09000000);
	assert_int_equal(cell(fdt, "/pl011@9000000", "interrupts", 3, 0), 0);
	assert_int_equal(cell(fdt, "/pl011@9000000", "interrupts", 3, 1), 1);
	assert_int_equal(cell(fdt, "/pl011@9000000", "interrupts", 3, 2), 4);
	assert_int_equal(cell(fdt, "/pl011@9000000", "clocks", 2, 0), fdt_get_phandle(fdt, clk));
	assert_int_equal(cell(fdt, "/apb-pclk", "clock-frequency", 1, 0), 24000000);
	assert_string_equal(str(fdt, "/pl011@9000000", "clock-names"), "uartclk");
	assert_int_equal(node(fdt, str(fdt, "/chosen", "stdout-path")),
			 node(fdt, "/pl011@9000000"));
}

static void test_one_vcpu(void **state)
{
	struct vm_config cfg = rtos_config(1);
	const void *fdt = build(&cfg);

	(void)state;
	check_common(fdt, 1);
	assert_string_equal(str(fdt, "/chosen", "bootargs"), "app=hello");
	assert_null(fdt_getprop(fdt, node(fdt, "/chosen"), "linux,initrd-start", NULL));
	save(fdt, "GUEST_DTB_OUT");
}

static void test_four_vcpus(void **state)
{
	struct vm_config cfg = rtos_config(4);
	const void *fdt = build(&cfg);

	(void)state;
	check_common(fdt, 4);
	save(fdt, "GUEST_DTB_OUT_SMP");
}

/* The RTOS guest's parser (the one it runs at boot) accepts the tree. */
static void test_rtos_platform_parser(void **state)
{
	struct vm_config cfg = rtos_config(4);

	(void)state;
	assert_int_equal(platform_init(build(&cfg), cfg.ram_ipa), 0);
	assert_int_equal(platform.ram_base, 0x40000000);
	assert_int_equal(platform.ram_size, 64 << 20);
	assert_int_equal(platform.gicd_base, 0x08000000);
	assert_int_equal(platform.gicr_base, 0x080a0000);
	assert_int_equal(platform.gicr_size, 4 * 0x20000);
	assert_int_equal(platform.uart.base, 0x09000000);
	assert_int_equal(platform.uart.intid, 33);
	assert_int_equal(platform.timer_virt_intid, 27);
	assert_int_equal(platform.timer_phys_intid, 30);
	assert_int_equal(platform.timer_hyp_intid, 26);
	assert_int_equal(platform.ncpus, 4);
	assert_int_equal(platform.cpu_mpidr[3], 3);
	assert_int_equal(platform.psci, PSCI_HVC);
	assert_string_equal(platform.model, "zvm-vm");
}

static void test_initrd_and_no_bootargs(void **state)
{
	struct vm_config cfg = rtos_config(2);
	const void *fdt;
	uint64_t start = image_initrd_ipa(cfg.ram_ipa, cfg.ram_size, 12345);

	(void)state;
	cfg.bootargs[0] = '\0';
	cfg.initrd_size = 12345;
	fdt = build(&cfg);
	assert_null(fdt_getprop(fdt, node(fdt, "/chosen"), "bootargs", NULL));
	assert_int_equal(u64(fdt, "/chosen", "linux,initrd-start", 2, 0), start);
	assert_int_equal(u64(fdt, "/chosen", "linux,initrd-end", 2, 0), start + 12345);
}

static void test_no_uart(void **state)
{
	struct vm_config cfg = rtos_config(1);
	const void *fdt;

	(void)state;
	cfg.uart_base = 0;
	fdt = build(&cfg);
	assert_true(fdt_path_offset(fdt, "/pl011@9000000") < 0);
	assert_null(fdt_getprop(fdt, node(fdt, "/chosen"), "stdout-path", NULL));
}

/* One virtio,mmio node per device: window, SPI level-high, dma-coherent. */
static void test_virtio_nodes(void **state)
{
	struct vm_config cfg = rtos_config(2);
	const char *blk = "/virtio_mmio@a000200";
	const void *fdt;

	(void)state;
	cfg.virtio[0] = (struct virtio_cfg){ VIRTIO_TYPE_CONSOLE, 0x0a000000, 16, "" };
	cfg.virtio[1] = (struct virtio_cfg){ VIRTIO_TYPE_BLOCK, 0x0a000200, 17, "disk" };
	cfg.nr_virtio = 2;
	fdt = build(&cfg);
	assert_string_equal(str(fdt, "/virtio_mmio@a000000", "compatible"), "virtio,mmio");
	assert_int_equal(u64(fdt, blk, "reg", 4, 0), 0x0a000200);
	assert_int_equal(u64(fdt, blk, "reg", 4, 2), 0x200);
	assert_int_equal(cell(fdt, blk, "interrupts", 3, 0), 0);
	assert_int_equal(cell(fdt, blk, "interrupts", 3, 1), 17);
	assert_int_equal(cell(fdt, blk, "interrupts", 3, 2), 4);
	assert_non_null(fdt_getprop(fdt, node(fdt, blk), "dma-coherent", NULL));
	cfg.nr_virtio = 0;
	fdt = build(&cfg);
	assert_true(fdt_path_offset(fdt, blk) < 0);
}

/* Shared memory: a "zvm,shmem" node per region, read-only marked. */
static void test_shared_memory(void **state)
{
	struct vm_config cfg = rtos_config(1);
	const void *fdt;

	(void)state;
	cfg.nr_shm = 2;
	cfg.shm[0] = (struct vm_shm){ .name = "rtos-linux",
				      .ipa = 0x30000000,
				      .size = 0x100000,
				      .spi = 8,
				      .peer_index = 0,
				      .writable = true };
	cfg.shm[1] = (struct vm_shm){
		.name = "telemetry", .ipa = 0x30400000, .size = 0x10000, .spi = 10, .peer_index = 1
	};
	fdt = build(&cfg);
	assert_string_equal(str(fdt, "/zvm-shm@30000000", "compatible"), "zvm,shmem");
	assert_int_equal(u64(fdt, "/zvm-shm@30000000", "reg", 8, 0), 0x30000000);
	assert_int_equal(u64(fdt, "/zvm-shm@30000000", "reg", 8, 2), 0x100000);
	assert_int_equal(u64(fdt, "/zvm-shm@30000000", "reg", 8, 4), 0x30100000);
	assert_int_equal(u64(fdt, "/zvm-shm@30000000", "reg", 8, 6), 0x1000);
	assert_int_equal(cell(fdt, "/zvm-shm@30000000", "interrupts", 3, 0), 0);
	assert_int_equal(cell(fdt, "/zvm-shm@30000000", "interrupts", 3, 1), 8);
	assert_int_equal(cell(fdt, "/zvm-shm@30000000", "interrupts", 3, 2), 1);
	assert_string_equal(str(fdt, "/zvm-shm@30000000", "zvm,name"), "rtos-linux");
	assert_int_equal(cell(fdt, "/zvm-shm@30000000", "zvm,peer-index", 1, 0), 0);
	assert_null(fdt_getprop(fdt, node(fdt, "/zvm-shm@30000000"), "read-only", NULL));
	assert_int_equal(cell(fdt, "/zvm-shm@30400000", "zvm,peer-index", 1, 0), 1);
	assert_non_null(fdt_getprop(fdt, node(fdt, "/zvm-shm@30400000"), "read-only", NULL));
	cfg.nr_shm = 0;
	fdt = build(&cfg);
	assert_true(fdt_node_offset_by_compatible(fdt, -1, "zvm,shmem") < 0);
}

/* Too small a buffer fails cleanly, whatever its size. */
static void test_small_buffer(void **state)
{
	struct vm_config cfg = rtos_config(4);

	(void)state;
	assert_int_equal(guest_dtb_build(&cfg, buf, sizeof(buf), err, sizeof(err)), 0);
	for (size_t size = 0; size < fdt_totalsize(buf); size += 7) {
		void *small = malloc(size ? size : 1);

		assert_int_equal(guest_dtb_build(&cfg, small, size, err, sizeof(err)), K_EINVAL);
		assert_non_null(strstr(err, "guest DTB"));
		free(small);
	}
}

static void test_bad_vcpus(void **state)
{
	struct vm_config cfg = rtos_config(0);

	(void)state;
	assert_int_equal(guest_dtb_build(&cfg, buf, sizeof(buf), err, sizeof(err)), K_EINVAL);
	cfg.nr_vcpus = VM_MAX_VCPUS + 1;
	assert_int_equal(guest_dtb_build(&cfg, buf, sizeof(buf), err, sizeof(err)), K_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_vcpu),
		cmocka_unit_test(test_four_vcpus),
		cmocka_unit_test(test_rtos_platform_parser),
		cmocka_unit_test(test_initrd_and_no_bootargs),
		cmocka_unit_test(test_no_uart),
		cmocka_unit_test(test_shared_memory),
		cmocka_unit_test(test_virtio_nodes),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_bad_vcpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
