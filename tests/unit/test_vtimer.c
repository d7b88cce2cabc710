/* SPDX-License-Identifier: MIT */
/* SOURCES: virt/vtimer.c tests/unit/fake/vtimer_hw_fake.c */
/*
 * Unit tests of the virtual timer's interrupt line (virt/vtimer.c) on a
 * fake timer (tests/unit/fake/vtimer_hw_fake.c): the test plays the guest
 * (arming, re-arming, stopping its timer) and the passing time; the vGIC
 * is a recorder of line changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/vcpu.h>
#include <arch/vtimer_hw.h>

static struct vm vm;
static struct vcpu *current;
static int raises, lowers;	/* vgic_inject(VTIMER_INTID) calls */

/* ---- what the vGIC and the vCPU core provide ---- */

int vgic_inject(struct vm *v, int vcpu_id, uint32_t intid, bool level)
{
	assert_ptr_equal(v, &vm);
	assert_int_equal(vcpu_id, 0);
	assert_int_equal(intid, VTIMER_INTID);
	if (level)
		raises++;
	else
		lowers++;
	return 0;
}

struct vcpu *vcpu_current(void)
{
	return current;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&vtimer_hw_fake, 0, sizeof(vtimer_hw_fake));
	vm.vcpus[0].vm = &vm;
	current = &vm.vcpus[0];
	raises = lowers = 0;
	return 0;
}

/* The guest arms its timer at `cval`, unmasked. */
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
	vtimer_hw_fake.imask = true;		/* armed but masked by the guest */
	assert_int_equal(vtimer_ticks_to_fire(current), K_FOREVER);
}

static void test_ticks_until_deadline(void **state)
{
	(void)state;
	guest_arm(1000);
	vtimer_hw_fake.now = 400;
	assert_int_equal(vtimer_ticks_to_fire(current), 600);
	vtimer_hw_fake.now = 1500;		/* overdue: due now */
	assert_int_equal(vtimer_ticks_to_fire(current), 0);
}

static void test_not_due_raises_nothing(void **state)
{
	(void)state;
	guest_arm(1000);
	vtimer_hw_fake.now = 999;
	vtimer_check(current);
	assert_int_equal(raises, 0);
	assert_false(current->arch.vtimer_asserted);
}

/* Due and unmasked: the line goes up once and zvm masks the timer. */
static void test_due_raises_once_and_masks(void **state)
{
	(void)state;
	guest_arm(1000);
	vtimer_hw_fake.now = 1000;
	vtimer_check(current);
	assert_int_equal(raises, 1);
	assert_true(vtimer_hw_fake.imask);
	assert_true(current->arch.vtimer_asserted);
	vtimer_check(current);			/* held: no second edge, not lowered */
	vtimer_check(current);
	assert_int_equal(raises, 1);
	assert_int_equal(lowers, 0);
	assert_true(current->arch.vtimer_asserted);
}

/* The guest re-arms for later: the line drops, and rises again when due. */
static void test_rearm_lowers_then_fires_again(void **state)
{
	(void)state;
	guest_arm(1000);
	vtimer_hw_fake.now = 1000;
	vtimer_check(current);
	guest_arm(2000);
	vtimer_check(current);
	assert_int_equal(lowers, 1);
	assert_false(current->arch.vtimer_asserted);
	vtimer_hw_fake.now = 2000;
	vtimer_check(current);
	assert_int_equal(raises, 2);
	assert_true(current->arch.vtimer_asserted);
}

/* The guest stops its timer (or unmasks it while not due): the line drops. */
static void test_stop_lowers(void **state)
{
	(void)state;
	guest_arm(10);
	vtimer_hw_fake.now = 10;
	vtimer_check(current);
	vtimer_hw_fake.enable = false;
	vtimer_check(current);
	assert_int_equal(lowers, 1);
	assert_int_equal(raises, 1);
	assert_false(current->arch.vtimer_asserted);
}

/*
 * The guest clears zvm's mask without re-arming (still due): the line
 * drops and rises again, a new edge, and zvm masks the timer again.
 */
static void test_unmask_while_due_fires_again(void **state)
{
	(void)state;
	guest_arm(10);
	vtimer_hw_fake.now = 10;
	vtimer_check(current);
	vtimer_hw_fake.imask = false;
	vtimer_check(current);
	assert_int_equal(lowers, 1);
	assert_int_equal(raises, 2);
	assert_true(vtimer_hw_fake.imask);
	assert_true(current->arch.vtimer_asserted);
}

/* The physical PPI while the vCPU runs: raise and mask, as a check would. */
static void test_irq_fires_for_current_vcpu(void **state)
{
	(void)state;
	guest_arm(10);
	vtimer_hw_fake.now = 10;
	vtimer_irq(27, NULL);
	assert_int_equal(raises, 1);
	assert_true(vtimer_hw_fake.imask);
	assert_true(current->arch.vtimer_asserted);
	vtimer_check(current);			/* the exit after it: still held */
	assert_int_equal(raises, 1);
	assert_int_equal(lowers, 0);
}

/* The PPI with no vCPU on this CPU: a stale timer is turned off, nobody hears. */
static void test_stale_irq_stops_timer(void **state)
{
	(void)state;
	guest_arm(10);
	vtimer_hw_fake.now = 10;
	current = NULL;
	vtimer_irq(27, NULL);
	assert_false(vtimer_hw_fake.enable);
	assert_int_equal(raises, 0);
	assert_int_equal(arch_vtimer_state(), ARCH_VTIMER_QUIET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_off_timer_never_wakes, setup),
		cmocka_unit_test_setup(test_ticks_until_deadline, setup),
		cmocka_unit_test_setup(test_not_due_raises_nothing, setup),
		cmocka_unit_test_setup(test_due_raises_once_and_masks, setup),
		cmocka_unit_test_setup(test_rearm_lowers_then_fires_again, setup),
		cmocka_unit_test_setup(test_stop_lowers, setup),
		cmocka_unit_test_setup(test_unmask_while_due_fires_again, setup),
		cmocka_unit_test_setup(test_irq_fires_for_current_vcpu, setup),
		cmocka_unit_test_setup(test_stale_irq_stops_timer, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
