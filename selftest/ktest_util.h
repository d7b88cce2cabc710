/*
 * Helpers shared by the kernel self-tests (selftest/ktest_*.c).
 *
 * A test body is declared with KT_CASE(name) instead of KTEST(name): it
 * records the name for failure messages and turns any KT_EXPECT failure
 * into a failed test. KT_CHECK also returns -1 at once, so use it only
 * where nothing needs cleaning up (or clean up before checking).
 *
 * Test threads are started with kt_spawn() and always finished with
 * kt_join(), which gives up after a time limit, aborts the thread and
 * reports it: a broken kernel must fail a test, not hang the shell.
 */
#ifndef ZVM_KTEST_UTIL_H
#define ZVM_KTEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/kernel.h>
#include <zvm/ktest.h>

#define KT_STACK	8192
#define KT_ANY_CPU	(-1)
/* Control threads run cooperatively: spawning never hands them the CPU. */
#define KT_DRIVER_PRIO	K_PRIO_COOP(K_NUM_COOP_PRIO - 1)

extern const char *kt_name;
extern bool kt_failed;

void kt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Say why the test cannot run here (too few CPUs); returns KTEST_SKIPPED. */
int kt_skip(int cpus_needed);

#define KT_CASE(name)							\
	static int kt_body_##name(void);				\
	KTEST(name)							\
	{								\
		kt_name = #name;					\
		kt_failed = false;					\
		int ret = kt_body_##name();				\
		if (ret == KTEST_SKIPPED)				\
			return ret;					\
		return ret || kt_failed ? -1 : 0;			\
	}								\
	static int kt_body_##name(void)

/*
 * Tests that need n usable CPUs (a control CPU plus CPUs for the threads
 * under test) are skipped, with the reason, on smaller machines, e.g. a guest.
 */
#define KT_NEED_CPUS(n)							\
	do {								\
		if (kt_num_cpus() < (n))				\
			return kt_skip(n);				\
	} while (0)

/* Report a failure and carry on (the test fails at its end). */
#define KT_EXPECT(cond, ...)						\
	do {								\
		if (!(cond))						\
			kt_fail(__VA_ARGS__);				\
	} while (0)

/* Report a failure and return -1 from the calling function. */
#define KT_CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			kt_fail(__VA_ARGS__);				\
			return -1;					\
		}							\
	} while (0)

/* Poll cond (every 50 us, sleeping) for up to ms milliseconds; its last value. */
#define KT_WAIT(cond, ms)						\
	({								\
		uint64_t kt_end_ = k_cycle_get() + kt_ms_ticks(ms);	\
		bool kt_ok_;						\
		while (!(kt_ok_ = (cond)) && k_cycle_get() < kt_end_)	\
			k_sleep(K_USEC(50));				\
		kt_ok_;							\
	})

/* Busy-wait (keeping the CPU) up to ms for cond; its last value. */
#define KT_SPIN_UNTIL(cond, ms)						\
	({								\
		uint64_t kt_end_ = k_cycle_get() + kt_ms_ticks(ms);	\
		bool kt_ok_;						\
		while (!(kt_ok_ = (cond)) && k_cycle_get() < kt_end_)	\
			;						\
		kt_ok_;							\
	})

/* Shared flags and counters between test threads on different CPUs. */
#define KT_LOAD(x)		__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define KT_STORE(x, v)		__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define KT_INC(x)		__atomic_add_fetch(&(x), 1, __ATOMIC_SEQ_CST)

static inline uint64_t kt_ms_ticks(uint64_t ms)
{
	return k_ns_to_ticks(ms * 1000000u);
}

static inline uint64_t kt_ticks_us(uint64_t ticks)
{
	return k_ticks_to_ns(ticks) / 1000u;
}

/* Microseconds since the counter value `since`. */
static inline uint64_t kt_us_since(uint64_t since)
{
	return kt_ticks_us(k_cycle_get() - since);
}

static inline enum k_thread_state kt_state(struct k_thread *t)
{
	return __atomic_load_n(&t->state, __ATOMIC_SEQ_CST);
}

static inline int kt_prio(struct k_thread *t)
{
	return __atomic_load_n(&t->prio, __ATOMIC_SEQ_CST);
}


/* xorshift32: a cheap, reproducible pseudo-random sequence; *s must not be 0. */
static inline uint32_t kt_rand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/** CPUs usable by tests: online and not halted by a fatal exception. */
int kt_num_cpus(void);
/** The n-th usable CPU, n taken modulo kt_num_cpus(). */
int kt_cpu(int n);
/** Start a heap-allocated thread on `cpu` (or KT_ANY_CPU); NULL is reported. */
struct k_thread *kt_spawn(const char *name, k_thread_entry_t fn, void *arg,
			  int prio, int cpu);
/**
 * Join t, waiting at most ms; on timeout report it, abort t and reap it.
 * A NULL t (failed spawn, already reported) counts as a failure too.
 * Returns 0 if t ended by itself in time.
 */
int kt_join(struct k_thread *t, uint32_t ms);
/** Wait up to ms for t to reach state st; reports and returns -1 if not. */
int kt_wait_state(struct k_thread *t, enum k_thread_state st, uint32_t ms);
/**
 * Run fn in a cooperative control thread pinned to CPU 0 and return its
 * result. The shell may run anywhere; a pinned controller keeps test
 * threads (pinned to other CPUs) from ever sharing a CPU with it.
 */
int kt_run_driver(int (*fn)(void), uint32_t ms);

#endif /* ZVM_KTEST_UTIL_H */
