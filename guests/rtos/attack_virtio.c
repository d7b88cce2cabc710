/*
 * `attack virtio-addr|virtio-loop|virtio-len|virtio-index`: drive the first
 * virtio-mmio device of the DTB (the RTOS template has a virtio console)
 * like a driver would, then hand it a malicious transmit ring: a buffer
 * outside the VM, a descriptor loop, a 4 GiB length, an available index
 * far ahead. zvm must refuse it: the device reports DEVICE_NEEDS_RESET and
 * a configuration-change interrupt status, and nothing else happens. The
 * device is reset afterwards, so the attacks can be repeated.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/fdt_util.h>
#include <zvm/platform.h>
#include <zvm/virtio_regs.h>
#include <arch/barrier.h>
#include <arch/mmu.h>

#define S_ACK_DRIVER	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER)
#define QSIZE		8
#define TXQ		1

/* The rings and a buffer; RAM is identity mapped, so these are IPAs too. */
static struct {
	struct vring_desc desc[QSIZE];
	uint16_t avail[2 + QSIZE];
	uint8_t pad[4096 - QSIZE * 16 - (2 + QSIZE) * 2];
	uint32_t used[1 + 2 * QSIZE];
	char buf[64];
} ring __attribute__((aligned(4096)));

static volatile uint32_t *regs;

static uint32_t rd(unsigned off) { return regs[off / 4]; }
static void wr(unsigned off, uint32_t v) { regs[off / 4] = v; }

static void wr64(unsigned lo, uint64_t v)
{
	wr(lo, (uint32_t)v);
	wr(lo + 4, (uint32_t)(v >> 32));
}

/* The first "virtio,mmio" node's registers, mapped; NULL if none. */
static volatile uint32_t *find_device(void)
{
	int node = fdt_node_offset_by_compatible(platform.fdt, -1, "virtio,mmio");
	uint64_t base, size;

	if (node < 0 || fdt_node_reg(platform.fdt, node, 0, &base, &size))
		return NULL;
	return (volatile uint32_t *)mmu_map_device(base & ~0xfffull, 0x1000) +
	       (base & 0xfff) / 4;
}

/* Reset, negotiate VERSION_1, set up the transmit queue, DRIVER_OK. */
static int driver_start(void)
{
	memset(&ring, 0, sizeof(ring));
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK_DRIVER);
	wr(VIRTIO_MMIO_DRV_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRV_FEATURES, 1);			/* VIRTIO_F_VERSION_1 */
	wr(VIRTIO_MMIO_DRV_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRV_FEATURES, 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return -1;
	wr(VIRTIO_MMIO_QUEUE_SEL, TXQ);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LO, (uintptr_t)ring.desc);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LO, (uintptr_t)ring.avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LO, (uintptr_t)ring.used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS, S_ACK_DRIVER | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	return rd(VIRTIO_MMIO_QUEUE_READY) == 1 ? 0 : -1;
}

/* Fill the ring for one attack; 0 for an unknown one. */
static int poison(const char *mode)
{
	ring.desc[0] = (struct vring_desc){ (uintptr_t)ring.buf, sizeof(ring.buf), 0, 0 };
	ring.avail[1] = 1;				/* one chain, head 0 */
	if (!strcmp(mode, "virtio-addr"))
		ring.desc[0].addr = platform.ram_base + platform.ram_size + 0x1000;
	else if (!strcmp(mode, "virtio-loop")) {
		ring.desc[0] = (struct vring_desc){ (uintptr_t)ring.buf, 4, VRING_DESC_F_NEXT, 1 };
		ring.desc[1] = (struct vring_desc){ (uintptr_t)ring.buf, 4, VRING_DESC_F_NEXT, 0 };
	} else if (!strcmp(mode, "virtio-len"))
		ring.desc[0].len = 0xffffffffu;
	else if (!strcmp(mode, "virtio-index"))
		ring.avail[1] = 1000;
	else
		return 0;
	return 1;
}

int attack_virtio(const char *mode)
{
	uint32_t status, isr;

	regs = regs ? regs : find_device();
	if (!regs || rd(VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE ||
	    rd(VIRTIO_MMIO_VERSION) != VIRTIO_MMIO_VERSION_MODERN) {
		puts("attack: no virtio-mmio device in the DTB");
		return 1;
	}
	if (driver_start() != 0) {
		puts("attack: the virtio device did not accept the driver");
		return 1;
	}
	if (!poison(mode)) {
		puts("error: unknown virtio attack");
		return 1;
	}
	arch_mb();	/* the ring before the notify */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	status = rd(VIRTIO_MMIO_STATUS);
	isr = rd(VIRTIO_MMIO_INT_STATUS);
	printf("attack: %s: device %u status 0x%x%s, interrupt status 0x%x, used %u\n", mode,
	       rd(VIRTIO_MMIO_DEVICE_ID), status,
	       status & VIRTIO_STATUS_NEEDS_RESET ? " (NEEDS_RESET)" : "", isr,
	       ring.used[0] >> 16);
	wr(VIRTIO_MMIO_STATUS, 0);		/* reset: ready for the next one */
	return 0;
}
