/* SPDX-License-Identifier: MIT */
/*
 * virtio console driver over virtio-mmio (virtio 1.x, "modern" Version 2
 * registers; the legacy Version 1 layout is refused with a message). Queue 0
 * receives, queue 1 transmits; each has VSER_QSIZE fixed buffers of
 * VSER_BUF_SIZE bytes in host memory (identity mapped, so their addresses
 * are what the device uses). See include/zvm/virtio_serial.h for who may
 * touch what.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/arch.h>
#include <zvm/fdt_util.h>
#include <zvm/errmsg.h>
#include <zvm/virtio_regs.h>
#include <zvm/virtio_serial.h>
#include <arch/barrier.h>
#include <arch/mmio.h>
#include <arch/mmu.h>

#define VIRTIO_ID_CONSOLE 3
#define VSER_QSIZE        16
#define VSER_BUF_SIZE     1024
#define RXQ               0
#define TXQ               1

struct vser_used_elem {
	uint32_t id;
	uint32_t len;
};

/* One split virtqueue with its buffers. */
struct vser_queue {
	struct vring_desc desc[VSER_QSIZE] __attribute__((aligned(16)));
	struct {
		uint16_t flags;
		uint16_t idx;
		uint16_t ring[VSER_QSIZE];
	} avail __attribute__((aligned(4)));
	struct {
		uint16_t flags;
		uint16_t idx;
		struct vser_used_elem ring[VSER_QSIZE];
	} used __attribute__((aligned(8)));
	uint8_t buf[VSER_QSIZE][VSER_BUF_SIZE] __attribute__((aligned(64)));
	uint16_t last_used;        /* next used entry to take */
	uint16_t free[VSER_QSIZE]; /* transmit: buffers not with the device */
	int nfree;
};

static struct {
	uintptr_t regs;
	uint64_t base; /* physical address of its transport */
	int intid;
	char where[48];
	struct vser_queue q[2];
	/* The receive buffer being read: its id, length and read offset. */
	int rx_id;
	uint32_t rx_len, rx_off;
	uint64_t dropped;
	struct k_sem irq; /* given by the interrupt handler */
} vs = { .rx_id = -1 };

static uint32_t rd(unsigned off)
{
	return mmio_read32(vs.regs + off);
}

static void wr(unsigned off, uint32_t v)
{
	mmio_write32(vs.regs + off, v);
}

static void wr64(unsigned off, uint64_t v)
{
	wr(off, (uint32_t)v);
	wr(off + 4, (uint32_t)(v >> 32));
}

