/* SPDX-License-Identifier: MIT */
/* SOURCES: virt/vm_config.c virt/passthrough_config.c platform/platform.c platform/memory.c platform/gic.c platform/uart.c virt/virtio/virtio_config.c kernel/errmsg.c tests/unit/fake/dtc.c platform/fdt_util.c @fake */
/* LDLIBS: -lfdt */
/*
 * Unit tests of VM templates: configs/vms.dts itself and small templates
 * written here, compiled with dtc at run time; the image manifest and the
 * image table point at buffers of this test. Missing, corrupt and mangled
 * blobs must give errors without reading out of bounds (ASan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libfdt.h>
#include <zvm/kernel.h>
#include <zvm/vm_config.h>
#include "fake/dtc.h"
#include "fake/fake.h"

#define MIB (1ull << 20)

static char err[256];
static uint8_t rtos_img[4096] __attribute__((aligned(8)));
static uint8_t linux_img[8192] __attribute__((aligned(8)));
static uint8_t linux_rd[1000] __attribute__((aligned(8)));
static struct guest_image table[] = {
	{ "rtos-elf", (uintptr_t)rtos_img, sizeof(rtos_img) },
	{ "linux-image", (uintptr_t)linux_img, sizeof(linux_img) },
	{ "linux-initrd", (uintptr_t)linux_rd, sizeof(linux_rd) },
};
static struct vm_config_store store;
static void *templates_blob, *manifest_blob;

/* ---- blobs ---- */

/* dtc output; a test fails where the source does not compile. */
static void *dtc_file(const char *dts, size_t *size)
{
	void *blob = dtc_compile_file(dts, size);

	assert_non_null(blob);
	return blob;
}

static void *dtc_string(const char *src, size_t *size)
{
	void *blob = dtc_compile(src, size);

	assert_non_null(blob);
	return blob;
}

static int manifest_entry(char *s, size_t len, const char *name, const uint8_t *img, size_t size,
			  uintptr_t addr)
{
	return snprintf(s, len,
			"%s { addr = /bits/ 64 <0x%lx>; size = /bits/ 64 <%zu>; "
			"head = [%02x %02x %02x %02x %02x %02x %02x %02x]; };\n",
			name, (unsigned long)addr, size, img[0], img[1], img[2], img[3], img[4],
			img[5], img[6], img[7]);
}

/* The manifest: the RTOS image, and the Linux ones if asked. */
static void use_manifest(bool with_linux, size_t rtos_size, uintptr_t rtos_addr)
{
	char src[2048];
	int n = snprintf(src, sizeof(src), "/dts-v1/;\n/ { images {\n");
	size_t size;

	n += manifest_entry(src + n, sizeof(src) - n, "rtos-elf", rtos_img, rtos_size, rtos_addr);
	if (with_linux) {
		n += manifest_entry(src + n, sizeof(src) - n, "linux-image", linux_img,
				    sizeof(linux_img), (uintptr_t)linux_img);
		n += manifest_entry(src + n, sizeof(src) - n, "linux-initrd", linux_rd,
				    sizeof(linux_rd), (uintptr_t)linux_rd);
	}
	snprintf(src + n, sizeof(src) - n, "}; };\n");
	free(manifest_blob);
	manifest_blob = dtc_string(src, &size);
	store.manifest = manifest_blob;
	store.manifest_max = size;
}

static void use_templates_blob(void *blob, size_t size)
{
	free(templates_blob);
	templates_blob = blob;
	store.templates = blob;
	store.templates_max = size;
}

static void use_vms_dts(void)
{
	size_t size;
	void *blob = dtc_file(ZVM_TOP "/configs/vms.dts", &size);

	use_templates_blob(blob, size);
}

/*
 * A store with one template "t" whose body is `body`; properties in `over`
 * replace or add to those (dtc merges a second definition of the node).
 */
static void use_template_over(const char *body, const char *over)
{
	char src[4096];
	size_t size;
	void *blob;

	snprintf(src, sizeof(src),
		 "/dts-v1/;\n/ { zvm {\n"
		 "images { rtos: rtos-elf { blob = \"rtos-elf\"; };\n"
		 "  raw: raw { blob = \"rtos-elf\"; load-address = /bits/ 64 <0x40400000>; };\n"
		 "  nosuch: nosuch { blob = \"nosuch\"; }; };\n"
		 "templates { t { %s }; }; }; };\n"
		 "/ { zvm { templates { t { %s }; }; }; };\n",
		 body, over);
	blob = dtc_string(src, &size);
	use_templates_blob(blob, size);
}

