/* SPDX-License-Identifier: MIT */
/*
 * The SMP scheduler: per-CPU run queues, wake-up placement by affinity and
 * urgency, preemption at interrupt exit, time slicing, idle work stealing.
 * See include/zvm/sched.h for the locking rule.
 */
#include <stdio.h>
#include <zvm/arch.h>
#include <zvm/pool.h>
#include <zvm/sched.h>
#include <zvm/sched_place.h>

struct k_cpu k_cpus[K_MAX_CPUS];
k_spinlock_t sched_lock;
static uint64_t slice_ticks; /* 0: time slicing off */
void (*sched_timer_probe)(uint64_t late_ticks);

static struct k_cpu *this_cpu(void)
{
	return arch_cpu_self();
}

static bool is_idle(const struct k_thread *t)
{
	return t->prio == K_IDLE_PRIO;
}

static bool is_coop(const struct k_thread *t)
{
	return t->prio < 0;
}

static uint32_t online_mask(void)
{
	uint32_t mask = 0;

	for (int i = 0; i < K_MAX_CPUS; i++)
		if (k_cpus[i].online && !k_cpus[i].halted)
			mask |= 1u << i;
	return mask;
}

/* Should t, newly ready, take the CPU from cur? */
static bool should_preempt(const struct k_thread *cur, const struct k_thread *t)
{
	return place_preempts(cur->prio, t->prio);
}

static bool cpu_is_idle(const struct k_cpu *c)
{
	return is_idle(c->current) && c->runq.count == 0;
}

/* The CPUs t may use now: its affinity within the pool rules (include/zvm/pool.h). */
static uint32_t allowed_cpus(const struct k_thread *t)
{
	return pool_thread_cpus(&pool_table, t);
}

/* Where t should run: the rule of kernel/sched_place.c on the CPUs as they are now. */
static int choose_cpu(const struct k_thread *t)
{
	struct cpu_view view[K_MAX_CPUS]; /* only the entries of the mask are read */
	uint32_t allowed = allowed_cpus(t);
	uint32_t mask = allowed & online_mask();

	if (!mask)
		mask = allowed;
	K_ASSERT(mask && mask <= K_CPU_ALL);
	for (uint32_t m = mask; m; m &= m - 1) {
		int i = __builtin_ctz(m);
		/* A CPU that has not started (no online one allowed) is never chosen as idle. */
		bool up = k_cpus[i].current;

		view[i].idle = up && cpu_is_idle(&k_cpus[i]);
		view[i].cur_prio = up ? k_cpus[i].current->prio : K_HIGHEST_PRIO;
	}
	return place_cpu(view, K_MAX_CPUS, mask, t->cpu, t->prio);
}

static bool slice_missing(struct k_cpu *c);
static bool waiting_but_free_elsewhere(struct k_cpu *c);
static void slice_arm(struct k_cpu *c);

/* Queue t, ready, on `cpu` and tell that CPU if it must look; lock held. */
static void enqueue_on(struct k_thread *t, int cpu)
{
	struct k_cpu *c = &k_cpus[cpu];

	t->state = K_THREAD_READY;
	t->cpu = cpu;
	runq_add(&c->runq, t);
	if (c == this_cpu())
		slice_arm(c);
	else if (should_preempt(c->current, t) || c->current->ipi_on_ready || slice_missing(c))
		arch_send_sgi(IPI_RESCHED, 1u << cpu);
}

void sched_ready(struct k_thread *t)
{
	if (t->suspend_req) {
		t->suspend_req = false;
		t->state = K_THREAD_SUSPENDED;
		return;
	}
	t->ready_since = arch_counter_read();
	enqueue_on(t, choose_cpu(t));
}

/* ---- timer programming ---- */

static void timer_update(struct k_cpu *c)
{
	uint64_t next = timeout_queue_next(&c->timeouts);

	if (c->slice_deadline && c->slice_deadline < next)
		next = c->slice_deadline;
	if (next == c->timer_deadline)
		return;
	c->timer_deadline = next;
	if (next == TIMEOUT_NONE)
		arch_timer_cancel();
	else
		arch_timer_set(next);
}

