/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (device id 2) backed by a disk image in host memory, placed
 * there by QEMU's generic loader (an IMAGE_ slot of the build). Reads and
 * writes go straight to that memory, so what a guest writes survives its
 * reboot and `zvm reset` for as long as zvm runs. Requests: IN, OUT,
 * FLUSH (nothing to flush: memory is the medium) and GET_ID.
 *
 * A disk belongs to one VM at a time: the table below records the owner,
 * and a second VM that names the same disk is refused. The table changes
 * only in vm_setup/vm_teardown, which run under vmm_lock. A disk of the
 * build keeps its entry (and what guests wrote) while zvm runs; a disk
 * pushed at run time (mgmt/images.c) is held by reference while its VM has
 * the device, and its entry is dropped with the device: zvm may then free
 * it (include/zvm/vm_config.h).
 */
#include <stdio.h>
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/virtio.h>
#include <zvm/vm.h>

#define Q_REQ       0
#define SECTOR      512ull
#define SEG_MAX     (VQ_MAX_SIZE - 2) /* header and status take two */
#define CONFIG_SIZE 24                /* capacity, size_max, seg_max, geometry, blk_size */
#define ID_LEN      20

#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_FLUSH   9

#define T_IN     0
#define T_OUT    1
#define T_FLUSH  4
#define T_GET_ID 8

#define S_OK     0
#define S_IOERR  1
#define S_UNSUPP 2

#define MAX_DISKS 4

struct disk {
	char name[VIRTIO_DISK_NAME_LEN];
	uint8_t *data;
	uint64_t size;
	struct vm *owner;
};

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct disk disks[MAX_DISKS];

/*
 * The disk called name, checked against the image manifest the first time
 * only: after that the guest owns its bytes (it may rewrite the first
 * ones the manifest checks).
 */
static struct disk *disk_find(const char *name, char *err, size_t len)
{
	const void *addr;
	uint64_t size;
	int i, free_at = -1;

	for (i = 0; i < MAX_DISKS; i++) {
		if (disks[i].data && !strcmp(disks[i].name, name))
			return &disks[i];
		if (!disks[i].data && free_at < 0)
			free_at = i;
	}
	if (free_at < 0) {
		errmsg(err, len, "more than %d disk images in use", MAX_DISKS);
		return NULL;
	}
	i = free_at;
	if (vm_config_image_find(name, &addr, &size, err, len) != 0)
		return NULL;
	if (size < SECTOR) {
		vm_config_image_put(addr);
		errmsg(err, len, "disk image '%s' is smaller than one sector", name);
		return NULL;
	}
	snprintf(disks[i].name, sizeof(disks[i].name), "%s", name);
	disks[i].data = (uint8_t *)addr;
	disks[i].size = size;
	return &disks[i];
}

static struct disk *disk_claim(struct vm *vm, const char *name, char *err, size_t len)
{
	struct disk *k = disk_find(name, err, len);

	if (k && k->owner && k->owner != vm) {
		errmsg(err, len, "disk '%s' is in use by VM %d (%s): one VM at a time", name,
		       k->owner->id, k->owner->cfg.name);
		return NULL;
	}
	if (k)
		k->owner = vm;
	return k;
}

/* ---- requests ---- */

/* Is [sector, + bytes) on the disk, in whole sectors? */
static bool in_range(const struct disk *k, uint64_t sector, uint64_t bytes)
{
	return bytes % SECTOR == 0 && sector <= k->size / SECTOR &&
	       bytes <= (k->size / SECTOR - sector) * SECTOR;
}

/* Move the data of a read or write; returns the status and the bytes written. */
static uint8_t blk_rw(struct virtio_dev *d, const struct disk *k, const struct blk_hdr *h,
		      uint32_t *written)
{
	const struct vq_chain *c = &d->chain;
	bool in = h->type == T_IN;
	uint64_t bytes = in ? c->write_len - 1 : c->read_len - sizeof(*h);
	long n;

	if (!in_range(k, h->sector, bytes))
		return S_IOERR;
	if (in)
		n = vq_chain_write(&d->vm->s2, c, 0, k->data + h->sector * SECTOR, bytes);
	else
		n = vq_chain_read(&d->vm->s2, c, sizeof(*h), k->data + h->sector * SECTOR, bytes);
	if (n != (long)bytes)
		return S_IOERR;
	*written = in ? (uint32_t)bytes : 0;
	return S_OK;
}

