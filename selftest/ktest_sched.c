/* SPDX-License-Identifier: MIT */
/*
 * Scheduler self-tests: priority order, preemption, cooperative threads,
 * time slicing, suspend/resume/abort/join, sleep accuracy, CPU affinity.
 *
 * Each test runs its control logic in a driver thread pinned to CPU 0
 * (kt_run_driver) and the threads under test pinned to CPUs 1..3, so a
 * busy test thread never shares a CPU with the code that must release it.
 * Assertions on order and counts are exact; time bounds are loose enough
 * for QEMU TCG running 4 vCPUs on fewer host cores.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/kernel.h>
#include "ktest_util.h"

/*
 * Hang detection only: far above normal run times (milliseconds), because
 * an overloaded host can make QEMU TCG slower by orders of magnitude.
 */
#define DRIVER_MS 60000 /* no test driver may take longer */
#define JOIN_MS   10000 /* no test thread may take longer */

/* ---- priority order ---- */

#define ORDER_N 8

static const int order_prio[ORDER_N] = {
	9, 3, K_PRIO_COOP(10), 12, 3, 0, K_PRIO_COOP(4), 9,
};

static struct {
	int gate_running;
	int go;
	int nseen;
	int seen[ORDER_N];
	int wrong_cpu;
} po;

/* Holds CPU 1 (cooperatively) until every worker is queued behind it. */
static void order_gate(void *arg)
{
	(void)arg;
	KT_STORE(po.gate_running, 1);
	KT_SPIN_UNTIL(KT_LOAD(po.go), 2000);
}

static void order_worker(void *arg)
{
	int idx = (int)(uintptr_t)arg;

	po.seen[__atomic_fetch_add(&po.nseen, 1, __ATOMIC_SEQ_CST)] = idx;
	if (k_cpu_id() != kt_cpu(1))
		KT_STORE(po.wrong_cpu, 1);
}

/* seen[] must be sorted by priority, equal priorities in start order. */
static int order_check(void)
{
	for (int i = 1; i < ORDER_N; i++) {
		int a = po.seen[i - 1], b = po.seen[i];

		if (order_prio[a] < order_prio[b] || (order_prio[a] == order_prio[b] && a < b))
			continue;
		kt_fail("run #%d: worker %d (prio %d) after worker %d (prio %d)", i, b,
			order_prio[b], a, order_prio[a]);
		return -1;
	}
	return 0;
}

static int prio_order_driver(void)
{
	struct k_thread *gate, *w[ORDER_N];
	int err = 0;

	memset(&po, 0, sizeof(po));
	gate = kt_spawn("gate", order_gate, NULL, K_PRIO_COOP(0), kt_cpu(1));
	if (!KT_WAIT(KT_LOAD(po.gate_running), 1000))
		kt_fail("gate thread did not start");
	for (int i = 0; i < ORDER_N; i++)
		w[i] = kt_spawn("order", order_worker, (void *)(uintptr_t)i, order_prio[i],
				kt_cpu(1));
	for (int i = 0; i < ORDER_N; i++)
		if (w[i] && kt_state(w[i]) != K_THREAD_READY)
			kt_fail("worker %d is %s before the gate opened", i,
				k_thread_state_str(kt_state(w[i])));
	KT_STORE(po.go, 1);
	err |= kt_join(gate, JOIN_MS);
	for (int i = 0; i < ORDER_N; i++)
		err |= kt_join(w[i], JOIN_MS);
	KT_CHECK(!err, "threads did not finish");
	KT_CHECK(po.nseen == ORDER_N, "%d of %d workers ran", po.nseen, ORDER_N);
	KT_CHECK(!po.wrong_cpu, "a worker pinned to CPU 1 ran elsewhere");
	return order_check();
}

/*
 * Threads of different priorities made ready together while CPU 1 is held
 * run strictly most urgent first; equal priorities run in FIFO order.
 */
KT_CASE(sched_prio_order)
{
	KT_NEED_CPUS(2);
	return kt_run_driver(prio_order_driver, DRIVER_MS);
}

/* ---- preemption by a semaphore wake-up ---- */

static struct {
	struct k_sem sem;
	int high_ran;    /* the urgent thread has woken */
	int low_looping; /* the busy thread is inside its loop */
	int high_saw_low_looping;
	int low_timed_out;
	int give_returned; /* local case: the give call has returned */
	int high_saw_give_returned;
	int ran_after_give; /* local case: high had run when give returned */
	uint64_t t_give, t_wake;
} ps;

static void preempt_high(void *arg)
{
	(void)arg;
	if (k_sem_take(&ps.sem, K_MSEC(2000)) != 0)
		return;
	ps.t_wake = k_cycle_get();
	KT_STORE(ps.high_saw_low_looping, KT_LOAD(ps.low_looping));
	KT_STORE(ps.high_saw_give_returned, KT_LOAD(ps.give_returned));
	KT_STORE(ps.high_ran, 1);
}

/* Local case: the busy thread itself wakes the urgent one. */
static void preempt_low_giver(void *arg)
{
	(void)arg;
	k_busy_wait_ns(2000000);
	k_sem_give(&ps.sem);
	KT_STORE(ps.ran_after_give, KT_LOAD(ps.high_ran));
	KT_STORE(ps.give_returned, 1);
}

/* Remote case: busy until the urgent thread has run (or 1 s). */
static void preempt_low_busy(void *arg)
{
	(void)arg;
	KT_STORE(ps.low_looping, 1);
	if (!KT_SPIN_UNTIL(KT_LOAD(ps.high_ran), 1000))
		KT_STORE(ps.low_timed_out, 1);
	KT_STORE(ps.low_looping, 0);
}

static int preempt_local(void)
{
	struct k_thread *h, *l;
	int err = 0;

	memset(&ps, 0, sizeof(ps));
	k_sem_init(&ps.sem, 0, 1);
	h = kt_spawn("high", preempt_high, NULL, 3, kt_cpu(1));
	err |= kt_wait_state(h, K_THREAD_PENDING, 1000);
	l = kt_spawn("low", preempt_low_giver, NULL, 10, kt_cpu(1));
	err |= kt_join(l, JOIN_MS);
	err |= kt_join(h, JOIN_MS);
	KT_CHECK(!err, "local case: threads did not finish");
	KT_CHECK(ps.ran_after_give && !ps.high_saw_give_returned,
		 "prio 3 woken by k_sem_give on its CPU did not preempt the prio 10 giver");
	return 0;
}

