/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues in guest memory (include/zvm/virtqueue.h).
 *
 * The guest owns the rings and may change them at any time, so nothing
 * read from them is trusted: each field is copied out once through the
 * checked accessors and then validated. Guest memory is reached only
 * through vmem_translate, page by page, so a range that crosses a page
 * (or the end of RAM, or into an MMIO hole) is checked where it lands.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/kernel.h>
#include <zvm/mm.h>
#include <zvm/virtqueue.h>

/* Ring layout (virtio 1.x, split virtqueue). */
#define DESC_SIZE     sizeof(struct vring_desc) /* 16 */
#define AVAIL_RING(i) (4 + 2 * (uint64_t)(i))   /* after flags, idx */
#define USED_RING(i)  (4 + 8 * (uint64_t)(i))
#define RING_IDX      2 /* offset of idx in avail and used */

/* ---- guest memory, page by page ---- */

/*
 * Bulk copy of guest data (disk blocks, frames). picolibc's memcpy in this
 * build is a byte loop (the library is built for size), which made
 * virtio-blk five times slower than QEMU's device: copy 32 bytes per step
 * instead, the rest with memcpy. Both ends are normal memory (guest RAM,
 * disk image, heap), where AArch64 allows unaligned accesses (GCC emits them
 * too), so frames at odd offsets behind a 12-byte header go fast as well.
 * The fixed-size copies compile to plain loads and stores; GCC must not
 * turn the loop back into a memcpy call.
 */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) static void
bulk_copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	uint64_t w[4];

	for (; n >= 32; n -= 32, d += 32, s += 32) {
		__builtin_memcpy(w, s, 32);
		__builtin_memcpy(d, w, 32);
	}
	memcpy(d, s, n);
}

/* Host address of ipa if its page is RAM with prot; NULL otherwise. */
static void *guest_page(const struct vmem *s2, uint64_t ipa, unsigned prot)
{
	uint64_t pa;
	unsigned have;

	if (vmem_translate(s2, ipa, &pa, &have) != 0)
		return NULL;
	if ((have & VMEM_DEVICE) || (have & prot) != prot)
		return NULL;
	return (void *)(uintptr_t)pa;
}

/* Bytes from ipa to the end of its page, at most len. */
static size_t page_chunk(uint64_t ipa, uint64_t len)
{
	uint64_t room = PAGE_SIZE - (ipa & (PAGE_SIZE - 1));

	return (size_t)(len < room ? len : room);
}

bool vq_guest_range_ok(const struct vmem *s2, uint64_t ipa, uint64_t len, unsigned prot)
{
	if (len == 0 || ipa + len < ipa)
		return false;
	while (len) {
		size_t n = page_chunk(ipa, len);

		if (!guest_page(s2, ipa, prot))
			return false;
		ipa += n;
		len -= n;
	}
	return true;
}

int vq_guest_read(const struct vmem *s2, uint64_t ipa, void *buf, size_t len)
{
	uint8_t *out = buf;

	if (!vq_guest_range_ok(s2, ipa, len, VMEM_READ))
		return K_EINVAL;
	while (len) {
		size_t n = page_chunk(ipa, len);

		bulk_copy(out, guest_page(s2, ipa, VMEM_READ), n);
		ipa += n;
		out += n;
		len -= n;
	}
	return 0;
}

int vq_guest_write(const struct vmem *s2, uint64_t ipa, const void *buf, size_t len)
{
	const uint8_t *in = buf;

	if (!vq_guest_range_ok(s2, ipa, len, VMEM_READ | VMEM_WRITE))
		return K_EINVAL;
	while (len) {
		size_t n = page_chunk(ipa, len);

		bulk_copy(guest_page(s2, ipa, VMEM_WRITE), in, n);
		ipa += n;
		in += n;
		len -= n;
	}
	return 0;
}

/* ---- queue setup ---- */

void vq_reset(struct virtqueue *vq)
{
	struct vq_stats keep = vq->stats;

	memset(vq, 0, sizeof(*vq));
	vq->stats = keep;
}

