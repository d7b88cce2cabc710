/* SPDX-License-Identifier: MIT */
/* SOURCES: virt/virtio/virtqueue.c virt/virtio/virtio_mmio.c virt/virtio/virtio_console.c virt/virtio/virtio_blk.c virt/virtio/virtio_vm.c virt/virtio/virtio_net.c virt/virtio/vswitch.c virt/vdev.c virt/vmem.c kernel/pgtable.c kernel/errmsg.c @fake */
/*
 * Unit tests of the virtio devices: the test plays a guest driver through
 * the virtio-mmio registers (via the VM's MMIO bus) and writes rings into
 * a fake guest RAM mapped by a real stage-2 table. Well-formed requests of
 * the console and the block device work; every hostile ring (addresses
 * outside the VM, across the end of RAM, into a hole or a device mapping,
 * loops, bad indices, huge or zero lengths, indirect descriptors, device
 * writes into read-only memory) is refused: the device reports
 * DEVICE_NEEDS_RESET and a config interrupt, and the host logs one line
 * naming the VM and the fault. ASan checks that nothing outside the fake
 * RAM is touched. A fuzz run of random rings checks the rules on each
 * result (fuzz_round).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/mman.h>
#include <zvm/kernel.h>
#include <zvm/mm.h>
#include <zvm/vdev.h>
#include <zvm/virtio.h>
#include <zvm/vm.h>
#include "fake/fake.h"

#define RAM_IPA   0x40000000ull
#define RAM_SIZE  (64u << 10)          /* 16 pages */
#define HOLE_IPA  (RAM_IPA + RAM_SIZE) /* unmapped */
#define DEV_IPA   (RAM_IPA + 0x20000)  /* a device mapping */
#define RO_IPA    (RAM_IPA + 0x30000)  /* read-only RAM page */
#define HVC_BASE  0x0a000000ull
#define BLK_BASE  0x0a000200ull
#define QSIZE     8
#define DESC_IPA  (RAM_IPA + 0x1000)
#define AVAIL_IPA (RAM_IPA + 0x2000)
#define USED_IPA  (RAM_IPA + 0x3000)
#define BUF_IPA   (RAM_IPA + 0x4000)

static struct vm *vm;
static struct vcpu vcpu0;
static uint8_t *ram, *ro_page, *dev_page;
static uint8_t disk[64 * 512];
static bool line_level[128];

/* ---- what the devices need beyond the shared fake ---- */

int vgic_inject(struct vm *v, int vcpu_id, uint32_t intid, bool level)
{
	(void)v;
	(void)vcpu_id;
	assert_true(intid < 128);
	line_level[intid] = level;
	return 0;
}

/* disk0: a build image; disk1: one pushed at run time, whose references are counted. */
static uint8_t pushed_disk[8 * 512];
static int pushed_refs, pushed_lookups;

int vm_config_image_find(const char *name, const void **addr, uint64_t *size, char *err,
			 size_t errlen)
{
	if (!strcmp(name, "disk1")) {
		*addr = pushed_disk;
		*size = sizeof(pushed_disk);
		pushed_lookups++;
		pushed_refs++;
		return 0;
	}
	if (strcmp(name, "disk0")) {
		snprintf(err, errlen, "no image '%s'", name);
		return K_EINVAL;
	}
	*addr = disk;
	*size = sizeof(disk);
	return 0;
}

bool vm_config_image_put(const void *addr)
{
	if (addr != pushed_disk)
		return false;
	assert_true(--pushed_refs >= 0);
	return true;
}

/* ---- the fake VM ---- */

static void *gp(uint64_t ipa)
{
	assert_true(ipa >= RAM_IPA && ipa < RAM_IPA + RAM_SIZE);
	return ram + (ipa - RAM_IPA);
}

static struct vm *make_vm(int id, const char *name, bool with_blk)
{
	struct vm *v = calloc(1, sizeof(*v));
	struct virtio_cfg hvc = { VIRTIO_TYPE_CONSOLE, HVC_BASE, 16, "" };
	struct virtio_cfg blk = { VIRTIO_TYPE_BLOCK, BLK_BASE, 17, "disk0" };

	v->id = id;
	snprintf(v->cfg.name, sizeof(v->cfg.name), "%s", name);
	v->cfg.virtio[0] = hvc;
	v->cfg.virtio[1] = blk;
	v->cfg.nr_virtio = with_blk ? 2 : 1;
	assert_int_equal(vmem_init(&v->s2), 0);
	return v;
}