static int preempt_remote(void)
{
	struct k_thread *h, *l;
	int err = 0;

	memset(&ps, 0, sizeof(ps));
	k_sem_init(&ps.sem, 0, 1);
	h = kt_spawn("high", preempt_high, NULL, 3, kt_cpu(1));
	err |= kt_wait_state(h, K_THREAD_PENDING, 1000);
	l = kt_spawn("low", preempt_low_busy, NULL, 10, kt_cpu(1));
	if (!KT_WAIT(KT_LOAD(ps.low_looping), 1000))
		kt_fail("busy thread did not start");
	ps.t_give = k_cycle_get();
	k_sem_give(&ps.sem); /* from CPU 0: an IPI must preempt */
	err |= kt_join(l, JOIN_MS);
	err |= kt_join(h, JOIN_MS);
	KT_CHECK(!err, "remote case: threads did not finish");
	KT_CHECK(ps.high_ran && ps.high_saw_low_looping && !ps.low_timed_out,
		 "prio 3 woken from CPU 0 did not preempt busy prio 10 on CPU 1");
	printf("ktest: sched_preempt: remote wake-up to run %llu us\n",
	       (unsigned long long)kt_ticks_us(ps.t_wake - ps.t_give));
	return 0;
}

static int preempt_driver(void)
{
	return preempt_local() || preempt_remote() ? -1 : 0;
}

/*
 * A thread of priority 3 pending on a semaphore preempts a busy thread of
 * priority 10 on the same CPU as soon as it is given: before k_sem_give()
 * returns when the busy thread gives, and while the busy thread is still
 * in its loop when CPU 0 gives.
 */
KT_CASE(sched_preempt)
{
	KT_NEED_CPUS(2);
	return kt_run_driver(preempt_driver, DRIVER_MS);
}

/* ---- cooperative threads ---- */

/* The other threads on the cooperative thread's CPU, and how they get ready. */
enum {
	CO_URGENT,  /* prio -14, semaphore given by the cooperative thread */
	CO_URGENT2, /* prio -14, semaphore given from CPU 0 */
	CO_TIMED,   /* prio -14, wakes from a 50 ms sleep: a timer interrupt */
	CO_EQUAL,   /* prio -6, started from CPU 0 */
	CO_PREEMPT, /* prio 0, semaphore given from CPU 0 */
	CO_N
};

#define CO_SLEEP_MS   50
#define CO_YIELD_RUNS ((1 << CO_URGENT) | (1 << CO_URGENT2) | (1 << CO_TIMED) | (1 << CO_EQUAL))

static struct {
	struct k_sem wake[CO_N];
	struct k_thread *timed;
	int coop_running;
	int all_woken; /* the driver has readied the others */
	int coop_done;
	int ran[CO_N];
	int ran_at_start;     /* bits of threads that ran before coop started */
	int ran_before_yield; /* bits of threads that ran while coop was busy */
	int ran_at_resume;    /* bits set when coop came back from k_yield */
	int saw_done[CO_N];
} co;

static void coop_other(void *arg)
{
	int id = (int)(uintptr_t)arg;

	if (id == CO_TIMED)
		k_sleep(K_MSEC(CO_SLEEP_MS));
	else if (id != CO_EQUAL && k_sem_take(&co.wake[id], K_MSEC(2000)) != 0)
		return;
	KT_STORE(co.saw_done[id], KT_LOAD(co.coop_done));
	KT_STORE(co.ran[id], 1);
}

static int coop_ran_mask(void)
{
	int mask = 0;

	for (int i = 0; i < CO_N; i++)
		mask |= KT_LOAD(co.ran[i]) << i;
	return mask;
}

static void coop_main(void *arg)
{
	(void)arg;
	co.ran_at_start = coop_ran_mask();
	KT_STORE(co.coop_running, 1);
	k_sem_give(&co.wake[CO_URGENT]);
	/* Keep the CPU until everything is ready, the sleeper by its timer. */
	KT_SPIN_UNTIL(KT_LOAD(co.all_woken) && kt_state(co.timed) != K_THREAD_PENDING, 1000);
	k_busy_wait_ns(2000000); /* and for the IPIs to land */
	KT_STORE(co.ran_before_yield, coop_ran_mask() & ~co.ran_at_start);
	k_yield();
	KT_STORE(co.ran_at_resume, coop_ran_mask());
	KT_STORE(co.coop_done, 1);
}

static struct k_thread *coop_spawn(int id, int prio)
{
	static const char *const names[CO_N] = {
		"co_urgent", "co_urgent2", "co_timed", "co_equal", "co_preempt",
	};

	return kt_spawn(names[id], coop_other, (void *)(uintptr_t)id, prio, kt_cpu(1));
}

static int coop_check(void)
{
	if (co.ran_at_start)
		printf("ktest: sched_coop: note: the sleeper woke before the cooperative "
		       "thread started (host delay), its part is not checked\n");
	KT_CHECK(co.ran_before_yield == 0,
		 "cooperative thread was preempted (ran meanwhile: mask %#x)", co.ran_before_yield);
	KT_CHECK(co.ran_at_resume == CO_YIELD_RUNS,
		 "after k_yield: ran mask %#x, expected the urgent and the equal ones (%#x)",
		 co.ran_at_resume, CO_YIELD_RUNS);
	KT_CHECK(co.saw_done[CO_PREEMPT],
		 "preemptible prio 0 ran before the cooperative thread ended");
	return 0;
}

