/* SPDX-License-Identifier: MIT */
/* SOURCES: virt/vgic/vgic.c virt/vgic/vgic_lr.c virt/vgic/vgic_fast.c virt/vgic/vgic_mmio.c virt/vgic/vgic_mmio_dist.c virt/vgic/vgic_mmio_redist.c virt/vdev.c tests/unit/fake/vgic_hw_fake.c */
/*
 * Unit tests of the virtual GICv3: the interrupt state machine, the list
 * register backend against a fake CPU interface (the test plays the guest
 * by editing LR states), and the GICD/GICR register maps through the MMIO
 * handlers the vGIC registers on the VM's bus (the real one, virt/vdev.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/guest_dtb.h>
#include <zvm/kernel.h>
#include <zvm/vdev.h>
#include <zvm/vgic.h>
#include <zvm/vm.h>
#include <arch/vgic_hw.h>

#define GICD(off)          (GUEST_GICD_BASE + (off))
#define GICR(n, off)       (GUEST_GICR_BASE + (n)*GICR_STRIDE + (off))
#define SGI(n, off)        GICR(n, GICR_SGI_BASE + (off))
#define LR_STATE(lr)       ((lr) & (ICH_LR_PENDING | ICH_LR_ACTIVE))
#define LR_PRIO(lr)        ((unsigned)(((lr) >> ICH_LR_PRIO_SHIFT) & ICH_LR_PRIO_MASK))
#define LR_INTID(lr)       ((uint32_t)(lr))
#define NO_IRQ             1023u /* ICC_IAR1_EL1: none pending */
#define VMCR_GUEST         (ICH_VMCR_VENG1 | 0xf0ull << ICH_VMCR_VPMR_SHIFT)
#define WAKER_ASLEEP       (GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP)
#define SGI1R(intid, more) ((uint64_t)(intid) << ICC_SGI1R_INTID_SHIFT | (more))
#define PIDR2_ARCHREV(v)   (((v) >> GIC_PIDR2_ARCHREV_SHIFT) & GIC_PIDR2_ARCHREV_MASK)

static struct vm vm;
static int kicks[VM_MAX_VCPUS];

/* ---- what the VM core and kernel provide ---- */

int k_cpu_id(void)
{
	return 0; /* every fake vCPU runs on CPU 0 */
}

void vcpu_kick(struct vcpu *vcpu)
{
	kicks[vcpu->id]++;
}

void *k_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}
void k_free(void *p)
{
	free(p);
}
void log_printf(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

/* ---- helpers ---- */

/* One guest access by vCPU `vcpu`, through the VM's MMIO bus; never faults. */
static uint64_t mmio(int vcpu, uint64_t ipa, unsigned size, bool write, uint64_t value)
{
	struct mmio_access acc = {
		.ipa = ipa,
		.size = size,
		.write = write,
		.value = write ? value : 0xdeadbeef,
	};

	assert_int_equal(vdev_dispatch(&vm.vcpus[vcpu], &acc), 0);
	return acc.value;
}

static uint32_t rd32(uint64_t ipa)
{
	return (uint32_t)mmio(0, ipa, 4, false, 0);
}
static uint64_t rd64(uint64_t ipa)
{
	return mmio(0, ipa, 8, false, 0);
}
static uint8_t rd8(uint64_t ipa)
{
	return (uint8_t)mmio(0, ipa, 1, false, 0);
}
static void wr32(uint64_t ipa, uint32_t v)
{
	mmio(0, ipa, 4, true, v);
}
static void wr64(uint64_t ipa, uint64_t v)
{
	mmio(0, ipa, 8, true, v);
}
static void wr8(uint64_t ipa, uint8_t v)
{
	mmio(0, ipa, 1, true, v);
}

static void test_vm_setup(int nr_vcpus, unsigned nr_spis)
{
	memset(&vm, 0, sizeof(vm));
	memset(kicks, 0, sizeof(kicks));
	vgic_hw_fake_reset(4);
	vm.id = 1;
	vm.cfg.nr_vcpus = nr_vcpus;
	assert_int_equal(vgic_vm_init(&vm, nr_spis), 0);
	for (int i = 0; i < nr_vcpus; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].id = i;
		assert_int_equal(vgic_vcpu_init(&vm.vcpus[i]), 0);
		vm.vcpus[i].arch.vgic.vmcr = VMCR_GUEST; /* as if the guest set PMR/IGRPEN1 */
	}
}

static int setup2(void **state)
{
	(void)state;
	test_vm_setup(2, 32);
	return 0;
}
static int setup4(void **state)
{
	(void)state;
	test_vm_setup(4, 64);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < VM_MAX_VCPUS; i++)
		vgic_vcpu_destroy(&vm.vcpus[i]);
	vgic_vm_destroy(&vm);
	assert_int_equal(vm.nr_vdevs, 0);
	return 0;
}

/* Guest setup of an SPI: priority, edge or level, enabled; distributor on. */
static void spi_setup(uint32_t intid, uint8_t prio, bool edge)
{
	uint64_t cfg = GICD(GICD_ICFGR + intid / 16 * 4);
	unsigned shift = (intid % 16) * 2 + 1;

	wr32(GICD(GICD_CTLR), GICD_CTLR_ARE | GICD_CTLR_EN_GRP1);
	wr8(GICD(GICD_IPRIORITYR + intid), prio);
	wr32(cfg, (rd32(cfg) & ~(1u << shift)) | (uint32_t)edge << shift);
	wr32(GICD(GICD_ISENABLER + intid / 32 * 4), 1u << (intid % 32));
}

static unsigned valid_lrs(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < vgic_hw_fake.nr_lrs; i++)
		n += LR_STATE(vgic_hw_fake.lr[i]) != 0;
	return n;
}

static int lr_of(uint32_t intid)
{
	for (unsigned i = 0; i < vgic_hw_fake.nr_lrs; i++) {
		if (LR_STATE(vgic_hw_fake.lr[i]) && LR_INTID(vgic_hw_fake.lr[i]) == intid)
			return (int)i;
	}
	return -1;
}

/* The guest acknowledges its most urgent pending-only LR: INTID, or 1023. */
static uint32_t guest_ack(void)
{
	int best = -1;

	for (unsigned i = 0; i < vgic_hw_fake.nr_lrs; i++) {
		uint64_t lr = vgic_hw_fake.lr[i];

		if (LR_STATE(lr) == ICH_LR_PENDING &&
		    (best < 0 || LR_PRIO(lr) < LR_PRIO(vgic_hw_fake.lr[best])))
			best = (int)i;
	}
	if (best < 0)
		return NO_IRQ;
	vgic_hw_fake.lr[best] ^= ICH_LR_PENDING | ICH_LR_ACTIVE;
	return LR_INTID(vgic_hw_fake.lr[best]);
}

/* The guest EOIs intid (EOImode 0: priority drop and deactivation). */
static void guest_eoi(uint32_t intid)
{
	for (unsigned i = 0; i < vgic_hw_fake.nr_lrs; i++) {
		uint64_t *lr = &vgic_hw_fake.lr[i];

		if ((*lr & ICH_LR_ACTIVE) && LR_INTID(*lr) == intid) {
			vgic_hw_fake_guest_eoi(i); /* and its physical one, if HW */
			return;
		}
	}
	fail_msg("EOI of %u: not active in any LR", intid);
}

/* One exit and re-entry of vCPU n. */
static void reenter(int n)
{
	vgic_sync(&vm.vcpus[n]);
	vgic_flush(&vm.vcpus[n]);
}

/* ---- the state machine and the LRs ---- */

