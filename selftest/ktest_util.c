/* Helpers of the kernel self-tests (see selftest/ktest_util.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zvm/sched.h>
#include "ktest_util.h"

const char *kt_name = "?";
bool kt_failed;

void kt_fail(const char *fmt, ...)
{
	char why[160];
	va_list ap;

	kt_failed = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* One printf: test threads on other CPUs may report at the same time. */
	printf("ktest: %s: %s\n", kt_name, why);
}

int kt_skip(int cpus_needed)
{
	printf("ktest: %s: needs %d CPUs, %d usable\n", kt_name, cpus_needed, kt_num_cpus());
	return KTEST_SKIPPED;
}

static bool cpu_usable(int cpu)
{
	return __atomic_load_n(&k_cpus[cpu].online, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&k_cpus[cpu].halted, __ATOMIC_ACQUIRE);
}

int kt_num_cpus(void)
{
	int n = 0;

	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++)
		n += cpu_usable(cpu);
	return n;
}

int kt_cpu(int n)
{
	int count = kt_num_cpus();

	if (count == 0)
		return 0;
	n %= count;
	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++)
		if (cpu_usable(cpu) && n-- == 0)
			return cpu;
	return 0;
}

struct k_thread *kt_spawn(const char *name, k_thread_entry_t fn, void *arg,
			  int prio, int cpu)
{
	uint32_t mask = cpu == KT_ANY_CPU ? K_CPU_ALL : 1u << cpu;
	struct k_thread *t = k_thread_spawn(name, KT_STACK, fn, arg, prio, mask);

	if (!t)
		kt_fail("cannot spawn thread %s", name);
	return t;
}

int kt_join(struct k_thread *t, uint32_t ms)
{
	char name[K_THREAD_NAME_LEN];
	int ret;

	if (!t)
		return -1;
	memcpy(name, t->name, sizeof(name));
	ret = k_thread_join(t, K_MSEC(ms));
	if (ret == 0)
		return 0;
	kt_fail("thread %.*s still %s after %u ms, aborting it",
		K_THREAD_NAME_LEN, name, k_thread_state_str(kt_state(t)), ms);
	k_thread_abort(t);
	/* Dead now (abort waits for a thread running elsewhere): reap it. */
	if (k_thread_join(t, K_MSEC(1000)) != 0)
		kt_fail("thread %.*s cannot be reaped", K_THREAD_NAME_LEN, name);
	return -1;
}

int kt_wait_state(struct k_thread *t, enum k_thread_state st, uint32_t ms)
{
	if (KT_WAIT(kt_state(t) == st, ms))
		return 0;
	kt_fail("thread %s is %s, expected %s within %u ms", t->name,
		k_thread_state_str(kt_state(t)), k_thread_state_str(st), ms);
	return -1;
}

struct driver {
	int (*fn)(void);
	int ret;
};

static void driver_entry(void *arg)
{
	struct driver *d = arg;

	d->ret = d->fn();
}

int kt_run_driver(int (*fn)(void), uint32_t ms)
{
	/* Static: a driver aborted on timeout must not write to a dead stack. */
	static struct driver d;

	d.fn = fn;
	d.ret = -1;
	if (kt_join(kt_spawn("kt_driver", driver_entry, &d, KT_DRIVER_PRIO, kt_cpu(0)), ms))
		return -1;
	return d.ret;
}
