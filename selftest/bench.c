/* SPDX-License-Identifier: MIT */
/*
 * Kernel latency benchmark in the style of Zephyr's latency_measure: each
 * item repeats an operation and reports the mean in counter cycles and ns.
 * Run by `bench`; scripts/bench.sh turns the output into a results table.
 * Threads are pinned so each item measures one path, not the placement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/arch.h>
#include <zvm/bench.h>
#include <zvm/kernel.h>
#include <zvm/psci_ids.h>
#include <zvm/sched.h>

#define ROUNDS      1000
#define BENCH_STACK 4096
#define IPI_BENCH   1 /* SGI raised by the interrupt items */

uint64_t bench_boot_prompt_cycles;
static int bench_cpu;  /* where single-CPU items run */
static int remote_cpu; /* the other side of cross-CPU items */

static struct k_sem sem_a, sem_b, sem_done;
static volatile uint64_t t_start, t_end, t_sum;
static volatile int rounds_left;
static uint8_t stacks[2][BENCH_STACK] __attribute__((aligned(16)));
static struct k_thread threads[2];

/* Means are computed from totals, so they resolve below one counter tick. */
static void report(const char *name, uint64_t total_cycles, unsigned ops)
{
	uint64_t centi = total_cycles * 100 / ops;

	printf("bench: %-26s %8lu.%02lu cycles %10lu ns\n", name, (unsigned long)(centi / 100),
	       (unsigned long)(centi % 100), (unsigned long)(k_ticks_to_ns(total_cycles) / ops));
}

/* Run fn(arg) in a thread at prio pinned to cpu, and wait for it. */
static void run_on(int slot, int cpu, int prio, k_thread_entry_t fn, void *arg)
{
	k_thread_create(&threads[slot], slot ? "bench-b" : "bench-a", stacks[slot], BENCH_STACK, fn,
			arg, prio);
	k_thread_cpu_pin(&threads[slot], cpu);
	k_thread_start(&threads[slot]);
}

static void join_all(int n)
{
	for (int i = 0; i < n; i++)
		k_thread_join(&threads[i], K_FOREVER);
}

/* ---- cooperative yield: two equal cooperative threads alternate ---- */

static void yielder(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++)
		k_yield();
	t_end = k_cycle_get();
}

static void bench_yield(void)
{
	t_start = k_cycle_get();
	run_on(0, bench_cpu, K_PRIO_COOP(2), yielder, NULL);
	run_on(1, bench_cpu, K_PRIO_COOP(2), yielder, NULL);
	join_all(2);
	report("thread switch (yield)", t_end - t_start, 2 * ROUNDS);
}

/* ---- preemption: a give wakes a more urgent thread on the same CPU ---- */

static void preempt_high(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		k_sem_take(&sem_a, K_FOREVER);
		t_sum += k_cycle_get() - t_start;
	}
}

static void preempt_low(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		t_start = k_cycle_get();
		k_sem_give(&sem_a); /* switches to preempt_high right here */
	}
}

static void bench_preempt(void)
{
	k_sem_init(&sem_a, 0, 1);
	t_sum = 0;
	run_on(0, bench_cpu, 5, preempt_high, NULL);
	run_on(1, bench_cpu, 10, preempt_low, NULL);
	join_all(2);
	report("sem give + preempt switch", t_sum, ROUNDS);
}

/* ---- semaphore and mutex without contention ---- */

/* Both windows are closed before anything is printed (a line costs exits under zvm). */
static void sem_nowake(void *arg)
{
	uint64_t t0 = k_cycle_get(), t1, t2;

	(void)arg;
	k_sem_init(&sem_a, 0, ROUNDS);
	for (int i = 0; i < ROUNDS; i++)
		k_sem_give(&sem_a);
	t1 = k_cycle_get();
	for (int i = 0; i < ROUNDS; i++)
		k_sem_take(&sem_a, K_NO_WAIT);
	t2 = k_cycle_get();
	report("sem give (no waiter)", t1 - t0, ROUNDS);
	report("sem take (available)", t2 - t1, ROUNDS);
}