static void test_inject_appears_in_lr(void **state)
{
	uint64_t lr;

	(void)state;
	spi_setup(33, 0xa0, false);
	assert_int_equal(vgic_inject(&vm, 0, 33, true), 0);
	assert_int_equal(kicks[0], 1);
	assert_int_equal(kicks[1], 0);
	assert_true(vgic_vcpu_pending(&vm.vcpus[0]));
	assert_false(vgic_vcpu_pending(&vm.vcpus[1]));

	vgic_load(&vm.vcpus[0]);
	vgic_flush(&vm.vcpus[0]);
	lr = vgic_hw_fake.lr[0];
	assert_int_equal(LR_INTID(lr), 33);
	assert_int_equal(LR_PRIO(lr), 0xa0);
	assert_int_equal(LR_STATE(lr), ICH_LR_PENDING);
	assert_true(lr & ICH_LR_GROUP1);
	assert_false(lr & ICH_LR_HW);
	assert_int_equal(valid_lrs(), 1);
	assert_int_equal(vgic_hw_fake.hcr, ICH_HCR_EN);
	assert_int_equal(vgic_hw_fake.vmcr, VMCR_GUEST);
	vgic_sync(&vm.vcpus[0]);
	assert_int_equal(vgic_hw_fake.hcr, ICH_HCR_EN); /* on until the vCPU leaves */
	vgic_put(&vm.vcpus[0]);
	assert_int_equal(vgic_hw_fake.hcr, 0);
}

static void test_priority_order_and_overflow(void **state)
{
	static const uint8_t prio[6] = { 0x80, 0x20, 0x60, 0x40, 0xa0, 0x10 };
	static const uint32_t order[6] = { 45, 41, 43, 42, 40, 44 };
	unsigned delivered = 0;

	(void)state;
	for (uint32_t i = 0; i < 6; i++) {
		spi_setup(40 + i, prio[i], true);
		vgic_inject(&vm, 0, 40 + i, true);
	}
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(valid_lrs(), 4); /* the 4 most urgent */
	for (unsigned i = 0; i < 4; i++)
		assert_true(lr_of(order[i]) >= 0);
	assert_true(vgic_hw_fake.hcr & ICH_HCR_UIE);

	/* The guest takes three without exiting, then the LRs underflow. */
	for (; delivered < 3; delivered++) {
		uint32_t intid = guest_ack();

		assert_int_equal(intid, order[delivered]);
		guest_eoi(intid);
	}
	assert_true(vgic_hw_fake_misr() & ICH_MISR_U);
	vgic_maintenance_irq();
	assert_false(vgic_hw_fake.hcr & (ICH_HCR_EN | ICH_HCR_UIE));
	assert_int_equal(vgic_hw_fake_misr(), 0);

	reenter(0);
	assert_int_equal(valid_lrs(), 3); /* 43 still there, 40 and 44 join */
	assert_false(vgic_hw_fake.hcr & ICH_HCR_UIE);
	for (; delivered < 6; delivered++) {
		uint32_t intid = guest_ack();

		assert_int_equal(intid, order[delivered]);
		guest_eoi(intid);
	}
	assert_int_equal(guest_ack(), NO_IRQ);
	reenter(0);
	assert_int_equal(valid_lrs(), 0);
	assert_true(dlist_empty(&vm.vcpus[0].arch.vgic.ap_list));
}

/* 20 pending, 4 LRs, one taken per guest entry: all arrive, most urgent first. */
static void test_all_delivered_one_at_a_time(void **state)
{
	unsigned delivered = 0, last_prio = 0;

	(void)state;
	for (uint32_t i = 0; i < 20; i++) {
		spi_setup(32 + i, (uint8_t)(0xa0 - (i % 10) * 8), true);
		vgic_inject(&vm, 0, 32 + i, true);
	}
	vgic_flush(&vm.vcpus[0]);
	for (;;) {
		uint32_t intid = guest_ack();
		unsigned prio;

		if (intid == NO_IRQ)
			break;
		assert_int_equal(!!(vgic_hw_fake.hcr & ICH_HCR_UIE), 20 - delivered > 4);
		prio = LR_PRIO(vgic_hw_fake.lr[lr_of(intid)]);
		assert_true(prio >= last_prio);
		last_prio = prio;
		guest_eoi(intid);
		delivered++;
		reenter(0);
	}
	assert_int_equal(delivered, 20);
	assert_true(dlist_empty(&vm.vcpus[0].arch.vgic.ap_list));
}

static void test_disabled_not_delivered(void **state)
{
	(void)state;
	spi_setup(33, 0x80, false);
	wr32(GICD(GICD_ICENABLER + 4), 1u << 1); /* ICENABLER1: SPI 33 off */
	vgic_inject(&vm, 0, 33, true);
	assert_int_equal(kicks[0], 0);
	assert_false(vgic_vcpu_pending(&vm.vcpus[0]));
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(valid_lrs(), 0);
	assert_int_equal(rd32(GICD(GICD_ISPENDR + 4)), 1u << 1); /* pending all the same */

	wr32(GICD(GICD_ISENABLER + 4), 1u << 1); /* enable: now it goes */
	assert_int_equal(kicks[0], 1);
	reenter(0);
	assert_true(lr_of(33) >= 0);

	/* Disabled while it sits in an LR: withdrawn at the next exit. */
	wr32(GICD(GICD_ICENABLER + 4), 1u << 1);
	assert_int_equal(kicks[0], 2);
	reenter(0);
	assert_int_equal(valid_lrs(), 0);
}

static void test_distributor_disabled(void **state)
{
	(void)state;
	spi_setup(34, 0x80, true);
	wr32(GICD(GICD_CTLR), GICD_CTLR_ARE); /* Group 1 off */
	vgic_inject(&vm, 0, 34, true);
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(valid_lrs(), 0);
	wr32(GICD(GICD_CTLR), GICD_CTLR_ARE | GICD_CTLR_EN_GRP1);
	assert_int_equal(kicks[0], 1);
	reenter(0);
	assert_true(lr_of(34) >= 0);
}

static void test_eoi_removes(void **state)
{
	(void)state;
	spi_setup(35, 0x80, true);
	vgic_inject(&vm, 0, 35, true);
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(guest_ack(), 35);
	reenter(0); /* an exit while it is active */
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[lr_of(35)]), ICH_LR_ACTIVE);
	assert_int_equal(rd32(GICD(GICD_ISACTIVER + 4)), 1u << 3); /* ISACTIVER */
	guest_eoi(35);
	reenter(0);
	assert_int_equal(valid_lrs(), 0);
	assert_true(dlist_empty(&vm.vcpus[0].arch.vgic.ap_list));
	assert_false(vgic_vcpu_pending(&vm.vcpus[0]));
	assert_int_equal(rd32(GICD(GICD_ISACTIVER + 4)), 0);
}

static void test_edge_while_active_not_lost(void **state)
{
	int i;

	(void)state;
	spi_setup(36, 0x80, true);
	vgic_inject(&vm, 0, 36, true);
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(guest_ack(), 36);
	vgic_inject(&vm, 0, 36, true); /* again, while active */
	assert_int_equal(kicks[0], 2);
	reenter(0);
	i = lr_of(36);
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[i]), ICH_LR_PENDING | ICH_LR_ACTIVE);
	guest_eoi(36);
	assert_int_equal(guest_ack(), 36); /* the second edge */
	guest_eoi(36);
	reenter(0);
	assert_int_equal(valid_lrs(), 0);
}

static void test_level_refires_while_high(void **state)
{
	int i;

	(void)state;
	spi_setup(33, 0xa0, false);
	vgic_inject(&vm, 0, 33, true);
	vgic_inject(&vm, 0, 33, true); /* no change: no kick */
	assert_int_equal(kicks[0], 1);
	vgic_flush(&vm.vcpus[0]);
	i = lr_of(33);
	assert_true(vgic_hw_fake.lr[i] & ICH_LR_EOI); /* line high: exit on EOI */
	assert_int_equal(guest_ack(), 33);
	guest_eoi(33);
	assert_true(vgic_hw_fake_misr() & ICH_MISR_EOI);
	vgic_maintenance_irq();
	reenter(0);
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[lr_of(33)]), ICH_LR_PENDING);

	/* The device is served: the line drops while the guest handles it. */
	assert_int_equal(guest_ack(), 33);
	vgic_inject(&vm, 0, 33, false);
	reenter(0);
	i = lr_of(33);
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[i]), ICH_LR_ACTIVE);
	assert_false(vgic_hw_fake.lr[i] & ICH_LR_EOI);
	guest_eoi(33);
	reenter(0);
	assert_int_equal(valid_lrs(), 0);
	assert_true(dlist_empty(&vm.vcpus[0].arch.vgic.ap_list));
}