static uint8_t blk_get_id(struct virtio_dev *d, const struct disk *k, uint32_t *written)
{
	char id[VIRTIO_DISK_NAME_LEN + 8]; /* cut to ID_LEN bytes */
	uint64_t n = d->chain.write_len - 1;

	snprintf(id, sizeof(id), "zvm-%s", k->name);
	n = n < ID_LEN ? n : ID_LEN;
	if (vq_chain_write(&d->vm->s2, &d->chain, 0, id, n) != (long)n)
		return S_IOERR;
	*written = (uint32_t)n;
	return S_OK;
}

static uint8_t blk_do(struct virtio_dev *d, const struct disk *k, const struct blk_hdr *h,
		      uint32_t *written)
{
	switch (h->type) {
	case T_IN:
	case T_OUT:
		return blk_rw(d, k, h, written);
	case T_FLUSH:
		return S_OK;
	case T_GET_ID:
		return blk_get_id(d, k, written);
	default:
		return S_UNSUPP;
	}
}

/* One request: header (readable), data, status byte (the last writable byte). */
static int blk_request(struct virtio_dev *d, const struct disk *k, char *err, size_t len)
{
	const struct vq_chain *c = &d->chain;
	struct blk_hdr h;
	uint32_t written = 0;
	uint8_t status;

	if (!c->write_len)
		return errmsg(err, len, "request %u has no writable status byte", c->head);
	if (vq_chain_read(&d->vm->s2, c, 0, &h, sizeof(h)) != (long)sizeof(h))
		return errmsg(err, len, "request %u has a header shorter than %zu bytes", c->head,
			      sizeof(h));
	status = blk_do(d, k, &h, &written);
	if (vq_chain_write(&d->vm->s2, c, c->write_len - 1, &status, 1) != 1)
		return errmsg(err, len, "request %u: status byte went away", c->head);
	return virtio_used(d, Q_REQ, c->head, written + 1, err, len);
}

static int blk_notify(struct virtio_dev *d, int q, char *err, size_t len)
{
	int r;

	(void)q;
	while ((r = vq_pop(&d->vq[Q_REQ], &d->vm->s2, &d->chain, err, len)) == 1)
		if (blk_request(d, d->priv, err, len))
			return K_EINVAL;
	return r;
}

static uint64_t blk_config_read(struct virtio_dev *d, uint64_t off, unsigned size)
{
	const struct disk *k = d->priv;
	uint8_t cfg[CONFIG_SIZE] = { 0 };
	uint64_t capacity = k->size / SECTOR, v = 0;
	uint32_t seg_max = SEG_MAX, blk_size = SECTOR;

	memcpy(cfg, &capacity, 8);
	memcpy(cfg + 12, &seg_max, 4);
	memcpy(cfg + 20, &blk_size, 4);
	memcpy(&v, cfg + off, size); /* the caller checked off + size */
	return v;
}

/* Its VM gives the disk up: a runtime disk's reference and entry go with it. */
static void disk_release(struct disk *k)
{
	k->owner = NULL;
	if (vm_config_image_put(k->data))
		memset(k, 0, sizeof(*k));
}

static void blk_destroy(struct virtio_dev *d)
{
	struct disk *k = d->priv;

	if (k->owner == d->vm)
		disk_release(k);
}

static const struct virtio_ops blk_ops = {
	.name = "blk",
	.device_id = VIRTIO_TYPE_BLOCK,
	.nr_queues = 1,
	.features = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_FLUSH),
	.config_read = blk_config_read,
	.notify = blk_notify,
	.destroy = blk_destroy,
};

struct virtio_dev *virtio_blk_create(struct vm *vm, const struct virtio_cfg *cfg, char *err,
				     size_t len)
{
	struct disk *k = disk_claim(vm, cfg->disk, err, len);
	struct virtio_dev *d;

	if (!k)
		return NULL;
	d = virtio_mmio_create(vm, cfg, &blk_ops, k, CONFIG_SIZE, err, len);
	if (!d)
		disk_release(k);
	return d;
}