static int setup(void **state)
{
	char err[128];

	(void)state;
	ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);
	ro_page = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	dev_page = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(ram, 0, RAM_SIZE);
	memset(ro_page, 0x77, PAGE_SIZE);
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i / 512);
	vm = make_vm(3, "guest3", true);
	assert_int_equal(vmem_map(&vm->s2, RAM_IPA, (uintptr_t)ram, RAM_SIZE, VMEM_RWX), 0);
	assert_int_equal(vmem_map(&vm->s2, RO_IPA, (uintptr_t)ro_page, PAGE_SIZE, VMEM_READ), 0);
	assert_int_equal(vmem_map(&vm->s2, DEV_IPA, (uintptr_t)dev_page, PAGE_SIZE,
				  VMEM_READ | VMEM_WRITE | VMEM_DEVICE),
			 0);
	assert_int_equal(virtio_vm_init(vm, err, sizeof(err)), 0);
	vcpu0.vm = vm;
	fake_log_reset();
	memset(line_level, 0, sizeof(line_level));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	virtio_vm_destroy(vm);
	vmem_destroy(&vm->s2);
	free(vm);
	free(ram);
	free(ro_page);
	free(dev_page);
	return 0;
}

/* ---- the driver side ---- */

static uint64_t rd(uint64_t base, uint64_t off, unsigned size)
{
	struct mmio_access acc = { .ipa = base + off, .size = size };

	assert_int_equal(vdev_dispatch(&vcpu0, &acc), 0);
	return acc.value;
}

static uint32_t r32(uint64_t base, uint64_t off)
{
	return (uint32_t)rd(base, off, 4);
}

static void w32(uint64_t base, uint64_t off, uint32_t v)
{
	struct mmio_access acc = { .ipa = base + off, .size = 4, .write = true, .value = v };

	assert_int_equal(vdev_dispatch(&vcpu0, &acc), 0);
}

