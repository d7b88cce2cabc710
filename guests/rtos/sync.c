/* SPDX-License-Identifier: MIT */
/*
 * `app=sync`: two threads hand a semaphore back and forth and print each
 * turn, half a second apart, forever (like Zephyr's synchronization sample).
 */
#include <stdio.h>
#include <zvm/kernel.h>
#include "guest_apps.h"

#define SYNC_STACK     4096
#define SYNC_PERIOD_MS 500

static struct k_sem sem_a, sem_b;

struct sync_side {
	const char *name;
	struct k_sem *mine, *theirs;
};

static void sync_thread(void *arg)
{
	const struct sync_side *side = arg;

	for (unsigned turn = 0;; turn++) {
		k_sem_take(side->mine, K_FOREVER);
		printf("%s: turn %u on CPU %d at %lu ms\n", side->name, turn, k_cpu_id(),
		       (unsigned long)k_uptime_ms());
		k_sleep(K_MSEC(SYNC_PERIOD_MS));
		k_sem_give(side->theirs);
	}
}

void guest_sync(void)
{
	static const struct sync_side a = { "thread_a", &sem_a, &sem_b };
	static const struct sync_side b = { "thread_b", &sem_b, &sem_a };

	k_sem_init(&sem_a, 1, 1);
	k_sem_init(&sem_b, 0, 1);
	k_thread_spawn("thread_a", SYNC_STACK, sync_thread, (void *)&a, 7, K_CPU_ALL);
	k_thread_spawn("thread_b", SYNC_STACK, sync_thread, (void *)&b, 7, K_CPU_ALL);
	for (;;)
		k_sleep(K_FOREVER);
}