static void use_template(const char *body)
{
	use_template_over(body, "");
}

#define T_TYPE  "type = \"rtos\";"
#define T_VCPUS "vcpus = <2>;"
#define T_CPUS  "cpus = <0 3>;"
#define T_PRIO  "priority = <(-3)>;"
#define T_BASE  "ram-base = <0x40000000>;"
#define T_SIZE  "memory-size = /bits/ 64 <0x2000000>;"
#define T_IMAGE "image = <&rtos>;"
#define T_GOOD  T_TYPE T_VCPUS T_CPUS T_PRIO T_BASE T_SIZE T_IMAGE

static int setup(void **state)
{
	(void)state;
	memset(rtos_img, 0x5a, sizeof(rtos_img));
	memcpy(rtos_img, "\177ELF\2\1\1\0", 8);
	memset(linux_img, 0x11, sizeof(linux_img));
	memset(linux_rd, 0x1f, sizeof(linux_rd));
	linux_rd[3] = 0x8b;
	fake_kernel_reset(); /* 4 CPUs, all online */
	memset(&store, 0, sizeof(store));
	store.images = table;
	store.nr_images = 3;
	use_manifest(false, sizeof(rtos_img), (uintptr_t)rtos_img);
	vm_config_set_store(&store);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vm_config_set_store(NULL);
	free(templates_blob);
	free(manifest_blob);
	templates_blob = manifest_blob = NULL;
	return 0;
}

static int from(const char *name, struct vm_config *cfg)
{
	err[0] = '\0';
	return vm_config_from_template(name, cfg, err, sizeof(err));
}

static void expect_error(const char *name, const char *what)
{
	struct vm_config cfg;

	assert_int_equal(from(name, &cfg), K_EINVAL);
	if (!strstr(err, what))
		fail_msg("error \"%s\" does not say \"%s\"", err, what);
}

/* ---- configs/vms.dts ---- */

static void test_vms_rtos(void **state)
{
	struct vm_config cfg;

	(void)state;
	use_vms_dts();
	assert_int_equal(from("rtos", &cfg), 0);
	assert_int_equal(cfg.type, VM_TYPE_RTOS);
	assert_string_equal(cfg.name, "rtos");
	assert_int_equal(cfg.nr_vcpus, 1);
	assert_int_equal(cfg.cpu_mask, 1u << 1);
	assert_int_equal(cfg.prio, 2);
	assert_int_equal(cfg.ram_ipa, 0x40000000);
	assert_int_equal(cfg.ram_size, 64 * MIB);
	assert_ptr_equal(cfg.kernel, rtos_img);
	assert_int_equal(cfg.kernel_size, sizeof(rtos_img));
	assert_int_equal(cfg.kernel_load_ipa, 0);
	assert_string_equal(cfg.image, "rtos-elf");
	assert_string_equal(cfg.bootargs, "app=shell");
	assert_null(cfg.initrd);
	assert_int_equal(cfg.uart_base, 0x09000000);
	assert_int_equal(cfg.uart_spi, 1);
	assert_int_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
}

static void test_vms_linux_images_absent(void **state)
{
	(void)state;
	use_vms_dts();
	expect_error("linux", "image 'linux-image' is not loaded");
}

static void test_vms_linux(void **state)
{
	struct vm_config cfg;

	(void)state;
	use_vms_dts();
	use_manifest(true, sizeof(rtos_img), (uintptr_t)rtos_img);
	assert_int_equal(from("linux", &cfg), 0);
	assert_int_equal(cfg.type, VM_TYPE_LINUX);
	assert_string_equal(cfg.name, "linux");
	assert_int_equal(cfg.nr_vcpus, 2);
	assert_int_equal(cfg.cpu_mask, 0xc);
	assert_int_equal(cfg.prio, 10);
	assert_int_equal(cfg.ram_size, 512 * MIB);
	assert_ptr_equal(cfg.kernel, linux_img);
	assert_ptr_equal(cfg.initrd, linux_rd);
	assert_int_equal(cfg.initrd_size, sizeof(linux_rd));
	assert_int_equal(cfg.uart_base, 0x09000000);
	assert_int_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
}

