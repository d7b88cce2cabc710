/* SPDX-License-Identifier: MIT */
/*
 * The kernel services for host tests (tests/unit/fake/fake.h): one CPU (the
 * test), a clock the test advances, and threads, semaphores, mutexes and
 * message queues that never wait. A call that would wait for a timeout lets
 * that time pass on the clock and times out; a call that would wait forever
 * ends the thread fake_thread_run() is running, and fails the test anywhere
 * else (nothing else could ever wake it).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/sched.h>
#include "fake.h"

#define THREADS_MAX 64

struct fake_kernel fake_kernel;
struct k_cpu k_cpus[K_MAX_CPUS];
k_spinlock_t sched_lock; /* the CPU pool operations take it (kernel/pool_ops.c) */

static struct k_thread test_thread = { .name = "test", .state = K_THREAD_RUNNING };
static struct k_thread *current = &test_thread;
static struct k_thread *threads[THREADS_MAX];
static jmp_buf *blocked_exit; /* set while fake_thread_run runs a thread */

void fake_kernel_reset(void)
{
	memset(&fake_kernel, 0, sizeof(fake_kernel));
	fake_kernel.ncpus = 4;
	current = &test_thread;
	memset(k_cpus, 0, sizeof(k_cpus));
	for (int i = 0; i < K_MAX_CPUS; i++) {
		k_cpus[i].id = i;
		k_cpus[i].online = i < fake_kernel.ncpus;
	}
	k_cpus[0].current = current;
}

static void block_forever(const char *what)
{
	if (blocked_exit)
		longjmp(*blocked_exit, 1);
	fprintf(stderr, "fake: the test itself would wait forever in %s\n", what);
	abort();
}

/* A finite wait that nothing ends: its time passes. */
static int time_out(k_timeout_t timeout, const char *what)
{
	if (timeout == K_FOREVER)
		block_forever(what);
	fake_kernel.now += (uint64_t)timeout;
	return K_EAGAIN;
}

/* ---- time and CPUs ---- */

uint64_t k_ticks_per_sec(void)
{
	return FAKE_COUNTER_HZ;
}
uint64_t k_cycle_get(void)
{
	return fake_kernel.now;
}
uint64_t k_ns_to_ticks(uint64_t ns)
{
	return ns * (FAKE_COUNTER_HZ / 1000000u) / 1000u;
}
uint64_t k_ticks_to_ns(uint64_t ticks)
{
	return ticks * 1000u / (FAKE_COUNTER_HZ / 1000000u);
}
uint64_t k_uptime_ns(void)
{
	return k_ticks_to_ns(fake_kernel.now);
}
int k_cpu_id(void)
{
	return 0;
}
int k_num_cpus_present(void)
{
	return fake_kernel.ncpus;
}

int k_num_cpus(void)
{
	return fake_kernel.ncpus - __builtin_popcount(fake_kernel.offline);
}

void k_cpu_info_get(int cpu, struct k_cpu_info *info)
{
	memset(info, 0, sizeof(*info));
	info->present = cpu < fake_kernel.ncpus;
	info->online = info->present && !(fake_kernel.offline & (1u << cpu));
}

/* ---- threads ---- */

static void fake_thread_list(struct k_thread *t, bool add)
{
	for (int i = 0; i < THREADS_MAX; i++) {
		if (add ? threads[i] == NULL : threads[i] == t) {
			threads[i] = add ? t : NULL;
			return;
		}
	}
	if (add) {
		fprintf(stderr, "fake: more than %d threads\n", THREADS_MAX);
		abort();
	}
}

void k_thread_create(struct k_thread *t, const char *name, void *stack, size_t stack_size,
		     k_thread_entry_t entry, void *arg, int prio)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->stack_base = stack;
	t->stack_size = stack_size;
	t->entry = entry;
	t->arg = arg;
	t->prio = t->base_prio = prio;
	t->affinity = K_CPU_ALL;
	t->state = K_THREAD_NEW;
	fake_thread_list(t, true);
}

void k_thread_start(struct k_thread *t)
{
	if (t->state == K_THREAD_NEW) {
		t->state = K_THREAD_READY;
		fake_kernel.threads_started++;
	}
}

/* One CPU, running what the test runs: a pool change has nothing to move. */
void sched_cpu_drain(int cpu)
{
	(void)cpu;
}

void sched_thread_moved(struct k_thread *t)
{
	(void)t;
}

int k_thread_cpu_mask_set(struct k_thread *t, uint32_t mask)
{
	if (!mask)
		return K_EINVAL;
	t->affinity = mask;
	return 0;
}

