/*
 * The virtio-mmio transport, modern interface (Version 2) only: the
 * register file of one device on the VM's MMIO bus, feature negotiation
 * (VIRTIO_F_VERSION_1 required), queue setup, notifications and the
 * level-triggered interrupt (high while InterruptStatus is non-zero).
 */
#include <stdio.h>
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/log.h>
#include <zvm/vdev.h>
#include <zvm/vgic.h>
#include <zvm/virtio.h>
#include <zvm/vm.h>

#define REG_MAGIC		0x000
#define REG_VERSION		0x004
#define REG_DEVICE_ID		0x008
#define REG_VENDOR_ID		0x00c
#define REG_DEV_FEATURES	0x010
#define REG_DEV_FEATURES_SEL	0x014
#define REG_DRV_FEATURES	0x020
#define REG_DRV_FEATURES_SEL	0x024
#define REG_QUEUE_SEL		0x030
#define REG_QUEUE_NUM_MAX	0x034
#define REG_QUEUE_NUM		0x038
#define REG_QUEUE_READY		0x044
#define REG_QUEUE_NOTIFY	0x050
#define REG_INT_STATUS		0x060
#define REG_INT_ACK		0x064
#define REG_STATUS		0x070
#define REG_QUEUE_DESC_LO	0x080
#define REG_QUEUE_DESC_HI	0x084
#define REG_QUEUE_DRIVER_LO	0x090
#define REG_QUEUE_DRIVER_HI	0x094
#define REG_QUEUE_DEVICE_LO	0x0a0
#define REG_QUEUE_DEVICE_HI	0x0a4
#define REG_SHM_LEN_LO		0x0b0
#define REG_SHM_LEN_HI		0x0b4
#define REG_CONFIG_GEN		0x0fc
#define REG_CONFIG		0x100

#define VIRTIO_MAGIC		0x74726976	/* "virt" */
#define VIRTIO_VENDOR_ZVM	0x004d565a	/* "ZVM" */

static uint64_t dev_features(const struct virtio_dev *d)
{
	return d->ops->features | (1ull << VIRTIO_F_VERSION_1);
}

void virtio_update_irq(struct virtio_dev *d)
{
	bool level = d->isr != 0;

	if (level != d->irq_level) {
		d->irq_level = level;
		vgic_inject(d->vm, 0, d->intid, level);
	}
}

void virtio_fail(struct virtio_dev *d, const char *why)
{
	if (d->broken)
		return;
	d->broken = true;
	d->status |= VIRTIO_STATUS_NEEDS_RESET;
	d->isr |= VIRTIO_INT_CONFIG;
	virtio_update_irq(d);
	LOG_WRN("VM %d (%s) virtio-%s@0x%llx: %s: device needs reset", d->vm->id,
		d->vm->cfg.name, d->ops->name, (unsigned long long)d->base, why);
}

bool virtio_live(const struct virtio_dev *d)
{
	return !d->broken && (d->status & VIRTIO_STATUS_DRIVER_OK);
}

int virtio_used(struct virtio_dev *d, int q, uint16_t head, uint32_t written, char *err,
		size_t len)
{
	struct virtqueue *vq = &d->vq[q];
	int ret = vq_push(vq, &d->vm->s2, head, written, err, len);

	if (!ret && vq_wants_irq(vq, &d->vm->s2))
		d->isr |= VIRTIO_INT_USED;
	return ret;
}

