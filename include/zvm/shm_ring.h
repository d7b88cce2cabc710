/* SPDX-License-Identifier: MIT */
/*
 * Lock-free single-producer/single-consumer message rings in a region of
 * memory shared by two VMs (zvm/shm.h, docs/shared-memory.md).
 *
 * The layout is fixed, so the two sides agree with no set-up handshake:
 * zvm zero-fills a region when the host boots, and zero-filled memory is
 * two empty rings.
 *
 *   region of S bytes (a multiple of 4 KiB, 8 KiB .. 1 GiB):
 *     [0, S/2)      ring 0: produced by peer 0, consumed by peer 1
 *     [S/2, S)      ring 1: produced by peer 1, consumed by peer 0
 *   ring:
 *     +0    uint32_t head   messages produced (free-running; the producer's)
 *     +64   uint32_t tail   messages consumed (free-running; the consumer's)
 *     +128  N slots of 256 bytes, N the largest power of two that fits;
 *           message number c is in slot c & (N - 1)
 *   slot:
 *     +0    uint32_t len    0 .. 252
 *     +4    payload; byte k in bits 8*(k%4) of 32-bit word k/4, which is
 *           plain byte order on a little-endian CPU
 *
 * The producer writes the slot, then (release) head + 1; the consumer
 * reads head (acquire), then the slot, then (release) tail + 1. Each side
 * trusts nothing the other wrote: a length or counters out of range are
 * reported, and no access ever leaves the region or the caller's buffer.
 *
 * The region is touched only with naturally aligned 32-bit loads and
 * stores through volatile pointers, never memcpy, unaligned accesses or
 * atomic read-modify-writes: Linux user space maps it through /dev/mem as
 * Device memory, where an unaligned access faults and exclusives are not
 * guaranteed to work.
 *
 * Nothing here blocks, allocates or needs a C library: the same file builds
 * into the RTOS guest, Linux user space (guests/linux/zvm-ring.c) and the
 * host unit tests. A pair is stateless beyond its pointers (the counters
 * are re-read from the region on every call), so a side may come and go
 * (a Linux process per message) without losing its place.
 */
#ifndef ZVM_SHM_RING_H
#define ZVM_SHM_RING_H

#include <stddef.h>
#include <stdint.h>

#define SHM_RING_HEAD_OFF     0u      /* in a ring: uint32_t head */
#define SHM_RING_TAIL_OFF     64u     /* in a ring: uint32_t tail */
#define SHM_RING_HDR          128u    /* ring header; the slots follow */
#define SHM_RING_SLOT         256u    /* bytes per slot */
#define SHM_RING_MSG_MAX      252u    /* payload bytes per message */
#define SHM_RING_REGION_ALIGN 0x1000u /* region size: multiple of this */
#define SHM_RING_REGION_MIN   0x2000u
#define SHM_RING_REGION_MAX   0x40000000u

/* Error codes (negative; 0 or a length is success). */
#define SHM_RING_EINVAL (-1) /* init: bad region, size or peer index */
#define SHM_RING_EFULL  (-2) /* send: N messages already waiting */
#define SHM_RING_EEMPTY (-3) /* recv: no message */
#define SHM_RING_ETOOBIG \
	(-4) /* send: len > 252; recv: the message is
					   longer than buflen (it stays queued) */
#define SHM_RING_ECORRUPT \
	(-5) /* head - tail > N: the counters are
					   nonsense; nothing was changed */
#define SHM_RING_EBADMSG \
	(-6) /* recv: the peer wrote a length > 252;
					   that message was dropped */

/* One VM's end of a region: the ring it produces into and the one it consumes. */
struct shm_ring_pair {
	volatile void *tx_ring;
	volatile void *rx_ring;
	uint32_t nslots; /* N, per ring */
};

/**
 * Set up `p` for the VM with peer index `peer_index` (0 or 1) of the region
 * `region` (4-byte aligned) of `size` bytes. Touches neither the region nor
 * its counters. Returns 0, or SHM_RING_EINVAL.
 */
int shm_ring_pair_init(struct shm_ring_pair *p, volatile void *region, size_t size, int peer_index);

/** Slots per ring for a valid region of `size` bytes (0 if not valid). */
uint32_t shm_ring_nslots(size_t size);

/**
 * Queue a copy of `len` bytes at `msg`. Never blocks. Returns 0,
 * SHM_RING_ETOOBIG, SHM_RING_EFULL or SHM_RING_ECORRUPT. The caller then
 * rings the region's doorbell if the peer may be waiting.
 */
int shm_ring_send(struct shm_ring_pair *p, const void *msg, size_t len);

/**
 * Take the oldest message into `buf` (at most `buflen` bytes written).
 * Never blocks. Returns its length (0 .. 252), SHM_RING_EEMPTY,
 * SHM_RING_ETOOBIG (buflen too small; the message stays queued),
 * SHM_RING_EBADMSG (bad length from the peer; dropped) or SHM_RING_ECORRUPT.
 */
int shm_ring_recv(struct shm_ring_pair *p, void *buf, size_t buflen);

/**
 * Messages waiting to be received (head - tail of the receive ring). More
 * than nslots means the counters are corrupt (shm_ring_recv says so).
 */
uint32_t shm_ring_pending(const struct shm_ring_pair *p);

/** A short description of an error code, for messages. */
const char *shm_ring_strerror(int err);

#endif /* ZVM_SHM_RING_H */