/* No mutexes lend priority here: the thread simply takes the new one. */
void k_thread_priority_set(struct k_thread *t, int prio)
{
	t->prio = t->base_prio = prio;
}

void k_thread_abort(struct k_thread *t)
{
	t->state = K_THREAD_DEAD;
}

int fake_thread_run(struct k_thread *t)
{
	struct k_thread *caller = current;
	jmp_buf *outer = blocked_exit;
	jmp_buf here;
	int blocked;

	current = t;
	t->state = K_THREAD_RUNNING;
	blocked_exit = &here;
	blocked = setjmp(here);
	if (!blocked)
		t->entry(t->arg);
	blocked_exit = outer;
	current = caller;
	t->state = blocked ? K_THREAD_READY : K_THREAD_DEAD;
	return blocked;
}

/* A ready thread runs now to its end; one that never started never ends. */
int k_thread_join(struct k_thread *t, k_timeout_t timeout)
{
	if (t->state == K_THREAD_READY)
		fake_thread_run(t);
	if (t->state != K_THREAD_DEAD)
		return time_out(timeout, "k_thread_join");
	fake_thread_list(t, false);
	if (t->stack_owned) {
		t->stack_owned = false;
		k_free(t->stack_base);
		k_free(t);
	}
	return 0;
}

struct k_thread *k_current(void)
{
	return current;
}

int k_sleep(k_timeout_t timeout)
{
	if (timeout != K_NO_WAIT)
		time_out(timeout, "k_sleep");
	return 0;
}

struct k_thread *fake_thread_find(const char *name)
{
	for (int i = 0; i < THREADS_MAX; i++)
		if (threads[i] && !strcmp(threads[i]->name, name))
			return threads[i];
	return NULL;
}

/* ---- semaphores ---- */

void k_sem_init(struct k_sem *s, unsigned initial, unsigned limit)
{
	memset(s, 0, sizeof(*s));
	s->count = initial;
	s->limit = limit;
}

int k_sem_take(struct k_sem *s, k_timeout_t timeout)
{
	fake_kernel.sem_takes++;
	fake_kernel.last_sem_timeout = timeout;
	if (s->count) {
		s->count--;
		return 0;
	}
	return timeout == K_NO_WAIT ? K_EAGAIN : time_out(timeout, "k_sem_take");
}

void k_sem_give(struct k_sem *s)
{
	fake_kernel.sem_gives++;
	if (s->count < s->limit)
		s->count++;
}

unsigned k_sem_count_get(struct k_sem *s)
{
	return s->count;
}

/* ---- mutexes: recursive; another owner would mean a second thread ran ---- */

void k_mutex_init(struct k_mutex *m)
{
	memset(m, 0, sizeof(*m));
}

int k_mutex_lock(struct k_mutex *m, k_timeout_t timeout)
{
	if (m->owner && m->owner != current)
		return timeout == K_NO_WAIT ? K_EBUSY : time_out(timeout, "k_mutex_lock");
	m->owner = current;
	m->lock_count++;
	fake_kernel.mutexes_held++;
	return 0;
}

int k_mutex_unlock(struct k_mutex *m)
{
	if (m->owner != current || !m->lock_count)
		return K_EPERM;
	if (--m->lock_count == 0)
		m->owner = NULL;
	fake_kernel.mutexes_held--;
	return 0;
}

bool k_mutex_held(const struct k_mutex *m)
{
	return m->owner == current && m->lock_count;
}

/* ---- message queues ---- */

void k_msgq_init(struct k_msgq *q, void *buffer, size_t msg_size, uint32_t max_msgs)
{
	memset(q, 0, sizeof(*q));
	q->buffer = buffer;
	q->msg_size = msg_size;
	q->max_msgs = max_msgs;
}

int k_msgq_put(struct k_msgq *q, const void *msg, k_timeout_t timeout)
{
	if (q->used == q->max_msgs)
		return timeout == K_NO_WAIT ? K_EAGAIN : time_out(timeout, "k_msgq_put");
	memcpy(q->buffer + q->write_idx * q->msg_size, msg, q->msg_size);
	q->write_idx = (q->write_idx + 1) % q->max_msgs;
	q->used++;
	return 0;
}

int k_msgq_get(struct k_msgq *q, void *msg, k_timeout_t timeout)
{
	if (!q->used)
		return timeout == K_NO_WAIT ? K_EAGAIN : time_out(timeout, "k_msgq_get");
	memcpy(msg, q->buffer + q->read_idx * q->msg_size, q->msg_size);
	q->read_idx = (q->read_idx + 1) % q->max_msgs;
	q->used--;
	return 0;
}

uint32_t k_msgq_num_used(struct k_msgq *q)
{
	return q->used;
}
