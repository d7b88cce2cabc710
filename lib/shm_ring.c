/* SPDX-License-Identifier: MIT */
/*
 * SPSC message rings in memory shared by two VMs: layout and rules in
 * include/zvm/shm_ring.h. Every access to the region is an aligned 32-bit
 * volatile load or store; everything the peer wrote is checked before it
 * is used as a length or an index.
 */
#include <zvm/shm_ring.h>

static volatile uint32_t *ring_word(volatile void *ring, uint32_t off)
{
	return (volatile uint32_t *)((volatile uint8_t *)ring + off);
}

/* The slot of message number `counter`: its len word, then the payload. */
static volatile uint32_t *ring_slot(volatile void *ring, uint32_t nslots, uint32_t counter)
{
	return ring_word(ring, SHM_RING_HDR + (counter & (nslots - 1)) * SHM_RING_SLOT);
}

/* Payload byte k is bits 8*(k%4) of word k/4; the last word is zero-padded. */
static void copy_to_slot(volatile uint32_t *dst, const uint8_t *src, size_t len)
{
	size_t i = 0;
	uint32_t w;

	for (; i + 4 <= len; i += 4)
		*dst++ = (uint32_t)src[i] | (uint32_t)src[i + 1] << 8 | (uint32_t)src[i + 2] << 16 |
			 (uint32_t)src[i + 3] << 24;
	if (i == len)
		return;
	for (w = 0; i < len; i++)
		w |= (uint32_t)src[i] << (8 * (i & 3));
	*dst = w;
}

static void copy_from_slot(uint8_t *dst, const volatile uint32_t *src, size_t len)
{
	size_t i = 0;
	uint32_t w;

	for (; i + 4 <= len; i += 4) {
		w = *src++;
		dst[i] = (uint8_t)w;
		dst[i + 1] = (uint8_t)(w >> 8);
		dst[i + 2] = (uint8_t)(w >> 16);
		dst[i + 3] = (uint8_t)(w >> 24);
	}
	if (i == len)
		return;
	w = *src;
	for (; i < len; i++)
		dst[i] = (uint8_t)(w >> (8 * (i & 3)));
}

uint32_t shm_ring_nslots(size_t size)
{
	uint32_t n = 1;

	if (size % SHM_RING_REGION_ALIGN || size < SHM_RING_REGION_MIN ||
	    size > SHM_RING_REGION_MAX)
		return 0;
	while (SHM_RING_HDR + (size_t)n * 2 * SHM_RING_SLOT <= size / 2)
		n *= 2;
	return n;
}

int shm_ring_pair_init(struct shm_ring_pair *p, volatile void *region, size_t size, int peer_index)
{
	volatile uint8_t *base = region;
	uint32_t nslots = shm_ring_nslots(size);

	if (!p || !region || (uintptr_t)region % 4 || !nslots ||
	    (peer_index != 0 && peer_index != 1))
		return SHM_RING_EINVAL;
	p->tx_ring = base + (size_t)peer_index * (size / 2);
	p->rx_ring = base + (size_t)(1 - peer_index) * (size / 2);
	p->nslots = nslots;
	return 0;
}

int shm_ring_send(struct shm_ring_pair *p, const void *msg, size_t len)
{
	volatile uint32_t *head = ring_word(p->tx_ring, SHM_RING_HEAD_OFF);
	volatile uint32_t *tail = ring_word(p->tx_ring, SHM_RING_TAIL_OFF);
	volatile uint32_t *slot;
	uint32_t h, used;

	if (len > SHM_RING_MSG_MAX)
		return SHM_RING_ETOOBIG;
	h = *head;
	used = h - *tail;
	/* The consumer's reads of a slot come before its tail store (release):
	 * ours of the reused slot must not overtake them. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (used > p->nslots)
		return SHM_RING_ECORRUPT;
	if (used == p->nslots)
		return SHM_RING_EFULL;
	slot = ring_slot(p->tx_ring, p->nslots, h);
	copy_to_slot(slot + 1, msg, len);
	slot[0] = (uint32_t)len;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the slot before head */
	*head = h + 1;
	return 0;
}

int shm_ring_recv(struct shm_ring_pair *p, void *buf, size_t buflen)
{
	volatile uint32_t *head = ring_word(p->rx_ring, SHM_RING_HEAD_OFF);
	volatile uint32_t *tail = ring_word(p->rx_ring, SHM_RING_TAIL_OFF);
	volatile uint32_t *slot;
	uint32_t t = *tail, h = *head, len;

	if (h == t)
		return SHM_RING_EEMPTY;          /* cheap when polling: no barrier */
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* head before the slot */
	if (h - t > p->nslots)
		return SHM_RING_ECORRUPT;
	slot = ring_slot(p->rx_ring, p->nslots, t);
	len = slot[0]; /* read once: the peer may change it */
	if (len <= SHM_RING_MSG_MAX) {
		if (len > buflen)
			return SHM_RING_ETOOBIG;
		copy_from_slot(buf, slot + 1, len);
	}
	__atomic_thread_fence(__ATOMIC_RELEASE); /* done with the slot */
	*tail = t + 1;
	return len <= SHM_RING_MSG_MAX ? (int)len : SHM_RING_EBADMSG;
}

uint32_t shm_ring_pending(const struct shm_ring_pair *p)
{
	uint32_t t = *ring_word(p->rx_ring, SHM_RING_TAIL_OFF);

	return *ring_word(p->rx_ring, SHM_RING_HEAD_OFF) - t;
}

const char *shm_ring_strerror(int err)
{
	switch (err) {
	case SHM_RING_EINVAL:
		return "bad region, size or peer index";
	case SHM_RING_EFULL:
		return "the ring is full";
	case SHM_RING_EEMPTY:
		return "no message";
	case SHM_RING_ETOOBIG:
		return "message too long";
	case SHM_RING_ECORRUPT:
		return "the ring's counters are corrupt (the other VM broke them)";
	case SHM_RING_EBADMSG:
		return "the other VM wrote a bad message length (dropped)";
	default:
		return err >= 0 ? "no error" : "unknown error";
	}
}
