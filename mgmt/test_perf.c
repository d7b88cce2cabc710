/* SPDX-License-Identifier: MIT */
/*
 * `test perf`: the kernel latency benchmark (selftest/bench.c) run inside
 * an RTOS VM (app=bench), so that it also measures what virtualisation
 * costs (a null hypercall's round trip, timer interrupt latency through
 * the virtual GIC). Each "bench: ITEM ... cycles N ns" line becomes a
 * step with its figure; a step fails if its line cannot be read. The
 * figures are reported, not judged: they depend on the machine.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/vmm.h>
#include "mgmt_internal.h"
#include "mgmt_test.h"

#define BENCH_MS 180000 /* the whole benchmark under QEMU, under load */

/* "bench: NAME   123.45 cycles    678 ns": a step NAME with detail "678 ns". */
static bool bench_line(const char *line, void *arg)
{
	const char *item = line + 7, *cyc = strstr(line, " cycles ");
	const char *end = cyc;
	unsigned long ns = 0;
	char name[48], detail[32];

	if (strncmp(line, "bench: ", 7) || !cyc)
		return false;
	while (end > item && end[-1] != ' ') /* back over the cycle count */
		end--;
	while (end > item && end[-1] == ' ')
		end--;
	snprintf(name, sizeof(name), "%.*s", (int)(end - item), item);
	if (sscanf(cyc, " cycles %lu ns", &ns) != 1 || end == item) {
		test_step(arg, "a benchmark line", false, line);
		return false;
	}
	snprintf(detail, sizeof(detail), "%lu ns", ns);
	test_step(arg, name, true, detail);
	return false;
}

void test_perf(struct test_run *t)
{
	static const struct test_vm v = { TEST_VM, "app=bench", -1, -1 };
	int passed, id = test_vm_start(t, &v);

	if (id < 0)
		return;
	passed = t->passed;
	test_step(t, "the benchmark ends",
		  !mgmt_tap_watch(TEST_VM, "bench: done", BENCH_MS, bench_line, t) &&
			  t->passed > passed,
		  NULL);
	test_vm_delete(t, id, TEST_VM);
}
