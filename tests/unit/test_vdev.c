/* SOURCES: virt/vdev.c arch/arm64/virt/abort.c */
/*
 * Unit tests of the MMIO bus: decoding data-abort syndromes of real
 * loads and stores, and the region registry and dispatcher of a VM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/kernel.h>
#include <zvm/vdev.h>
#include <zvm/vm.h>
#include <arch/abort.h>

/* An ESR_EL2 data abort from a lower EL (EC 0x24, IL=1) with ISV set. */
static uint64_t dabt(unsigned sas, int sse, unsigned srt, int sf, int wnr)
{
	return (0x24ull << 26) | (1ull << 25) | (1ull << 24) | ((uint64_t)sas << 22) |
	       ((uint64_t)sse << 21) | ((uint64_t)srt << 16) | ((uint64_t)sf << 15) |
	       ((uint64_t)wnr << 6) | 0x06;	/* DFSC: translation fault, level 2 */
}

struct decoded {
	uint64_t esr;
	unsigned size;
	bool write, sign_extend, reg64;
	int reg;
};

static void check_decode(const struct decoded *d)
{
	struct mmio_access acc;

	memset(&acc, 0xff, sizeof(acc));
	assert_int_equal(arch_dabort_decode(d->esr, 0x09000018, &acc), 0);
	assert_int_equal(acc.ipa, 0x09000018);
	assert_int_equal(acc.offset, 0);
	assert_int_equal(acc.value, 0);
	assert_int_equal(acc.size, d->size);
	assert_int_equal(acc.write, d->write);
	assert_int_equal(acc.sign_extend, d->sign_extend);
	assert_int_equal(acc.reg64, d->reg64);
	assert_int_equal(acc.reg, d->reg);
}

