/* SPDX-License-Identifier: MIT */
/*
 * A run queue: one FIFO per priority and a bitmap of the non-empty ones,
 * so finding the most urgent ready thread is one count-trailing-zeros.
 * No locking here; the scheduler holds its lock around every call.
 */
#ifndef ZVM_RUNQ_H
#define ZVM_RUNQ_H

#include <stdint.h>
#include <zvm/kernel.h>

#define RUNQ_LEVELS (K_NUM_PRIO - 1) /* the idle priority is never queued */

struct runq {
	uint64_t bitmap;
	unsigned count;
	dlist_t level[RUNQ_LEVELS];
};

void runq_init(struct runq *rq);
/** Queue t behind the threads of its priority (it yielded or just woke). */
void runq_add(struct runq *rq, struct k_thread *t);
/** Queue t ahead of the threads of its priority (it was preempted). */
void runq_add_head(struct runq *rq, struct k_thread *t);
void runq_remove(struct runq *rq, struct k_thread *t);
/** The most urgent thread, or NULL; it stays queued. */
struct k_thread *runq_best(const struct runq *rq);
/** The most urgent thread allowed on `cpu` by its affinity, or NULL. */
struct k_thread *runq_best_for_cpu(const struct runq *rq, int cpu);
/** Priority of runq_best(), or K_IDLE_PRIO when empty. */
int runq_best_prio(const struct runq *rq);

#endif /* ZVM_RUNQ_H */