/* The mapped registers of the first virtio console among the virtio,mmio nodes. */
static int find_console(const void *fdt, char *err, size_t errlen)
{
	const char *compat = "virtio,mmio";

	for (int node = fdt_node_offset_by_compatible(fdt, -1, compat); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, compat)) {
		uint64_t base, size;
		uintptr_t regs;

		if (fdt_node_reg(fdt, node, 0, &base, &size))
			continue;
		regs = mmu_map_device(base, size < 0x200 ? 0x200 : size);
		if (!regs || mmio_read32(regs + VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE ||
		    mmio_read32(regs + VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_CONSOLE)
			continue;
		vs.regs = regs;
		vs.base = base;
		vs.intid = fdt_node_intid(fdt, node, 0);
		snprintf(vs.where, sizeof(vs.where), "virtio-mmio@0x%lx irq %d",
			 (unsigned long)base, vs.intid);
		return vs.intid < 0 ? errmsg(err, errlen, "%s: no interrupt", vs.where) : 0;
	}
	return errmsg(err, errlen, "no virtio console device (virtio,mmio with DeviceID 3)");
}

/* Offer only VERSION_1: no MULTIPORT, so port 0 is the one pipe. */
static int negotiate(char *err, size_t errlen)
{
	uint32_t version = rd(VIRTIO_MMIO_VERSION);

	if (version != VIRTIO_MMIO_VERSION_MODERN)
		return errmsg(err, errlen, "%s: virtio-mmio version %u, need 2 (modern)", vs.where,
			      version);
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DEV_FEATURES_SEL, 1);
	if (!(rd(VIRTIO_MMIO_DEV_FEATURES) & (1u << (VIRTIO_F_VERSION_1 - 32))))
		return errmsg(err, errlen, "%s: device lacks VIRTIO_F_VERSION_1", vs.where);
	wr(VIRTIO_MMIO_DRV_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRV_FEATURES, 0);
	wr(VIRTIO_MMIO_DRV_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRV_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
	wr(VIRTIO_MMIO_STATUS, rd(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FEATURES_OK);
	if (!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return errmsg(err, errlen, "%s: device refused the features", vs.where);
	return 0;
}

static int queue_setup(int n, char *err, size_t errlen)
{
	struct vser_queue *q = &vs.q[n];

	wr(VIRTIO_MMIO_QUEUE_SEL, (uint32_t)n);
	if (rd(VIRTIO_MMIO_QUEUE_READY) || rd(VIRTIO_MMIO_QUEUE_NUM_MAX) < VSER_QSIZE)
		return errmsg(err, errlen, "%s: queue %d unusable", vs.where, n);
	memset(q, 0, sizeof(*q));
	for (int i = 0; i < VSER_QSIZE; i++) {
		q->desc[i].addr = (uintptr_t)q->buf[i];
		q->desc[i].len = VSER_BUF_SIZE;
		q->desc[i].flags = n == RXQ ? VRING_DESC_F_WRITE : 0;
		if (n == RXQ)
			q->avail.ring[i] = (uint16_t)i;
		else
			q->free[q->nfree++] = (uint16_t)i;
	}
	/* Receive: every buffer is the device's. Transmit: no interrupts, we poll. */
	q->avail.idx = n == RXQ ? VSER_QSIZE : 0;
	q->avail.flags = n == TXQ ? VRING_AVAIL_F_NO_INTERRUPT : 0;
	wr(VIRTIO_MMIO_QUEUE_NUM, VSER_QSIZE);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LO, (uintptr_t)q->desc);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LO, (uintptr_t)&q->avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LO, (uintptr_t)&q->used);
	dma_wmb();
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

static void vser_isr(int intid, void *arg)
{
	(void)intid;
	(void)arg;
	wr(VIRTIO_MMIO_INT_ACK, rd(VIRTIO_MMIO_INT_STATUS));
	k_sem_give(&vs.irq);
}

void vser_location(uint64_t *base, int *intid)
{
	*base = vs.base;
	*intid = vs.intid;
}

int vser_init(const void *fdt, int cpu, char *err, size_t errlen)
{
	int ret;

	k_sem_init(&vs.irq, 0, 1);
	ret = find_console(fdt, err, errlen);
	if (!ret)
		ret = negotiate(err, errlen);
	for (int n = RXQ; !ret && n <= TXQ; n++)
		ret = queue_setup(n, err, errlen);
	if (ret) {
		if (vs.regs)
			wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
		vs.regs = 0;
		return ret;
	}
	irq_connect(vs.intid, vser_isr, NULL);
	irq_enable(vs.intid, cpu);
	wr(VIRTIO_MMIO_STATUS, rd(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);
	return 0;
}

const char *vser_where(void)
{
	return vs.where;
}

/* The next used entry of queue n, or false when the device returned none. */
static bool used_take(struct vser_queue *q, struct vser_used_elem *e)
{
	uint16_t idx = __atomic_load_n(&q->used.idx, __ATOMIC_RELAXED);

	if (idx == q->last_used)
		return false;
	dma_rmb();
	*e = q->used.ring[q->last_used % VSER_QSIZE];
	q->last_used++;
	return e->id < VSER_QSIZE;
}

/* Hand buffer id of queue n to the device. */
static void avail_put(int n, uint16_t id, uint32_t len)
{
	struct vser_queue *q = &vs.q[n];

	q->desc[id].len = len;
	q->avail.ring[q->avail.idx % VSER_QSIZE] = id;
	dma_wmb();
	__atomic_store_n(&q->avail.idx, (uint16_t)(q->avail.idx + 1), __ATOMIC_RELAXED);
	dma_wmb();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, (uint32_t)n);
}

size_t vser_read(void *buf, size_t len)
{
	struct vser_queue *q = &vs.q[RXQ];
	size_t got = 0;

	while (vs.regs && got < len) {
		struct vser_used_elem e;
		uint32_t n;

		if (vs.rx_id < 0) {
			if (!used_take(q, &e))
				break;
			vs.rx_id = (int)e.id;
			vs.rx_len = e.len > VSER_BUF_SIZE ? VSER_BUF_SIZE : e.len;
			vs.rx_off = 0;
		}
		n = vs.rx_len - vs.rx_off;
		if (n > len - got)
			n = (uint32_t)(len - got);
		memcpy((uint8_t *)buf + got, q->buf[vs.rx_id] + vs.rx_off, n);
		got += n;
		vs.rx_off += n;
		if (vs.rx_off == vs.rx_len) {
			avail_put(RXQ, (uint16_t)vs.rx_id, VSER_BUF_SIZE);
			vs.rx_id = -1;
		}
	}
	return got;
}

int vser_wait(k_timeout_t timeout)
{
	return k_sem_take(&vs.irq, timeout);
}

void vser_kick(void)
{
	k_sem_give(&vs.irq);
}

/* Take back the transmit buffers the device has finished with. */
static void tx_reclaim(void)
{
	struct vser_queue *q = &vs.q[TXQ];
	struct vser_used_elem e;

	while (used_take(q, &e))
		if (q->nfree < VSER_QSIZE)
			q->free[q->nfree++] = (uint16_t)e.id;
}

size_t vser_write(const void *buf, size_t len, k_timeout_t timeout)
{
	struct vser_queue *q = &vs.q[TXQ];
	uint64_t deadline = k_cycle_get() + (timeout > 0 ? (uint64_t)timeout : 0);
	int need = (int)((len + VSER_BUF_SIZE - 1) / VSER_BUF_SIZE);

	if (!vs.regs || need > VSER_QSIZE) {
		vs.dropped += len;
		return 0;
	}
	for (tx_reclaim(); q->nfree < need; tx_reclaim()) {
		if (k_cycle_get() >= deadline) {
			vs.dropped += len;
			return 0;
		}
		k_sleep(K_MSEC(1));
	}
	for (size_t done = 0; done < len;) {
		size_t n = len - done > VSER_BUF_SIZE ? VSER_BUF_SIZE : len - done;
		uint16_t id = q->free[--q->nfree];

		memcpy(q->buf[id], (const uint8_t *)buf + done, n);
		avail_put(TXQ, id, (uint32_t)n);
		done += n;
	}
	return len;
}

uint64_t vser_dropped(void)
{
	return vs.dropped;
}
