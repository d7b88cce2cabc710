/* SPDX-License-Identifier: MIT */
/* SOURCES: kernel/runq.c */
/* Run queue: priority order, FIFO among equals, head insertion, affinity search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/runq.h>

static struct k_thread threads[8];

static struct k_thread *mk(int i, int prio, uint32_t affinity)
{
	memset(&threads[i], 0, sizeof(threads[i]));
	threads[i].prio = prio;
	threads[i].affinity = affinity;
	return &threads[i];
}

static void test_empty(void **state)
{
	struct runq rq;

	(void)state;
	runq_init(&rq);
	assert_null(runq_best(&rq));
	assert_int_equal(runq_best_prio(&rq), K_IDLE_PRIO);
	assert_int_equal(rq.count, 0);
}

static void test_priority_order_then_fifo(void **state)
{
	struct runq rq;
	int prios[] = { 10, K_HIGHEST_PRIO, 3, 10, K_LOWEST_PRIO, -1 };
	int expect[] = { 1, 5, 2, 0, 3, 4 }; /* most urgent first, FIFO at 10 */

	(void)state;
	runq_init(&rq);
	for (int i = 0; i < 6; i++)
		runq_add(&rq, mk(i, prios[i], K_CPU_ALL));
	assert_int_equal(rq.count, 6);
	for (int i = 0; i < 6; i++) {
		struct k_thread *t = runq_best(&rq);

		assert_ptr_equal(t, &threads[expect[i]]);
		assert_int_equal(runq_best_prio(&rq), t->prio);
		runq_remove(&rq, t);
	}
	assert_null(runq_best(&rq));
	assert_int_equal(rq.bitmap, 0);
}

static void test_head_insertion_for_preempted(void **state)
{
	struct runq rq;

	(void)state;
	runq_init(&rq);
	runq_add(&rq, mk(0, 5, K_CPU_ALL));
	runq_add_head(&rq, mk(1, 5, K_CPU_ALL));
	assert_ptr_equal(runq_best(&rq), &threads[1]);
	runq_remove(&rq, &threads[1]);
	assert_ptr_equal(runq_best(&rq), &threads[0]);
}

static void test_remove_middle_keeps_level(void **state)
{
	struct runq rq;

	(void)state;
	runq_init(&rq);
	for (int i = 0; i < 3; i++)
		runq_add(&rq, mk(i, 7, K_CPU_ALL));
	runq_remove(&rq, &threads[1]);
	assert_ptr_equal(runq_best(&rq), &threads[0]);
	runq_remove(&rq, &threads[0]);
	assert_ptr_equal(runq_best(&rq), &threads[2]);
	assert_int_equal(runq_best_prio(&rq), 7);
	runq_remove(&rq, &threads[2]);
	assert_int_equal(runq_best_prio(&rq), K_IDLE_PRIO);
}

static void test_best_for_cpu_respects_affinity(void **state)
{
	struct runq rq;

	(void)state;
	runq_init(&rq);
	runq_add(&rq, mk(0, 1, 1u << 0)); /* most urgent, CPU 0 only */
	runq_add(&rq, mk(1, 4, 1u << 2));
	runq_add(&rq, mk(2, 4, (1u << 1) | (1u << 2)));
	assert_ptr_equal(runq_best_for_cpu(&rq, 0), &threads[0]);
	assert_ptr_equal(runq_best_for_cpu(&rq, 1), &threads[2]);
	assert_ptr_equal(runq_best_for_cpu(&rq, 2), &threads[1]);
	assert_null(runq_best_for_cpu(&rq, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_priority_order_then_fifo),
		cmocka_unit_test(test_head_insertion_for_preempted),
		cmocka_unit_test(test_remove_middle_keeps_level),
		cmocka_unit_test(test_best_for_cpu_respects_affinity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
