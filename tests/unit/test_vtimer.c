/* SPDX-License-Identifier: MIT */
/* SOURCES: virt/vtimer.c virt/vgic/vgic.c virt/vgic/vgic_lr.c virt/vgic/vgic_fast.c virt/vgic/vgic_mmio.c virt/vgic/vgic_mmio_dist.c virt/vgic/vgic_mmio_redist.c virt/vdev.c tests/unit/fake/vtimer_hw_fake.c tests/unit/fake/vgic_hw_fake.c @fake */
/*
 * Unit tests of the hardware-linked virtual timer (virt/vtimer.c with the
 * real vGIC) on a fake timer and a fake CPU interface: the test plays the
 * physical PPI reaching EL2, the guest (acknowledging and EOIing list
 * registers, arming its timer) and the scheduler (vgic_put/vgic_load when
 * the vCPU's thread leaves a CPU or gets one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/guest_dtb.h>
#include <zvm/platform.h>
#include <zvm/vcpu.h>
#include <arch/vgic_hw.h>
#include <arch/vtimer_hw.h>
#include "fake.h"

#define PTIMER   27 /* the physical PPI, as on QEMU virt */
#define LR_BITS  (ICH_LR_HW | ICH_LR_PENDING | ICH_LR_ACTIVE)
#define SGI(off) (GUEST_GICR_BASE + GICR_SGI_BASE + (off))

struct platform platform;
static struct vm vm;
static struct vcpu *current;

/* ---- what the vCPU core provides ---- */

struct vcpu *vcpu_current(void)
{
	return current;
}

void vcpu_kick(struct vcpu *vcpu)
{
	(void)vcpu;
}

/* The guest writes a 32-bit register of its redistributor's SGI frame. */
static void guest_gicr_write(uint64_t ipa, uint32_t value)
{
	struct mmio_access acc = { .ipa = ipa, .size = 4, .write = true, .value = value };

	assert_int_equal(vdev_dispatch(&vm.vcpus[0], &acc), 0);
}

static int setup(void **state)
{
	struct vcpu *v = &vm.vcpus[0];

	(void)state;
	fake_reset();
	memset(&vm, 0, sizeof(vm));
	memset(&vtimer_hw_fake, 0, sizeof(vtimer_hw_fake));
	vgic_hw_fake_reset(4);
	platform.timer_virt_intid = PTIMER;
	vm.cfg.nr_vcpus = 1;
	v->vm = &vm;
	assert_int_equal(vgic_vm_init(&vm, 0), 0);
	assert_int_equal(vgic_vcpu_init(v), 0);
	assert_int_equal(vtimer_vcpu_init(v), 0);
	/* the guest enables PPI 27 at priority 0xa0 and opens its priority mask */
	guest_gicr_write(SGI(GICR_ISENABLER0), 1u << VTIMER_INTID);
	guest_gicr_write(SGI(GICR_IPRIORITYR0 + 24), 0xa0u << 24);
	v->arch.vgic.vmcr = ICH_VMCR_VENG1 | 0xf0ull << ICH_VMCR_VPMR_SHIFT;
	current = v;
	vgic_load(v);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vgic_vcpu_destroy(&vm.vcpus[0]);
	vgic_vm_destroy(&vm);
	return 0;
}

/* The physical PPI reaches EL2 while the vCPU is this CPU's: the host took it (active). */
static void phys_ppi_fires(void)
{
	vgic_hw_fake.phys_active |= 1u << PTIMER;
	vtimer_irq(PTIMER, NULL);
}

static void guest_arm(uint64_t cval)
{
	vtimer_hw_fake.enable = true;
	vtimer_hw_fake.imask = false;
	vtimer_hw_fake.cval = cval;
}

static void test_off_timer_never_wakes(void **state)
{
	(void)state;
	assert_int_equal(vtimer_ticks_to_fire(current), K_FOREVER);
	guest_arm(100);
	vtimer_hw_fake.imask = true; /* armed but masked by the guest */
	assert_int_equal(vtimer_ticks_to_fire(current), K_FOREVER);
}

static void test_ticks_until_deadline(void **state)
{
	(void)state;
	guest_arm(1000);
	vtimer_hw_fake.now = 400;
	assert_int_equal(vtimer_ticks_to_fire(current), 600);
	vtimer_hw_fake.now = 1500; /* overdue: due now */
	assert_int_equal(vtimer_ticks_to_fire(current), 0);
}

/* CVAL = UINT64_MAX "disables" the timer: the vCPU waits for ever, not a negative timeout. */
static void test_cval_max_waits_forever(void **state)
{
	(void)state;
	guest_arm(UINT64_MAX);
	vtimer_hw_fake.now = 1000;
	assert_int_equal(vtimer_ticks_to_fire(current), K_FOREVER);
	guest_arm(1000 + (uint64_t)INT64_MAX); /* the furthest a timeout can say */
	assert_int_equal(vtimer_ticks_to_fire(current), INT64_MAX);
}

/*
 * The PPI fires: the host keeps it active, the guest's PPI 27 goes into an
 * LR with the HW bit and the physical INTID, and zvm leaves CNTV_CTL alone.
 */