static void timeout_arm(struct k_thread *t, k_timeout_t timeout)
{
	struct k_cpu *c = this_cpu();

	t->timeout.cpu = c->id;
	timeout_queue_add(&c->timeouts, &t->timeout, arch_counter_read() + (uint64_t)timeout);
	timer_update(c);
}

/* ---- switching ---- */

/*
 * Slices run only while t shares its CPU with a queued thread of its own
 * priority: a thread alone (an RT vCPU on its CPU) gets no slice interrupts.
 */
static bool slice_due(struct k_cpu *c, const struct k_thread *t)
{
	return slice_ticks && !is_coop(t) && !is_idle(t) && runq_best_prio(&c->runq) == t->prio;
}

static void slice_start(struct k_cpu *c, struct k_thread *t, uint64_t now)
{
	c->slice_expired = false;
	c->slice_deadline = slice_due(c, t) ? now + slice_ticks : 0;
}

/* A thread of the current one's priority was queued here: start slicing. */
static bool slice_missing(struct k_cpu *c)
{
	return !c->slice_deadline && slice_due(c, c->current);
}

static void slice_arm(struct k_cpu *c)
{
	if (slice_missing(c)) {
		c->slice_deadline = arch_counter_read() + slice_ticks;
		timer_update(c);
	}
}

static void account_switch(struct k_cpu *c, struct k_thread *old, struct k_thread *next)
{
	uint64_t now = arch_counter_read();

	old->run_ticks += now - old->slice_start;
	old->ready_since = now; /* if it stays ready (preempted, yielded) */
	next->slice_start = now;
	if (!is_idle(next))
		next->ready_ticks += now - next->ready_since;
	if (!is_idle(next) && now - next->ready_since > next->max_ready_wait)
		next->max_ready_wait = now - next->ready_since;
	/* The RT guard's vCPU waited for its CPU (its first run: its start, not interference). */
	if (next == c->guard_thread && next->ran_on)
		cpu_guard_count(c, next->ready_since, now - next->ready_since);
	if (next->ran_on != 1u << c->id) { /* it moved (or runs for the first time) */
		next->migrations += next->ran_on != 0;
		next->ran_on = 1u << c->id;
	}
	if (is_idle(old))
		c->idle_ticks += now - c->idle_since;
	if (is_idle(next))
		c->idle_since = now;
	slice_start(c, next, now);
	timer_update(c);
	c->switches++;
}

/*
 * A thread leaving the CPU honours an abort or suspend asked from another
 * CPU. A pending thread keeps a suspend request until it is woken.
 */
static void apply_stop_request(struct k_thread *old)
{
	if (old->abort_req) {
		thread_mark_dead(old);
	} else if (old->suspend_req && old->state == K_THREAD_READY) {
		runq_remove(&k_cpus[old->cpu].runq, old);
		old->suspend_req = false;
		old->state = K_THREAD_SUSPENDED;
	}
}

static struct k_thread *pick_next(struct k_cpu *c)
{
	struct k_thread *next = runq_best(&c->runq);

	if (!next)
		return &c->idle_thread;
	runq_remove(&c->runq, next);
	return next;
}

/*
 * The current thread has been given its new state (queued, pending, dead,
 * suspended); run the best thread of this CPU. Called and returns with
 * sched_lock held by this context; it is released with `key` here.
 */
static int do_swap(k_spinlock_key_t key)
{
	struct k_cpu *c = this_cpu();
	struct k_thread *old = c->current;
	struct k_thread *next;

	apply_stop_request(old);
	next = pick_next(c);
	next->state = K_THREAD_RUNNING;
	next->cpu = c->id;
	if (next != old) {
		if (is_idle(old))
			old->state = K_THREAD_READY;
		c->current = next;
		account_switch(c, old, next);
		if (old->switch_out)
			old->switch_out(old);
		if (next->switch_in)
			next->switch_in(next);
		arch_switch(&old->ctx, &next->ctx);
		/* Back in `old`, maybe on another CPU, lock held by us again. */
	}
	old = k_current();
	k_spin_unlock(&sched_lock, key);
	return old->swap_retval;
}

