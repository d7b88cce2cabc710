/* SPDX-License-Identifier: MIT */
/* Priority run queue (see include/zvm/runq.h). Portable: unit-tested on the host. */
#include <zvm/runq.h>

static unsigned level_of(int prio)
{
	return (unsigned)(prio - K_HIGHEST_PRIO);
}

void runq_init(struct runq *rq)
{
	rq->bitmap = 0;
	rq->count = 0;
	for (unsigned i = 0; i < RUNQ_LEVELS; i++)
		dlist_init(&rq->level[i]);
}

static void runq_insert(struct runq *rq, struct k_thread *t, bool head)
{
	unsigned lv = level_of(t->prio);

	if (head)
		dlist_prepend(&rq->level[lv], &t->qnode);
	else
		dlist_append(&rq->level[lv], &t->qnode);
	rq->bitmap |= 1ull << lv;
	rq->count++;
}

void runq_add(struct runq *rq, struct k_thread *t)
{
	runq_insert(rq, t, false);
}

void runq_add_head(struct runq *rq, struct k_thread *t)
{
	runq_insert(rq, t, true);
}

void runq_remove(struct runq *rq, struct k_thread *t)
{
	unsigned lv = level_of(t->prio);

	dlist_remove(&t->qnode);
	if (dlist_empty(&rq->level[lv]))
		rq->bitmap &= ~(1ull << lv);
	rq->count--;
}

struct k_thread *runq_best(const struct runq *rq)
{
	if (!rq->bitmap)
		return NULL;
	return CONTAINER_OF(rq->level[__builtin_ctzll(rq->bitmap)].next, struct k_thread, qnode);
}

struct k_thread *runq_best_for_cpu(const struct runq *rq, int cpu)
{
	uint64_t levels = rq->bitmap;

	while (levels) {
		unsigned lv = (unsigned)__builtin_ctzll(levels);
		struct dnode *n;

		DLIST_FOR_EACH(&rq->level[lv], n)
		{
			struct k_thread *t = CONTAINER_OF(n, struct k_thread, qnode);

			if (t->affinity & (1u << cpu))
				return t;
		}
		levels &= levels - 1;
	}
	return NULL;
}

int runq_best_prio(const struct runq *rq)
{
	if (!rq->bitmap)
		return K_IDLE_PRIO;
	return K_HIGHEST_PRIO + __builtin_ctzll(rq->bitmap);
}