static void test_vms_names(void **state)
{
	char names[64];

	(void)state;
	use_vms_dts();
	assert_int_equal(vm_config_template_names(names, sizeof(names)), 4);
	assert_string_equal(names, "rtos linux linux2 probe");
	assert_int_equal(vm_config_template_names(names, 6), 4); /* truncated, terminated */
	assert_string_equal(names, "rtos ");
	expect_error("freebsd", "no template 'freebsd'");
}

/* ---- missing and corrupt blobs ---- */

static void test_no_blobs(void **state)
{
	char names[64];

	(void)state;
	expect_error("rtos", "no VM config in this build");
	assert_int_equal(vm_config_template_names(names, sizeof(names)), K_EINVAL);
	use_vms_dts();
	store.manifest = NULL;
	expect_error("rtos", "no image manifest in this build");
}

static void test_garbage_blob(void **state)
{
	uint8_t *zeros = calloc(1, 4096), *junk = malloc(4096);

	(void)state;
	use_templates_blob(zeros, 4096);
	expect_error("rtos", "no valid VM config");
	srand(7);
	for (int i = 0; i < 4096; i++)
		junk[i] = (uint8_t)rand();
	memcpy(junk, "\xd0\x0d\xfe\xed", 4); /* magic right, the rest junk */
	use_templates_blob(junk, 4096);
	expect_error("rtos", "no valid VM config");
}

static void test_blob_larger_than_its_room(void **state)
{
	(void)state;
	use_vms_dts();
	store.templates_max = 64;
	expect_error("rtos", "no valid VM config");
}

/*
 * One template read from a mangled blob, judged as `zvm new` uses it: the
 * same answer twice, no allocation; an error with a message, or a config
 * whose kernel is the loaded image and that vm_config_check (which owns the
 * range checks: vm_config.h) accepts or refuses with a message. Returns
 * whether both accepted it.
 */
static bool check_mangled_template(const char *name)
{
	struct vm_config cfg, again;
	char first_err[sizeof(err)];
	size_t blocks = fake_heap_blocks_used(), pages = fake_pages_used();
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	memset(&again, 0, sizeof(again));
	err[0] = '\0';
	ret = vm_config_from_template(name, &cfg, err, sizeof(err));
	strcpy(first_err, err);
	assert_int_equal(vm_config_from_template(name, &again, err, sizeof(err)), ret);
	assert_string_equal(err, first_err);
	assert_int_equal(fake_heap_blocks_used(), blocks);
	assert_int_equal(fake_pages_used(), pages);
	if (ret) {
		assert_int_equal(ret, K_EINVAL);
		assert_true(err[0] != '\0');
		return false;
	}
	assert_memory_equal(&cfg, &again, sizeof(cfg));
	assert_ptr_equal(cfg.kernel, rtos_img); /* the only image in the manifest */
	assert_true(cfg.kernel_size > 0 && cfg.kernel_size <= sizeof(rtos_img));
	err[0] = '\0';
	ret = vm_config_check(&cfg, err, sizeof(err));
	if (ret) {
		assert_int_equal(ret, K_EINVAL);
		assert_true(err[0] != '\0');
	}
	return ret == 0;
}

/* The same config: image names compared as text (each points into its own blob). */
static void assert_same_config(const struct vm_config *a, const struct vm_config *b)
{
	struct vm_config x = *a, y = *b;

	assert_true((a->image == NULL) == (b->image == NULL));
	if (a->image)
		assert_string_equal(a->image, b->image);
	x.image = y.image = NULL;
	assert_memory_equal(&x, &y, sizeof(x));
}

/*
 * Random bytes anywhere in a valid blob: each result checked
 * (check_mangled_template), and a refused or odd blob leaves nothing
 * behind: the good blob then reads exactly as before.
 */
