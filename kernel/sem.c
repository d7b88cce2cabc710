/* SPDX-License-Identifier: MIT */
/* Counting semaphores. */
#include <zvm/sched.h>

void k_sem_init(struct k_sem *s, unsigned initial, unsigned limit)
{
	s->count = initial;
	s->limit = limit;
	dlist_init(&s->waitq);
}

int k_sem_take(struct k_sem *s, k_timeout_t timeout)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);

	if (s->count > 0) {
		s->count--;
		k_spin_unlock(&sched_lock, key);
		return 0;
	}
	if (timeout == K_NO_WAIT) {
		k_spin_unlock(&sched_lock, key);
		return K_EBUSY;
	}
	return sched_pend_current(&s->waitq, timeout, key);
}

void k_sem_give(struct k_sem *s)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	struct k_thread *t = sched_unpend_first(&s->waitq);

	if (t) {
		t->swap_retval = 0;
		sched_ready(t);
		sched_reschedule(key);
		return;
	}
	if (s->count < s->limit)
		s->count++;
	k_spin_unlock(&sched_lock, key);
}

unsigned k_sem_count_get(struct k_sem *s)
{
	return __atomic_load_n(&s->count, __ATOMIC_RELAXED);
}