static int coop_driver(void)
{
	struct k_thread *t[CO_N] = { 0 }, *c;
	int err = 0;

	memset(&co, 0, sizeof(co));
	for (int i = 0; i < CO_N; i++)
		k_sem_init(&co.wake[i], 0, 1);
	k_sched_time_slice_set(2); /* slicing must not touch cooperative threads */
	t[CO_URGENT] = coop_spawn(CO_URGENT, K_PRIO_COOP(2));
	t[CO_URGENT2] = coop_spawn(CO_URGENT2, K_PRIO_COOP(2));
	t[CO_PREEMPT] = coop_spawn(CO_PREEMPT, K_PRIO_PREEMPT(0));
	t[CO_TIMED] = co.timed = coop_spawn(CO_TIMED, K_PRIO_COOP(2));
	for (int i = 0; i < CO_N; i++)
		if (i != CO_EQUAL)
			err |= t[i] ? kt_wait_state(t[i], K_THREAD_PENDING, 1000) : -1;
	c = err ? NULL : kt_spawn("coop", coop_main, NULL, K_PRIO_COOP(10), kt_cpu(1));
	if (c && !KT_WAIT(KT_LOAD(co.coop_running), 1000))
		kt_fail("cooperative thread did not start");
	/* Ready more threads on its CPU from here. */
	k_sem_give(&co.wake[CO_URGENT2]);
	k_sem_give(&co.wake[CO_PREEMPT]);
	t[CO_EQUAL] = coop_spawn(CO_EQUAL, K_PRIO_COOP(10));
	KT_STORE(co.all_woken, 1);
	err |= kt_join(c, JOIN_MS);
	for (int i = 0; i < CO_N; i++)
		err |= kt_join(t[i], JOIN_MS);
	k_sched_time_slice_set(K_TIME_SLICE_MS);
	KT_CHECK(!err, "threads did not finish");
	return coop_check();
}

/*
 * A cooperative thread (prio -6) keeps its CPU while time slicing is on
 * and other threads are readied on it: more urgent cooperative ones (-14)
 * by its own k_sem_give, from CPU 0 and by a timer interrupt, an equal one
 * and a preemptible one (0) from CPU 0. At its k_yield() all the more
 * urgent and equal ones run; the preemptible one only after it ends.
 * (A preemptible thread is never more urgent than a cooperative one.)
 */
KT_CASE(sched_coop)
{
	KT_NEED_CPUS(2);
	return kt_run_driver(coop_driver, DRIVER_MS);
}

/* ---- time slicing ---- */

#define SLICE_MS          5
#define SLICE_RUN_MS      200
#define SLICE_GAP_US      1000 /* a longer pause means the thread was switched out */
#define SLICE_MIN_RUNS    8    /* each thread: expected ~SLICE_RUN_MS / 2 / SLICE_MS */
#define SLICE_MAX_GAP_MS  40   /* expected ~SLICE_MS; TCG vCPUs stall now and then */
#define SLICE_TRIES       3
#define SLICE_OFF_BUSY_MS 60 /* slicing off: the first thread keeps the CPU so long */

struct slicer {
	uint64_t end;
	uint64_t iters;
	unsigned runs;    /* times it got the CPU back */
	uint64_t max_gap; /* ticks */
};

static struct slicer slicers[2];

static void slice_busy(void *arg)
{
	struct slicer *s = arg;
	uint64_t gap_ticks = k_ns_to_ticks(SLICE_GAP_US * 1000u);
	uint64_t last = k_cycle_get(), now;

	while ((now = k_cycle_get()) < s->end) {
		if (now - last > gap_ticks) {
			s->runs++;
			if (now - last > s->max_gap)
				s->max_gap = now - last;
		}
		last = now;
		s->iters++;
	}
}

/* One measurement: 0 in bounds, 1 out of bounds, -1 if the threads hang. */
static int slice_on_try(void)
{
	struct k_thread *t[2];
	uint64_t end;
	int err = 0, missed = 0;

	memset(slicers, 0, sizeof(slicers));
	k_sched_time_slice_set(SLICE_MS);
	end = k_cycle_get() + kt_ms_ticks(SLICE_RUN_MS);
	for (int i = 0; i < 2; i++) {
		slicers[i].end = end;
		t[i] = kt_spawn("slice", slice_busy, &slicers[i], 10, kt_cpu(1));
	}
	for (int i = 0; i < 2; i++)
		err |= kt_join(t[i], JOIN_MS);
	k_sched_time_slice_set(K_TIME_SLICE_MS);
	KT_CHECK(!err, "threads did not finish");
	printf("ktest: sched_slice: %u ms slices: runs %u/%u, max gap %llu/%llu us\n", SLICE_MS,
	       slicers[0].runs, slicers[1].runs,
	       (unsigned long long)kt_ticks_us(slicers[0].max_gap),
	       (unsigned long long)kt_ticks_us(slicers[1].max_gap));
	for (int i = 0; i < 2; i++) {
		missed |= slicers[i].runs < SLICE_MIN_RUNS;
		missed |= kt_ticks_us(slicers[i].max_gap) > SLICE_MAX_GAP_MS * 1000u;
	}
	return missed;
}

/* Timing on an oversubscribed host is noisy: best of SLICE_TRIES. */
static int slice_on_driver(void)
{
	for (int try = 1; try <= SLICE_TRIES; try++) {
		int r = slice_on_try();

		if (r <= 0)
			return r;
	}
	kt_fail("slicing on: in %d tries, a thread got the CPU back fewer than %u times "
		"or waited more than %u ms",
		SLICE_TRIES, SLICE_MIN_RUNS, SLICE_MAX_GAP_MS);
	return -1;
}

static struct {
	int a_running, a_yielded;
	int b_started, b_done;
	int a_saw_b;          /* B had started while A was busy */
	int b_done_at_resume; /* B had finished when A came back from yield */
	int b_saw_a_yielded;
} so;

static void slice_off_a(void *arg)
{
	(void)arg;
	KT_STORE(so.a_running, 1);
	KT_SPIN_UNTIL(KT_LOAD(so.b_started), SLICE_OFF_BUSY_MS);
	KT_STORE(so.a_saw_b, KT_LOAD(so.b_started));
	KT_STORE(so.a_yielded, 1);
	k_yield();
	KT_STORE(so.b_done_at_resume, KT_LOAD(so.b_done));
}

