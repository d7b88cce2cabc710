/* SPDX-License-Identifier: MIT */
/* Thread lifecycle: create, start, suspend, resume, abort, join, sleep. */
#include <stdio.h>
#include <string.h>
#include <zvm/arch.h>
#include <zvm/pool.h>
#include <zvm/sched.h>

#define STACK_FILL 0xaa /* untouched stack bytes, for the high-water mark */

static dlist_t all_threads = DLIST_INIT(all_threads);

struct k_thread *k_current(void)
{
	k_spinlock_key_t daif = arch_irq_save();
	struct k_thread *t = arch_cpu_self()->current;

	arch_irq_restore(daif);
	return t;
}

void thread_register(struct k_thread *t)
{
	dlist_append(&all_threads, &t->allnode);
}

void k_thread_create(struct k_thread *t, const char *name, void *stack, size_t stack_size,
		     k_thread_entry_t entry, void *arg, int prio)
{
	memset(t, 0, sizeof(*t));
	strncpy(t->name, name, sizeof(t->name) - 1);
	t->entry = entry;
	t->arg = arg;
	t->prio = t->base_prio = prio;
	t->state = K_THREAD_NEW;
	t->affinity = K_CPU_ALL;
	t->stack_base = stack;
	t->stack_size = stack_size;
	dlist_init(&t->joiners);
	dlist_init(&t->held_mutexes);
	timeout_init(&t->timeout, NULL);
	memset(stack, STACK_FILL, stack_size);
	arch_thread_init(&t->ctx, t, (char *)stack + (stack_size & ~15ul));

	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	thread_register(t);
	k_spin_unlock(&sched_lock, key);
}

void k_thread_start(struct k_thread *t)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);

	if (t->state != K_THREAD_NEW) {
		k_spin_unlock(&sched_lock, key);
		return;
	}
	t->cpu = k_cpu_id();
	sched_ready(t);
	sched_reschedule(key);
}

int k_thread_cpu_mask_set(struct k_thread *t, uint32_t mask)
{
	k_spinlock_key_t key;
	int ret = 0;

	mask &= K_CPU_ALL;
	if (!mask)
		return K_EINVAL;
	key = k_spin_lock(&sched_lock);
	/* Host threads never on a static CPU: vCPUs go through pool_thread_place(). */
	if (pool_check_host_affinity(&pool_table, mask, NULL, 0))
		ret = K_EPERM;
	else if (t->state == K_THREAD_NEW || t->state == K_THREAD_SUSPENDED)
		t->affinity = mask;
	else
		ret = K_EBUSY;
	k_spin_unlock(&sched_lock, key);
	return ret;
}

/* Take t off whatever queue holds it, so it can change state. */
static void thread_unqueue(struct k_thread *t)
{
	if (t->state == K_THREAD_READY)
		runq_remove(&k_cpus[t->cpu].runq, t);
	else if (t->state == K_THREAD_PENDING) {
		if (t->waitq) {
			dlist_remove(&t->qnode);
			t->waitq = NULL;
		}
		timeout_queue_remove(&t->timeout);
	}
}

void thread_mark_dead(struct k_thread *t)
{
	struct k_thread *joiner;

	thread_unqueue(t);
	pool_unbind(&pool_table, t); /* its static CPU, if it had one, is free */
	t->state = K_THREAD_DEAD;
	t->abort_req = false;
	dlist_remove(&t->allnode);
	while ((joiner = sched_unpend_first(&t->joiners))) {
		joiner->swap_retval = 0;
		sched_ready(joiner);
	}
}

/* t runs on another CPU: ask it to stop there, and wait until it has. */
static void stop_remote(struct k_thread *t, bool abort, k_spinlock_key_t key)
{
	if (abort)
		t->abort_req = true;
	else
		t->suspend_req = true;
	arch_send_sgi(IPI_RESCHED, 1u << t->cpu);
	if (abort && !arch_irq_key_masked(key)) {
		sched_pend_current(&t->joiners, K_FOREVER, key);
		return;
	}
	k_spin_unlock(&sched_lock, key);
}