static void device_reset(struct virtio_dev *d)
{
	for (int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		vq_reset(&d->vq[q]);
	d->status = 0;
	d->dev_features_sel = d->drv_features_sel = d->queue_sel = 0;
	d->driver_features = 0;
	d->isr = 0;
	d->broken = false;
	if (d->ops->reset)
		d->ops->reset(d);
	virtio_update_irq(d);
}

/* ---- registers ---- */

static struct virtqueue *cur_vq(struct virtio_dev *d)
{
	return d->queue_sel < (uint32_t)d->ops->nr_queues ? &d->vq[d->queue_sel] : NULL;
}

static uint32_t read_reg(struct virtio_dev *d, uint64_t off)
{
	struct virtqueue *vq = cur_vq(d);

	switch (off) {
	case REG_MAGIC:		return VIRTIO_MAGIC;
	case REG_VERSION:	return 2;
	case REG_DEVICE_ID:	return d->ops->device_id;
	case REG_VENDOR_ID:	return VIRTIO_VENDOR_ZVM;
	case REG_DEV_FEATURES:
		return d->dev_features_sel > 1 ? 0 :
		       (uint32_t)(dev_features(d) >> (32 * d->dev_features_sel));
	case REG_QUEUE_NUM_MAX:	return vq ? VQ_MAX_SIZE : 0;
	case REG_QUEUE_READY:	return vq ? vq->ready : 0;
	case REG_INT_STATUS:	return d->isr;
	case REG_STATUS:	return d->status;
	case REG_SHM_LEN_LO:
	case REG_SHM_LEN_HI:	return 0xffffffffu;	/* no shared memory regions */
	case REG_CONFIG_GEN:	return 0;		/* the config never changes */
	default:		return 0;
	}
}

/* FEATURES_OK: the driver's features must be offered ones and include VERSION_1. */
static uint32_t features_ok(struct virtio_dev *d, uint32_t status)
{
	uint64_t f = d->driver_features;

	if (!(status & VIRTIO_STATUS_FEATURES_OK) || (d->status & VIRTIO_STATUS_FEATURES_OK))
		return status;
	if ((f & ~dev_features(d)) == 0 && (f & (1ull << VIRTIO_F_VERSION_1)))
		return status;
	LOG_WRN("VM %d (%s) virtio-%s@0x%llx: driver features 0x%llx refused (%s)",
		d->vm->id, d->vm->cfg.name, d->ops->name, (unsigned long long)d->base,
		(unsigned long long)f, (f & (1ull << VIRTIO_F_VERSION_1)) ?
		"features not offered" : "VIRTIO_F_VERSION_1 is required: legacy drivers are not supported");
	return status & ~VIRTIO_STATUS_FEATURES_OK;
}

static void write_status(struct virtio_dev *d, uint32_t v)
{
	if (v == 0) {
		device_reset(d);
		return;
	}
	v = features_ok(d, v & 0xff & ~VIRTIO_STATUS_NEEDS_RESET);
	d->status = v | (d->broken ? VIRTIO_STATUS_NEEDS_RESET : 0);
}

static void write_queue_ready(struct virtio_dev *d, struct virtqueue *vq, uint32_t v)
{
	char err[VQ_ERR_LEN];

	if (!v) {
		vq->ready = false;
		return;
	}
	if (vq->ready)
		return;
	if (vq_check_ready(vq, &d->vm->s2, err, sizeof(err)) != 0) {
		virtio_fail(d, err);
		return;
	}
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->ready = true;
}

static void write_notify(struct virtio_dev *d, uint32_t q)
{
	char err[VQ_ERR_LEN];

	if (!virtio_live(d) || q >= (uint32_t)d->ops->nr_queues || !d->vq[q].ready)
		return;
	if (d->ops->notify(d, (int)q, err, sizeof(err)) != 0)
		virtio_fail(d, err);
	virtio_update_irq(d);
}

/* Queue address halves: only while the queue is not ready (as the spec asks). */
static void write_queue_addr(struct virtqueue *vq, uint64_t off, uint32_t v)
{
	uint64_t *field = off < REG_QUEUE_DRIVER_LO ? &vq->desc :
			  off < REG_QUEUE_DEVICE_LO ? &vq->avail : &vq->used;
	int shift = (off & 4) ? 32 : 0;

	*field = (*field & ~(0xffffffffull << shift)) | ((uint64_t)v << shift);
}

static void write_queue_reg(struct virtio_dev *d, uint64_t off, uint32_t v)
{
	struct virtqueue *vq = cur_vq(d);

	if (!vq)
		return;
	if (off == REG_QUEUE_READY)
		write_queue_ready(d, vq, v);
	else if (vq->ready)
		return;
	else if (off == REG_QUEUE_NUM)
		vq->num = v > 0xffff ? 0xffff : (uint16_t)v;	/* checked when ready */
	else
		write_queue_addr(vq, off, v);
}

static void write_driver_features(struct virtio_dev *d, uint32_t v)
{
	int shift = 32 * (int)d->drv_features_sel;

	if (d->drv_features_sel > 1 || (d->status & VIRTIO_STATUS_FEATURES_OK))
		return;
	d->driver_features = (d->driver_features & ~(0xffffffffull << shift)) |
			     ((uint64_t)v << shift);
}

static void write_reg(struct virtio_dev *d, uint64_t off, uint32_t v)
{
	switch (off) {
	case REG_DEV_FEATURES_SEL:	d->dev_features_sel = v; break;
	case REG_DRV_FEATURES:		write_driver_features(d, v); break;
	case REG_DRV_FEATURES_SEL:	d->drv_features_sel = v; break;
	case REG_QUEUE_SEL:		d->queue_sel = v; break;
	case REG_QUEUE_NOTIFY:		write_notify(d, v); break;
	case REG_INT_ACK:		d->isr &= ~v; virtio_update_irq(d); break;
	case REG_STATUS:		write_status(d, v); break;
	case REG_QUEUE_NUM:
	case REG_QUEUE_READY:
	case REG_QUEUE_DESC_LO:
	case REG_QUEUE_DESC_HI:
	case REG_QUEUE_DRIVER_LO:
	case REG_QUEUE_DRIVER_HI:
	case REG_QUEUE_DEVICE_LO:
	case REG_QUEUE_DEVICE_HI:	write_queue_reg(d, off, v); break;
	default:			break;	/* read-only or unknown: ignored */
	}
}

static int virtio_access(struct vcpu *vcpu, struct vdev *vdev, struct mmio_access *acc)
{
	struct virtio_dev *d = vdev->priv;
	uint64_t off = acc->offset;

	(void)vcpu;
	k_mutex_lock(&d->lock, K_FOREVER);
	if (off >= REG_CONFIG) {
		off -= REG_CONFIG;
		if (!acc->write)	/* config space is read-only here */
			acc->value = off + acc->size <= d->config_size ?
				     d->ops->config_read(d, off, acc->size) : 0;
	} else if (acc->size != 4 || (off & 3)) {
		if (!acc->write)
			acc->value = 0;		/* registers are 32-bit only */
	} else if (acc->write) {
		write_reg(d, off, (uint32_t)acc->value);
	} else {
		acc->value = read_reg(d, off);
	}
	k_mutex_unlock(&d->lock);
	return 0;
}

/* ---- creation ---- */

struct virtio_dev *virtio_mmio_create(struct vm *vm, const struct virtio_cfg *cfg,
				      const struct virtio_ops *ops, void *priv,
				      uint64_t config_size, char *err, size_t len)
{
	struct virtio_dev *d = k_calloc(1, sizeof(*d));
	struct vdev dev = {
		.name = ops->name, .base = cfg->base, .size = VIRTIO_MMIO_SIZE,
		.access = virtio_access, .priv = d,
	};

	if (!d) {
		errmsg(err, len, "out of memory for virtio-%s", ops->name);
		return NULL;
	}
	*d = (struct virtio_dev){ .vm = vm, .ops = ops, .priv = priv, .base = cfg->base,
				  .intid = 32 + (uint32_t)cfg->spi, .config_size = config_size };
	k_mutex_init(&d->lock);
	if (vdev_register(vm, &dev) != 0) {
		errmsg(err, len, "virtio-%s at 0x%llx: its window overlaps another device",
		       ops->name, (unsigned long long)cfg->base);
		k_free(d);
		return NULL;
	}
	return d;
}

void virtio_mmio_destroy(struct virtio_dev *d)
{
	vdev_unregister_priv(d->vm, d);
	if (d->irq_level)
		vgic_inject(d->vm, 0, d->intid, false);
	if (d->ops->destroy)
		d->ops->destroy(d);
	k_free(d);
}