static void slice_off_b(void *arg)
{
	(void)arg;
	KT_STORE(so.b_started, 1);
	KT_STORE(so.b_saw_a_yielded, KT_LOAD(so.a_yielded));
	k_busy_wait_ns(5000000);
	KT_STORE(so.b_done, 1);
}

static int slice_off_driver(void)
{
	struct k_thread *a, *b;
	int err = 0;

	memset(&so, 0, sizeof(so));
	k_sched_time_slice_set(0);
	a = kt_spawn("a", slice_off_a, NULL, 10, kt_cpu(1));
	if (!KT_WAIT(KT_LOAD(so.a_running), 1000))
		kt_fail("thread a did not start");
	b = kt_spawn("b", slice_off_b, NULL, 10, kt_cpu(1));
	err |= kt_join(a, JOIN_MS);
	err |= kt_join(b, JOIN_MS);
	k_sched_time_slice_set(K_TIME_SLICE_MS);
	KT_CHECK(!err, "threads did not finish");
	KT_CHECK(!so.a_saw_b && so.b_saw_a_yielded,
		 "slicing off: equal-priority thread ran before the busy one yielded");
	KT_CHECK(so.b_done_at_resume,
		 "slicing off: yield did not run the other thread to completion first");
	return 0;
}

/*
 * Two busy threads of priority 10 on one CPU: with 5 ms slices each gets
 * the CPU back at least 8 times in 200 ms and never waits more than 40 ms;
 * with slicing off the first keeps the CPU for 60 ms until it yields, and
 * then the second runs to its end before the first resumes.
 */
KT_CASE(sched_slice)
{
	KT_NEED_CPUS(2);
	if (kt_run_driver(slice_on_driver, DRIVER_MS))
		return -1;
	return kt_run_driver(slice_off_driver, DRIVER_MS);
}

/* ---- migration of a preempted thread ---- */

static struct {
	int blocker_stop;
	int p_started;
	int h_cpu;
	int h_running;
	int p_elsewhere; /* it ran on another CPU while h held its own */
	uint64_t t_h_start, t_elsewhere;
} mg;

static void mig_blocker(void *arg)
{
	(void)arg;
	KT_SPIN_UNTIL(KT_LOAD(mg.blocker_stop), 1000);
}

static void mig_preempted(void *arg)
{
	uint64_t end = k_cycle_get() + kt_ms_ticks(1000);

	(void)arg;
	KT_STORE(mg.p_started, 1);
	while (!KT_LOAD(mg.p_elsewhere) && k_cycle_get() < end) {
		if (KT_LOAD(mg.h_running) && k_cpu_id() != KT_LOAD(mg.h_cpu)) {
			mg.t_elsewhere = k_cycle_get();
			KT_STORE(mg.p_elsewhere, 1);
		}
	}
}

static void mig_high(void *arg)
{
	(void)arg;
	mg.t_h_start = k_cycle_get();
	KT_STORE(mg.h_running, 1);
	KT_SPIN_UNTIL(KT_LOAD(mg.p_elsewhere), 200);
	KT_STORE(mg.h_running, 0);
}

static int migrate_driver(void)
{
	struct k_thread *b, *p, *h;
	int c1 = kt_cpu(1), c2 = kt_cpu(2), err;

	memset(&mg, 0, sizeof(mg));
	/* Hold c2 so that p, allowed on c1 and c2, starts on c1. */
	b = kt_spawn("blocker", mig_blocker, NULL, K_PRIO_COOP(1), c2);
	p = k_thread_spawn("mig", KT_STACK, mig_preempted, NULL, 10, (1u << c1) | (1u << c2));
	KT_EXPECT(p && KT_WAIT(KT_LOAD(mg.p_started), 1000), "thread did not start");
	KT_STORE(mg.blocker_stop, 1);
	err = kt_join(b, JOIN_MS);
	/* c2 is idle now; preempt p on c1. */
	mg.h_cpu = p ? p->cpu : c1;
	h = kt_spawn("high", mig_high, NULL, 5, mg.h_cpu);
	err |= kt_join(h, JOIN_MS);
	err |= kt_join(p, JOIN_MS);
	KT_CHECK(!err, "threads did not finish");
	KT_CHECK(mg.p_elsewhere,
		 "preempted thread waited 200 ms on CPU %d while CPU %d, also allowed, idled",
		 mg.h_cpu, mg.h_cpu == c1 ? c2 : c1);
	printf("ktest: sched_migrate: preempted thread ran on the idle CPU after %llu us\n",
	       (unsigned long long)kt_ticks_us(mg.t_elsewhere - mg.t_h_start));
	return 0;
}

/*
 * A thread allowed on two CPUs, preempted on one of them by a busy more
 * urgent thread, goes on running on the other one, which was idle: a ready
 * thread never waits while a CPU it may use idles.
 */
KT_CASE(sched_migrate)
{
	KT_NEED_CPUS(3);
	return kt_run_driver(migrate_driver, DRIVER_MS);
}

/* ---- suspend and resume ---- */

static struct {
	struct k_sem sem;
	uint64_t count;
	int stop;
	int ran;
	int take_ret;
	int blocker_stop;
} sr;

static void sr_counter(void *arg)
{
	uint64_t end = k_cycle_get() + kt_ms_ticks(JOIN_MS - 500);

	(void)arg;
	while (!KT_LOAD(sr.stop) && k_cycle_get() < end)
		KT_INC(sr.count);
}

static void sr_taker(void *arg)
{
	(void)arg;
	KT_STORE(sr.take_ret, k_sem_take(&sr.sem, K_MSEC(2000)));
	KT_STORE(sr.ran, 1);
}

static void sr_self(void *arg)
{
	(void)arg;
	k_thread_suspend(k_current());
	KT_STORE(sr.ran, 1);
}

static void sr_blocker(void *arg)
{
	(void)arg;
	KT_SPIN_UNTIL(KT_LOAD(sr.blocker_stop), 1000);
}

static void sr_mark(void *arg)
{
	(void)arg;
	KT_STORE(sr.ran, 1);
}

