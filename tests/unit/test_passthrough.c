// SPDX-License-Identifier: MIT
/* SOURCES: @vm-core */
/* LDLIBS: -lfdt */
/*
 * Passthrough (virt/passthrough*.c): devices named in a VM config are resolved
 * in a host DTB shaped like QEMU virt's; the rules of ownership and overlap are
 * checked on configs (vm_config_check) and on real VMs (vmm_new/vmm_delete on
 * the shared fake): the host's own devices are never given, a device belongs
 * to one VM at a time, deleting the VM quiesces and returns it; the guest DTB
 * gets the copied node; a DMA-capable device needs identity-mapped RAM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>
#include <zvm/guest_dtb.h>
#include <zvm/passthrough.h>
#include <zvm/platform.h>
#include <zvm/vm_config.h>
#include <zvm/vmm.h>
#include <arch/vgic_hw.h>                  /* the fake list registers */
#include "../../virt/vgic/vgic_internal.h" /* to enable the SPI as its guest would */
#include "dtc.h"
#include "fake.h"
#include "vm_fixture.h"

/* The parts of QEMU virt's DTB that matter here (from `-M virt,dumpdtb`). */
static const char host_dts[] =
	"/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; interrupt-parent = <1>;"
	" apb-pclk { compatible = \"fixed-clock\"; #clock-cells = <0>; phandle = <0x8000>; };"
	" intc@8000000 { compatible = \"arm,gic-v3\"; #interrupt-cells = <3>; phandle = <1>;"
	"   reg = <0 0x8000000 0 0x10000 0 0x80a0000 0 0xf60000>; interrupts = <1 9 4>; };"
	" timer { compatible = \"arm,armv8-timer\"; interrupts = <1 13 4 1 14 4 1 11 4 1 10 4>; };"
	" memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 0x80000000>; };"
	" pl011@9000000 { compatible = \"arm,pl011\", \"arm,primecell\";"
	"   reg = <0 0x9000000 0 0x1000>; interrupts = <0 1 4>; };"
	" pl031@9010000 { compatible = \"arm,pl031\", \"arm,primecell\";"
	"   reg = <0 0x9010000 0 0x1000>; interrupts = <0 2 4>; clocks = <0x8000>;"
	"   clock-names = \"apb_pclk\"; };"
	" pl061@9030000 { compatible = \"arm,pl061\", \"arm,primecell\"; phandle = <0x8007>;"
	"   reg = <0 0x9030000 0 0x1000>; interrupts = <0 7 4>; gpio-controller;"
	"   #gpio-cells = <2>; clocks = <0x8000>; clock-names = \"apb_pclk\"; };"
	" virtio_mmio@a002000 { compatible = \"virtio,mmio\"; dma-coherent;"
	"   reg = <0 0xa002000 0 0x200>; interrupts = <0 32 1>; };"
	" virtio_mmio@a003c00 { compatible = \"virtio,mmio\"; dma-coherent;"
	"   reg = <0 0xa003c00 0 0x200>; interrupts = <0 46 1>; };"
	" virtio_mmio@a003e00 { compatible = \"virtio,mmio\"; dma-coherent;"
	"   reg = <0 0xa003e00 0 0x200>; interrupts = <0 47 1>; };"
	"};";

static void *host_fdt;
static char err[256];

static int setup(void **state)
{
	size_t size;

	vm_fixture_group_setup(state);
	host_fdt = dtc_compile(host_dts, &size);
	assert_non_null(host_fdt);
	memset(&platform, 0, sizeof(platform));
	platform.fdt = host_fdt;
	platform.uart.base = 0x09000000;
	platform.uart.intid = 33;
	platform.gicd_base = 0x08000000;
	platform.gicr_base = 0x080a0000;
	platform.gicr_size = 0xf60000;
	platform.nbanks = 1;
	platform.bank[0] = (struct mem_range){ 0x40000000, 0x80000000 };
	/* what mgmt_start does for the management channel */
	passthrough_host_claim(0x0a003e00, 0x200, 32 + 47, "management channel");
	return 0;
}

