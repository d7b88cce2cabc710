/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (device id 1): one receive and one transmit queue, a MAC
 * address in the config space (02:5a:56:<vm id>:00:<device>), no
 * offloads. Every device is a port of the switch in vswitch.c.
 *
 * A transmitted frame is copied out of the guest, its buffer given back,
 * and only then forwarded with the device's lock released, so that two
 * VMs sending to each other never wait for each other's locks.
 */
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/virtio.h>
#include <zvm/vm.h>
#include <zvm/vswitch.h>

#define Q_RX             0
#define Q_TX             1
#define HDR_LEN          12 /* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define HDR_NUM_BUFFERS  10
#define FRAME_MIN        14
#define FRAME_MAX        1518 /* 1500 bytes of payload, Ethernet and VLAN headers */
#define CONFIG_SIZE      8    /* mac[6], status */
#define VIRTIO_NET_F_MAC 5

struct vnet {
	struct vswitch_port port; /* first: the switch hands it back */
	struct virtio_dev *dev;
	uint8_t mac[6];
};

/* ---- receive: a frame from the switch into the guest ---- */

static int rx_one(struct virtio_dev *d, const uint8_t *frame, size_t len, char *err, size_t elen)
{
	const struct vq_chain *c = &d->chain;
	uint8_t hdr[HDR_LEN] = { 0 };
	int r = vq_pop(&d->vq[Q_RX], &d->vm->s2, &d->chain, err, elen);

	if (r <= 0)
		return r; /* no buffer: the frame is dropped */
	if (!c->write_len)
		return errmsg(err, elen, "receive buffer %u has no device-writable descriptor",
			      c->head);
	if (c->write_len < HDR_LEN + len) /* too small: given back empty */
		return virtio_used(d, Q_RX, c->head, 0, err, elen);
	hdr[HDR_NUM_BUFFERS] = 1;
	if (vq_chain_write(&d->vm->s2, c, 0, hdr, HDR_LEN) != HDR_LEN ||
	    vq_chain_write(&d->vm->s2, c, HDR_LEN, frame, len) != (long)len)
		return errmsg(err, elen, "receive buffer %u went away", c->head);
	return virtio_used(d, Q_RX, c->head, (uint32_t)(HDR_LEN + len), err, elen);
}

static void net_deliver(struct vswitch_port *p, const uint8_t *frame, size_t len)
{
	struct virtio_dev *d = ((struct vnet *)p)->dev;
	char err[VQ_ERR_LEN];

	k_mutex_lock(&d->lock, K_FOREVER);
	if (virtio_live(d) && d->vq[Q_RX].ready && rx_one(d, frame, len, err, sizeof(err)) < 0)
		virtio_fail(d, err);
	virtio_update_irq(d);
	k_mutex_unlock(&d->lock);
}

/* ---- transmit: from the guest to the switch ---- */

/* Copy the frame of chain c into a new buffer; NULL (dropped) if it is no frame. */
static uint8_t *tx_copy(struct virtio_dev *d, const struct vq_chain *c, size_t *len)
{
	uint64_t n = c->read_len > HDR_LEN ? c->read_len - HDR_LEN : 0;
	uint8_t *frame;

	if (n < FRAME_MIN || n > FRAME_MAX)
		return NULL;
	frame = k_malloc((size_t)n);
	if (frame && vq_chain_read(&d->vm->s2, c, HDR_LEN, frame, (size_t)n) != (long)n) {
		k_free(frame);
		frame = NULL;
	}
	*len = (size_t)n;
	return frame;
}

/* Forward one frame without holding this device's lock (see the top). */
static void tx_forward(struct virtio_dev *d, uint8_t *frame, size_t len)
{
	virtio_update_irq(d);
	k_mutex_unlock(&d->lock);
	vswitch_send(&((struct vnet *)d->priv)->port, frame, len);
	k_free(frame);
	k_mutex_lock(&d->lock, K_FOREVER);
}

static int tx_all(struct virtio_dev *d, char *err, size_t elen)
{
	uint8_t *frame;
	size_t len;
	int r;

	while ((r = vq_pop(&d->vq[Q_TX], &d->vm->s2, &d->chain, err, elen)) == 1) {
		frame = tx_copy(d, &d->chain, &len);
		if (virtio_used(d, Q_TX, d->chain.head, 0, err, elen)) {
			k_free(frame);
			return K_EINVAL;
		}
		if (frame)
			tx_forward(d, frame, len);
		if (!virtio_live(d) || !d->vq[Q_TX].ready)
			return 0; /* reset while the lock was free */
	}
	return r;
}

static int net_notify(struct virtio_dev *d, int q, char *err, size_t len)
{
	return q == Q_TX ? tx_all(d, err, len) : 0; /* new receive buffers: kept */
}

static uint64_t net_config_read(struct virtio_dev *d, uint64_t off, unsigned size)
{
	const struct vnet *n = d->priv;
	uint8_t cfg[CONFIG_SIZE] = { 0 };
	uint64_t v = 0;

	memcpy(cfg, n->mac, 6);
	memcpy(&v, cfg + off, size); /* the caller checked off + size */
	return v;
}

static void net_destroy(struct virtio_dev *d)
{
	struct vnet *n = d->priv;

	vswitch_detach(&n->port);
	k_free(n);
}

static const struct virtio_ops net_ops = {
	.name = "net",
	.device_id = VIRTIO_TYPE_NET,
	.nr_queues = 2,
	.features = 1ull << VIRTIO_NET_F_MAC,
	.config_read = net_config_read,
	.notify = net_notify,
	.destroy = net_destroy,
};

struct virtio_dev *virtio_net_create(struct vm *vm, const struct virtio_cfg *cfg, char *err,
				     size_t len)
{
	struct vnet *n = k_calloc(1, sizeof(*n));
	struct virtio_dev *d;
	int idx = (int)(cfg - vm->cfg.virtio);

	if (!n) {
		errmsg(err, len, "out of memory for virtio-net");
		return NULL;
	}
	n->port = (struct vswitch_port){ .index = -1, .deliver = net_deliver };
	memcpy(n->mac, (uint8_t[6]){ 0x02, 0x5a, 0x56, (uint8_t)vm->id, 0, (uint8_t)idx }, 6);
	d = virtio_mmio_create(vm, cfg, &net_ops, n, CONFIG_SIZE, err, len);
	if (!d) {
		k_free(n);
		return NULL;
	}
	n->dev = d;
	if (vswitch_attach(&n->port) != 0) { /* only now may frames arrive */
		errmsg(err, len, "the virtual switch has no free port");
		virtio_mmio_destroy(d);
		return NULL;
	}
	return d;
}