/* Start of every thread: finish the switch that brought us here. */
void kernel_thread_entry(struct k_thread *t)
{
	k_spin_unlock(&sched_lock, 0);
	t->entry(t->arg);
	k_thread_abort(t);
}

/*
 * A thread queued on a busy CPU must not wait while another CPU it may
 * use idles: wake one such CPU, whose idle loop then steals it.
 */
static void kick_idle_cpu(const struct k_thread *t)
{
	uint32_t mask = allowed_cpus(t) & online_mask() & ~(1u << this_cpu()->id);

	for (int i = 0; i < K_MAX_CPUS; i++) {
		if ((mask & (1u << i)) && cpu_is_idle(&k_cpus[i])) {
			arch_send_sgi(IPI_RESCHED, 1u << i);
			return;
		}
	}
}

/*
 * Put the current thread back in a run queue (the idle thread never
 * queues). `preempted`: not by its own choice (yield, stop request); such a
 * thread goes where it can run at once, an idle CPU of its pool and
 * affinity or one running less urgent work (choose_cpu; that CPU is told
 * with one IPI and takes it after our switch has saved it), and otherwise
 * waits at the head of its own queue. A thread that gave the CPU up stays
 * here; an idle CPU it may use is woken and steals it.
 */
static void requeue_current(struct k_cpu *c, bool at_head, bool preempted)
{
	struct k_thread *cur = c->current;
	int cpu;

	if (is_idle(cur))
		return;
	cur->state = K_THREAD_READY; /* ready_since: set by account_switch() */
	if (preempted) {
		cur->preemptions++;
		cpu = choose_cpu(cur);
		if (cpu != c->id) {
			enqueue_on(cur, cpu);
			return;
		}
	}
	if (at_head)
		runq_add_head(&c->runq, cur);
	else
		runq_add(&c->runq, cur);
	if (!preempted)
		kick_idle_cpu(cur);
}

static bool more_urgent_ready(struct k_cpu *c)
{
	struct k_thread *cur = c->current;

	if (is_idle(cur))
		return c->runq.count > 0;
	return !is_coop(cur) && runq_best_prio(&c->runq) < cur->prio;
}

void sched_reschedule(k_spinlock_key_t key)
{
	struct k_cpu *c = this_cpu();

	/* In interrupt context the switch happens at sched_irq_exit(). */
	if (!arch_irq_key_masked(key) && more_urgent_ready(c)) {
		requeue_current(c, true, true);
		do_swap(key);
		return;
	}
	k_spin_unlock(&sched_lock, key);
}

/* ---- pending and waking ---- */

static void waitq_insert(dlist_t *waitq, struct k_thread *t)
{
	struct dnode *n;

	DLIST_FOR_EACH(waitq, n)
	{
		if (CONTAINER_OF(n, struct k_thread, qnode)->prio > t->prio)
			break;
	}
	dlist_insert_before(n, &t->qnode);
	t->waitq = waitq;
}

static void waitq_unlink(struct k_thread *t)
{
	if (t->waitq) {
		dlist_remove(&t->qnode);
		t->waitq = NULL;
	}
	timeout_queue_remove(&t->timeout);
}

static void pend_timeout_expired(struct timeout *to)
{
	struct k_thread *t = CONTAINER_OF(to, struct k_thread, timeout);

	if (t->state != K_THREAD_PENDING)
		return;
	waitq_unlink(t);
	t->swap_retval = K_EAGAIN;
	sched_ready(t);
}

int sched_pend_current(dlist_t *waitq, k_timeout_t timeout, k_spinlock_key_t key)
{
	struct k_thread *cur = k_current();

	K_ASSERT(!k_is_in_isr()); /* every blocking call ends here: never in an ISR */
	cur->state = K_THREAD_PENDING;
	cur->swap_retval = K_EAGAIN;
	cur->waitq = NULL;
	if (waitq)
		waitq_insert(waitq, cur);
	if (timeout != K_FOREVER) {
		timeout_init(&cur->timeout, pend_timeout_expired);
		timeout_arm(cur, timeout);
	}
	return do_swap(key);
}

