/* SPDX-License-Identifier: MIT */
/*
 * `app=spin`: a CPU hog. A thread at the lowest priority keeps its vCPU
 * busy (no WFI, so the host sees a vCPU that always wants its CPU) while
 * the shell, more urgent, still answers. tests/system/test_migrate.py uses
 * it for vCPUs that compete for host CPUs.
 *
 * `hog-cpus=LIST` (any app; LIST like 0,2,3): one such thread pinned to each
 * CPU named, beside the app; with `hog-tick-us=N` also a thread there that
 * sleeps N us in a loop, so a timer is always armed on that CPU (a Linux
 * kernel's tick does that beside a Linux hog). bench/rt_pools.py runs the
 * timer latency bare on CPU 1 with hogs on other CPUs: what QEMU's one
 * icount thread does to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/kernel.h>
#include "guest_apps.h"

#define SPIN_STACK 4096

static volatile uint64_t spins;

static void spin_thread(void *arg)
{
	(void)arg;
	for (;;)
		spins++;
}

void guest_spin(void)
{
	if (k_thread_spawn("spin", SPIN_STACK, spin_thread, NULL, K_LOWEST_PRIO, K_CPU_ALL))
		puts("spin: keeping the vCPU busy");
	else
		puts("spin: cannot start its thread");
}

static unsigned hog_tick_us; /* 0: the hogs set no timer */

/* A hog's tick: a timer always armed on its CPU, as a Linux kernel's tick is. */
static void tick_thread(void *arg)
{
	(void)arg;
	for (;;)
		k_sleep(K_USEC(hog_tick_us));
}

static bool hog_one_cpu(unsigned long cpu)
{
	if (!k_thread_spawn("hog", SPIN_STACK, spin_thread, NULL, K_LOWEST_PRIO, 1u << cpu))
		return false;
	if (hog_tick_us && !k_thread_spawn("hog-tick", SPIN_STACK, tick_thread, NULL,
					   K_PRIO_PREEMPT(1), 1u << cpu))
		return false;
	printf("spin: hogging CPU %lu", cpu);
	if (hog_tick_us)
		printf(", a timer every %u us there", hog_tick_us);
	puts("");
	return true;
}

/*
 * One hog pinned to each CPU of `list` ("0,2,3", ends at a space), with a
 * tick every `tick_us` beside it unless 0; false on a bad list.
 */
bool guest_hog_cpus(const char *list, unsigned tick_us)
{
	const char *p = list;
	char *end;

	hog_tick_us = tick_us;
	for (;;) {
		unsigned long cpu = strtoul(p, &end, 10);

		if (end == p || cpu >= (unsigned long)k_num_cpus()) {
			printf("spin: hog-cpus=%.*s: CPU numbers below %d, comma-separated\n",
			       (int)strcspn(list, " "), list, k_num_cpus());
			return false;
		}
		if (!hog_one_cpu(cpu))
			return false;
		if (*end != ',')
			return true;
		p = end + 1;
	}
}