static void test_mangled_blob(void **state)
{
	size_t size;
	void *good = dtc_file(ZVM_TOP "/configs/vms.dts", &size);
	char names[64], again[64];
	int accepted = 0;
	static struct vm_config ref[2], now;
	static char ref_err[2][sizeof(err)], ref_image[2][64];
	int ref_ret[2];

	(void)state;
	for (int t = 0; t < 2; t++) {
		use_templates_blob(memcpy(malloc(size), good, size), size);
		err[0] = '\0';
		ref_ret[t] =
			vm_config_from_template(t ? "rtos" : "linux", &ref[t], err, sizeof(err));
		strcpy(ref_err[t], err);
		if (ref[t].image) /* it points into the blob, freed below */
			ref[t].image = strcpy(ref_image[t], ref[t].image);
	}
	assert_int_equal(ref_ret[1], 0);
	srand(3);
	for (int i = 0; i < 3000; i++) {
		uint8_t *bad = malloc(size);
		int n;

		memcpy(bad, good, size);
		for (int f = 1 + rand() % 3; f > 0; f--)
			bad[rand() % size] = (uint8_t)rand();
		use_templates_blob(bad, size);
		accepted += check_mangled_template(i % 2 ? "rtos" : "linux");
		n = vm_config_template_names(names, sizeof(names));
		assert_int_equal(vm_config_template_names(again, sizeof(again)), n);
		assert_string_equal(names, again);
		assert_true(n == K_EINVAL ? names[0] != '\0' : n >= 0 && n <= 4);
		/* Whatever it made of the bad blob, the good one reads as before. */
		use_templates_blob(memcpy(malloc(size), good, size), size);
		memset(&now, 0, sizeof(now));
		err[0] = '\0';
		assert_int_equal(
			vm_config_from_template(i % 2 ? "rtos" : "linux", &now, err, sizeof(err)),
			ref_ret[i % 2]);
		assert_string_equal(err, ref_err[i % 2]);
		assert_same_config(&now, &ref[i % 2]);
	}
	assert_true(accepted > 30 && accepted < 2970); /* both outcomes were checked */
	free(good);
}

static void test_no_templates_node(void **state)
{
	size_t size;
	void *blob = dtc_string("/dts-v1/;\n/ { zvm { }; };\n", &size);

	(void)state;
	use_templates_blob(blob, size);
	expect_error("rtos", "no /zvm/templates");
}

/* ---- bad templates ---- */

static void test_template_good(void **state)
{
	struct vm_config cfg;

	(void)state;
	use_template(T_GOOD);
	assert_int_equal(from("t", &cfg), 0);
	assert_string_equal(cfg.name, "t"); /* no name: the template's */
	assert_int_equal(cfg.nr_vcpus, 2);
	assert_int_equal(cfg.cpu_mask, 0x9);
	assert_int_equal(cfg.prio, -3);
	assert_int_equal(cfg.ram_ipa, 0x40000000); /* one cell is fine */
	assert_int_equal(cfg.ram_size, 32 * MIB);
	assert_string_equal(cfg.bootargs, "");
	assert_int_equal(cfg.uart_base, 0);
	assert_int_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
}

static void test_template_vm_name(void **state)
{
	struct vm_config cfg;

	(void)state;
	use_template_over(T_GOOD, "vm-name = \"other\"; bootargs = \"a b\";");
	assert_int_equal(from("t", &cfg), 0);
	assert_string_equal(cfg.name, "other");
	assert_string_equal(cfg.bootargs, "a b");
}

static void test_template_missing_properties(void **state)
{
	(void)state;
	use_template(T_VCPUS T_CPUS T_PRIO T_BASE T_SIZE T_IMAGE);
	expect_error("t", "missing property 'type'");
	use_template(T_TYPE T_CPUS T_PRIO T_BASE T_SIZE T_IMAGE);
	expect_error("t", "missing property 'vcpus'");
	use_template(T_TYPE T_VCPUS T_PRIO T_BASE T_SIZE T_IMAGE);
	expect_error("t", "missing property 'cpus'");
	use_template(T_TYPE T_VCPUS T_CPUS T_BASE T_SIZE T_IMAGE);
	expect_error("t", "missing property 'priority'");
	use_template(T_TYPE T_VCPUS T_CPUS T_PRIO T_SIZE T_IMAGE);
	expect_error("t", "missing property 'ram-base'");
	use_template(T_TYPE T_VCPUS T_CPUS T_PRIO T_BASE T_IMAGE);
	expect_error("t", "missing property 'memory-size'");
	use_template(T_TYPE T_VCPUS T_CPUS T_PRIO T_BASE T_SIZE);
	expect_error("t", "missing property 'image'");
}

