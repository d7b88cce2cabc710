/*
 * Recursive mutexes with priority inheritance. A thread's priority is
 * derived, never remembered: its base priority, raised to the most urgent
 * waiter of every mutex it holds. So mutexes may be released in any order,
 * and a waiter that times out takes back exactly what it lent. The chain
 * is followed when an owner itself waits on another mutex.
 */
#include <zvm/sched.h>

#define PI_CHAIN_MAX	8

void k_mutex_init(struct k_mutex *m)
{
	m->owner = NULL;
	m->lock_count = 0;
	m->held_node.next = m->held_node.prev = NULL;
	dlist_init(&m->waitq);
}

static int best_waiter_prio(const struct k_mutex *m)
{
	struct dnode *n = dlist_first(&m->waitq);

	return n ? CONTAINER_OF(n, struct k_thread, qnode)->prio : K_IDLE_PRIO;
}

static int inherited_prio(const struct k_thread *t)
{
	int prio = t->base_prio;
	struct dnode *n;

	DLIST_FOR_EACH(&t->held_mutexes, n) {
		int p = best_waiter_prio(CONTAINER_OF(n, struct k_mutex, held_node));

		if (p < prio)
			prio = p;
	}
	return prio;
}

void mutex_prio_refresh(struct k_thread *t)
{
	for (int depth = 0; t && depth < PI_CHAIN_MAX; depth++) {
		int prio = inherited_prio(t);

		if (prio == t->prio)
			return;
		sched_set_prio(t, prio);	/* re-sorts t in the waitq it pends on */
		t = t->pending_mutex ? t->pending_mutex->owner : NULL;
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

static void take_ownership(struct k_mutex *m, struct k_thread *t)
{
	m->owner = t;
	m->lock_count = 1;
	dlist_append(&t->held_mutexes, &m->held_node);
}

int k_mutex_lock(struct k_mutex *m, k_timeout_t timeout)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	struct k_thread *cur = k_current();
	int ret;

	K_ASSERT(!k_is_in_isr());	/* a mutex is owned by a thread */
	if (m->owner == cur || !m->owner) {
		if (m->owner == cur)
			m->lock_count++;
		else
			take_ownership(m, cur);
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
		mutex_prio_refresh(m->owner);	/* we no longer lend our priority */
		k_spin_unlock(&sched_lock, key);
	}
	return ret;
}

int k_mutex_unlock(struct k_mutex *m)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	struct k_thread *cur = k_current();
	struct k_thread *next;

	K_ASSERT(!k_is_in_isr());
	if (m->owner != cur) {
		k_spin_unlock(&sched_lock, key);
		return K_EPERM;
	}
	if (--m->lock_count > 0) {
		k_spin_unlock(&sched_lock, key);
		return 0;
	}
	dlist_remove(&m->held_node);
	m->owner = NULL;
	next = sched_unpend_first(&m->waitq);
	if (next) {
		next->pending_mutex = NULL;
		take_ownership(m, next);
		mutex_prio_refresh(next);	/* the remaining waiters lend to it */
		next->swap_retval = 0;
		sched_ready(next);
	}
	mutex_prio_refresh(cur);
	sched_reschedule(key);
	return 0;
}

bool k_mutex_held(const struct k_mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == k_current();
}