struct k_thread *sched_unpend_first(dlist_t *waitq)
{
	struct dnode *n = dlist_first(waitq);
	struct k_thread *t;

	if (!n)
		return NULL;
	t = CONTAINER_OF(n, struct k_thread, qnode);
	waitq_unlink(t);
	return t;
}

/*
 * Lock held. A queued thread is re-sorted; one that now outranks what its
 * CPU runs gets that CPU (an IPI if it is another one: a boost must not
 * wait for that CPU's next reschedule, which a CPU-bound thread may never
 * give).
 */
void sched_set_prio(struct k_thread *t, int prio)
{
	if (t->state == K_THREAD_READY) {
		struct k_cpu *c = &k_cpus[t->cpu];

		runq_remove(&c->runq, t);
		t->prio = prio;
		runq_add(&c->runq, t);
		if (c != this_cpu() && should_preempt(c->current, t))
			arch_send_sgi(IPI_RESCHED, 1u << c->id);
	} else if (t->state == K_THREAD_PENDING && t->waitq) {
		dlist_t *waitq = t->waitq;

		dlist_remove(&t->qnode);
		t->prio = prio;
		waitq_insert(waitq, t);
	} else {
		t->prio = prio;
	}
}

/* ---- interrupt side ---- */

void sched_timer_irq(void)
{
	struct k_cpu *c = this_cpu();
	/* Expiry readies threads and unlinks them from wait queues: locked. */
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	uint64_t now = arch_counter_read();
	struct timeout *to;

	if (sched_timer_probe && c->timer_deadline && c->timer_deadline != TIMEOUT_NONE)
		sched_timer_probe(now - c->timer_deadline);
	c->timer_deadline = 0; /* it fired: must be reprogrammed */
	while ((to = timeout_queue_pop_expired(&c->timeouts, now)))
		to->fn(to);
	if (c->slice_deadline && now >= c->slice_deadline) {
		c->slice_expired = true;
		c->slice_deadline = slice_due(c, c->current) ? now + slice_ticks : 0;
	}
	timer_update(c);
	k_spin_unlock(&sched_lock, key);
}

/*
 * This CPU was drained (kernel/pool_ops.c) or an idle CPU asked it to look
 * (nudge_busy_cpu): its stale timer goes, and a current thread no longer
 * allowed here, or one that keeps a queued thread waiting while it could
 * run on an idle CPU, moves. Returns true if it switched (the lock is then
 * released).
 */
static bool drain_finish(struct k_cpu *c, k_spinlock_key_t key)
{
	struct k_thread *cur = c->current;

	c->drain_req = false;
	timer_update(c);
	if (is_idle(cur))
		return false;
	if (!(allowed_cpus(cur) & (1u << c->id))) {
		sched_ready(cur); /* queued on an allowed CPU; picked there after our switch */
		do_swap(key);
		return true;
	}
	if (!waiting_but_free_elsewhere(c))
		return false;
	requeue_current(c, false, true); /* to the idle CPU */
	do_swap(key);
	return true;
}

/* Move the ready threads of c that may no longer run there; lock held. */
static void drain_queue(struct k_cpu *c)
{
	for (unsigned lv = 0; lv < RUNQ_LEVELS; lv++) {
		struct dnode *n, *tmp;

		DLIST_FOR_EACH_SAFE(&c->runq.level[lv], n, tmp)
		{
			struct k_thread *t = CONTAINER_OF(n, struct k_thread, qnode);

			if (allowed_cpus(t) & (1u << c->id))
				continue;
			runq_remove(&c->runq, t);
			sched_ready(t);
		}
	}
}

