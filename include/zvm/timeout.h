/* SPDX-License-Identifier: MIT */
/*
 * Timeout queues: deadlines sorted by absolute counter value. Each CPU has
 * one, driven by its own one-shot timer. No locking here; the scheduler
 * lock protects every queue.
 */
#ifndef ZVM_TIMEOUT_H
#define ZVM_TIMEOUT_H

#include <stdint.h>
#include <zvm/kernel.h>

#define TIMEOUT_NONE UINT64_MAX

void timeout_init(struct timeout *to, void (*fn)(struct timeout *to));
/** Queue `to` to expire at `deadline`; equal deadlines expire in FIFO order. */
void timeout_queue_add(dlist_t *q, struct timeout *to, uint64_t deadline);
void timeout_queue_remove(struct timeout *to);
static inline bool timeout_active(const struct timeout *to)
{
	return dnode_linked(&to->node);
}
/** Deadline of the first entry, or TIMEOUT_NONE. */
uint64_t timeout_queue_next(const dlist_t *q);
/** Unlink and return the first entry due at `now`, or NULL. */
struct timeout *timeout_queue_pop_expired(dlist_t *q, uint64_t now);

#endif /* ZVM_TIMEOUT_H */