/* One ring: aligned, inside guest RAM with prot. */
static int ring_check(uint64_t ipa, uint64_t size, uint64_t align, unsigned prot,
		      const struct vmem *s2, const char *what, char *err, size_t len)
{
	if (ipa % align)
		return errmsg(err, len, "%s ring at 0x%llx is not %llu-byte aligned", what,
			      (unsigned long long)ipa, (unsigned long long)align);
	if (!vq_guest_range_ok(s2, ipa, size, prot))
		return errmsg(err, len, "%s ring [0x%llx, +%llu) is not in the VM's RAM", what,
			      (unsigned long long)ipa, (unsigned long long)size);
	return 0;
}

int vq_check_ready(const struct virtqueue *vq, const struct vmem *s2, char *err, size_t len)
{
	uint64_t n = vq->num;
	int ret;

	if (n == 0 || n > VQ_MAX_SIZE || (n & (n - 1)))
		return errmsg(err, len, "queue size %u (must be a power of 2, 1..%d)", vq->num,
			      VQ_MAX_SIZE);
	ret = ring_check(vq->desc, DESC_SIZE * n, 16, VMEM_READ, s2, "descriptor", err, len);
	if (!ret)
		ret = ring_check(vq->avail, AVAIL_RING(n) + 2, 2, VMEM_READ, s2, "available", err,
				 len);
	if (!ret)
		ret = ring_check(vq->used, USED_RING(n) + 2, 4, VMEM_READ | VMEM_WRITE, s2, "used",
				 err, len);
	return ret;
}

/* ---- taking a chain ---- */

static int read_u16(const struct vmem *s2, uint64_t ipa, uint16_t *v)
{
	return vq_guest_read(s2, ipa, v, sizeof(*v));
}

static int read_desc(const struct virtqueue *vq, const struct vmem *s2, uint16_t i,
		     struct vring_desc *d, char *err, size_t len)
{
	if (vq_guest_read(s2, vq->desc + DESC_SIZE * (uint64_t)i, d, sizeof(*d)))
		return errmsg(err, len, "descriptor table at 0x%llx is not readable",
			      (unsigned long long)vq->desc);
	return 0;
}

/* Check one descriptor and append it to c. */
static int chain_add(struct vq_chain *c, const struct vring_desc *d, uint16_t i,
		     const struct vmem *s2, char *err, size_t len)
{
	bool write = d->flags & VRING_DESC_F_WRITE;
	unsigned prot = write ? VMEM_READ | VMEM_WRITE : VMEM_READ;

	if (d->flags & VRING_DESC_F_INDIRECT)
		return errmsg(err, len, "descriptor %u is indirect (feature not offered)", i);
	if (d->len == 0)
		return errmsg(err, len, "descriptor %u has length 0", i);
	if (!vq_guest_range_ok(s2, d->addr, d->len, prot))
		return errmsg(err, len, "descriptor %u [0x%llx, +%u) is not %s RAM of the VM", i,
			      (unsigned long long)d->addr, d->len, write ? "writable" : "readable");
	if (!write && c->nsegs > c->nread)
		return errmsg(err, len, "descriptor %u is readable after a writable one", i);
	c->seg[c->nsegs++] = (struct vq_seg){ d->addr, d->len, write };
	if (write) {
		c->write_len += d->len;
	} else {
		c->nread++;
		c->read_len += d->len;
	}
	return 0;
}