static void test_template_bad_values(void **state)
{
	(void)state;
	use_template_over(T_GOOD, "memory-size = [01 02 03];");
	expect_error("t", "one or two cells in 'memory-size'");
	use_template_over(T_GOOD, "memory-size = <0 0 1>;");
	expect_error("t", "one or two cells in 'memory-size'");
	use_template_over(T_GOOD, "vcpus = <1 2>;");
	expect_error("t", "one cell in 'vcpus'");
	use_template_over(T_GOOD, "type = \"bsd\";");
	expect_error("t", "unknown type 'bsd'");
	use_template_over(T_GOOD, "type = \"rtos\", \"linux\";");
	expect_error("t", "one string in 'type'");
	use_template_over(T_GOOD, "bootargs = <1>;");
	expect_error("t", "one string in 'bootargs'");
	use_template_over(T_GOOD, "vm-name = \"a-name-far-too-long\";");
	expect_error("t", "vm-name must have");
	use_template_over(T_GOOD, "cpus = <9>;");
	expect_error("t", "host CPU 9 does not exist");
	use_template_over(T_GOOD, "cpus;");
	expect_error("t", "list of CPU numbers");
}

/* rt-guard = <BUDGET_US PERIOD_US>, rt-guard-action: the RT guard from the template. */
static void test_template_rt_guard(void **state)
{
	struct vm_config cfg;

	(void)state;
	use_template_over(T_GOOD, "vcpus = <1>; rt-guard = <300 1000>;");
	assert_int_equal(from("t", &cfg), 0);
	assert_int_equal(cfg.guard_budget_us, 300);
	assert_int_equal(cfg.guard_period_us, 1000);
	assert_false(cfg.guard_isolate); /* warn by default */
	assert_int_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
	use_template_over(T_GOOD,
			  "vcpus = <1>; rt-guard = <0 500>; rt-guard-action = \"isolate\";");
	assert_int_equal(from("t", &cfg), 0);
	assert_true(cfg.guard_isolate && cfg.guard_period_us == 500);
	use_template(T_GOOD);
	assert_int_equal(from("t", &cfg), 0);
	assert_int_equal(cfg.guard_period_us, 0);            /* none */
	use_template_over(T_GOOD, "rt-guard = <300 1000>;"); /* 2 vCPUs */
	assert_int_equal(from("t", &cfg), 0);
	assert_int_equal(vm_config_check(&cfg, err, sizeof(err)), K_EINVAL);
	assert_non_null(strstr(err, "rt-guard watches a VM of one vCPU (this one has 2)"));
}

static void test_template_rt_guard_bad(void **state)
{
	(void)state;
	use_template_over(T_GOOD, "rt-guard = <300>;");
	expect_error("t", "need <budget_us period_us> in 'rt-guard'");
	use_template_over(T_GOOD, "rt-guard = <1000 1000>;");
	expect_error("t", "rt-guard = <1000 1000>: the budget must be below the period");
	use_template_over(T_GOOD, "rt-guard = <0 0>;");
	expect_error("t", "the period 1 us..1 s");
	use_template_over(T_GOOD, "rt-guard = <100 2000000>;");
	expect_error("t", "rt-guard = <100 2000000>");
	use_template_over(T_GOOD, "rt-guard = <100 1000>; rt-guard-action = \"panic\";");
	expect_error("t", "rt-guard-action = \"panic\": warn or isolate");
	use_template_over(T_GOOD, "rt-guard-action = \"warn\";");
	expect_error("t", "no rt-guard = <BUDGET_US PERIOD_US> for 'rt-guard-action'");
	use_template_over(T_GOOD, "rt-guard = <100 1000>; rt-guard-action = <1>;");
	expect_error("t", "one string in 'rt-guard-action'");
}