void k_thread_abort(struct k_thread *t)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);

	if (t->state == K_THREAD_DEAD) {
		k_spin_unlock(&sched_lock, key);
	} else if (t == k_current()) {
		thread_mark_dead(t);
		sched_swap_current(key); /* never returns */
	} else if (t->state == K_THREAD_RUNNING) {
		stop_remote(t, true, key);
	} else {
		thread_mark_dead(t);
		sched_reschedule(key);
	}
}

void k_thread_suspend(struct k_thread *t)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);

	if (t == k_current()) {
		t->state = K_THREAD_SUSPENDED;
		sched_swap_current(key);
	} else if (t->state == K_THREAD_RUNNING) {
		stop_remote(t, false, key);
	} else if (t->state == K_THREAD_READY || t->state == K_THREAD_NEW) {
		thread_unqueue(t);
		t->state = K_THREAD_SUSPENDED;
		k_spin_unlock(&sched_lock, key);
	} else {
		/* Pending: it becomes suspended when it is woken. */
		if (t->state == K_THREAD_PENDING)
			t->suspend_req = true;
		k_spin_unlock(&sched_lock, key);
	}
}

void k_thread_resume(struct k_thread *t)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);

	t->suspend_req = false;
	if (t->state != K_THREAD_SUSPENDED) {
		k_spin_unlock(&sched_lock, key);
		return;
	}
	sched_ready(t);
	sched_reschedule(key);
}

int k_thread_join(struct k_thread *t, k_timeout_t timeout)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	int ret = 0;

	if (t == k_current()) {
		k_spin_unlock(&sched_lock, key);
		return K_EDEADLK;
	}
	if (t->state != K_THREAD_DEAD) {
		if (timeout == K_NO_WAIT) {
			k_spin_unlock(&sched_lock, key);
			return K_EBUSY;
		}
		ret = sched_pend_current(&t->joiners, timeout, key);
		key = k_spin_lock(&sched_lock);
	}
	if (t->state == K_THREAD_DEAD && t->stack_owned) {
		t->stack_owned = false;
		k_spin_unlock(&sched_lock, key);
		k_free(t->stack_base);
		k_free(t);
		return ret;
	}
	k_spin_unlock(&sched_lock, key);
	return ret;
}

void k_thread_priority_set(struct k_thread *t, int prio)
{
	k_spinlock_key_t key;

	if (prio < K_HIGHEST_PRIO || prio > K_LOWEST_PRIO)
		return;
	key = k_spin_lock(&sched_lock);
	t->base_prio = prio;
	mutex_prio_refresh(t); /* keeps what its mutexes' waiters lend it */
	sched_reschedule(key);
}

void k_yield(void)
{
	sched_yield_current(k_spin_lock(&sched_lock));
}

int k_sleep(k_timeout_t timeout)
{
	k_spinlock_key_t key;

	if (timeout == K_NO_WAIT) {
		k_yield();
		return 0;
	}
	key = k_spin_lock(&sched_lock);
	sched_pend_current(NULL, timeout, key);
	return 0;
}

void k_busy_wait_ns(uint64_t ns)
{
	uint64_t end = k_cycle_get() + k_ns_to_ticks(ns);

	while (k_cycle_get() < end)
		arch_cpu_relax();
}

const char *k_thread_state_str(enum k_thread_state s)
{
	static const char *const names[] = {
		"new", "ready", "running", "pending", "suspended", "dead",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

size_t k_thread_stack_unused(const struct k_thread *t)
{
	const unsigned char *p = t->stack_base;
	size_t n = 0;

	if (!p)
		return 0;
	while (n < t->stack_size && p[n] == STACK_FILL)
		n++;
	return n;
}

void k_thread_foreach(void (*fn)(struct k_thread *t, void *arg), void *arg)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	struct dnode *n;

	DLIST_FOR_EACH(&all_threads, n)
	fn(CONTAINER_OF(n, struct k_thread, allnode), arg);
	k_spin_unlock(&sched_lock, key);
}
