/* SPDX-License-Identifier: MIT */
/*
 * Message queues: a ring of fixed-size messages. When a receiver waits on
 * an empty queue, a sender copies straight into the receiver's buffer (and
 * the other way round when senders wait on a full one), keeping FIFO order.
 */
#include <string.h>
#include <zvm/sched.h>

void k_msgq_init(struct k_msgq *q, void *buffer, size_t msg_size, uint32_t max_msgs)
{
	q->buffer = buffer;
	q->msg_size = msg_size;
	q->max_msgs = max_msgs;
	q->used = 0;
	q->read_idx = 0;
	q->write_idx = 0;
	dlist_init(&q->waitq);
}

static void ring_push(struct k_msgq *q, const void *msg)
{
	memcpy(q->buffer + (size_t)q->write_idx * q->msg_size, msg, q->msg_size);
	q->write_idx = (q->write_idx + 1) % q->max_msgs;
	q->used++;
}

static void ring_pop(struct k_msgq *q, void *msg)
{
	memcpy(msg, q->buffer + (size_t)q->read_idx * q->msg_size, q->msg_size);
	q->read_idx = (q->read_idx + 1) % q->max_msgs;
	q->used--;
}

int k_msgq_put(struct k_msgq *q, const void *msg, k_timeout_t timeout)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	struct k_thread *receiver;

	if (q->used == 0 && (receiver = sched_unpend_first(&q->waitq))) {
		memcpy(receiver->swap_data, msg, q->msg_size);
		receiver->swap_retval = 0;
		sched_ready(receiver);
		sched_reschedule(key);
		return 0;
	}
	if (q->used < q->max_msgs) {
		ring_push(q, msg);
		k_spin_unlock(&sched_lock, key);
		return 0;
	}
	if (timeout == K_NO_WAIT) {
		k_spin_unlock(&sched_lock, key);
		return K_EBUSY;
	}
	k_current()->swap_data = (void *)msg;
	return sched_pend_current(&q->waitq, timeout, key);
}

int k_msgq_get(struct k_msgq *q, void *msg, k_timeout_t timeout)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	struct k_thread *sender;

	if (q->used > 0) {
		ring_pop(q, msg);
		/* A sender waiting on the full queue takes the freed slot. */
		sender = sched_unpend_first(&q->waitq);
		if (sender) {
			ring_push(q, sender->swap_data);
			sender->swap_retval = 0;
			sched_ready(sender);
		}
		sched_reschedule(key);
		return 0;
	}
	if (timeout == K_NO_WAIT) {
		k_spin_unlock(&sched_lock, key);
		return K_EBUSY;
	}
	k_current()->swap_data = msg;
	return sched_pend_current(&q->waitq, timeout, key);
}

uint32_t k_msgq_num_used(struct k_msgq *q)
{
	return __atomic_load_n(&q->used, __ATOMIC_RELAXED);
}
