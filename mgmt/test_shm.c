/* SPDX-License-Identifier: MIT */
/*
 * `test shm`: two RTOS VMs exchange messages over their shared-memory ring
 * (region rtos-rtos2 of configs/vms.dts, granted to VMs named rtos and
 * rtos2): rtos2 echoes, rtos pings N round trips; each side must report
 * all N, and zvm's doorbell count of the region must have grown. The VMs
 * must be named rtos and rtos2 for the grant, so the test refuses to run
 * (a failed step saying so) while VMs of those names exist.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/shm.h>
#include <zvm/vmm.h>
#include "mgmt_internal.h"
#include "mgmt_test.h"

#define REGION      "rtos-rtos2"
#define ROUND_TRIPS "200"
#define PING_OK     "ping: " ROUND_TRIPS " round trips"

struct exchange_seen {
	char ping[MGMT_ERR_LEN]; /* rtos's "ping: N round trips, ..." */
	bool echoed;             /* rtos2's "ring: echoed N messages" */
};

/* Every console line (both VMs end about together): until both results came. */
static bool exchange_line(const char *line, void *arg)
{
	struct exchange_seen *s = arg;

	if (!strncmp(line, "[rtos] ping: ", 13))
		snprintf(s->ping, sizeof(s->ping), "%s", line + 7);
	if (!strcmp(line, "[rtos2] ring: echoed " ROUND_TRIPS " messages"))
		s->echoed = true;
	return s->ping[0] && s->echoed;
}

static void exchange(struct test_run *t, int a, int b)
{
	struct exchange_seen seen = { "", false };
	char why[96];
	uint64_t bells = shm_doorbells(REGION);

	test_step(t, "both guests boot", test_both_print("rtos", "rtos2", GUEST_BANNER), NULL);
	test_type(b, "ring echo " REGION " " ROUND_TRIPS "\r");
	test_step(t, "rtos2 echoes", !mgmt_tap_expect("rtos2", "ring echo " REGION, BOOT_MS), NULL);
	test_type(a, "ring ping " REGION " " ROUND_TRIPS "\r");
	mgmt_tap_watch(NULL, NULL, BOOT_MS * 3, exchange_line, &seen);
	test_step(t, "rtos: " ROUND_TRIPS " round trips",
		  !strncmp(seen.ping, PING_OK, strlen(PING_OK)), seen.ping);
	test_step(t, "rtos2: " ROUND_TRIPS " messages echoed", seen.echoed, NULL);
	snprintf(why, sizeof(why), "%lu doorbells before, %lu after", (unsigned long)bells,
		 (unsigned long)shm_doorbells(REGION));
	test_step(t, "zvm counted the doorbells", shm_doorbells(REGION) > bells, why);
}

void test_shm(struct test_run *t)
{
	static const struct test_vm va = { "rtos", "", 1, -1 }, vb = { "rtos2", "", 2, -1 };
	int a = test_vm_start(t, &va), b = a < 0 ? -1 : test_vm_start(t, &vb);

	if (b >= 0)
		exchange(t, a, b);
	if (b >= 0)
		test_vm_delete(t, b, "rtos2");
	if (a >= 0)
		test_vm_delete(t, a, "rtos");
}