/* Parse one passthrough node (its body in a devices node) into cfg. */
static int add(struct vm_config *cfg, const char *body)
{
	char src[512];
	size_t size;
	void *fdt;
	int ret, node;

	snprintf(src, sizeof(src),
		 "/dts-v1/; / { devices { #address-cells = <2>; #size-cells = <2>;"
		 " dev { compatible = \"zvm,passthrough\"; %s }; }; };",
		 body);
	fdt = dtc_compile(src, &size);
	assert_non_null(fdt);
	node = fdt_path_offset(fdt, "/devices/dev");
	ret = passthrough_config_parse(fdt, node, cfg, "t", err, sizeof(err));
	free(fdt);
	return ret;
}

static struct vm_config config(const char *name)
{
	struct vm_config cfg = vm_fixture_config(1);

	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	return cfg;
}

/* A config with one device that must be refused, with `words` in the message. */
static void refused(const char *body, const char *words)
{
	struct vm_config cfg = config("a");

	if (add(&cfg, body) == 0)
		assert_int_not_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
	if (!strstr(err, words))
		fail_msg("message '%s' lacks '%s'", err, words);
}

static void test_by_path_and_by_reg(void **state)
{
	struct vm_config cfg = config("a");

	(void)state;
	assert_int_equal(add(&cfg, "host-path = \"/pl061@9030000\";"), 0);
	assert_int_equal(add(&cfg, "reg = <0 0x09010000 0 0x1000>;"), 0);
	assert_int_equal(cfg.nr_pt, 2);
	assert_string_equal(cfg.pt[0].path, "/pl061@9030000");
	assert_int_equal(cfg.pt[0].base, 0x09030000);
	assert_int_equal(cfg.pt[0].size, 0x1000);
	assert_int_equal(cfg.pt[0].nr_irqs, 1);
	assert_int_equal(cfg.pt[0].spis[0], 7);
	assert_false(cfg.pt[0].dma);
	assert_string_equal(cfg.pt[1].path, "/pl031@9010000");
	assert_int_equal(cfg.pt[1].spis[0], 2);
	assert_int_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
	assert_false(passthrough_identity(&cfg));
}

static void test_unknown_node_refused(void **state)
{
	(void)state;
	refused("host-path = \"/nothing@0\";", "no host devicetree node '/nothing@0'");
	refused("reg = <0 0x09050000 0 0x1000>;", "no host device at 0x9050000");
	refused("", "needs host-path or reg");
}

static void test_host_devices_never_given(void **state)
{
	(void)state;
	refused("host-path = \"/pl011@9000000\";", "the host's own console UART");
	refused("host-path = \"/intc@8000000\";", "per-CPU");
	refused("host-path = \"/timer\";", "/timer has no registers");
	refused("host-path = \"/memory@40000000\";", "the host's own RAM");
	/* the management channel's 4 KiB page holds the transport beside it too */
	refused("host-path = \"/virtio_mmio@a003e00\";", "the host's own management channel");
	refused("host-path = \"/virtio_mmio@a003c00\";", "the host's own management channel");
}

static void test_overlaps_in_one_vm_refused(void **state)
{
	struct vm_config cfg = config("a");

	(void)state;
	assert_int_equal(add(&cfg, "host-path = \"/pl061@9030000\";"), 0);
	assert_int_equal(add(&cfg, "reg = <0 0x09030000 0 0x1000>;"), 0);
	assert_int_not_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "passthrough /pl061@9030000 [0x9030000, +0x1000) overlaps "
				    "passthrough /pl061@9030000"));
	/* the VM's own emulated devices */
	cfg = config("a");
	cfg.wdt_base = 0x09030000;
	cfg.wdt_spi = 3;
	assert_int_equal(add(&cfg, "host-path = \"/pl061@9030000\";"), 0);
	assert_int_not_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "overlaps its emulated watchdog"));
	cfg = config("a");
	cfg.wdt_base = 0x09020000;
	cfg.wdt_spi = 2;
	assert_int_equal(add(&cfg, "host-path = \"/pl031@9010000\";"), 0);
	assert_int_not_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "SPI 2 is already its emulated watchdog's"));
}

static void test_dma_needs_identity(void **state)
{
	struct vm_config cfg = config("a");

	(void)state;
	assert_int_equal(add(&cfg, "host-path = \"/virtio_mmio@a002000\";"), 0);
	assert_true(cfg.pt[0].dma);
	assert_true(passthrough_identity(&cfg)); /* implied */
	assert_int_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
	cfg.identity = PT_IDENTITY_NO;
	assert_int_not_equal(vm_config_check(&cfg, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "does DMA"));
	assert_non_null(strstr(err, "identity-map = \"no\""));
}

