/*
 * Recursive mutexes with priority inheritance: while a more urgent thread
 * waits, the owner runs at the waiter's priority; the chain is followed
 * when the owner itself waits on another mutex.
 */
#include <zvm/sched.h>

#define PI_CHAIN_MAX	8

void k_mutex_init(struct k_mutex *m)
{
	m->owner = NULL;
	m->lock_count = 0;
	m->owner_orig_prio = K_LOWEST_PRIO;
	dlist_init(&m->waitq);
}

static int best_waiter_prio(const struct k_mutex *m)
{
	struct dnode *n = dlist_first(&m->waitq);

	return n ? CONTAINER_OF(n, struct k_thread, qnode)->prio : K_IDLE_PRIO;
}

/* The priority m's owner deserves: its own, or its most urgent waiter's. */
static void owner_prio_update(struct k_mutex *m)
{
	for (int depth = 0; m && m->owner && depth < PI_CHAIN_MAX; depth++) {
		struct k_thread *owner = m->owner;
		int prio = best_waiter_prio(m);

		if (prio > m->owner_orig_prio)
			prio = m->owner_orig_prio;
		if (prio == owner->prio)
			return;
		sched_set_prio(owner, prio);
		m = owner->pending_mutex;
	}
}

/* Raise the owner of m, and the owners it waits for in turn, to prio. */
static void lend_priority(struct k_mutex *m, int prio)
{
	for (int depth = 0; m && m->owner && depth < PI_CHAIN_MAX; depth++) {
		if (m->owner->prio <= prio)
			return;
		sched_set_prio(m->owner, prio);
		m = m->owner->pending_mutex;
	}
}

int k_mutex_lock(struct k_mutex *m, k_timeout_t timeout)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	struct k_thread *cur = k_current();
	int ret;

	if (!m->owner || m->owner == cur) {
		if (!m->owner)
			m->owner_orig_prio = cur->prio;
		m->owner = cur;
		m->lock_count++;
		k_spin_unlock(&sched_lock, key);
		return 0;
	}
	if (timeout == K_NO_WAIT) {
		k_spin_unlock(&sched_lock, key);
		return K_EBUSY;
	}
	cur->pending_mutex = m;
	lend_priority(m, cur->prio);
	ret = sched_pend_current(&m->waitq, timeout, key);
	if (ret != 0) {
		key = k_spin_lock(&sched_lock);
		cur->pending_mutex = NULL;
		owner_prio_update(m);	/* we no longer lend our priority */
		k_spin_unlock(&sched_lock, key);
	}
	return ret;
}

int k_mutex_unlock(struct k_mutex *m)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	struct k_thread *cur = k_current();
	struct k_thread *next;

	if (m->owner != cur) {
		k_spin_unlock(&sched_lock, key);
		return K_EPERM;
	}
	if (--m->lock_count > 0) {
		k_spin_unlock(&sched_lock, key);
		return 0;
	}
	sched_set_prio(cur, m->owner_orig_prio);
	next = sched_unpend_first(&m->waitq);
	m->owner = next;
	if (next) {
		next->pending_mutex = NULL;
		m->lock_count = 1;
		m->owner_orig_prio = next->prio;
		owner_prio_update(m);
		next->swap_retval = 0;
		sched_ready(next);
	}
	sched_reschedule(key);
	return 0;
}