/* Status, features (VERSION_1 and `extra` in the low word), one queue per q. */
static void driver_start(uint64_t base, int nq, uint32_t low_features)
{
	w32(base, VIRTIO_MMIO_STATUS, 0);
	w32(base, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	w32(base, VIRTIO_MMIO_DRV_FEATURES_SEL, 0);
	w32(base, VIRTIO_MMIO_DRV_FEATURES, low_features);
	w32(base, VIRTIO_MMIO_DRV_FEATURES_SEL, 1);
	w32(base, VIRTIO_MMIO_DRV_FEATURES, 1); /* VIRTIO_F_VERSION_1 */
	w32(base, VIRTIO_MMIO_STATUS,
	    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_true(r32(base, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	for (int q = 0; q < nq; q++) {
		w32(base, VIRTIO_MMIO_QUEUE_SEL, q);
		assert_int_equal(r32(base, VIRTIO_MMIO_QUEUE_NUM_MAX), VQ_MAX_SIZE);
		w32(base, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
		w32(base, VIRTIO_MMIO_QUEUE_DESC_LO, (uint32_t)(DESC_IPA + 0x100 * q));
		w32(base, VIRTIO_MMIO_QUEUE_DESC_HI, 0);
		w32(base, VIRTIO_MMIO_QUEUE_DRIVER_LO, (uint32_t)(AVAIL_IPA + 0x100 * q));
		w32(base, VIRTIO_MMIO_QUEUE_DEVICE_LO, (uint32_t)(USED_IPA + 0x100 * q));
		w32(base, VIRTIO_MMIO_QUEUE_READY, 1);
		assert_int_equal(r32(base, VIRTIO_MMIO_QUEUE_READY), 1);
	}
	w32(base, VIRTIO_MMIO_STATUS,
	    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
		    VIRTIO_STATUS_DRIVER_OK);
}

static struct vring_desc *dt(int q)
{
	return gp(DESC_IPA + 0x100 * q);
}

static uint16_t *avail(int q)
{
	return gp(AVAIL_IPA + 0x100 * q); /* flags, idx, ring[] */
}

static uint16_t used_idx(int q)
{
	return ((uint16_t *)gp(USED_IPA + 0x100 * q))[1];
}

static uint32_t *used_elem(int q, int i)
{
	return (uint32_t *)gp(USED_IPA + 0x100 * q + 4 + 8 * i);
}

static void set_desc(int q, int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	dt(q)[i] = (struct vring_desc){ addr, len, flags, next };
}

/* Offer chain `head` and notify queue q. */
static void offer(uint64_t base, int q, uint16_t head)
{
	uint16_t *a = avail(q);

	a[2 + a[1] % QSIZE] = head;
	a[1]++;
	w32(base, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* The device refused the ring: NEEDS_RESET, config interrupt, one log line. */
static void expect_broken(uint64_t base, const char *why)
{
	uint32_t intid = base == HVC_BASE ? 48 : 49;

	assert_true(r32(base, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	assert_true(r32(base, VIRTIO_MMIO_INT_STATUS) & VIRTIO_INT_CONFIG);
	assert_true(line_level[intid]);
	assert_int_equal(fake_log.lines, 1);
	if (!strstr(fake_log.last, "VM 3 (guest3)") || !strstr(fake_log.last, why) ||
	    !strstr(fake_log.last, "needs reset"))
		fail_msg("log \"%s\" does not name the VM and \"%s\"", fake_log.last, why);
}

/* ---- well-formed use ---- */

static void test_registers(void **state)
{
	(void)state;
	assert_int_equal(r32(HVC_BASE, VIRTIO_MMIO_MAGIC), VIRTIO_MMIO_MAGIC_VALUE);
	assert_int_equal(r32(HVC_BASE, VIRTIO_MMIO_VERSION), VIRTIO_MMIO_VERSION_MODERN);
	assert_int_equal(r32(HVC_BASE, VIRTIO_MMIO_DEVICE_ID), 3);
	assert_int_equal(r32(BLK_BASE, VIRTIO_MMIO_DEVICE_ID), 2);
	w32(BLK_BASE, VIRTIO_MMIO_DEV_FEATURES_SEL, 1);
	assert_int_equal(r32(BLK_BASE, VIRTIO_MMIO_DEV_FEATURES) & 1, 1); /* VERSION_1 */
	w32(BLK_BASE, VIRTIO_MMIO_DEV_FEATURES_SEL, 0);
	/* no indirect descriptors */
	assert_int_equal(r32(BLK_BASE, VIRTIO_MMIO_DEV_FEATURES) & (1u << 28), 0);
	assert_int_equal(rd(BLK_BASE, VIRTIO_MMIO_CONFIG, 8), sizeof(disk) / 512); /* capacity */
	assert_int_equal(rd(BLK_BASE, 0x1fc, 4), 0); /* past the config space */
}

static void test_version_1_required(void **state)
{
	(void)state;
	w32(HVC_BASE, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	w32(HVC_BASE, VIRTIO_MMIO_DRV_FEATURES_SEL, 1);
	w32(HVC_BASE, VIRTIO_MMIO_DRV_FEATURES, 0); /* a legacy driver */
	w32(HVC_BASE, VIRTIO_MMIO_STATUS,
	    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(r32(HVC_BASE, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0);
	assert_non_null(strstr(fake_log.last, "VIRTIO_F_VERSION_1 is required"));
	/* A feature that was not offered is refused too. */
	w32(BLK_BASE, VIRTIO_MMIO_STATUS, 0);
	w32(BLK_BASE, VIRTIO_MMIO_DRV_FEATURES_SEL, 0);
	w32(BLK_BASE, VIRTIO_MMIO_DRV_FEATURES, 1u << 28); /* indirect descriptors */
	w32(BLK_BASE, VIRTIO_MMIO_DRV_FEATURES_SEL, 1);
	w32(BLK_BASE, VIRTIO_MMIO_DRV_FEATURES, 1);
	w32(BLK_BASE, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(r32(BLK_BASE, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0);
}

static void test_console_tx_rx(void **state)
{
	uint8_t *rxbuf = gp(BUF_IPA + 0x800);

	(void)state;
	driver_start(HVC_BASE, 2, 0);
	memcpy(gp(BUF_IPA), "hello ", 6);
	memcpy(gp(BUF_IPA + 0x100), "hvc\nhalf", 8);
	set_desc(1, 0, BUF_IPA, 6, VRING_DESC_F_NEXT, 1);
	set_desc(1, 1, BUF_IPA + 0x100, 8, 0, 0);
	offer(HVC_BASE, 1, 0);
	assert_string_equal(fake_log.console, "[guest3:hvc] hello hvc\n");
	assert_int_equal(used_idx(1), 1);
	assert_int_equal(used_elem(1, 0)[0], 0);
	assert_true(line_level[48]);
	w32(HVC_BASE, VIRTIO_MMIO_INT_ACK, r32(HVC_BASE, VIRTIO_MMIO_INT_STATUS));
	assert_false(line_level[48]);
	/* Input from the host waits for a receive buffer, then fills it. */
	assert_true(virtio_console_input(vm, 'k'));
	assert_true(virtio_console_input(vm, '\r'));
	assert_int_equal(used_idx(0), 0);
	set_desc(0, 0, BUF_IPA + 0x800, 16, VRING_DESC_F_WRITE, 0);
	offer(HVC_BASE, 0, 0);
	assert_int_equal(used_idx(0), 1);
	assert_int_equal(used_elem(0, 0)[1], 2);
	assert_memory_equal(rxbuf, "k\r", 2);
	assert_int_equal(fake_log.lines, 0);
	/* Attached, output is raw; the half line comes out first. */
	virtio_console_attach(vm, true);
	assert_string_equal(fake_log.console, "[guest3:hvc] hello hvc\nhalf");
	virtio_console_attach(vm, false);
}

/* One block request: header, optional data, status; returns the status byte. */
static uint8_t blk_req(uint32_t type, uint64_t sector, uint32_t data_len, bool data_write)
{
	uint32_t hdr[4] = { type, 0, (uint32_t)sector, (uint32_t)(sector >> 32) };
	uint8_t *status = gp(BUF_IPA + 0x3000);
	uint16_t n = 0;

	memcpy(gp(BUF_IPA), hdr, sizeof(hdr));
	*status = 0xee;
	set_desc(0, n, BUF_IPA, 16, VRING_DESC_F_NEXT, (uint16_t)(n + 1));
	n++;
	if (data_len) {
		set_desc(0, n, BUF_IPA + 0x1000, data_len,
			 VRING_DESC_F_NEXT | (data_write ? VRING_DESC_F_WRITE : 0),
			 (uint16_t)(n + 1));
		n++;
	}
	set_desc(0, n, BUF_IPA + 0x3000, 1, VRING_DESC_F_WRITE, 0);
	offer(BLK_BASE, 0, 0);
	return *status;
}

static void test_blk_read_write_flush_id(void **state)
{
	uint8_t *data = gp(BUF_IPA + 0x1000);

	(void)state;
	driver_start(BLK_BASE, 1, 0);
	assert_int_equal(blk_req(0, 5, 1024, true), 0); /* read sectors 5, 6 */
	assert_int_equal(data[0], 5);
	assert_int_equal(data[1023], 6);
	assert_int_equal(used_elem(0, 0)[1], 1025);
	memset(data, 0xab, 512);
	assert_int_equal(blk_req(1, 63, 512, false), 0); /* write the last sector */
	assert_int_equal(disk[63 * 512], 0xab);
	assert_int_equal(disk[sizeof(disk) - 1], 0xab);
	assert_int_equal(blk_req(4, 0, 0, false), 0); /* flush */
	assert_int_equal(blk_req(8, 0, 20, true), 0); /* GET_ID */
	assert_memory_equal(data, "zvm-disk0", 10);
	assert_int_equal(blk_req(99, 0, 0, false), 2); /* unsupported */
	/* Out of the disk: an I/O error for the guest, nothing copied, not a fault. */
	assert_int_equal(blk_req(0, 64, 512, true), 1);
	assert_int_equal(blk_req(1, 63, 1024, false), 1);
	assert_int_equal(blk_req(0, UINT64_MAX, 512, true), 1);
	assert_int_equal(blk_req(0, 0, 100, true), 1); /* not whole sectors */
	assert_int_equal(disk[0], 0);
	assert_int_equal(fake_log.lines, 0);
	assert_false(r32(BLK_BASE, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
}

/* ---- hostile rings ---- */

/* A console transmit chain of one descriptor, then the fault is expected. */
static void tx_one(uint64_t addr, uint32_t len, uint16_t flags, const char *why)
{
	driver_start(HVC_BASE, 2, 0);
	set_desc(1, 0, addr, len, flags, 0);
	offer(HVC_BASE, 1, 0);
	expect_broken(HVC_BASE, why);
	assert_int_equal(used_idx(1), 0);
	assert_int_equal(fake_log.console_len, 0);
}

static void test_addr_outside_vm(void **state)
{
	(void)state;
	tx_one(0x80000000, 16, 0, "is not readable RAM of the VM");
}

static void test_across_end_of_ram(void **state)
{
	(void)state;
	tx_one(RAM_IPA + RAM_SIZE - 8, 16, 0, "is not readable RAM of the VM");
}

static void test_into_device_mapping(void **state)
{
	(void)state;
	tx_one(DEV_IPA, 16, 0, "is not readable RAM of the VM");
}

static void test_huge_length(void **state)
{
	(void)state;
	tx_one(BUF_IPA, 0xffffffffu, 0, "is not readable RAM of the VM");
}

static void test_address_overflow(void **state)
{
	(void)state;
	tx_one(UINT64_MAX - 7, 64, 0, "is not readable RAM of the VM");
}

static void test_zero_length(void **state)
{
	(void)state;
	tx_one(BUF_IPA, 0, 0, "has length 0");
}

static void test_indirect_refused(void **state)
{
	(void)state;
	tx_one(BUF_IPA, 16, VRING_DESC_F_INDIRECT, "is indirect");
}

static void test_chain_loop(void **state)
{
	(void)state;
	driver_start(HVC_BASE, 2, 0);
	set_desc(1, 0, BUF_IPA, 4, VRING_DESC_F_NEXT, 1);
	set_desc(1, 1, BUF_IPA, 4, VRING_DESC_F_NEXT, 2);
	set_desc(1, 2, BUF_IPA, 4, VRING_DESC_F_NEXT, 0);
	offer(HVC_BASE, 1, 0);
	expect_broken(HVC_BASE, "loops back to 0");
	/* Broken, the device ignores its queues until the driver resets it. */
	set_desc(1, 3, BUF_IPA, 4, 0, 0);
	offer(HVC_BASE, 1, 3);
	assert_int_equal(used_idx(1), 0);
	assert_int_equal(fake_log.lines, 1);
	/* After a reset it works again. */
	memcpy(gp(BUF_IPA), "ok\n", 3);
	driver_start(HVC_BASE, 2, 0);
	assert_false(r32(HVC_BASE, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	memset(avail(1), 0, 4);
	set_desc(1, 0, BUF_IPA, 3, 0, 0);
	offer(HVC_BASE, 1, 0);
	assert_string_equal(fake_log.console, "[guest3:hvc] ok\n");
}

static void test_self_loop(void **state)
{
	(void)state;
	tx_one(BUF_IPA, 4, VRING_DESC_F_NEXT, "loops back to 0");
}

static void test_next_out_of_range(void **state)
{
	(void)state;
	driver_start(HVC_BASE, 2, 0);
	set_desc(1, 0, BUF_IPA, 4, VRING_DESC_F_NEXT, QSIZE);
	offer(HVC_BASE, 1, 0);
	expect_broken(HVC_BASE, "descriptor index 8 out of range");
}

static void test_head_out_of_range(void **state)
{
	(void)state;
	driver_start(HVC_BASE, 2, 0);
	offer(HVC_BASE, 1, 0xffff);
	expect_broken(HVC_BASE, "descriptor index 65535 out of range");
}

static void test_avail_index_jump(void **state)
{
	(void)state;
	driver_start(HVC_BASE, 2, 0);
	set_desc(1, 0, BUF_IPA, 4, 0, 0);
	avail(1)[1] = QSIZE + 1;
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	expect_broken(HVC_BASE, "available index jumped from 0 to 9");
}

static void test_write_into_read_only(void **state)
{
	(void)state;
	driver_start(HVC_BASE, 2, 0);
	assert_true(virtio_console_input(vm, 'x'));
	set_desc(0, 0, RO_IPA, 16, VRING_DESC_F_WRITE, 0);
	offer(HVC_BASE, 0, 0);
	expect_broken(HVC_BASE, "is not writable RAM of the VM");
	assert_int_equal(ro_page[0], 0x77);
}

static void test_receive_buffer_read_only(void **state)
{
	(void)state;
	driver_start(HVC_BASE, 2, 0);
	assert_true(virtio_console_input(vm, 'x'));
	set_desc(0, 0, BUF_IPA, 16, 0, 0); /* device-readable only */
	offer(HVC_BASE, 0, 0);
	expect_broken(HVC_BASE, "has no device-writable descriptor");
	assert_int_equal(*(uint8_t *)gp(BUF_IPA), 0);
}

static void test_readable_after_writable(void **state)
{
	(void)state;
	driver_start(BLK_BASE, 1, 0);
	set_desc(0, 0, BUF_IPA + 0x3000, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(0, 1, BUF_IPA, 16, 0, 0);
	offer(BLK_BASE, 0, 0);
	expect_broken(BLK_BASE, "readable after a writable one");
}

static void test_blk_without_status(void **state)
{
	(void)state;
	driver_start(BLK_BASE, 1, 0);
	set_desc(0, 0, BUF_IPA, 16, 0, 0);
	offer(BLK_BASE, 0, 0);
	expect_broken(BLK_BASE, "has no writable status byte");
}

static void test_blk_short_header(void **state)
{
	(void)state;
	driver_start(BLK_BASE, 1, 0);
	set_desc(0, 0, BUF_IPA, 8, VRING_DESC_F_NEXT, 1);
	set_desc(0, 1, BUF_IPA + 0x3000, 1, VRING_DESC_F_WRITE, 0);
	offer(BLK_BASE, 0, 0);
	expect_broken(BLK_BASE, "header shorter than 16 bytes");
}

/* Rings themselves outside RAM, misaligned or of a bad size: refused at QueueReady. */
static void bad_queue(uint32_t num, uint64_t desc, const char *why)
{
	w32(HVC_BASE, VIRTIO_MMIO_STATUS, 0);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_SEL, 1);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_NUM, num);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_DESC_LO, (uint32_t)desc);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_DESC_HI, (uint32_t)(desc >> 32));
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_DRIVER_LO, (uint32_t)AVAIL_IPA);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_DEVICE_LO, (uint32_t)USED_IPA);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(r32(HVC_BASE, VIRTIO_MMIO_QUEUE_READY), 0);
	expect_broken(HVC_BASE, why);
	fake_log_reset();
}

static void test_bad_queue_setup(void **state)
{
	(void)state;
	bad_queue(3, DESC_IPA, "queue size 3");
	bad_queue(0, DESC_IPA, "queue size 0");
	bad_queue(VQ_MAX_SIZE * 2, DESC_IPA, "queue size 256");
	bad_queue(QSIZE, DESC_IPA + 8, "not 16-byte aligned");
	bad_queue(QSIZE, HOLE_IPA, "descriptor ring");
	bad_queue(QSIZE, RAM_IPA + RAM_SIZE - 64, "descriptor ring");
	bad_queue(QSIZE, 0x100000000ull | DESC_IPA, "descriptor ring");
}

/* The used ring in read-only memory: nothing is written there. */
static void test_used_ring_read_only(void **state)
{
	(void)state;
	w32(HVC_BASE, VIRTIO_MMIO_STATUS, 0);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_SEL, 1);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_DESC_LO, (uint32_t)DESC_IPA);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_DRIVER_LO, (uint32_t)AVAIL_IPA);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_DEVICE_LO, (uint32_t)RO_IPA);
	w32(HVC_BASE, VIRTIO_MMIO_QUEUE_READY, 1);
	expect_broken(HVC_BASE, "used ring");
	assert_int_equal(ro_page[0], 0x77);
}

static void test_disk_one_vm_at_a_time(void **state)
{
	struct vm *other = make_vm(4, "other", true);
	char err[128] = "";

	(void)state;
	assert_int_equal(virtio_vm_init(other, err, sizeof(err)), K_EINVAL);
	assert_non_null(strstr(err, "disk 'disk0' is in use by VM 3 (guest3)"));
	virtio_vm_destroy(other);
	/* Once the owner is gone, the disk is free. */
	virtio_vm_destroy(vm);
	assert_int_equal(virtio_vm_init(other, err, sizeof(err)), 0);
	virtio_vm_destroy(other);
	vmem_destroy(&other->s2);
	free(other);
	assert_int_equal(virtio_vm_init(vm, err, sizeof(err)), 0);
}

/* ---- fuzz: random rings, each result checked against the rules ---- */

#define FUZZ_ROUNDS 4000
#define BUF_SPAN    (RAM_SIZE - (BUF_IPA - RAM_IPA))

static uint32_t fz_state;

static uint32_t fz(void)
{
	fz_state ^= fz_state << 13; /* xorshift32: the same rings on every run */
	fz_state ^= fz_state >> 17;
	fz_state ^= fz_state << 5;
	return fz_state;
}

/* Mostly in the buffer area; sometimes read-only, device, hole, the end of RAM, anywhere. */
static uint64_t fuzz_addr(void)
{
	switch (fz() % 10) {
	case 0:
		return RO_IPA + fz() % PAGE_SIZE;
	case 1:
		return DEV_IPA + fz() % PAGE_SIZE;
	case 2:
		return HOLE_IPA + fz() % PAGE_SIZE;
	case 3:
		return RAM_IPA + RAM_SIZE - 1 - fz() % 64;
	case 4:
		return (uint64_t)fz() << 32 | fz();
	default:
		return BUF_IPA + fz() % (BUF_SPAN - 1024);
	}
}

static uint32_t fuzz_len(void)
{
	static const uint32_t lens[] = { 0, 1, 16, 512, 1024, 4096, 0xffffffffu };

	return fz() % 4 ? lens[fz() % 7] : fz() % 2048;
}

/* A request that may well be valid: header, data, status, in buffer RAM. */
static void fuzz_request(int first)
{
	static const uint32_t types[] = { 0, 1, 4, 8, 77 };
	uint64_t hdr = BUF_IPA + fz() % (BUF_SPAN / 2 - 1024), data = hdr + 16;
	uint32_t type = types[fz() % 5], len = 512 * (fz() % 3);
	uint64_t sector = fz() % 70;

	memcpy(gp(hdr), &type, 4);
	memcpy(gp(hdr + 8), &sector, 8);
	set_desc(0, first, hdr, 16, VRING_DESC_F_NEXT, (uint16_t)((first + 1) % QSIZE));
	set_desc(0, (first + 1) % QSIZE, data, len,
		 VRING_DESC_F_NEXT | (type == 0 || type == 8 ? VRING_DESC_F_WRITE : 0),
		 (uint16_t)((first + 2) % QSIZE));
	set_desc(0, (first + 2) % QSIZE, data + len, 1, VRING_DESC_F_WRITE, 0);
}

static void fuzz_table(void)
{
	for (int i = 0; i < QSIZE; i++) {
		static const uint16_t flags[] = { 0, VRING_DESC_F_NEXT, VRING_DESC_F_WRITE,
						  VRING_DESC_F_NEXT | VRING_DESC_F_WRITE,
						  VRING_DESC_F_INDIRECT };

		set_desc(0, i, fuzz_addr(), fuzz_len(), flags[fz() % 5],
			 (uint16_t)(fz() % (QSIZE + 2)));
	}
	for (int i = 0; i < QSIZE; i += 3)
		if (fz() % 3)
			fuzz_request(i);
}

/* Bytes of chain `head` the device may write: marks them in may_write; their count. */
static uint64_t writable_bytes(uint16_t head, uint8_t *may_write)
{
	uint64_t total = 0;
	uint16_t i = head;

	for (int n = 0; n < QSIZE && i < QSIZE; n++) {
		const struct vring_desc *d = &dt(0)[i];

		if (d->flags & VRING_DESC_F_WRITE) {
			total += d->len;
			for (uint64_t b = 0; b < d->len && d->addr + b >= d->addr; b++)
				if (d->addr + b >= RAM_IPA && d->addr + b < RAM_IPA + RAM_SIZE)
					may_write[d->addr + b - RAM_IPA] = 1;
				else if (d->addr + b >= RAM_IPA + RAM_SIZE)
					break;
		}
		if (!(d->flags & VRING_DESC_F_NEXT))
			break;
		i = d->next;
	}
	return total;
}

/*
 * One round: random chains offered, the device notified. The rules: it
 * refuses (NEEDS_RESET, one log line) or completes every offered chain, in
 * order; a used entry names its chain and never more bytes than the chain
 * lets it write; no byte of guest RAM changes except in descriptors marked
 * device-writable and the used ring; the read-only page is never written
 * and the device page never touched (both protected by the MMU here).
 */
static bool fuzz_round(uint8_t *before, uint8_t *may_write)
{
	uint16_t heads[3], n = (uint16_t)(1 + fz() % 3), used0;
	bool broken;

	memset(ram, 0, RAM_SIZE);
	fake_log_reset();
	driver_start(BLK_BASE, 1, 0);
	fuzz_table();
	used0 = used_idx(0);
	for (uint16_t i = 0; i < n; i++) {
		uint16_t *a = avail(0);

		heads[i] = (uint16_t)(fz() % 2 ? 3 * (fz() % 3) : fz() % (QSIZE + 1));
		a[2 + a[1] % QSIZE] = heads[i];
		a[1]++;
	}
	memcpy(before, ram, RAM_SIZE);
	memset(may_write, 0, RAM_SIZE);
	for (uint64_t b = USED_IPA - RAM_IPA; b < USED_IPA - RAM_IPA + 0x100; b++)
		may_write[b] = 1;
	assert_int_equal(mprotect(ro_page, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(mprotect(dev_page, PAGE_SIZE, PROT_NONE), 0);
	w32(BLK_BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(mprotect(ro_page, PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(mprotect(dev_page, PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
	broken = (r32(BLK_BASE, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET) != 0;
	assert_int_equal(fake_log.lines, broken ? 1 : 0);
	assert_true((uint16_t)(used_idx(0) - used0) <= n);
	if (!broken)
		assert_int_equal((uint16_t)(used_idx(0) - used0), n);
	for (uint16_t i = 0; i < n; i++) {
		uint64_t can = heads[i] < QSIZE ? writable_bytes(heads[i], may_write) : 0;

		if (i < (uint16_t)(used_idx(0) - used0)) {
			assert_int_equal(used_elem(0, (used0 + i) % QSIZE)[0], heads[i]);
			assert_true(used_elem(0, (used0 + i) % QSIZE)[1] <= can);
		}
	}
	for (size_t b = 0; b < RAM_SIZE; b++)
		if (ram[b] != before[b] && !may_write[b])
			fail_msg("byte at IPA 0x%llx changed, not device-writable",
				 (unsigned long long)(RAM_IPA + b));
	return broken;
}

static void test_fuzz_blk_rings(void **state)
{
	uint8_t *before = malloc(RAM_SIZE), *may_write = malloc(RAM_SIZE);
	int broken = 0;

	(void)state;
	fz_state = 0x9e3779b9;
	for (int round = 0; round < FUZZ_ROUNDS; round++)
		broken += fuzz_round(before, may_write);
	assert_true(broken > FUZZ_ROUNDS / 10 && broken < FUZZ_ROUNDS * 9 / 10); /* both kinds */
	for (size_t b = 0; b < PAGE_SIZE; b++)
		assert_int_equal(ro_page[b], 0x77);
	free(before);
	free(may_write);
}

/*
 * A disk pushed at run time is held while its VM has the device and let go
 * with it: no reference and no pointer left in the disk table (zvm may free
 * it), and the next VM looks it up again. Still one VM at a time.
 */
static void test_runtime_disk_released_with_its_vm(void **state)
{
	struct vm *a = make_vm(4, "a", true), *b = make_vm(5, "b", true);
	char err[128] = "";

	(void)state;
	snprintf(a->cfg.virtio[1].disk, sizeof(a->cfg.virtio[1].disk), "disk1");
	snprintf(b->cfg.virtio[1].disk, sizeof(b->cfg.virtio[1].disk), "disk1");
	b->cfg.virtio[1].base = a->cfg.virtio[1].base;
	pushed_refs = pushed_lookups = 0;
	assert_int_equal(virtio_vm_init(a, err, sizeof(err)), 0);
	assert_int_equal(pushed_refs, 1); /* held while the device exists */
	assert_int_equal(virtio_vm_init(b, err, sizeof(err)), K_EINVAL);
	assert_non_null(strstr(err, "disk 'disk1' is in use by VM 4 (a)"));
	virtio_vm_destroy(b);
	assert_int_equal(pushed_refs, 1);
	virtio_vm_destroy(a);
	assert_int_equal(pushed_refs, 0); /* released with its VM */
	assert_int_equal(virtio_vm_init(b, err, sizeof(err)), 0);
	assert_int_equal(pushed_lookups, 2); /* looked up again: no entry was kept */
	assert_int_equal(pushed_refs, 1);
	virtio_vm_destroy(b);
	assert_int_equal(pushed_refs, 0);
	for (struct vm *v = a; v; v = v == a ? b : NULL) {
		vmem_destroy(&v->s2);
		free(v);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_registers),
		T(test_version_1_required),
		T(test_console_tx_rx),
		T(test_blk_read_write_flush_id),
		T(test_addr_outside_vm),
		T(test_across_end_of_ram),
		T(test_into_device_mapping),
		T(test_huge_length),
		T(test_address_overflow),
		T(test_zero_length),
		T(test_indirect_refused),
		T(test_chain_loop),
		T(test_self_loop),
		T(test_next_out_of_range),
		T(test_head_out_of_range),
		T(test_avail_index_jump),
		T(test_write_into_read_only),
		T(test_receive_buffer_read_only),
		T(test_readable_after_writable),
		T(test_blk_without_status),
		T(test_blk_short_header),
		T(test_bad_queue_setup),
		T(test_used_ring_read_only),
		T(test_disk_one_vm_at_a_time),
		T(test_fuzz_blk_rings),
		T(test_runtime_disk_released_with_its_vm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