/* A thread busy on CPU 2 stops counting while suspended, resumes after. */
static int suspend_running(void)
{
	struct k_thread *t;
	uint64_t before;
	int err;

	memset(&sr, 0, sizeof(sr));
	t = kt_spawn("counter", sr_counter, NULL, 10, kt_cpu(2));
	KT_EXPECT(KT_WAIT(KT_LOAD(sr.count) > 0, 1000), "counter did not start");
	k_thread_suspend(t);
	/* Asynchronous for a thread running elsewhere: it stops at the IPI. */
	err = kt_wait_state(t, K_THREAD_SUSPENDED, 500);
	before = KT_LOAD(sr.count);
	k_sleep(K_MSEC(20));
	KT_EXPECT(KT_LOAD(sr.count) == before, "suspended thread still counts");
	k_thread_resume(t);
	KT_EXPECT(KT_WAIT(KT_LOAD(sr.count) > before, 1000), "resumed thread does not count");
	KT_STORE(sr.stop, 1);
	return kt_join(t, JOIN_MS) | err;
}

/* Suspended while pending: given the semaphore, it stays suspended. */
static int suspend_pending(void)
{
	struct k_thread *t;
	int err;

	memset(&sr, 0, sizeof(sr));
	k_sem_init(&sr.sem, 0, 1);
	t = kt_spawn("taker", sr_taker, NULL, 10, kt_cpu(2));
	err = kt_wait_state(t, K_THREAD_PENDING, 1000);
	k_thread_suspend(t);
	k_sem_give(&sr.sem);
	err |= kt_wait_state(t, K_THREAD_SUSPENDED, 500);
	k_sleep(K_MSEC(10));
	KT_EXPECT(!KT_LOAD(sr.ran), "thread suspended while pending ran when woken");
	KT_EXPECT(k_sem_count_get(&sr.sem) == 0,
		  "semaphore given to a suspended waiter was counted instead");
	k_thread_resume(t);
	err |= kt_join(t, JOIN_MS);
	KT_EXPECT(sr.ran && sr.take_ret == 0, "resumed waiter: ran %d, k_sem_take returned %d",
		  sr.ran, sr.take_ret);
	return err;
}

static int suspend_self(void)
{
	struct k_thread *t;
	int err;

	memset(&sr, 0, sizeof(sr));
	t = kt_spawn("self", sr_self, NULL, 10, kt_cpu(2));
	err = kt_wait_state(t, K_THREAD_SUSPENDED, 1000);
	KT_EXPECT(!KT_LOAD(sr.ran), "self-suspended thread went on");
	k_thread_resume(t);
	err |= kt_join(t, JOIN_MS);
	KT_EXPECT(sr.ran, "self-suspended thread did not go on after resume");
	return err;
}

/* A ready thread (queued behind a busy one) suspended never runs until resumed. */
static int suspend_ready(void)
{
	struct k_thread *b, *t;
	int err;

	memset(&sr, 0, sizeof(sr));
	b = kt_spawn("blocker", sr_blocker, NULL, 5, kt_cpu(3));
	t = kt_spawn("ready", sr_mark, NULL, 10, kt_cpu(3));
	err = kt_wait_state(t, K_THREAD_READY, 1000);
	k_thread_suspend(t);
	KT_EXPECT(kt_state(t) == K_THREAD_SUSPENDED, "suspended ready thread is %s",
		  k_thread_state_str(kt_state(t)));
	KT_STORE(sr.blocker_stop, 1);
	err |= kt_join(b, JOIN_MS);
	k_sleep(K_MSEC(10));
	KT_EXPECT(!KT_LOAD(sr.ran), "suspended ready thread ran");
	k_thread_resume(t);
	err |= kt_join(t, JOIN_MS);
	KT_EXPECT(sr.ran, "resumed thread did not run");
	return err;
}

static int suspend_driver(void)
{
	int err = suspend_running();

	err |= suspend_pending();
	err |= suspend_self();
	err |= suspend_ready();
	return err;
}

/*
 * Suspend and resume a thread running on another CPU, one pending on a
 * semaphore (it gets the semaphore but stays suspended), one suspending
 * itself, and one waiting on a run queue.
 */
KT_CASE(sched_suspend)
{
	KT_NEED_CPUS(4);
	return kt_run_driver(suspend_driver, DRIVER_MS);
}

/* ---- abort and join ---- */

static struct {
	struct k_sem sem;
	uint64_t count;
	int ran;
	int join_ret[2];
} ab;

static void ab_pend(void *arg)
{
	(void)arg;
	k_sem_take(&ab.sem, K_MSEC(JOIN_MS));
	KT_STORE(ab.ran, 1);
}

static void ab_spin(void *arg)
{
	uint64_t end = k_cycle_get() + kt_ms_ticks(JOIN_MS - 500);

	(void)arg;
	while (k_cycle_get() < end)
		KT_INC(ab.count);
}

static void ab_mark(void *arg)
{
	(void)arg;
	KT_STORE(ab.ran, 1);
}

static struct k_thread ab_static;
static char ab_stack[KT_STACK] __attribute__((aligned(16)));

static void ab_joiner(void *arg)
{
	int i = (int)(uintptr_t)arg;

	KT_STORE(ab.join_ret[i], k_thread_join(&ab_static, K_MSEC(JOIN_MS)));
}

