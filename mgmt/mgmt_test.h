/* SPDX-License-Identifier: MIT */
/*
 * The built-in tests' common parts (mgmt/test_util.c): a run collecting
 * structured steps into the reply, and test VMs made from the rtos
 * template, driven through their console and watched through the log tap.
 * Everything here runs on the agent thread.
 */
#ifndef MGMT_TEST_H
#define MGMT_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/mgmt_json.h>

#define TEST_VM      "mgmt-selftest"
#define TEST_VM2     "mgmt-selftest2"
#define BOOT_MS      20000 /* for a guest's line under load */
#define SETTLE_MS    300
#define GUEST_BANNER ", EL1" /* the end of the RTOS guest's boot banner */

struct test_run {
	struct jbuf *out;
	int passed, failed;
};

/** A test VM, when it is not the template's defaults. */
struct test_vm {
	const char *name;
	const char *args; /* the guest's bootargs */
	int cpu;          /* the one host CPU for its vCPU; -1: the template's */
	int prio;         /* host priority of its vCPU; -1: the template's */
};

/** Record one step: {"name":..,"pass":..,"detail":..}. */
void test_step(struct test_run *t, const char *name, bool pass, const char *detail);
/** Create and run an rtos-template VM; its id, or -1 (a failed step recorded). */
int test_vm_start(struct test_run *t, const struct test_vm *v);
/** Delete a test VM, recorded as a step. */
void test_vm_delete(struct test_run *t, int id, const char *name);
/** Type a line (with its "\r") at the VM's emulated UART. */
void test_type(int id, const char *line);
/** Whether VMs a and b both print a line containing text within BOOT_MS. */
bool test_both_print(const char *a, const char *b, const char *text);
/** The VM's guest time in ms. */
uint64_t test_guest_ms(int id);

void test_shm(struct test_run *t);        /* mgmt/test_shm.c */
void test_sched(struct test_run *t);      /* mgmt/test_sched.c */
void test_interrupts(struct test_run *t); /* mgmt/test_sched.c */
void test_recovery(struct test_run *t);   /* mgmt/test_recovery.c */
void test_perf(struct test_run *t);       /* mgmt/test_perf.c */

#endif /* MGMT_TEST_H */