static void test_level_software_pend(void **state)
{
	(void)state;
	spi_setup(37, 0x80, false);
	wr32(GICD(GICD_ISPENDR + 4), 1u << 5); /* ISPENDR: line low */
	assert_int_equal(rd32(GICD(GICD_ISPENDR + 4)), 1u << 5);
	vgic_flush(&vm.vcpus[0]);
	assert_false(vgic_hw_fake.lr[lr_of(37)] & ICH_LR_EOI);
	assert_int_equal(guest_ack(), 37);
	reenter(0);
	assert_int_equal(rd32(GICD(GICD_ISPENDR + 4)), 0); /* taken: latch used up */
	guest_eoi(37);
	reenter(0);
	assert_int_equal(valid_lrs(), 0);

	wr32(GICD(GICD_ISPENDR + 4), 1u << 5);
	wr32(GICD(GICD_ICPENDR + 4), 1u << 5); /* ICPENDR before delivery */
	reenter(0);
	assert_int_equal(valid_lrs(), 0);
}

static void test_pending_respects_guest_mask(void **state)
{
	struct vcpu *v = &vm.vcpus[0];

	(void)state;
	spi_setup(38, 0xa0, false);
	vgic_inject(&vm, 0, 38, true);
	v->arch.vgic.vmcr = ICH_VMCR_VENG1 | 0xa0ull << ICH_VMCR_VPMR_SHIFT;
	assert_false(vgic_vcpu_pending(v)); /* masked by PMR */
	v->arch.vgic.vmcr = 0xffull << ICH_VMCR_VPMR_SHIFT;
	assert_false(vgic_vcpu_pending(v)); /* Group 1 off */
	v->arch.vgic.vmcr = ICH_VMCR_VENG1 | 0xa8ull << ICH_VMCR_VPMR_SHIFT;
	assert_true(vgic_vcpu_pending(v));

	/* Saved from and restored to the CPU interface when its thread leaves and returns. */
	vgic_load(v);
	vgic_flush(v);
	vgic_hw_fake.vmcr = VMCR_GUEST;
	vgic_hw_fake.ap1r[0] = 1;
	vgic_hw_fake.ap0r[3] = 0x80000000u; /* every implemented AP register */
	vgic_sync(v);
	assert_true(vgic_vcpu_pending(v)); /* loaded: the live VMCR counts */
	vgic_put(v);
	assert_int_equal(v->arch.vgic.vmcr, VMCR_GUEST);
	assert_int_equal(v->arch.vgic.ap1r[0], 1);
	assert_int_equal(v->arch.vgic.ap0r[3], 0x80000000u);
	vgic_hw_fake.vmcr = vgic_hw_fake.ap1r[0] = vgic_hw_fake.ap0r[3] = 0;
	vgic_load(v);
	assert_int_equal(vgic_hw_fake.vmcr, VMCR_GUEST);
	assert_int_equal(vgic_hw_fake.ap1r[0], 1);
	assert_int_equal(vgic_hw_fake.ap0r[3], 0x80000000u);
}

/* A CPU with 5 priority bits has one AP register per group: only that one is touched. */
static void test_aprs_follow_priority_bits(void **state)
{
	struct vcpu *v = &vm.vcpus[0];

	(void)state;
	vgic_hw_fake.nr_aprs = 1;
	vgic_hw_fake.ap0r[1] = 0xdead; /* not implemented: never read or written */
	vgic_load(v);
	vgic_flush(v);
	vgic_hw_fake.ap0r[0] = 4; /* the guest takes a Group 0 interrupt */
	vgic_sync(v);
	vgic_put(v);
	assert_int_equal(v->arch.vgic.ap0r[0], 4);
	assert_int_equal(v->arch.vgic.ap0r[1], 0);
	assert_int_equal(vgic_hw_fake.ap0r[1], 0xdead);
	vgic_hw_fake.nr_aprs = 0;
}

static void test_more_lrs_and_fewer(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 3; i++) {
		spi_setup(40 + i, 0x80, true);
		vgic_inject(&vm, 0, 40 + i, true);
	}
	vgic_hw_fake_reset(2);
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(valid_lrs(), 2);
	assert_true(vgic_hw_fake.hcr & ICH_HCR_UIE);
	assert_true(lr_of(40) >= 0 && lr_of(41) >= 0); /* equal priority: INTID */
	vgic_sync(&vm.vcpus[0]);
	vgic_hw_fake_reset(16);
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(valid_lrs(), 3);
	assert_false(vgic_hw_fake.hcr & ICH_HCR_UIE);
}

/*
 * An active interrupt keeps its LR even when more urgent ones fill the
 * rest: the guest must find it there to EOI it (active first).
 */
static void test_active_keeps_its_lr(void **state)
{
	(void)state;
	spi_setup(40, 0xa0, true);
	vgic_inject(&vm, 0, 40, true);
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(guest_ack(), 40);    /* active, least urgent */
	for (uint32_t i = 41; i <= 44; i++) { /* four more urgent ones */
		spi_setup(i, 0x20, true);
		vgic_inject(&vm, 0, i, true);
	}
	reenter(0);
	assert_int_equal(valid_lrs(), 4);
	assert_true(lr_of(40) >= 0);
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[lr_of(40)]), ICH_LR_ACTIVE);
	assert_true(vgic_hw_fake.hcr & ICH_HCR_UIE); /* one of 41-44 waits */
	guest_eoi(40);
	reenter(0);
	for (uint32_t i = 41; i <= 44; i++)
		assert_true(lr_of(i) >= 0);
}

/* Equal priority: the lower INTID goes first, whatever the order they came in. */
static void test_equal_priority_lower_intid_first(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 3; i++)
		spi_setup(40 + i, 0x80, true);
	vgic_inject(&vm, 0, 42, true);
	vgic_inject(&vm, 0, 41, true);
	vgic_inject(&vm, 0, 40, true);
	vgic_hw_fake_reset(2);
	vgic_flush(&vm.vcpus[0]);
	assert_true(lr_of(40) >= 0);
	assert_true(lr_of(41) >= 0);
	assert_int_equal(lr_of(42), -1);
	assert_int_equal(guest_ack(), 40);
}

/*
 * The first flush on a CPU owns every LR: the ones it does not fill are
 * written invalid. After that only LRs that may hold something are written:
 * the used ones, and those the previous flush there used.
 */
static void test_flush_clears_unused_lrs(void **state)
{
	(void)state;
	vgic_hw_fake.lr[3] = ICH_LR_PENDING | ICH_LR_GROUP1 | 99; /* reset value */
	spi_setup(33, 0x80, true);
	spi_setup(34, 0x80, true);
	vgic_inject(&vm, 0, 33, true);
	vgic_inject(&vm, 0, 34, true);
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(valid_lrs(), 2);
	assert_int_equal(vgic_hw_fake.lr[3], 0);
	assert_int_equal(guest_ack(), 33);
	guest_eoi(33);
	vgic_sync(&vm.vcpus[0]);
	vgic_hw_fake.lr_writes = 0;
	vgic_flush(&vm.vcpus[0]); /* 34 only: LR 0 filled, LR 1 cleared */
	assert_int_equal(vgic_hw_fake.lr_writes, 2);
	assert_int_equal(valid_lrs(), 1);
	assert_int_equal(guest_ack(), 34);
	guest_eoi(34);
	vgic_sync(&vm.vcpus[0]);
	vgic_hw_fake.lr_writes = 0;
	vgic_flush(&vm.vcpus[0]); /* nothing: only the stale LR 0 cleared */
	assert_int_equal(vgic_hw_fake.lr_writes, 1);
	vgic_sync(&vm.vcpus[0]);
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(vgic_hw_fake.lr_writes, 1); /* nothing again: no LR written */
	assert_int_equal(valid_lrs(), 0);
}

