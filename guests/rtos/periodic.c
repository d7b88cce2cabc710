/* SPDX-License-Identifier: MIT */
/*
 * `app=periodic`: a 1 ms periodic task at the most urgent preemptible
 * priority, the shape of a motor-control loop. Each period it wakes at an
 * absolute deadline; a wake-up later than one whole period is a deadline
 * miss.
 *
 * Quiet by default: one line when it starts, one line on the first miss
 * after the warm-up (WARMUP_PERIODS), and the totals when asked (the
 * `periodic` command). `report=S` in the bootargs adds the totals every S
 * seconds (report=1: every 1000 periods).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/shell.h>
#include "guest_apps.h"

#define PERIOD_US      1000
#define PERIODS_PER_S  (1000000 / PERIOD_US)
#define WARMUP_PERIODS 1000 /* misses while the guest settles are counted, not reported */
#define REPORT_MAX_S   3600
#define TASK_PRIO      K_PRIO_PREEMPT(0)
#define TASK_STACK     4096

static volatile uint64_t periods, misses, max_late_ticks;
static unsigned report_every; /* periods between reports; 0: quiet */

static void print_totals(void)
{
	printf("periodic: %lu periods, %lu misses, max late %lu us\n", (unsigned long)periods,
	       (unsigned long)misses, (unsigned long)(k_ticks_to_ns(max_late_ticks) / 1000));
}

/* Count one wake-up `late` ticks after its deadline; say what the user asked to hear. */
static void account(uint64_t late, uint64_t period)
{
	static bool miss_reported;

	if (late > max_late_ticks)
		max_late_ticks = late;
	periods++;
	if (late >= period) {
		misses++;
		if (!miss_reported && periods > WARMUP_PERIODS) {
			miss_reported = true;
			printf("periodic: first deadline miss after the warm-up, period %lu, %lu "
			       "us "
			       "late (later misses are counted: `periodic`)\n",
			       (unsigned long)periods, (unsigned long)(k_ticks_to_ns(late) / 1000));
		}
	}
	if (report_every && periods % report_every == 0)
		print_totals();
}

static void periodic_task(void *arg)
{
	uint64_t period = k_ns_to_ticks(PERIOD_US * 1000ull);
	uint64_t next = k_cycle_get() + period;

	(void)arg;
	for (;;) {
		uint64_t now = k_cycle_get();

		if (next > now)
			k_sleep((k_timeout_t)(next - now));
		account(k_cycle_get() - next, period);
		next += period;
	}
}

/* `report=S` in the bootargs: seconds between reports (0 or absent: quiet). */
static unsigned report_seconds(void)
{
	const char *p = strstr(guest_bootargs(), "report=");
	unsigned long s = p ? strtoul(p + strlen("report="), NULL, 10) : 0;

	return s > REPORT_MAX_S ? REPORT_MAX_S : (unsigned)s;
}

void guest_periodic(void)
{
	unsigned s = report_seconds();

	report_every = s * PERIODS_PER_S;
	if (!k_thread_spawn("periodic", TASK_STACK, periodic_task, NULL, TASK_PRIO, K_CPU_ALL)) {
		puts("periodic: cannot start the task");
		return;
	}
	if (s)
		printf("periodic task: 1 ms period, the totals every %u s\n", s);
	else
		puts("periodic task: 1 ms period; quiet: reports its first deadline miss after "
		     "1000 periods, `periodic` shows the totals");
}

static int cmd_periodic(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		puts("error: periodic takes no arguments\nusage: periodic");
		return 1;
	}
	print_totals();
	return 0;
}

SHELL_CMD(periodic, cmd_periodic, "", "totals of the 1 ms periodic task (app=periodic)");
