/* SPDX-License-Identifier: MIT */
/*
 * `app=periodic`: a 1 ms periodic task at the most urgent preemptible
 * priority, the shape of a motor-control loop. Each period it wakes at an
 * absolute deadline; a wake-up later than one whole period is a deadline
 * miss. It reports once a second; `periodic` shows the totals.
 */
#include <stdio.h>
#include <zvm/kernel.h>
#include <zvm/shell.h>

#define PERIOD_US    1000
#define REPORT_EVERY 1000 /* periods */
#define TASK_PRIO    K_PRIO_PREEMPT(0)
#define TASK_STACK   4096

static volatile uint64_t periods, misses, max_late_ticks;

static void periodic_task(void *arg)
{
	uint64_t period = k_ns_to_ticks(PERIOD_US * 1000ull);
	uint64_t next = k_cycle_get() + period;

	(void)arg;
	for (;;) {
		uint64_t now = k_cycle_get(), late;

		if (next > now)
			k_sleep((k_timeout_t)(next - now));
		late = k_cycle_get() - next;
		if (late > max_late_ticks)
			max_late_ticks = late;
		if (late >= period)
			misses++;
		next += period;
		if (++periods % REPORT_EVERY == 0)
			printf("periodic: %lu periods, %lu misses, max late %lu us\n",
			       (unsigned long)periods, (unsigned long)misses,
			       (unsigned long)(k_ticks_to_ns(max_late_ticks) / 1000));
	}
}

void guest_periodic(void)
{
	if (!k_thread_spawn("periodic", TASK_STACK, periodic_task, NULL, TASK_PRIO, K_CPU_ALL))
		puts("periodic: cannot start the task");
}

static int cmd_periodic(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		puts("error: periodic takes no arguments\nusage: periodic");
		return 1;
	}
	printf("periodic: %lu periods, %lu misses, max late %lu us\n", (unsigned long)periods,
	       (unsigned long)misses, (unsigned long)(k_ticks_to_ns(max_late_ticks) / 1000));
	return 0;
}

SHELL_CMD(periodic, cmd_periodic, "", "totals of the 1 ms periodic task (app=periodic)");