/*
 * Two vCPUs on one CPU: the second one, with nothing pending, enters with
 * its own CPU interface state and none of the first one's interrupts.
 */
static void test_next_vcpu_gets_its_own_state(void **state)
{
	struct vcpu *v0 = &vm.vcpus[0], *v1 = &vm.vcpus[1];

	(void)state;
	spi_setup(33, 0x80, true);
	wr64(GICD(GICD_IROUTER + 33 * 8), 1);
	vgic_inject(&vm, 0, 33, true);
	vgic_load(v1);
	vgic_flush(v1);
	assert_true(lr_of(33) >= 0);
	vgic_hw_fake.vmcr = VMCR_GUEST | ICH_VMCR_VPMR_MASK << ICH_VMCR_VPMR_SHIFT;
	vgic_hw_fake.ap1r[0] = 1;
	vgic_hw_fake.ap0r[0] = 1; /* an active Group 0 priority too */
	vgic_sync(v1);            /* 33 not taken: still queued */
	assert_false(dlist_empty(&v1->arch.vgic.ap_list));
	vgic_put(v1);

	v0->arch.vgic.vmcr = ICH_VMCR_VENG1 | 0x80ull << ICH_VMCR_VPMR_SHIFT;
	v0->arch.vgic.ap1r[0] = 0;
	v0->arch.vgic.ap0r[0] = 0;
	vgic_load(v0);
	vgic_flush(v0);
	assert_int_equal(valid_lrs(), 0);
	assert_int_equal(vgic_hw_fake.vmcr, v0->arch.vgic.vmcr);
	assert_int_equal(vgic_hw_fake.ap1r[0], 0);
	assert_int_equal(vgic_hw_fake.ap0r[0], 0);
	assert_int_equal(vgic_hw_fake.hcr, ICH_HCR_EN);
	vgic_sync(v0);
	vgic_put(v0);
	vgic_load(v1);
	vgic_flush(v1);
	assert_int_equal(guest_ack(), 33);
	assert_int_equal(vgic_hw_fake.ap1r[0], 1);
	assert_int_equal(vgic_hw_fake.ap0r[0], 1);
}

/* ---- hardware-linked interrupts (the virtual timer's PPI 27 -> physical 27) ---- */

#define HW_PPI 27

/* vCPU 0's PPI 27 linked to physical PPI 27, enabled at priority 0xa0. */
static void hw_setup(void)
{
	assert_int_equal(vgic_map_hw(&vm.vcpus[0], HW_PPI, HW_PPI), 0);
	wr32(SGI(0, GICR_ISENABLER0), 1u << HW_PPI);
	wr8(SGI(0, GICR_IPRIORITYR0 + HW_PPI), 0xa0);
	vgic_load(&vm.vcpus[0]);
}

/* The host took the physical PPI and left it active: forward it. */
static void hw_fire(void)
{
	vgic_hw_fake.phys_active |= 1u << HW_PPI;
	assert_int_equal(vgic_inject_hw(&vm.vcpus[0], HW_PPI), 0);
}

static void test_hw_lr_has_pintid_and_no_eoi_bit(void **state)
{
	uint64_t lr;

	(void)state;
	hw_setup();
	assert_int_equal(vgic_inject_hw(&vm.vcpus[0], 30), K_EINVAL); /* not linked */
	hw_fire();
	assert_int_equal(kicks[0], 1);
	vgic_flush(&vm.vcpus[0]);
	lr = vgic_hw_fake.lr[lr_of(HW_PPI)];
	assert_true(lr & ICH_LR_HW);
	assert_int_equal((lr >> ICH_LR_PINTID_SHIFT) & ICH_LR_PINTID_MASK, HW_PPI);
	assert_int_equal(LR_STATE(lr), ICH_LR_PENDING);
	assert_int_equal(LR_PRIO(lr), 0xa0);
	assert_int_equal(rd32(SGI(0, GICR_ISPENDR0)), 0); /* the latch moved into the LR */
	/* taken, then EOIed by the guest: the physical one is deactivated with it */
	assert_int_equal(guest_ack(), HW_PPI);
	reenter(0);
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[lr_of(HW_PPI)]), ICH_LR_ACTIVE);
	assert_true(vgic_hw_held(&vm.vcpus[0], HW_PPI));
	guest_eoi(HW_PPI);
	assert_int_equal(vgic_hw_fake.phys_active, 0);
	reenter(0);
	assert_false(vgic_hw_held(&vm.vcpus[0], HW_PPI));
	assert_int_equal(vgic_hw_fake.deactivations, 0);
	assert_int_equal(valid_lrs(), 0);
	assert_true(dlist_empty(&vm.vcpus[0].arch.vgic.ap_list));
}

/*
 * A software pend (ISPENDR) while the HW one is active: a HW LR is never
 * pending and active; the pend waits, and goes out as a plain LR after the
 * guest's EOI (the physical PPI is no longer held for it).
 */
static void test_hw_never_pending_and_active(void **state)
{
	int i;

	(void)state;
	hw_setup();
	hw_fire();
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(guest_ack(), HW_PPI);
	wr32(SGI(0, GICR_ISPENDR0), 1u << HW_PPI);
	reenter(0);
	i = lr_of(HW_PPI);
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[i]), ICH_LR_ACTIVE);
	assert_true(vgic_hw_fake.lr[i] & ICH_LR_HW);
	assert_int_equal(rd32(SGI(0, GICR_ISPENDR0)), 1u << HW_PPI); /* still pending */
	guest_eoi(HW_PPI);
	reenter(0);
	i = lr_of(HW_PPI);
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[i]), ICH_LR_PENDING);
	assert_false(vgic_hw_fake.lr[i] & ICH_LR_HW);
	assert_false(vgic_hw_held(&vm.vcpus[0], HW_PPI));
	assert_int_equal(guest_ack(), HW_PPI);
	guest_eoi(HW_PPI);
	reenter(0);
	assert_int_equal(valid_lrs(), 0);
}

/*
 * More deliverable than LRs, a HW one active among them: it keeps its LR
 * (active first), UIE asks for the rest, and its EOI still deactivates the
 * physical PPI.
 */
static void test_hw_overflow_keeps_active_hw_listed(void **state)
{
	(void)state;
	hw_setup();
	hw_fire();
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(guest_ack(), HW_PPI);
	vgic_sync(&vm.vcpus[0]);
	for (uint32_t i = 0; i < 4; i++) {
		spi_setup(40 + i, 0x80, true); /* more urgent than the HW one */
		vgic_inject(&vm, 0, 40 + i, true);
	}
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(valid_lrs(), 4);
	assert_true(lr_of(HW_PPI) >= 0);
	assert_true(vgic_hw_fake.lr[lr_of(HW_PPI)] & ICH_LR_HW);
	assert_true(vgic_hw_fake.hcr & ICH_HCR_UIE);
	assert_int_equal(lr_of(43), -1);
	guest_eoi(HW_PPI);
	assert_int_equal(vgic_hw_fake.phys_active, 0);
	reenter(0);
	assert_false(vgic_hw_held(&vm.vcpus[0], HW_PPI));
	assert_true(lr_of(43) >= 0); /* the freed LR serves the rest */
}

/* ---- the exit fast path (guest.S) and its reconciliation (vgic_sync) ---- */

/*
 * What guest.S's IRQ fast path does when the physical PPI 27 is the most
 * urgent pending one: false where it would go on to the full exit.
 */
static bool fast_irq_of(int n, uint32_t pintid)
{
	struct vcpu_fast *f = &vm.vcpus[n].arch.fast;
	unsigned k = (unsigned)f->lr_index, s = 0;

	while (s < FAST_HW_SLOTS && f->hw_intid[s] != pintid)
		s++;
	if (s == FAST_HW_SLOTS || !f->hw_lr[s] || LR_STATE(vgic_hw_fake.lr[k]))
		return false;
	*(uint32_t *)(uintptr_t)f->hw_activer[s] |= (uint32_t)f->hw_bit[s]; /* its ISACTIVER */
	f->lr_written = 1;
	f->irqs++;
	vgic_hw_fake.lr[k] = f->hw_lr[s];
	return true;
}