static int new_vm(const char *name, const char *body)
{
	struct vm_config cfg = config(name);

	assert_int_equal(add(&cfg, body), 0);
	return vmm_new(&cfg, err, sizeof(err));
}

static void test_one_vm_at_a_time_and_quiesced_on_delete(void **state)
{
	int a, b;

	(void)state;
	a = new_vm("a", "host-path = \"/pl061@9030000\";");
	assert_true(a >= 0);
	assert_int_equal(passthrough_owner_of(0x09030004), a);
	assert_int_equal(fake_arch.irq_intid, 32 + 7);
	assert_true(fake_arch.irq_enabled);
	b = new_vm("b", "reg = <0 0x09030000 0 0x1000>;");
	assert_true(b < 0);
	assert_non_null(strstr(err, "passthrough /pl061@9030000 [0x9030000, +0x1000) is in use by "
				    "VM 0 (a)"));
	/* the physical interrupt goes to the owner, held active for its guest */
	unsigned kept = fake_arch.irqs_kept, cleared = fake_arch.irqs_cleared;

	assert_int_equal(fake_irq_fire(32 + 7), 1);
	assert_int_equal(fake_arch.irqs_kept, kept + 1);
	assert_int_equal(vmm_delete(a, err, sizeof(err)), 0);
	assert_false(fake_arch.irq_enabled);                   /* masked */
	assert_int_equal(fake_arch.irqs_cleared, cleared + 1); /* and deactivated */
	assert_int_equal(passthrough_owner_of(0x09030004), -1);
	b = new_vm("b", "reg = <0 0x09030000 0 0x1000>;");
	assert_true(b >= 0);
	assert_int_equal(passthrough_owner_of(0x09030000), b);
	vm_fixture_delete_all();
}

/* The SPI goes to vCPU 0's CPU, and follows it when the VM is re-pinned. */
static void test_spi_follows_a_repin(void **state)
{
	int a;

	(void)state;
	a = new_vm("a", "host-path = \"/pl061@9030000\";");
	assert_true(a >= 0);
	assert_int_equal(fake_arch.irq_intid, 32 + 7);
	assert_int_equal(fake_arch.irq_cpu, 0); /* cpus 0-1: the first */
	assert_int_equal(vmm_repin(a, 0x4, err, sizeof(err)), 0);
	assert_int_equal(fake_arch.irq_cpu, 2);
	assert_true(fake_arch.irq_enabled);
	assert_int_equal(vmm_repin(a, 0x2, err, sizeof(err)), 0);
	assert_int_equal(fake_arch.irq_cpu, 1);
	vm_fixture_delete_all();
}

static void test_mapped_as_device_at_the_same_address(void **state)
{
	struct vm *vm;
	uint64_t pa;
	unsigned prot;
	int id;

	(void)state;
	id = new_vm("a", "host-path = \"/pl031@9010000\";");
	assert_true(id >= 0);
	vm = vmm_get(id);
	assert_int_equal(vmem_translate(&vm->s2, 0x09010ffc, &pa, &prot), 0);
	assert_int_equal(pa, 0x09010ffc);
	assert_int_equal(prot, VMEM_READ | VMEM_WRITE | VMEM_DEVICE);
	assert_int_not_equal(vmem_translate(&vm->s2, 0x09030000, &pa, &prot), 0);
	vm_fixture_delete_all();
}

static void test_guest_dtb_has_the_node(void **state)
{
	struct vm_config cfg = config("a");
	static uint8_t buf[GUEST_DTB_MAX];
	const fdt32_t *p;
	int node, len;

	(void)state;
	assert_int_equal(add(&cfg, "host-path = \"/pl061@9030000\";"), 0);
	assert_int_equal(guest_dtb_build(&cfg, buf, sizeof(buf), err, sizeof(err)), 0);
	node = fdt_path_offset(buf, "/pl061@9030000");
	assert_true(node >= 0);
	assert_int_equal(fdt_node_check_compatible(buf, node, "arm,pl061"), 0);
	assert_non_null(fdt_getprop(buf, node, "gpio-controller", NULL));
	assert_null(fdt_getprop(buf, node, "phandle", NULL)); /* the host's numbering */
	p = fdt_getprop(buf, node, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_to_cpu(p[0]), 0);
	assert_int_equal(fdt32_to_cpu(p[1]), 7);
	assert_int_equal(fdt32_to_cpu(p[2]), 4);
	p = fdt_getprop(buf, node, "clocks", &len);
	assert_int_equal(len, 4);
	assert_int_equal(fdt_node_offset_by_phandle(buf, fdt32_to_cpu(p[0])),
			 fdt_path_offset(buf, "/apb-pclk"));
	p = fdt_getprop(buf, node, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt32_to_cpu(p[1]), 0x09030000);
}

