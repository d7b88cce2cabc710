/* SPDX-License-Identifier: MIT */
/*
 * The RTOS guest image: the same kernel, built for EL1. Its command line
 * (/chosen/bootargs, "app=NAME") picks what it runs: shell (default),
 * hello, sync, ktest, bench, periodic or spin. Every app but sync ends in the shell.
 * `app=bench timer-rounds=N`: only the timer latency item, N samples;
 * `hog-cpus=LIST [hog-tick-us=N]`: CPU hogs beside any app (spin.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/app.h>
#include <zvm/arch.h>
#include <zvm/bench.h>
#include <zvm/kernel.h>
#include <zvm/ktest.h>
#include <zvm/platform.h>
#include <zvm/shell.h>
#include "guest_apps.h"

#define APP_STACK    16384
#define APP_PRIO     K_PRIO_PREEMPT(14)
#define APP_NAME_MAX 16

struct guest_app {
	const char *name;
	void (*run)(void); /* returns when the shell may start */
};

static void app_ktest(void)
{
	ktest_run(NULL);
}

const char *guest_bootargs(void)
{
	int chosen = fdt_path_offset(platform.fdt, "/chosen");
	const char *args = chosen < 0 ? NULL : fdt_getprop(platform.fdt, chosen, "bootargs", NULL);

	return args ? args : "";
}

/*
 * `timer-rounds=N` beside app=bench: only the timer interrupt latency, N
 * samples (bench_run_timer). A value that is not a number in range is
 * refused with a message and nothing is measured.
 */
static void app_bench(void)
{
	const char *p = strstr(guest_bootargs(), "timer-rounds=");
	const char *value;
	char *end;
	unsigned long n;

	if (!p) {
		bench_run();
		return;
	}
	value = p + strlen("timer-rounds=");
	n = strtoul(value, &end, 10);
	if (end == value || (*end && *end != ' ') || n < 1 || n > BENCH_TIMER_SAMPLES_MAX) {
		printf("bench: timer-rounds=%.*s: a number of samples 1..%u expected; nothing "
		       "measured\n",
		       (int)strcspn(value, " "), value, BENCH_TIMER_SAMPLES_MAX);
		return;
	}
	bench_run_timer((unsigned)n);
}

static void app_shell(void)
{
}

static const struct guest_app apps[] = {
	{ "shell", app_shell }, { "hello", guest_hello }, { "sync", guest_sync },
	{ "ktest", app_ktest }, { "bench", app_bench },   { "periodic", guest_periodic },
	{ "spin", guest_spin },
};

/* The value of "app=" in the bootargs, or "shell". */
static void app_name_from_bootargs(char *name, size_t size)
{
	const char *p = strstr(guest_bootargs(), "app=");
	size_t n = 0;

	if (!p) {
		snprintf(name, size, "shell");
		return;
	}
	for (p += 4; p[n] && p[n] != ' ' && n + 1 < size; n++)
		name[n] = p[n];
	name[n] = '\0';
}

/* `timer=cval` in the bootargs: the kernel re-arms its timer by writing CVAL alone. */
static void timer_mode_from_bootargs(void)
{
	if (strstr(guest_bootargs(), "timer=cval")) {
		arch_timer_cval_only = true;
		puts("rtos: timer re-armed by CVAL alone");
	}
}

static void app_thread(void *arg)
{
	const struct guest_app *app = arg;

	app->run();
	bench_boot_prompt_cycles = k_cycle_get();
	shell_run("rtos:~$ ");
}

void app_main(void)
{
	char name[APP_NAME_MAX];
	const struct guest_app *app = NULL;
	const char *hogs = strstr(guest_bootargs(), "hog-cpus=");
	const char *tick = strstr(guest_bootargs(), "hog-tick-us=");

	timer_mode_from_bootargs();
	if (hogs)
		guest_hog_cpus(hogs + strlen("hog-cpus="),
			       tick ? (unsigned)strtoul(tick + strlen("hog-tick-us="), NULL, 10)
				    : 0);
	app_name_from_bootargs(name, sizeof(name));
	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
		if (strcmp(apps[i].name, name) == 0)
			app = &apps[i];
	if (!app) {
		printf("rtos: unknown app '%s' (shell, hello, sync, ktest, bench, periodic, spin); "
		       "starting the shell\n",
		       name);
		app = &apps[0];
	}
	if (!k_thread_spawn(app->name, APP_STACK, app_thread, (void *)app, APP_PRIO, K_CPU_ALL))
		puts("rtos: cannot start the app");
}