static void test_irq_forwards_hw_linked(void **state)
{
	uint64_t lr;

	(void)state;
	guest_arm(10);
	vtimer_hw_fake.now = 10;
	phys_ppi_fires();
	assert_int_equal(fake_arch.irqs_kept, 1);
	assert_true(vgic_hw_held(current, VTIMER_INTID));
	assert_true(vtimer_hw_fake.enable);
	assert_false(vtimer_hw_fake.imask); /* never masked by zvm */
	vgic_flush(current);
	lr = vgic_hw_fake.lr[0];
	assert_int_equal((uint32_t)lr, VTIMER_INTID);
	assert_int_equal(lr & LR_BITS, ICH_LR_HW | ICH_LR_PENDING);
	assert_int_equal((lr >> ICH_LR_PINTID_SHIFT) & ICH_LR_PINTID_MASK, PTIMER);
	assert_int_equal(lr & ICH_LR_EOI, 0);
}

/* The guest's EOI deactivates the physical PPI; zvm does nothing more. */
static void test_guest_eoi_ends_it(void **state)
{
	(void)state;
	phys_ppi_fires();
	vgic_flush(current);
	vgic_hw_fake.lr[0] ^= ICH_LR_PENDING | ICH_LR_ACTIVE; /* acknowledged */
	vgic_sync(current);
	assert_true(vgic_hw_held(current, VTIMER_INTID));
	assert_int_equal(vtimer_ticks_to_fire(current), K_FOREVER); /* cannot fire meanwhile */
	vgic_flush(current);
	assert_int_equal(vgic_hw_fake.lr[0] & LR_BITS, ICH_LR_HW | ICH_LR_ACTIVE);
	vgic_hw_fake_guest_eoi(0);
	assert_int_equal(vgic_hw_fake.phys_active, 0);
	vgic_sync(current);
	assert_false(vgic_hw_held(current, VTIMER_INTID));
	assert_int_equal(vgic_hw_fake.deactivations, 0); /* the hardware did it */
	assert_true(dlist_empty(&current->arch.vgic.ap_list));
}

/*
 * A guest that re-arms by writing CVAL alone: each firing is one PPI, one
 * forward; its CNTV_CTL is never written.
 */
static void test_cval_only_rearm_keeps_firing(void **state)
{
	(void)state;
	guest_arm(100);
	for (int i = 1; i <= 3; i++) {
		vtimer_hw_fake.now = 100u * i;
		phys_ppi_fires();
		vgic_flush(current);
		vgic_hw_fake.lr[0] ^= ICH_LR_PENDING | ICH_LR_ACTIVE;
		vtimer_hw_fake.cval += 100; /* the guest's handler re-arms */
		vgic_hw_fake_guest_eoi(0);
		vgic_sync(current);
		assert_false(vgic_hw_held(current, VTIMER_INTID));
		assert_true(vtimer_hw_fake.enable && !vtimer_hw_fake.imask);
	}
	assert_int_equal(fake_arch.irqs_kept, 3);
}

/*
 * Descheduled mid-handler: the put deactivates the physical PPI on the old
 * CPU (it serves whoever runs there next); the load on the new CPU makes it
 * active again, so the guest's EOI there finds it so.
 */
static void test_migrate_mid_handler(void **state)
{
	(void)state;
	phys_ppi_fires();
	vgic_flush(current);
	vgic_hw_fake.lr[0] ^= ICH_LR_PENDING | ICH_LR_ACTIVE; /* in its handler */
	vgic_sync(current);
	vgic_put(current);
	assert_int_equal(vgic_hw_fake.phys_active, 0);
	assert_int_equal(vgic_hw_fake.hcr & ICH_HCR_EN, 0);
	vgic_hw_fake_reset(4); /* another CPU, its LRs unknown */
	vgic_load(current);
	assert_int_equal(vgic_hw_fake.phys_active, 1u << PTIMER);
	vgic_flush(current);
	assert_int_equal(vgic_hw_fake.lr[0] & LR_BITS, ICH_LR_HW | ICH_LR_ACTIVE);
	vgic_hw_fake_guest_eoi(0);
	vgic_sync(current);
	assert_false(vgic_hw_held(current, VTIMER_INTID));
	vgic_put(current);
	vgic_load(current); /* nothing held: nothing made active */
	assert_int_equal(vgic_hw_fake.phys_active, 0);
}

/* The guest clears the pending PPI through GICR_ICPENDR0 instead: zvm deactivates it. */
static void test_retired_without_eoi_is_deactivated(void **state)
{
	(void)state;
	phys_ppi_fires();
	vgic_flush(current);
	vgic_sync(current); /* not taken yet: pending again in the ap_list */
	guest_gicr_write(SGI(GICR_ICPENDR0), 1u << VTIMER_INTID);
	assert_int_equal(vgic_hw_fake.deactivations, 0); /* on its own CPU, at its next exit */
	vgic_flush(current);
	vgic_sync(current);
	assert_int_equal(vgic_hw_fake.deactivations, 1);
	assert_int_equal(vgic_hw_fake.phys_active, 0);
	assert_false(vgic_hw_held(current, VTIMER_INTID));
}

/* The PPI with no vCPU on this CPU: a stale timer is turned off, nobody hears. */
static void test_stale_irq_stops_timer(void **state)
{
	(void)state;
	guest_arm(10);
	vtimer_hw_fake.now = 10;
	current = NULL;
	vtimer_irq(PTIMER, NULL);
	assert_false(vtimer_hw_fake.enable);
	assert_int_equal(fake_arch.irqs_kept, 0); /* deactivated as usual */
	assert_false(vgic_hw_held(&vm.vcpus[0], VTIMER_INTID));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_off_timer_never_wakes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ticks_until_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cval_max_waits_forever, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_forwards_hw_linked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_eoi_ends_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cval_only_rearm_keeps_firing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_mid_handler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retired_without_eoi_is_deactivated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_irq_stops_timer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