/* Join with a timeout, without waiting and on self; abort while pending. */
static int abort_pending(void)
{
	struct k_thread *t;
	uint64_t t0, us;
	int ret, err;

	memset(&ab, 0, sizeof(ab));
	k_sem_init(&ab.sem, 0, 1);
	t = kt_spawn("pend", ab_pend, NULL, 10, kt_cpu(1));
	err = kt_wait_state(t, K_THREAD_PENDING, 1000);
	t0 = k_cycle_get();
	ret = k_thread_join(t, K_MSEC(20));
	us = kt_us_since(t0);
	KT_EXPECT(ret == K_EAGAIN && us >= 20000, "join(20 ms) of a live thread: %d after %llu us",
		  ret, (unsigned long long)us);
	KT_EXPECT(k_thread_join(t, K_NO_WAIT) == K_EBUSY, "join(K_NO_WAIT) not K_EBUSY");
	KT_EXPECT(k_thread_join(k_current(), K_MSEC(10)) == K_EDEADLK,
		  "join of self not K_EDEADLK");
	k_thread_abort(t);
	KT_EXPECT(kt_state(t) == K_THREAD_DEAD, "aborted pending thread is %s",
		  k_thread_state_str(kt_state(t)));
	err |= kt_join(t, 100);
	k_sem_give(&ab.sem);
	KT_EXPECT(!ab.ran, "aborted thread went on");
	KT_EXPECT(k_sem_count_get(&ab.sem) == 1, "aborted thread is still a waiter");
	return err;
}

/* Abort a thread busy on CPU 2: it is dead when k_thread_abort returns. */
static int abort_running(void)
{
	struct k_thread *t;
	uint64_t before, t0, us;
	int err = 0;

	memset(&ab, 0, sizeof(ab));
	t = kt_spawn("spin", ab_spin, NULL, 10, kt_cpu(2));
	KT_EXPECT(KT_WAIT(KT_LOAD(ab.count) > 0, 1000), "spinning thread did not start");
	t0 = k_cycle_get();
	k_thread_abort(t);
	us = kt_us_since(t0);
	KT_EXPECT(kt_state(t) == K_THREAD_DEAD, "thread is %s after abort returned",
		  k_thread_state_str(kt_state(t)));
	before = KT_LOAD(ab.count);
	k_busy_wait_ns(5000000);
	KT_EXPECT(KT_LOAD(ab.count) == before, "aborted thread still runs");
	KT_EXPECT(k_thread_join(t, K_NO_WAIT) == 0, "join of an aborted thread failed");
	printf("ktest: sched_abort: remote abort took %llu us\n", (unsigned long long)us);
	return err;
}

/* Abort a thread queued behind a busy one: it never runs. */
static int abort_ready(void)
{
	struct k_thread *b, *t;
	int err;

	memset(&sr, 0, sizeof(sr));
	memset(&ab, 0, sizeof(ab));
	b = kt_spawn("blocker", sr_blocker, NULL, 5, kt_cpu(3));
	t = kt_spawn("ready", ab_mark, NULL, 10, kt_cpu(3));
	err = kt_wait_state(t, K_THREAD_READY, 1000);
	k_thread_abort(t);
	KT_EXPECT(kt_state(t) == K_THREAD_DEAD, "aborted ready thread is %s",
		  k_thread_state_str(kt_state(t)));
	err |= kt_join(t, 100);
	KT_STORE(sr.blocker_stop, 1);
	err |= kt_join(b, JOIN_MS);
	KT_EXPECT(!ab.ran, "aborted ready thread ran");
	return err;
}

/* Two threads join one (statically allocated) thread: both are woken. */
static int abort_two_joiners(void)
{
	struct k_thread *j[2];
	int err = 0;

	memset(&ab, 0, sizeof(ab));
	k_sem_init(&ab.sem, 0, 1);
	k_thread_create(&ab_static, "joined", ab_stack, sizeof(ab_stack), ab_pend, NULL, 10);
	k_thread_cpu_pin(&ab_static, kt_cpu(1));
	k_thread_start(&ab_static);
	for (int i = 0; i < 2; i++) {
		ab.join_ret[i] = -1;
		j[i] = kt_spawn("joiner", ab_joiner, (void *)(uintptr_t)i, 8, kt_cpu(2 + i));
		err |= kt_wait_state(j[i], K_THREAD_PENDING, 1000);
	}
	k_sem_give(&ab.sem);
	for (int i = 0; i < 2; i++)
		err |= kt_join(j[i], JOIN_MS);
	KT_EXPECT(ab.join_ret[0] == 0 && ab.join_ret[1] == 0, "joiners returned %d and %d",
		  ab.join_ret[0], ab.join_ret[1]);
	if (kt_state(&ab_static) != K_THREAD_DEAD) {
		k_thread_abort(&ab_static);
		err = -1;
	}
	return err;
}

static int abort_driver(void)
{
	int err = abort_pending();

	err |= abort_running();
	err |= abort_ready();
	err |= abort_two_joiners();
	return err;
}

/*
 * k_thread_join: K_EAGAIN after its timeout, K_EBUSY with K_NO_WAIT,
 * K_EDEADLK on self, 0 for every joiner when the thread ends.
 * k_thread_abort of a pending, a ready and a running (other CPU) thread:
 * dead when the call returns and never running again.
 */
KT_CASE(sched_abort)
{
	KT_NEED_CPUS(4);
	return kt_run_driver(abort_driver, DRIVER_MS);
}

/* ---- sleep accuracy ---- */

#define SLEEPERS            2  /* per CPU, so earlier deadlines overtake later ones */
#define SLEEPS              25 /* per sleeper: 50 per CPU */
#define SLEEP_TRIES         3
/*
 * How late a wake-up may be. Timers are one-shot at the exact deadline,
 * so a wake-up costs an interrupt and a switch: 50-200 us on QEMU TCG.
 * But a vCPU in WFI needs a host thread to wake it, and with 4 vCPUs (and
 * other QEMUs) on 2 host cores some wake-ups come 1-50 ms late, a tenth of
 * them 2-7 ms late on a loaded machine. So the bound is on the median of a
 * CPU's 50 wake-ups, and a CPU's measurement is tried up to 3 times: a
 * broken timer fails every try. It catches tick rounding (a 1 ms tick puts
 * the median near 500 us + the wake-up cost, a 10 ms one near 5 ms); the
 * max bound or the join timeout catch a lost interrupt. A timer not
 * reprogrammed for an earlier deadline has a check of its own that host
 * noise cannot fake (sleep_overtakes). Early wake-ups fail at once.
 *
 * One CPU is measured at a time: with all four busy at once the ticket
 * spinlocks make the vCPUs wait for each other's host time slices (see
 * the concurrent phase below), which is not what this test is about.
 */
