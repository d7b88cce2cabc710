/* SPDX-License-Identifier: MIT */
/* Sorted timeout queues (see include/zvm/timeout.h). Portable: unit-tested on the host. */
#include <zvm/timeout.h>

void timeout_init(struct timeout *to, void (*fn)(struct timeout *to))
{
	to->node.next = NULL;
	to->node.prev = NULL;
	to->deadline = TIMEOUT_NONE;
	to->fn = fn;
	to->cpu = -1;
}

void timeout_queue_add(dlist_t *q, struct timeout *to, uint64_t deadline)
{
	struct dnode *n;

	to->deadline = deadline;
	/* Walk from the back: new deadlines are usually the latest. */
	for (n = q->prev; n != q; n = n->prev) {
		if (CONTAINER_OF(n, struct timeout, node)->deadline <= deadline)
			break;
	}
	dlist_insert_before(n->next, &to->node);
}

void timeout_queue_remove(struct timeout *to)
{
	if (timeout_active(to))
		dlist_remove(&to->node);
	to->cpu = -1;
}

uint64_t timeout_queue_next(const dlist_t *q)
{
	struct dnode *n = dlist_first(q);

	return n ? CONTAINER_OF(n, struct timeout, node)->deadline : TIMEOUT_NONE;
}

struct timeout *timeout_queue_pop_expired(dlist_t *q, uint64_t now)
{
	struct dnode *n = dlist_first(q);
	struct timeout *to;

	if (!n)
		return NULL;
	to = CONTAINER_OF(n, struct timeout, node);
	if (to->deadline > now)
		return NULL;
	timeout_queue_remove(to);
	return to;
}
