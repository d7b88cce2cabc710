/* SPDX-License-Identifier: MIT */
/* `app=hello`: one thread pinned to each CPU says hello from there. */
#include <stdio.h>
#include <zvm/arch.h>
#include <zvm/kernel.h>
#include "guest_apps.h"

#define HELLO_STACK 4096

static void hello_thread(void *arg)
{
	(void)arg;
	printf("hello from CPU %d (MPIDR 0x%lx)\n", k_cpu_id(), (unsigned long)arch_cpu_mpidr());
}

void guest_hello(void)
{
	struct k_thread *t[K_MAX_CPUS];
	int n = k_num_cpus();

	for (int cpu = 0; cpu < n; cpu++)
		t[cpu] = k_thread_spawn("hello", HELLO_STACK, hello_thread, NULL, K_PRIO_PREEMPT(5),
					1u << cpu);
	for (int cpu = 0; cpu < n; cpu++)
		if (t[cpu])
			k_thread_join(t[cpu], K_FOREVER);
	printf("hello: %d CPUs said hello\n", n);
}