/* The LR that holds intid, or -1. */
static int lr_of(uint32_t intid)
{
	for (unsigned i = 0; i < vgic_hw_fake.nr_lrs; i++)
		if ((vgic_hw_fake.lr[i] & (ICH_LR_PENDING | ICH_LR_ACTIVE)) &&
		    (vgic_hw_fake.lr[i] & ICH_LR_VINTID_MASK) == intid)
			return (int)i;
	return -1;
}

/*
 * The SPI is taken on the host CPU it is routed to, which need not run the
 * vCPU: it can fire again after the guest's EOI deactivated it and before
 * that vCPU's next exit reads the LR back. That sync must not forget that the
 * physical interrupt is active again (it did: the LR went out without the HW
 * bit, the guest's EOI never deactivated it, the device went silent).
 */
static void test_spi_refired_before_sync_stays_linked(void **state)
{
	struct vm *vm;
	struct vgic_irq *irq;
	int id, n;

	(void)state;
	id = new_vm("a", "host-path = \"/pl061@9030000\";");
	assert_true(id >= 0);
	vm = vmm_get(id);
	vm->arch.vgic.gicd_ctlr |= GICD_CTLR_EN_GRP1;
	irq = vgic_get_irq(vm, NULL, 32 + 7);
	irq->enabled = true;
	vgic_load(&vm->vcpus[0]);
	assert_int_equal(fake_irq_fire(32 + 7), 1);
	vgic_flush(&vm->vcpus[0]);
	n = lr_of(32 + 7);
	assert_true(n >= 0);
	assert_true(vgic_hw_fake.lr[n] & ICH_LR_HW);
	vgic_hw_fake.lr[n] ^= ICH_LR_PENDING | ICH_LR_ACTIVE; /* the guest acknowledges */
	vgic_hw_fake_guest_eoi((unsigned)n);                  /* and EOIs: both deactivated */
	assert_int_equal(fake_irq_fire(32 + 7), 1);           /* again, on another CPU */
	vgic_sync(&vm->vcpus[0]);
	assert_true(vgic_hw_held(&vm->vcpus[0], 32 + 7));
	vgic_flush(&vm->vcpus[0]);
	n = lr_of(32 + 7);
	assert_true(n >= 0);
	assert_true(vgic_hw_fake.lr[n] & ICH_LR_HW); /* its EOI deactivates the new one */
	assert_true(vgic_hw_fake.lr[n] & ICH_LR_PENDING);
	vgic_put(&vm->vcpus[0]);
	vm_fixture_delete_all();
}

static void test_identity_mapped_ram(void **state)
{
	struct vm_config cfg = config("a");
	struct vm *vm;
	int id;

	(void)state;
	cfg.identity = PT_IDENTITY_YES;
	id = vmm_new(&cfg, err, sizeof(err));
	if (id < 0) {
		/* the host test's heap lies outside guest RAM space: refused with the reason */
		assert_non_null(strstr(err, "identity-mapped RAM: the free block at"));
		return;
	}
	vm = vmm_get(id);
	assert_int_equal(vm->cfg.ram_ipa, (uintptr_t)vm->ram);
	vm_fixture_delete_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_path_and_by_reg),
		cmocka_unit_test(test_unknown_node_refused),
		cmocka_unit_test(test_host_devices_never_given),
		cmocka_unit_test(test_overlaps_in_one_vm_refused),
		cmocka_unit_test(test_dma_needs_identity),
		cmocka_unit_test(test_one_vm_at_a_time_and_quiesced_on_delete),
		cmocka_unit_test(test_spi_follows_a_repin),
		cmocka_unit_test(test_mapped_as_device_at_the_same_address),
		cmocka_unit_test(test_guest_dtb_has_the_node),
		cmocka_unit_test(test_spi_refired_before_sync_stays_linked),
		cmocka_unit_test(test_identity_mapped_ram),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
