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
	case VIRTIO_MMIO_MAGIC:		return VIRTIO_MMIO_MAGIC_VALUE;
	case VIRTIO_MMIO_VERSION:	return VIRTIO_MMIO_VERSION_MODERN;
	case VIRTIO_MMIO_DEVICE_ID:	return d->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:	return VIRTIO_VENDOR_ZVM;
	case VIRTIO_MMIO_DEV_FEATURES:
		return d->dev_features_sel > 1 ? 0 :
		       (uint32_t)(dev_features(d) >> (32 * d->dev_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:	return vq ? VQ_MAX_SIZE : 0;
	case VIRTIO_MMIO_QUEUE_READY:	return vq ? vq->ready : 0;
	case VIRTIO_MMIO_INT_STATUS:	return d->isr;
	case VIRTIO_MMIO_STATUS:	return d->status;
	case VIRTIO_MMIO_SHM_LEN_LO:
	case VIRTIO_MMIO_SHM_LEN_HI:	return 0xffffffffu;	/* no shared memory */
	case VIRTIO_MMIO_CONFIG_GEN:	return 0;		/* the config never changes */
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
	uint64_t *field = off < VIRTIO_MMIO_QUEUE_DRIVER_LO ? &vq->desc :
			  off < VIRTIO_MMIO_QUEUE_DEVICE_LO ? &vq->avail : &vq->used;
	int shift = (off & 4) ? 32 : 0;

	*field = (*field & ~(0xffffffffull << shift)) | ((uint64_t)v << shift);
}

static void write_queue_reg(struct virtio_dev *d, uint64_t off, uint32_t v)
{
	struct virtqueue *vq = cur_vq(d);

	if (!vq)
		return;
	if (off == VIRTIO_MMIO_QUEUE_READY)
		write_queue_ready(d, vq, v);
	else if (vq->ready)
		return;
	else if (off == VIRTIO_MMIO_QUEUE_NUM)
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
	case VIRTIO_MMIO_DEV_FEATURES_SEL:	d->dev_features_sel = v; break;
	case VIRTIO_MMIO_DRV_FEATURES:		write_driver_features(d, v); break;
	case VIRTIO_MMIO_DRV_FEATURES_SEL:	d->drv_features_sel = v; break;
	case VIRTIO_MMIO_QUEUE_SEL:		d->queue_sel = v; break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:		write_notify(d, v); break;
	case VIRTIO_MMIO_INT_ACK:		d->isr &= ~v; virtio_update_irq(d); break;
	case VIRTIO_MMIO_STATUS:		write_status(d, v); break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LO:
	case VIRTIO_MMIO_QUEUE_DESC_HI:
	case VIRTIO_MMIO_QUEUE_DRIVER_LO:
	case VIRTIO_MMIO_QUEUE_DRIVER_HI:
	case VIRTIO_MMIO_QUEUE_DEVICE_LO:
	case VIRTIO_MMIO_QUEUE_DEVICE_HI:	write_queue_reg(d, off, v); break;
	default:			break;	/* read-only or unknown: ignored */
	}
}

static int virtio_access(struct vcpu *vcpu, struct vdev *vdev, struct mmio_access *acc)
{
	struct virtio_dev *d = vdev->priv;
	uint64_t off = acc->offset;

	(void)vcpu;
	k_mutex_lock(&d->lock, K_FOREVER);
	if (off >= VIRTIO_MMIO_CONFIG) {
		off -= VIRTIO_MMIO_CONFIG;
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