/* Move c's timeouts to this CPU, whose timer then covers them; lock held. */
static void drain_timeouts(struct k_cpu *c)
{
	struct k_cpu *self = this_cpu();
	struct timeout *to;

	if (c == self)
		return;
	while ((to = timeout_queue_pop_expired(&c->timeouts, TIMEOUT_NONE))) {
		to->cpu = self->id;
		timeout_queue_add(&self->timeouts, to, to->deadline);
	}
	timer_update(self);
}

void sched_cpu_drain(int cpu)
{
	struct k_cpu *c = &k_cpus[cpu];

	drain_queue(c);
	drain_timeouts(c);
	c->drain_req = true;
	arch_send_sgi(IPI_RESCHED, 1u << cpu);
}

void sched_thread_moved(struct k_thread *t)
{
	if (t->state == K_THREAD_READY && !(allowed_cpus(t) & (1u << t->cpu))) {
		runq_remove(&k_cpus[t->cpu].runq, t);
		sched_ready(t);
	} else if (t->state == K_THREAD_RUNNING && !(allowed_cpus(t) & (1u << t->cpu))) {
		k_cpus[t->cpu].drain_req = true;
		arch_send_sgi(IPI_RESCHED, 1u << t->cpu);
	}
}

/*
 * A thread waits in this CPU's queue (it may run only here, or it would
 * have been placed or stolen elsewhere) while the current one may run on
 * an idle CPU: the current one goes there, so both run (rather than after
 * a time slice, or never while the current one keeps the CPU).
 */
static bool waiting_but_free_elsewhere(struct k_cpu *c)
{
	struct k_thread *cur = c->current;

	return c->runq.count && !is_idle(cur) && !is_coop(cur) && choose_cpu(cur) != c->id;
}

void sched_irq_exit(void)
{
	struct k_cpu *c = this_cpu();
	struct k_thread *cur = c->current;
	k_spinlock_key_t key;

	/*
	 * Unlocked look first (the common case: nothing to do). A thread queued
	 * here by another CPU is visible: it sent its IPI after queueing.
	 */
	if (!cur->abort_req && !cur->suspend_req && !c->slice_expired && !more_urgent_ready(c) &&
	    !slice_missing(c) && !c->drain_req)
		return;
	key = k_spin_lock(&sched_lock);
	if (c->drain_req && drain_finish(c, key))
		return;
	slice_arm(c);
	if (cur->abort_req || cur->suspend_req) {
		requeue_current(c, true, false);
		do_swap(key); /* which honours the request */
		return;
	}
	if (more_urgent_ready(c) || waiting_but_free_elsewhere(c) ||
	    (c->slice_expired && runq_best_prio(&c->runq) <= cur->prio && !is_coop(cur))) {
		bool rotate = c->slice_expired && runq_best_prio(&c->runq) == cur->prio;

		requeue_current(c, !rotate, true);
		do_swap(key);
		return;
	}
	c->slice_expired = false;
	k_spin_unlock(&sched_lock, key);
}

/* ---- idle ---- */

/* A static CPU takes only the thread bound to it (include/zvm/pool.h). */
static void steal_owner(struct k_cpu *c)
{
	struct k_thread *t = (struct k_thread *)pool_table.owner[c->id];

	if (t && t->state == K_THREAD_READY && t->cpu != c->id) {
		runq_remove(&k_cpus[t->cpu].runq, t);
		t->cpu = c->id;
		runq_add(&c->runq, t);
	}
}

/*
 * Pull the most urgent queued thread this CPU may run from the other CPUs'
 * queues (a thread that waits there while this CPU would idle). Returns
 * the CPUs that have queued threads it took none of.
 */
static uint32_t steal_work(struct k_cpu *c)
{
	struct k_thread *best = NULL;
	uint32_t busy = 0;

	if (c->isolated) {
		steal_owner(c);
		return 0;
	}
	for (int i = 0; i < K_MAX_CPUS; i++) {
		struct k_thread *t;

		if (i == c->id || !k_cpus[i].runq.count)
			continue;
		busy |= 1u << i;
		t = runq_best_for_cpu(&k_cpus[i].runq, c->id);
		if (t && (allowed_cpus(t) & (1u << c->id)) && (!best || t->prio < best->prio))
			best = t;
	}
	if (best) {
		runq_remove(&k_cpus[best->cpu].runq, best);
		best->cpu = c->id;
		runq_add(&c->runq, best);
	}
	return busy;
}

