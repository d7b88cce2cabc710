/* SPDX-License-Identifier: MIT */
/* SOURCES: kernel/timeout.c */
/* Timeout queue: sorted by deadline, FIFO among equal deadlines, expiry, removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <zvm/timeout.h>

#define N 200

static struct timeout to[N];

static void test_empty_queue(void **state)
{
	dlist_t q = DLIST_INIT(q);

	(void)state;
	assert_true(timeout_queue_next(&q) == TIMEOUT_NONE);
	assert_null(timeout_queue_pop_expired(&q, UINT64_MAX));
}

static void test_sorted_and_fifo_for_equal(void **state)
{
	dlist_t q = DLIST_INIT(q);
	uint64_t deadlines[] = { 50, 10, 30, 10, 70, 30 };
	int order[] = { 1, 3, 2, 5, 0, 4 };

	(void)state;
	for (int i = 0; i < 6; i++) {
		timeout_init(&to[i], NULL);
		timeout_queue_add(&q, &to[i], deadlines[i]);
	}
	assert_true(timeout_queue_next(&q) == 10);
	assert_null(timeout_queue_pop_expired(&q, 9));
	for (int i = 0; i < 6; i++) {
		struct timeout *t = timeout_queue_pop_expired(&q, 100);

		assert_ptr_equal(t, &to[order[i]]);
		assert_false(timeout_active(t));
	}
	assert_null(timeout_queue_pop_expired(&q, 100));
}

static void test_pop_only_due(void **state)
{
	dlist_t q = DLIST_INIT(q);
	int popped = 0;

	(void)state;
	for (int i = 0; i < 10; i++) {
		timeout_init(&to[i], NULL);
		timeout_queue_add(&q, &to[i], (uint64_t)i * 100);
	}
	while (timeout_queue_pop_expired(&q, 450))
		popped++;
	assert_int_equal(popped, 5); /* 0, 100, 200, 300, 400 */
	assert_true(timeout_queue_next(&q) == 500);
}

static void test_remove_and_random_order(void **state)
{
	dlist_t q = DLIST_INIT(q);
	uint64_t last = 0;
	int left = 0;

	(void)state;
	srand(12345);
	for (int i = 0; i < N; i++) {
		timeout_init(&to[i], NULL);
		timeout_queue_add(&q, &to[i], (uint64_t)(rand() % 1000));
	}
	for (int i = 0; i < N; i += 3)
		timeout_queue_remove(&to[i]);
	timeout_queue_remove(&to[0]); /* twice: harmless */
	for (struct timeout *t; (t = timeout_queue_pop_expired(&q, UINT64_MAX)); left++) {
		assert_true(t->deadline >= last);
		assert_true((t - to) % 3 != 0);
		last = t->deadline;
	}
	assert_int_equal(left, N - (N + 2) / 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_queue),
		cmocka_unit_test(test_sorted_and_fifo_for_equal),
		cmocka_unit_test(test_pop_only_due),
		cmocka_unit_test(test_remove_and_random_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