static void mutex_pair(void *arg)
{
	struct k_mutex m;
	uint64_t t0 = k_cycle_get();

	(void)arg;
	k_mutex_init(&m);
	for (int i = 0; i < ROUNDS; i++) {
		k_mutex_lock(&m, K_FOREVER);
		k_mutex_unlock(&m);
	}
	report("mutex lock + unlock", k_cycle_get() - t0, ROUNDS);
}

static void heap_pair(void *arg)
{
	uint64_t t0 = k_cycle_get();

	(void)arg;
	for (int i = 0; i < ROUNDS; i++)
		k_free(k_malloc(64 + (i % 8) * 32));
	report("heap alloc + free", k_cycle_get() - t0, ROUNDS);
}

/* ---- thread create + start + abort (the new thread never runs) ---- */

static void never_runs(void *arg)
{
	(void)arg;
}

static void thread_lifecycle(void *arg)
{
	static struct k_thread t;
	static uint8_t stack[1024] __attribute__((aligned(16)));
	uint64_t t0 = k_cycle_get();

	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		k_thread_create(&t, "victim", stack, sizeof(stack), never_runs, NULL, 20);
		k_thread_cpu_pin(&t, bench_cpu);
		k_thread_start(&t);
		k_thread_abort(&t);
	}
	report("thread create+start+abort", k_cycle_get() - t0, ROUNDS);
}

/* ---- interrupts: a software interrupt to this CPU ---- */

static bool irq_wakes_thread;

static void bench_isr(int intid, void *arg)
{
	(void)intid;
	(void)arg;
	if (irq_wakes_thread) {
		k_sem_give(&sem_a);
		return;
	}
	t_sum += k_cycle_get() - t_start;
	k_sem_give(&sem_done);
}

static void irq_to_handler(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		t_start = k_cycle_get();
		arch_send_sgi(IPI_BENCH, 1u << bench_cpu);
		k_sem_take(&sem_done, K_FOREVER);
	}
}

static void irq_waiter(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		k_sem_take(&sem_a, K_FOREVER);
		t_sum += k_cycle_get() - t_start;
		k_sem_give(&sem_done);
	}
}

static void irq_raiser(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		t_start = k_cycle_get();
		arch_send_sgi(IPI_BENCH, 1u << bench_cpu);
		k_sem_take(&sem_done, K_FOREVER);
	}
}

static void bench_irqs(void)
{
	irq_connect(IPI_BENCH, bench_isr, NULL);
	irq_enable(IPI_BENCH, bench_cpu);
	k_sem_init(&sem_a, 0, 1);
	k_sem_init(&sem_done, 0, 1);
	irq_wakes_thread = false;
	t_sum = 0;
	run_on(0, bench_cpu, 5, irq_to_handler, NULL);
	join_all(1);
	report("interrupt to handler", t_sum, ROUNDS);

	irq_wakes_thread = true;
	t_sum = 0;
	run_on(0, bench_cpu, 5, irq_waiter, NULL);
	run_on(1, bench_cpu, 10, irq_raiser, NULL);
	join_all(2);
	report("interrupt to woken thread", t_sum, ROUNDS);
	irq_disable(IPI_BENCH);
}

/* ---- cross-CPU wake-up: a give on one CPU wakes a thread on another ---- */

static void remote_waiter(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		k_sem_take(&sem_a, K_FOREVER);
		t_sum += k_cycle_get() - t_start;
		k_sem_give(&sem_b);
	}
}

static void remote_giver(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		t_start = k_cycle_get();
		k_sem_give(&sem_a);
		k_sem_take(&sem_b, K_FOREVER);
	}
}

static void bench_cross_cpu(void)
{
	k_sem_init(&sem_a, 0, 1);
	k_sem_init(&sem_b, 0, 1);
	t_sum = 0;
	run_on(0, remote_cpu, 5, remote_waiter, NULL);
	run_on(1, bench_cpu, 5, remote_giver, NULL);
	join_all(2);
	report("cross-CPU wake-up (IPI)", t_sum, ROUNDS);
}

/* ---- timer interrupt latency: handler entry minus the programmed deadline ---- */

#define TIMER_SAMPLES   1000 /* of the full run */
#define TIMER_PERIOD_US 200

static uint32_t timer_late[BENCH_TIMER_SAMPLES_MAX];
static volatile unsigned timer_count, timer_wanted = TIMER_SAMPLES;

