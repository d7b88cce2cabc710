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
 * The number given as `key` (like "timer-rounds=") in the bootargs: 1 when
 * the key is absent; 0 and *n = the value when it is a number in 1..max;
 * -1 when it is not, *value then the text given (up to a space), for the
 * caller's message.
 */
static int bootarg_number(const char *key, unsigned long max, unsigned *n, const char **value)
{
	const char *p = strstr(guest_bootargs(), key);
	char *end;
	unsigned long v;

	if (!p)
		return 1;
	*value = p + strlen(key);
	v = strtoul(*value, &end, 10);
	if (end == *value || (*end && *end != ' ') || v < 1 || v > max)
		return -1;
	*n = (unsigned)v;
	return 0;
}

/*
 * `timer-rounds=N` beside app=bench: only the timer interrupt latency, N
 * samples (bench_run_timer). A value that is not a number in range is
 * refused with a message and nothing is measured.
 */
static void app_bench(void)
{
	const char *value;
	unsigned n;
	int r = bootarg_number("timer-rounds=", BENCH_TIMER_SAMPLES_MAX, &n, &value);

	if (r > 0)
		bench_run();
	else if (r == 0)
		bench_run_timer(n);
	else
		printf("bench: timer-rounds=%.*s: a number of samples 1..%u expected; nothing "
		       "measured\n",
		       (int)strcspn(value, " "), value, BENCH_TIMER_SAMPLES_MAX);
}

/* `hog-cpus=LIST [hog-tick-us=N]` beside any app: CPU hogs (spin.c). */
static void hogs_from_bootargs(void)
{
	const char *hogs = strstr(guest_bootargs(), "hog-cpus=");
	const char *value;
	unsigned tick = 0;

	if (!hogs)
		return;
	if (bootarg_number("hog-tick-us=", 1000000, &tick, &value) < 0) {
		printf("spin: hog-tick-us=%.*s: microseconds 1..1000000 expected; no hogs\n",
		       (int)strcspn(value, " "), value);
		return;
	}
	guest_hog_cpus(hogs + strlen("hog-cpus="), tick);
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

	timer_mode_from_bootargs();
	hogs_from_bootargs();
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