/* Walk the chain from c->head: at most num descriptors, each visited once. */
static int chain_walk(const struct virtqueue *vq, const struct vmem *s2, struct vq_chain *c,
		      char *err, size_t len)
{
	uint32_t seen[VQ_MAX_SIZE / 32] = { 0 };
	struct vring_desc d;
	uint16_t i = c->head;

	for (;;) {
		if (i >= vq->num)
			return errmsg(err, len, "descriptor index %u out of range (queue size %u)",
				      i, vq->num);
		if (seen[i / 32] & (1u << (i % 32)))
			return errmsg(err, len, "descriptor chain from %u loops back to %u",
				      c->head, i);
		seen[i / 32] |= 1u << (i % 32);
		if (read_desc(vq, s2, i, &d, err, len) || chain_add(c, &d, i, s2, err, len))
			return K_EINVAL;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

static int pop_chain(struct virtqueue *vq, const struct vmem *s2, struct vq_chain *c, char *err,
		     size_t len)
{
	uint16_t idx, pending;

	if (!vq->ready)
		return 0;
	if (read_u16(s2, vq->avail + RING_IDX, &idx))
		return errmsg(err, len, "available ring at 0x%llx is not readable",
			      (unsigned long long)vq->avail);
	pending = (uint16_t)(idx - vq->last_avail);
	if (pending == 0)
		return 0;
	if (pending > vq->num)
		return errmsg(err, len, "available index jumped from %u to %u (queue size %u)",
			      vq->last_avail, idx, vq->num);
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* ring entry after idx */
	memset(c, 0, offsetof(struct vq_chain, seg));
	if (read_u16(s2, vq->avail + AVAIL_RING(vq->last_avail % vq->num), &c->head))
		return errmsg(err, len, "available ring at 0x%llx is not readable",
			      (unsigned long long)vq->avail);
	if (chain_walk(vq, s2, c, err, len))
		return K_EINVAL;
	vq->last_avail++;
	return 1;
}

int vq_pop(struct virtqueue *vq, const struct vmem *s2, struct vq_chain *c, char *err, size_t len)
{
	int ret = pop_chain(vq, s2, c, err, len);

	if (ret == 1) {
		vq->stats.requests++;
		vq->stats.bytes_read += c->read_len;
	} else if (ret < 0) {
		vq->stats.refused++;
	}
	return ret;
}

int vq_push(struct virtqueue *vq, const struct vmem *s2, uint16_t head, uint32_t written, char *err,
	    size_t len)
{
	uint32_t elem[2] = { head, written };
	uint16_t idx = (uint16_t)(vq->used_idx + 1);

	if (vq_guest_write(s2, vq->used + USED_RING(vq->used_idx % vq->num), elem, sizeof(elem)))
		return errmsg(err, len, "used ring at 0x%llx is not writable",
			      (unsigned long long)vq->used);
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the entry before the index */
	if (vq_guest_write(s2, vq->used + RING_IDX, &idx, sizeof(idx)))
		return errmsg(err, len, "used ring at 0x%llx is not writable",
			      (unsigned long long)vq->used);
	vq->used_idx = idx;
	vq->stats.bytes_written += written;
	return 0;
}

bool vq_wants_irq(const struct virtqueue *vq, const struct vmem *s2)
{
	uint16_t flags = 0;

	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* used idx written before flags read */
	if (read_u16(s2, vq->avail, &flags))
		return true;
	return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
}

/* ---- data in a chain ---- */

/* Copy between buf and segments [first, last) of c, from byte off of that part. */
static long chain_copy(const struct vmem *s2, const struct vq_chain *c, int first, int last,
		       uint64_t off, void *buf, size_t len, bool to_guest)
{
	uint8_t *p = buf;
	size_t done = 0;

	for (int i = first; i < last && done < len; i++) {
		const struct vq_seg *s = &c->seg[i];
		size_t n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off < len - done ? (size_t)(s->len - off) : len - done;
		if (to_guest ? vq_guest_write(s2, s->ipa + off, p + done, n)
			     : vq_guest_read(s2, s->ipa + off, p + done, n))
			return -1;
		done += n;
		off = 0;
	}
	return (long)done;
}

long vq_chain_read(const struct vmem *s2, const struct vq_chain *c, uint64_t off, void *buf,
		   size_t len)
{
	return chain_copy(s2, c, 0, c->nread, off, buf, len, false);
}

long vq_chain_write(const struct vmem *s2, const struct vq_chain *c, uint64_t off, const void *buf,
		    size_t len)
{
	return chain_copy(s2, c, c->nread, c->nsegs, off, (void *)buf, len, true);
}
