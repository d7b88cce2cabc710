/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues (virtio 1.x) read from and written to guest memory
 * through the VM's stage-2 map. Every guest-physical range is translated
 * page by page with vmem_translate and must be RAM (not a device mapping)
 * with the permission the access needs; every index, length and address
 * the guest wrote is checked. A bad ring gives an error with a message,
 * never an access outside the VM or an endless walk.
 */
#ifndef ZVM_VIRTQUEUE_H
#define ZVM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/virtio_regs.h>
#include <zvm/vmem.h>

#define VQ_MAX_SIZE 128 /* QueueNumMax of every queue */
#define VQ_ERR_LEN  96

/*
 * Traffic of one queue since the device was made (a driver's reset keeps
 * it): chains taken, bytes the device read from them, bytes it wrote back,
 * and malformed rings refused (vq_pop's K_EINVAL).
 * Written only by vq_pop/vq_push, under the device's lock; read by
 * `stats` without a lock (single words: a reader may mix two instants).
 */
struct vq_stats {
	uint64_t requests, bytes_read, bytes_written, refused;
};

/** One queue as the driver configured it through the transport. */
struct virtqueue {
	uint16_t num; /* queue size; 0 = not configured */
	bool ready;
	uint64_t desc, avail, used; /* guest-physical addresses */
	uint16_t last_avail;        /* next avail ring entry to take */
	uint16_t used_idx;          /* our copy of used->idx */
	struct vq_stats stats;
};

/** One descriptor of a chain, checked: [ipa, ipa + len) is guest RAM. */
struct vq_seg {
	uint64_t ipa;
	uint32_t len;
	bool write; /* device-writable */
};

/** A descriptor chain taken from the avail ring. */
struct vq_chain {
	uint16_t head; /* index of its first descriptor */
	uint16_t nsegs;
	uint16_t nread;               /* the first nread segments are device-readable */
	uint64_t read_len, write_len; /* bytes in each part */
	struct vq_seg seg[VQ_MAX_SIZE];
};

/**
 * Copy len bytes between guest-physical ipa and buf, one page at a time;
 * each page must be mapped RAM with `prot` (VMEM_READ to read, VMEM_WRITE
 * to write). Returns 0 or K_EINVAL (nothing copied then).
 */
int vq_guest_read(const struct vmem *s2, uint64_t ipa, void *buf, size_t len);
int vq_guest_write(const struct vmem *s2, uint64_t ipa, const void *buf, size_t len);
/** Whether [ipa, ipa + len) is guest RAM with prot, page by page (len 0: false). */
bool vq_guest_range_ok(const struct vmem *s2, uint64_t ipa, uint64_t len, unsigned prot);

/** Reset a queue to its unconfigured state. */
void vq_reset(struct virtqueue *vq);
/**
 * Check a queue the driver marks ready: size a power of two within
 * VQ_MAX_SIZE, aligned rings in guest RAM. Returns 0, or K_EINVAL with err.
 */
int vq_check_ready(const struct virtqueue *vq, const struct vmem *s2, char *err, size_t len);
/**
 * Take the next available chain into *c. Returns 1 when one was taken, 0
 * when the ring is empty, K_EINVAL with err when the ring is malformed
 * (index jumps, descriptor out of range, loop, bad address or length,
 * indirect descriptor, readable after writable, zero length).
 */
int vq_pop(struct virtqueue *vq, const struct vmem *s2, struct vq_chain *c, char *err, size_t len);
/** Give chain head back with `written` bytes written; 0 or K_EINVAL with err. */
int vq_push(struct virtqueue *vq, const struct vmem *s2, uint16_t head, uint32_t written, char *err,
	    size_t len);
/** Whether the driver wants an interrupt for used buffers (avail flags). */
bool vq_wants_irq(const struct virtqueue *vq, const struct vmem *s2);

/**
 * Copy from the readable part of c, starting `off` bytes into it; returns
 * the bytes copied (short at its end), or -1 if the guest memory went away.
 */
long vq_chain_read(const struct vmem *s2, const struct vq_chain *c, uint64_t off, void *buf,
		   size_t len);
/** Copy into the writable part of c, starting `off` bytes into it; as above. */
long vq_chain_write(const struct vmem *s2, const struct vq_chain *c, uint64_t off, const void *buf,
		    size_t len);

#endif /* ZVM_VIRTQUEUE_H */