/* Syndromes as the CPU reports them for each instruction. */
static void test_decode_real_syndromes(void **state)
{
	static const struct decoded cases[] = {
		{ 0x93810046, 4, true, false, false, 1 },	/* str w1, [x0] */
		{ 0x93c08046, 8, true, false, true, 0 },	/* str x0, [x1] */
		{ 0x93c28006, 8, false, false, true, 2 },	/* ldr x2, [x0] */
		{ 0x93030006, 1, false, false, false, 3 },	/* ldrb w3, [x0] */
		{ 0x93648006, 2, false, true, true, 4 },	/* ldrsh x4, [x0] */
		{ 0x93250006, 1, false, true, false, 5 },	/* ldrsb w5, [x0] */
		{ 0x93460046, 2, true, false, false, 6 },	/* strh w6, [x0] */
		{ 0x93a78006, 4, false, true, true, 7 },	/* ldrsw x7, [x0] */
		{ 0x93df8046, 8, true, false, true, 31 },	/* str xzr, [x0] */
		{ 0x931e0046, 1, true, false, false, 30 },	/* strb w30, [x0] */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_decode(&cases[i]);
}

/* The literals above are the ISS fields they claim to be. */
static void test_decode_fields(void **state)
{
	(void)state;
	assert_int_equal(dabt(2, 0, 1, 0, 1), 0x93810046);
	assert_int_equal(dabt(3, 0, 0, 1, 1), 0x93c08046);
	assert_int_equal(dabt(1, 1, 4, 1, 0), 0x93648006);
	assert_int_equal(dabt(3, 0, 31, 1, 1), 0x93df8046);
	for (unsigned sas = 0; sas < 4; sas++)
		for (unsigned srt = 0; srt < 32; srt += 5) {
			struct decoded d = { dabt(sas, sas & 1, srt, sas >> 1, srt & 1),
					     1u << sas, srt & 1, sas & 1, sas >> 1, (int)srt };

			check_decode(&d);
		}
}

static void test_decode_ignores_iss2(void **state)
{
	struct decoded d = { (0x1full << 32) | 0x93810046, 4, true, false, false, 1 };

	(void)state;
	check_decode(&d);
}

static void test_decode_without_isv(void **state)
{
	struct mmio_access acc;

	(void)state;
	/* stp x0, x1, [x2]: no instruction syndrome. */
	assert_int_equal(arch_dabort_decode(0x92000046, 0x09000000, &acc), K_EINVAL);
	assert_int_equal(arch_dabort_decode(dabt(2, 0, 1, 0, 1) & ~(1ull << 24), 0, &acc), K_EINVAL);
}

/* ---- registry and dispatch ---- */

struct call {
	int count;
	struct vcpu *vcpu;
	struct vdev *dev;
	uint64_t offset;
	uint64_t value;
};

static struct call calls[3];

static int handler(struct vcpu *vcpu, struct vdev *dev, struct mmio_access *acc)
{
	struct call *c = &calls[(intptr_t)dev->priv];

	c->count++;
	c->vcpu = vcpu;
	c->dev = dev;
	c->offset = acc->offset;
	c->value = acc->value;
	if (!acc->write)
		acc->value = 0x1000 + acc->offset;
	return (intptr_t)dev->priv == 2 ? K_EPERM : 0;
}

static struct vdev region(uint64_t base, uint64_t size, intptr_t id)
{
	return (struct vdev){ "test", base, size, handler, (void *)id };
}

static int setup(void **state)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	vm->vcpus[1].vm = vm;
	memset(calls, 0, sizeof(calls));
	*state = vm;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static int reg(struct vm *vm, uint64_t base, uint64_t size, intptr_t id)
{
	struct vdev dev = region(base, size, id);

	return vdev_register(vm, &dev);
}

static void test_register_overlap(void **state)
{
	struct vm *vm = *state;

	assert_int_equal(reg(vm, 0x1000, 0x1000, 0), 0);
	assert_int_equal(reg(vm, 0x2000, 0x1000, 1), 0);		/* adjacent above */
	assert_int_equal(reg(vm, 0x0800, 0x0800, 1), 0);		/* adjacent below */
	assert_int_equal(reg(vm, 0x1800, 0x1000, 1), K_EINVAL);	/* straddles */
	assert_int_equal(reg(vm, 0x1100, 0x10, 1), K_EINVAL);		/* inside */
	assert_int_equal(reg(vm, 0x0000, 0x10000, 1), K_EINVAL);	/* around */
	assert_int_equal(reg(vm, 0x2fff, 0x2, 1), K_EINVAL);		/* last byte */
	assert_int_equal(reg(vm, 0x07ff, 0x2, 1), K_EINVAL);		/* first byte */
	assert_int_equal(vm->nr_vdevs, 3);
}

static void test_register_bad(void **state)
{
	struct vm *vm = *state;
	struct vdev dev = region(0x1000, 0x1000, 0);

	assert_int_equal(reg(vm, 0x1000, 0, 0), K_EINVAL);
	assert_int_equal(reg(vm, UINT64_MAX - 0xfff, 0x2000, 0), K_EINVAL);
	assert_int_equal(reg(vm, UINT64_MAX - 0xfff, 0x1000, 0), 0);	/* ends at the top */
	assert_int_equal(reg(vm, UINT64_MAX - 0x1fff, 0x1001, 0), K_EINVAL);
	assert_int_equal(reg(vm, UINT64_MAX, 1, 0), K_EINVAL);
	dev.access = NULL;
	assert_int_equal(vdev_register(vm, &dev), K_EINVAL);
	assert_int_equal(vm->nr_vdevs, 1);
}

static void test_register_full(void **state)
{
	struct vm *vm = *state;

	for (int i = 0; i < VM_MAX_VDEVS; i++)
		assert_int_equal(reg(vm, 0x10000ull * i, 0x1000, 0), 0);
	assert_int_equal(reg(vm, 0x10000000, 0x1000, 0), K_ENOMEM);
	/* An overlap is still an overlap when full. */
	assert_int_equal(reg(vm, 0, 0x1000, 0), K_EINVAL);
	assert_int_equal(vm->nr_vdevs, VM_MAX_VDEVS);
}

static int dispatch(struct vm *vm, uint64_t ipa, unsigned size, bool write,
		    uint64_t value, uint64_t *out)
{
	struct mmio_access acc = { .ipa = ipa, .size = size, .write = write, .value = value };
	int rc = vdev_dispatch(&vm->vcpus[1], &acc);

	if (out)
		*out = acc.value;
	return rc;
}

static void test_dispatch_right_region(void **state)
{
	struct vm *vm = *state;
	uint64_t v = 0;

	assert_int_equal(reg(vm, 0x08000000, 0x10000, 0), 0);
	assert_int_equal(reg(vm, 0x09000000, 0x1000, 1), 0);
	assert_int_equal(dispatch(vm, 0x09000018, 4, false, 0, &v), 0);
	assert_int_equal(calls[1].count, 1);
	assert_int_equal(calls[0].count, 0);
	assert_ptr_equal(calls[1].vcpu, &vm->vcpus[1]);
	assert_ptr_equal(calls[1].dev, &vm->vdevs[1]);
	assert_int_equal(calls[1].offset, 0x18);
	assert_int_equal(v, 0x1018);
	assert_int_equal(dispatch(vm, 0x0800fff8, 8, true, 0x1122334455667788, NULL), 0);
	assert_int_equal(calls[0].count, 1);
	assert_int_equal(calls[0].offset, 0xfff8);
	assert_int_equal(calls[0].value, 0x1122334455667788);
	assert_int_equal(dispatch(vm, 0x08000000, 1, false, 0, &v), 0);
	assert_int_equal(calls[0].offset, 0);
}

static void test_dispatch_masks_store_value(void **state)
{
	struct vm *vm = *state;

	assert_int_equal(reg(vm, 0x09000000, 0x1000, 0), 0);
	assert_int_equal(dispatch(vm, 0x09000000, 1, true, 0xffffffffffffff41, NULL), 0);
	assert_int_equal(calls[0].value, 0x41);
	assert_int_equal(dispatch(vm, 0x09000000, 2, true, 0xffffffffffff1234, NULL), 0);
	assert_int_equal(calls[0].value, 0x1234);
	assert_int_equal(dispatch(vm, 0x09000000, 4, true, 0xffffffff89abcdef, NULL), 0);
	assert_int_equal(calls[0].value, 0x89abcdef);
}

static void test_dispatch_misses(void **state)
{
	struct vm *vm = *state;

	assert_int_equal(dispatch(vm, 0x09000000, 4, false, 0, NULL), K_EINVAL);
	assert_int_equal(reg(vm, 0x09000000, 0x1000, 0), 0);
	assert_int_equal(dispatch(vm, 0x08fffffc, 4, false, 0, NULL), K_EINVAL);
	assert_int_equal(dispatch(vm, 0x09001000, 4, false, 0, NULL), K_EINVAL);
	/* Straddles the end of the region. */
	assert_int_equal(dispatch(vm, 0x09000ffe, 4, false, 0, NULL), K_EINVAL);
	assert_int_equal(calls[0].count, 0);
	assert_int_equal(dispatch(vm, 0x09000ffc, 4, false, 0, NULL), 0);
	assert_int_equal(calls[0].count, 1);
}

static void test_dispatch_passes_handler_error(void **state)
{
	struct vm *vm = *state;

	assert_int_equal(reg(vm, 0x0a000000, 0x200, 2), 0);
	assert_int_equal(dispatch(vm, 0x0a000100, 4, true, 1, NULL), K_EPERM);
	assert_int_equal(calls[2].count, 1);
}

static void test_unregister_priv(void **state)
{
	struct vm *vm = *state;

	assert_int_equal(reg(vm, 0x1000, 0x1000, 1), 0);
	assert_int_equal(reg(vm, 0x2000, 0x1000, 0), 0);
	assert_int_equal(reg(vm, 0x3000, 0x1000, 1), 0);
	assert_int_equal(reg(vm, 0x4000, 0x1000, 0), 0);
	vdev_unregister_priv(vm, (void *)1);
	assert_int_equal(vm->nr_vdevs, 2);
	assert_int_equal(vm->vdevs[0].base, 0x2000);
	assert_int_equal(vm->vdevs[1].base, 0x4000);
	assert_int_equal(dispatch(vm, 0x1000, 4, false, 0, NULL), K_EINVAL);
	assert_int_equal(dispatch(vm, 0x4004, 4, false, 0, NULL), 0);
	assert_int_equal(calls[0].offset, 4);
	/* The freed space can be taken again. */
	assert_int_equal(reg(vm, 0x1000, 0x1000, 1), 0);
	vdev_unregister_priv(vm, (void *)7);
	assert_int_equal(vm->nr_vdevs, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_real_syndromes),
		cmocka_unit_test(test_decode_fields),
		cmocka_unit_test(test_decode_ignores_iss2),
		cmocka_unit_test(test_decode_without_isv),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_register_overlap),
		T(test_register_bad),
		T(test_register_full),
		T(test_dispatch_right_region),
		T(test_dispatch_masks_store_value),
		T(test_dispatch_misses),
		T(test_dispatch_passes_handler_error),
		T(test_unregister_priv),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
