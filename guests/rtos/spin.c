/* SPDX-License-Identifier: MIT */
/*
 * `app=spin`: a CPU hog. A thread at the lowest priority keeps its vCPU
 * busy (no WFI, so the host sees a vCPU that always wants its CPU) while
 * the shell, more urgent, still answers. tests/system/test_migrate.py uses
 * it for vCPUs that compete for host CPUs.
 */
#include <stdio.h>
#include <zvm/kernel.h>

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
