/*
 * `fault CPU [assert]`: a thread pinned to that CPU writes to an address
 * no one mapped (or, with `assert`, fails a K_ASSERT). It proves the
 * fatal-exception path: the CPU reports and stops, the rest of the machine
 * carries on.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/shell.h>
#include <zvm/shell_args.h>

/* Below RAM and every device: unmapped. Volatile so the compiler cannot see it. */
static volatile uintptr_t fault_addr = 0x10;
#define FAULT_WAIT_MS	1000

static void fault_thread(void *arg)
{
	(void)arg;
	*(volatile unsigned long *)fault_addr = 0xdead;
}

static void assert_thread(void *arg)
{
	(void)arg;
	K_ASSERT(fault_addr == 0);	/* it is not: the assertion fails */
}

static bool cpu_online(int cpu)
{
	struct k_cpu_info info;

	k_cpu_info_get(cpu, &info);
	return info.online;
}

static int cmd_fault(int argc, char **argv)
{
	bool by_assert = argc == 3 && !strcmp(argv[2], "assert");
	uint64_t cpu;
	int err;

	if (argc != 2 && !by_assert)
		return shell_usage_error(argv[0], "expected one CPU number, then optionally 'assert'");
	if (by_assert && !ZVM_ASSERT) {
		puts("error: K_ASSERT is compiled out of this build (ZVM_ASSERT=0)");
		return 1;
	}
	err = shell_parse_uint(argv[1], 0, K_MAX_CPUS - 1, &cpu);
	if (err)
		return shell_usage_error(argv[0], "bad CPU '%s': %s", argv[1], shell_arg_strerror(err));
	if (!cpu_online((int)cpu)) {
		printf("error: CPU %lu is not online\n", (unsigned long)cpu);
		return 1;
	}
	if (!k_thread_spawn("fault", 4096, by_assert ? assert_thread : fault_thread, NULL,
			    K_PRIO_PREEMPT(0), 1u << cpu)) {
		puts("error: out of memory");
		return 1;
	}
	for (int ms = 0; ms < FAULT_WAIT_MS && cpu_online((int)cpu); ms += 10)
		k_sleep(K_MSEC(10));
	if (cpu_online((int)cpu)) {
		printf("error: CPU %lu did not report the fault\n", (unsigned long)cpu);
		return 1;
	}
	printf("CPU %lu stopped by the %s; %d CPUs remain online\n",
	       (unsigned long)cpu, by_assert ? "failed assertion" : "fault", k_num_cpus());
	return 0;
}

SHELL_CMD(fault, cmd_fault, "CPU [assert]",
	  "make a thread on CPU fault or fail a K_ASSERT (tests the fatal-exception path)");
