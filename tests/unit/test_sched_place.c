/* SPDX-License-Identifier: MIT */
/* SOURCES: kernel/sched_place.c */
/*
 * The scheduler's placement rule (kernel/sched_place.c): where a ready
 * thread goes, and where a preempted one moves, on CPUs 0-3 of which the
 * thread's pool and affinity allow `mask`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zvm/sched_place.h>

#define IDLE                      \
	{                         \
		true, K_IDLE_PRIO \
	}
#define RUNS(p)            \
	{                  \
		false, (p) \
	}
#define CPUS_23 0xcu

static void test_last_cpu_first_when_idle(void **state)
{
	const struct cpu_view v[4] = { RUNS(14), IDLE, IDLE, IDLE };

	(void)state;
	assert_int_equal(place_cpu(v, 4, CPUS_23, 3, 10), 3);
	assert_int_equal(place_cpu(v, 4, CPUS_23, 0, 10), 2); /* last not allowed: first idle */
}

/* A vCPU of CPUs 2-3 preempted on CPU 2 (it still shows there) goes to idle CPU 3. */
static void test_preempted_goes_to_the_idle_cpu_of_its_pool(void **state)
{
	const struct cpu_view v[4] = { IDLE, IDLE, RUNS(10), IDLE };

	(void)state;
	assert_int_equal(place_cpu(v, 4, CPUS_23, 2, 10), 3);
}

/* Idle CPUs outside its pool or affinity (0 and 1) do not count. */
static void test_idle_cpus_outside_the_mask_are_not_used(void **state)
{
	const struct cpu_view v[4] = { IDLE, IDLE, RUNS(10), RUNS(5) };

	(void)state;
	assert_int_equal(place_cpu(v, 4, CPUS_23, 2, 10), 2); /* stays queued at home */
}

/* No idle CPU: it takes the CPU of the least urgent thread it preempts. */
static void test_preempted_takes_the_least_urgent_cpu(void **state)
{
	const struct cpu_view v[4] = { RUNS(20), RUNS(12), RUNS(10), RUNS(20) };

	(void)state;
	assert_int_equal(place_cpu(v, 4, 0xeu, 2, 10), 3); /* 20 over 12; CPU 0 not allowed */
}

/* Equal or more urgent work everywhere: it waits on its own CPU. */
static void test_equal_work_elsewhere_is_not_preempted(void **state)
{
	const struct cpu_view v[4] = { IDLE, IDLE, RUNS(10), RUNS(10) };

	(void)state;
	assert_int_equal(place_cpu(v, 4, CPUS_23, 2, 10), 2);
	assert_int_equal(place_cpu(v, 4, CPUS_23, 3, 10), 3);
}

/* Cooperative threads (negative priorities) are never preempted. */
static void test_cooperative_is_never_a_victim(void **state)
{
	const struct cpu_view v[4] = { IDLE, IDLE, RUNS(10), RUNS(-3) };

	(void)state;
	assert_false(place_preempts(-3, -10));
	assert_true(place_preempts(K_IDLE_PRIO, 31));
	assert_false(place_preempts(10, 10));
	assert_int_equal(place_cpu(v, 4, CPUS_23, 2, 5), 2); /* preempts the 10, not the -3 */
}

/* A CPU whose idle thread runs but has a thread queued is a victim, not idle. */
static void test_idle_with_queued_work_is_a_victim(void **state)
{
	const struct cpu_view v[4] = { IDLE, IDLE, { false, K_IDLE_PRIO }, RUNS(12) };

	(void)state;
	assert_int_equal(place_cpu(v, 4, CPUS_23, 3, 10), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_cpu_first_when_idle),
		cmocka_unit_test(test_preempted_goes_to_the_idle_cpu_of_its_pool),
		cmocka_unit_test(test_idle_cpus_outside_the_mask_are_not_used),
		cmocka_unit_test(test_preempted_takes_the_least_urgent_cpu),
		cmocka_unit_test(test_equal_work_elsewhere_is_not_preempted),
		cmocka_unit_test(test_cooperative_is_never_a_victim),
		cmocka_unit_test(test_idle_with_queued_work_is_a_victim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