static bool fast_irq(void)
{
	return fast_irq_of(0, HW_PPI);
}

/* Armed only while the state machine has nothing of the PPI and an LR is free. */
static void test_fast_armed_only_when_idle(void **state)
{
	struct vcpu_fast *f = &vm.vcpus[0].arch.fast;

	(void)state;
	hw_setup();
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(f->hw_intid[0], HW_PPI);
	assert_int_equal(f->hw_intid[1], FAST_NONE);
	assert_int_equal(f->hw_bit[0], 1u << HW_PPI);
	assert_int_equal(f->lr_index, 0);
	assert_int_equal(f->hw_lr[0], HW_PPI | (uint64_t)0xa0 << ICH_LR_PRIO_SHIFT | ICH_LR_GROUP1 |
					      ICH_LR_HW | (uint64_t)HW_PPI << ICH_LR_PINTID_SHIFT |
					      ICH_LR_PENDING);
	assert_ptr_equal((void *)(uintptr_t)f->hw_activer[0], &vgic_hw_fake.phys_active);
	hw_fire(); /* forwarded by the full path: listed and held */
	reenter(0);
	assert_int_equal(f->hw_lr[0], 0);
	assert_int_equal(f->lr_index, 1);
	assert_int_equal(guest_ack(), HW_PPI);
	guest_eoi(HW_PPI);
	reenter(0);
	assert_int_not_equal(f->hw_lr[0], 0); /* idle again */
	wr32(SGI(0, GICR_ICENABLER0), 1u << HW_PPI);
	reenter(0);
	assert_int_equal(f->hw_lr[0], 0); /* disabled */
	wr32(SGI(0, GICR_ISENABLER0), 1u << HW_PPI);
	for (uint32_t i = 0; i < 4; i++) {
		spi_setup(40 + i, 0x80, true);
		vgic_inject(&vm, 0, 40 + i, true);
	}
	reenter(0);
	assert_int_equal(f->hw_lr[0], 0); /* no LR free */
}

/* A fast-path LR the guest still has at the next exit: the state machine takes it over. */
static void test_fast_lr_reconciled(void **state)
{
	struct vcpu_fast *f = &vm.vcpus[0].arch.fast;
	int i;

	(void)state;
	hw_setup();
	spi_setup(40, 0x80, true);
	vgic_inject(&vm, 0, 40, true);
	vgic_flush(&vm.vcpus[0]); /* LR 0: SPI 40; the fast path may use LR 1 */
	assert_true(fast_irq());
	assert_int_equal(vgic_hw_fake.phys_active, 1u << HW_PPI);
	assert_false(fast_irq()); /* its LR is taken: a second one goes the full way */
	assert_int_equal(guest_ack(), 40);
	vgic_sync(&vm.vcpus[0]);
	assert_int_equal(f->lr_written, 0);
	assert_true(vgic_hw_held(&vm.vcpus[0], HW_PPI));
	assert_int_equal(rd32(SGI(0, GICR_ISPENDR0)), 1u << HW_PPI); /* not taken yet */
	vgic_flush(&vm.vcpus[0]);
	i = lr_of(HW_PPI);
	assert_true(i >= 0);
	assert_true(vgic_hw_fake.lr[i] & ICH_LR_HW);
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[i]), ICH_LR_PENDING);
	assert_int_equal(f->hw_lr[0], 0); /* listed now: the full path owns it */
	assert_int_equal(guest_ack(), HW_PPI);
	reenter(0);
	guest_eoi(HW_PPI); /* the guest's EOI deactivates the physical PPI */
	guest_eoi(40);
	assert_int_equal(vgic_hw_fake.phys_active, 0);
	reenter(0);
	assert_false(vgic_hw_held(&vm.vcpus[0], HW_PPI));
	assert_true(dlist_empty(&vm.vcpus[0].arch.vgic.ap_list));
	assert_int_equal(valid_lrs(), 0);
	assert_int_not_equal(f->hw_lr[0], 0);
}

/* Finished by the guest before the exit: nothing to take over, the LR is rewritten. */
static void test_fast_lr_done_before_exit(void **state)
{
	struct vcpu_fast *f = &vm.vcpus[0].arch.fast;

	(void)state;
	hw_setup();
	vgic_flush(&vm.vcpus[0]);
	assert_true(fast_irq());
	assert_int_equal(guest_ack(), HW_PPI);
	guest_eoi(HW_PPI);
	assert_int_equal(vgic_hw_fake.phys_active, 0);
	assert_true(fast_irq()); /* fired again: the same LR serves */
	assert_int_equal(guest_ack(), HW_PPI);
	guest_eoi(HW_PPI);
	vgic_hw_fake.lr[0] |= 0x1234; /* an invalid LR keeps its other bits */
	reenter(0);
	assert_false(vgic_hw_held(&vm.vcpus[0], HW_PPI));
	assert_true(dlist_empty(&vm.vcpus[0].arch.vgic.ap_list));
	assert_int_equal(vgic_hw_fake.lr[0], 0); /* the flush zeroed it */
	assert_int_equal(f->irqs, 2);
}

/* Active in a fast-path LR when the vCPU is descheduled: the physical PPI moves with it. */
static void test_fast_lr_active_at_deschedule(void **state)
{
	(void)state;
	hw_setup();
	vgic_flush(&vm.vcpus[0]);
	assert_true(fast_irq());
	assert_int_equal(guest_ack(), HW_PPI);
	vgic_sync(&vm.vcpus[0]);
	vgic_put(&vm.vcpus[0]);
	assert_int_equal(vgic_hw_fake.phys_active, 0); /* serves whoever runs here next */
	vgic_hw_fake_reset(4);                         /* another CPU */
	vgic_load(&vm.vcpus[0]);
	assert_int_equal(vgic_hw_fake.phys_active, 1u << HW_PPI);
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[lr_of(HW_PPI)]), ICH_LR_ACTIVE);
	assert_true(vgic_hw_fake.lr[lr_of(HW_PPI)] & ICH_LR_HW);
	guest_eoi(HW_PPI);
	assert_int_equal(vgic_hw_fake.phys_active, 0);
	reenter(0);
	assert_false(vgic_hw_held(&vm.vcpus[0], HW_PPI));
}

/* ---- passed-through SPIs on the fast path ---- */

#define PT_SPI 48 /* linked to physical SPI 48 */

/* The slot of vCPU n forwarding physical INTID pintid, or -1. */
static int slot_of(int n, uint32_t pintid)
{
	for (int s = 0; s < FAST_HW_SLOTS; s++) {
		if (vm.vcpus[n].arch.fast.hw_intid[s] == pintid)
			return s;
	}
	return -1;
}

/* SPI 48 hardware-linked, level, enabled at priority 0x90, routed to vCPU target. */
static void pt_setup(int target)
{
	assert_int_equal(vgic_map_hw_spi(&vm, PT_SPI, PT_SPI), 0);
	spi_setup(PT_SPI, 0x90, false);
	wr64(GICD(GICD_IROUTER + PT_SPI * 8), (uint64_t)target);
	for (int i = 0; i < vm.cfg.nr_vcpus; i++)
		vgic_load(&vm.vcpus[i]);
}

/* Armed on the vCPU it targets only, with the distributor's ISACTIVER; follows a re-route. */
static void test_fast_spi_armed_on_its_target(void **state)
{
	struct vcpu_fast *f0 = &vm.vcpus[0].arch.fast, *f1 = &vm.vcpus[1].arch.fast;
	int s;

	(void)state;
	pt_setup(1);
	vgic_flush(&vm.vcpus[0]);
	vgic_flush(&vm.vcpus[1]);
	assert_int_equal(slot_of(0, PT_SPI), -1);
	s = slot_of(1, PT_SPI);
	assert_true(s >= 0);
	assert_ptr_equal((void *)(uintptr_t)f1->hw_activer[s], &vgic_hw_fake.spi_active[1]);
	assert_int_equal(f1->hw_bit[s], 1u << (PT_SPI % 32));
	assert_int_equal(f1->hw_lr[s],
			 PT_SPI | (uint64_t)0x90 << ICH_LR_PRIO_SHIFT | ICH_LR_GROUP1 | ICH_LR_HW |
				 (uint64_t)PT_SPI << ICH_LR_PINTID_SHIFT | ICH_LR_PENDING);
	wr64(GICD(GICD_IROUTER + PT_SPI * 8), 0); /* by any vCPU: vCPU 1 stops forwarding it */
	assert_int_equal(f1->hw_lr[s], 0);
	reenter(0);
	reenter(1);
	assert_int_equal(slot_of(1, PT_SPI), -1);
	assert_true(slot_of(0, PT_SPI) >= 0);
	assert_int_not_equal(f0->hw_lr[slot_of(0, PT_SPI)], 0);
}