#define SLEEP_MEDIAN_MAX_US 500
#define SLEEP_MAX_US        100000
#define SLEEP_LOST_US       1000000 /* all CPUs at once: only lost wake-ups */

struct sleeper {
	int cpu;
	uint32_t seed;
	int wrong_cpu;
	int64_t late[SLEEPS]; /* ticks; negative means early */
};

struct sleep_stats {
	long long min, mean, med, p90, max; /* us */
};

static struct sleeper sleepers[K_MAX_CPUS][SLEEPERS];

static void sleeper_main(void *arg)
{
	struct sleeper *s = arg;

	for (int i = 0; i < SLEEPS; i++) {
		uint32_t ms = 1 + kt_rand(&s->seed) % 5;
		uint64_t t0 = k_cycle_get();

		k_sleep(K_MSEC(ms));
		s->late[i] = (int64_t)(k_cycle_get() - t0) - (int64_t)kt_ms_ticks(ms);
		if (k_cpu_id() != s->cpu)
			s->wrong_cpu = 1;
	}
}

static void sort_i64(int64_t *v, int n)
{
	for (int i = 1; i < n; i++) {
		int64_t x = v[i];
		int j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static long long late_us(int64_t ticks)
{
	return ticks < 0 ? -(long long)kt_ticks_us((uint64_t)-ticks)
			 : (long long)kt_ticks_us((uint64_t)ticks);
}

static void sleep_stats(int cpu, struct sleep_stats *st)
{
	int64_t v[SLEEPERS * SLEEPS], sum = 0;
	int n = 0;

	for (int k = 0; k < SLEEPERS; k++)
		for (int i = 0; i < SLEEPS; i++)
			v[n++] = sleepers[cpu][k].late[i];
	sort_i64(v, n);
	for (int i = 0; i < n; i++)
		sum += v[i];
	st->min = late_us(v[0]);
	st->mean = late_us(sum / n);
	st->med = late_us(v[n / 2]);
	st->p90 = late_us(v[n * 9 / 10]);
	st->max = late_us(v[n - 1]);
}

/* Run the sleepers of the CPUs in mask at once; -1 if they misbehave. */
static int sleep_run(uint32_t mask, uint32_t try)
{
	struct k_thread *t[K_MAX_CPUS][SLEEPERS] = { { 0 } };
	int err = 0;

	for (int c = 0; c < K_MAX_CPUS; c++) {
		if (!(mask & (1u << c)))
			continue;
		memset(sleepers[c], 0, sizeof(sleepers[c]));
		for (int k = 0; k < SLEEPERS; k++) {
			sleepers[c][k].cpu = c;
			sleepers[c][k].seed =
				0x5eed0000u + try * 0x100u + (uint32_t)(c * SLEEPERS + k);
			t[c][k] = kt_spawn("sleeper", sleeper_main, &sleepers[c][k], 2 + k, c);
		}
	}
	for (int c = 0; c < K_MAX_CPUS; c++)
		for (int k = 0; k < SLEEPERS; k++)
			if (mask & (1u << c))
				err |= kt_join(t[c][k], JOIN_MS);
	KT_CHECK(!err, "sleepers did not finish");
	for (int c = 0; c < K_MAX_CPUS; c++)
		for (int k = 0; k < SLEEPERS; k++)
			KT_CHECK(!(mask & (1u << c)) || !sleepers[c][k].wrong_cpu,
				 "cpu%d: a sleeper woke on another CPU", c);
	return 0;
}

static void sleep_print(const char *what, int cpu, const struct sleep_stats *st)
{
	printf("ktest: sched_sleep: %scpu%d: %d sleeps of 1-5 ms, late: mean %lld, "
	       "median %lld, p90 %lld, max %lld us\n",
	       what, cpu, SLEEPERS * SLEEPS, st->mean, st->med, st->p90, st->max);
}

/* One CPU alone, up to SLEEP_TRIES times until its figures are in bounds. */
static int sleep_cpu(int cpu)
{
	struct sleep_stats st;

	for (uint32_t try = 1; try <= SLEEP_TRIES; try++) {
		if (sleep_run(1u << cpu, try))
			return -1;
		sleep_stats(cpu, &st);
		sleep_print(try > 1 ? "retry: " : "", cpu, &st);
		KT_CHECK(st.min >= 0, "cpu%d: a sleep ended %lld us early", cpu, -st.min);
		if (st.med <= SLEEP_MEDIAN_MAX_US && st.max <= SLEEP_MAX_US)
			return 0;
	}
	kt_fail("cpu%d: wake-ups too late in %d tries (bounds: median %u us, max %u us)", cpu,
		SLEEP_TRIES, SLEEP_MEDIAN_MAX_US, SLEEP_MAX_US);
	return -1;
}

/*
 * All CPUs at once: only never early and never lost (max bound) are
 * asserted, the figures are printed. They show what lock contention
 * between vCPUs costs on an oversubscribed host.
 */
static int sleep_all_cpus(void)
{
	struct sleep_stats st;
	uint32_t mask = 0;
	int err = 0;

	for (int c = 0; c < kt_num_cpus(); c++)
		mask |= 1u << kt_cpu(c);
	if (sleep_run(mask, 0))
		return -1;
	for (int c = 0; c < K_MAX_CPUS; c++) {
		if (!(mask & (1u << c)))
			continue;
		sleep_stats(c, &st);
		sleep_print("all CPUs: ", c, &st);
		KT_EXPECT(st.min >= 0, "cpu%d: a sleep ended %lld us early", c, -st.min);
		KT_EXPECT(st.max <= SLEEP_LOST_US, "cpu%d: a wake-up was %lld us late", c, st.max);
		err |= st.min < 0 || st.max > SLEEP_LOST_US;
	}
	return err ? -1 : 0;
}

/*
 * An earlier deadline overtakes a later one: on `cpu`, a thread sleeps
 * OVERTAKE_LONG_MS, then (less urgent, so it runs only once the first is
 * asleep and its timer programmed) another sleeps 1 ms. The short sleeper
 * must wake before the long one's deadline: a timer left at the later
 * deadline wakes both at once. Host noise would have to stop the vCPU for
 * ~200 ms in each of 3 tries to fake a failure.
 */
#define OVERTAKE_LONG_MS 200

struct overtake {
	uint64_t long_deadline; /* counter value the long sleep ends at */
	uint64_t short_woke;    /* counter value the short sleeper woke at */
};

static void overtake_long(void *arg)
{
	struct overtake *o = arg;

	o->long_deadline = k_cycle_get() + kt_ms_ticks(OVERTAKE_LONG_MS);
	k_sleep(K_MSEC(OVERTAKE_LONG_MS));
}

static void overtake_short(void *arg)
{
	struct overtake *o = arg;

	k_sleep(K_MSEC(1));
	o->short_woke = k_cycle_get();
}

static int sleep_overtakes(int cpu)
{
	for (uint32_t try = 1; try <= SLEEP_TRIES; try++) {
		struct overtake o = { 0 };
		struct k_thread *l = kt_spawn("long-sleep", overtake_long, &o, 2, cpu);
		struct k_thread *s = kt_spawn("short-sleep", overtake_short, &o, 3, cpu);

		KT_CHECK(!kt_join(s, JOIN_MS) && !kt_join(l, JOIN_MS), "sleepers did not finish");
		if (o.short_woke < o.long_deadline)
			return 0;
		printf("ktest: sched_sleep: cpu%d: a 1 ms sleep ended with a %d ms one (try %u)\n",
		       cpu, OVERTAKE_LONG_MS, (unsigned)try);
	}
	kt_fail("cpu%d: a 1 ms sleep begun after a %d ms one waited for it in %d tries", cpu,
		OVERTAKE_LONG_MS, SLEEP_TRIES);
	return -1;
}

/*
 * On each CPU in turn: an earlier deadline overtakes a later one; two
 * threads sleep 25 times each for 1-5 ms: no wake-up is early, the median
 * lateness is at most 500 us, the worst at most 100 ms (best of 3 tries,
 * see above). Then the same on all CPUs at once: never early, never lost.
 */
static int sleep_driver(void)
{
	int err = 0;

	for (int c = 0; c < kt_num_cpus(); c++)
		err |= sleep_overtakes(kt_cpu(c)) | sleep_cpu(kt_cpu(c));
	return sleep_all_cpus() | err;
}

KT_CASE(sched_sleep)
{
	return kt_run_driver(sleep_driver, 4 * DRIVER_MS);
}

/* ---- CPU affinity ---- */

#define PIN_ROUNDS 20

struct pinned {
	uint32_t mask;
	int bad_cpu; /* -1, or a CPU it was seen on outside its mask */
	int suspend_first;
};

static struct pinned pins[K_MAX_CPUS + 1];

static void pinned_main(void *arg)
{
	struct pinned *p = arg;

	if (p->suspend_first)
		k_thread_suspend(k_current());
	for (int i = 0; i < PIN_ROUNDS; i++) {
		int cpu = k_cpu_id();

		if (!(p->mask & (1u << cpu)))
			p->bad_cpu = cpu;
		if (i % 3 == 0)
			k_sleep(K_USEC(200));
		else if (i % 3 == 1)
			k_yield();
		else
			k_busy_wait_ns(100000);
	}
}

/* Moved while suspended: a new mask takes effect at resume. */
static int pin_move(struct pinned *p)
{
	struct k_thread *t;
	int err;

	/* Set the mask fields before the thread can look at them. */
	p->mask = 1u << kt_cpu(3);
	p->bad_cpu = -1;
	p->suspend_first = 1;
	t = k_thread_spawn("mover", KT_STACK, pinned_main, p, 10, 1u << kt_cpu(1));
	if (!t) {
		kt_fail("cannot spawn thread");
		return -1;
	}
	err = kt_wait_state(t, K_THREAD_SUSPENDED, 1000);
	KT_EXPECT(k_thread_cpu_mask_set(t, 1u << kt_cpu(3)) == 0,
		  "cannot change the mask of a suspended thread");
	k_thread_resume(t);
	err |= kt_join(t, JOIN_MS);
	KT_EXPECT(p->bad_cpu < 0, "thread moved to CPU %d ran on CPU %d", kt_cpu(3), p->bad_cpu);
	return err;
}

static int pin_driver(void)
{
	struct k_thread *t[K_MAX_CPUS + 1] = { 0 };
	int n = kt_num_cpus(), err = 0;

	memset(pins, 0, sizeof(pins));
	/* The mask fields must be set before the threads run: spawn after. */
	for (int i = 0; i < n; i++) {
		pins[i].mask = 1u << kt_cpu(i);
		pins[i].bad_cpu = -1;
	}
	pins[n].mask = (1u << kt_cpu(1)) | (1u << kt_cpu(2));
	pins[n].bad_cpu = -1;
	for (int i = 0; i <= n; i++)
		t[i] = k_thread_spawn("pinned", KT_STACK, pinned_main, &pins[i], 10, pins[i].mask);
	KT_EXPECT(!t[n] || k_thread_cpu_mask_set(t[n], 1) == K_EBUSY ||
			  kt_state(t[n]) == K_THREAD_DEAD,
		  "mask of a started thread was changed");
	for (int i = 0; i <= n; i++) {
		if (!t[i])
			kt_fail("cannot spawn thread");
		err |= kt_join(t[i], JOIN_MS);
		KT_EXPECT(pins[i].bad_cpu < 0, "thread with mask %#x ran on CPU %d", pins[i].mask,
			  pins[i].bad_cpu);
	}
	KT_EXPECT(k_thread_cpu_mask_set(k_current(), 0) == K_EINVAL, "empty CPU mask accepted");
	err |= pin_move(&pins[0]);
	return err;
}

/*
 * A thread pinned to CPU n only ever runs on CPU n (checked across sleeps,
 * yields and busy waits), for every n; a thread with a two-CPU mask stays
 * on those two; a suspended thread given a new mask resumes there.
 */
KT_CASE(sched_pin)
{
	return kt_run_driver(pin_driver, DRIVER_MS);
}