static void test_template_bad_images(void **state)
{
	(void)state;
	use_template_over(T_GOOD, "image = <0x99>;");
	expect_error("t", "no image node for 'image'");
	use_template_over(T_GOOD, "image = <&nosuch>;");
	expect_error("t", "unknown image 'nosuch'");
	use_template_over(T_GOOD, "initrd = <&nosuch>;");
	expect_error("t", "unknown image 'nosuch'");
}

static void test_template_raw_image(void **state)
{
	struct vm_config cfg;

	(void)state;
	use_template_over(T_GOOD, "image = <&raw>;");
	assert_int_equal(from("t", &cfg), 0);
	assert_int_equal(cfg.kernel_load_ipa, 0x40400000);
}

static void test_template_devices(void **state)
{
	struct vm_config cfg;

	(void)state;
	use_template_over(T_GOOD, "devices { #address-cells = <1>; #size-cells = <1>;"
				  "u@1000 { compatible = \"arm,pl011\"; reg = <0x1000 0x1000>;"
				  " spi = <7>; }; };");
	assert_int_equal(from("t", &cfg), 0);
	assert_int_equal(cfg.uart_base, 0x1000);
	assert_int_equal(cfg.uart_spi, 7);
	use_template_over(T_GOOD,
			  "devices { #address-cells = <1>; #size-cells = <1>;"
			  "n@1000 { compatible = \"virtio,rng\"; reg = <0x1000 0x200>; }; };");
	expect_error("t", "unsupported device 'n@1000'");
	use_template_over(T_GOOD,
			  "devices { #address-cells = <1>; #size-cells = <1>;"
			  "u@1000 { compatible = \"arm,pl011\"; reg = <0x1000 0x1000>; }; };");
	expect_error("t", "missing property 'spi'");
	use_template_over(T_GOOD, "devices { #address-cells = <1>; #size-cells = <1>;"
				  "u@1000 { compatible = \"arm,pl011\"; spi = <1>; }; };");
	expect_error("t", "'reg'");
	use_template_over(
		T_GOOD, "devices { #address-cells = <1>; #size-cells = <1>;"
			"u@1000 { compatible = \"arm,pl011\"; reg = <0x1000 0x1000>; spi = <1>; };"
			"u@2000 { compatible = \"arm,pl011\"; reg = <0x2000 0x1000>;"
			" spi = <2>; }; };");
	expect_error("t", "more than one UART");
}

/* virtio,mmio nodes: parsed, then checked by vm_config_check. */
#define T_VIRTIO(dev) "devices { #address-cells = <1>; #size-cells = <1>;" dev "};"
#define T_HVC(at, spi)                                                     \
	"v@" #at " { compatible = \"virtio,mmio\"; reg = <" #at " 0x200>;" \
	" spi = <" #spi ">; device-type = \"console\"; };"

static void check_virtio(const char *devices, const char *what)
{
	struct vm_config cfg;

	use_template_over(T_GOOD, devices);
	assert_int_equal(from("t", &cfg), 0);
	assert_int_equal(vm_config_check(&cfg, err, sizeof(err)), K_EINVAL);
	if (!strstr(err, what))
		fail_msg("error \"%s\" does not say \"%s\"", err, what);
}

static void test_template_virtio(void **state)
{
	struct vm_config cfg;

	(void)state;
	use_template_over(
		T_GOOD,
		T_VIRTIO(T_HVC(0xa000000, 16) "b@a000200 { compatible = \"virtio,mmio\"; reg = "
					      "<0xa000200 0x200>; spi = <17>;"
					      " device-type = \"block\"; image = <&rtos>; };"));
	assert_int_equal(from("t", &cfg), 0);
	assert_int_equal(cfg.nr_virtio, 2);
	assert_int_equal(cfg.virtio[0].type, VIRTIO_TYPE_CONSOLE);
	assert_int_equal(cfg.virtio[0].base, 0xa000000);
	assert_int_equal(cfg.virtio[0].spi, 16);
	assert_int_equal(cfg.virtio[1].type, VIRTIO_TYPE_BLOCK);
	assert_string_equal(cfg.virtio[1].disk, "rtos-elf");
	assert_int_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
	use_template_over(T_GOOD,
			  T_VIRTIO("v@1000 { compatible = \"virtio,mmio\";"
				   " reg = <0x1000 0x200>; spi = <3>; device-type = \"gpu\"; };"));
	expect_error("t", "needs device-type");
	use_template_over(
		T_GOOD, T_VIRTIO("v@1000 { compatible = \"virtio,mmio\";"
				 " reg = <0x1000 0x200>; spi = <3>; device-type = \"block\"; };"));
	expect_error("t", "needs image");
	use_template_over(T_GOOD, T_VIRTIO("v@1000 { compatible = \"virtio,mmio\";"
					   " device-type = \"console\"; };"));
	expect_error("t", "needs reg and spi");
	check_virtio(T_VIRTIO(T_HVC(0xa000100, 16)), "must be 0x200 aligned");
	check_virtio(T_VIRTIO(T_HVC(0x8000000, 16)), "overlaps the GIC");
	check_virtio(T_VIRTIO(T_HVC(0xa000000, 64)), "SPI 64 must be 0..63");
	check_virtio(T_VIRTIO(T_HVC(0xa000000, 16) T_HVC(0xa000200, 16)), "share");
}