static void timer_probe(uint64_t late)
{
	if (timer_count < timer_wanted)
		timer_late[timer_count++] = (uint32_t)late;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static uint64_t sum_u32(const uint32_t *v, unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum += v[i];
	return sum;
}

static void report_dist(const char *name, uint32_t *v, unsigned n)
{
	char label[48];

	snprintf(label, sizeof(label), "%s mean", name);
	report(label, sum_u32(v, n), n);
	snprintf(label, sizeof(label), "%s p99", name);
	report(label, v[n * 99 / 100], 1);
	snprintf(label, sizeof(label), "%s max", name);
	report(label, v[n - 1], 1);
}

/* timer_wanted samples into timer_late, sorted. */
static void timer_sample(void)
{
	timer_count = 0;
	sched_timer_probe = timer_probe;
	while (timer_count < timer_wanted)
		k_sleep(K_USEC(TIMER_PERIOD_US));
	sched_timer_probe = NULL;
	qsort(timer_late, timer_wanted, sizeof(timer_late[0]), cmp_u32);
}

static void timer_latency(void *arg)
{
	(void)arg;
	timer_wanted = TIMER_SAMPLES;
	timer_sample();
	report_dist("timer irq latency", timer_late, TIMER_SAMPLES);
}

/* One line: the distribution of the timer_wanted samples, in ns. */
static void timer_latency_line(void *arg)
{
	unsigned n = timer_wanted;

	(void)arg;
	printf("bench: timer irq latency: %u samples every %u us on CPU %d\n", n, TIMER_PERIOD_US,
	       bench_cpu);
	timer_sample();
	printf("bench: timer irq latency %u samples: min %lu mean %lu p99 %lu max %lu ns\n", n,
	       (unsigned long)k_ticks_to_ns(timer_late[0]),
	       (unsigned long)(k_ticks_to_ns(sum_u32(timer_late, n)) / n),
	       (unsigned long)k_ticks_to_ns(timer_late[n * 99 / 100]),
	       (unsigned long)k_ticks_to_ns(timer_late[n - 1]));
}

#ifdef ZVM_EL1
/* ---- a hypercall that does nothing: the cost of one exit and return ---- */

static void null_hypercall(void *arg)
{
	uint64_t t0 = k_cycle_get();

	(void)arg;
	for (int i = 0; i < ROUNDS; i++)
		arch_hypercall(ZVM_HC_NULL, 0, 0, 0);
	report("null hypercall round trip", k_cycle_get() - t0, ROUNDS);
}
#endif /* ZVM_EL1 */

static void run_single(k_thread_entry_t fn)
{
	run_on(0, bench_cpu, 5, fn, NULL);
	join_all(1);
}

/* CPU 1 (not the one taking console interrupts) when there is one. */
static void bench_pick_cpus(void)
{
	int n = k_num_cpus();

	bench_cpu = n > 1 ? 1 : 0;
	remote_cpu = n > 1 ? (bench_cpu + 1) % n : -1;
}

/** Run every item; prints "bench: ..." lines and "bench: done". */
int bench_run(void)
{
	bench_pick_cpus();
	printf("bench: counter %lu Hz, %d rounds per item\n", (unsigned long)k_ticks_per_sec(),
	       ROUNDS);
	bench_yield();
	bench_preempt();
	run_single(sem_nowake);
	run_single(mutex_pair);
	run_single(heap_pair);
	run_single(thread_lifecycle);
	bench_irqs();
	if (remote_cpu >= 0)
		bench_cross_cpu();
	run_single(timer_latency);
#ifdef ZVM_EL1
	run_single(null_hypercall);
#endif /* ZVM_EL1 */
	report("boot to shell prompt", bench_boot_prompt_cycles, 1);
	puts("bench: done");
	return 0;
}

/** Only the timer interrupt latency, over `samples` samples: one distribution line. */
int bench_run_timer(unsigned samples)
{
	if (samples < 1 || samples > BENCH_TIMER_SAMPLES_MAX)
		return -1;
	bench_pick_cpus();
	timer_wanted = samples;
	run_single(timer_latency_line);
	puts("bench: done");
	return 0;
}
