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
#include <arch/barrier.h>
#include <arch/mmu.h>

#define R_MAGIC		0x000
#define R_VERSION	0x004
#define R_DEVICE_ID	0x008
#define R_DRV_FEAT	0x020
#define R_DRV_FEAT_SEL	0x024
#define R_QUEUE_SEL	0x030
#define R_QUEUE_NUM	0x038
#define R_QUEUE_READY	0x044
#define R_NOTIFY	0x050
#define R_ISR		0x060
#define R_STATUS	0x070
#define R_DESC_LO	0x080
#define R_DESC_HI	0x084
#define R_AVAIL_LO	0x090
#define R_AVAIL_HI	0x094
#define R_USED_LO	0x0a0
#define R_USED_HI	0x0a4

#define S_ACK_DRIVER	3
#define S_FEATURES_OK	8
#define S_DRIVER_OK	4
#define S_NEEDS_RESET	64
#define F_NEXT		1
#define QSIZE		8
#define TXQ		1

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* The rings and a buffer; RAM is identity mapped, so these are IPAs too. */
static struct {
	struct desc desc[QSIZE];
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
	wr(R_STATUS, 0);
	wr(R_STATUS, S_ACK_DRIVER);
	wr(R_DRV_FEAT_SEL, 1);
	wr(R_DRV_FEAT, 1);			/* VIRTIO_F_VERSION_1 */
	wr(R_DRV_FEAT_SEL, 0);
	wr(R_DRV_FEAT, 0);
	wr(R_STATUS, S_ACK_DRIVER | S_FEATURES_OK);
	if (!(rd(R_STATUS) & S_FEATURES_OK))
		return -1;
	wr(R_QUEUE_SEL, TXQ);
	wr(R_QUEUE_NUM, QSIZE);
	wr64(R_DESC_LO, (uintptr_t)ring.desc);
	wr64(R_AVAIL_LO, (uintptr_t)ring.avail);
	wr64(R_USED_LO, (uintptr_t)ring.used);
	wr(R_QUEUE_READY, 1);
	wr(R_STATUS, S_ACK_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return rd(R_QUEUE_READY) == 1 ? 0 : -1;
}

/* Fill the ring for one attack; 0 for an unknown one. */
static int poison(const char *mode)
{
	ring.desc[0] = (struct desc){ (uintptr_t)ring.buf, sizeof(ring.buf), 0, 0 };
	ring.avail[1] = 1;				/* one chain, head 0 */
	if (!strcmp(mode, "virtio-addr"))
		ring.desc[0].addr = platform.ram_base + platform.ram_size + 0x1000;
	else if (!strcmp(mode, "virtio-loop")) {
		ring.desc[0] = (struct desc){ (uintptr_t)ring.buf, 4, F_NEXT, 1 };
		ring.desc[1] = (struct desc){ (uintptr_t)ring.buf, 4, F_NEXT, 0 };
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
	if (!regs || rd(R_MAGIC) != 0x74726976 || rd(R_VERSION) != 2) {
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
	wr(R_NOTIFY, TXQ);
	status = rd(R_STATUS);
	isr = rd(R_ISR);
	printf("attack: %s: device %u status 0x%x%s, interrupt status 0x%x, used %u\n", mode,
	       rd(R_DEVICE_ID), status, status & S_NEEDS_RESET ? " (NEEDS_RESET)" : "", isr,
	       ring.used[0] >> 16);
	wr(R_STATUS, 0);				/* reset: ready for the next one */
	return 0;
}