/* ---- the manifest against the table and memory ---- */

static int find_rtos(const void **addr, uint64_t *size)
{
	return vm_config_image_find("rtos-elf", addr, size, err, sizeof(err));
}

static void test_manifest_checks(void **state)
{
	const void *addr;
	uint64_t size;

	(void)state;
	assert_int_equal(vm_config_image_find("rtos-elf", &addr, &size, err, sizeof(err)), 0);
	assert_ptr_equal(addr, rtos_img);
	assert_int_equal(size, sizeof(rtos_img));
	assert_int_equal(vm_config_image_find("bios", &addr, &size, err, sizeof(err)), K_EINVAL);
	assert_non_null(strstr(err, "unknown image 'bios'"));

	rtos_img[1] = 'X'; /* not what was loaded */
	assert_int_equal(find_rtos(&addr, &size), K_EINVAL);
	assert_non_null(strstr(err, "not in memory"));
	rtos_img[1] = 'E';

	use_manifest(false, sizeof(rtos_img) + 1, (uintptr_t)rtos_img); /* over its room */
	assert_int_equal(find_rtos(&addr, &size), K_EINVAL);
	assert_non_null(strstr(err, "does not match its slot"));
	use_manifest(false, sizeof(rtos_img), (uintptr_t)linux_img); /* elsewhere */
	assert_int_equal(find_rtos(&addr, &size), K_EINVAL);
	assert_non_null(strstr(err, "does not match its slot"));
	use_manifest(false, 4, (uintptr_t)rtos_img); /* head longer than image */
	assert_int_equal(find_rtos(&addr, &size), K_EINVAL);
	assert_non_null(strstr(err, "bad entry"));
}

/* Packed (scripts/image-pack.sh): anywhere in the store's image region, under any name. */
static void test_manifest_packed_in_region(void **state)
{
	const void *addr;
	uint64_t size;

	(void)state;
	memcpy(linux_img, rtos_img, 8); /* the RTOS image packed where linux_img is */
	use_manifest(false, sizeof(rtos_img), (uintptr_t)linux_img);
	assert_int_equal(find_rtos(&addr, &size), K_EINVAL); /* no region: its slot only */
	assert_non_null(strstr(err, "does not match its slot"));
	store.region_base = (uintptr_t)linux_img;
	store.region_end = (uintptr_t)linux_img + sizeof(linux_img);
	assert_int_equal(find_rtos(&addr, &size), 0);
	assert_ptr_equal(addr, linux_img);
	assert_int_equal(size, sizeof(rtos_img));
	store.region_end = (uintptr_t)linux_img + sizeof(rtos_img) - 1; /* one byte short */
	assert_int_equal(find_rtos(&addr, &size), K_EINVAL);
	store.region_base = store.region_end = 0;
	memset(linux_img, 0x11, sizeof(linux_img));
}

/* ---- vm_config_check ---- */

static struct vm_config good_config(void)
{
	struct vm_config cfg = {
		.type = VM_TYPE_RTOS,
		.name = "vm",
		.nr_vcpus = 1,
		.cpu_mask = 2,
		.prio = 2,
		.ram_ipa = 0x40000000,
		.ram_size = 64 * MIB,
		.uart_base = 0x09000000,
		.uart_spi = 1,
	};