/* A guest write that changes it clears the armed slot at once, before any flush. */
static void test_fast_spi_disarmed_by_writes(void **state)
{
	struct vcpu_fast *f = &vm.vcpus[0].arch.fast;

	(void)state;
	pt_setup(0);
	vgic_flush(&vm.vcpus[0]);
	assert_int_not_equal(f->hw_lr[slot_of(0, PT_SPI)], 0);
	wr32(GICD(GICD_ICENABLER + PT_SPI / 32 * 4), 1u << (PT_SPI % 32));
	assert_int_equal(f->hw_lr[slot_of(0, PT_SPI)], 0);
	assert_false(fast_irq_of(0, PT_SPI));
	reenter(0);
	assert_int_equal(f->hw_lr[slot_of(0, PT_SPI)], 0); /* disabled: not armed again */
	wr32(GICD(GICD_ISENABLER + PT_SPI / 32 * 4), 1u << (PT_SPI % 32));
	reenter(0);
	assert_int_not_equal(f->hw_lr[slot_of(0, PT_SPI)], 0);
	wr32(GICD(GICD_CTLR), GICD_CTLR_ARE); /* Group 1 off */
	assert_int_equal(f->hw_lr[slot_of(0, PT_SPI)], 0);
	reenter(0);
	assert_int_equal(f->hw_lr[slot_of(0, PT_SPI)], 0);
	wr32(GICD(GICD_CTLR), GICD_CTLR_ARE | GICD_CTLR_EN_GRP1);
	reenter(0);
	assert_int_not_equal(f->hw_lr[slot_of(0, PT_SPI)], 0);
	wr8(GICD(GICD_IPRIORITYR + PT_SPI), 0x40);
	assert_int_equal(f->hw_lr[slot_of(0, PT_SPI)], 0);
	reenter(0);
	assert_int_equal(LR_PRIO(f->hw_lr[slot_of(0, PT_SPI)]), 0x40); /* armed with the new one */
}

/* Forwarded by the vector, taken over at the next exit, ended by the guest's EOI. */
static void test_fast_spi_forwarded(void **state)
{
	(void)state;
	pt_setup(0);
	vgic_flush(&vm.vcpus[0]);
	assert_true(fast_irq_of(0, PT_SPI));
	assert_int_equal(vgic_hw_fake.spi_active[1], 1u << (PT_SPI % 32)); /* held for the guest */
	assert_int_equal(guest_ack(), PT_SPI);
	reenter(0); /* still active in the guest: the state machine takes it over */
	assert_false(dlist_empty(&vm.vcpus[0].arch.vgic.ap_list));
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[lr_of(PT_SPI)]), ICH_LR_ACTIVE);
	assert_true(vgic_hw_fake.lr[lr_of(PT_SPI)] & ICH_LR_HW);
	assert_int_equal(slot_of(0, PT_SPI) >= 0 && vm.vcpus[0].arch.fast.hw_lr[slot_of(0, PT_SPI)],
			 0); /* listed: the full path owns it */
	guest_eoi(PT_SPI);
	assert_int_equal(vgic_hw_fake.spi_active[1], 0); /* the physical SPI deactivated */
	reenter(0);
	assert_true(dlist_empty(&vm.vcpus[0].arch.vgic.ap_list));
	assert_true(fast_irq_of(0, PT_SPI)); /* armed again */
	assert_int_equal(vm.vcpus[0].arch.fast.irqs, 2);
}

/* What guest.S's sync fast path does for MSR ICC_SGI1R_EL1 of vCPU 1; false: the full exit. */
static bool fast_sgi1r(uint64_t value)
{
	struct vcpu_fast *f = &vm.vcpus[1].arch.fast;
	unsigned k = (unsigned)f->lr_index;
	uint64_t lr = f->sgi_lr[(value >> 24) & 0xf];

	if ((value & ~0xf000000ull) != f->sgi_self || !lr || LR_STATE(vgic_hw_fake.lr[k]))
		return false;
	f->lr_written = 1;
	f->sysregs++;
	vgic_hw_fake.lr[k] = lr;
	return true;
}

/* An SGI a vCPU sends itself, delivered by the fast path, then taken over by the next sync. */
static void test_fast_sgi_to_self(void **state)
{
	struct vcpu *v1 = &vm.vcpus[1];
	int i;

	(void)state;
	wr32(SGI(1, GICR_ISENABLER0), 1u << 5);
	wr8(SGI(1, GICR_IPRIORITYR0 + 5), 0x40);
	vgic_flush(v1);
	assert_int_equal(v1->arch.fast.sgi_self, 1u << 1);
	assert_int_equal(v1->arch.fast.sgi_lr[6], 0);                /* not enabled */
	assert_false(fast_sgi1r(5ull << 24 | 1u << 0));              /* to vCPU 0: the full path */
	assert_false(fast_sgi1r(5ull << 24 | 1ull << 40 | 1u << 1)); /* IRM */
	assert_true(fast_sgi1r(5ull << 24 | 1u << 1));
	assert_int_equal(LR_PRIO(vgic_hw_fake.lr[0]), 0x40);
	assert_false(vgic_hw_fake.lr[0] & ICH_LR_HW);
	assert_false(fast_sgi1r(5ull << 24 | 1u << 1)); /* its LR is taken */
	vgic_sync(v1); /* not taken yet: the state machine has it pending */
	assert_int_equal(rd32(SGI(1, GICR_ISPENDR0)), 1u << 5);
	vgic_flush(v1);
	assert_int_equal(v1->arch.fast.sgi_lr[5], 0); /* listed: the full path owns it */
	i = lr_of(5);
	assert_true(i >= 0);
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[i]), ICH_LR_PENDING);
	assert_int_equal(guest_ack(), 5);
	guest_eoi(5);
	reenter(1);
	assert_true(dlist_empty(&v1->arch.vgic.ap_list));
	assert_int_equal(rd32(SGI(1, GICR_ISPENDR0)), 0);
	assert_true(fast_sgi1r(5ull << 24 | 1u << 1)); /* armed again; taken before the exit */
	assert_int_equal(guest_ack(), 5);
	guest_eoi(5);
	reenter(1);
	assert_true(dlist_empty(&v1->arch.vgic.ap_list));
	assert_int_equal(valid_lrs(), 0);
}

/* ---- SGIs, PPIs, routing ---- */

static void sgi_enable_all(uint32_t sgi)
{
	for (int n = 0; n < 4; n++) {
		wr32(SGI(n, GICR_ISENABLER0), 1u << sgi);
		wr8(SGI(n, GICR_IPRIORITYR0 + sgi), 0x40);
	}
}

static bool sgi_queued(int n, uint32_t sgi)
{
	bool found;

	vgic_flush(&vm.vcpus[n]);
	found = lr_of(sgi) >= 0;
	vgic_sync(&vm.vcpus[n]);
	return found;
}