/*
 * Nothing to steal, but a CPU of `busy` (it has queued threads) may have one
 * that only it can run while its current thread could run here: ask it (one
 * IPI) to send its current thread here (drain_finish). Never a static CPU,
 * never from one (steal_work reports none there).
 */
static void nudge_busy_cpu(struct k_cpu *c, uint32_t busy)
{
	for (; busy; busy &= busy - 1) {
		int i = __builtin_ctz(busy);
		struct k_cpu *o = &k_cpus[i];

		if (o->isolated || o->drain_req || is_idle(o->current) || is_coop(o->current) ||
		    !(allowed_cpus(o->current) & (1u << c->id)))
			continue;
		o->drain_req = true;
		arch_send_sgi(IPI_RESCHED, 1u << i);
		return;
	}
}

void sched_cpu_run_idle(void)
{
	struct k_cpu *c = this_cpu();

	c->idle_since = arch_counter_read();
	c->load_time = c->idle_since;
	arch_irq_enable();
	for (;;) {
		k_spinlock_key_t key = k_spin_lock(&sched_lock);

		if (!c->runq.count) {
			uint32_t busy = steal_work(c);

			if (!c->runq.count && busy)
				nudge_busy_cpu(c, busy);
		}
		if (c->runq.count) {
			do_swap(key);
			continue;
		}
		arch_spin_release(&sched_lock);
		arch_cpu_idle();       /* IRQs masked: wakes on a pending one */
		arch_irq_restore(key); /* the interrupt is taken here */
	}
}

void sched_cpu_init(int cpu, uint64_t mpidr)
{
	struct k_cpu *c = &k_cpus[cpu];
	struct k_thread *idle = &c->idle_thread;

	c->id = cpu;
	c->mpidr = mpidr;
	runq_init(&c->runq);
	dlist_init(&c->timeouts);
	c->timer_deadline = TIMEOUT_NONE;
	idle->prio = idle->base_prio = K_IDLE_PRIO;
	idle->state = K_THREAD_RUNNING;
	idle->cpu = cpu;
	idle->affinity = 1u << cpu;
	snprintf(idle->name, sizeof(idle->name), "idle%d", cpu);
	timeout_init(&idle->timeout, NULL);
	dlist_init(&idle->joiners);
	dlist_init(&idle->held_mutexes);
	c->current = idle;
	arch_cpu_self_set(c);
	k_spinlock_key_t key = k_spin_lock(&sched_lock);
	thread_register(idle);
	k_spin_unlock(&sched_lock, key);
}

void sched_cpu_online(void)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);

	this_cpu()->online = true;
	k_spin_unlock(&sched_lock, key);
}

void k_sched_time_slice_set(uint32_t slice_ms)
{
	k_spinlock_key_t key = k_spin_lock(&sched_lock);

	slice_ticks = slice_ms ? k_ns_to_ticks((uint64_t)slice_ms * 1000000u) : 0;
	k_spin_unlock(&sched_lock, key);
}

int sched_swap_current(k_spinlock_key_t key)
{
	return do_swap(key);
}

void sched_yield_current(k_spinlock_key_t key)
{
	requeue_current(this_cpu(), false, false);
	do_swap(key);
}

static void timer_isr(int intid, void *arg)
{
	(void)intid;
	(void)arg;
	sched_timer_irq();
}

static void ipi_isr(int intid, void *arg)
{
	(void)intid;
	(void)arg;
	cpu_ipi_taken(); /* the look at the run queue follows at interrupt exit */
}

void sched_cpu_irqs_init(int cpu, int timer_intid)
{
	irq_connect(IPI_RESCHED, ipi_isr, NULL);
	irq_connect(timer_intid, timer_isr, NULL);
	irq_enable(timer_intid, cpu);
}