	return cfg;
}

static void expect_refused(struct vm_config cfg, const char *what)
{
	err[0] = '\0';
	assert_int_equal(vm_config_check(&cfg, err, sizeof(err)), K_EINVAL);
	if (!strstr(err, what))
		fail_msg("error \"%s\" does not say \"%s\"", err, what);
}

static void test_check(void **state)
{
	struct vm_config c = good_config();

	(void)state;
	assert_int_equal(vm_config_check(&c, err, sizeof(err)), 0);
	c = good_config();
	c.nr_vcpus = 0;
	expect_refused(c, "vcpus must be 1..4 (got 0)");
	c = good_config();
	c.nr_vcpus = 5;
	expect_refused(c, "vcpus must be 1..4 (got 5)");
	c = good_config();
	c.ram_size = 8 * MIB;
	expect_refused(c, "memory must be 16..1024 MiB");
	c = good_config();
	c.ram_size = 2048 * MIB;
	expect_refused(c, "memory must be 16..1024");
	c = good_config();
	c.ram_size = 17 * MIB;
	expect_refused(c, "multiple of 2 MiB");
	c = good_config();
	c.ram_ipa = 0x40100000;
	expect_refused(c, "not 2 MiB aligned");
	c = good_config();
	c.ram_ipa = 0x3fe00000;
	expect_refused(c, "overlaps the device window");
	c = good_config();
	c.ram_ipa = 0;
	expect_refused(c, "overlaps the device window");
	c = good_config();
	c.ram_ipa = (1ull << 39) - 32 * MIB;
	expect_refused(c, "39-bit");
	c = good_config();
	c.ram_ipa = UINT64_MAX & ~(2 * MIB - 1);
	expect_refused(c, "39-bit");
	c = good_config();
	c.cpu_mask = 0;
	expect_refused(c, "empty CPU mask");
	c = good_config();
	c.cpu_mask = 1u << 4;
	expect_refused(c, "host CPU 4 does not exist");
	c = good_config();
	c.cpu_mask = 1u << 31;
	expect_refused(c, "host CPU 31 does not exist");
	c = good_config();
	c.prio = K_HIGHEST_PRIO - 1;
	expect_refused(c, "must be -16..31");
	c = good_config();
	c.prio = K_LOWEST_PRIO + 1;
	expect_refused(c, "must be -16..31");
	c = good_config();
	c.name[0] = '\0';
	expect_refused(c, "needs a name");
	c = good_config();
	memset(c.name, 'x', VM_NAME_LEN);
	expect_refused(c, "needs a name");
	c = good_config();
	c.uart_base = 0x08000000;
	expect_refused(c, "overlaps the GIC");
	c = good_config();
	c.uart_base = 0x080a1000;
	expect_refused(c, "overlaps the GIC");
	c = good_config();
	c.uart_base = 0x09000800;
	expect_refused(c, "4 KiB aligned");
	c = good_config();
	c.uart_base = 0x40000000;
	expect_refused(c, "below 0x40000000");
	c = good_config();
	c.uart_spi = 988;
	expect_refused(c, "SPI 988");
	c = good_config();
	c.uart_spi = -1;
	expect_refused(c, "SPI -1");
	fake_kernel.offline = 1u << 1;
	c = good_config();
	expect_refused(c, "host CPU 1 is offline");
	c.cpu_mask = 0x5;
	assert_int_equal(vm_config_check(&c, err, sizeof(err)), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_vms_rtos),
		T(test_vms_linux_images_absent),
		T(test_vms_linux),
		T(test_vms_names),
		T(test_no_blobs),
		T(test_garbage_blob),
		T(test_blob_larger_than_its_room),
		T(test_mangled_blob),
		T(test_no_templates_node),
		T(test_template_good),
		T(test_template_vm_name),
		T(test_template_missing_properties),
		T(test_template_bad_values),
		T(test_template_rt_guard),
		T(test_template_rt_guard_bad),
		T(test_template_bad_images),
		T(test_template_raw_image),
		T(test_template_devices),
		T(test_template_virtio),
		T(test_manifest_checks),
		T(test_manifest_packed_in_region),
		T(test_check),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