static void test_sgi_target_list(void **state)
{
	(void)state;
	sgi_enable_all(5);
	vgic_sgi1r_write(&vm.vcpus[0], SGI1R(5, 0x6)); /* vCPUs 1 and 2 */
	assert_int_equal(kicks[0], 0);
	assert_int_equal(kicks[1], 1);
	assert_int_equal(kicks[2], 1);
	assert_int_equal(kicks[3], 0);
	assert_false(sgi_queued(0, 5));
	assert_true(sgi_queued(1, 5));
	assert_true(sgi_queued(2, 5));
	assert_false(sgi_queued(3, 5));
	vgic_flush(&vm.vcpus[1]);
	assert_int_equal(LR_PRIO(vgic_hw_fake.lr[lr_of(5)]), 0x40);
	vgic_sync(&vm.vcpus[1]);
}

static void test_sgi_irm_and_affinity(void **state)
{
	(void)state;
	sgi_enable_all(3);
	vgic_sgi1r_write(&vm.vcpus[1], SGI1R(3, ICC_SGI1R_IRM)); /* all but self */
	assert_int_equal(kicks[0], 1);
	assert_int_equal(kicks[1], 0);
	assert_int_equal(kicks[2], 1);
	assert_int_equal(kicks[3], 1);

	memset(kicks, 0, sizeof(kicks)); /* Aff1 = 1, RS = 1, Aff2 = 1: no such vCPU */
	vgic_sgi1r_write(&vm.vcpus[0], SGI1R(3, 1ull << ICC_SGI1R_AFF1_SHIFT | 0xf));
	vgic_sgi1r_write(&vm.vcpus[0], SGI1R(3, 1ull << ICC_SGI1R_RS_SHIFT | 0x1));
	vgic_sgi1r_write(&vm.vcpus[0], SGI1R(3, 1ull << ICC_SGI1R_AFF2_SHIFT | 0x1));
	for (int n = 0; n < 4; n++)
		assert_int_equal(kicks[n], 0);
	vgic_sgi1r_write(&vm.vcpus[2], SGI1R(3, 0x4)); /* to self */
	assert_int_equal(kicks[2], 1);
}

static void test_ppi_goes_to_its_vcpu(void **state)
{
	(void)state;
	wr32(SGI(2, GICR_ISENABLER0), 1u << 27);
	assert_int_equal(vgic_inject(&vm, 2, 27, true), 0);
	assert_int_equal(kicks[2], 1);
	assert_false(sgi_queued(0, 27));
	assert_true(sgi_queued(2, 27));
	assert_int_equal(vgic_inject(&vm, 4, 27, true), K_EINVAL);
	assert_int_equal(vgic_inject(&vm, -1, 27, true), K_EINVAL);
	assert_int_equal(vgic_inject(&vm, 0, 96, true), K_EINVAL); /* 64 SPIs */
	assert_int_equal(vgic_inject(&vm, 0, 1020, true), K_EINVAL);
}

static void test_irouter_routing(void **state)
{
	(void)state;
	spi_setup(34, 0x80, true);
	wr64(GICD(GICD_IROUTER + 34 * 8), 1); /* Aff0 = 1 */
	assert_int_equal(rd64(GICD(GICD_IROUTER + 34 * 8)), 1);
	vgic_inject(&vm, 0, 34, true);
	assert_int_equal(kicks[1], 1);
	assert_int_equal(kicks[0], 0);
	assert_false(sgi_queued(0, 34));
	assert_true(sgi_queued(1, 34));

	/* 32-bit halves, IRM, and a vCPU that does not exist. */
	wr32(GICD(GICD_IROUTER + 35 * 8), 3);
	wr32(GICD(GICD_IROUTER + 35 * 8 + 4), 0);
	assert_int_equal(rd64(GICD(GICD_IROUTER + 35 * 8)), 3);
	wr64(GICD(GICD_IROUTER + 36 * 8), GICD_IROUTER_IRM | 2);
	assert_int_equal(rd32(GICD(GICD_IROUTER + 36 * 8)), GICD_IROUTER_IRM | 2);
	spi_setup(36, 0x80, true);
	vgic_inject(&vm, 0, 36, true);
	assert_true(sgi_queued(0, 36)); /* IRM: vCPU 0 */
	wr64(GICD(GICD_IROUTER + 37 * 8), 7);
	spi_setup(37, 0x80, true);
	memset(kicks, 0, sizeof(kicks));
	vgic_inject(&vm, 0, 37, true);
	for (int n = 0; n < 4; n++)
		assert_int_equal(kicks[n], 0);
	wr64(GICD(GICD_IROUTER + 37 * 8), 3); /* now it can go */
	assert_int_equal(kicks[3], 1);
}

static void test_reroute_moves_pending(void **state)
{
	(void)state;
	spi_setup(40, 0x80, true);
	vgic_inject(&vm, 0, 40, true);
	assert_int_equal(kicks[0], 1);
	wr64(GICD(GICD_IROUTER + 40 * 8), 2); /* queued on 0, now for 2 */
	assert_int_equal(kicks[0], 2);        /* the holder lets it go */
	vgic_sync(&vm.vcpus[0]);
	assert_true(dlist_empty(&vm.vcpus[0].arch.vgic.ap_list));
	assert_int_equal(kicks[2], 1);
	assert_true(sgi_queued(2, 40));
}

/* ---- register maps ---- */

static void test_enable_readback(void **state)
{
	(void)state;
	wr32(GICD(GICD_ISENABLER + 4), 0x5);
	assert_int_equal(rd32(GICD(GICD_ISENABLER + 4)), 0x5);
	assert_int_equal(rd32(GICD(GICD_ICENABLER + 4)), 0x5);
	wr32(GICD(GICD_ICENABLER + 4), 0x1);
	assert_int_equal(rd32(GICD(GICD_ISENABLER + 4)), 0x4);
	wr32(GICD(GICD_ISENABLER + 4), 0); /* zeros change nothing */
	assert_int_equal(rd32(GICD(GICD_ISENABLER + 4)), 0x4);
	assert_int_equal(rd32(GICD(GICD_IGROUPR + 4)), 0xffffffff); /* IGROUPR: Group 1 */
	assert_int_equal(rd32(GICD(GICD_IGROUPR)), 0);              /* INTID 0-31 not here */

	wr32(SGI(1, GICR_ISENABLER0), 0x80000001);
	assert_int_equal(rd32(SGI(1, GICR_ISENABLER0)), 0x80000001);
	assert_int_equal(rd32(SGI(0, GICR_ISENABLER0)), 0);
	wr32(SGI(1, GICR_ICENABLER0), 0x1);
	assert_int_equal(rd32(SGI(1, GICR_ICENABLER0)), 0x80000000);
	assert_int_equal(rd32(SGI(1, GICR_IGROUPR0)), 0xffffffff);
}

static void test_priority_bytes(void **state)
{
	(void)state;
	wr8(GICD(GICD_IPRIORITYR + 33), 0xa0);
	wr8(GICD(GICD_IPRIORITYR + 34), 0x47); /* 5 bits: reads 0x40 */
	assert_int_equal(rd32(GICD(GICD_IPRIORITYR + 32)), 0x0040a000);
	assert_int_equal(rd8(GICD(GICD_IPRIORITYR + 33)), 0xa0);
	wr32(GICD(GICD_IPRIORITYR + 36), 0x10203040);
	assert_int_equal(rd8(GICD(GICD_IPRIORITYR + 39)), 0x10);
	assert_int_equal(rd8(GICD(GICD_IPRIORITYR + 36)), 0x40);
	wr8(SGI(3, GICR_IPRIORITYR0 + 27), 0xc8);
	assert_int_equal(rd32(SGI(3, GICR_IPRIORITYR0 + 24)), 0xc8000000);
	assert_int_equal(rd32(SGI(2, GICR_IPRIORITYR0 + 24)), 0);
}

static void test_config_registers(void **state)
{
	(void)state;
	assert_int_equal(rd32(SGI(0, GICR_ICFGR0)), 0xaaaaaaaa); /* SGIs: edge */
	wr32(SGI(0, GICR_ICFGR0), 0);
	assert_int_equal(rd32(SGI(0, GICR_ICFGR0)), 0xaaaaaaaa);
	assert_int_equal(rd32(SGI(0, GICR_ICFGR0 + 4)), 0); /* PPIs: level */
	wr32(SGI(0, GICR_ICFGR0 + 4), 0x2 << 22);
	assert_int_equal(rd32(SGI(0, GICR_ICFGR0 + 4)), 0x2 << 22);
	wr32(GICD(GICD_ICFGR + 8), 0xaaaa0000);
	assert_int_equal(rd32(GICD(GICD_ICFGR + 8)), 0xaaaa0000);
	assert_int_equal(rd32(GICD(GICD_ICFGR)), 0);
}

