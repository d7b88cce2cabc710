/* SPDX-License-Identifier: MIT */
/*
 * Where a ready thread goes (kernel/sched_place.c): the placement rule of
 * the scheduler on a snapshot of the CPUs, kept apart from the scheduler's
 * state so the host unit tests run it as it is (tests/unit/test_sched_place.c).
 * The scheduler fills the snapshot with sched_lock held.
 */
#ifndef ZVM_SCHED_PLACE_H
#define ZVM_SCHED_PLACE_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/kernel.h>

/* What placement needs to know of one CPU. */
struct cpu_view {
	bool idle;    /* its idle thread runs and nothing is queued there */
	int cur_prio; /* the priority of the thread it runs (K_IDLE_PRIO: idle) */
};

/** Would a thread of priority prio, newly ready, take the CPU from one running cur_prio? */
bool place_preempts(int cur_prio, int prio);

/**
 * The CPU for a ready thread of priority prio that may run on the CPUs
 * `mask` (online ones of its pool and affinity) and last ran on `last`:
 * an idle CPU (`last` first), else the CPU whose running thread it
 * preempts (the least urgent one), else `last` if allowed, else the first
 * allowed CPU. A thread preempted on `last` (its own thread still shown
 * running there) so goes to an idle CPU of its pool or to one running
 * less urgent work, and stays queued at home when there is none.
 * Only the entries of the CPUs in `mask` are read.
 */
int place_cpu(const struct cpu_view *cpus, int ncpus, uint32_t mask, int last, int prio);

#endif /* ZVM_SCHED_PLACE_H */