static void test_id_registers(void **state)
{
	uint32_t typer;

	(void)state;
	typer = rd32(GICD(GICD_TYPER));
	assert_int_equal(typer & GICD_TYPER_ITLINES_MASK, 2); /* 64 SPIs: 96 INTIDs */
	assert_int_equal((typer >> GICD_TYPER_CPUS_SHIFT) & GICD_TYPER_CPUS_MASK, 3);
	assert_int_equal((typer >> GICD_TYPER_IDBITS_SHIFT) & GICD_TYPER_IDBITS_MASK, 9);
	assert_false(typer & GICD_TYPER_LPIS);
	assert_int_equal(rd32(GICD(GICD_CTLR)) & (GICD_CTLR_ARE | GICD_CTLR_DS),
			 GICD_CTLR_ARE | GICD_CTLR_DS);
	assert_int_equal(PIDR2_ARCHREV(rd32(GICD(GICD_PIDR2))), GIC_PIDR2_ARCHREV_V3);
	assert_int_equal(PIDR2_ARCHREV(rd32(GICR(2, GICR_PIDR2))), GIC_PIDR2_ARCHREV_V3);
	assert_int_equal(rd32(GICD(GICD_IIDR)), rd32(GICR(0, GICR_IIDR)));
	wr32(GICD(GICD_CTLR), GICD_CTLR_EN_GRP0 | GICD_CTLR_EN_GRP1);
	assert_int_equal(rd32(GICD(GICD_CTLR)),
			 GICD_CTLR_EN_GRP0 | GICD_CTLR_EN_GRP1 | GICD_CTLR_ARE | GICD_CTLR_DS);
}

static void test_gicr_typer_and_waker(void **state)
{
	(void)state;
	for (uint64_t n = 0; n < 4; n++) {
		uint64_t typer = rd64(GICR(n, GICR_TYPER));

		assert_int_equal(typer >> GICR_TYPER_AFF_SHIFT, n);
		assert_int_equal((typer >> GICR_TYPER_PROC_SHIFT) & GICR_TYPER_PROC_MASK, n);
		assert_int_equal(!!(typer & GICR_TYPER_LAST), n == 3);
		assert_int_equal(rd32(GICR(n, GICR_TYPER + 4)), n);
		assert_int_equal(rd32(GICR(n, GICR_TYPER)), (uint32_t)typer);
	}

	assert_int_equal(rd32(GICR(1, GICR_WAKER)), WAKER_ASLEEP); /* after reset */
	wr32(GICR(1, GICR_WAKER), 0);
	assert_int_equal(rd32(GICR(1, GICR_WAKER)), 0);
	assert_int_equal(rd32(GICR(0, GICR_WAKER)), WAKER_ASLEEP);
	assert_int_equal(rd32(GICR(1, GICR_CTLR)), 0); /* CTLR: RWP clear */
	wr64(GICR(1, GICR_PROPBASER), ~0ull);          /* PROPBASER: WI */
	assert_int_equal(rd64(GICR(1, GICR_PROPBASER)), 0);
}

static void test_gicr_last_with_two_vcpus(void **state)
{
	(void)state;
	assert_false(rd64(GICR(0, GICR_TYPER)) & GICR_TYPER_LAST);
	assert_true(rd64(GICR(1, GICR_TYPER)) & GICR_TYPER_LAST);
	assert_int_equal(rd64(GICR(2, GICR_TYPER)), 0); /* no third frame */
	assert_int_equal(rd32(GICR(3, GICR_PIDR2)), 0);
	wr32(GICR(2, GICR_WAKER), 0);
	assert_int_equal(rd32(GICD(GICD_TYPER)) & GICD_TYPER_ITLINES_MASK, 1); /* 32 SPIs */
}

static void test_bad_offsets_raz_wi(void **state)
{
	static const uint64_t dist_junk[] = {
		0x5000, 0x0020, 0xc000, 0xfffc, 0x7ff8, 0x0f08,
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(dist_junk) / sizeof(dist_junk[0]); i++) {
		wr32(GICD(dist_junk[i]), ~0u);
		assert_int_equal(rd32(GICD(dist_junk[i])), 0);
	}
	assert_int_equal(mmio(0, GICD(GICD_ISENABLER + 2), 4, false, 0), 0); /* misaligned */
	assert_int_equal(mmio(0, GICD(GICD_CTLR), 8, false, 0), 0);          /* bad size */
	assert_int_equal(mmio(0, GICD(GICD_ISENABLER + 4), 2, false, 0), 0);
	assert_int_equal(mmio(0, GICD(GICD_ISENABLER + 5), 1, false, 0), 0);
	wr32(GICD(GICD_ISENABLER), ~0u); /* ISENABLER0 via GICD: WI */
	assert_int_equal(rd32(SGI(0, GICR_ISENABLER0)), 0);
	assert_int_equal(rd64(GICD(GICD_IROUTER + 1019 * 8)), 0); /* no such SPI */
	wr64(GICD(GICD_IROUTER + 1019 * 8), 1);
	wr32(GICR(0, GICR_SETLPIR), 1); /* SETLPIR */
	assert_int_equal(rd32(GICR(0, GICR_SETLPIR)), 0);
	assert_int_equal(rd32(SGI(0, 0x800)), 0);
	assert_int_equal(rd32(SGI(0, 0xfffc)), 0);
	assert_int_equal(rd32(GICR(3, GICR_SGI_BASE + 0xfffc)), 0);
	for (int n = 0; n < 4; n++)
		assert_int_equal(kicks[n], 0);
}

static void test_active_by_mmio(void **state)
{
	(void)state;
	spi_setup(39, 0x80, false);
	wr32(GICD(GICD_ISACTIVER + 4), 1u << 7); /* ISACTIVER */
	assert_int_equal(rd32(GICD(GICD_ICACTIVER + 4)), 1u << 7);
	vgic_flush(&vm.vcpus[0]);
	assert_int_equal(LR_STATE(vgic_hw_fake.lr[lr_of(39)]), ICH_LR_ACTIVE);
	vgic_sync(&vm.vcpus[0]);
	wr32(GICD(GICD_ICACTIVER + 4), 1u << 7); /* ICACTIVER */
	reenter(0);
	assert_int_equal(valid_lrs(), 0);
	assert_int_equal(rd32(GICD(GICD_ISACTIVER + 4)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inject_appears_in_lr, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_priority_order_and_overflow, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_all_delivered_one_at_a_time, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_not_delivered, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_distributor_disabled, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_eoi_removes, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_edge_while_active_not_lost, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_level_refires_while_high, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_level_software_pend, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_pending_respects_guest_mask, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_aprs_follow_priority_bits, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_more_lrs_and_fewer, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_active_keeps_its_lr, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_equal_priority_lower_intid_first, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_flush_clears_unused_lrs, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_hw_lr_has_pintid_and_no_eoi_bit, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_hw_never_pending_and_active, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_hw_overflow_keeps_active_hw_listed, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_next_vcpu_gets_its_own_state, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_fast_armed_only_when_idle, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_fast_lr_reconciled, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_fast_lr_done_before_exit, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_fast_lr_active_at_deschedule, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_fast_sgi_to_self, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_sgi_target_list, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_sgi_irm_and_affinity, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_ppi_goes_to_its_vcpu, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_irouter_routing, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_reroute_moves_pending, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_enable_readback, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_priority_bytes, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_config_registers, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_id_registers, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_gicr_typer_and_waker, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_gicr_last_with_two_vcpus, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_bad_offsets_raz_wi, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_active_by_mmio, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_fast_spi_armed_on_its_target, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_fast_spi_disarmed_by_writes, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_fast_spi_forwarded, setup2, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
